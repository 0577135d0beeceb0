// Turns the engine's raw completion into the text shown as ghost text, or into a reason why
// nothing is shown. Input and output use LF line breaks. No `vscode` import.

import type { CompletionResult } from '../engine/protocol';
import type { CompletionContext } from './context';
import { IndentationStyle, reindentCompletion } from './indentation';
import { trimOverlap } from './overlap';
import type { StopAt } from './stopRule';
import { isBlank, leadingWhitespace, toLf } from './text';

export interface PostprocessInput {
  raw: string;
  stopReason: CompletionResult['stopReason'];
  context: CompletionContext;
  prose: boolean;
  stopAt: StopAt;
  indentation: IndentationStyle;
}

export type PostprocessOutcome = { text: string; discardReason?: undefined } | { text: ''; discardReason: string };

const SPECIAL_TOKEN = /<\|[A-Za-z0-9_-]+\|>/;
const PARTIAL_SPECIAL_TOKEN_AT_END = /<\|[A-Za-z0-9_-]*\|?$/;
/**
 * C0 and C1 controls other than tab and line breaks, the Unicode line and paragraph separators,
 * and the bidirectional embeddings, overrides and isolates, which can make inserted text display
 * in another order than it runs ("Trojan Source").
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const TRAILING_WORD = /[\p{L}\p{N}_\p{M}]+$/u;

export function postprocessCompletion(input: PostprocessInput): PostprocessOutcome {
  const { context } = input;

  const cleaned = cleanModelText(input.raw);
  if (isBlank(cleaned)) {
    return discard(input.raw === '' ? 'the model returned an empty completion' : 'only special tokens or whitespace');
  }

  let text = shapeToStopRule(cleaned, input);
  if (isBlank(text)) return discard(`nothing left after the "${input.stopAt}" stop rule`);

  text = dropIncompleteEnd(text, input.stopReason, input.prose);

  const overlap = trimOverlap(text, { ...context, prose: input.prose });
  text = overlap.text;
  if (isBlank(text) && overlap.cut !== undefined) {
    return discard(`empty after trimming text that the document already has (${overlap.cut})`);
  }

  if (!input.prose && text.includes('\n')) text = keepBalancedBrackets(text);
  if (isBlank(text)) return discard('empty after cutting brackets the completion opens but never closes');

  text = fixLeadingWhitespace(text, context.linePrefix, input.prose);
  if (!overlap.keepsTrailingLineBreak) text = text.replace(/\s+$/, '');
  if (isBlank(text)) return discard('empty after trimming whitespace');

  if (!overlap.keepsTrailingLineBreak && !input.prose && closerFollowsOnBlankLine(context)) {
    // Enter pressed right before `}`: keep that `}` on its own line below the completion.
    text = `${text}\n${context.linePrefix}`;
  }

  text = reindentCompletion(text, leadingWhitespace(context.linePrefix), input.indentation);

  // A cursor inside a surrogate pair lets the overlap trimming above cut a pair in two.
  text = text.replace(LONE_SURROGATE, '');
  if (isBlank(text)) return discard('empty after removing broken characters');
  return { text };
}

/**
 * Removes text that must never reach the editor: a special token and everything after it,
 * control and bidirectional formatting characters, and broken characters from a cut UTF-8
 * sequence. Line breaks become LF.
 */
export function cleanModelText(raw: string): string {
  // Invisible characters go first, so that none can hide a special token from the check below.
  let text = toLf(raw).replace(CONTROL_CHARACTERS, '').replace(LONE_SURROGATE, '');

  const special = SPECIAL_TOKEN.exec(text);
  if (special) text = text.slice(0, special.index);
  text = text.replace(PARTIAL_SPECIAL_TOKEN_AT_END, '');
  return text.replace(/\ufffd+$/, '');
}

