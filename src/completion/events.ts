// Events that the completion provider and the explain command publish for the panel and the
// status bar.

import * as vscode from 'vscode';
import type { CompletionResult, ExplainResult } from '../engine/protocol';

export interface CompletionEvent {
  documentUri: string;
  result: CompletionResult;
}

export interface ExplainEvent {
  documentUri: string;
  result: ExplainResult;
}

export interface RequestActivity {
  documentUri: string;
  state: 'started' | 'finished';
  /** Milliseconds from sending the request to its result, when it finished with a result. */
  latencyMs?: number;
  /** The engine error's message, when the request failed for another reason than cancellation. */
  error?: string;
}

export class CompletionEvents implements vscode.Disposable {
  readonly didComplete = new vscode.EventEmitter<CompletionEvent>();
  readonly didExplain = new vscode.EventEmitter<ExplainEvent>();
  readonly requestActivity = new vscode.EventEmitter<RequestActivity>();

  dispose(): void {
    this.didComplete.dispose();
    this.didExplain.dispose();
    this.requestActivity.dispose();
  }
}
