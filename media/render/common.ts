// Building blocks shared by the section renderers.

import type { Domain } from '../../src/engine/protocol';
import type { PanelAction } from '../../src/panel/protocol';
import { h, setCssNumber, type Child } from '../dom';
import { unit } from '../format';
import { domainColorClass, domainTitle } from '../domains';
import type { RenderContext } from './context';

/** Creates a titled section, labelled by its heading for screen readers. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'section', id, 'aria-labelledby': `${id}-heading` }, h('h2', { id: `${id}-heading` }, title), ...children);
}

/** Creates a `<details>` element that stays open across re-renders once the user opens it. */
export function rememberedDetails(context: RenderContext, id: string, summary: Child, ...children: Child[]): HTMLDetailsElement {
  const details = h('details', { id, open: context.ui.openDetails.includes(id) }, h('summary', { 'data-focus-key': `${id}-summary` }, summary), ...children);
  details.addEventListener('toggle', () => {
    const others = context.ui.openDetails.filter((openId) => openId !== id);
    context.saveUi({ openDetails: details.open ? [...others, id] : others });
  });
  return details;
}

/** Creates a small square in the domain's colour, hidden from screen readers, which read the name instead. */
export function swatch(context: RenderContext, domain: Domain | undefined): HTMLElement {
  const colorClass = domain === undefined ? 'domain-neutral' : domainColorClass(context.colors, domain);
  return h('span', { class: `swatch ${colorClass}`, 'aria-hidden': 'true' });
}

export function domainChip(context: RenderContext, domain: Domain): HTMLElement {
  return h('span', { class: `domain-chip ${domainColorClass(context.colors, domain)}` }, swatch(context, domain), domainTitle(domain));
}

const actionTitles: Record<PanelAction, string> = {
  showLog: 'Show Log',
  openModelSettings: 'Open Model Settings',
  openLanguageSettings: 'Open Language Settings',
  openRoutingSettings: 'Open Routing Settings',
  explainAtCursor: 'Explain at Cursor',
};

export function actionButton(context: RenderContext, action: PanelAction, primary = false): HTMLButtonElement {
  const button = h('button', { type: 'button', class: primary ? 'button primary' : 'button secondary', 'data-focus-key': `action-${action}` }, actionTitles[action]);
  button.addEventListener('click', () => context.post({ type: 'runAction', action }));
  return button;
}

/** Creates a horizontal bar filled to `value` in [0, 1]. It is decorative, so callers show the number too. */
export function bar(value: number, colorClass: string): HTMLElement {
  const fill = h('span', { class: `bar-fill ${colorClass}` });
  setCssNumber(fill, '--value', unit(value));
  return h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill);
}
