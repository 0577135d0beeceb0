// Owns the inline completion provider and registers it, with its listeners, only while
// `expertActivation.completions.enabled` is on.

import * as vscode from 'vscode';
import { ExpertCompletionProvider, CompletionProviderDependencies } from './provider';
import { ToggledRegistration } from './registration';

/** Every file-like document, and untitled ones. */
const DOCUMENT_SELECTOR: vscode.DocumentSelector = [{ pattern: '**' }, { scheme: 'untitled' }];

export class CompletionFeature implements vscode.Disposable {
  readonly provider: ExpertCompletionProvider;
  private readonly registration: ToggledRegistration;

  constructor(deps: CompletionProviderDependencies) {
    this.provider = new ExpertCompletionProvider(deps);
    this.registration = new ToggledRegistration(() => [
      vscode.languages.registerInlineCompletionItemProvider(DOCUMENT_SELECTOR, this.provider),
      vscode.workspace.onDidCloseTextDocument((document) => this.provider.reset(document.uri.toString())),
    ]);
  }

  setEnabled(enabled: boolean): void {
    if (!enabled) this.provider.reset();
    this.registration.setEnabled(enabled);
  }

  get isRegistered(): boolean {
    return this.registration.isEnabled;
  }

  /** The provider registration plus its listeners held now: 2 while on, 0 while off. */
  get activeDisposables(): number {
    return this.registration.activeDisposables;
  }

  get registrationCount(): number {
    return this.registration.registrationCount;
  }

  dispose(): void {
    this.registration.dispose();
    this.provider.dispose();
  }
}
