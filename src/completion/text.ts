// Text helpers shared by the completion pipeline. No `vscode` import.

/** Converts CRLF and lone CR line breaks to LF. */
export function toLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Converts LF line breaks to the document's line break. */
export function fromLf(text: string, eol: '\n' | '\r\n'): string {
  return eol === '\n' ? text : text.replace(/\n/g, '\r\n');
}

/** The leading spaces and tabs of a line. */
export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}
