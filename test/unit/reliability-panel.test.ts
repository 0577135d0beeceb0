// The Active Experts panel under generated malformed messages, both ways (the rules are in
// test/stress/scenarios/panel.ts). panelProtocol.test.ts checks the validators one field at a
// time; this file checks the two entry points. `npm run stress -- panel` sends more messages.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fuzzHostMessages, fuzzWebviewMessages, loadWebview, renderHostileStrings, type Webview } from '../stress/scenarios/panel';
import { sampleSnapshot } from './helpers/panelSamples';

const SEED = 4242;

describe('reliability: panel messages', () => {
  let webview: Webview;

  before(() => {
    webview = loadWebview();
    webview.send({ type: 'snapshot', snapshot: sampleSnapshot() });
  });

  it('webview reports ready on load', () => {
    assert.equal(webview.posted[0]?.type, 'ready');
  });

  it('webview drops invalid host messages', () => {
    const figures = fuzzWebviewMessages(webview, SEED, 200);

    assert.deepEqual(figures.problems, []);
    assert.ok(figures.invalid > 100, `only ${figures.invalid} of 200 generated messages were invalid`);
    assert.ok(figures.rendered > 0, 'no generated message stayed valid');
  });

  it('webview shows markup in strings as text', () => {
    const figures = renderHostileStrings(webview, SEED + 1, 6);

    assert.deepEqual(figures.problems, []);
    assert.equal(figures.rendered, 6);
  });

  it('host drops invalid webview messages, logs each and runs nothing', async () => {
    const figures = await fuzzHostMessages(SEED + 2, 400);

    assert.deepEqual(figures.problems, []);
    assert.ok(figures.invalid > 200, `only ${figures.invalid} of 400 generated messages were invalid`);
  });
});
