// The panel's state and its routing requests, without `vscode`, so unit tests can drive it
// with a fake engine and fake timers. `activeExpertsView.ts` feeds it editor events.

import type {
  CompletionResult,
  Engine,
  EngineErrorInfo,
  EngineState,
  ExplainResult,
  ModelInfo,
  RoutingOptions,
  RoutingTrace,
} from '../engine/protocol';
import type {
  EngineRestart,
  PanelCompletion,
  PanelControls,
  PanelDocument,
  PanelExplanation,
  PanelModel,
  PanelSnapshot,
  SettingsTarget,
} from './protocol';
import { derivePanelStatus } from './status';
import { TrailingThrottle, type Timers } from './throttle';

/** The active editor at the cursor, read when a request is about to be sent. */
export interface CursorContext {
  document: PanelDocument;
  languageEnabled: boolean;
  /** Routing options for the document under the current settings and pins. */
  routing: RoutingOptions;
  /** Returns the text before the cursor, at most `maxChars` characters of it. */
  readPrefix(maxChars: number): string;
}

/** The settings behind the panel's controls. */
export interface ControlSettings {
  topK: number;
  disabledExperts: string[];
  counterfactual: boolean;
  settingsTarget: SettingsTarget;
}

export interface PanelLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface PanelControllerOptions {
  engine: Engine;
  log: PanelLogger;
  readCursor(): CursorContext | undefined;
  readSettings(): ControlSettings;
  /** Sends a snapshot to the webview. */
  post(snapshot: PanelSnapshot): void;
  /** Minimum time between two routing requests. */
  throttleMs?: number;
  timers?: Timers;
}

export const defaultThrottleMs = 300;

/** The top-k setting accepts 1 to 8, whatever the model allows beyond that. */
const settingsMaxTopK = 8;

/** Documents whose last completion and explanation are kept for when the user returns to them. */
const rememberedDocuments = 32;

/**
 * Owns what the panel shows and requests routing at the cursor from the engine: at most one request
 * per throttle window, only while the view is visible, one at a time, and under the document
 * key `panel:<uri>` so that a newer panel request supersedes an older one without touching
 * completion requests.
 */
export class PanelController {
  private cursor: CursorContext | undefined;
  private routing: { uri: string; trace: RoutingTrace } | undefined;
  private routingError: { uri: string; error: EngineErrorInfo } | undefined;
  private readonly completions = new Map<string, PanelCompletion>();
  private readonly explanations = new Map<string, PanelExplanation>();
  private model: ModelInfo | undefined;
  private visible = false;
  private inFlight: AbortController | undefined;
  private routeAgainWhenDone = false;
  private lastLoggedProblem: string | undefined;
  private lastStatusKey: string;
  private lastRestart: EngineRestart | undefined;
  private engineWorking: boolean;
  private readonly throttle: TrailingThrottle;
  private readonly engineSubscription: { dispose(): void };

  constructor(private readonly options: PanelControllerOptions) {
    this.throttle = new TrailingThrottle(options.throttleMs ?? defaultThrottleMs, () => void this.route(), options.timers);
    this.model = options.engine.state.model;
    this.engineWorking = isWorking(options.engine.state);
    this.lastStatusKey = statusKey(options.engine.state);
    this.engineSubscription = options.engine.onDidChangeState((state) => this.engineStateChanged(state));
    this.cursor = options.readCursor();
  }

  get isVisible(): boolean {
    return this.visible;
  }

  setVisible(visible: boolean): void {
    this.visible = visible;

    if (visible) {
      this.editorChanged();
      return;
    }

    this.throttle.cancel();
    this.inFlight?.abort();
  }

  /** Shows the new active document at once, then schedules routing for it. */
  editorChanged(): void {
    this.cursor = this.options.readCursor();
    this.publish();
    this.requestRouting();
  }

  /** Schedules routing after the cursor moved or the document changed. */
  cursorMoved(): void {
    this.requestRouting();
  }

  /** Rereads the controls and reroutes after settings or pins changed. */
  settingsChanged(): void {
    this.editorChanged();
  }

  recordCompletion(documentUri: string, result: CompletionResult): void {
    if (result.trace.generated.length === 0) return;

    remember(this.completions, documentUri, { text: result.completion, tokens: result.trace.generated });
    if (documentUri === this.cursor?.document.uri) this.publish();
  }

  recordExplanation(documentUri: string, result: ExplainResult): void {
    remember(this.explanations, documentUri, { completion: result.completion, impacts: result.impacts });
    if (result.trace.generated.length > 0) {
      remember(this.completions, documentUri, { text: result.completion, tokens: result.trace.generated });
    }
    if (documentUri === this.cursor?.document.uri) this.publish();
  }

  /** The current document's uri, for checking requests from the webview. */
  get documentUri(): string | undefined {
    return this.cursor?.document.uri;
  }

  get panelModel(): PanelModel | undefined {
    return this.model && toPanelModel(this.model);
  }

