import * as vscode from 'vscode';
import type { CompletionResult, Engine, ExplainResult, RoutingOptions } from '../engine/protocol';
import { disableProblem, withExpertEnabled } from './controls';
import { createNonce, renderPanelHtml } from './html';
import { PanelController, type CursorContext } from './panelController';
import { readControlSettings, writeControlSetting } from './panelSettings';
import type { PanelAction, PanelSnapshot, RenderedMessage, WebviewMessage } from './protocol';
import { validateSnapshotMessage, validateWebviewMessage } from './protocolValidation';

export interface PanelDependencies {
  extensionUri: vscode.Uri;
  engine: Engine;
  log: vscode.LogOutputChannel;
  /** Routing options for a document under the current settings and pins (the routing policy). */
  routingFor(document: vscode.TextDocument): RoutingOptions;
  /** Whether completions are enabled for this document's language. */
  isLanguageEnabled(document: vscode.TextDocument): boolean;
  onDidComplete: vscode.Event<{ documentUri: string; result: CompletionResult }>;
  onDidExplain: vscode.Event<{ documentUri: string; result: ExplainResult }>;
  /** Fires when a pin or another input of the routing policy changes outside the panel. Optional. */
  onDidChangeRouting?: vscode.Event<unknown>;
}

/** The result of the internal inspect command, for integration tests. */
export interface PanelInspection {
  snapshot: PanelSnapshot;
  /** The webview's report of its last render, or undefined before its first render. */
  rendered: RenderedMessage | undefined;
  visible: boolean;
}

/** Editors that never count as the active document, such as the Output panel. */
const ignoredSchemes = new Set(['output']);

/**
 * The "Active Experts" webview view. It shows the routing at the cursor of the active editor
 * and turns the view's controls into commands and settings. Register it with
 * `vscode.window.registerWebviewViewProvider` and dispose it with the extension.
 */
