// Re-indents the lines of a multi-line completion in the document's style. No `vscode` import.

import { leadingWhitespace } from './text';

export interface IndentationStyle {
  insertSpaces: boolean;
  /** Columns per tab character. */
  tabSize: number;
  /** Columns per indentation level. */
  indentSize: number;
}

const LIKELY_INDENT_STEPS = new Set([2, 3, 4, 8]);

/**
 * Rewrites the leading whitespace of every line after the first, with tabs or spaces like the
 * document. When the completion indents in a different step than the document (4 spaces in a
 * 2-space file, say), its levels are scaled relative to the cursor line's indentation.
 */
export function reindentCompletion(completion: string, cursorLineIndent: string, style: IndentationStyle): string {
  if (!completion.includes('\n')) return completion;

  const lines = completion.split('\n');
  const baseWidth = visualWidth(cursorLineIndent, style.tabSize);
  const widths = lines.map((line) => visualWidth(leadingWhitespace(line), style.tabSize));
  const modelStep = indentStep([baseWidth, ...widths.slice(1).filter((_, i) => lines[i + 1].trim() !== '')]);
  const documentStep = style.insertSpaces ? style.indentSize : style.tabSize;
  const rescale =
    modelStep !== undefined &&
    modelStep !== documentStep &&
    LIKELY_INDENT_STEPS.has(modelStep) &&
    LIKELY_INDENT_STEPS.has(documentStep);

  return lines
    .map((line, index) => {
      if (index === 0) return line;
      const content = line.slice(leadingWhitespace(line).length);
      if (content === '') return '';

      let width = widths[index];
      if (rescale && modelStep !== undefined) {
        const levels = Math.round((width - baseWidth) / modelStep);
        width = Math.max(0, baseWidth + levels * documentStep);
      }
      return renderIndent(width, style) + content;
    })
    .join('\n');
}

export function visualWidth(whitespace: string, tabSize: number): number {
  let width = 0;
  for (const char of whitespace) {
    width = char === '\t' ? (Math.floor(width / tabSize) + 1) * tabSize : width + 1;
  }
  return width;
}

function renderIndent(width: number, style: IndentationStyle): string {
  if (style.insertSpaces) return ' '.repeat(width);
  return '\t'.repeat(Math.floor(width / style.tabSize)) + ' '.repeat(width % style.tabSize);
}

/**
 * Returns the indentation step of a sequence of line widths: the smallest change between
 * consecutive lines, if every change is a multiple of it. Returns undefined when the lines do not
 * change indentation or change it irregularly (alignment rather than indentation).
 */
function indentStep(widths: number[]): number | undefined {
  const changes = widths
    .slice(1)
    .map((width, i) => Math.abs(width - widths[i]))
    .filter((change) => change > 0);
  if (changes.length === 0) return undefined;

  const step = Math.min(...changes);
  return changes.every((change) => change % step === 0) ? step : undefined;
}
