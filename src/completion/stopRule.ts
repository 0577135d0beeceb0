// Chooses `GenerationOptions.stopAt` for a request. No `vscode` import.
//
// Prose gets a phrase or a sentence. Code gets one line, or a block where a block suits: right
// after a line that opens one (`{`, `:`, `=>`, `do` ...) when nothing follows the cursor on its line.
// `completions.multiline` overrides: `never` always stops at the line (prose: the sentence),
// `always` lets code and prose run to the end of a block or paragraph.

import type { GenerationOptions } from '../engine/protocol';
import type { MultilineMode } from '../settings/settings';
import { isBlank } from './text';

export type StopAt = GenerationOptions['stopAt'];

export interface StopRuleInput {
  prose: boolean;
  multiline: MultilineMode;
  /** Text before the cursor, LF line breaks. */
  prefix: string;
  linePrefix: string;
  lineSuffix: string;
}

const BLOCK_OPENER = /(?:[{([:]|=>|->|\b(?:do|then|begin|else))\s*$/;
const CLOSERS_ONLY = /^\s*[)\]}]*\s*$/;

export function chooseStopRule(input: StopRuleInput): StopAt {
  if (input.prose) return input.multiline === 'always' ? 'block' : 'sentence';
  if (input.multiline === 'always') return 'block';
  if (input.multiline === 'never') return 'line';
  return suitsBlock(input) ? 'block' : 'line';
}

/** Returns whether a multi-line completion suits the cursor position in code. */
export function suitsBlock(input: Pick<StopRuleInput, 'prefix' | 'linePrefix' | 'lineSuffix'>): boolean {
  if (!CLOSERS_ONLY.test(input.lineSuffix)) return false;

  if (!isBlank(input.linePrefix)) return BLOCK_OPENER.test(input.linePrefix);

  const previousLine = lastNonBlankLine(input.prefix.slice(0, input.prefix.length - input.linePrefix.length));
  return previousLine !== undefined && BLOCK_OPENER.test(previousLine);
}

function lastNonBlankLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    if (!isBlank(lines[i])) return lines[i];
  }
  return undefined;
}
