// Expert impact at the last context position: the KL divergence of the next-token
// distribution when one expert is switched off (or, for an unselected one, switched on), each
// measured by rerunning only the last position from the cached prefix.

import type { PreparedContext } from './context';
import type { Decoder } from './decoder';
import type { Manifest } from './manifest';
import type { ExpertImpact } from './protocol';
import { DISABLED_BIAS } from './routing';
import { klDivergence } from './sampling';

/** Unselected experts per layer, by router probability, whose activation is also measured. */
const UNSELECTED_PER_LAYER = 2;
/** How far above the best current selection score an activated expert is lifted, in logits. */
const ACTIVATION_MARGIN = 1;

export interface ExpertVariant {
  layer: number;
  index: number;
  effect: 'masked' | 'activated';
  bias: Float32Array;
}

/**
 * Lists the variants to measure: every selected expert masked, then the likeliest unselected ones
 * activated. `topP` is the routing's dynamic top-p, below 1 when it may select fewer than `topK`.
 */
export function expertVariants(context: PreparedContext, manifest: Manifest, topK: number, topP = 1): ExpertVariant[] {
  const { layers, expertsPerLayer } = manifest.architecture;
  const bias = context.generationBias;
  const masked: ExpertVariant[] = [];
  const activated: ExpertVariant[] = [];

  for (let layer = 0; layer < layers; layer += 1) {
    const slot = (index: number) => layer * expertsPerLayer + index;
    const indices = Array.from({ length: expertsPerLayer }, (_, index) => index);
    const selectable = indices.filter((index) => bias[slot(index)] > DISABLED_BIAS / 2);
    const chosen = indices.filter((index) => context.start.routing.weights[slot(index)] > 0);

    const probability = (index: number) => context.start.routing.probs[slot(index)];
    const logProbability = (index: number) => Math.log(Math.max(probability(index), 1e-30));
    const selectionWith = (variant: Float32Array) =>
      [...indices].sort((a, b) => logProbability(b) + variant[slot(b)] - (logProbability(a) + variant[slot(a)])).slice(0, topK).sort((a, b) => a - b).join(',');
    // Masking the weakest selected expert and activating the strongest unselected one can pick
    // the same experts, so an activation that repeats a masked selection is not measured twice.
    // With top-p below 1 the graph may keep fewer experts, which this key does not model.
    const measuredSelections = new Set<string>();
    const repeatsMasking = (variant: Float32Array) => topP >= 1 && measuredSelections.has(selectionWith(variant));

    if (selectable.length - 1 >= topK) {
      for (const index of chosen) {
        const variant = Float32Array.from(bias);
        variant[slot(index)] = DISABLED_BIAS;
        masked.push({ layer, index, effect: 'masked', bias: variant });
        measuredSelections.add(selectionWith(variant));
      }
    }

    const bestScore = Math.max(...selectable.map((index) => logProbability(index) + bias[slot(index)]));
    const unselected = selectable.filter((index) => !chosen.includes(index)).sort((a, b) => probability(b) - probability(a));
    let activatedInLayer = 0;
    for (const index of unselected) {
      if (activatedInLayer === UNSELECTED_PER_LAYER) break;
      const variant = Float32Array.from(bias);
      variant[slot(index)] = bestScore + ACTIVATION_MARGIN - logProbability(index);
      if (repeatsMasking(variant)) continue;
      activated.push({ layer, index, effect: 'activated', bias: variant });
      activatedInLayer += 1;
    }
  }
  return [...masked, ...activated];
}

/** Measures variants in order until `deadline`; returns the impacts sorted by KL divergence, largest first. */
export async function measureImpacts(
  context: PreparedContext,
  decoder: Decoder,
  manifest: Manifest,
  variants: ExpertVariant[],
  deadline: number,
  isCancelled: () => boolean,
): Promise<ExpertImpact[]> {
  const lastToken = context.ids[context.ids.length - 1];
  const impacts: ExpertImpact[] = [];

  for (const variant of variants) {
    if (isCancelled() || Date.now() > deadline) break;
    const output = await decoder.run([lastToken], context.kvBeforeLast, variant.bias);
    const expert = manifest.experts.find((candidate) => candidate.layer === variant.layer && candidate.index === variant.index);
    impacts.push({
      expertId: expert?.id ?? `L${variant.layer}.E${variant.index}`,
      layer: variant.layer,
      index: variant.index,
      klDivergence: klDivergence(context.start.logits, output.logits),
      effect: variant.effect,
    });
  }
  return impacts.sort((a, b) => b.klDivergence - a.klDivergence);
}
