// Greedy completion for the baselines that have no engine (the dense model and the n-gram),
// with the engine's context window, token healing, special-token mask and stop rules, so their
// completions are comparable with the MoE's.

import { emptyKv, type KvState } from '../../src/engine/kvCache';
import type { GenerationOptions } from '../../src/engine/protocol';
import { argmax } from '../../src/engine/sampling';
import { createStopRule } from '../../src/engine/stopRules';
import { HealingConstraint, healPrefix } from '../../src/engine/tokenHealing';
import type { Tokenizer } from '../../src/engine/tokenizer';
import type { DenseModel } from './denseModel';
import type { NgramModel } from './ngramModel';

/** A model that scores the next token: logits or log-probabilities, either works for argmax. */
export interface NextTokenSource {
  /** Consumes the context and returns the scores of the token after it. */
  start(ids: readonly number[]): Promise<Float32Array>;
  /** Consumes one generated token and returns the scores of the token after it. */
  next(token: number): Promise<Float32Array>;
}

export interface GreedyOptions {
  maxTokens: number;
  stopAt: GenerationOptions['stopAt'];
  /** The context window in tokens, as the engine's contextTokens. */
  contextTokens: number;
  maxContext: number;
  endOfText: number;
}

/** The engine's smallest context window. */
const MIN_CONTEXT_TOKENS = 8;

export async function greedyCompletion(tokenizer: Tokenizer, source: NextTokenSource, prefix: string, options: GreedyOptions): Promise<string> {
  const healed = healPrefix(tokenizer.encodeChunks(prefix));
  const window = Math.max(MIN_CONTEXT_TOKENS, Math.min(options.contextTokens, options.maxContext - options.maxTokens - 1));
  const ids = contextWindow(healed.ids, window, options.endOfText);

  const healing = new HealingConstraint(tokenizer, healed.healText);
  const stopRule = createStopRule(options.stopAt, prefix.slice(prefix.lastIndexOf('\n') + 1));
  const textDecoder = tokenizer.createStreamDecoder();
  let scores = await source.start(ids);
  let generatedText = '';
  let completion = '';
  let countedTokens = 0;

  for (;;) {
    const masked = Float32Array.from(scores);
    for (let id = 0; id < masked.length; id += 1) {
      if (id !== options.endOfText && (id >= tokenizer.vocabSize || tokenizer.isSpecial(id))) masked[id] = -Infinity;
    }
    const healingStep = healing.active;
    healing.mask(masked);
    const token = argmax(masked);
    if (token === options.endOfText) break;
    healing.accept(token);
    if (!healingStep) countedTokens += 1;

    generatedText += textDecoder.push(token);
    const visibleText = generatedText.length > healed.healText.length ? generatedText.slice(healed.healText.length) : '';
    const check = stopRule(visibleText);
    completion = check.text;
    if (check.stopped || countedTokens >= options.maxTokens) break;
    scores = await source.next(token);
  }
  return completion;
}

/** Applies the engine's window rule: keep the last `window` ids, and put end-of-text before a prefix that fits whole. */
export function contextWindow(ids: readonly number[], window: number, endOfText: number): number[] {
  if (ids.length + 1 <= window) return [endOfText, ...ids];
  return ids.slice(ids.length - window);
}

export function denseSource(model: DenseModel, vocabSize: number): NextTokenSource {
  let kv: KvState = emptyKv();
  const lastLogits = (logits: Float32Array, tokens: number) => logits.slice((tokens - 1) * vocabSize, tokens * vocabSize);
  return {
    async start(ids) {
      const step = await model.run(ids, emptyKv());
      kv = step.present;
      return lastLogits(step.logits, ids.length);
    },
    async next(token) {
      const step = await model.run([token], kv);
      kv = step.present;
      return lastLogits(step.logits, 1);
    },
  };
}

export function ngramSource(model: NgramModel): NextTokenSource {
  const history: number[] = [];
  const scores = () => Float32Array.from(model.distribution(history.at(-2), history.at(-1)), Math.log);
  return {
    start(ids) {
      history.splice(0, history.length, ...ids);
      return Promise.resolve(scores());
    },
    next(token) {
      history.push(token);
      return Promise.resolve(scores());
    },
  };
}
