import * as assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';

import { ExpertTable } from '../../media/analysis';
import { assignDomainColors } from '../../media/domains';
import { renderApp } from '../../media/render/app';
import { initialUiState, type RenderContext } from '../../media/render/context';
import type { PanelSnapshot, WebviewMessage } from '../../src/panel/protocol';
import { installDom } from './helpers/domEnvironment';
import { sampleSnapshot } from './helpers/panelSamples';

installDom();

interface Rendered {
  root: HTMLElement;
  posted: WebviewMessage[];
}

function render(snapshot: PanelSnapshot): Rendered {
  const posted: WebviewMessage[] = [];
  const context: RenderContext = {
    snapshot,
    table: snapshot.model ? new ExpertTable(snapshot.model) : undefined,
    colors: assignDomainColors(snapshot.model?.domains ?? []),
    ui: structuredClone(initialUiState),
    post: (message) => posted.push(message),
    saveUi: (change) => Object.assign(context.ui, change),
  };
  const root = document.createElement('main');
  root.append(...renderApp(context));
  document.body.replaceChildren(root);
  return { root, posted };
}

function cellLabels(root: HTMLElement, gridId: string): string[] {
  return Array.from(root.querySelectorAll(`#${gridId} [role="gridcell"]`)).map((cell) => cell.getAttribute('aria-label') ?? '');
}

describe('heatmap', () => {
  let rendered: Rendered;
  beforeEach(() => {
    rendered = render(sampleSnapshot());
  });

  test('is a grid of layers by experts plus entropy', () => {
    const grid = rendered.root.querySelector('#heatmap');

    assert.equal(grid?.getAttribute('role'), 'grid');
    assert.equal(grid?.querySelectorAll('[role="row"]').length, 5);
    assert.equal(grid?.querySelectorAll('[role="columnheader"]').length, 10);
    assert.equal(cellLabels(rendered.root, 'heatmap').length, 4 * 9);
  });

  test('labels each cell with layer, expert, probability and state', () => {
    const labels = cellLabels(rendered.root, 'heatmap');

    assert.equal(labels[0], 'Layer 0, Legal A: 0.46, selected');
    assert.equal(labels[2], 'Layer 0, Medical A: 0.05');
    assert.equal(labels[8], 'Layer 0 routing entropy: 0.74');
    assert.ok(labels.includes('Layer 2, Legal B: 0.03, selected, awakened by counterfactual routing, dormant'), labels.join('\n'));
    assert.ok(labels.some((label) => label.startsWith('Layer 3, Code B:') && label.endsWith('disabled')));
  });

  test('column headings name the expert and colour its domain', () => {
    const heading = rendered.root.querySelectorAll('#heatmap [role="columnheader"]')[1];

    assert.equal(heading.textContent, 'LA');
    assert.equal(heading.getAttribute('aria-label'), 'Legal A (Legal)');
    assert.ok(heading.classList.contains('domain-blue'));
  });

  test('is a single tab stop moved by arrow keys', () => {
    const cells = Array.from(rendered.root.querySelectorAll<HTMLElement>('#heatmap [role="gridcell"]'));
    assert.deepEqual(
      cells.filter((cell) => cell.tabIndex === 0).map((cell) => cell.getAttribute('aria-label')),
      ['Layer 0, Legal A: 0.46, selected'],
    );

    cells[0].focus();
    cells[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));

    assert.equal(document.activeElement, cells[9]);
    assert.equal(rendered.root.querySelector('#heatmap-detail')?.textContent?.startsWith('Layer 1 · Legal A'), true);
  });
});

