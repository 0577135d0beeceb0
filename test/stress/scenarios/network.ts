// The no-network check: runs networkChild.ts in a child process preloaded with blockNetwork.cjs
// and reads back every attempt that the product or the deliberate controls made.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleExtension } from '../support/bundle';
import { REPOSITORY_ROOT } from '../support/extensionHarness';

export interface NetworkAttempt {
  api: string;
  target: string;
  thread: string;
  stack: string;
}

export interface NetworkFigures {
  /** The child's summary: engine status, completion outcome, control results. */
  summary: Record<string, unknown>;
  /** Attempts other than the two deliberate controls: must be empty. */
  productAttempts: NetworkAttempt[];
  controlAttempts: NetworkAttempt[];
  /** Threads that loaded the blocking preload: the main thread and every worker thread. */
  guardedThreads: string[];
  exitCode: number | null;
  stderr: string;
}

const PRELOAD = path.join(REPOSITORY_ROOT, 'test', 'stress', 'support', 'blockNetwork.cjs');

function isControl(attempt: NetworkAttempt): boolean {
  return attempt.target.includes('control.invalid') || /127\.0\.0\.1:9$/.test(attempt.target);
}

export async function runWithoutNetwork(): Promise<NetworkFigures> {
  const bundle = await bundleExtension('reliability-network');
  const folder = mkdtempSync(path.join(tmpdir(), 'expert-activation-network-'));
  const logFile = path.join(folder, 'attempts.jsonl');
  writeFileSync(logFile, '');

  try {
    // Plain node on bundled JavaScript: no loader such as tsx runs in the child or its workers.
    const child = spawn(process.execPath, ['--require', PRELOAD, bundle.networkChild, bundle.extension, bundle.worker], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, EXPERT_ACTIVATION_NETWORK_LOG: logFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

    const attempts = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as NetworkAttempt);
    let summary: Record<string, unknown> = {};
    try {
      summary = JSON.parse(stdout) as Record<string, unknown>;
    } catch {
      summary = { unreadableOutput: stdout.slice(0, 2000) };
    }
    const preloads = attempts.filter((attempt) => attempt.api === 'preload');
    const connections = attempts.filter((attempt) => attempt.api !== 'preload');
    return {
      summary,
      productAttempts: connections.filter((attempt) => !isControl(attempt)),
      controlAttempts: connections.filter(isControl),
      guardedThreads: preloads.map((attempt) => attempt.thread),
      exitCode,
      stderr,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
