// The token trigram baseline of baseline-ngram.json, written by models/training/ngram.py: its
// loader, its next-token probabilities and its per-domain unigram likelihood classifier. The
// formulas are those of ngram.py's docstring and its Scorer class.

import { readFileSync } from 'node:fs';

export const NGRAM_FORMAT = 'expert-activation-ngram';

export interface NgramJson {
  format: typeof NGRAM_FORMAT;
  version: 1;
  order: 3;
  vocabSize: number;
  endOfText: number;
  smoothing: 'interpolated-absolute-discounting';
  discounts: { bigram: number; trigram: number };
  trainingTokens: number;
  /** Count of every token id in the training text. */
  unigram: number[];
  /** Context id -> [total count, word, count, word, count, ...]. */
  bigram: Record<string, number[]>;
  /** "u,v" -> [total count, word, count, ...]. */
  trigram: Record<string, number[]>;
  domainClassifier: {
    domains: string[];
    /** Ids with their own count; every other id shares the last count of each row. */
    tokens: number[];
    counts: Record<string, number[]>;
  };
}

/** A stored context: the discounted probability of each kept continuation and the backoff weight. */
interface StoredContext {
  continuations: Map<number, number>;
  backoffWeight: number;
}

export class NgramModel {
  readonly vocabSize: number;
  readonly endOfText: number;
  readonly classifier: DomainClassifier;
  private readonly unigram: Float64Array;
  private readonly bigram = new Map<number, StoredContext>();
  private readonly trigram = new Map<number, StoredContext>();

  private constructor(data: NgramJson) {
    this.vocabSize = data.vocabSize;
    this.endOfText = data.endOfText;

    const total = data.unigram.reduce((sum, count) => sum + count, 0);
    this.unigram = Float64Array.from(data.unigram, (count) => (count + 1) / (total + data.vocabSize));

    for (const [key, value] of Object.entries(data.bigram)) {
      this.bigram.set(Number(key), storedContext(value, data.discounts.bigram));
    }
    for (const [key, value] of Object.entries(data.trigram)) {
      const [previous2, previous1] = key.split(',').map(Number);
      this.trigram.set(this.pairKey(previous2, previous1), storedContext(value, data.discounts.trigram));
    }
    this.classifier = new DomainClassifier(data.domainClassifier, this.unigram);
  }

  static load(file: string): NgramModel {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`Cannot read the n-gram baseline ${file}: ${error instanceof Error ? error.message : String(error)}. Build it with models/training/ngram.py.`);
    }
    return NgramModel.fromJson(data, file);
  }

  static fromJson(data: unknown, source: string): NgramModel {
    const problem = findFormatProblem(data);
    if (problem !== undefined) throw new Error(`${source} is not an ${NGRAM_FORMAT} version 1 file: ${problem}. Rebuild it with models/training/ngram.py.`);
    return new NgramModel(data as NgramJson);
  }

  /** P(word | previous2, previous1); pass undefined for a context token that does not exist. */
  probability(previous2: number | undefined, previous1: number | undefined, word: number): number {
    let probability = this.unigram[word] ?? 0;
    const bigram = previous1 === undefined ? undefined : this.bigram.get(previous1);
    if (bigram !== undefined) probability = (bigram.continuations.get(word) ?? 0) + bigram.backoffWeight * probability;
    const trigram = previous1 === undefined || previous2 === undefined ? undefined : this.trigram.get(this.pairKey(previous2, previous1));
    if (trigram !== undefined) probability = (trigram.continuations.get(word) ?? 0) + trigram.backoffWeight * probability;
    return probability;
  }

  /** Computes the whole next-token distribution after the context, which sums to 1. */
  distribution(previous2: number | undefined, previous1: number | undefined): Float64Array {
    const result = Float64Array.from(this.unigram);
    const bigram = previous1 === undefined ? undefined : this.bigram.get(previous1);
    if (bigram !== undefined) mixIn(result, bigram);
    const trigram = previous1 === undefined || previous2 === undefined ? undefined : this.trigram.get(this.pairKey(previous2, previous1));
    if (trigram !== undefined) mixIn(result, trigram);
    return result;
  }

  /** Returns the log-probability of `ids[position]` given the (up to two) ids before it. */
  logProbabilityAt(ids: readonly number[], position: number): number {
    const previous1 = position >= 1 ? ids[position - 1] : undefined;
    const previous2 = position >= 2 ? ids[position - 2] : undefined;
    return Math.log(this.probability(previous2, previous1, ids[position]));
  }

  private pairKey(previous2: number, previous1: number): number {
    return previous2 * this.vocabSize + previous1;
  }
}

