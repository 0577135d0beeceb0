// The inference worker thread: loads the model named in workerData, then handles requests
// one at a time. Cancel messages are read between decoding steps, because each model step
// awaits and lets this thread's event loop deliver messages.

import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from './errors';
import { InferenceEngine } from './inferenceEngine';
import type { EngineLogger } from './logger';
import { createNativeCallGuard } from './nativeGuard';
import type { EngineRequest } from './protocol';
import type { FromWorkerMessage, LogLevel, ToWorkerMessage, WorkerStartOptions } from './workerProtocol';

if (parentPort === null) throw new Error('worker.ts must run as a worker_threads Worker.');
const port = parentPort;

function send(message: FromWorkerMessage): void {
  port.postMessage(message);
}

const logAt = (level: LogLevel) => (message: string) => send({ type: 'log', level, message });
const log: EngineLogger = { trace: logAt('trace'), debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') };

const options = workerData as WorkerStartOptions;
const cancelled = new Set<number>();
/** Ids of the requests queued or running; a cancel for any other id is late and ignored, so `cancelled` stays small. */
const active = new Set<number>();
const queue: Array<{ id: number; request: EngineRequest }> = [];
let engine: InferenceEngine | undefined;
let running = false;

port.on('message', (message: ToWorkerMessage) => {
  switch (message.type) {
    case 'request':
      active.add(message.id);
      queue.push({ id: message.id, request: message.request });
      void drainQueue();
      break;
    case 'cancel':
      if (active.has(message.id)) cancelled.add(message.id);
      break;
    case 'ping':
      send({ type: 'pong', id: message.id });
      break;
    case 'memory-probe': {
      const collectGarbage = (globalThis as { gc?: () => void }).gc;
      if (message.collect === true && collectGarbage !== undefined) collectGarbage();
      const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      send({ type: 'memory', id: message.id, usage: { heapUsed, heapTotal, external, arrayBuffers } });
      break;
    }
    case 'test-exit':
      process.exit(3);
      break;
    case 'test-block': {
      const until = Date.now() + message.ms;
      while (Date.now() < until) {
        // Busy-wait on purpose: the test checks that the client notices a stuck thread.
      }
      break;
    }
  }
});

async function drainQueue(): Promise<void> {
  if (running || engine === undefined) return;
  running = true;
  try {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await answer(engine, next.id, next.request);
  } finally {
    running = false;
  }
}

async function answer(loaded: InferenceEngine, id: number, request: EngineRequest): Promise<void> {
  const control = { isCancelled: () => cancelled.has(id) };
  try {
    if (control.isCancelled()) {
      send({ type: 'error', id, error: { code: 'cancelled', message: 'The request was cancelled before it started.' } });
      return;
    }
    const result = await run(loaded, request, control);
    send({ type: 'result', id, result });
  } catch (error) {
    send({ type: 'error', id, error: toErrorInfo(error) });
  } finally {
    cancelled.delete(id);
    active.delete(id);
  }
}

function run(loaded: InferenceEngine, request: EngineRequest, control: { isCancelled(): boolean }): Promise<unknown> {
  switch (request.kind) {
    case 'route':
      return loaded.route(request, control);
    case 'complete':
      return loaded.complete(request, control);
    case 'explain':
      return loaded.explain(request, control);
  }
}

InferenceEngine.load(options.modelFolder, {
  threads: options.threads,
  contextTokens: options.contextTokens,
  log,
  onProgress: (progress) => send({ type: 'progress', progress }),
  nativeGuard: options.controlBuffer === undefined ? undefined : createNativeCallGuard(options.controlBuffer),
}).then(
  (loaded) => {
    engine = loaded;
    send({ type: 'ready', model: loaded.info });
    void drainQueue();
  },
  (error: unknown) => send({ type: 'load-failed', error: toErrorInfo(error) }),
);
