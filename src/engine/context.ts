// Running a request's context: tokenize the prefix, cut it to the context window, reuse the
// document's cached prefix, detect the domain and get the model ready to predict.
//
// Routing of the context (the choice made for every request): in `auto` mode without a
// decided domain, the context runs with no domain bias, and that pass is the detection pass.
// Its cache is kept per document, so it stays reusable when the detected domain changes. Only
// the last context token is then rerun with the detected domain's bias. That way the first
// generated token and every later one are routed with the bias, while earlier context
// positions keep their unbiased routing. A decided domain (pin or rule) biases the context and
// its cache directly.

import type { Decoder, DecoderState } from './decoder';
import { engineError } from './errors';
import { commonPrefixLength, emptyKv, truncateKv, type DocumentCacheStore, type KvState, type PositionRouting } from './kvCache';
import type { LoadedModel } from './modelFolder';
import type { DomainPosterior, RoutingOptions } from './protocol';
import { biasKey, biasTowardsDomain, decideDomain, domainPosterior, positionRouting, type RoutingPlan } from './routing';
import { healPrefix } from './tokenHealing';

/** Below this many tokens a context window is not worth running. */
const MIN_CONTEXT_TOKENS = 8;

export interface ContextRequest {
  documentKey: string;
  prefix: string;
  routing: RoutingOptions;
  plan: RoutingPlan;
  /** Drop a trailing partial word so generation can complete it (token healing). */
  heal: boolean;
  /** Tokens the request may generate after the context, so the window leaves room for them. */
  newTokens: number;
  isCancelled: () => boolean;
}

export interface PreparedContext {
  ids: number[];
  /** Text of the chunk that token healing dropped; the generation must reproduce it first. */
  healText: string;
  reusedTokens: number;
  /** Routing of every context position that is not a special token, from the context pass. */
  positions: PositionRouting[];
  domain: DomainPosterior;
  generationBias: Float32Array;
  /** The model after the whole context, with the last token routed by `generationBias`. */
  start: DecoderState;
  /** The cache before the last context token, for reruns of the last position. */
  kvBeforeLast: KvState;
}

export async function prepareContext(
  model: LoadedModel,
  decoder: Decoder,
  cache: DocumentCacheStore,
  contextTokens: number,
  request: ContextRequest,
): Promise<PreparedContext> {
  const { manifest, tokenizer } = model;
  const { plan, routing } = request;

  const chunks = tokenizer.encodeChunks(request.prefix);
  const healed = request.heal ? healPrefix(chunks) : { ids: chunks.flatMap((chunk) => chunk.ids), healText: '' };
  const window = Math.max(MIN_CONTEXT_TOKENS, Math.min(contextTokens, manifest.architecture.maxContext - request.newTokens - 1));
  const ids = cutToWindow(healed.ids, window, manifest.specialTokens.endOfText);

  const contextBias =
    plan.decidedDomain === undefined ? plan.baseBias : biasTowardsDomain(plan.baseBias, manifest, plan.decidedDomain, routing.biasStrength);
  const pass = await runContextPass(model, decoder, cache, request, ids, contextBias);

  const positions = pass.positions.filter((_, index) => !tokenizer.isSpecial(ids[index]));
  const domain = decideDomain(domainPosterior(positions, manifest), plan, routing);
  const generationBias =
    routing.mode === 'off' ? plan.baseBias : biasTowardsDomain(plan.baseBias, manifest, domain.domain, routing.biasStrength);

  const kvBeforeLast = truncateKv(pass.state.kv, manifest.architecture, ids.length - 1);
  let start = pass.state;
  if (biasKey(generationBias, 0, 0) !== biasKey(contextBias, 0, 0)) {
    throwIfCancelled(request);
    start = decoder.stateOf(await decoder.run([ids[ids.length - 1]], kvBeforeLast, generationBias), 0);
  }

  return { ids, healText: healed.healText, reusedTokens: pass.reusedTokens, positions, domain, generationBias, start, kvBeforeLast };
}

/** How far the window start moves at once when a prefix outgrows the window, in tokens. */
const WINDOW_STEP_TOKENS = 64;

/**
 * Keeps at most the last `window` tokens; a prefix that fits whole starts with end-of-text, as
 * training documents did. A longer prefix is cut at a multiple of WINDOW_STEP_TOKENS from its
 * start, so while the user types the window start stays put and the KV cache stays reusable;
 * the window then contains between `window - WINDOW_STEP_TOKENS` and `window` tokens.
 */
function cutToWindow(ids: number[], window: number, endOfText: number): number[] {
  if (ids.length + 1 <= window) return [endOfText, ...ids];
  const step = Math.min(WINDOW_STEP_TOKENS, Math.floor(window / 2));
  const start = Math.ceil((ids.length - window) / step) * step;
  return ids.slice(start);
}

async function runContextPass(
  model: LoadedModel,
  decoder: Decoder,
  cache: DocumentCacheStore,
  request: ContextRequest,
  ids: number[],
  bias: Float32Array,
): Promise<{ state: DecoderState; positions: PositionRouting[]; reusedTokens: number }> {
  const { architecture } = model.manifest;
  const routingKey = biasKey(bias, decoder.topK, decoder.topP);
  const cached = cache.get(request.documentKey);

  // At least the last token runs again, because the cache keeps no logits.
  const reusable = cached !== undefined && cached.routingKey === routingKey ? Math.min(commonPrefixLength(cached.ids, ids), ids.length - 1) : 0;
  const past = cached !== undefined && reusable > 0 ? truncateKv(cached.kv, architecture, reusable) : emptyKv();
  const positions = cached !== undefined && reusable > 0 ? cached.routing.slice(0, reusable) : [];

  throwIfCancelled(request);
  const output = await decoder.run(ids.slice(reusable), past, bias);
  for (let position = 0; position < output.tokens; position += 1) {
    positions.push(positionRouting(output.routerProbs, output.expertWeights, position, output.tokens, architecture.layers, architecture.expertsPerLayer));
  }

  cache.set(request.documentKey, { ids, kv: output.present, routing: positions, routingKey });
  return { state: decoder.stateOf(output, output.tokens - 1), positions, reusedTokens: reusable };
}

export function throwIfCancelled(request: { isCancelled: () => boolean }): void {
  if (request.isCancelled()) throw engineError('cancelled', 'The request was cancelled.');
}
