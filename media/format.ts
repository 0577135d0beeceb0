// Number and text formatting shared by the renderers.

/** Clamps to [0, 1], mapping anything that is not a finite number to 0. */
export function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

export function percent(value: number): string {
  return `${Math.round(unit(value) * 100)}%`;
}

/** Formats a probability with two decimals, as in the heatmap's cell labels. */
export function probability(value: number): string {
  return unit(value).toFixed(2);
}

/**
 * Formats KL divergences, which span several orders of magnitude, compactly: two significant
 * digits, in exponent notation below 0.01.
 */
export function significant(value: number): string {
  if (!Number.isFinite(value) || value === 0) return '0';
  if (Math.abs(value) < 0.01) return value.toExponential(1).replace('e-', 'e−');
  return String(Number(value.toPrecision(2)));
}

/** Makes line breaks and tabs in a token visible, since a token chip would otherwise look empty. */
export function visibleTokenText(text: string): string {
  if (text.length === 0) return '∅';
  return text.replace(/\r\n|\n|\r/g, '↵').replace(/\t/g, '⇥');
}

/** Shortens text for a label, keeping the start. */
export function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
