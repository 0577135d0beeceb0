import * as assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import type { RoutingOptions } from '../../src/engine/protocol';
import { PanelController, type ControlSettings, type CursorContext } from '../../src/panel/panelController';
import type { PanelSnapshot } from '../../src/panel/protocol';
import { FakeEngine, ManualTimers, engineError, sampleModelInfo, settle } from './helpers/fakePanelEngine';
import { sampleTrace } from './helpers/panelSamples';

const routing: RoutingOptions = {
  mode: 'auto',
  biasStrength: 4,
  minConfidence: 0.5,
  topK: 2,
  topP: 1,
  disabledExperts: [],
  counterfactual: false,
  counterfactualStrength: 0.5,
};

const settings: ControlSettings = { topK: 2, disabledExperts: [], counterfactual: false, settingsTarget: 'workspace' };

interface Harness {
  engine: FakeEngine;
  timers: ManualTimers;
  controller: PanelController;
  posted: PanelSnapshot[];
  warnings: string[];
  /** The text of the active document; the cursor is at its end. */
  text: { value: string };
  setDocument(uri: string | undefined, options?: { languageEnabled?: boolean; routing?: Partial<RoutingOptions> }): void;
}

function createHarness(engine = new FakeEngine()): Harness {
  const timers = new ManualTimers();
  const posted: PanelSnapshot[] = [];
  const warnings: string[] = [];
  const text = { value: 'The Tenant shall' };
  let cursor: CursorContext | undefined;

  const setDocument: Harness['setDocument'] = (uri, options = {}) => {
    cursor =
      uri === undefined
        ? undefined
        : {
            document: { uri, name: uri.split('/').pop() ?? uri, languageId: 'plaintext', line: 1 },
            languageEnabled: options.languageEnabled ?? true,
            routing: { ...routing, ...options.routing },
            readPrefix: (maxChars) => text.value.slice(-maxChars),
          };
  };
  setDocument('file:///lease.txt');

  const controller = new PanelController({
    engine,
    log: { debug: () => {}, info: () => {}, warn: (message) => warnings.push(message) },
    readCursor: () => cursor,
    readSettings: () => settings,
    post: (snapshot) => posted.push(snapshot),
    throttleMs: 300,
    timers,
  });

  return { engine, timers, controller, posted, warnings, text, setDocument };
}

describe('panel routing requests', () => {
  let harness: Harness;
  beforeEach(() => {
    harness = createHarness();
  });

  test('sends nothing while the view is hidden', () => {
    harness.controller.cursorMoved();
    harness.timers.advance(1_000);

    assert.equal(harness.engine.routes.length, 0);
  });

  test('merges cursor moves into one trailing request', () => {
    harness.controller.setVisible(true);
    for (let i = 0; i < 10; i++) {
      harness.text.value += ' x';
      harness.controller.cursorMoved();
      harness.timers.advance(20);
    }
    assert.equal(harness.engine.routes.length, 0, 'no request before the window ends');

    harness.timers.advance(300);

    assert.equal(harness.engine.routes.length, 1);
    assert.equal(harness.engine.routes[0].request.prefix, harness.text.value, 'the request reads the latest text');
  });

  test('uses the panel document key and the routing policy', () => {
    harness.setDocument('file:///contract.txt', { routing: { domain: 'legal', domainSource: 'pinned' } });
    harness.controller.setVisible(true);
    harness.timers.advance(300);

    const request = harness.engine.routes[0].request;
    assert.equal(request.documentKey, 'panel:file:///contract.txt');
    assert.equal(request.routing.domain, 'legal');
    assert.equal(request.routing.domainSource, 'pinned');
  });

  test('limits the prefix to four characters per context token', () => {
    harness.text.value = 'a'.repeat(20_000);
    harness.controller.setVisible(true);
    harness.timers.advance(300);

    assert.equal(harness.engine.routes[0].request.prefix.length, sampleModelInfo().maxContext * 4);
  });

  test('keeps one request in flight and follows up after it', async () => {
    harness.controller.setVisible(true);
    harness.timers.advance(300);
    harness.controller.cursorMoved();
    harness.timers.advance(300);
    assert.equal(harness.engine.routes.length, 1, 'no second request while the first runs');

    harness.engine.routes[0].resolve(sampleTrace());
    await settle();
    assert.equal(harness.engine.routes.length, 1, 'the follow-up waits for a new window');
    harness.timers.advance(300);

    assert.equal(harness.engine.routes.length, 2);
  });

  test('runs at most one request per window while typing', async () => {
    harness.controller.setVisible(true);
    for (let ms = 0; ms < 3_000; ms += 50) {
      harness.controller.cursorMoved();
      harness.timers.advance(50);
      for (const route of harness.engine.routes) route.resolve(sampleTrace());
      await settle();
    }

    assert.ok(harness.engine.routes.length <= 10, `${harness.engine.routes.length} requests in 3 s`);
    assert.ok(harness.engine.routes.length >= 5, `${harness.engine.routes.length} requests in 3 s`);
  });

  test('hiding the view aborts the request and cancels the timer', () => {
    harness.controller.setVisible(true);
    harness.timers.advance(300);
    harness.controller.cursorMoved();

    harness.controller.setVisible(false);

    assert.equal(harness.engine.routes[0].signal?.aborted, true);
    assert.equal(harness.timers.pendingCount, 0);
  });

  test('skips documents whose language is disabled', () => {
    harness.setDocument('file:///main.rs', { languageEnabled: false });
    harness.controller.setVisible(true);
    harness.timers.advance(300);

    assert.equal(harness.engine.routes.length, 0);
    assert.deepEqual(harness.posted.at(-1)?.status, { kind: 'language-disabled', languageId: 'plaintext' });
  });
});