describe('domain section', () => {
  test('shows the decision, its source and the posterior', () => {
    const { root } = render(sampleSnapshot());

    assert.equal(root.querySelector('.domain-summary')?.textContent, 'Legal87%detected from the text');
    const bars = Array.from(root.querySelectorAll('.domain-bar')).map((bar) => bar.textContent);
    assert.deepEqual(bars, ['Legal87%', 'Medical5%', 'Code2%', 'General6%']);
  });

  test('explains a fallback below the minimum confidence', () => {
    const snapshot = sampleSnapshot();
    snapshot.routing!.domain = {
      domain: 'general',
      confidence: 0.2,
      posterior: { legal: 0.4, medical: 0.25, code: 0.15, general: 0.2 },
      source: 'detected',
      detected: 'legal',
      detectedConfidence: 0.4,
    };

    const { root } = render(snapshot);

    assert.equal(
      root.querySelector('.domain-decision .hint')?.textContent,
      'The text reads most like Legal (40%), below routing.minConfidence (50%), so requests route as General.',
    );
  });

  test('explains a pin that overrules detection', () => {
    const snapshot = sampleSnapshot();
    snapshot.routing!.domain = { ...snapshot.routing!.domain, domain: 'medical', confidence: 0.05, source: 'pinned' };

    const { root } = render(snapshot);

    assert.match(root.querySelector('.domain-summary')?.textContent ?? '', /^Medical5%pinned for this document$/);
    assert.equal(
      root.querySelector('.domain-decision .hint')?.textContent,
      'The text reads most like Legal (87%), but the pin routes it as Medical.',
    );
  });

  test('says nothing extra when detection decides', () => {
    const { root } = render(sampleSnapshot());

    assert.equal(root.querySelector('.domain-decision .hint'), null);
  });

  test('pin select posts pin and clear messages for the document', () => {
    const { root, posted } = render(sampleSnapshot());
    const select = root.querySelector<HTMLSelectElement>('#pin-select')!;

    select.value = 'medical';
    select.dispatchEvent(new Event('change'));
    select.value = '';
    select.dispatchEvent(new Event('change'));

    assert.deepEqual(posted, [
      { type: 'pinDomain', uri: 'file:///work/lease.txt', domain: 'medical' },
      { type: 'clearPin', uri: 'file:///work/lease.txt' },
    ]);
  });

  test('pin select shows the pinned domain', () => {
    const snapshot = sampleSnapshot();
    snapshot.controls.domain = 'code';
    snapshot.controls.domainSource = 'pinned';

    const { root } = render(snapshot);

    assert.equal(root.querySelector<HTMLSelectElement>('#pin-select')?.value, 'code');
  });
});

describe('completion tokens', () => {
  test('render as options coloured by dominant expert', () => {
    const { root } = render(sampleSnapshot());
    const tokens = Array.from(root.querySelectorAll('.token'));

    assert.equal(tokens.length, 10);
    assert.equal(tokens[1].getAttribute('role'), 'option');
    assert.ok(tokens[1].classList.contains('domain-blue'));
    assert.match(tokens[1].getAttribute('aria-label') ?? '', /^Token 2 of 10, " Tenant": dominant Legal B in layer 2 \(0\.59\)$/);
  });

  test('text from the model never becomes markup', () => {
    const snapshot = sampleSnapshot();
    snapshot.completion!.tokens[0].text = '<img src=x onerror="alert(1)">';
    snapshot.document!.name = '<b>bold</b>.txt';

    const { root } = render(snapshot);

    assert.equal(root.querySelector('img'), null);
    assert.equal(root.querySelector('b'), null);
    assert.equal(root.querySelector('.token')?.textContent, '<img src=x onerror="alert(1)">');
    assert.equal(root.querySelector('.document-name')?.textContent, '<b>bold</b>.txt');
  });

  test('focusing a token shows its experts per layer', () => {
    const { root } = render(sampleSnapshot());
    const tokens = Array.from(root.querySelectorAll<HTMLElement>('.token'));

    tokens[3].focus();

    const detail = root.querySelector('#token-detail');
    assert.match(detail?.querySelector('.token-detail-heading')?.textContent ?? '', /Token 4 of 10: " indemnify"/);
    assert.equal(detail?.querySelectorAll('.token-layer').length, 4);
    assert.equal(tokens[3].getAttribute('aria-selected'), 'true');
  });
});

describe('impact section', () => {
  test('lists experts by impact with dormant and awakened badges', () => {
    const { root } = render(sampleSnapshot());
    const rows = Array.from(root.querySelectorAll('#impact-section .impact-row'));

    assert.equal(rows.length, 9);
    assert.match(rows[0].textContent ?? '', /^L2 · Legal B0\.62dormantawakenedwithout it: " the Tenant shall pay the rent"$/);
  });

  test('offers explain before any explanation', () => {
    const snapshot = sampleSnapshot();
    delete snapshot.explanation;

    const { root, posted } = render(snapshot);
    root.querySelector<HTMLButtonElement>('#impact-section button')?.click();

    assert.deepEqual(posted, [{ type: 'runAction', action: 'explainAtCursor' }]);
  });
});

