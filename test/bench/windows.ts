// Teacher-forced scoring windows over one document, and the token classes that mark word starts.

import type { Tokenizer } from '../../src/engine/tokenizer';

export interface ScoringWindow {
  /** Model input: a slice of the document's ids with end-of-text in front. */
  inputs: number[];
  /** `targets[j]` is the id that input position `j` predicts. */
  targets: number[];
  /** Offset of `inputs[0]` in the document sequence (end-of-text is offset 0). */
  start: number;
  /** Input positions before this one are context only; the rest are scored. */
  firstScored: number;
}

/**
 * Splits end-of-text followed by `ids` into windows that score every token of `ids` once. The
 * first window scores its first `context` predictions. Each later window scores the next
 * `stride` tokens, with at least `context - stride` tokens before them as context.
 */
export function scoringWindows(ids: readonly number[], endOfText: number, context: number, stride: number): ScoringWindow[] {
  if (!(stride >= 1 && stride <= context)) throw new Error(`Stride ${stride} must be from 1 to the context length ${context}.`);
  const sequence = [endOfText, ...ids];
  const windows: ScoringWindow[] = [];
  let scoredFrom = 1;
  let scoredTo = Math.min(context + 1, sequence.length);

  while (scoredFrom < scoredTo) {
    const start = Math.max(0, scoredTo - 1 - context);
    windows.push({
      inputs: sequence.slice(start, scoredTo - 1),
      targets: sequence.slice(start + 1, scoredTo),
      start,
      firstScored: scoredFrom - 1 - start,
    });
    scoredFrom = scoredTo;
    scoredTo = Math.min(scoredFrom + stride, sequence.length);
  }
  return windows;
}

export interface WordClasses {
  /** Tokens that start a word: a space or line break, then a letter or digit. */
  starts: Uint8Array;
  /** Tokens that continue a word: they start with a letter or digit. */
  continues: Uint8Array;
}

export function wordClasses(tokenizer: Tokenizer): WordClasses {
  const starts = new Uint8Array(tokenizer.vocabSize);
  const continues = new Uint8Array(tokenizer.vocabSize);
  for (let id = 0; id < tokenizer.vocabSize; id += 1) {
    if (tokenizer.isSpecial(id)) continue;
    const bytes = tokenizer.bytesOfToken(id);
    let first = 0;
    while (first < bytes.length && (bytes[first] === 0x20 || bytes[first] === 0x0a)) first += 1;
    if (first === bytes.length) continue;
    if (first > 0 && isAlphanumericByte(bytes[first])) starts[id] = 1;
    else if (first === 0 && isAlphanumericByte(bytes[0])) continues[id] = 1;
  }
  return { starts, continues };
}

/** Returns the ids of the word that starts at `sequence[from]`: that id and the continuation ids after it. */
export function wordAt(sequence: readonly number[], from: number, classes: WordClasses, maxTokens: number): number[] | undefined {
  if (!classes.starts[sequence[from]]) return undefined;
  let end = from + 1;
  while (end < sequence.length && classes.continues[sequence[end]]) end += 1;
  // A word cut off by the end of the document might go on, so it is not counted.
  if (end >= sequence.length || end - from > maxTokens) return undefined;
  return sequence.slice(from, end);
}

/** ASCII letters and digits, and any byte of a multi-byte UTF-8 character. */
function isAlphanumericByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte >= 0x80;
}
