// Turning RoutingOptions into routing_bias rows, and router outputs into the trace's measures.

import { engineError } from './errors';
import type { PositionRouting } from './kvCache';
import type { Manifest } from './manifest';
import type { Domain, DomainPosterior, DomainSource, LayerRouting, RoutingOptions } from './protocol';

/** The bias that disables an expert; the graph never selects an expert at or below -1e9 / 2. */
export const DISABLED_BIAS = -1e9;
export const GENERAL_DOMAIN = 'general';

/** Checked routing settings, with the bias that every request starts from. */
export interface RoutingPlan {
  topK: number;
  topP: number;
  /** `[L, E]`: 0, or DISABLED_BIAS for disabled experts. */
  baseBias: Float32Array;
  /** The domain a pin or rule decided, if any. */
  decidedDomain?: Domain;
  decidedSource?: DomainSource;
}

export function planRouting(options: RoutingOptions, manifest: Manifest): RoutingPlan {
  const { layers, expertsPerLayer, maxTopK } = manifest.architecture;

  if (!Number.isInteger(options.topK) || options.topK < 1 || options.topK > maxTopK) {
    throw inputError(`Top-k ${String(options.topK)} is out of range.`, `Use a whole number from 1 to ${maxTopK}.`, 'topK');
  }
  if (!(options.topP > 0 && options.topP <= 1)) {
    throw inputError(`Routing top-p ${String(options.topP)} is out of range.`, 'Use a number above 0 and at most 1 (1 turns dynamic routing off).', 'topP');
  }
  if (!Number.isFinite(options.biasStrength)) {
    throw inputError(`Bias strength ${String(options.biasStrength)} is not a finite number.`, 'Use a number such as 4.', 'biasStrength');
  }

  if (options.domain !== undefined && !manifest.domains.includes(options.domain)) {
    throw inputError(`Unknown domain "${options.domain}".`, `Use one of the model's domains: ${manifest.domains.join(', ')}.`, options.domain);
  }

  const baseBias = new Float32Array(layers * expertsPerLayer);
  for (const id of options.disabledExperts) {
    const expert = manifest.experts.find((candidate) => candidate.id === id);
    if (expert === undefined) {
      throw inputError(`Unknown expert id "${id}".`, `Use ids from the model manifest, such as ${manifest.experts[0].id}.`, id);
    }
    baseBias[expert.layer * expertsPerLayer + expert.index] = DISABLED_BIAS;
  }

  for (let layer = 0; layer < layers; layer += 1) {
    const row = baseBias.subarray(layer * expertsPerLayer, (layer + 1) * expertsPerLayer);
    const selectable = row.filter((value) => value > DISABLED_BIAS / 2).length;
    if (selectable < options.topK) {
      throw inputError(
        `Layer ${layer} has ${selectable} selectable experts after disabling ${options.disabledExperts.join(', ')}, but top-k is ${options.topK}.`,
        `Enable more experts in layer ${layer} or lower top-k to ${Math.max(1, selectable)}.`,
        'disabledExperts',
      );
    }
  }

  const decided = options.mode === 'auto' && options.domain !== undefined;
  return {
    topK: options.topK,
    topP: options.topP,
    baseBias,
    decidedDomain: decided ? options.domain : undefined,
    decidedSource: decided ? (options.domainSource ?? 'pinned') : undefined,
  };
}

/** Adds `strength` to the selection score of every selectable expert of `domain`. */
export function biasTowardsDomain(base: Float32Array, manifest: Manifest, domain: Domain, strength: number): Float32Array {
  const bias = Float32Array.from(base);
  for (const expert of manifest.experts) {
    const slot = expert.layer * manifest.architecture.expertsPerLayer + expert.index;
    if (expert.domain === domain && bias[slot] > DISABLED_BIAS / 2) bias[slot] += strength;
  }
  return bias;
}

export function biasKey(bias: Float32Array, topK: number, topP: number): string {
  return `${topK}|${topP}|${Array.from(bias).join(',')}`;
}

