// Reads the `EngineErrorInfo` that engine requests reject with. No `vscode` import.

import type { EngineErrorInfo } from '../engine/protocol';

export function engineErrorInfo(error: unknown): EngineErrorInfo | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const info = (error as { info?: unknown }).info;
  if (typeof info !== 'object' || info === null) return undefined;
  const { code, message } = info as Partial<EngineErrorInfo>;
  return typeof code === 'string' && typeof message === 'string' ? (info as EngineErrorInfo) : undefined;
}

/** Returns whether a request ended because it was cancelled or replaced, which is not a failure. */
export function isCancellation(error: unknown, signal?: AbortSignal): boolean {
  const code = engineErrorInfo(error)?.code;
  if (code === 'cancelled' || code === 'superseded') return true;
  if (error instanceof Error && error.name === 'AbortError') return true;
  return signal?.aborted === true;
}

/** Returns the message to log or show for an error: the engine's message and action, or the error's text. */
export function describeError(error: unknown): string {
  const info = engineErrorInfo(error);
  if (info !== undefined) return info.action === undefined ? info.message : `${info.message} ${info.action}`;
  return error instanceof Error ? error.message : String(error);
}
