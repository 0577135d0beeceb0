// A simulated user who types a segment of real text and accepts a suggestion (one Tab) only when
// it matches the real text that follows, in full.

import { pausePoints } from './heldout';

/** Returns the suggestion for a cursor after `typedLength` characters of the segment. */
export type Suggest = (typedLength: number) => Promise<string>;

export interface TypingResult {
  /** Characters in the segment. */
  characters: number;
  /** Keys pressed: one per typed character, one per accepted suggestion. */
  keystrokes: number;
  requests: number;
  acceptances: number;
}

/** Suggestions shorter than this save nothing once the Tab is counted. */
const MIN_USEFUL_SUGGESTION = 2;

/**
 * Types `segment`. A suggestion is requested at each pause point (see `pausePoints`) and after
 * each acceptance. It is accepted when it has at least two characters and `realText`, the
 * document from the cursor on, starts with it. Characters an accepted suggestion adds past the
 * segment's end are not counted as saved.
 */
export async function simulateTyping(segment: string, realTextAfter: (typedLength: number) => string, suggest: Suggest): Promise<TypingResult> {
  const pauses = new Set(pausePoints(segment));
  let position = 0;
  let keystrokes = 0;
  let requests = 0;
  let acceptances = 0;
  let askNow = true;

  while (position < segment.length) {
    if (askNow || pauses.has(position)) {
      requests += 1;
      const suggestion = await suggest(position);
      if (suggestion.length >= MIN_USEFUL_SUGGESTION && realTextAfter(position).startsWith(suggestion)) {
        keystrokes += 1;
        acceptances += 1;
        position = Math.min(segment.length, position + suggestion.length);
        askNow = true;
        continue;
      }
    }
    keystrokes += 1;
    position += 1;
    askNow = false;
  }
  return { characters: segment.length, keystrokes, requests, acceptances };
}

/** Computes the share of keystrokes saved over typing every character: 1 - keystrokes / characters. */
export function keystrokesSaved(results: readonly TypingResult[]): number {
  const characters = results.reduce((sum, result) => sum + result.characters, 0);
  const keystrokes = results.reduce((sum, result) => sum + result.keystrokes, 0);
  return characters === 0 ? 0 : 1 - keystrokes / characters;
}
