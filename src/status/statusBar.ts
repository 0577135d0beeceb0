// The status bar item: the active document's domain and its source, the engine's state and the
// last completion's latency. Clicking it opens the status menu.

import * as vscode from 'vscode';
import type { DomainPosterior, Engine } from '../engine/protocol';
import { describeError } from '../completion/engineErrors';
import type { CompletionEvents } from '../completion/events';
import { isLanguageEnabled } from '../completion/languages';
import type { DocumentRouting } from '../settings/documentRouting';
import type { PinStore } from '../settings/pinStore';
import type { SettingsService } from '../settings/settingsService';
import { COMMANDS } from './commandIds';
import { describeStatus, StatusView } from './statusText';

/** Delay before detecting the domain of a newly active document, so quick editor switches cost nothing. */
const DETECTION_DELAY_MS = 400;
const MIN_DETECTION_CHARS = 200;
const DETECTION_PREFIX_CHARS = 4000;

export interface StatusBarDependencies {
  engine: Engine;
  settings: SettingsService;
  routing: DocumentRouting;
  pins: PinStore;
  events: CompletionEvents;
  log: vscode.LogOutputChannel;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly detected = new Map<string, DomainPosterior>();
  private readonly generating = new Set<string>();
  private lastLatencyMs: number | undefined;
  private lastRequestError: string | undefined;
  private lastRestart: string | undefined;
  private detectionTimer: NodeJS.Timeout | undefined;
  private detection: AbortController | undefined;
  private current: StatusView | undefined;

  constructor(private readonly deps: StatusBarDependencies) {
    this.item = vscode.window.createStatusBarItem('expertActivation.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Expert Activation';
    this.item.command = COMMANDS.statusMenu;

    const { engine, settings, pins, events } = deps;
    this.subscriptions.push(
      this.item,
      engine.onDidChangeState(() => this.guarded('engine state change', () => this.onEngineStateChanged())),
      vscode.window.onDidChangeActiveTextEditor(() => this.guarded('editor change', () => this.onActiveEditorChanged())),
      vscode.workspace.onDidOpenTextDocument((document) =>
        this.guarded('document open', () => {
          if (document === vscode.window.activeTextEditor?.document) this.onActiveEditorChanged();
        }),
      ),
      vscode.workspace.onDidCloseTextDocument((document) => this.detected.delete(document.uri.toString())),
      settings.onDidChange(({ settings: current, previous }) =>
        this.guarded('settings change', () => {
          if (JSON.stringify(current.routing) !== JSON.stringify(previous.routing)) this.detected.clear();
          this.onActiveEditorChanged();
        }),
      ),
      pins.onDidChange(() => this.guarded('pin change', () => this.update())),
      events.requestActivity.event((activity) =>
        this.guarded('request activity', () => {
          if (activity.state === 'started') {
            this.generating.add(activity.documentUri);
          } else {
            this.generating.delete(activity.documentUri);
            if (activity.latencyMs !== undefined) this.lastLatencyMs = activity.latencyMs;
            this.lastRequestError = activity.error;
          }
          this.update();
        }),
      ),
      events.didComplete.event(({ documentUri, result }) =>
        this.guarded('completion result', () => {
          this.detected.set(documentUri, result.trace.domain);
          this.update();
        }),
      ),
      events.didExplain.event(({ documentUri, result }) =>
        this.guarded('explain result', () => {
          this.detected.set(documentUri, result.trace.domain);
          this.update();
        }),
      ),
    );

    this.onActiveEditorChanged();
  }

  /** The item's current view, for the status menu and the internal state command. */
  get view(): StatusView {
    return this.current ?? this.compute();
  }

  detectedDomain(documentUri: string): DomainPosterior | undefined {
    return this.detected.get(documentUri);
  }

  update(): void {
    this.current = this.compute();
    this.item.text = this.current.text;
    const tooltip = new vscode.MarkdownString(this.current.tooltip);
    tooltip.supportThemeIcons = true;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = this.current.isError ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.accessibilityInformation = { label: `Expert Activation: ${this.current.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.detectionTimer);
    this.detection?.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private compute(): StatusView {
    const { engine, settings, routing } = this.deps;
    const editor = vscode.window.activeTextEditor;
    const document = editor?.document;
    const completions = settings.settings.completions;

    return describeStatus({
      engine: engine.state,
      completionsEnabled: completions.enabled,
      document:
        document === undefined
          ? undefined
          : {
              languageId: document.languageId,
              languageEnabled: isLanguageEnabled(completions.enabledLanguages, document.languageId),
              decision: routing.decide(document),
              detected: this.detected.get(document.uri.toString()),
            },
      generating: document !== undefined && this.generating.has(document.uri.toString()),
      lastLatencyMs: this.lastLatencyMs,
      lastRequestError: this.lastRequestError,
      lastRestart: this.lastRestart,
    });
  }

  private onEngineStateChanged(): void {
    const state = this.deps.engine.state;
    if (state.status === 'restarting' && state.error !== undefined) {
      this.lastRestart = `${state.error.message} (${new Date().toLocaleTimeString()})`;
    }
    if (state.status === 'ready') this.scheduleDetection();
    if (state.status !== 'ready' && state.status !== 'busy') this.generating.clear();
    this.update();
  }

  private onActiveEditorChanged(): void {
    this.update();
    this.scheduleDetection();
  }

  /** Detects the active document's domain once, when it routes by detection and none is known yet. */
  private scheduleDetection(): void {
    clearTimeout(this.detectionTimer);
    this.detectionTimer = setTimeout(() => this.guarded('domain detection', () => void this.detectActiveDocument()), DETECTION_DELAY_MS);
  }

  private async detectActiveDocument(): Promise<void> {
    const { engine, routing, log } = this.deps;
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) return;
    const status = engine.state.status;
    if (status !== 'ready' && status !== 'busy') return;

    const document = editor.document;
    const documentUri = document.uri.toString();
    const options = routing.routingFor(document);
    if (options.mode === 'off' || options.domain !== undefined || this.detected.has(documentUri)) return;

    this.detection?.abort();
    const controller = new AbortController();
    this.detection = controller;
    const prefix = detectionText(document, document.offsetAt(editor.selection.active));
    if (prefix.trim() === '') return;

    try {
      const trace = await engine.route({ documentKey: `route:${documentUri}`, prefix, routing: options }, controller.signal);
      this.detected.set(documentUri, trace.domain);
      log.debug(`Detected the ${trace.domain.domain} domain for ${documentUri} (confidence ${trace.domain.confidence.toFixed(2)}).`);
      this.update();
    } catch (error) {
      if (!controller.signal.aborted) log.debug(`Detecting the domain of ${documentUri} failed: ${describeError(error)}`);
    }
  }

  private guarded(what: string, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.deps.log.error(`Status bar: handling the ${what} failed: ${describeError(error)}`);
    }
  }
}

/**
 * Returns the text the domain is detected from: the text before the cursor, or the start of the
 * document when little text precedes the cursor (a document just opened has its cursor at 0).
 */
function detectionText(document: vscode.TextDocument, cursor: number): string {
  const documentLength = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
  const end = cursor < MIN_DETECTION_CHARS ? Math.min(documentLength, DETECTION_PREFIX_CHARS) : cursor;
  const start = Math.max(0, end - DETECTION_PREFIX_CHARS);
  return document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end))).replace(/\r\n?/g, '\n');
}
