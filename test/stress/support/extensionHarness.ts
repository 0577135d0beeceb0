// Activates the extension inside this Node process under the fake `vscode` module, and gives
// tests what a user would see: the status bar item, the log, the panel and the state command.

import * as path from 'node:path';
import type { EngineStatus } from '../../../src/engine/protocol';
import type { ExtensionStateSnapshot } from '../../../src/status/extensionState';
import type { PanelInspection } from '../../../src/panel/activeExpertsView';
import { Disposable, FakeLogOutputChannel, FakeStatusBarItem, MemoryMemento, Uri, type FakeHost, type FakeTextEditor, type FakeWebviewView } from './fakeVscode';
import { installFakeVscode } from './installFakeVscode';

import { REPOSITORY_ROOT } from './repositoryRoot';

export { REPOSITORY_ROOT };
export const VIEW_ID = 'expertActivation.activeExperts';

export interface HarnessOptions {
  /** The module that exports `activate`: src/extension.ts (through tsx) unless given, such as dist/extension.js. */
  extensionModule?: string;
  /** The worker script the engine starts, in place of dist/worker.js. */
  workerScript: string;
  /** User settings to set before activation, relative to `expertActivation.`. */
  settings?: Record<string, unknown>;
}

interface InlineProvider {
  provideInlineCompletionItems(document: unknown, position: unknown, context: unknown, token: unknown): Promise<Array<{ insertText: string; range?: { start: unknown; end: unknown } }> | undefined>;
  requestsInFlight: number;
}

export interface ActivatedExtension {
  host: FakeHost;
  log: FakeLogOutputChannel;
  statusBar: FakeStatusBarItem;
  state(): Promise<ExtensionStateSnapshot>;
  /** Resolves the Active Experts view (once) and returns what the panel shows. */
  panel(): Promise<PanelInspection>;
  /** The resolved Active Experts view with the messages sent to it, once `panel()` was called. */
  view(): FakeWebviewView | undefined;
  provider(): InlineProvider;
  /** Asks the registered provider for a completion at the editor's cursor, as an explicit trigger would. */
  complete(editor: FakeTextEditor, options?: { explicit?: boolean; token?: CancellationSource }): ReturnType<InlineProvider['provideInlineCompletionItems']>;
  /** Waits until the engine status is one of `statuses`; fails naming the last status after `timeoutMs`. */
  waitForEngine(statuses: EngineStatus[], timeoutMs?: number): Promise<ExtensionStateSnapshot>;
  setSetting(key: string, value: unknown): void;
  deactivate(): void;
}

/** A cancellation token source shaped like `vscode.CancellationTokenSource`. */
export class CancellationSource {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();
  readonly token = {
    get isCancellationRequested(): boolean {
      return false;
    },
    onCancellationRequested: (listener: () => void) => {
      this.listeners.add(listener);
      return new Disposable(() => this.listeners.delete(listener));
    },
  };

  constructor() {
    const source = this;
    Object.defineProperty(this.token, 'isCancellationRequested', { get: () => source.cancelled });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const listener of [...this.listeners]) listener();
  }
}

export async function activateExtension(options: HarnessOptions): Promise<ActivatedExtension> {
  const { api, host } = installFakeVscode();
  for (const [key, value] of Object.entries(options.settings ?? {})) host.configuration.set(`expertActivation.${key}`, value);

  const subscriptions: Array<{ dispose(): unknown }> = [];
  const context = {
    subscriptions,
    extensionPath: REPOSITORY_ROOT,
    extensionUri: Uri.file(REPOSITORY_ROOT),
    extensionMode: api.ExtensionMode.Test,
    workspaceState: new MemoryMemento(),
    globalState: new MemoryMemento(),
    asAbsolutePath: (relative: string) =>
      path.normalize(relative) === path.join('dist', 'worker.js') ? options.workerScript : path.join(REPOSITORY_ROOT, relative),
  };

  const modulePath = options.extensionModule ?? path.join(REPOSITORY_ROOT, 'src', 'extension.ts');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require(modulePath) as { activate(context: unknown): void; deactivate?(): void };
  const firstChannel = host.outputChannels.length;
  const firstItem = host.statusBarItems.length;
  extension.activate(context);

  const log = host.outputChannels[firstChannel];
  const statusBar = host.statusBarItems[firstItem];
  if (log === undefined || statusBar === undefined) throw new Error('Activation created no output channel or no status bar item.');

  let view: FakeWebviewView | undefined;
  const state = () => host.commandHandlers.get('expertActivation.internal.getState')?.() as Promise<ExtensionStateSnapshot>;

  return {
    host,
    log,
    statusBar,
    state: async () => state(),
    panel: async () => {
      view ??= host.resolveView(VIEW_ID);
      return host.commandHandlers.get('expertActivation.panel.inspect')?.() as PanelInspection;
    },
    view: () => view,
    provider: () => {
      const provider = host.inlineProviders[host.inlineProviders.length - 1] as InlineProvider | undefined;
      if (provider === undefined) throw new Error('No inline completion provider is registered.');
      return provider;
    },
    complete: (editor, completeOptions = {}) => {
      const provider = host.inlineProviders[host.inlineProviders.length - 1] as InlineProvider;
      const token = completeOptions.token ?? new CancellationSource();
      const triggerKind = completeOptions.explicit === false ? api.InlineCompletionTriggerKind.Automatic : api.InlineCompletionTriggerKind.Invoke;
      return provider.provideInlineCompletionItems(editor.document, editor.selection.active, { triggerKind, selectedCompletionInfo: undefined }, token.token);
    },
    waitForEngine: async (statuses, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const snapshot = await state();
        if (statuses.includes(snapshot.engine.status)) return snapshot;
        if (Date.now() > deadline) throw new Error(`The engine stayed "${snapshot.engine.status}", expected ${statuses.join(' or ')}.`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    setSetting: (key, value) => host.configuration.set(`expertActivation.${key}`, value),
    deactivate: () => {
      extension.deactivate?.();
      for (const subscription of subscriptions.splice(0).reverse()) subscription.dispose();
    },
  };
}
