// Text for the benchmarks: the held-out documents of one domain joined into one long document,
// and a starting point in it with a given number of tokens before it.

import type { Tokenizer } from '../../src/engine/tokenizer';
import { loadHeldoutDocuments } from './heldout';

export interface TypingText {
  domain: string;
  text: string;
  /** Characters before the cursor at the start; the benchmark types the characters after it. */
  start: number;
}

/** Joins the held-out documents of `domain`; throws when they are missing. */
export function longDocument(heldoutFolder: string, domain: string): string {
  const documents = loadHeldoutDocuments(heldoutFolder, [domain], Number.POSITIVE_INFINITY);
  if (documents.length === 0) throw new Error(`No held-out ${domain} documents in ${heldoutFolder}; the benchmark types them.`);
  return documents.map((document) => document.text.trimEnd()).join('\n\n');
}

/**
 * Finds a cursor position in `text` with `tokens` tokens before it: the end of the text of the
 * first `tokens` ids. That text re-encodes to the same count unless the cut splits a chunk.
 */
export function typingTextAt(tokenizer: Tokenizer, domain: string, text: string, tokens: number): TypingText {
  const ids = tokenizer.encode(text);
  if (ids.length <= tokens) throw new Error(`The ${domain} benchmark text has ${ids.length} tokens, fewer than the ${tokens} the measurement needs.`);
  return { domain, text, start: tokenizer.decode(ids.slice(0, tokens)).length };
}
