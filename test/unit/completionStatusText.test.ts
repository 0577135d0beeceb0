import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EngineState } from '../../src/engine/protocol';
import { decideRouting } from '../../src/settings/routingPolicy';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { describeStatus, StatusInput } from '../../src/status/statusText';

const ready: EngineState = { status: 'ready' };

function input(overrides: Partial<StatusInput> = {}, documentOverrides: { pin?: string; languageId?: string } = {}): StatusInput {
  const languageId = documentOverrides.languageId ?? 'plaintext';
  return {
    engine: ready,
    completionsEnabled: true,
    generating: false,
    document: {
      languageId,
      languageEnabled: true,
      decision: decideRouting(DEFAULT_SETTINGS.routing, { languageId, absolutePath: '/w/a.txt', pin: documentOverrides.pin }),
    },
    ...overrides,
  };
}

describe('status bar text', () => {
  it('shows a pinned domain', () => {
    const view = describeStatus(input({}, { pin: 'legal' }));
    assert.equal(view.state, 'ready');
    assert.equal(view.text, '$(sparkle) legal · pinned');
    assert.equal(view.domainSourceLabel, 'pinned');
  });

  it('shows a language rule as a rule', () => {
    const view = describeStatus(input({}, { languageId: 'python' }));
    assert.equal(view.text, '$(sparkle) code · rule');
  });

  it('shows the detected domain and latency', () => {
    const base = input();
    const view = describeStatus({
      ...base,
      lastLatencyMs: 41.6,
      document: base.document && {
        ...base.document,
        detected: { domain: 'medical', confidence: 0.91, posterior: {}, source: 'detected' },
      },
    });
    assert.equal(view.text, '$(sparkle) medical · detected · 42 ms');
    assert.match(view.tooltip, /confidence 91%/);
  });

  it('shows detection pending', () => {
    assert.equal(describeStatus(input()).text, '$(sparkle) auto · detecting');
  });

  it('shows generating', () => {
    const view = describeStatus(input({ generating: true }, { pin: 'code' }));
    assert.equal(view.state, 'generating');
    assert.equal(view.text, '$(loading~spin) code · pinned');
  });

  it('shows loading with progress', () => {
    const view = describeStatus(input({ engine: { status: 'loading', progress: 0.4 } }));
    assert.equal(view.state, 'loading');
    assert.equal(view.text, '$(loading~spin) Experts: loading 40%');
  });

  it('shows the engine error and its action', () => {
    const engine: EngineState = {
      status: 'error',
      error: { code: 'model-missing', message: 'No model.onnx in /m.', action: 'Set expertActivation.model.folder.' },
    };
    const view = describeStatus(input({ engine }));
    assert.equal(view.state, 'error');
    assert.equal(view.isError, true);
    assert.match(view.tooltip, /No model\.onnx in \/m\./);
    assert.match(view.tooltip, /Set expertActivation\.model\.folder\./);
  });

  it('shows completions turned off', () => {
    assert.equal(describeStatus(input({ completionsEnabled: false })).state, 'disabled');
  });

  it('shows a disabled language', () => {
    const base = input();
    const view = describeStatus({ ...base, document: base.document && { ...base.document, languageEnabled: false } });
    assert.equal(view.state, 'language-disabled');
    assert.equal(view.text, '$(circle-slash) Experts: off for plaintext');
  });

  it('shows routing off', () => {
    const base = input();
    const decision = decideRouting({ ...DEFAULT_SETTINGS.routing, mode: 'off' }, { languageId: 'plaintext', absolutePath: '/w/a.txt' });
    const view = describeStatus({ ...base, document: base.document && { ...base.document, decision } });
    assert.equal(view.text, '$(sparkle) no domain · off');
  });
});
