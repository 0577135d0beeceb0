// Stops what the harness started (code-server, chromium, temporary folders) when it exits, fails,
// times out or gets SIGINT, SIGTERM or SIGHUP. After a SIGKILL of the harness they keep running.

const ACTION_TIMEOUT_MS = 15_000;

/** Actions run last-in, first-out, each bounded so a hung browser cannot block the exit. */
export class CleanupStack {
  #actions = [];
  #exiting = false;

  add(name, action) {
    this.#actions.push({ name, action });
  }

  async runAll(log) {
    while (this.#actions.length > 0) {
      const { name, action } = this.#actions.pop();
      try {
        await withTimeout(Promise.resolve().then(action), ACTION_TIMEOUT_MS, name);
      } catch (error) {
        log(`Cleanup step "${name}" failed: ${error.message}`);
      }
    }
  }

  /**
   * Logs `message` when given, runs every cleanup action and exits with `exitCode`. Only the
   * first call acts, because a signal may arrive while an earlier exit is still cleaning up.
   */
  async exit(log, message, exitCode) {
    if (this.#exiting) {
      return;
    }
    this.#exiting = true;

    if (message) {
      log(message);
    }
    await this.runAll(log);
    process.exit(exitCode);
  }
}

function withTimeout(promise, timeoutMs, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Kills a child's whole process group with SIGKILL when this Node process exits, even through
 * process.exit() or an uncaught exception. The child must have been spawned with `detached`.
 */
export function killGroupOnExit(child) {
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group has exited already.
    }
  };
  process.on('exit', killGroup);
  child.on('exit', () => process.off('exit', killGroup));
}

/** Returns whether a process with this pid exists (EPERM means it exists as another user's). */
export function isProcessAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
