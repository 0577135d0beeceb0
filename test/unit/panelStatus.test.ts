import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { ExpertInfo } from '../../src/engine/protocol';
import { compareExpertIds, disableProblem, withExpertEnabled } from '../../src/panel/controls';
import { derivePanelStatus } from '../../src/panel/status';
import { sampleModel } from './helpers/panelSamples';

const editor = { languageId: 'python', languageEnabled: true };

describe('panel status', () => {
  test('engine error wins over the editor state', () => {
    const status = derivePanelStatus(
      { status: 'error', error: { code: 'model-missing', message: 'models/expert-moe/model.onnx not found' } },
      undefined,
    );

    assert.equal(status.kind, 'error');
    assert.deepEqual(status.kind === 'error' && status.actions, ['openModelSettings', 'showLog']);
  });

  test('worker crash offers only the log', () => {
    const status = derivePanelStatus({ status: 'error', error: { code: 'worker-crashed', message: 'exit 134' } }, editor);

    assert.deepEqual(status.kind === 'error' && status.actions, ['showLog']);
  });

  test('error without details still explains itself', () => {
    const status = derivePanelStatus({ status: 'error' }, editor);

    assert.equal(status.kind === 'error' && status.error.code, 'internal');
  });

  test('stopped engine is an error', () => {
    assert.equal(derivePanelStatus({ status: 'stopped' }, editor).kind, 'error');
  });

  test('loading and restarting show progress', () => {
    assert.deepEqual(derivePanelStatus({ status: 'loading', progress: 0.25 }, editor), {
      kind: 'loading',
      progress: 0.25,
      modelName: undefined,
    });
    assert.equal(derivePanelStatus({ status: 'restarting' }, undefined).kind, 'loading');
  });

  test('no editor, disabled language, ready', () => {
    assert.equal(derivePanelStatus({ status: 'ready' }, undefined).kind, 'no-editor');
    assert.deepEqual(derivePanelStatus({ status: 'busy' }, { languageId: 'rust', languageEnabled: false }), {
      kind: 'language-disabled',
      languageId: 'rust',
    });
    assert.equal(derivePanelStatus({ status: 'busy' }, editor).kind, 'ready');
  });

  test('ready keeps the last restart, which other states leave out', () => {
    const lastRestart = { reason: 'The inference worker did not answer a heartbeat within 1000 ms.', at: 1_796_000_000_000 };

    assert.deepEqual(derivePanelStatus({ status: 'ready' }, editor, lastRestart), { kind: 'ready', lastRestart });
    assert.deepEqual(derivePanelStatus({ status: 'ready' }, editor), { kind: 'ready' });
    assert.equal(derivePanelStatus({ status: 'ready' }, undefined, lastRestart).kind, 'no-editor');
  });
});

describe('expert switches', () => {
  const experts: ExpertInfo[] = sampleModel().experts;

  test('disabling adds the id in layer order', () => {
    assert.deepEqual(withExpertEnabled(['L2.E1', 'L10.E0'], 'L2.E0', false), ['L2.E0', 'L2.E1', 'L10.E0']);
  });

  test('enabling removes the id and ignores absent ones', () => {
    assert.deepEqual(withExpertEnabled(['L2.E1'], 'L2.E1', true), []);
    assert.deepEqual(withExpertEnabled(['L2.E1'], 'L0.E0', true), ['L2.E1']);
  });

  test('disabling twice keeps one entry', () => {
    assert.deepEqual(withExpertEnabled(['L0.E3'], 'L0.E3', false), ['L0.E3']);
  });

  test('refuses to leave fewer than top-k experts in a layer', () => {
    const disabled = ['L1.E0', 'L1.E1', 'L1.E2', 'L1.E3', 'L1.E4', 'L1.E5'];

    const problem = disableProblem(experts, disabled, 'L1.E6', 2);

    assert.match(problem ?? '', /leave 1 enabled experts in layer 1, fewer than top-k 2/);
    assert.equal(disableProblem(experts, disabled.slice(0, 5), 'L1.E6', 2), undefined);
  });

  test('rejects unknown expert ids', () => {
    assert.match(disableProblem(experts, [], 'L9.E9', 2) ?? '', /not in the loaded model/);
  });

  test('orders ids numerically', () => {
    assert.deepEqual(['L1.E10', 'L1.E2', 'L0.E7', 'custom'].sort(compareExpertIds), ['L0.E7', 'L1.E2', 'L1.E10', 'custom']);
  });
});
