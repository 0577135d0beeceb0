// Worker faults against the extension activated under the fake `vscode` module, with the real
// engine: the worker exits in the middle of a generation, or stops responding. Each must be
// noticed, shown in the status bar, the panel and the log, and followed by a working
// completion. engine-client.test.ts covers the same faults at the EngineClient level. The
// recovery times are printed as test diagnostics; `npm run stress -- faults` repeats them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { measureWorkerFault } from '../stress/scenarios/faults';
import { activateExtension, REPOSITORY_ROOT } from '../stress/support/extensionHarness';
import { tapWorkers, workersStarted } from '../stress/support/workerTap';
import { bundledWorker, MODEL_MISSING_REASON } from './helpers/engineFixtures';

/** Settings that keep a completion generating long enough to be interrupted. */
const LONG_COMPLETIONS = { 'completions.maxTokens': 256, 'completions.multiline': 'always' };

describe('reliability: worker faults', { skip: MODEL_MISSING_REASON }, () => {
  let workerScript: string;

  before(async () => {
    tapWorkers();
    workerScript = await bundledWorker();
  });

  it('worker crash mid-generation recovers', async (t) => {
    const extension = await activateExtension({ workerScript, settings: LONG_COMPLETIONS });
    try {
      const figures = await measureWorkerFault(extension, 'crash-mid-generation');
      t.diagnostic(`detected after ${figures.detectedMs} ms, ready after ${figures.readyMs} ms, next completion after ${figures.nextCompletionMs} ms`);

      assert.match(figures.interruptedOutcome, /^discarded: the request failed: The inference worker stopped unexpectedly \(exit code 3\)/);
      assert.match(figures.statusBarDuring?.text ?? '', /restarting/);
      assert.match(figures.statusBarDuring?.tooltip ?? '', /The inference worker stopped unexpectedly/);
      assert.match(figures.panelDuring?.restartReason ?? '', /The inference worker stopped unexpectedly/);
      assert.match(figures.panelAfter?.reason ?? '', /The inference worker stopped unexpectedly/);
      assert.ok(figures.logWarnings.some((line) => /stopped unexpectedly \(exit code 3\)\. Restarting it in 0 ms\./.test(line)), figures.logWarnings.join('\n'));
      assert.equal(figures.nextCompletionFailed, false, figures.nextOutcome);
      assert.match(figures.statusBarAfter.tooltip, /Engine restarted: The inference worker stopped unexpectedly/);
    } finally {
      extension.deactivate();
    }
  });

  it('unresponsive worker is replaced', async (t) => {
    const extension = await activateExtension({ workerScript, settings: LONG_COMPLETIONS });
    try {
      const figures = await measureWorkerFault(extension, 'unresponsive');
      t.diagnostic(`detected after ${figures.detectedMs} ms, ready after ${figures.readyMs} ms, next completion after ${figures.nextCompletionMs} ms, standby used: ${figures.standbyUsed}`);

      assert.match(figures.interruptedOutcome, /did not answer a heartbeat within 1000 ms/);
      assert.match(figures.statusBarDuring?.tooltip ?? '', /did not answer a heartbeat/);
      assert.match(figures.panelDuring?.restartReason ?? '', /did not answer a heartbeat/);
      assert.match(figures.panelAfter?.reason ?? '', /did not answer a heartbeat/);
      assert.equal(figures.nextCompletionFailed, false, figures.nextOutcome);
    } finally {
      extension.deactivate();
    }
  });

  it('blocked host thread does not restart the worker', async () => {
    const extension = await activateExtension({ workerScript });
    try {
      await extension.waitForEngine(['ready']);
      const workersBefore = workersStarted();

      // Another extension blocks the shared extension host thread for longer than the heartbeat timeout.
      const until = Date.now() + 2500;
      while (Date.now() < until) {
        // Busy-wait on purpose.
      }
      await new Promise((resolve) => setTimeout(resolve, 600));

      assert.deepEqual(extension.log.at('warn').filter((line) => /heartbeat/.test(line)), []);
      assert.equal(workersStarted(), workersBefore);
      assert.equal((await extension.state()).engine.status, 'ready');
    } finally {
      extension.deactivate();
    }
  });

  it('stopping the worker inside onnxruntime keeps the process alive', () => {
    const script = path.join(REPOSITORY_ROOT, 'test', 'stress', 'support', 'terminateDuringNativeCall.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, workerScript], { cwd: REPOSITORY_ROOT, encoding: 'utf8', timeout: 120_000 });

    assert.equal(result.signal, null, `the process was killed by ${result.signal}: ${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /survived\n$/);
  });
});