describe('controls', () => {
  test('top-k and counterfactual post their settings', () => {
    const { root, posted } = render(sampleSnapshot());
    const topK = root.querySelector<HTMLSelectElement>('#top-k')!;
    const counterfactual = root.querySelector<HTMLInputElement>('#counterfactual')!;

    assert.equal(topK.value, '2');
    assert.equal(counterfactual.checked, true);
    topK.value = '3';
    topK.dispatchEvent(new Event('change'));
    counterfactual.checked = false;
    counterfactual.dispatchEvent(new Event('change'));

    assert.deepEqual(posted, [
      { type: 'setTopK', topK: 3 },
      { type: 'setCounterfactual', enabled: false },
    ]);
  });

  test('expert switches reflect and change disabled experts', () => {
    const { root, posted } = render(sampleSnapshot());
    const disabled = root.querySelector<HTMLInputElement>('[id="expert-L3.E5"]')!;
    const enabled = root.querySelector<HTMLInputElement>('[id="expert-L0.E0"]')!;

    assert.equal(disabled.checked, false);
    assert.equal(enabled.checked, true);
    enabled.checked = false;
    enabled.dispatchEvent(new Event('change'));

    assert.deepEqual(posted, [{ type: 'setExpertEnabled', expertId: 'L0.E0', enabled: false }]);
  });

  test('names where settings are saved', () => {
    const snapshot = sampleSnapshot();
    snapshot.controls.settingsTarget = 'user';

    const { root } = render(snapshot);

    assert.match(root.querySelector('#controls-section .hint')?.textContent ?? '', /saved to the user settings/);
  });
});

describe('status views', () => {
  test('no editor', () => {
    const { root } = render({ ...sampleSnapshot(), status: { kind: 'no-editor' } });

    assert.equal(root.querySelector('.state-title')?.textContent, 'No editor');
    assert.equal(root.querySelector('#heatmap'), null);
  });

  test('language disabled offers its setting', () => {
    const { root, posted } = render({ ...sampleSnapshot(), status: { kind: 'language-disabled', languageId: 'rust' } });

    assert.match(root.querySelector('.state-message')?.textContent ?? '', /"rust"/);
    root.querySelector<HTMLButtonElement>('button')?.click();
    assert.deepEqual(posted, [{ type: 'runAction', action: 'openLanguageSettings' }]);
  });

  test('loading shows progress', () => {
    const { root } = render({ ...sampleSnapshot(), status: { kind: 'loading', progress: 0.4, modelName: 'expert-moe' } });

    assert.equal(root.querySelector('.state-message')?.textContent, 'Loading model expert-moe (40%)…');
    assert.equal(root.querySelector<HTMLProgressElement>('progress')?.value, 0.4);
  });

  test('a past restart shows as a note above the pictures', () => {
    const at = new Date(2026, 11, 4, 23, 41, 7).getTime();
    const reason = 'The inference worker did not answer a heartbeat within 1000 ms.';
    const { root } = render({ ...sampleSnapshot(), status: { kind: 'ready', lastRestart: { reason, at } } });

    const note = root.querySelector('.restart-note');
    assert.equal(note?.textContent, `The engine restarted at ${new Date(at).toLocaleTimeString()}. ${reason}`);
    assert.ok(root.querySelector('.domain-section, section'), 'the pictures still show');
  });

  test('no note without a restart', () => {
    const { root } = render(sampleSnapshot());

    assert.equal(root.querySelector('.restart-note'), null);
  });

  test('error shows the message and its actions', () => {
    const { root, posted } = render({
      ...sampleSnapshot(),
      status: {
        kind: 'error',
        error: { code: 'model-missing', message: 'model.onnx was not found.', action: 'Set expertActivation.model.folder.', subject: '/models/x' },
        actions: ['openModelSettings', 'showLog'],
      },
    });

    assert.equal(root.querySelector('.state-view')?.getAttribute('role'), 'alert');
    assert.equal(root.querySelector('.state-message')?.textContent, 'model.onnx was not found.');
    assert.equal(root.querySelector('.state-subject')?.textContent, '/models/x');
    const buttons = Array.from(root.querySelectorAll<HTMLButtonElement>('.state-view button'));
    assert.deepEqual(buttons.map((button) => button.textContent), ['Open Model Settings', 'Show Log']);
    buttons[1].click();
    assert.deepEqual(posted, [{ type: 'runAction', action: 'showLog' }]);
  });

  test('routing error shows inline with the log button', () => {
    const { root } = render({ ...sampleSnapshot(), routingError: { code: 'input-invalid', message: 'The prefix is empty.' } });

    assert.match(root.querySelector('.inline-error')?.textContent ?? '', /Routing at the cursor failed: The prefix is empty\./);
  });
});
