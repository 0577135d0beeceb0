// Large and odd documents and a short typing storm, against the extension activated under the
// fake `vscode` module with the real engine. `npm run stress -- large` and `-- storm` run the
// long versions (the storm at 100 edits a second for 30 seconds) and print the figures.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { prefixBudgetChars, SUFFIX_CHARS } from '../../src/completion/context';
import { loadManifest } from '../../src/engine/manifest';
import { LARGE_INPUTS, measureLargeInput } from '../stress/scenarios/largeInputs';
import { runTypingStorm } from '../stress/scenarios/storm';
import { activateExtension, type ActivatedExtension } from '../stress/support/extensionHarness';
import { tapWorkers } from '../stress/support/workerTap';
import { bundledWorker, MODEL_FOLDER, MODEL_MISSING_REASON } from './helpers/engineFixtures';

describe('reliability: large inputs and typing storms', { skip: MODEL_MISSING_REASON }, () => {
  let extension: ActivatedExtension;

  before(async () => {
    tapWorkers();
    extension = await activateExtension({ workerScript: await bundledWorker(), settings: { 'completions.debounceMs': 0 } });
    await extension.waitForEngine(['ready']);
  });

  after(() => extension?.deactivate());

  for (const input of LARGE_INPUTS) {
    it(`${input.name} gets a bounded context`, async (t) => {
      const figures = await measureLargeInput(extension, input);
      const budget = prefixBudgetChars({ maxContextTokens: loadManifest(MODEL_FOLDER).architecture.maxContext, maxNewTokens: 24 });

      for (const figure of figures) {
        t.diagnostic(`${figure.cursor}: ${figure.elapsedMs} ms, ${figure.prefixCharsSent} prefix characters sent, ${figure.outcome}`);
        assert.ok(figure.prefixCharsSent <= budget, `${figure.cursor}: sent ${figure.prefixCharsSent} prefix characters`);
        assert.ok(figure.suffixCharsSent <= SUFFIX_CHARS, `${figure.cursor}: sent ${figure.suffixCharsSent} suffix characters`);
        assert.doesNotMatch(figure.outcome, /request failed|no outcome/);
        if (input.name.startsWith('binary')) {
          assert.match(figure.outcome, /looks binary .* not supported/);
          assert.equal(figure.prefixCharsSent, 0);
        } else {
          assert.ok((figure.promptTokens ?? 0) <= 256, `${figure.cursor}: prompt of ${figure.promptTokens} tokens`);
        }
      }
    });
  }

  it('typing storm keeps one request per document', async (t) => {
    const figures = await runTypingStorm(extension, { editsPerSecond: 100, durationMs: 3000, seed: 1 });
    t.diagnostic(
      `${figures.edits} edits at ${figures.editsPerSecondReached.toFixed(0)}/s, ${figures.providerDropped} stale requests dropped, ` +
        `worker queue up to ${figures.maxWorkerQueuePerDocument}, worker heap and buffers ${figures.workerMemoryBaselineMb.toFixed(1)} -> peak ` +
        `${figures.workerMemoryPeakMb.toFixed(1)} MB, process RSS ${figures.rssBaselineMb.toFixed(0)} -> peak ${figures.rssPeakMb.toFixed(0)} MB`,
    );

    assert.equal(figures.maxClientInFlightPerDocument, 1);
    assert.ok(figures.maxProviderInFlight <= 1, `${figures.maxProviderInFlight} provider requests in flight`);
    assert.equal(figures.providerFailed, 0);
    assert.equal(figures.workerErrorsOtherThanCancelled, 0);
    assert.equal(figures.providerDropped + figures.providerShown + figures.providerNothingShown, figures.edits);
    // A request the engine finishes between two keystrokes is not stale, so not quite all are dropped.
    assert.ok(figures.providerDropped > figures.edits / 2, `only ${figures.providerDropped} of ${figures.edits} stale requests were dropped`);
    assert.ok(figures.staleDroppedByWorker > 0, 'the worker dropped no stale request');
    assert.doesNotMatch(figures.lastRequestOutcome, /request failed|no outcome|cancel/);
    assert.equal(figures.engineStatusAfter, 'ready');
    assert.ok(figures.workerMemoryPeakMb > 0, 'the worker did not report its memory');
    assert.deepEqual(figures.providerErrorsLogged, []);
  });
});
