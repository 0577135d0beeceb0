// A scripted `Engine` and hand-driven timers for the panel controller's tests.

import type {
  CompleteRequest,
  CompletionResult,
  Engine,
  EngineState,
  ExplainRequest,
  ExplainResult,
  ModelInfo,
  RouteRequest,
  RoutingTrace,
} from '../../../src/engine/protocol';
import type { Timers } from '../../../src/panel/throttle';
import { sampleModel } from './panelSamples';

export interface RecordedRoute {
  request: Omit<RouteRequest, 'kind'>;
  signal: AbortSignal | undefined;
  resolve(trace: RoutingTrace): void;
  reject(error: unknown): void;
}

export class FakeEngine implements Engine {
  state: EngineState;
  readonly routes: RecordedRoute[] = [];
  private readonly listeners = new Set<(state: EngineState) => void>();

  constructor(status: EngineState['status'] = 'ready') {
    this.state = { status, model: status === 'loading' ? undefined : sampleModelInfo() };
  }

  setState(state: EngineState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }

  onDidChangeState(listener: (state: EngineState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  route(request: Omit<RouteRequest, 'kind'>, signal?: AbortSignal): Promise<RoutingTrace> {
    return new Promise((resolve, reject) => this.routes.push({ request, signal, resolve, reject }));
  }

  complete(_request: Omit<CompleteRequest, 'kind'>): Promise<CompletionResult> {
    return Promise.reject(new Error('FakeEngine.complete is not scripted'));
  }

  explain(_request: Omit<ExplainRequest, 'kind'>): Promise<ExplainResult> {
    return Promise.reject(new Error('FakeEngine.explain is not scripted'));
  }

  async reload(): Promise<void> {}

  dispose(): void {}
}

export function sampleModelInfo(): ModelInfo {
  const model = sampleModel();
  return {
    name: model.name,
    folder: '/models/expert-moe',
    domains: model.domains,
    experts: model.experts,
    layers: model.layers,
    expertsPerLayer: model.expertsPerLayer,
    defaultTopK: 2,
    maxContext: 2048,
    trainedContext: 256,
  };
}

/** Timers that fire only when a test calls `advance`. */
export class ManualTimers implements Timers {
  private now = 0;
  private nextHandle = 1;
  private readonly pending = new Map<number, { due: number; callback: () => void }>();

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.pending.set(handle, { due: this.now + delayMs, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.pending.entries()].sort((a, b) => a[1].due - b[1].due)[0];
      if (next === undefined || next[1].due > until) break;
      this.pending.delete(next[0]);
      this.now = next[1].due;
      next[1].callback();
    }
    this.now = until;
  }
}

/** Lets promise callbacks that are already queued run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function engineError(code: string, message: string): Error {
  return Object.assign(new Error(message), { info: { code, message } });
}
