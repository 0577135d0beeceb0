// Stopping the inference worker safely. Terminating a worker thread while it is inside a native
// onnxruntime call (session creation or `session.run`) aborts the whole process with an
// uncaught `Napi::Error` (seen with onnxruntime-node 1.31.1 on Linux), and in the editor that
// process is the extension host. So the worker marks its native calls in a shared buffer, and
// the client terminates it only outside them.
//
// The protocol uses two Int32 slots and sequentially consistent atomics. Before each call the
// worker increments IN_NATIVE and then reads STOP. The client sets STOP and then reads
// IN_NATIVE. So either the worker sees STOP and does not make the call, or the client sees the
// call and waits for it to return.

import type { Worker } from 'node:worker_threads';
import { engineError } from './errors';

const STOP = 0;
const IN_NATIVE = 1;
const SLOTS = 2;
const POLL_MS = 10;

/** Wraps the native onnxruntime calls of a worker. */
export interface NativeCallGuard {
  /** For a call whose native part spans event-loop turns or runs at once: session creation, release. */
  span<T>(call: () => Promise<T>): Promise<T>;
  /**
   * For `session.run`, whose native part runs synchronously in a `setImmediate` that the call
   * schedules at once. The flag goes up in an immediate queued just before it, so JavaScript
   * that runs in between (such as a message handler) does not count as native.
   */
  step<T>(call: () => Promise<T>): Promise<T>;
}

/** For the engine outside a worker thread (CLI, tests), where nothing terminates a call. */
export const unguardedNativeCalls: NativeCallGuard = { span: (call) => call(), step: (call) => call() };

export function createControlBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
}

/** Creates the worker's side, which never starts a native call once the client asked it to stop. */
export function createNativeCallGuard(buffer: SharedArrayBuffer): NativeCallGuard {
  const flags = new Int32Array(buffer);
  return {
    async span<T>(call: () => Promise<T>): Promise<T> {
      Atomics.add(flags, IN_NATIVE, 1);
      try {
        if (Atomics.load(flags, STOP) !== 0) throw engineError('cancelled', 'The inference worker is stopping.');
        return await call();
      } finally {
        Atomics.sub(flags, IN_NATIVE, 1);
      }
    },

    async step<T>(call: () => Promise<T>): Promise<T> {
      let entered = false;
      const enter = setImmediate(() => {
        entered = true;
        Atomics.add(flags, IN_NATIVE, 1);
        // The client is about to terminate this thread: end it here, before the native call
        // queued right after this immediate can start. In a worker, process.exit ends only the thread.
        if (Atomics.load(flags, STOP) !== 0) process.exit(0);
      });
      try {
        return await call();
      } finally {
        if (entered) Atomics.sub(flags, IN_NATIVE, 1);
        else clearImmediate(enter);
      }
    },
  };
}

/** Returns whether the worker is inside a native call now. */
export function isInNativeCall(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer), IN_NATIVE) > 0;
}

/**
 * Terminates the worker at once when it is outside native calls, or else as soon as its
 * current call returns (the client's side). A call that never returns leaves the thread
 * running, but the client has already detached from it and started a new worker.
 */
export function terminateWhenSafe(worker: Worker, buffer: SharedArrayBuffer): void {
  const flags = new Int32Array(buffer);
  Atomics.store(flags, STOP, 1);
  if (Atomics.load(flags, IN_NATIVE) === 0) {
    void worker.terminate();
    return;
  }

  const poll = setInterval(() => {
    if (Atomics.load(flags, IN_NATIVE) !== 0) return;
    clearInterval(poll);
    void worker.terminate();
  }, POLL_MS);
  poll.unref();
  worker.once('exit', () => clearInterval(poll));
}
