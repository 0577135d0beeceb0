// Messages between EngineClient (main thread) and the inference worker (worker.ts).

import type { EngineErrorInfo, EngineRequest, ModelInfo } from './protocol';

export interface WorkerStartOptions {
  modelFolder: string;
  threads: number;
  contextTokens?: number;
  /** Flags shared with the client so that it never terminates the worker inside a native call (nativeGuard.ts). */
  controlBuffer?: SharedArrayBuffer;
}

export type ToWorkerMessage =
  | { type: 'request'; id: number; request: EngineRequest }
  | { type: 'cancel'; id: number }
  | { type: 'ping'; id: number }
  /**
   * Asks for the worker thread's own V8 heap and buffer figures, which the main thread cannot
   * read. With `collect`, a worker started with --expose-gc collects garbage first.
   */
  | { type: 'memory-probe'; id: number; collect?: boolean }
  /** Test hooks: end the worker thread, or block its event loop for `ms`. */
  | { type: 'test-exit' }
  | { type: 'test-block'; ms: number };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export type FromWorkerMessage =
  | { type: 'progress'; progress: number }
  | { type: 'ready'; model: ModelInfo }
  | { type: 'load-failed'; error: EngineErrorInfo }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: EngineErrorInfo }
  | { type: 'pong'; id: number }
  | { type: 'memory'; id: number; usage: WorkerMemoryUsage }
  | { type: 'log'; level: LogLevel; message: string };

/** `process.memoryUsage()` inside the worker: its own isolate's heap, and its buffers (KV caches, tensors). */
export interface WorkerMemoryUsage {
  heapUsed: number;
  heapTotal: number;
  /** Memory of C++ objects bound to the worker's JavaScript objects, including `arrayBuffers`. */
  external: number;
  arrayBuffers: number;
}
