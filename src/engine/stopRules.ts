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
  switch (stopAt) {
    case 'line':
      return stopAtLineEnd;
    case 'sentence':
      return stopAtSentenceEnd;
    case 'block':
      return (completion) => stopAtBlockEnd(completion, indentationOf(currentLine));
  }
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