describe('panel snapshot', () => {
  test('shows the trace of the active document only', async () => {
    const harness = createHarness();
    harness.controller.setVisible(true);
    harness.timers.advance(300);
    harness.engine.routes[0].resolve(sampleTrace());
    await settle();
    assert.equal(harness.controller.snapshot().routing?.domain.domain, 'legal');

    harness.setDocument('file:///notes.md');
    harness.controller.editorChanged();

    assert.equal(harness.controller.snapshot().routing, undefined);
    assert.equal(harness.controller.snapshot().document?.uri, 'file:///notes.md');
  });

  test('ignores superseded requests', async () => {
    const harness = createHarness();
    harness.controller.setVisible(true);
    harness.timers.advance(300);

    harness.engine.routes[0].reject(engineError('superseded', 'A newer request replaced this one.'));
    await settle();

    assert.equal(harness.controller.snapshot().routingError, undefined);
    assert.equal(harness.warnings.length, 0);
  });

  test('reports a failed request once per distinct error', async () => {
    const harness = createHarness();
    harness.controller.setVisible(true);
    for (let i = 0; i < 3; i++) {
      harness.controller.cursorMoved();
      harness.timers.advance(300);
      harness.engine.routes[i].reject(engineError('input-invalid', 'The prefix is empty.'));
      await settle();
    }

    assert.equal(harness.controller.snapshot().routingError?.code, 'input-invalid');
    assert.equal(harness.warnings.length, 1);
    assert.match(harness.warnings[0], /file:\/\/\/lease\.txt/);
  });

  test('waits for the model, then routes', () => {
    const engine = new FakeEngine('loading');
    const harness = createHarness(engine);
    harness.controller.setVisible(true);
    harness.timers.advance(300);
    assert.equal(engine.routes.length, 0);
    assert.equal(harness.posted.at(-1)?.status.kind, 'loading');

    engine.setState({ status: 'ready', model: sampleModelInfo() });
    harness.timers.advance(300);

    assert.equal(engine.routes.length, 1);
    assert.equal(harness.posted.at(-1)?.model?.name, 'expert-moe');
  });

  test('keeps a restart note until the next model load', () => {
    const harness = createHarness();
    harness.controller.setVisible(true);
    const model = harness.engine.state.model;
    const error = { code: 'worker-unresponsive' as const, message: 'The inference worker did not answer a heartbeat within 1000 ms.' };

    harness.engine.setState({ status: 'restarting', error, model });
    harness.engine.setState({ status: 'ready', model });
    const afterRestart = harness.posted.at(-1)?.status;

    harness.engine.setState({ status: 'loading', progress: 0, model });
    harness.engine.setState({ status: 'ready', model });
    const afterReload = harness.posted.at(-1)?.status;

    assert.equal(afterRestart?.kind === 'ready' ? afterRestart.lastRestart?.reason : undefined, error.message);
    assert.deepEqual(afterReload, { kind: 'ready' });
  });

  test('does not republish when the engine only turns busy', () => {
    const harness = createHarness();
    harness.controller.setVisible(true);
    const before = harness.posted.length;

    harness.engine.setState({ status: 'busy', model: harness.engine.state.model });
    harness.engine.setState({ status: 'ready', model: harness.engine.state.model });

    assert.equal(harness.posted.length, before);
  });

  test('keeps the last completion per document', () => {
    const harness = createHarness();
    const trace = sampleTrace();
    const result = {
      completion: ' the Landlord',
      stopReason: 'max-tokens' as const,
      trace,
      timing: { totalMs: 40, promptTokens: 12, reusedTokens: 0, generatedTokens: 10 },
    };

    harness.controller.recordCompletion('file:///other.txt', result);
    assert.equal(harness.controller.snapshot().completion, undefined);

    harness.controller.recordCompletion('file:///lease.txt', result);
    assert.equal(harness.controller.snapshot().completion?.tokens.length, trace.generated.length);

    harness.setDocument('file:///other.txt');
    harness.controller.editorChanged();
    assert.equal(harness.controller.snapshot().completion?.text, ' the Landlord');
  });

  test('keeps impacts and tokens from an explanation', () => {
    const harness = createHarness();
    const trace = sampleTrace();

    harness.controller.recordExplanation('file:///lease.txt', {
      completion: ' the Landlord',
      trace,
      impacts: [{ expertId: 'L0.E0', layer: 0, index: 0, klDivergence: 0.3 }],
    });

    const snapshot = harness.controller.snapshot();
    assert.equal(snapshot.explanation?.impacts.length, 1);
    assert.equal(snapshot.completion?.tokens.length, trace.generated.length);
  });

  test('copies control settings and the routing decision', () => {
    const harness = createHarness();
    harness.setDocument('file:///a.py', { routing: { domain: 'code', domainSource: 'language-rule', minConfidence: 0.7 } });
    harness.controller.editorChanged();

    const controls = harness.controller.snapshot().controls;
    assert.equal(controls.domain, 'code');
    assert.equal(controls.domainSource, 'language-rule');
    assert.equal(controls.minConfidence, 0.7);
    assert.equal(controls.settingsTarget, 'workspace');
  });
});
