// Messages between EngineClient (main thread) and the inference worker (worker.ts).

import type { EngineErrorInfo, EngineRequest, ModelInfo } from './protocol';

export interface WorkerStartOptions {
  modelFolder: string;
  threads: number;
  contextTokens?: number;
}

export type ToWorkerMessage =
  | { type: 'request'; id: number; request: EngineRequest }
  | { type: 'cancel'; id: number }
  | { type: 'ping'; id: number }
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
  | { type: 'log'; level: LogLevel; message: string };