/** Naive Bayes over unigrams, one model per domain, as ngram.py's docstring defines it. */
export class DomainClassifier {
  readonly domains: string[];
  /** Per domain, the log-probability of every token id. */
  private readonly logProbabilities: Float64Array[];

  constructor(data: NgramJson['domainClassifier'], unigram: Float64Array) {
    this.domains = [...data.domains];
    const listed = new Set(data.tokens);
    let unlistedMass = 0;
    unigram.forEach((probability, id) => {
      if (!listed.has(id)) unlistedMass += probability;
    });

    this.logProbabilities = this.domains.map((domain) => {
      const counts = data.counts[domain];
      const denominator = counts.reduce((sum, count) => sum + count, 0) + data.tokens.length + 1;
      const otherShare = (counts[counts.length - 1] + 1) / denominator;
      const row = Float64Array.from(unigram, (probability) => Math.log((otherShare * probability) / unlistedMass));
      data.tokens.forEach((id, index) => {
        row[id] = Math.log((counts[index] + 1) / denominator);
      });
      return row;
    });
  }

  /** Sums the log-likelihood of `ids` under each domain's unigram, in `domains` order. */
  logLikelihoods(ids: readonly number[]): number[] {
    return this.logProbabilities.map((row) => ids.reduce((sum, id) => sum + row[id], 0));
  }

  /** Returns the domain with the highest likelihood after each prefix of `ids` (entry k is after k + 1 ids). */
  decisions(ids: readonly number[]): string[] {
    const totals = new Array<number>(this.domains.length).fill(0);
    return ids.map((id) => {
      this.logProbabilities.forEach((row, d) => {
        totals[d] += row[id];
      });
      return this.domains[indexOfMax(totals)];
    });
  }
}

function storedContext(value: number[], discount: number): StoredContext {
  const total = value[0];
  const continuations = new Map<number, number>();
  let kept = 0;
  for (let i = 1; i + 1 < value.length; i += 2) {
    const share = Math.max(value[i + 1] - discount, 0) / total;
    continuations.set(value[i], share);
    kept += share;
  }
  return { continuations, backoffWeight: 1 - kept };
}

function mixIn(distribution: Float64Array, context: StoredContext): void {
  for (let id = 0; id < distribution.length; id += 1) distribution[id] *= context.backoffWeight;
  for (const [id, share] of context.continuations) distribution[id] += share;
}

function indexOfMax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

function findFormatProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'the top level is not an object';
  const json = data as Partial<NgramJson>;
  if (json.format !== NGRAM_FORMAT) return `"format" is ${JSON.stringify(json.format)}`;
  if (json.version !== 1) return `"version" is ${JSON.stringify(json.version)}, expected 1`;
  if (!Number.isInteger(json.vocabSize) || (json.vocabSize ?? 0) < 1) return '"vocabSize" is not a positive integer';
  if (!Array.isArray(json.unigram) || json.unigram.length !== json.vocabSize) return `"unigram" does not have vocabSize (${String(json.vocabSize)}) counts`;
  if (typeof json.bigram !== 'object' || typeof json.trigram !== 'object') return '"bigram" or "trigram" is missing';
  const discounts = json.discounts;
  if (discounts === undefined || !(discounts.bigram >= 0 && discounts.bigram < 1) || !(discounts.trigram >= 0 && discounts.trigram < 1)) {
    return '"discounts" needs "bigram" and "trigram" from 0 to below 1';
  }
  const classifier = json.domainClassifier;
  if (classifier === undefined || !Array.isArray(classifier.domains) || !Array.isArray(classifier.tokens)) return '"domainClassifier" is incomplete';
  for (const domain of classifier.domains) {
    const row = classifier.counts?.[domain];
    if (!Array.isArray(row) || row.length !== classifier.tokens.length + 1) return `"domainClassifier.counts.${domain}" needs ${classifier.tokens.length + 1} counts`;
  }
  return undefined;
}
