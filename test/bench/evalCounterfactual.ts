// Counterfactual routing ("awakening") on the tokens where the routed MoE is least sure, against
// the same tokens without it and against random expert choices as negative controls.
//
// Each condition predicts the token after a scored position from the engine's routed state, and
// for next-word accuracy keeps generating the word's tokens greedily with its own routing, the
// way the engine's decoding loop applies awakening at every step.

import type { CounterfactualSettings } from '../../src/engine/counterfactual';
import { planAwakening } from '../../src/engine/counterfactual';
import { Decoder, type DecoderState } from '../../src/engine/decoder';
import type { KvState, PositionRouting } from '../../src/engine/kvCache';
import { DISABLED_BIAS } from '../../src/engine/routing';
import { argmax, logSoftmax, seededRandom, type Random } from '../../src/engine/sampling';
import type { DocumentLanguageResult } from './evalLanguage';
import type { MoeScorer } from './moeScoring';
import { wordAt, type WordClasses } from './windows';

export type ConditionId = 'off' | 'awakening' | 'awakening-forced' | 'random-routing' | 'random-swap';

export const CONDITION_LABELS: Record<ConditionId, string> = {
  off: 'Awakening off (domain routing only)',
  awakening: 'Awakening on (engine rule)',
  'awakening-forced': 'Awakening on every selected token',
  'random-routing': 'Random routing (negative control)',
  'random-swap': 'Random swap in the awakened layers (negative control)',
};

export const CONDITIONS: ConditionId[] = ['off', 'awakening', 'awakening-forced', 'random-routing', 'random-swap'];

/** How far above the best selection score a randomly chosen expert is lifted, in logits. */
const RANDOM_LIFT_MARGIN = 8;
/** Words longer than this many tokens are left out of next-word accuracy. */
const MAX_WORD_TOKENS = 6;

export interface CounterfactualOptions {
  /** Share of each domain's scored tokens, by highest next-token entropy, that is measured. */
  hardShare: number;
  /** RoutingOptions.counterfactualStrength for the engine rule. */
  strength: number;
  seed: number;
}

export interface ConditionTotals {
  logLikelihoods: number[];
  tokenHits: number;
  words: number;
  wordHits: number;
}

export interface CounterfactualMeasurement {
  tokens: number;
  /** Per domain, the entropy in nats at or above which a token counts as hard. */
  thresholds: Record<string, number>;
  conditions: Record<ConditionId, ConditionTotals>;
  /** Hard tokens whose routing the engine rule changed. */
  awakenedTokens: number;
  /** Hard tokens where the forced rule found an expert to wake. */
  forcedAwakenedTokens: number;
  /** Hard tokens' layers in which every expert of the routed domain already ran, leaving none to wake. */
  layersWithoutDormantDomainExpert: number;
  layers: number;
  /** Layer selections of the random-routing control that came out as drawn. */
  randomSelectionsAsDrawn: number;
  randomSelections: number;
}

type Step = (token: number, kv: KvState, bias: Float32Array) => Promise<DecoderState>;

