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

/** Words in a row that, seen a second time in one completion, mean the model is looping. */
const REPEATED_WORDS = 4;
/** The shortest repeated run that counts, in characters from its first word's start to its last word's end. */
const REPEATED_MIN_CHARS = 10;
const WORD = /[\p{L}\p{N}_]+/gu;
const CLAUSE_END = /[,.;:!?]/gu;

/**
 * Returns where a run of REPEATED_WORDS words first starts again, the start of a small model's
 * loop ("the amount of the amount of"), or undefined when no run repeats.
 */
export function findRepetition(text: string): number | undefined {
  const words = [...text.matchAll(WORD)].map((match) => ({ word: match[0].toLowerCase(), start: match.index ?? 0, end: (match.index ?? 0) + match[0].length }));
  const seen = new Set<string>();

  for (let i = 0; i + REPEATED_WORDS <= words.length; i += 1) {
    const run = words.slice(i, i + REPEATED_WORDS);
    if (run[run.length - 1].end - run[0].start < REPEATED_MIN_CHARS) continue;
    const key = run.map((entry) => entry.word).join(' ');
    if (seen.has(key)) return run[0].start;
    seen.add(key);
  }
  return undefined;
}

/** The shortest line, without its indentation, whose second appearance counts as a loop in code. */
const REPEATED_LINE_MIN_CHARS = 8;

/** Returns where the first complete line that repeats an earlier complete line starts, or undefined. */
export function findRepeatedLine(text: string): number | undefined {
  const seen = new Set<string>();
  let lineStart = 0;

  for (;;) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) return undefined;
    const line = withoutTrailingReturn(text.slice(lineStart, lineEnd)).trim();
    if (line.length >= REPEATED_LINE_MIN_CHARS) {
      if (seen.has(line)) return lineStart;
      seen.add(line);
    }
    lineStart = lineEnd + 1;
  }
}

/**
 * Cuts a looping completion: code at the start of the line where the repetition begins, prose at
 * the last clause end before it, and otherwise right before it.
 */
function cutBeforeRepetition(text: string, repetition: number, stopAt: GenerationOptions['stopAt']): string {
  const before = text.slice(0, repetition);
  if (stopAt === 'block') {
    const lineStart = before.lastIndexOf('\n');
    if (lineStart > 0) return withoutTrailingReturn(before.slice(0, lineStart));
  } else {
    const clauseEnds = [...before.matchAll(CLAUSE_END)];
    const lastClauseEnd = clauseEnds[clauseEnds.length - 1];
    if (lastClauseEnd?.index !== undefined && lastClauseEnd.index > 0) return before.slice(0, lastClauseEnd.index + 1).replace(/,$/u, '');
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
