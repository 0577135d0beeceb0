// Reads what a request needs from an open document: the text around the cursor, whether it is
// prose, the stop rule, the line break and the indentation style.

import * as vscode from 'vscode';
import type { ModelInfo } from '../engine/protocol';
import type { CompletionSettings } from '../settings/settings';
import { buildCompletionContext, CompletionContext, contextWindowStart, prefixBudgetChars, SUFFIX_CHARS } from './context';
import type { IndentationStyle } from './indentation';
import { isProseAtCursor } from './languages';
import { chooseStopRule, StopAt } from './stopRule';

/** Used until a model has loaded and reported its own context length. */
const FALLBACK_MAX_CONTEXT = 2048;

export interface DocumentRequestContext {
  context: CompletionContext;
  prose: boolean;
  stopAt: StopAt;
  eol: '\n' | '\r\n';
  indentation: IndentationStyle;
}

export function readDocumentContext(
  document: vscode.TextDocument,
  position: vscode.Position,
  settings: CompletionSettings,
  model: ModelInfo | undefined,
): DocumentRequestContext {
  const offset = document.offsetAt(position);
  const budget = prefixBudgetChars({
    maxContextTokens: model?.maxContext ?? FALLBACK_MAX_CONTEXT,
    maxNewTokens: settings.maxTokens,
  });
  const windowStart = contextWindowStart(offset, budget);

  const textBefore = document.getText(new vscode.Range(document.positionAt(windowStart), position));
  const textAfter = document.getText(new vscode.Range(position, document.positionAt(offset + SUFFIX_CHARS)));
  const context = buildCompletionContext(textBefore, textAfter, windowStart === 0);

  const prose = isProseAtCursor(document.languageId, context.prefix);
  const stopAt = chooseStopRule({
    prose,
    multiline: settings.multiline,
    prefix: context.prefix,
    linePrefix: context.linePrefix,
    lineSuffix: context.lineSuffix,
  });

  return {
    context,
    prose,
    stopAt,
    eol: document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    indentation: indentationOf(document),
  };
}

function indentationOf(document: vscode.TextDocument): IndentationStyle {
  const editor =
    vscode.window.activeTextEditor?.document === document
      ? vscode.window.activeTextEditor
      : vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
  const options = editor?.options;

  const tabSize = typeof options?.tabSize === 'number' ? options.tabSize : 4;
  const indentSize = typeof options?.indentSize === 'number' ? options.indentSize : tabSize;
  const insertSpaces = typeof options?.insertSpaces === 'boolean' ? options.insertSpaces : true;
  return { insertSpaces, tabSize, indentSize };
}
