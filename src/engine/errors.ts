import type { EngineErrorCode, EngineErrorInfo } from './protocol';

/** An `Error` that carries an `EngineErrorInfo`, so every caller can show the same words. */
export class EngineError extends Error {
  readonly info: EngineErrorInfo;

  constructor(info: EngineErrorInfo) {
    super(info.message);
    this.name = 'EngineError';
    this.info = info;
  }
}

export function engineError(
  code: EngineErrorCode,
  message: string,
  details: { action?: string; subject?: string } = {},
): EngineError {
  return new EngineError({ code, message, ...details });
}

/** Converts anything thrown into an `EngineErrorInfo`; unknown errors become `internal`. */
export function toErrorInfo(error: unknown): EngineErrorInfo {
  if (error instanceof EngineError) return error.info;

  const info = (error as { info?: unknown } | null)?.info;
  if (isErrorInfo(info)) return info;

  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Internal engine error: ${message}`, action: 'Check the log for details.' };
}

export function isErrorInfo(value: unknown): value is EngineErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.code === 'string' && typeof candidate.message === 'string';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
