// Pure computations behind the pictures: expert lookup, dominant experts, dormant experts.
// No DOM here, so unit tests can import it directly.

import type { Domain, ExpertImpact, ExpertInfo, LayerRouting, RoutingTrace } from '../src/engine/protocol';
import type { PanelModel } from '../src/panel/protocol';

export interface RankedExpert {
  layer: number;
  index: number;
  probability: number;
  chosen: boolean;
  awakened: boolean;
}

/** The model's experts by layer and index, with fallbacks for positions the manifest lacks. */
export class ExpertTable {
  private readonly byPosition = new Map<string, ExpertInfo>();

  constructor(readonly model: PanelModel) {
    for (const expert of model.experts) this.byPosition.set(positionKey(expert.layer, expert.index), expert);
  }

  get(layer: number, index: number): ExpertInfo | undefined {
    return this.byPosition.get(positionKey(layer, index));
  }

  label(layer: number, index: number): string {
    return this.get(layer, index)?.label ?? `Expert ${index}`;
  }

  id(layer: number, index: number): string {
    return this.get(layer, index)?.id ?? `L${layer}.E${index}`;
  }

  domain(layer: number, index: number): Domain | undefined {
    return this.get(layer, index)?.domain;
  }

  /**
   * Returns the column heading for each expert index: the label and domain when every layer
   * agrees on them, or only the index when layers differ.
   */
  columns(): { index: number; label?: string; domain?: Domain }[] {
    const columns = [];
    for (let index = 0; index < this.model.expertsPerLayer; index++) {
      const experts = range(this.model.layers).map((layer) => this.get(layer, index));
      const first = experts[0];
      const consistent =
        first !== undefined && experts.every((expert) => expert?.label === first.label && expert?.domain === first.domain);
      columns.push(consistent ? { index, label: first.label, domain: first.domain } : { index });
    }
    return columns;
  }
}

/** Returns the experts of one layer by descending router probability. */
export function rankLayer(routing: LayerRouting, layer: number): RankedExpert[] {
  const chosen = new Set(routing.chosen);
  const awakened = new Set(routing.awakened);
  return routing.probs
    .map((probability, index) => ({
      layer,
      index,
      probability,
      chosen: chosen.has(index),
      awakened: awakened.has(index),
    }))
    .sort((a, b) => b.probability - a.probability || a.layer - b.layer || a.index - b.index);
}

/**
 * Returns the expert that mattered most for a token: the chosen expert with the highest router
 * probability over all layers, the earlier layer on a tie. Falls back to the most probable
 * expert when no layer reports a chosen one.
 */
export function dominantExpert(layers: readonly LayerRouting[]): RankedExpert | undefined {
  const ranked = layers.flatMap((routing, layer) => rankLayer(routing, layer));
  const byProbability = (a: RankedExpert, b: RankedExpert) =>
    b.probability - a.probability || a.layer - b.layer || a.index - b.index;
  const chosen = ranked.filter((expert) => expert.chosen).sort(byProbability);
  return chosen[0] ?? ranked.sort(byProbability)[0];
}

/**
 * Finds dormant experts: experts that took under a quarter of the uniform share of top-k slots
 * over the context although they matter. With impacts from an explanation, an expert matters
 * when its KL divergence is at or above the median of its layer. Without impacts, it matters
 * when it belongs to the document's domain. Experts the router selected at the cursor on its own are not
 * dormant, while those that counterfactual routing woke still are. Disabled experts are never
 * dormant, since they cannot run. Returns expert ids.
 */
export function findDormantExperts(
  trace: RoutingTrace,
  table: ExpertTable,
  disabled: ReadonlySet<string>,
  impacts: readonly ExpertImpact[] | undefined,
): Set<string> {
  const dormant = new Set<string>();
  const { layers, expertsPerLayer } = table.model;
  if (expertsPerLayer === 0) return dormant;
  const lowLoad = 1 / (4 * expertsPerLayer);

  const impactById = new Map((impacts ?? []).map((impact) => [impact.expertId, impact.klDivergence]));
  const medianByLayer = range(layers).map((layer) =>
    median((impacts ?? []).filter((impact) => impact.layer === layer).map((impact) => impact.klDivergence)),
  );

  for (let layer = 0; layer < layers; layer++) {
    for (let index = 0; index < expertsPerLayer; index++) {
      const id = table.id(layer, index);
      const load = trace.load[layer]?.[index] ?? 0;
      const routing = trace.context[layer];
      const selectedByRouter = routing !== undefined && routing.chosen.includes(index) && !routing.awakened.includes(index);
      if (disabled.has(id) || load >= lowLoad || selectedByRouter) continue;

      const impact = impactById.get(id);
      const layerMedian = medianByLayer[layer];
      const matters =
        impact !== undefined && layerMedian !== undefined
          ? impact > 0 && impact >= layerMedian
          : table.domain(layer, index) === trace.domain.domain;
      if (matters) dormant.add(id);
    }
  }

  return dormant;
}

/** Expert ids that counterfactual routing woke for the context at the cursor. */
export function findAwakenedExperts(trace: RoutingTrace, table: ExpertTable): Set<string> {
  const awakened = new Set<string>();
  trace.context.forEach((routing, layer) => {
    for (const index of routing.awakened) awakened.add(table.id(layer, index));
  });
  return awakened;
}

/** MaxVio: (max load - mean load) / mean load; 0 for an even spread and E - 1 when one expert takes all. */
export function loadImbalance(loads: readonly number[]): number {
  if (loads.length === 0) return 0;
  const mean = loads.reduce((sum, load) => sum + load, 0) / loads.length;
  return mean > 0 ? (Math.max(...loads) - mean) / mean : 0;
}

export function rankImpacts(impacts: readonly ExpertImpact[]): ExpertImpact[] {
  return [...impacts].sort((a, b) => b.klDivergence - a.klDivergence || a.layer - b.layer || a.index - b.index);
}

export function range(count: number): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => i);
}

function positionKey(layer: number, index: number): string {
  return `${layer}:${index}`;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
