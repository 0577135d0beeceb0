// Runs one install or build step as a child process and fails with its output when it fails.
import { spawn, spawnSync } from 'node:child_process';

const OUTPUT_TAIL_CHARS = 4000;

/**
 * Runs `command args` in `cwd` and resolves when it exits with status 0. Rejects with the
 * command, exit status and the last lines of its output otherwise. Output is shown live only
 * when `verbose` is set, so a successful install stays quiet.
 */
export function runCommand(command, args, { cwd, env = process.env, verbose = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';

    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
      if (verbose) {
        process.stdout.write(chunk);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);

    child.on('error', (error) => {
      reject(new Error(`Failed to start ${command} in ${cwd ?? process.cwd()}: ${error.message}`));
    });
    child.on('close', (status, signal) => {
      if (status === 0) {
        resolve();
        return;
      }
      const outcome = signal ? `was killed by ${signal}` : `exited with status ${status}`;
      reject(
        new Error(`${command} ${args.join(' ')} ${outcome} in ${cwd ?? process.cwd()}. Last output:\n${output}`),
      );
    });
  });
}

/** Returns the environment for npm child processes, without the project's `npm run` variables. */
export function cleanNpmEnvironment(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    // An outer `npm test` exports the project's package fields, lifecycle and prefix; the
    // nested installs in the cache folder must not act on them. The user's npm_config_*
    // settings (a registry mirror, say) stay.
    const isProjectVariable =
      /^npm_(package|lifecycle)_/i.test(key) || /^npm_(command|config_local_prefix)$/i.test(key);
    if (!isProjectVariable) {
      env[key] = value;
    }
  }
  return { ...env, ...extra };
}

/** Returns the absolute path of `command` on PATH, or undefined when it is not there. */
export function commandPath(command) {
  const lookup = spawnSync('sh', ['-c', 'command -v "$0"', command], { encoding: 'utf8' });
  const found = lookup.stdout?.trim();
  return lookup.status === 0 && found ? found : undefined;
}
