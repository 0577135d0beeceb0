// No network. A child process is preloaded with test/stress/support/blockNetwork.cjs, which
// makes every outbound socket, DNS lookup, HTTP request and fetch fail and records it. Node
// runs `--require` preloads in every worker thread too, so the inference worker is covered.
// The child activates the bundled extension, waits for the model, completes, opens the panel
// and runs the engine in-process. Nothing may have tried to reach the network, and two
// deliberate attempts show that the blocking was in place in both kinds of thread.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runWithoutNetwork } from '../stress/scenarios/network';
import { MODEL_MISSING_REASON } from './helpers/engineFixtures';

describe('reliability: no network', { skip: MODEL_MISSING_REASON }, () => {
  it('engine and activation make no network call', async () => {
    const figures = await runWithoutNetwork();

    assert.equal(figures.exitCode, 0, figures.stderr);
    assert.equal(figures.summary.engineStatus, 'ready', JSON.stringify(figures.summary));
    assert.equal(typeof (figures.summary.completionOutcome as { requestNumber?: number })?.requestNumber, 'number');
    assert.equal(figures.summary.panelStatus, 'ready');
    assert.equal(figures.summary.inProcessStopReason !== undefined, true);
    assert.deepEqual(figures.productAttempts, []);

    assert.equal(figures.summary.mainThreadBlocked, true);
    assert.equal(figures.summary.workerThreadBlocked, true);
    assert.deepEqual(figures.controlAttempts.map((attempt) => attempt.thread.startsWith('worker') ? 'worker' : attempt.thread).sort(), ['main', 'worker']);
    assert.ok(figures.guardedThreads.length >= 3, `the preload ran in ${figures.guardedThreads.join(', ')}`);
  });
});
