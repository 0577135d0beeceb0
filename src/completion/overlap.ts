// Keeps a completion from repeating the text after the cursor: a closing bracket or quote the
// editor already inserted, the rest of the line, or the lines that follow. No `vscode` import.

import { isBlank } from './text';

export interface OverlapContext {
  linePrefix: string;
  lineSuffix: string;
  /** All text after the cursor that the request saw, LF line breaks. */
  suffix: string;
  followingLines: string[];
  prose: boolean;
}

export interface OverlapResult {
  text: string;
  /** Set when the completion was cut because the document already has the rest. */
  cut?: 'closing-bracket' | 'closing-quote' | 'following-line' | 'rest-of-line';
  /** True when the completion ends in a line break on purpose (it moves an existing closer down). */
  keepsTrailingLineBreak?: boolean;
}

const CLOSER_TO_OPENER: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const OPENERS = new Set(['(', '[', '{']);
const SUFFIX_SCAN_LIMIT = 20_000;
const FOLLOWING_LINES_CHECKED = 10;

/** Applies the overlap rules in order, each on the result of the one before: closers, following lines, rest of the line. */
export function trimOverlap(completion: string, context: OverlapContext): OverlapResult {
  let result = cutAtDuplicateCloser(completion, context);

  const afterLines = cutAtFollowingLine(result.text, context);
  if (afterLines.cut !== undefined) result = afterLines;

  const afterRestOfLine = removeRestOfLineOverlap(result.text, context);
  if (afterRestOfLine.cut !== undefined) {
    result = { ...afterRestOfLine, keepsTrailingLineBreak: result.keepsTrailingLineBreak };
  }
  return result;
}

/**
 * Cuts the completion where it closes a bracket or string that was opened before the cursor,
 * when the document already closes it after the cursor. Examples are the `)` of `print(|)`,
 * the `"` of `"|"`, and the `}` below a blank line inside a block.
 */
export function cutAtDuplicateCloser(completion: string, context: OverlapContext): OverlapResult {
  const syntax = scanSyntax(context.prose);
  const openQuote = openStringQuote(context.linePrefix, syntax);
  const documentCloser = firstUnmatchedCloser(context.suffix.slice(0, SUFFIX_SCAN_LIMIT), openQuote, syntax);

  for (const event of unmatchedClosers(completion, openQuote, syntax)) {
    const duplicates =
      event.kind === 'quote' ? context.lineSuffix.startsWith(event.char) : documentCloser?.char === event.char;
    if (!duplicates) continue;

    const lineStart = completion.lastIndexOf('\n', event.index - 1) + 1;
    const closerStartsLine = lineStart > 0 && isBlank(completion.slice(lineStart, event.index));
    const documentCloserOnCursorLine = context.lineSuffix.trimStart().startsWith(event.char);
    const cut = event.kind === 'quote' ? 'closing-quote' : 'closing-bracket';

    if (closerStartsLine && documentCloserOnCursorLine) {
      // `{|}` completed as "\n  body\n}": keep the line break so the existing `}` moves down.
      return { text: completion.slice(0, event.index), cut, keepsTrailingLineBreak: true };
    }
    if (closerStartsLine) {
      return { text: completion.slice(0, lineStart - 1), cut };
    }
    return { text: completion.slice(0, event.index), cut };
  }

  return { text: completion };
}

/**
 * Cuts the completion before the first of its lines that repeats the next non-blank line of the
 * document. The first completion line counts only when the cursor's line is blank before it.
 */
export function cutAtFollowingLine(completion: string, context: OverlapContext): OverlapResult {
  const nextLine = context.followingLines
    .slice(0, FOLLOWING_LINES_CHECKED)
    .find((line) => !isBlank(line))
    ?.trim();
  if (nextLine === undefined || !isBlank(context.lineSuffix)) return { text: completion };

  const lines = completion.split('\n');
  const firstChecked = isBlank(context.linePrefix) ? 0 : 1;
  for (let i = firstChecked; i < lines.length; i += 1) {
    const line = lines[i].trim();
    if (line === '' || closesBlock(line) || !repeatsLine(line, nextLine)) continue;

    return { text: i === 0 ? '' : lines.slice(0, i).join('\n'), cut: 'following-line' };
  }
  return { text: completion };
}

/**
 * Removes the end of the completion where it equals the start of the rest of the line, such as
 * the `;` of `value;` before an existing `;`. Letters overlap only as whole words of 3 or more
 * characters, so `cat` before `t is` stays as it is.
 */
export function removeRestOfLineOverlap(completion: string, context: OverlapContext): OverlapResult {
  const rest = context.lineSuffix;
  if (isBlank(rest)) return { text: completion };

  const lastLine = completion.slice(completion.lastIndexOf('\n') + 1);
  for (let length = Math.min(lastLine.length, rest.length); length >= 1; length -= 1) {
    const overlap = rest.slice(0, length);
    if (!completion.endsWith(overlap)) continue;

    const withoutOverlap = completion.slice(0, completion.length - length);
    if (!isAcceptableOverlap(overlap, withoutOverlap, rest.slice(length), context.prose)) continue;
    return { text: withoutOverlap, cut: 'rest-of-line' };
  }
  return { text: completion };
}

