// One request in flight per document, and a debounce that a cancellation ends early.
// No `vscode` import.

/** Tracks the request in flight for each document; starting a new one aborts the old one. */
export class InFlightRequests {
  private readonly controllers = new Map<string, AbortController>();

  /** Aborts the document's earlier request, if any, and returns the controller of the new one. */
  start(documentUri: string): AbortController {
    this.controllers.get(documentUri)?.abort(new SupersededError());
    const controller = new AbortController();
    this.controllers.set(documentUri, controller);
    return controller;
  }

  /** Forgets a finished request, unless a newer one for the same document took its place. */
  finish(documentUri: string, controller: AbortController): void {
    if (this.controllers.get(documentUri) === controller) this.controllers.delete(documentUri);
  }

  isInFlight(documentUri: string): boolean {
    return this.controllers.has(documentUri);
  }

  abort(documentUri: string): void {
    this.controllers.get(documentUri)?.abort();
    this.controllers.delete(documentUri);
  }

  abortAll(): void {
    for (const controller of this.controllers.values()) controller.abort();
    this.controllers.clear();
  }

  get size(): number {
    return this.controllers.size;
  }
}

/** The abort reason of a request that a newer one for the same document replaced. */
export class SupersededError extends Error {
  constructor() {
    super('A newer request for the same document replaced this one.');
    this.name = 'SupersededError';
  }
}

/** Resolves true after `ms` milliseconds, or false as soon as the signal aborts. */
export function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);

  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