export class ActiveExpertsViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'expertActivation.activeExperts';
  /** Internal command, not in the Command Palette, that returns a `PanelInspection`. */
  static readonly inspectCommand = 'expertActivation.panel.inspect';

  private view: vscode.WebviewView | undefined;
  private editor: vscode.TextEditor | undefined;
  private rendered: RenderedMessage | undefined;
  /** The last snapshot message sent, as JSON, so an unchanged snapshot is not sent again. */
  private lastPosted: string | undefined;
  private readonly controller: PanelController;
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly deps: PanelDependencies) {
    this.editor = acceptedEditor(vscode.window.activeTextEditor);
    this.controller = new PanelController({
      engine: deps.engine,
      log: deps.log,
      readCursor: () => this.readCursor(),
      readSettings: readControlSettings,
      post: (snapshot) => this.post(snapshot),
    });

    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => this.activeEditorChanged(editor)),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === this.editor) this.controller.cursorMoved();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.editor?.document && event.contentChanges.length > 0) this.controller.cursorMoved();
      }),
      // Changing a document's language closes and reopens it with the new language id.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document === vscode.window.activeTextEditor?.document) this.activeEditorChanged(vscode.window.activeTextEditor);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('expertActivation')) this.controller.settingsChanged();
      }),
      ...(deps.onDidChangeRouting ? [deps.onDidChangeRouting(() => this.controller.settingsChanged())] : []),
      deps.onDidComplete(({ documentUri, result }) => this.controller.recordCompletion(documentUri, result)),
      deps.onDidExplain(({ documentUri, result }) => this.controller.recordExplanation(documentUri, result)),
      vscode.commands.registerCommand(ActiveExpertsViewProvider.inspectCommand, (): PanelInspection => this.inspect()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.rendered = undefined;
    this.lastPosted = undefined;

    const { extensionUri } = this.deps;
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
    view.webview.html = renderPanelHtml({
      cspSource: view.webview.cspSource,
      nonce: createNonce(),
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'panel.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
    });

    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      view.onDidChangeVisibility(() => this.controller.setVisible(view.visible)),
      view.onDidDispose(() => {
        this.view = undefined;
        this.controller.setVisible(false);
        this.disposeView();
      }),
    );
    this.controller.setVisible(view.visible);
  }

  inspect(): PanelInspection {
    return { snapshot: this.controller.snapshot(), rendered: this.rendered, visible: this.controller.isVisible };
  }

  dispose(): void {
    this.disposeView();
    this.controller.dispose();
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }

  private disposeView(): void {
    for (const disposable of this.viewDisposables) disposable.dispose();
    this.viewDisposables = [];
  }

  private activeEditorChanged(editor: vscode.TextEditor | undefined): void {
    // Focusing the Output panel makes its document the active one; keep showing the last real editor.
    if (editor !== undefined && ignoredSchemes.has(editor.document.uri.scheme)) return;

    this.editor = editor;
    this.controller.editorChanged();
  }

  private readCursor(): CursorContext | undefined {
    const editor = this.editor;
    if (editor === undefined || editor.document.isClosed) return undefined;

    const document = editor.document;
    const cursor = editor.selection.active;
    return {
      document: {
        uri: document.uri.toString(),
        name: document.uri.path.split('/').pop() || document.uri.toString(),
        languageId: document.languageId,
        line: cursor.line + 1,
      },
      languageEnabled: this.deps.isLanguageEnabled(document),
      routing: this.deps.routingFor(document),
      readPrefix: (maxChars) => {
        const endOffset = document.offsetAt(cursor);
        const start = document.positionAt(Math.max(0, endOffset - maxChars));
        return document.getText(new vscode.Range(start, cursor));
      },
    };
  }

  private post(snapshot: PanelSnapshot): void {
    if (this.view === undefined) return;

    const message = { type: 'snapshot', snapshot } as const;
    const json = JSON.stringify(message);
    if (json === this.lastPosted) return;

    const checked = validateSnapshotMessage(message);
    if (!checked.ok) {
      this.deps.log.error(`Did not send an invalid snapshot to the Active Experts view: ${checked.problem}`);
      return;
    }
    this.lastPosted = json;
    void this.view.webview.postMessage(message);
  }

  private async receive(raw: unknown): Promise<void> {
    const checked = validateWebviewMessage(raw);
    if (!checked.ok) {
      this.deps.log.warn(`Dropped an invalid message from the Active Experts view: ${checked.problem}`);
      return;
    }

    try {
      await this.handle(checked.value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.deps.log.error(`The Active Experts view could not apply "${checked.value.type}": ${reason}`);
      void vscode.window.showErrorMessage(`Expert Activation: ${reason}`);
    }
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.lastPosted = undefined;
        this.controller.publish();
        return;

      case 'rendered':
        this.rendered = message;
        return;

      case 'reportProblem':
        this.deps.log.warn(`The Active Experts view reported: ${message.message}`);
        return;

      case 'pinDomain':
        if (!this.isCurrentDocument(message.uri)) return;
        if (!this.controller.panelModel?.domains.includes(message.domain)) {
          this.deps.log.warn(`Ignored a pin to "${message.domain}", which is not a domain of the loaded model.`);
          return;
        }
        await vscode.commands.executeCommand('expertActivation.pinDomain', { domain: message.domain, uri: message.uri });
        this.controller.settingsChanged();
        return;

      case 'clearPin':
        if (!this.isCurrentDocument(message.uri)) return;
        await vscode.commands.executeCommand('expertActivation.clearPin', { uri: message.uri });
        this.controller.settingsChanged();
        return;

      case 'setExpertEnabled':
        await this.setExpertEnabled(message.expertId, message.enabled);
        return;

      case 'setTopK': {
        const maxTopK = this.controller.panelModel?.maxTopK ?? 8;
        const topK = Math.min(maxTopK, message.topK);
        await writeControlSetting('routing.topK', topK, readControlSettings().settingsTarget, this.deps.log);
        return;
      }

      case 'setCounterfactual':
        await writeControlSetting(
          'routing.counterfactual.enabled',
          message.enabled,
          readControlSettings().settingsTarget,
          this.deps.log,
        );
        return;

      case 'runAction':
        await runAction(message.action);
        return;
    }
  }

  private async setExpertEnabled(expertId: string, enabled: boolean): Promise<void> {
    const settings = readControlSettings();
    const experts = this.controller.panelModel?.experts ?? [];

    if (!enabled) {
      const problem = disableProblem(experts, settings.disabledExperts, expertId, settings.topK);
      if (problem !== undefined) {
        this.deps.log.warn(problem);
        void vscode.window.showWarningMessage(problem);
        this.controller.publish();
        return;
      }
    }

    const next = withExpertEnabled(settings.disabledExperts, expertId, enabled);
    await writeControlSetting('routing.disabledExperts', next, settings.settingsTarget, this.deps.log);
  }

  private isCurrentDocument(uri: string): boolean {
    if (uri === this.controller.documentUri) return true;

    this.deps.log.info(`Ignored a domain change for ${uri}, which is no longer the active document.`);
    return false;
  }
}

function acceptedEditor(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  return editor !== undefined && !ignoredSchemes.has(editor.document.uri.scheme) ? editor : undefined;
}

async function runAction(action: PanelAction): Promise<void> {
  switch (action) {
    case 'showLog':
      await vscode.commands.executeCommand('expertActivation.showLog');
      return;
    case 'openModelSettings':
      await vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation.model');
      return;
    case 'openLanguageSettings':
      await vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation.completions.enabledLanguages');
      return;
    case 'openRoutingSettings':
      await vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation.routing');
      return;
    case 'explainAtCursor':
      await vscode.commands.executeCommand('expertActivation.explainAtCursor');
      return;
  }
}
