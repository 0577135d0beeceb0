// Records every worker thread this process starts, so a test can reach the extension's
// inference worker (which the extension does not expose) and send it the fault test hooks.

import type * as WorkerThreads from 'node:worker_threads';
import type { FromWorkerMessage, ToWorkerMessage, WorkerMemoryUsage } from '../../../src/engine/workerProtocol';

// The module object itself, not an import copy, so that replacing `Worker` reaches the engine.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const workerThreads = require('node:worker_threads') as typeof WorkerThreads;

const started: WorkerThreads.Worker[] = [];
const running = new Set<WorkerThreads.Worker>();
let installed = false;

/** Sizes of the requests posted to any worker, as they crossed the thread boundary. */
export interface SentRequest {
  kind: string;
  documentKey: string;
  prefixLength: number;
  suffixLength: number;
}
export const sentRequests: SentRequest[] = [];

/** Every request and reply between the engine client and its workers, in order, for the storm figures. */
export interface WorkerTraffic {
  at: number;
  direction: 'request' | 'cancel' | 'result' | 'error';
  id: number;
  documentKey?: string;
  /** The error code of an `error` reply. */
  code?: string;
}
export const workerTraffic: WorkerTraffic[] = [];

/** Replaces `worker_threads.Worker` with a recording subclass; call before the engine starts a worker. */
export function tapWorkers(): void {
  if (installed) return;
  installed = true;
  const Original = workerThreads.Worker;
  class RecordedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      started.push(this);
      running.add(this);
      this.once('exit', () => running.delete(this));
      this.on('message', (message: { type?: string; id?: number; error?: { code?: string } }) => {
        if (message.type === 'result' || message.type === 'error') {
          workerTraffic.push({ at: Date.now(), direction: message.type, id: message.id as number, code: message.error?.code });
        }
      });
    }

    override postMessage(message: unknown, transferList?: readonly WorkerThreads.TransferListItem[]): void {
      const posted = message as { type?: string; id?: number; request?: { kind: string; documentKey: string; prefix: string; suffix?: string } };
      const request = posted.request;
      if (request !== undefined) {
        sentRequests.push({ kind: request.kind, documentKey: request.documentKey, prefixLength: request.prefix.length, suffixLength: request.suffix?.length ?? 0 });
        workerTraffic.push({ at: Date.now(), direction: 'request', id: posted.id as number, documentKey: request.documentKey });
      }
      if (posted.type === 'cancel') workerTraffic.push({ at: Date.now(), direction: 'cancel', id: posted.id as number });
      super.postMessage(message, transferList);
    }
  }
  (workerThreads as { Worker: typeof Original }).Worker = RecordedWorker;
}

/** Returns the worker started last. */
export function latestWorker(): WorkerThreads.Worker {
  const worker = started[started.length - 1];
  if (worker === undefined) throw new Error('No worker thread was started since tapWorkers().');
  return worker;
}

export function workersStarted(): number {
  return started.length;
}

/** Makes the latest worker exit as a crash would (exit code 3), between two decoding steps. */
export function crashLatestWorker(): void {
  latestWorker().postMessage({ type: 'test-exit' } satisfies ToWorkerMessage);
}

/** Blocks the latest worker's event loop for `ms`, so it responds to nothing. */
export function freezeLatestWorker(ms: number): void {
  latestWorker().postMessage({ type: 'test-block', ms } satisfies ToWorkerMessage);
}

/**
 * Waits until every recorded worker has exited, at most `timeoutMs`. A process that exits while
 * a worker is inside onnxruntime aborts, so runs end only after their engines stopped.
 */
export async function waitForWorkersToExit(timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (running.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return running.size;
}

/** Probe ids far above the client's request ids, so the two never meet. */
let nextProbeId = 1_000_000_000;

/** Reads the latest worker's own memory figures; undefined when it does not reply within `timeoutMs`. */
export function probeWorkerMemory(options: { collect?: boolean; timeoutMs?: number } = {}): Promise<WorkerMemoryUsage | undefined> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const worker = latestWorker();
  const id = nextProbeId++;
  return new Promise((resolve) => {
    const onMessage = (message: FromWorkerMessage) => {
      if (message.type !== 'memory' || message.id !== id) return;
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(message.usage);
    };
    const timer = setTimeout(() => {
      worker.off('message', onMessage);
      resolve(undefined);
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.postMessage({ type: 'memory-probe', id, collect: options.collect } satisfies ToWorkerMessage);
  });
}
