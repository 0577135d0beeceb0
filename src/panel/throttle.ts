/** Timer functions, injectable so tests can drive time by hand. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs an action on the trailing edge: the first `schedule()` starts a window of `intervalMs`,
 * later calls inside the window are merged into it, and the action runs once when it ends.
 * Two runs are therefore at least `intervalMs` apart.
 */
export class TrailingThrottle {
  private pending: unknown;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly timers: Timers = systemTimers,
  ) {}

  get isPending(): boolean {
    return this.pending !== undefined;
  }

  schedule(): void {
    if (this.pending !== undefined) return;

    this.pending = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.action();
    }, this.intervalMs);
  }

  cancel(): void {
    if (this.pending === undefined) return;

    this.timers.clearTimeout(this.pending);
    this.pending = undefined;
  }
}
