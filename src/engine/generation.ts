// The decoding loop: choose a token, apply the stop rule, step the model, until a stop.

import type { CounterfactualSettings } from './counterfactual';
import type { Decoder, DecoderState } from './decoder';
import { engineError } from './errors';
import type { KvState } from './kvCache';
import type { Manifest } from './manifest';
import type { CompletionResult, GenerationOptions, TokenTrace } from './protocol';
import { layerRoutings } from './routing';
import { chooseToken, seededRandom } from './sampling';
import { createStopRule } from './stopRules';
import { HealingConstraint } from './tokenHealing';
import type { Tokenizer } from './tokenizer';

export interface GenerationRequest {
  options: GenerationOptions;
  /** The model after the context; its logits predict the first token. */
  start: DecoderState;
  /** The cache before the last context token and that token, for a counterfactual rerun of the first step. */
  kvBeforeLast: KvState;
  lastContextToken: number;
  bias: Float32Array;
  /** Text the first tokens must reproduce (token healing); it is not part of the completion. */
  healText: string;
  /** The cursor's line before the cursor, healed text included. */
  currentLine: string;
  counterfactual?: CounterfactualSettings;
  /** `Date.now()` value after which generation stops with `time-budget`. */
  deadline: number;
  isCancelled: () => boolean;
}

export interface GenerationResult {
  completion: string;
  stopReason: CompletionResult['stopReason'];
  tokens: TokenTrace[];
  /** Tokens chosen after the healed text, the ones `maxTokens` counts. A healing step does not count. */
  generatedTokens: number;
}

export async function generate(tokenizer: Tokenizer, decoder: Decoder, manifest: Manifest, request: GenerationRequest): Promise<GenerationResult> {
  const { options, healText } = request;
  const { layers, expertsPerLayer } = manifest.architecture;
  const endOfText = manifest.specialTokens.endOfText;
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const healing = new HealingConstraint(tokenizer, healText);
  const stopRule = createStopRule(options.stopAt, request.currentLine);
  const textDecoder = tokenizer.createStreamDecoder();

  let state = request.start;
  if (request.counterfactual !== undefined) {
    state = await decoder.wake(state, request.lastContextToken, request.kvBeforeLast, request.bias, request.counterfactual);
  }

  const tokens: TokenTrace[] = [];
  let generatedText = '';
  let visibleText = '';
  let completion = '';
  let countedTokens = 0;
  let stopReason: CompletionResult['stopReason'];

  for (;;) {
    if (request.isCancelled()) throw engineError('cancelled', 'The request was cancelled.');
    if (Date.now() > request.deadline) {
      stopReason = 'time-budget';
      break;
    }

    const logits = Float32Array.from(state.logits);
    maskSpecialTokens(logits, tokenizer, endOfText);
    const healingStep = healing.active;
    healing.mask(logits);
    const token = chooseToken(logits, options.temperature, options.topP, random);
    if (token === endOfText) {
      stopReason = 'end-of-text';
      break;
    }
    healing.accept(token);
    if (!healingStep) countedTokens += 1;

    generatedText += textDecoder.push(token);
    const newVisibleText = generatedText.length > healText.length ? generatedText.slice(healText.length) : '';
    const tokenText = newVisibleText.slice(visibleText.length);
    visibleText = newVisibleText;
    // A token that only reproduces the healed text shows nothing, so the trace leaves it out.
    if (!(healingStep && tokenText === '')) {
      tokens.push({ text: tokenText, layers: layerRoutings(state.routing, layers, expertsPerLayer, state.awakened) });
    }

    const check = stopRule(visibleText);
    completion = check.text;
    if (check.stopped) {
      stopReason = 'stop-rule';
      break;
    }
    if (countedTokens >= options.maxTokens) {
      stopReason = 'max-tokens';
      break;
    }

    state = await decoder.step(token, state.kv, request.bias, request.counterfactual);
  }

  return { completion, stopReason, tokens: alignTokenTexts(tokens, completion), generatedTokens: countedTokens };
}

/** Sets every special token but end-of-text to -Infinity, and any id the tokenizer does not have. */
function maskSpecialTokens(logits: Float32Array, tokenizer: Tokenizer, endOfText: number): void {
  for (let id = 0; id < logits.length; id += 1) {
    if (id !== endOfText && (id >= tokenizer.vocabSize || tokenizer.isSpecial(id))) logits[id] = -Infinity;
  }
}

/** Cuts the token texts so that they join to the completion, which a stop rule may have shortened. */
function alignTokenTexts(tokens: TokenTrace[], completion: string): TokenTrace[] {
  let used = 0;
  return tokens.map((token) => {
    const text = completion.slice(used, Math.min(completion.length, used + token.text.length));
    used += text.length;
    return { ...token, text };
  });
}
