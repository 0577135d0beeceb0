// Runs in a child process preloaded with blockNetwork.cjs: activates the bundled extension under
// the fake `vscode` module, waits for the model, requests a completion, opens the panel, runs the
// engine in-process as the CLI does, then makes two deliberate connection attempts (one in this
// thread, one in a new worker thread) to show that the blocking works. Prints a JSON summary.

import { Worker } from 'node:worker_threads';
import * as dns from 'node:dns';
import { InferenceEngine } from '../../../src/engine/inferenceEngine';
import { silentLogger } from '../../../src/engine/logger';
import { activateExtension } from './extensionHarness';
import { FakeTextDocument, Uri } from './fakeVscode';
import { MODEL_FOLDER } from './fuzzEnvironment';

/** Targets of the deliberate attempts, by which the test separates them from the product's. */
export const CONTROL_HOST = 'control.invalid';
export const CONTROL_PORT = 9;

const ROUTING = { mode: 'auto', biasStrength: 4, minConfidence: 0.3, topK: 2, topP: 1, disabledExperts: [], counterfactual: false, counterfactualStrength: 0.5 } as const;

async function main(): Promise<void> {
  const [extensionModule, workerScript] = process.argv.slice(2);
  const extension = await activateExtension({ extensionModule, workerScript });
  const ready = await extension.waitForEngine(['ready', 'error'], 120_000);

  const document = new FakeTextDocument('The Tenant shall pay the rent on the first day of each ', 'plaintext', Uri.file('/work/network/lease.txt'));
  const editor = extension.host.showDocument(document);
  await extension.panel();
  await extension.complete(editor);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const state = await extension.state();
  const panel = await extension.panel();
  extension.deactivate();

  const engine = await InferenceEngine.load(MODEL_FOLDER, { threads: 1, log: silentLogger });
  const inProcess = await engine.complete({
    documentKey: 'network',
    prefix: 'def main():\n    ',
    suffix: '',
    routing: { ...ROUTING, disabledExperts: [] },
    generation: { maxTokens: 8, temperature: 0, topP: 1, timeBudgetMs: 30_000, stopAt: 'line' },
  });
  await engine.dispose();

  const mainThreadBlocked = await new Promise<boolean>((resolve) => dns.lookup(CONTROL_HOST, (error) => resolve(error !== null)));
  const workerThreadBlocked = await new Promise<boolean>((resolve) => {
    const worker = new Worker(
      `const net = require('node:net'); const { parentPort } = require('node:worker_threads');
       try { net.connect({ host: '127.0.0.1', port: ${CONTROL_PORT} }).destroy(); parentPort.postMessage(false); }
       catch { parentPort.postMessage(true); }`,
      { eval: true },
    );
    worker.once('message', (blocked: boolean) => {
      resolve(blocked);
      void worker.terminate();
    });
  });

  process.stdout.write(
    JSON.stringify({
      engineStatus: ready.engine.status,
      engineError: ready.engine.error?.message,
      completionOutcome: state.lastOutcome,
      statusBar: state.status.text,
      panelStatus: panel.snapshot.status.kind,
      inProcessStopReason: inProcess.stopReason,
      mainThreadBlocked,
      workerThreadBlocked,
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