/** Returns whether only closers and punctuation follow the cursor on its line, so an automatic completion fits there. */
export function isEndOfLineLike(lineSuffix: string): boolean {
  return /^\s*[)\]}>"'`;,:.]*\s*[{;,:]?\s*$/.test(lineSuffix);
}

function isAcceptableOverlap(overlap: string, kept: string, restAfterOverlap: string, prose: boolean): boolean {
  const hasBracket = /[()[\]{}]/.test(overlap);
  if (hasBracket && bracketDepth(kept, scanSyntax(prose)) > 0) {
    // The overlapping closer closes a bracket the completion itself opened.
    return false;
  }

  if (/^[^\p{L}\p{N}_]+$/u.test(overlap)) return true;

  const startsAtWordBoundary = kept === '' || !isWordCharacter(kept[kept.length - 1]) || !isWordCharacter(overlap[0]);
  const endsAtWordBoundary =
    restAfterOverlap === '' || !isWordCharacter(restAfterOverlap[0]) || !isWordCharacter(overlap[overlap.length - 1]);
  return overlap.trim().length >= 3 && startsAtWordBoundary && endsAtWordBoundary;
}

/**
 * Returns whether a line only ends a block (`}`, `]);`, `end`, `fi`). Such lines repeat
 * naturally when a completion closes its own block, so the bracket-aware closer rule handles them.
 */
function closesBlock(line: string): boolean {
  return /^[\p{P}\s]*$/u.test(line) || /^(?:end|fi|done|esac)\b[\p{P}\s]*$/u.test(line);
}

function repeatsLine(line: string, existing: string): boolean {
  if (line === existing) return true;
  const shorter = line.length < existing.length ? line : existing;
  const longer = shorter === line ? existing : line;
  return shorter.length >= 4 && longer.startsWith(shorter);
}

function isWordCharacter(char: string): boolean {
  return /[\p{L}\p{N}_]/u.test(char);
}

/** Quote characters and comment syntax for the bracket scanner. */
interface ScanSyntax {
  quotes: string;
  lineComments: boolean;
}

function scanSyntax(prose: boolean): ScanSyntax {
  // Apostrophes in prose are not quotes, and `//` in prose is part of a URL, not a comment.
  return prose ? { quotes: '"`', lineComments: false } : { quotes: '"\'`', lineComments: true };
}

interface CloserEvent {
  index: number;
  char: string;
  kind: 'bracket' | 'quote';
}

/** Returns the quote of a string still open at the end of the line prefix, if any. */
function openStringQuote(linePrefix: string, syntax: ScanSyntax): string | undefined {
  let open: string | undefined;
  for (let i = 0; i < linePrefix.length; i += 1) {
    const char = linePrefix[i];
    if (open !== undefined) {
      if (char === '\\') i += 1;
      else if (char === open) open = undefined;
      continue;
    }
    if (syntax.lineComments && startsLineComment(linePrefix, i)) return undefined;
    if (syntax.quotes.includes(char)) open = char;
  }
  return open;
}

/**
 * Closing brackets in `text` that close a bracket opened before it, and the quote that closes a
 * string open at its start, in order. Brackets inside strings and line comments do not count.
 */
function unmatchedClosers(text: string, openQuote: string | undefined, syntax: ScanSyntax): CloserEvent[] {
  const events: CloserEvent[] = [];
  const stack: string[] = [];
  let inString = openQuote;
  let inInitialString = openQuote !== undefined;

  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];

    if (inString !== undefined) {
      if (char === '\\') {
        i += 1;
      } else if (char === inString) {
        if (inInitialString) events.push({ index: i, char, kind: 'quote' });
        inString = undefined;
        inInitialString = false;
      } else if (char === '\n' && inString !== '`') {
        inString = undefined;
        inInitialString = false;
      }
      continue;
    }

    if (syntax.lineComments && startsLineComment(text, i)) {
      const lineEnd = text.indexOf('\n', i);
      if (lineEnd === -1) break;
      i = lineEnd;
      continue;
    }

    if (syntax.quotes.includes(char)) {
      inString = char;
    } else if (OPENERS.has(char)) {
      stack.push(char);
    } else if (char in CLOSER_TO_OPENER) {
      if (stack.length === 0) events.push({ index: i, char, kind: 'bracket' });
      else stack.pop();
    }
  }
  return events;
}

function firstUnmatchedCloser(text: string, openQuote: string | undefined, syntax: ScanSyntax): CloserEvent | undefined {
  return unmatchedClosers(text, openQuote, syntax).find((event) => event.kind === 'bracket');
}

/** Openers minus closers of `text`, ignoring strings. */
function bracketDepth(text: string, syntax: ScanSyntax): number {
  let depth = 0;
  let inString: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString !== undefined) {
      if (char === '\\') i += 1;
      else if (char === inString || char === '\n') inString = undefined;
    } else if (syntax.quotes.includes(char)) {
      inString = char;
    } else if (OPENERS.has(char)) {
      depth += 1;
    } else if (char in CLOSER_TO_OPENER) {
      depth -= 1;
    }
  }
  return depth;
}

/** Returns whether a line comment starts at `index`: `//`, or `#` followed by a space. */
function startsLineComment(text: string, index: number): boolean {
  const char = text[index];
  if (char === '/') return text[index + 1] === '/';
  if (char === '#') return text[index + 1] === ' ' && (index === 0 || /\s/.test(text[index - 1]));
  return false;
}