export async function measureCounterfactual(
  results: readonly DocumentLanguageResult[],
  moe: MoeScorer,
  classes: WordClasses,
  options: CounterfactualOptions,
): Promise<CounterfactualMeasurement> {
  const { model } = moe;
  const impact = model.impact;
  if (impact === undefined) throw new Error(`Counterfactual routing needs impact.json: ${model.impactProblem ?? 'it is missing'}.`);

  const thresholds = hardThresholds(results, options.hardShare);
  const decoder = new Decoder(model.onnx, model.manifest, moe.topK, moe.plan.topP);
  const random = seededRandom(options.seed);
  const counters = { awakened: 0, forced: 0, asDrawn: 0, draws: 0, withoutDormant: 0, layers: 0 };
  const conditions = Object.fromEntries(CONDITIONS.map((id) => [id, { logLikelihoods: [], tokenHits: 0, words: 0, wordHits: 0 }])) as unknown as Record<
    ConditionId,
    ConditionTotals
  >;
  let tokens = 0;

  for (const result of results) {
    const threshold = thresholds[result.document.domain];
    const sequence = [model.manifest.specialTokens.endOfText, ...result.ids];
    const hardByWindow = new Map<number, number[]>();
    for (const scored of result.positions) {
      if (scored.entropy < threshold) continue;
      hardByWindow.set(scored.window, [...(hardByWindow.get(scored.window) ?? []), scored.position]);
    }

    for (const [windowIndex, hardPositions] of hardByWindow) {
      const window = result.windows[windowIndex];
      const pass = await moe.contextPass(window);
      for (const position of hardPositions) {
        const routed = await moe.routedPrediction(pass, position);
        const settings = (strength: number): CounterfactualSettings => ({ impact, domain: routed.domain, strength });
        const steps = conditionSteps(decoder, moe, settings(options.strength), settings(1), random, counters);
        const token = window.inputs[position];
        const target = window.targets[position];
        const word = wordAt(sequence, window.start + position + 1, classes, MAX_WORD_TOKENS);
        tokens += 1;

        const baseState = decoder.stateOf(routed.output, 0);
        countLayersWithoutDormant(baseState.routing, routed.domain, moe, counters);
        for (const id of CONDITIONS) {
          const state = await steps[id](token, routed.kvBefore, routed.bias, baseState);
          const woken = state.awakened.some((layer) => layer.length > 0);
          if (id === 'awakening' && woken) counters.awakened += 1;
          if (id === 'awakening-forced' && woken) counters.forced += 1;
          const totals = conditions[id];
          totals.logLikelihoods.push(logSoftmax(state.logits)[target]);
          if (argmax(state.logits) === target) totals.tokenHits += 1;
          if (word !== undefined) {
            totals.words += 1;
            if (await generatesWord(state, word, routed.bias, (next, kv, bias) => steps[id](next, kv, bias))) totals.wordHits += 1;
          }
        }
      }
    }
  }

  return {
    tokens,
    thresholds,
    conditions,
    awakenedTokens: counters.awakened,
    forcedAwakenedTokens: counters.forced,
    layersWithoutDormantDomainExpert: counters.withoutDormant,
    layers: counters.layers,
    randomSelectionsAsDrawn: counters.asDrawn,
    randomSelections: counters.draws,
  };
}

/** Returns the entropy at the (1 - hardShare) quantile of each domain's scored tokens. */
export function hardThresholds(results: readonly DocumentLanguageResult[], hardShare: number): Record<string, number> {
  const byDomain = new Map<string, number[]>();
  for (const result of results) {
    const entropies = byDomain.get(result.document.domain) ?? [];
    for (const scored of result.positions) entropies.push(scored.entropy);
    byDomain.set(result.document.domain, entropies);
  }
  const thresholds: Record<string, number> = {};
  for (const [domain, entropies] of byDomain) {
    entropies.sort((a, b) => a - b);
    const index = Math.min(entropies.length - 1, Math.max(0, Math.floor(entropies.length * (1 - hardShare))));
    thresholds[domain] = entropies[index];
  }
  return thresholds;
}

type ConditionStep = (token: number, kv: KvState, bias: Float32Array, base?: DecoderState) => Promise<DecoderState>;

/**
 * Builds one decoding step per condition. A caller that already ran the plain routed step for
 * the same input passes it as `base`, and the later steps of a word compute it themselves.
 */
function conditionSteps(
  decoder: Decoder,
  moe: MoeScorer,
  engineRule: CounterfactualSettings,
  forcedRule: CounterfactualSettings,
  random: Random,
  counters: { asDrawn: number; draws: number },
): Record<ConditionId, ConditionStep> {
  const { manifest } = moe.model;
  const plainStep: Step = async (token, kv, bias) => decoder.stateOf(await decoder.run([token], kv, bias), 0);
  const baseOf = async (token: number, kv: KvState, bias: Float32Array, base?: DecoderState) => base ?? (await plainStep(token, kv, bias));

  return {
    off: baseOf,
    awakening: async (token, kv, bias, base) => decoder.wake(await baseOf(token, kv, bias, base), token, kv, bias, engineRule),
    'awakening-forced': async (token, kv, bias, base) => decoder.wake(await baseOf(token, kv, bias, base), token, kv, bias, forcedRule),
    'random-routing': async (token, kv, bias, base) => {
      const routing = (await baseOf(token, kv, bias, base)).routing;
      const draw = randomSelection(routing, moe.plan.baseBias, moe.topK, manifest.architecture.expertsPerLayer, random);
      const state = await plainStep(token, kv, draw.bias);
      countAsDrawn(state.routing, draw.chosen, manifest.architecture.expertsPerLayer, counters);
      return state;
    },
    'random-swap': async (token, kv, bias, base) => {
      const state = await baseOf(token, kv, bias, base);
      const plan = planAwakening(state.routing, bias, moe.topK, manifest, forcedRule);
      if (plan === undefined) return state;
      const swapped = randomSwap(state.routing, bias, plan.awakened, manifest.architecture.expertsPerLayer, random);
      return plainStep(token, kv, swapped);
    },
  };
}

