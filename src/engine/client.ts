// EngineClient: the `Engine` over a worker thread that owns the ONNX session. Works in the
// extension host and in plain Node. It keeps request ids, supersedes older requests of the
// same document, forwards cancellation, restarts a crashed or stuck worker with backoff, and
// reports its state. A worker that is late with a heartbeat reply gets a standby that loads
// the model meanwhile, so that replacing a stuck worker does not wait for a fresh load.

import { Worker } from 'node:worker_threads';
import { EngineError, engineError, isErrorInfo } from './errors';
import type { EngineLogger } from './logger';
import { createControlBuffer, isInNativeCall, terminateWhenSafe } from './nativeGuard';
import type {
  CompleteRequest,
  CompletionResult,
  Engine,
  EngineErrorInfo,
  EngineRequest,
  EngineState,
  ExplainRequest,
  ExplainResult,
  ModelInfo,
  RouteRequest,
  RoutingTrace,
} from './protocol';
import type { FromWorkerMessage, ToWorkerMessage, WorkerStartOptions } from './workerProtocol';

export interface EngineClientOptions {
  modelFolder: string;
  threads: number;
  /** Path of the bundled worker, dist/worker.js. */
  workerScript: string;
  log: EngineLogger;
  /** Context window in tokens; defaults to the model's trainedContext. */
  contextTokens?: number;
  /** Time between heartbeats; defaults to 100 ms. */
  heartbeatIntervalMs?: number;
  /** A worker that leaves a heartbeat unanswered this long is restarted; defaults to 1000 ms. */
  heartbeatTimeoutMs?: number;
  /**
   * The heartbeat limit while the worker is inside one native onnxruntime call, during which it
   * cannot reply to messages; defaults to 15 s. A call of this model takes milliseconds.
   */
  nativeCallTimeoutMs?: number;
  /** A worker that has not loaded the model after this long is restarted. */
  loadTimeoutMs?: number;
}

interface WorkerThread {
  worker: Worker;
  control: SharedArrayBuffer;
  startedAt: number;
  /** Set when a standby worker has loaded the model before it was needed. */
  loadedModel?: ModelInfo;
}

interface PendingRequest {
  documentKey: string;
  /** Kept until a worker has received it, so a request made while restarting goes to the new worker. */
  message?: ToWorkerMessage;
  resolve(result: unknown): void;
  reject(error: EngineError): void;
  detachSignal(): void;
}

/** The first restart after a crash is immediate; repeated ones wait 250 ms, 500 ms, ... up to 8 s. */
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 8000;
/** A worker that ran this long before crashing restarts immediately again. */
const STABLE_UPTIME_MS = 60_000;
const DEFAULT_HEARTBEAT_INTERVAL_MS = 100;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 1000;
const DEFAULT_NATIVE_CALL_TIMEOUT_MS = 15_000;
/** The heartbeat timer's period at most, so a stuck worker is noticed soon after its timeout. */
const MAX_HEARTBEAT_TICK_MS = 100;
/** A heartbeat unanswered for this share of its limit starts a standby worker. */
const STANDBY_AFTER_SHARE_OF_LIMIT = 0.4;
/** The shortest time between two standby workers, so that a slow but healthy worker costs little. */
const STANDBY_COOLDOWN_MS = 30_000;

export class EngineClient implements Engine {
  private currentState: EngineState = { status: 'stopped' };
  private readonly listeners = new Set<(state: EngineState) => void>();
  private readonly pending = new Map<number, PendingRequest>();
  private options: EngineClientOptions;
  /** The worker that serves requests. */
  private current: WorkerThread | undefined;
  /** A second worker that loads the model while the current one is late with a heartbeat reply. */
  private standby: WorkerThread | undefined;
  private standbyStartedAt = Number.NEGATIVE_INFINITY;
  private ready: Promise<void> | undefined;
  private settleReady: { resolve(): void; reject(error: EngineError): void } | undefined;
  private nextId = 1;
  private consecutiveRestarts = 0;
  /** The reason the current worker replaced a lost one, shown while it loads and cleared once it is ready. */
  private restartReason: EngineErrorInfo | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private outstandingPing: { id: number; sentAt: number } | undefined;
  private disposed = false;

  constructor(options: EngineClientOptions) {
    this.options = options;
  }

  get state(): EngineState {
    return this.currentState;
  }

