// Reading the part of a text file that a request needs: the text before a position (as much
// as the context window can use) and a little after it. The file is streamed in chunks, so a
// huge file is never held in memory and is read no further than a little past the position.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './usageError';

const SNIFF_BYTES = 8192;
const CHUNK_BYTES = 64 * 1024;
/** Share of suspicious bytes in the first 8 KB above which a file counts as binary. */
const BINARY_SHARE = 0.3;

/** A position as an offset, or as a 1-based line and 1-based column; both in UTF-16 code units like VS Code. */
export type DocumentPosition = { offset: number } | { line: number; column: number };

export interface DocumentWindow {
  prefix: string;
  suffix: string;
  /** The position as an offset from the start of the file, in UTF-16 code units. */
  offset: number;
}

export class FileError extends Error {}

export function readDocumentWindow(file: string, position: DocumentPosition | 'start', prefixChars: number, suffixChars: number): DocumentWindow {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be opened (${(error as Error).message})`;
    throw new FileError(`The file ${file} ${reason}. Check the path.`);
  }

  try {
    if (fstatSync(fd).isDirectory()) throw new FileError(`${file} is a folder, not a text file. Give the path of a file.`);
    checkIsText(fd, file);
    return scan(fd, file, position, prefixChars, suffixChars);
  } finally {
    closeSync(fd);
  }
}

function checkIsText(fd: number, file: string): void {
  const sample = Buffer.alloc(SNIFF_BYTES);
  const length = readSync(fd, sample, 0, SNIFF_BYTES, 0);
  const bytes = sample.subarray(0, length);
  if (bytes.includes(0)) throw new FileError(`${file} looks like a binary file (it contains NUL bytes). Give a text file.`);

  const text = new TextDecoder('utf-8').decode(bytes, { stream: true });
  let suspicious = 0;
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    const control = code < 0x20 && !'\t\n\r\f\v\b\u001b'.includes(character);
    if (control || code === 0xfffd) suspicious += 1;
  }
  if (text.length > 0 && suspicious / text.length > BINARY_SHARE) {
    throw new FileError(`${file} looks like a binary file (${Math.round((100 * suspicious) / text.length)}% of its first 8 KB is not text). Give a text file.`);
  }
}

/**
 * Streams the file, keeping only the last `prefixChars` before the position. Lines and columns
 * follow VS Code: a line ends at `\n`, and a `\r` before it is not part of the line.
 */
function scan(fd: number, file: string, position: DocumentPosition | 'start', prefixChars: number, suffixChars: number): DocumentWindow {
  const decoder = new TextDecoder('utf-8');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let text = '';
  let textStart = 0;
  let filePosition = 0;
  let atEnd = false;
  let linesSeen = 0;
  // Undefined until the scan reaches the requested line.
  let target: number | undefined;
  if (position === 'start') target = prefixChars;
  else if ('offset' in position) target = position.offset;

  const readMore = (): void => {
    const length = readSync(fd, buffer, 0, CHUNK_BYTES, filePosition);
    filePosition += length;
    atEnd = length === 0;
    text += atEnd ? decoder.decode() : decoder.decode(buffer.subarray(0, length), { stream: true });
  };

  // Drops text that lies before what the prefix can use, counting the lines it contained.
  const forget = (keepFrom: number): void => {
    const drop = Math.min(keepFrom - textStart, text.length);
    if (drop <= 0) return;
    linesSeen += countNewlines(text, 0, drop);
    text = text.slice(drop);
    textStart += drop;
  };

  while (target === undefined) {
    const lineTarget = position as { line: number; column: number };
    const found = findLineStart(text, lineTarget.line - 1 - linesSeen);
    if (found !== undefined) {
      const lineEnd = text.indexOf('\n', found);
      if (lineEnd >= 0 || atEnd) {
        const lineText = text.slice(found, lineEnd >= 0 ? lineEnd : text.length).replace(/\r$/, '');
        if (lineTarget.column > lineText.length + 1) {
          throw new UsageError(`Column ${lineTarget.column} is past the end of line ${lineTarget.line} of ${file}, which has ${lineText.length} characters. Use --column 1 to ${lineText.length + 1}.`);
        }
        target = textStart + found + lineTarget.column - 1;
        break;
      }
    }
    if (atEnd) {
      const lines = linesSeen + countNewlines(text, 0, text.length) + 1;
      throw new UsageError(`Line ${lineTarget.line} is past the end of ${file}, which has ${lines} lines. Use --line 1 to ${lines}.`);
    }
    // Keeps the last line break and the prefix before it, since the line may start after it.
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline >= 0) forget(textStart + Math.max(0, lastNewline - prefixChars));
    readMore();
  }

  while (!atEnd && textStart + text.length < target + suffixChars) {
    forget(Math.max(textStart, target - prefixChars));
    readMore();
  }

  const length = textStart + text.length;
  if (target > length) {
    if (position === 'start') target = length;
    else throw new UsageError(`Offset ${target} is past the end of ${file}, which has ${length} characters. Use --offset 0 to ${length}.`);
  }

  const at = target - textStart;
  return { prefix: text.slice(Math.max(0, at - prefixChars), at), suffix: text.slice(at, at + suffixChars), offset: target };
}

/** Index of the start of the line `linesToSkip` newlines into `text`, or undefined if it has fewer. */
function findLineStart(text: string, linesToSkip: number): number | undefined {
  let index = 0;
  for (let skipped = 0; skipped < linesToSkip; skipped += 1) {
    const newline = text.indexOf('\n', index);
    if (newline < 0) return undefined;
    index = newline + 1;
  }
  return index;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', from); index >= 0 && index < to; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}