/** Checks whether greedy decoding from `state` reproduces every token of `word`, stepping with `step`. */
async function generatesWord(state: DecoderState, word: readonly number[], bias: Float32Array, step: Step): Promise<boolean> {
  let current = state;
  for (let i = 0; i < word.length; i += 1) {
    if (argmax(current.logits) !== word[i]) return false;
    if (i + 1 < word.length) current = await step(word[i], current.kv, bias);
  }
  return true;
}

/** Selection score of an expert: its log router probability plus its bias. */
function score(routing: PositionRouting, bias: Float32Array, slot: number): number {
  return Math.log(Math.max(routing.probs[slot], 1e-30)) + bias[slot];
}

/** Draws `topK` experts uniformly in every layer and builds a bias that lifts them above all others. */
export function randomSelection(
  routing: PositionRouting,
  baseBias: Float32Array,
  topK: number,
  expertsPerLayer: number,
  random: Random,
): { bias: Float32Array; chosen: number[][] } {
  const bias = Float32Array.from(baseBias);
  const chosen: number[][] = [];
  const layers = baseBias.length / expertsPerLayer;
  for (let layer = 0; layer < layers; layer += 1) {
    const slots = Array.from({ length: expertsPerLayer }, (_, index) => layer * expertsPerLayer + index).filter((slot) => baseBias[slot] > DISABLED_BIAS / 2);
    const best = Math.max(...slots.map((slot) => score(routing, baseBias, slot)));
    const drawn = shuffled(slots, random).slice(0, topK);
    for (const slot of drawn) bias[slot] = best + RANDOM_LIFT_MARGIN - Math.log(Math.max(routing.probs[slot], 1e-30));
    chosen.push(drawn.map((slot) => slot - layer * expertsPerLayer).sort((a, b) => a - b));
  }
  return { bias, chosen };
}

/** In each layer that awakening changed, swaps a random selected expert for a random unselected one. */
export function randomSwap(routing: PositionRouting, bias: Float32Array, awakenedLayers: number[][], expertsPerLayer: number, random: Random): Float32Array {
  const swapped = Float32Array.from(bias);
  awakenedLayers.forEach((awakened, layer) => {
    if (awakened.length === 0) return;
    const slots = Array.from({ length: expertsPerLayer }, (_, index) => layer * expertsPerLayer + index);
    const selected = slots.filter((slot) => routing.weights[slot] > 0);
    const unselected = slots.filter((slot) => routing.weights[slot] === 0 && bias[slot] > DISABLED_BIAS / 2);
    if (selected.length === 0 || unselected.length === 0) return;
    const best = Math.max(...slots.filter((slot) => bias[slot] > DISABLED_BIAS / 2).map((slot) => score(routing, bias, slot)));
    const dropped = selected[Math.floor(random() * selected.length)];
    const lifted = unselected[Math.floor(random() * unselected.length)];
    swapped[dropped] = DISABLED_BIAS;
    swapped[lifted] = best + RANDOM_LIFT_MARGIN - Math.log(Math.max(routing.probs[lifted], 1e-30));
  });
  return swapped;
}

function countLayersWithoutDormant(routing: PositionRouting, domain: string, moe: MoeScorer, counters: { withoutDormant: number; layers: number }): void {
  const { experts, architecture } = moe.model.manifest;
  for (let layer = 0; layer < architecture.layers; layer += 1) {
    const own = experts.filter((expert) => expert.layer === layer && expert.domain === domain);
    counters.layers += 1;
    if (own.every((expert) => routing.weights[layer * architecture.expertsPerLayer + expert.index] > 0)) counters.withoutDormant += 1;
  }
}

function countAsDrawn(routing: PositionRouting, chosen: number[][], expertsPerLayer: number, counters: { asDrawn: number; draws: number }): void {
  chosen.forEach((indices, layer) => {
    const actual: number[] = [];
    for (let index = 0; index < expertsPerLayer; index += 1) if (routing.weights[layer * expertsPerLayer + index] > 0) actual.push(index);
    counters.draws += 1;
    if (actual.length === indices.length && actual.every((index, i) => index === indices[i])) counters.asDrawn += 1;
  });
}

function shuffled<T>(values: readonly T[], random: Random): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
