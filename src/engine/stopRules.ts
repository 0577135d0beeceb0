// Where a completion ends, by GenerationOptions.stopAt. Each rule looks at the whole
// completion so far and returns the text to keep and whether generation should stop.

import type { GenerationOptions } from './protocol';

export interface StopCheck {
  text: string;
  stopped: boolean;
}

export type StopRule = (completion: string) => StopCheck;

const SENTENCE_END = /[.!?]["'”’)\]]*(?=\s)/u;

/**
 * Creates the rule for `stopAt`. `currentLine` is the text of the cursor's line before the
 * cursor; `block` measures the starting indentation from it.
 */
export function createStopRule(stopAt: GenerationOptions['stopAt'], currentLine: string): StopRule {
  const rule = ruleFor(stopAt, currentLine);
  return (completion) => {
    const check = rule(completion);
    const repetition = (stopAt === 'block' ? findRepeatedLine(check.text) : undefined) ?? findRepetition(check.text);
    if (repetition === undefined) return check;
    return { text: cutBeforeRepetition(check.text, repetition, stopAt), stopped: true };
  };
}

function ruleFor(stopAt: GenerationOptions['stopAt'], currentLine: string): StopRule {
  switch (stopAt) {
    case 'line':
      return stopAtLineEnd;
    case 'sentence':
      return stopAtSentenceEnd;
    case 'block':
      return (completion) => stopAtBlockEnd(completion, indentationOf(currentLine));
  }
}

/** The maximum number of words in one round of a loop. */
const MAX_LOOP_WORDS = 12;
/** The shortest loop, in characters from its first word's start to its last word's end. */
const MIN_LOOP_CHARS = 10;
const WORD = /[\p{L}\p{N}_]+/gu;
/** A word of three letters or more: a run of only numbers or short tokens (a table of zeros) is data, not a loop. */
const SPELLED_WORD = /\p{L}{3,}/u;

interface WordSpan {
  word: string;
  start: number;
  end: number;
}

/**
 * Returns where a loop starts its second round: two or more words, one of them spelled out,
 * followed at once by the same words ("the amount of the amount of"), or undefined.
 */
function findRepetition(text: string): number | undefined {
  const words: WordSpan[] = [...text.matchAll(WORD)].map((match) => ({ word: match[0].toLowerCase(), start: match.index ?? 0, end: (match.index ?? 0) + match[0].length }));

  for (let start = 0; start < words.length; start += 1) {
    for (let period = 2; period <= MAX_LOOP_WORDS && start + 2 * period <= words.length; period += 1) {
      const first = words.slice(start, start + period);
      const second = words.slice(start + period, start + 2 * period);
      if (!first.every((entry, i) => entry.word === second[i].word)) continue;
      if (first[period - 1].end - first[0].start < MIN_LOOP_CHARS) continue;
      if (new Set(first.map((entry) => entry.word)).size < 2 || !first.some((entry) => SPELLED_WORD.test(entry.word))) continue;
      return second[0].start;
    }
  }
  return undefined;
}

/** The shortest line, without its indentation, whose immediate repetition counts as a loop in code. */
const REPEATED_LINE_MIN_CHARS = 8;

/** Returns where the first complete line that repeats the line just before it starts, or undefined. */
function findRepeatedLine(text: string): number | undefined {
  let previous: string | undefined;
  let lineStart = 0;

  for (;;) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) return undefined;
    const line = withoutTrailingReturn(text.slice(lineStart, lineEnd)).trim();
    if (line.length >= REPEATED_LINE_MIN_CHARS && line === previous) return lineStart;
    previous = line;
    lineStart = lineEnd + 1;
  }
}

/** Cuts a looping completion before its second round: code at the start of that round's line, prose right before it. */
function cutBeforeRepetition(text: string, repetition: number, stopAt: GenerationOptions['stopAt']): string {
  const before = text.slice(0, repetition);
  if (stopAt === 'block') {
    const lineStart = before.lastIndexOf('\n');
    if (lineStart > 0) return withoutTrailingReturn(before.slice(0, lineStart));
  }
  return before.trimEnd();
}

function stopAtLineEnd(completion: string): StopCheck {
  const newline = completion.indexOf('\n');
  if (newline < 0) return { text: completion, stopped: false };
  return { text: withoutTrailingReturn(completion.slice(0, newline)), stopped: true };
}

/** Stops after `.`, `!` or `?` (and closing quotes or brackets) followed by whitespace, or at a newline. */
function stopAtSentenceEnd(completion: string): StopCheck {
  const line = stopAtLineEnd(completion);
  const sentence = SENTENCE_END.exec(line.text);
  if (sentence !== null) return { text: line.text.slice(0, sentence.index + sentence[0].length), stopped: true };
  return line;
}

/**
 * Allows newlines, but stops before a blank line or before a line indented less than
 * `startIndentation`. The first line (the rest of the cursor's line) is never checked.
 */
function stopAtBlockEnd(completion: string, startIndentation: number): StopCheck {
  const lines = completion.split('\n');
  for (let i = 1; i < lines.length; i += 1) {
    const line = withoutTrailingReturn(lines[i]);
    const isComplete = i < lines.length - 1;
    const isBlank = line.trim() === '';
    const cutHere = { text: withoutTrailingReturn(lines.slice(0, i).join('\n')), stopped: true };

    if (isBlank && isComplete) return cutHere;
    if (!isBlank && indentationOf(line) < startIndentation) return cutHere;
  }
  return { text: completion, stopped: false };
}

/** The number of leading spaces and tabs; a line of only whitespace counts all of it. */
export function indentationOf(line: string): number {
  const match = /^[ \t]*/.exec(line);
  return match === null ? 0 : match[0].length;
}

function withoutTrailingReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
