// The held-out documents of test/fixtures/heldout/<domain>/NN.txt and the places in them where
// the evaluation requests completions.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface HeldoutDocument {
  domain: string;
  /** `<domain>/NN.txt`, unique across domains. */
  name: string;
  text: string;
}

/** A completion request: the text before `offset` is the prefix, `reference` what really follows. */
export interface CompletionCase {
  offset: number;
  reference: string;
}

/** Words a prose reference keeps at most: a phrase, not a sentence. */
export const PHRASE_MAX_WORDS = 6;
/** Characters a simulated user types at most per segment. */
export const TYPING_SEGMENT_MAX_CHARS = 80;
/** Cuts start after this share of the document, so every request has context. */
const FIRST_CUT_SHARE = 0.4;
const MIN_LINE_CHARS = 4;

export function loadHeldoutDocuments(folder: string, domains: readonly string[], perDomain: number): HeldoutDocument[] {
  const documents: HeldoutDocument[] = [];
  for (const domain of domains) {
    const domainFolder = path.join(folder, domain);
    let files: string[];
    try {
      files = readdirSync(domainFolder).filter((file) => file.endsWith('.txt')).sort();
    } catch {
      throw new Error(`The held-out folder ${domainFolder} is missing; it should contain ${domain} documents as NN.txt.`);
    }
    for (const file of files.slice(0, perDomain)) {
      documents.push({ domain, name: `${domain}/${file}`, text: readFileSync(path.join(domainFolder, file), 'utf8') });
    }
  }
  return documents;
}

export function isCodeDomain(domain: string): boolean {
  return domain === 'code';
}

/**
 * Picks `count` completion cases spread evenly over the last 60% of the document. Code cases
 * start where a line's text starts (after its indentation) and expect the rest of that line.
 * Prose cases start at the end of a word and expect the next phrase (see `nextPhrase`).
 */
export function completionCases(document: HeldoutDocument, count: number): CompletionCase[] {
  const code = isCodeDomain(document.domain);
  const candidates = code ? lineStarts(document.text) : wordEnds(document.text);
  const usable = candidates.filter((offset) => offset >= document.text.length * FIRST_CUT_SHARE);
  return spreadEvenly(usable, count).map((offset) => ({ offset, reference: referenceAt(document.text, offset, code) }));
}

/** Returns what a completion at `offset` should produce: the rest of the line for code, the next phrase for prose. */
export function referenceAt(text: string, offset: number, code: boolean): string {
  const rest = restOfLine(text, offset);
  return code ? rest.trimEnd() : nextPhrase(rest);
}

/**
 * Cuts `text` after the first clause or sentence mark (, ; : . ! ?), at the line end or after
 * PHRASE_MAX_WORDS words, whichever comes first, and drops trailing whitespace. The evaluation
 * applies it to both the real text and the model's completion, so both cover the same span.
 */
export function nextPhrase(text: string): string {
  const line = restOfLine(text, 0);
  const mark = /[,;:.!?]/.exec(line);
  let phrase = mark === null ? line : line.slice(0, mark.index + 1);

  const words = /\S+/g;
  let count = 0;
  for (let match = words.exec(phrase); match !== null; match = words.exec(phrase)) {
    count += 1;
    if (count === PHRASE_MAX_WORDS) {
      phrase = phrase.slice(0, match.index + match[0].length);
      break;
    }
  }
  return phrase.trimEnd();
}

/** Returns the text from `offset` to the end of its line, without the line break. */
export function restOfLine(text: string, offset: number): string {
  const end = text.indexOf('\n', offset);
  const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Returns the text a simulated user types from `offset`: at most TYPING_SEGMENT_MAX_CHARS, ending at a word end or the line end. */
export function typingSegment(text: string, offset: number): string {
  const line = restOfLine(text, offset);
  if (line.length <= TYPING_SEGMENT_MAX_CHARS) return line.trimEnd();
  const cut = line.slice(0, TYPING_SEGMENT_MAX_CHARS + 1);
  const lastSpace = cut.lastIndexOf(' ');
  return (lastSpace > 0 ? cut.slice(0, lastSpace) : cut.slice(0, TYPING_SEGMENT_MAX_CHARS)).trimEnd();
}

/**
 * Returns the offsets within `segment` where the simulated user pauses and requests a
 * suggestion: the start and every position right after a word (a letter, digit or `_` followed
 * by another character).
 */
export function pausePoints(segment: string): number[] {
  const points = [0];
  for (let i = 1; i < segment.length; i += 1) {
    if (isWordCharacter(segment[i - 1]) && !isWordCharacter(segment[i])) points.push(i);
  }
  return points;
}

function isWordCharacter(character: string): boolean {
  return /[\p{L}\p{N}_]/u.test(character);
}

/** Finds the offsets where a line's text starts after its indentation, for lines with some text. */
function lineStarts(text: string): number[] {
  const offsets: number[] = [];
  const lines = /^([ \t]*)(\S[^\n]*)$/gm;
  for (let match = lines.exec(text); match !== null; match = lines.exec(text)) {
    if (match[2].trimEnd().length >= MIN_LINE_CHARS) offsets.push(match.index + match[1].length);
  }
  return offsets;
}

/** Finds the offsets right after a word where the line goes on with a space and at least two more words. */
function wordEnds(text: string): number[] {
  const offsets: number[] = [];
  const ends = /[\p{L}\p{N}](?= \S+ \S)/gu;
  for (let match = ends.exec(text); match !== null; match = ends.exec(text)) offsets.push(match.index + 1);
  return offsets;
}

function spreadEvenly<T>(values: readonly T[], count: number): T[] {
  if (count <= 0 || values.length === 0) return [];
  if (values.length <= count) return [...values];
  const step = values.length / count;
  return Array.from({ length: count }, (_, i) => values[Math.floor(i * step + step / 2)]);
}
