import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  validateClearPinMessage,
  validateHostMessage,
  validatePinDomainMessage,
  validateRenderedMessage,
  validateReportProblemMessage,
  validateRunActionMessage,
  validateSetCounterfactualMessage,
  validateSetExpertEnabledMessage,
  validateSetTopKMessage,
  validateSnapshotMessage,
  validateWebviewMessage,
} from '../../src/panel/protocolValidation';
import { sampleSnapshot } from './helpers/panelSamples';

function problemOf(result: { ok: boolean; problem?: string }): string {
  assert.equal(result.ok, false, 'expected the message to be rejected');
  return result.problem ?? '';
}

describe('snapshot message validation', () => {
  test('accepts a full snapshot', () => {
    const result = validateSnapshotMessage({ type: 'snapshot', snapshot: sampleSnapshot() });

    assert.equal(result.ok, true, result.ok ? '' : result.problem);
  });

  test('accepts every status kind', () => {
    const statuses = [
      { kind: 'no-editor' },
      { kind: 'language-disabled', languageId: 'rust' },
      { kind: 'loading', progress: 0.4, modelName: 'expert-moe' },
      { kind: 'loading' },
      { kind: 'error', error: { code: 'model-missing', message: 'No model.onnx', action: 'Set model.folder.' }, actions: ['openModelSettings', 'showLog'] },
      { kind: 'ready' },
      { kind: 'ready', lastRestart: { reason: 'The inference worker stopped unexpectedly (exit code 3).', at: 1_796_000_000_000 } },
    ];

    for (const status of statuses) {
      const result = validateSnapshotMessage({ type: 'snapshot', snapshot: { ...sampleSnapshot(), status } });
      assert.equal(result.ok, true, `${status.kind}: ${result.ok ? '' : result.problem}`);
    }
  });

  test('rejects a probability outside [0, 1] with its path', () => {
    const snapshot = sampleSnapshot();
    snapshot.routing!.context[2].probs[3] = 1.5;

    const problem = problemOf(validateSnapshotMessage({ type: 'snapshot', snapshot }));

    assert.match(problem, /snapshot\.routing\.context\[2\]\.probs\[3\]/);
  });

  test('tolerates float32 rounding just above 1', () => {
    const snapshot = sampleSnapshot();
    snapshot.routing!.context[0].entropy = 1.0000001;

    assert.equal(validateSnapshotMessage({ type: 'snapshot', snapshot }).ok, true);
  });

  test('rejects NaN, strings for numbers and missing fields', () => {
    const cases: [string, (snapshot: any) => void, RegExp][] = [
      ['NaN entropy', (s) => (s.routing.context[0].entropy = Number.NaN), /entropy: expected a finite number/],
      ['string probability', (s) => (s.routing.domain.posterior.legal = '0.8'), /posterior\.legal/],
      ['missing controls', (s) => delete s.controls, /snapshot\.controls: expected an object/],
      ['unknown status', (s) => (s.status = { kind: 'exploded' }), /status\.kind/],
      ['unknown action', (s) => (s.status = { kind: 'error', error: { code: 'internal', message: 'x' }, actions: ['rm -rf'] }), /actions\[0\]/],
      ['unknown error code', (s) => (s.status = { kind: 'error', error: { code: 'boom', message: 'x' }, actions: [] }), /error\.code/],
      ['array as object', (s) => (s.document = []), /snapshot\.document: expected an object, got an array/],
      ['null model', (s) => (s.model = null), /snapshot\.model: expected an object, got null/],
      ['fractional top-k', (s) => (s.controls.topK = 1.5), /topK: expected an integer/],
      ['token text as number', (s) => (s.completion.tokens[0].text = 42), /tokens\[0\]\.text/],
      ['negative KL', (s) => (s.explanation.impacts[0].klDivergence = -1), /klDivergence/],
    ];

    for (const [name, corrupt, expected] of cases) {
      const snapshot = sampleSnapshot();
      corrupt(snapshot);
      assert.match(problemOf(validateSnapshotMessage({ type: 'snapshot', snapshot })), expected, name);
    }
  });

  test('rejects oversized strings and arrays', () => {
    const longName = sampleSnapshot();
    longName.document!.name = 'x'.repeat(20_000);
    assert.match(problemOf(validateSnapshotMessage({ type: 'snapshot', snapshot: longName })), /exceeds 10000/);

    const manyTokens = sampleSnapshot();
    manyTokens.completion!.tokens = Array.from({ length: 2_000 }, () => manyTokens.completion!.tokens[0]);
    assert.match(problemOf(validateSnapshotMessage({ type: 'snapshot', snapshot: manyTokens })), /array of 2000 items exceeds/);
  });
});

