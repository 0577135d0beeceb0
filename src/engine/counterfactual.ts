// Counterfactual routing: on a token where the model is uncertain, swap the selected expert
// with the lowest measured impact for the unselected expert of the routed domain with the
// highest impact ("waking a dormant expert"), by selection bias only.

import type { ImpactTable } from './impact';
import type { PositionRouting } from './kvCache';
import type { Manifest } from './manifest';
import { DISABLED_BIAS } from './routing';
import { entropyOfLogits } from './sampling';

/** How far above the best current selection score a woken expert is lifted, in logits. */
const WAKE_MARGIN = 1;

export interface CounterfactualSettings {
  impact: ImpactTable;
  domain: string;
  /** 0 to 1; a token is uncertain when its next-token entropy exceeds (1 - strength) * log V. */
  strength: number;
}

export interface Awakening {
  bias: Float32Array;
  /** Per layer, the expert indices lifted into the selection. */
  awakened: number[][];
}

/** True when softmax(logits) has entropy above (1 - strength) * log V nats. */
export function isUncertain(logits: Float32Array, strength: number): boolean {
  const threshold = (1 - strength) * Math.log(logits.length);
  return entropyOfLogits(logits) > threshold;
}

/**
 * Plans the swaps for one position from its routing under `bias`. Returns undefined when no
 * layer has a domain expert whose impact beats its weakest selected expert.
 */
export function planAwakening(
  routing: PositionRouting,
  bias: Float32Array,
  topK: number,
  manifest: Manifest,
  settings: CounterfactualSettings,
): Awakening | undefined {
  const impacts = settings.impact.hard.get(settings.domain);
  if (impacts === undefined) return undefined;

  const { layers, expertsPerLayer } = manifest.architecture;
  const domainExperts = new Set(manifest.experts.filter((expert) => expert.domain === settings.domain).map((expert) => expert.layer * expertsPerLayer + expert.index));
  const newBias = Float32Array.from(bias);
  const awakened: number[][] = [];
  let changed = false;

  for (let layer = 0; layer < layers; layer += 1) {
    awakened.push([]);
    const slot = (index: number) => layer * expertsPerLayer + index;
    const indices = Array.from({ length: expertsPerLayer }, (_, index) => index);
    const selectable = indices.filter((index) => bias[slot(index)] > DISABLED_BIAS / 2);
    const chosen = indices.filter((index) => routing.weights[slot(index)] > 0);
    const dormant = selectable.filter((index) => !chosen.includes(index) && domainExperts.has(slot(index)));
    if (chosen.length === 0 || dormant.length === 0 || selectable.length - 1 < topK) continue;

    const weakest = chosen.reduce((a, b) => (impacts[layer][b] < impacts[layer][a] ? b : a));
    const strongest = dormant.reduce((a, b) => (impacts[layer][b] > impacts[layer][a] ? b : a));
    if (impacts[layer][strongest] <= impacts[layer][weakest]) continue;

    // Selection scores are log-probabilities plus bias, up to a constant per layer.
    const score = (index: number) => Math.log(Math.max(routing.probs[slot(index)], 1e-30)) + bias[slot(index)];
    const bestScore = Math.max(...selectable.map(score));
    newBias[slot(weakest)] = DISABLED_BIAS;
    newBias[slot(strongest)] = bestScore + WAKE_MARGIN - Math.log(Math.max(routing.probs[slot(strongest)], 1e-30));
    awakened[layer].push(strongest);
    changed = true;
  }
  return changed ? { bias: newBias, awakened } : undefined;
}