/** Router outputs of one position of a step with `tokens` positions (`[L, T, E]` layout). */
export function positionRouting(probs: Float32Array, weights: Float32Array, position: number, tokens: number, layers: number, experts: number): PositionRouting {
  const positionProbs = new Float32Array(layers * experts);
  const positionWeights = new Float32Array(layers * experts);
  for (let layer = 0; layer < layers; layer += 1) {
    const from = (layer * tokens + position) * experts;
    positionProbs.set(probs.subarray(from, from + experts), layer * experts);
    positionWeights.set(weights.subarray(from, from + experts), layer * experts);
  }
  return { probs: positionProbs, weights: positionWeights };
}

/** The per-layer routing of one position, with entropy normalised by log E. */
export function layerRoutings(routing: PositionRouting, layers: number, experts: number, awakened: number[][] = []): LayerRouting[] {
  const result: LayerRouting[] = [];
  for (let layer = 0; layer < layers; layer += 1) {
    const probs = Array.from(routing.probs.subarray(layer * experts, (layer + 1) * experts));
    const weights = routing.weights.subarray(layer * experts, (layer + 1) * experts);
    const chosen: number[] = [];
    weights.forEach((weight, index) => {
      if (weight > 0) chosen.push(index);
    });
    result.push({ probs, chosen, awakened: awakened[layer] ?? [], entropy: normalisedEntropy(probs) });
  }
  return result;
}

export function normalisedEntropy(probs: readonly number[]): number {
  if (probs.length < 2) return 0;
  let entropy = 0;
  for (const p of probs) if (p > 0) entropy -= p * Math.log(p);
  return Math.min(1, Math.max(0, entropy / Math.log(probs.length)));
}

/** Share of the selection slots each expert took over the positions, per layer and expert index. */
export function expertLoad(positions: readonly PositionRouting[], layers: number, experts: number): number[][] {
  const load: number[][] = [];
  for (let layer = 0; layer < layers; layer += 1) {
    const counts = new Array<number>(experts).fill(0);
    let slots = 0;
    for (const routing of positions) {
      for (let index = 0; index < experts; index += 1) {
        if (routing.weights[layer * experts + index] > 0) {
          counts[index] += 1;
          slots += 1;
        }
      }
    }
    load.push(counts.map((count) => (slots === 0 ? 0 : count / slots)));
  }
  return load;
}

/**
 * The domain posterior: the router mass on each domain's experts, averaged over layers and over
 * every position of the context, as the model card measures detection. A document's domain is
 * a property of all of its text, so a few general-looking words before the cursor do not flip
 * it. Uniform without positions.
 */
export function domainPosterior(positions: readonly PositionRouting[], manifest: Manifest): Record<Domain, number> {
  const { domains, experts, architecture } = manifest;
  const domainOfSlot = new Array<number>(architecture.layers * architecture.expertsPerLayer);
  for (const expert of experts) domainOfSlot[expert.layer * architecture.expertsPerLayer + expert.index] = domains.indexOf(expert.domain);

  const mass = new Array<number>(domains.length).fill(0);
  for (const routing of positions) {
    routing.probs.forEach((p, slot) => {
      mass[domainOfSlot[slot]] += p;
    });
  }

  const total = mass.reduce((sum, value) => sum + value, 0);
  if (total === 0) return Object.fromEntries(domains.map((domain) => [domain, 1 / domains.length]));
  return Object.fromEntries(domains.map((domain, d) => [domain, mass[d] / total]));
}

/** Picks the domain to route by: a decided one, the detected one, or general below `minConfidence`. */
export function decideDomain(posterior: Record<Domain, number>, plan: RoutingPlan, options: RoutingOptions): DomainPosterior {
  const ranked = Object.entries(posterior).sort((a, b) => b[1] - a[1]);
  const detected = ranked[0][0];

  let domain = detected;
  let source: DomainSource = 'detected';
  if (options.mode === 'off') {
    source = 'off';
  } else if (plan.decidedDomain !== undefined) {
    domain = plan.decidedDomain;
    source = plan.decidedSource ?? 'pinned';
  } else if (posterior[detected] < options.minConfidence && GENERAL_DOMAIN in posterior) {
    domain = GENERAL_DOMAIN;
  }
  return { domain, confidence: posterior[domain], posterior, source, detected, detectedConfidence: posterior[detected] };
}

function inputError(message: string, action: string, subject: string) {
  return engineError('input-invalid', message, { action, subject });
}