  onDidChangeState(listener: (state: EngineState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts the worker and resolves once the model has loaded; rejects with the load error. */
  start(): Promise<void> {
    if (this.disposed) return Promise.reject(engineError('cancelled', 'The engine was disposed.'));
    if (this.ready === undefined) this.spawnWorker();
    return this.ready as Promise<void>;
  }

  route(request: Omit<RouteRequest, 'kind'>, signal?: AbortSignal): Promise<RoutingTrace> {
    return this.send({ ...request, kind: 'route' }, signal) as Promise<RoutingTrace>;
  }

  complete(request: Omit<CompleteRequest, 'kind'>, signal?: AbortSignal): Promise<CompletionResult> {
    return this.send({ ...request, kind: 'complete' }, signal) as Promise<CompletionResult>;
  }

  explain(request: Omit<ExplainRequest, 'kind'>, signal?: AbortSignal): Promise<ExplainResult> {
    return this.send({ ...request, kind: 'explain' }, signal) as Promise<ExplainResult>;
  }

  async reload(options: { modelFolder: string; threads: number }): Promise<void> {
    this.options = { ...this.options, ...options };
    this.options.log.info(`Reloading the engine with ${options.modelFolder} and ${options.threads} threads.`);
    const reason = engineError('cancelled', 'The engine reloaded its model, so the request was dropped.');
    this.stopStandby('the engine reloaded its model');
    this.stopWorker(reason);
    this.rejectReady(reason);
    this.consecutiveRestarts = 0;
    this.restartReason = undefined;
    this.ready = undefined;
    await this.start();
  }

  dispose(): void {
    if (this.disposed) return;
    const reason = engineError('cancelled', 'The engine was disposed.');
    this.stopStandby('the engine was disposed');
    this.stopWorker(reason);
    this.rejectReady(reason);
    this.disposed = true;
    this.setState({ status: 'stopped' });
    this.listeners.clear();
  }

  /** Test hook: ends the worker thread as a crash would, or blocks its event loop for `ms`. */
  simulateWorkerFault(fault: 'exit' | 'block', ms = 0): void {
    this.post(fault === 'exit' ? { type: 'test-exit' } : { type: 'test-block', ms });
  }

  private send(request: EngineRequest, signal?: AbortSignal): Promise<unknown> {
    if (this.disposed) return Promise.reject(engineError('cancelled', 'The engine was disposed.'));
    if (signal?.aborted) return Promise.reject(engineError('cancelled', 'The request was cancelled before it was sent.'));
    if (this.currentState.status === 'error' && this.currentState.error !== undefined) {
      return Promise.reject(new EngineError(this.currentState.error));
    }
    if (this.ready === undefined) void this.start().catch(() => undefined);

    for (const [id, older] of this.pending) {
      if (older.documentKey !== request.documentKey) continue;
      this.settle(id, engineError('superseded', `A newer request for document ${request.documentKey} replaced this one.`));
      this.post({ type: 'cancel', id });
    }

    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.settle(id, engineError('cancelled', 'The request was cancelled.'));
        this.post({ type: 'cancel', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const pending: PendingRequest = {
        documentKey: request.documentKey,
        message: { type: 'request', id, request },
        resolve,
        reject,
        detachSignal: () => signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(id, pending);
      this.postPending(pending);
      this.updateBusy();
    });
  }

  /** Resolves (`outcome` a result) or rejects (`outcome` an EngineError) one pending request. */
  private settle(id: number, outcome: EngineError | { result: unknown }): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    request.detachSignal();
    if (outcome instanceof EngineError) request.reject(outcome);
    else request.resolve(outcome.result);
    this.updateBusy();
  }

  private post(message: ToWorkerMessage): void {
    this.current?.worker.postMessage(message);
  }

  private postPending(pending: PendingRequest): void {
    if (this.current === undefined || pending.message === undefined) return;
    this.current.worker.postMessage(pending.message);
    pending.message = undefined;
  }

  private spawnWorker(): void {
    // After a crash, start() callers still wait on the same promise for the replacement worker.
    if (this.settleReady === undefined) {
      this.ready = new Promise<void>((resolve, reject) => {
        this.settleReady = { resolve, reject };
      });
      this.ready.catch(() => undefined);
    }

    const standby = this.standby;
    this.standby = undefined;
    if (standby !== undefined) {
      const progress = standby.loadedModel === undefined ? 'is still loading the model' : 'has loaded the model';
      this.options.log.info(`Switching to the standby inference worker, which ${progress}.`);
    }
    const thread = standby ?? this.createWorker();
    this.current = thread;
    if (thread.loadedModel === undefined) this.setState({ status: 'loading', progress: 0, error: this.restartReason });
    else this.onModelLoaded(thread.loadedModel);

    this.startHeartbeat(thread);
    for (const pending of this.pending.values()) this.postPending(pending);
  }

  /** Starts a worker thread that loads the model. Its messages reach this client while it is the current worker or the standby. */
  private createWorker(): WorkerThread {
    const { modelFolder, threads, contextTokens, workerScript, log } = this.options;
    log.info(`Starting the inference worker ${workerScript} for ${modelFolder}.`);

    const control = createControlBuffer();
    const workerData: WorkerStartOptions = { modelFolder, threads, contextTokens, controlBuffer: control };
    const worker = new Worker(workerScript, { workerData });
    worker.on('message', (message: FromWorkerMessage) => {
      if (this.current?.worker === worker) this.onWorkerMessage(message);
      else if (this.standby?.worker === worker) this.onStandbyMessage(message);
    });
    worker.on('error', (error) => {
      if (this.current?.worker === worker) log.error(`The inference worker failed: ${error.stack ?? error.message}`);
      else if (this.standby?.worker === worker) log.error(`The standby inference worker failed: ${error.stack ?? error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.standby?.worker === worker) {
        this.standby = undefined;
        log.warn(`The standby inference worker stopped unexpectedly (exit code ${code}).`);
        return;
      }
      if (this.current?.worker !== worker) return;
      this.onWorkerLost(engineError('worker-crashed', `The inference worker stopped unexpectedly (exit code ${code}).`, {
        action: 'The engine restarts it automatically; if this repeats, check the log.',
      }));
    });
    return { worker, control, startedAt: Date.now() };
  }

  private onWorkerMessage(message: FromWorkerMessage): void {
    switch (message.type) {
      case 'progress':
        this.setState({ status: 'loading', progress: message.progress, error: this.restartReason });
        break;
      case 'ready':
        this.onModelLoaded(message.model);
        break;
      case 'load-failed':
        this.onLoadFailed(message.error);
        break;
      case 'result':
        this.settle(message.id, { result: message.result });
        break;
      case 'error':
        this.settle(message.id, new EngineError(isErrorInfo(message.error) ? message.error : { code: 'internal', message: String(message.error) }));
        break;
      case 'pong':
        if (this.outstandingPing?.id !== message.id) break;
        if (this.standby !== undefined) {
          const waited = Date.now() - this.outstandingPing.sentAt;
          this.stopStandby(`the inference worker answered its heartbeat after ${waited} ms`);
        }
        this.outstandingPing = undefined;
        break;
      case 'log':
        this.options.log[message.level](message.message);
        break;
    }
  }

  private onModelLoaded(model: ModelInfo): void {
    this.restartReason = undefined;
    this.setState({ status: this.pending.size > 0 ? 'busy' : 'ready', model });
    this.settleReady?.resolve();
    this.settleReady = undefined;
  }

  private onStandbyMessage(message: FromWorkerMessage): void {
    const standby = this.standby as WorkerThread;
    if (message.type === 'ready') standby.loadedModel = message.model;
    if (message.type === 'log') this.options.log[message.level](`Standby worker: ${message.message}`);
    if (message.type === 'load-failed') this.stopStandby(`it could not load the model: ${message.error.message}`);
  }

  /** Starts the standby worker, unless one runs, one ran recently, or a restart would wait out a backoff. */
  private startStandby(reason: string): void {
    const now = Date.now();
    if (this.standby !== undefined || now - this.standbyStartedAt < STANDBY_COOLDOWN_MS || this.restartDelayMs() > 0) return;
    this.options.log.info(`Starting a standby inference worker because ${reason}.`);
    this.standbyStartedAt = now;
    this.standby = this.createWorker();
  }

  private stopStandby(reason: string): void {
    const standby = this.standby;
    if (standby === undefined) return;
    this.standby = undefined;
    this.options.log.info(`Stopping the standby inference worker because ${reason}.`);
    terminateWhenSafe(standby.worker, standby.control);
  }

  private onLoadFailed(info: EngineErrorInfo): void {
    this.options.log.error(`Loading the model failed: ${info.message}`);
    const error = new EngineError(info);
    this.stopStandby('the model could not be loaded');
    this.stopWorker(error);
    this.setState({ status: 'error', error: info });
    this.rejectReady(error);
  }

  /** Fails the pending requests of a crashed or stuck worker and schedules a new one. */
  private onWorkerLost(error: EngineError): void {
    const delay = this.restartDelayMs();
    if (this.ranStably()) this.consecutiveRestarts = 0;
    this.consecutiveRestarts += 1;
    if (delay > 0) this.stopStandby('restarts are backing off');

    this.options.log.warn(`${error.message} Restarting it in ${delay} ms.`);
    this.stopWorker(error);
    this.restartReason = error.info;
    this.setState({ status: 'restarting', error: error.info });

    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.disposed) return;
      this.spawnWorker();
    }, delay);
  }

  /** Returns how long the next restart waits: nothing after a stable run, then a doubling backoff. */
  private restartDelayMs(): number {
    if (this.ranStably() || this.consecutiveRestarts === 0) return 0;
    return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (this.consecutiveRestarts - 1));
  }

  /** Returns whether the current worker ran long enough that losing it restarts the backoff from zero. */
  private ranStably(): boolean {
    return this.current !== undefined && Date.now() - this.current.startedAt > STABLE_UPTIME_MS;
  }

  private stopWorker(reason: EngineError): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.restartTimer);
    this.heartbeatTimer = undefined;
    this.restartTimer = undefined;
    this.outstandingPing = undefined;

    const current = this.current;
    this.current = undefined;
    if (current !== undefined) terminateWhenSafe(current.worker, current.control);
    for (const id of [...this.pending.keys()]) this.settle(id, reason);
  }

  private rejectReady(error: EngineError): void {
    this.settleReady?.reject(error);
    this.settleReady = undefined;
  }

  private startHeartbeat(thread: WorkerThread): void {
    const interval = this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const timeout = this.options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    const nativeCallTimeout = Math.max(timeout, this.options.nativeCallTimeoutMs ?? DEFAULT_NATIVE_CALL_TIMEOUT_MS);
    const loadTimeout = this.options.loadTimeoutMs ?? 60_000;
    const tick = Math.min(interval, timeout, MAX_HEARTBEAT_TICK_MS);
    let lastTickAt = Date.now();
    let lastPingAt = 0;

    this.heartbeatTimer = setInterval(() => {
      if (this.current !== thread) return;
      const now = Date.now();
      // A late tick means this thread was blocked (by any extension) or starved of CPU, and the
      // worker likely was too: a reply may be waiting unread. Give the outstanding ping that time back.
      const lateness = Math.max(0, now - lastTickAt - tick);
      lastTickAt = now;

      // Loading blocks the worker's event loop inside onnxruntime, so only the load timeout applies.
      if (this.currentState.status === 'loading') {
        if (now - thread.startedAt > loadTimeout) this.onUnresponsive(`did not load the model within ${loadTimeout} ms`);
        return;
      }
      if (this.outstandingPing !== undefined) {
        this.outstandingPing.sentAt += lateness;
        const inNativeCall = isInNativeCall(thread.control);
        const limit = inNativeCall ? nativeCallTimeout : timeout;
        const waited = now - this.outstandingPing.sentAt;
        if (waited > limit) {
          this.onUnresponsive(`did not answer a heartbeat within ${limit} ms${inNativeCall ? ' during one onnxruntime call' : ''}`);
        } else if (waited > limit * STANDBY_AFTER_SHARE_OF_LIMIT) {
          this.startStandby(`the inference worker has not answered a heartbeat for ${waited} ms`);
        }
        return;
      }
      if (now - lastPingAt < interval) return;
      lastPingAt = now;
      this.outstandingPing = { id: this.nextId++, sentAt: now };
      thread.worker.postMessage({ type: 'ping', id: this.outstandingPing.id } satisfies ToWorkerMessage);
    }, tick);
    this.heartbeatTimer.unref();
  }

  private onUnresponsive(problem: string): void {
    this.onWorkerLost(engineError('worker-unresponsive', `The inference worker ${problem}.`, {
      action: 'The engine restarts it automatically; if this repeats, check the log.',
    }));
  }

  private updateBusy(): void {
    if (this.current === undefined) return;
    const { status } = this.currentState;
    if (status === 'ready' && this.pending.size > 0) this.setState({ ...this.currentState, status: 'busy' });
    if (status === 'busy' && this.pending.size === 0) this.setState({ ...this.currentState, status: 'ready' });
  }

  private setState(state: EngineState): void {
    const model = state.model ?? (state.status === 'stopped' ? undefined : this.currentState.model);
    this.currentState = { ...state, model };
    for (const listener of [...this.listeners]) {
      try {
        listener(this.currentState);
      } catch (error) {
        this.options.log.error(`An engine state listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
