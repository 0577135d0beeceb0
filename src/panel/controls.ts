// Pure rules behind the panel's controls, kept apart from the `vscode` calls that apply them.

import type { ExpertInfo } from '../engine/protocol';

/** Returns the new `routing.disabledExperts` list, sorted, with `expertId` added or removed. */
export function withExpertEnabled(disabled: readonly string[], expertId: string, enabled: boolean): string[] {
  const next = new Set(disabled);
  if (enabled) next.delete(expertId);
  else next.add(expertId);
  return [...next].sort(compareExpertIds);
}

/**
 * Returns why `expertId` may not be disabled, or undefined when it may. Every layer must keep
 * at least `topK` enabled experts, or the router would have too few to choose from.
 */
export function disableProblem(
  experts: readonly ExpertInfo[],
  disabled: readonly string[],
  expertId: string,
  topK: number,
): string | undefined {
  const expert = experts.find((candidate) => candidate.id === expertId);
  if (expert === undefined) return `Expert ${expertId} is not in the loaded model.`;

  const disabledSet = new Set(disabled);
  disabledSet.add(expertId);
  const enabledInLayer = experts.filter((other) => other.layer === expert.layer && !disabledSet.has(other.id)).length;
  if (enabledInLayer < topK) {
    return (
      `Disabling ${expert.label} (${expert.id}) would leave ${enabledInLayer} enabled experts in layer ${expert.layer}, ` +
      `fewer than top-k ${topK}. Lower top-k or enable another expert of that layer first.`
    );
  }

  return undefined;
}

/** Orders ids such as `L2.E10` by layer, then expert index, then as text. */
export function compareExpertIds(a: string, b: string): number {
  const parsedA = parseExpertId(a);
  const parsedB = parseExpertId(b);
  if (parsedA && parsedB) return parsedA[0] - parsedB[0] || parsedA[1] - parsedB[1];
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function parseExpertId(id: string): [number, number] | undefined {
  const match = /^L(\d+)\.E(\d+)$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}
