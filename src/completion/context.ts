// Chooses the text around the cursor that a request sends to the engine. No `vscode` import.
//
// Without the tokenizer at hand, a token is taken as about 3 characters; the prefix is capped at
// 4 x maxContext characters either way. The engine still cuts prompts that turn out longer.

import { toLf } from './text';

export const CHARS_PER_TOKEN_ESTIMATE = 3;

/** A low surrogate, combining mark or joiner: the second half of a character cut in two. */
const PARTIAL_CHARACTER = /^[\udc00-\udfff\p{M}\u200d\ufe0f]$/u;

/** Characters after the cursor sent as the suffix: enough for the overlap checks. */
export const SUFFIX_CHARS = 2000;

export interface ContextLimits {
  /** The model's maximum context in tokens (prompt and completion together). */
  maxContextTokens: number;
  /** Tokens reserved for the completion. */
  maxNewTokens: number;
}

export interface CompletionContext {
  /** Text before the cursor, LF line breaks, starting at a line start where possible. */
  prefix: string;
  /** Text after the cursor, LF line breaks. */
  suffix: string;
  /** Text before the cursor on the cursor's line. */
  linePrefix: string;
  /** Text after the cursor on the cursor's line. */
  lineSuffix: string;
  /** The lines after the cursor's line that the suffix contains. */
  followingLines: string[];
}

/** Returns the maximum number of prefix characters that fit the model's context. */
export function prefixBudgetChars(limits: ContextLimits): number {
  const promptTokens = Math.max(0, limits.maxContextTokens - limits.maxNewTokens);
  return Math.min(promptTokens * CHARS_PER_TOKEN_ESTIMATE, 4 * limits.maxContextTokens);
}

/**
 * Returns the document offset where the prefix window starts. The start moves in steps of a quarter
 * of the budget rather than with every keystroke, so that consecutive requests share their
 * beginning and the engine can reuse its cached keys and values.
 */
export function contextWindowStart(cursorOffset: number, budgetChars: number): number {
  const earliest = cursorOffset - budgetChars;
  if (earliest <= 0) return 0;

  const step = Math.max(1, Math.floor(budgetChars / 4));
  return Math.min(cursorOffset, Math.ceil(earliest / step) * step);
}

/**
 * Builds the request context from the text between the window start and the cursor and the
 * text after the cursor. When the window does not start at the document start, the prefix is
 * cut at the first line start inside it, or in a very long line at a space or a whole character.
 */
export function buildCompletionContext(
  textBefore: string,
  textAfter: string,
  startsAtDocumentStart: boolean,
): CompletionContext {
  const before = toLf(textBefore);
  const prefix = startsAtDocumentStart ? before : cutAtBoundary(before);
  const suffix = toLf(textAfter);

  const lastBreak = prefix.lastIndexOf('\n');
  const linePrefix = lastBreak === -1 ? lineTail(before) : prefix.slice(lastBreak + 1);

  const firstBreak = suffix.indexOf('\n');
  const lineSuffix = firstBreak === -1 ? suffix : suffix.slice(0, firstBreak);
  const followingLines = firstBreak === -1 ? [] : suffix.slice(firstBreak + 1).split('\n');

  return { prefix, suffix, linePrefix, lineSuffix, followingLines };
}

function lineTail(text: string): string {
  const lastBreak = text.lastIndexOf('\n');
  return lastBreak === -1 ? text : text.slice(lastBreak + 1);
}

function cutAtBoundary(text: string): string {
  const firstBreak = text.indexOf('\n');
  if (firstBreak !== -1 && firstBreak < text.length / 2) return text.slice(firstBreak + 1);

  // One very long line (minified code, a pasted paragraph): start after a space if one is near.
  const searchLimit = Math.min(text.length, 256);
  const space = text.slice(0, searchLimit).search(/\s/);
  if (space !== -1) return text.slice(space + 1);

  // The window may start inside a surrogate pair or before a combining mark: skip those.
  let cut = 0;
  while (cut < text.length && PARTIAL_CHARACTER.test(text[cut])) cut += 1;
  return text.slice(cut);
}