  snapshot(): PanelSnapshot {
    const cursor = this.cursor;
    const uri = cursor?.document.uri;
    const editorFacts = cursor && { languageId: cursor.document.languageId, languageEnabled: cursor.languageEnabled };

    return {
      status: derivePanelStatus(this.options.engine.state, editorFacts, this.lastRestart),
      controls: this.controls(cursor?.routing),
      document: cursor?.document,
      model: this.panelModel,
      routing: this.routing?.uri === uri ? this.routing?.trace : undefined,
      routingError: this.routingError?.uri === uri ? this.routingError?.error : undefined,
      completion: uri === undefined ? undefined : this.completions.get(uri),
      explanation: uri === undefined ? undefined : this.explanations.get(uri),
    };
  }

  publish(): void {
    this.options.post(this.snapshot());
  }

  dispose(): void {
    this.throttle.cancel();
    this.inFlight?.abort();
    this.engineSubscription.dispose();
  }

  private controls(routing: RoutingOptions | undefined): PanelControls {
    const settings = this.options.readSettings();
    return {
      topK: settings.topK,
      disabledExperts: settings.disabledExperts,
      counterfactual: settings.counterfactual,
      settingsTarget: settings.settingsTarget,
      mode: routing?.mode ?? 'auto',
      minConfidence: routing?.minConfidence ?? 0.5,
      domain: routing?.domain,
      domainSource: routing?.domainSource,
    };
  }

  /** Publishes status changes only: `ready` and `busy` alternate with every request and look the same here. */
  private engineStateChanged(state: EngineState): void {
    const modelChanged = state.model !== undefined && state.model !== this.model;
    if (state.model) this.model = state.model;

    // A restart keeps its note until the next one; loading without a reason is a new model or start.
    if (state.status === 'restarting' && state.error !== undefined) this.lastRestart = { reason: state.error.message, at: Date.now() };
    if (state.status === 'loading' && state.error === undefined) this.lastRestart = undefined;

    const wasWorking = this.engineWorking;
    this.engineWorking = isWorking(state);
    const key = statusKey(state);
    if (!modelChanged && key === this.lastStatusKey) return;

    this.lastStatusKey = key;
    this.publish();
    if (this.engineWorking && !wasWorking) this.requestRouting();
  }

  private requestRouting(): void {
    if (this.visible) this.throttle.schedule();
  }

  private async route(): Promise<void> {
    if (!this.visible) return;
    if (this.inFlight) {
      this.routeAgainWhenDone = true;
      return;
    }

    const cursor = this.options.readCursor();
    this.cursor = cursor;
    if (!cursor || !cursor.languageEnabled || !isWorking(this.options.engine.state)) {
      this.publish();
      return;
    }

    const abort = new AbortController();
    this.inFlight = abort;
    const uri = cursor.document.uri;
    try {
      const maxContext = this.model?.maxContext ?? 2048;
      // About four characters per token at most, so the engine always gets a full context window.
      const prefix = cursor.readPrefix(maxContext * 4);
      const trace = await this.options.engine.route(
        { documentKey: `panel:${uri}`, prefix, routing: cursor.routing },
        abort.signal,
      );
      this.routing = { uri, trace };
      this.routingError = undefined;
      this.lastLoggedProblem = undefined;
    } catch (error) {
      this.routingFailed(uri, error, abort.signal.aborted);
    } finally {
      this.inFlight = undefined;
    }

    this.publish();
    if (this.routeAgainWhenDone) {
      this.routeAgainWhenDone = false;
      this.requestRouting();
    }
  }

  private routingFailed(uri: string, error: unknown, aborted: boolean): void {
    const info = engineErrorOf(error);
    if (aborted || info.code === 'superseded' || info.code === 'cancelled') {
      this.options.log.debug(`Panel routing for ${uri} ended early: ${info.code}.`);
      return;
    }

    this.routingError = { uri, error: info };
    const problem = `${info.code}: ${info.message}`;
    if (problem !== this.lastLoggedProblem) {
      this.lastLoggedProblem = problem;
      this.options.log.warn(`Panel routing for ${uri} failed (${problem}). Repeats of this error are not logged.`);
    }
  }
}

export function toPanelModel(model: ModelInfo): PanelModel {
  return {
    name: model.name,
    domains: model.domains,
    experts: model.experts,
    layers: model.layers,
    expertsPerLayer: model.expertsPerLayer,
    maxTopK: Math.max(1, Math.min(settingsMaxTopK, model.expertsPerLayer)),
  };
}

/** Reads the `info` that engine errors carry, or wraps any other error as `internal`. */
export function engineErrorOf(error: unknown): EngineErrorInfo {
  const info = (error as { info?: Partial<EngineErrorInfo> } | undefined)?.info;
  if (info && typeof info.code === 'string' && typeof info.message === 'string') return info as EngineErrorInfo;

  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message };
}

function isWorking(state: EngineState): boolean {
  return state.status === 'ready' || state.status === 'busy';
}

function statusKey(state: EngineState): string {
  return JSON.stringify([state.status === 'busy' ? 'ready' : state.status, state.progress, state.error]);
}

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > rememberedDocuments) {
    const oldest = map.keys().next().value as string;
    map.delete(oldest);
  }
}
