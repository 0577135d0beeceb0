// Pure measures shared by `npm run eval` and `npm run bench`: classification scores, edit
// similarity, percentiles and paired differences.

export interface Confusion {
  classes: string[];
  /** rows[actual][predicted] counts, in `classes` order. */
  rows: number[][];
}

export function confusionMatrix(actual: readonly string[], predicted: readonly string[], classes: readonly string[]): Confusion {
  if (actual.length !== predicted.length) throw new Error(`${actual.length} labels but ${predicted.length} predictions.`);
  const rows = classes.map(() => new Array<number>(classes.length).fill(0));
  actual.forEach((label, i) => {
    const row = classes.indexOf(label);
    const column = classes.indexOf(predicted[i]);
    if (row < 0 || column < 0) throw new Error(`Class "${row < 0 ? label : predicted[i]}" is not one of ${classes.join(', ')}.`);
    rows[row][column] += 1;
  });
  return { classes: [...classes], rows };
}

export function accuracy(confusion: Confusion): number {
  const total = confusion.rows.flat().reduce((sum, count) => sum + count, 0);
  const correct = confusion.rows.reduce((sum, row, i) => sum + row[i], 0);
  return total === 0 ? 0 : correct / total;
}

/** Averages F1 = 2PR / (P + R) over the classes, unweighted. A class never seen nor predicted scores 0. */
export function macroF1(confusion: Confusion): number {
  const { rows } = confusion;
  if (rows.length === 0) return 0;
  const scores = rows.map((row, i) => {
    const truePositives = row[i];
    const actualCount = row.reduce((sum, count) => sum + count, 0);
    const predictedCount = rows.reduce((sum, other) => sum + other[i], 0);
    return actualCount + predictedCount === 0 ? 0 : (2 * truePositives) / (actualCount + predictedCount);
  });
  return scores.reduce((sum, score) => sum + score, 0) / scores.length;
}

/**
 * Counts the tokens after which a running decision no longer changes, where `decisions[k]` is the
 * decision after k + 1 tokens. Returns 1 when the first decision stays to the end, and 0 for an
 * empty list.
 */
export function settlingTokens(decisions: readonly string[]): number {
  if (decisions.length === 0) return 0;
  const last = decisions[decisions.length - 1];
  let index = decisions.length - 1;
  while (index > 0 && decisions[index - 1] === last) index -= 1;
  return index + 1;
}

/** Levenshtein distance over UTF-16 code units, in O(|a| * |b|) time and O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** 1 - distance / length of the longer string; 1 for two empty strings. */
export function editSimilarity(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - editDistance(a, b) / longer;
}

/** Computes the p-th percentile (0 to 100) by linear interpolation between the closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export interface MeanWithInterval {
  mean: number;
  /** Bounds of the 95% confidence interval of the mean, by the normal approximation. */
  low: number;
  high: number;
  count: number;
}

export function meanWithInterval(values: readonly number[]): MeanWithInterval {
  const count = values.length;
  const average = mean(values);
  if (count < 2) return { mean: average, low: Number.NaN, high: Number.NaN, count };
  const variance = values.reduce((sum, value) => sum + (value - average) ** 2, 0) / (count - 1);
  const halfWidth = 1.96 * Math.sqrt(variance / count);
  return { mean: average, low: average - halfWidth, high: average + halfWidth, count };
}

/** Element-wise a - b of two paired lists. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`Paired lists differ in length: ${a.length} and ${b.length}.`);
  return a.map((value, i) => value - b[i]);
}

export function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
