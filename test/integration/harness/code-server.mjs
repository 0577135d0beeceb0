// Starts code-server on 127.0.0.1 with fresh user data and stops it with its whole process group.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';

import { killGroupOnExit } from './cleanup.mjs';

const READY_PATTERN = /HTTP server listening on/;
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;
const OUTPUT_TAIL_CHARS = 4000;

// User settings of the fresh profile: no welcome page, prompts or update checks, so every run
// starts from the same quiet workbench and screenshots show the extension, not a walkthrough.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Starts code-server and resolves once it listens. Retries on another port when the chosen one
 * was taken between the check and the bind. Resolves to `{ origin, remoteAuthority, logPath, stop }`.
 */
export async function startCodeServer(options) {
  for (let attempt = 1; ; attempt += 1) {
    const port = await findFreePort();
    try {
      return await startOnPort(port, options);
    } catch (error) {
      if (!error.portInUse || attempt === START_ATTEMPTS) {
        throw error;
      }
    }
  }
}

async function startOnPort(port, { entryPath, workspaceDir, tempDir, env, verbose }) {
  const userDataDir = path.join(tempDir, 'user-data');
  await fs.mkdir(path.join(userDataDir, 'User'), { recursive: true });
  await fs.writeFile(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  const args = [
    entryPath,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', path.join(tempDir, 'code-server.yaml'),
    '--user-data-dir', userDataDir,
    '--extensions-dir', path.join(tempDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-proxy',
    workspaceDir,
  ];

  const logPath = path.join(tempDir, 'code-server.log');
  const logFile = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  killGroupOnExit(child);

  const exited = new Promise((resolve) => child.on('exit', (status, signal) => resolve({ status, signal })));
  let outputTail = '';

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`code-server did not start within ${STARTUP_TIMEOUT_MS / 1000} s. Last output:\n${outputTail}`));
    }, STARTUP_TIMEOUT_MS);

    const onOutput = (chunk) => {
      logFile.write(chunk);
      outputTail = (outputTail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
      if (verbose) {
        process.stdout.write(`[code-server] ${chunk}`);
      }
      if (READY_PATTERN.test(outputTail)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);

    exited.then(({ status, signal }) => {
      clearTimeout(timer);
      const error = new Error(
        `code-server exited during startup (status ${status}, signal ${signal}). Last output:\n${outputTail}`,
      );
      error.portInUse = outputTail.includes('EADDRINUSE');
      reject(error);
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    signalGroup(child, 'SIGTERM');
    const stoppedInTime = await Promise.race([
      exited.then(() => true),
      new Promise((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS)),
    ]);
    if (!stoppedInTime) {
      signalGroup(child, 'SIGKILL');
      await exited;
    }
    logFile.end();
  };

  return { origin: `http://127.0.0.1:${port}`, remoteAuthority: `127.0.0.1:${port}`, logPath, stop };
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group has exited already.
  }
}

function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