/** Keeps one line, a sentence's worth of prose, or a block, as the stop rule requires. */
function shapeToStopRule(text: string, input: PostprocessInput): string {
  const linePrefixBlank = isBlank(input.context.linePrefix);
  // Spaces before the first line break would only be trailing whitespace on the cursor's line.
  let shaped = text.replace(/^[ \t]+\n/, '\n');

  if (linePrefixBlank) shaped = shaped.replace(/^\n+/, '');

  if (input.prose) {
    if (shaped.startsWith('\n')) return '';
    if (input.stopAt === 'block') {
      const paragraphEnd = shaped.indexOf('\n\n');
      return paragraphEnd === -1 ? shaped : shaped.slice(0, paragraphEnd);
    }
    return firstLine(shaped);
  }

  if (input.stopAt === 'block') return shaped;

  if (shaped.startsWith('\n')) {
    // At the end of a finished line: offer the next line.
    const nextLineEnd = shaped.indexOf('\n', 1);
    return nextLineEnd === -1 ? shaped : shaped.slice(0, nextLineEnd);
  }
  return firstLine(shaped);
}

const OPENERS = '([{';
const CLOSERS = ')]}';

/**
 * Cuts a multi-line code completion that leaves a bracket open: at the last line end where its
 * brackets balance, or else just before the first bracket it never closes. A closer of a bracket
 * opened before the cursor is allowed. Brackets inside quotes on one line are skipped.
 */
export function keepBalancedBrackets(text: string): string {
  let depth = 0;
  let quote: string | undefined;
  let balancedLineEnd = -1;
  let balancedPoint = 0;

  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (character === '\n') {
      quote = undefined;
      if (depth === 0) balancedLineEnd = index;
      continue;
    }
    if (quote !== undefined) {
      if (character === '\\') index += 1;
      else if (character === quote) quote = undefined;
      continue;
    }
    if (character === '"' || character === "'" || character === '`') {
      quote = character;
    } else if (OPENERS.includes(character)) {
      if (depth === 0) balancedPoint = index;
      depth += 1;
    } else if (CLOSERS.includes(character)) {
      depth = Math.max(0, depth - 1);
      if (depth === 0) balancedPoint = index + 1;
    } else if (depth === 0) {
      balancedPoint = index + 1;
    }
  }

  if (depth === 0 && quote === undefined) return text;
  if (balancedLineEnd > 0) return text.slice(0, balancedLineEnd);
  return text.slice(0, balancedPoint).replace(/\s+$/, '');
}

/**
 * When generation stopped on the token limit or the time budget, the last word may be cut: drop
 * it, or in prose end at the last finished sentence when one is in the later two thirds.
 */
function dropIncompleteEnd(text: string, stopReason: CompletionResult['stopReason'], prose: boolean): string {
  if (stopReason !== 'max-tokens' && stopReason !== 'time-budget') return text;

  if (prose) {
    const sentenceEnds = [...text.matchAll(/[.!?](?=\s)/g)];
    const last = sentenceEnds[sentenceEnds.length - 1];
    if (last?.index !== undefined && last.index + 1 >= text.length / 3) return text.slice(0, last.index + 1);
  }

  const partialWord = TRAILING_WORD.exec(text);
  if (partialWord === null || partialWord.index === 0) return text;
  return text.slice(0, partialWord.index);
}

/**
 * Drops leading spaces that would follow a space or tab already before the cursor (two spaces),
 * or that would indent a prose line.
 */
function fixLeadingWhitespace(text: string, linePrefix: string, prose: boolean): string {
  const precededByWhitespace = /[ \t]$/.test(linePrefix);
  const atProseLineStart = prose && linePrefix === '';
  if (!precededByWhitespace && !atProseLineStart) return text;
  return text.replace(/^[ \t]+/, '');
}

/** Returns whether the cursor's line is blank before the cursor and has a closing bracket right after it. */
function closerFollowsOnBlankLine(context: CompletionContext): boolean {
  return isBlank(context.linePrefix) && /^\s*[)\]}]/.test(context.lineSuffix);
}

function firstLine(text: string): string {
  const lineEnd = text.indexOf('\n');
  return lineEnd === -1 ? text : text.slice(0, lineEnd);
}

function discard(reason: string): PostprocessOutcome {
  return { text: '', discardReason: reason };
}