describe('host message dispatch', () => {
  test('accepts a snapshot message', () => {
    assert.equal(validateHostMessage({ type: 'snapshot', snapshot: sampleSnapshot() }).ok, true);
  });

  test('rejects non-objects and unknown types', () => {
    assert.match(problemOf(validateHostMessage('snapshot')), /expected an object/);
    assert.match(problemOf(validateHostMessage(null)), /expected an object/);
    assert.match(problemOf(validateHostMessage([])), /expected an object/);
    assert.match(problemOf(validateHostMessage({ type: 'eval', code: 'alert(1)' })), /unknown message type "eval"/);
    assert.match(problemOf(validateHostMessage({ type: 'pinDomain', uri: 'a', domain: 'legal' })), /unknown message type/);
    assert.match(problemOf(validateHostMessage({})), /unknown message type undefined/);
  });

  test('does not match inherited property names as types', () => {
    assert.equal(validateHostMessage({ type: 'toString' }).ok, false);
    assert.equal(validateWebviewMessage({ type: '__proto__' }).ok, false);
  });
});

describe('webview message validation', () => {
  test('accepts each well-formed message', () => {
    const messages = [
      { type: 'ready' },
      { type: 'pinDomain', uri: 'file:///a.txt', domain: 'legal' },
      { type: 'clearPin', uri: 'file:///a.txt' },
      { type: 'setExpertEnabled', expertId: 'L2.E5', enabled: false },
      { type: 'setTopK', topK: 3 },
      { type: 'setCounterfactual', enabled: true },
      { type: 'runAction', action: 'showLog' },
      { type: 'reportProblem', message: 'Dropped a message' },
      { type: 'rendered', status: 'ready', domain: 'legal', heatmapCells: 36 },
    ];

    for (const message of messages) {
      const result = validateWebviewMessage(message);
      assert.equal(result.ok, true, `${message.type}: ${result.ok ? '' : result.problem}`);
    }
  });

  test('pinDomain requires a uri and a string domain', () => {
    assert.match(problemOf(validatePinDomainMessage({ type: 'pinDomain', domain: 'legal' })), /message\.uri/);
    assert.match(problemOf(validatePinDomainMessage({ type: 'pinDomain', uri: 'file:///a', domain: 7 })), /message\.domain/);
  });

  test('clearPin requires a uri', () => {
    assert.match(problemOf(validateClearPinMessage({ type: 'clearPin' })), /message\.uri/);
  });

  test('setExpertEnabled requires a boolean', () => {
    assert.match(
      problemOf(validateSetExpertEnabledMessage({ type: 'setExpertEnabled', expertId: 'L0.E1', enabled: 'false' })),
      /message\.enabled: expected a boolean/,
    );
  });

  test('setTopK requires a positive integer', () => {
    assert.match(problemOf(validateSetTopKMessage({ type: 'setTopK', topK: 0 })), /below 1/);
    assert.match(problemOf(validateSetTopKMessage({ type: 'setTopK', topK: 2.5 })), /integer/);
    assert.match(problemOf(validateSetTopKMessage({ type: 'setTopK', topK: '3' })), /finite number/);
    assert.match(problemOf(validateSetTopKMessage({ type: 'setTopK', topK: Number.POSITIVE_INFINITY })), /finite number/);
  });

  test('setCounterfactual requires a boolean', () => {
    assert.equal(validateSetCounterfactualMessage({ type: 'setCounterfactual', enabled: 1 }).ok, false);
  });

  test('runAction accepts only listed actions', () => {
    assert.match(
      problemOf(validateRunActionMessage({ type: 'runAction', action: 'workbench.action.terminal.new' })),
      /message\.action: expected one of/,
    );
    assert.match(problemOf(validateRunActionMessage({ type: 'runAction' })), /message\.action/);
  });

  test('reportProblem limits the message length', () => {
    assert.match(problemOf(validateReportProblemMessage({ type: 'reportProblem', message: 'x'.repeat(5_000) })), /exceeds 2000/);
  });

  test('rendered requires a known status', () => {
    assert.equal(validateRenderedMessage({ type: 'rendered', status: 'weird', heatmapCells: 0 }).ok, false);
    assert.equal(validateRenderedMessage({ type: 'rendered', status: 'ready', heatmapCells: -1 }).ok, false);
  });
});
