// Routing controls: top-k, counterfactual routing and the experts that may run. Each control
// posts a message; the host writes the setting and sends a new snapshot.

import { range } from '../analysis';
import { h } from '../dom';
import { domainTitle } from '../domains';
import { actionButton, rememberedDetails, section, swatch } from './common';
import type { RenderContext } from './context';

export function renderControlsSection(context: RenderContext): HTMLElement {
  const { controls, model } = context.snapshot;
  const target = controls.settingsTarget === 'user' ? 'user settings' : 'workspace settings';

  return section(
    'controls-section',
    'Routing controls',
    h('p', { class: 'hint' }, `Changes are saved to the ${target} and apply to the next request.`),
    renderTopK(context, model?.maxTopK ?? 8),
    renderCounterfactual(context),
    renderExpertSwitches(context),
    h('div', { class: 'button-row' }, actionButton(context, 'openRoutingSettings')),
  );
}

function renderTopK(context: RenderContext, maxTopK: number): HTMLElement {
  const current = context.snapshot.controls.topK;
  const select = h(
    'select',
    { id: 'top-k', class: 'select', 'data-focus-key': 'top-k' },
    ...range(Math.max(maxTopK, current)).map((i) => h('option', { value: i + 1 }, String(i + 1))),
  );
  select.value = String(current);
  select.addEventListener('change', () => context.post({ type: 'setTopK', topK: Number(select.value) }));

  return h('div', { class: 'control-row' }, h('label', { for: 'top-k' }, 'Experts per token (top-k)'), select);
}

function renderCounterfactual(context: RenderContext): HTMLElement {
  const checkbox = h('input', {
    type: 'checkbox',
    id: 'counterfactual',
    'data-focus-key': 'counterfactual',
    'aria-describedby': 'counterfactual-hint',
    checked: context.snapshot.controls.counterfactual,
  });
  checkbox.addEventListener('change', () => context.post({ type: 'setCounterfactual', enabled: checkbox.checked }));

  return h(
    'div',
    { class: 'control-row checkbox-row' },
    checkbox,
    h('label', { for: 'counterfactual' }, 'Counterfactual routing'),
    h('p', { class: 'hint', id: 'counterfactual-hint' }, 'Swaps low-impact selected experts for high-impact dormant ones of the domain.'),
  );
}

function renderExpertSwitches(context: RenderContext): HTMLElement | undefined {
  const table = context.table;
  if (table === undefined) return undefined;

  const disabled = new Set(context.snapshot.controls.disabledExperts);
  const summary = disabled.size === 0 ? 'Enable or disable experts (all enabled)' : `Enable or disable experts (${disabled.size} disabled)`;

  const layers = range(table.model.layers).map((layer) =>
    h(
      'fieldset',
      { class: 'expert-switches' },
      h('legend', {}, `Layer ${layer}`),
      ...range(table.model.expertsPerLayer).map((index) => {
        const id = table.id(layer, index);
        const inputId = `expert-${id}`;
        const checkbox = h('input', { type: 'checkbox', id: inputId, 'data-focus-key': inputId, checked: !disabled.has(id) });
        checkbox.addEventListener('change', () => context.post({ type: 'setExpertEnabled', expertId: id, enabled: checkbox.checked }));
        const domain = table.domain(layer, index);
        return h(
          'span',
          { class: 'expert-switch' },
          checkbox,
          h('label', { for: inputId, title: `${id}${domain ? `, ${domainTitle(domain)}` : ''}` }, swatch(context, domain), table.label(layer, index)),
        );
      }),
    ),
  );

  return rememberedDetails(context, 'expert-switches', summary, ...layers);
}
