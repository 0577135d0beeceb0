// Helpers for the completion and settings integration tests: the extension's internal state,
// fixture documents, and triggering and accepting an inline completion.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { ExtensionStateSnapshot } from '../../../../src/status/extensionState';
import { requestScreenshot } from '../../harness/request-screenshot';

export const EXTENSION_ID = 'expert-activation.expert-activation';

const POLL_INTERVAL_MS = 100;

export async function activateExtension(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} not found in the extension host`);
  await extension.activate();
}

export function getState(): Promise<ExtensionStateSnapshot> {
  return vscode.commands.executeCommand<ExtensionStateSnapshot>('expertActivation.internal.getState') as Promise<ExtensionStateSnapshot>;
}

/** Polls `probe` until it returns a value other than undefined; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await delay(POLL_INTERVAL_MS);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitForEngineReady(): Promise<void> {
  await waitFor(
    'the model to load',
    async () => {
      const state = await getState();
      if (state.engine.status === 'error') {
        throw new Error(`The engine failed to load: ${state.engine.error?.message} ${state.engine.error?.action ?? ''}`);
      }
      return state.engine.status === 'ready' || state.engine.status === 'busy' ? true : undefined;
    },
    120_000,
  );
}

/** Opens a file of test/fixtures/workspace, the folder the tests run in. */
export async function openFixture(name: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need test/fixtures/workspace open as the workspace folder');
  const document = await vscode.workspace.openTextDocument(path.join(folder.uri.fsPath, name));
  return vscode.window.showTextDocument(document, { preview: false });
}

export async function openUntitled(content: string, language: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ content, language });
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Closes every editor without saving, so edited fixtures and untitled documents ask nothing. */
export async function closeAllEditors(): Promise<void> {
  for (let i = 0; i < 50 && vscode.window.visibleTextEditors.length > 0; i += 1) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function placeCursor(editor: vscode.TextEditor, position: vscode.Position): void {
  editor.selection = new vscode.Selection(position, position);
}

export function endOfDocument(document: vscode.TextDocument): vscode.Position {
  return document.lineAt(document.lineCount - 1).range.end;
}

export interface AcceptedCompletion {
  /** The text the provider showed, with LF line breaks. */
  shown: string;
  before: string;
  after: string;
}

/**
 * Triggers an inline completion at the cursor and accepts it. When the provider showed nothing,
 * the assertion message gives the provider's reason.
 */
export async function triggerAndAccept(editor: vscode.TextEditor, screenshotName?: string): Promise<AcceptedCompletion> {
  const result = await triggerAndAcceptIfShown(editor, screenshotName);
  assert.ok(result.accepted, `No completion was shown: ${result.discardReason}`);
  return result.accepted;
}

/** Triggers an inline completion at the cursor and accepts it when one is shown. */
export async function triggerAndAcceptIfShown(
  editor: vscode.TextEditor,
  screenshotName?: string,
): Promise<{ accepted?: AcceptedCompletion; discardReason?: string }> {
  const documentUri = editor.document.uri.toString();
  const before = editor.document.getText();
  const previous = (await getState()).lastOutcome?.requestNumber ?? 0;

  await vscode.window.showTextDocument(editor.document, { preview: false, selection: editor.selection });
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');

  const outcome = await waitFor(
    'the completion request to finish',
    async () => {
      const state = await getState();
      const last = state.lastOutcome;
      if (last === undefined || last.requestNumber <= previous || last.documentUri !== documentUri) return undefined;
      if (last.shown === undefined && last.discardReason !== undefined && /cancel|changed|superseded/.test(last.discardReason)) return undefined;
      return last;
    },
    60_000,
  );
  if (outcome.shown === undefined) return { discardReason: outcome.discardReason };

  // The ghost text is on screen once the provider returned; accept it.
  await delay(300);
  if (screenshotName !== undefined) await requestScreenshot(screenshotName);
  await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
  const after = await waitFor('the completion to be inserted', () => {
    const text = editor.document.getText();
    return text !== before ? text : undefined;
  }, 10_000);

  return { accepted: { shown: outcome.shown, before, after } };
}

/** Sets an `expertActivation.*` setting in the workspace; `undefined` removes it. */
export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('expertActivation').update(key, value, vscode.ConfigurationTarget.Workspace);
}
