// Runs the pure part of the completion provider on a document given as text, the way
// `ExpertCompletionProvider` does: context, stop rule, post-processing, insertion.

import type { CompletionResult } from '../../../src/engine/protocol';
import { buildCompletionContext, CompletionContext, contextWindowStart, prefixBudgetChars } from '../../../src/completion/context';
import type { IndentationStyle } from '../../../src/completion/indentation';
import { isProseAtCursor } from '../../../src/completion/languages';
import { postprocessCompletion } from '../../../src/completion/postprocess';
import { chooseStopRule, StopAt } from '../../../src/completion/stopRule';
import { fromLf } from '../../../src/completion/text';
import type { MultilineMode } from '../../../src/settings/settings';

export const CURSOR = '‸';

export interface SimulatedRequest {
  /** The document with LF line breaks and `CURSOR` where the cursor is. */
  document: string;
  /** What the model returned. */
  raw: string;
  languageId?: string;
  eol?: '\n' | '\r\n';
  stopReason?: CompletionResult['stopReason'];
  multiline?: MultilineMode;
  indentation?: IndentationStyle;
  maxContextTokens?: number;
}

export interface SimulatedCompletion {
  /** The completion with LF line breaks, '' when discarded. */
  completion: string;
  /** The text the provider inserts, with the document's line breaks. */
  insertText: string;
  discardReason?: string;
  /** The document after accepting the completion, with its own line breaks. */
  documentAfter: string;
  context: CompletionContext;
  stopAt: StopAt;
  /** The cursor's UTF-16 offset in the document with its own line breaks. */
  offset: number;
}

export function simulateCompletion(request: SimulatedRequest): SimulatedCompletion {
  const eol = request.eol ?? '\n';
  const languageId = request.languageId ?? 'python';
  const documentWithCursor = fromLf(request.document, eol);
  const offset = documentWithCursor.indexOf(CURSOR);
  if (offset === -1) throw new Error(`The document has no cursor marker ${CURSOR}.`);
  const text = documentWithCursor.slice(0, offset) + documentWithCursor.slice(offset + CURSOR.length);

  const budget = prefixBudgetChars({ maxContextTokens: request.maxContextTokens ?? 2048, maxNewTokens: 24 });
  const windowStart = contextWindowStart(offset, budget);
  const context = buildCompletionContext(text.slice(windowStart, offset), text.slice(offset, offset + 2000), windowStart === 0);

  const prose = isProseAtCursor(languageId, context.prefix);
  const stopAt = chooseStopRule({
    prose,
    multiline: request.multiline ?? 'auto',
    prefix: context.prefix,
    linePrefix: context.linePrefix,
    lineSuffix: context.lineSuffix,
  });

  const outcome = postprocessCompletion({
    raw: request.raw,
    stopReason: request.stopReason ?? 'stop-rule',
    context,
    prose,
    stopAt,
    indentation: request.indentation ?? { insertSpaces: true, tabSize: 4, indentSize: 4 },
  });
  const insertText = fromLf(outcome.text, eol);

  return {
    completion: outcome.text,
    insertText,
    discardReason: outcome.discardReason,
    documentAfter: text.slice(0, offset) + insertText + text.slice(offset),
    context,
    stopAt,
    offset,
  };
}
