// Recognizes a binary file opened as text, where completions make no sense. No `vscode` import.

/** Share of control characters and U+FFFD (bytes that are not UTF-8) above which text counts as binary. */
const MAX_UNREADABLE_SHARE = 0.1;
/** Below this many characters the share is not meaningful, so only NUL decides. */
const MIN_SAMPLE_CHARS = 32;

/**
 * Returns whether text looks like binary content decoded as text: it contains NUL, as text
 * files practically never do, or more than a tenth of it is other control characters and
 * U+FFFD. Tab, line breaks and form feed count as text.
 */
export function looksBinary(text: string): boolean {
  if (text.includes('\0')) return true;
  if (text.length < MIN_SAMPLE_CHARS) return false;

  let unreadable = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const isControl = (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) || code === 0x7f;
    if (isControl || code === 0xfffd) unreadable += 1;
  }
  return unreadable / text.length > MAX_UNREADABLE_SHARE;
}
