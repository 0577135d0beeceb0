// Router probabilities at the cursor, layers by experts, with each layer's routing entropy.

import type { RoutingTrace } from '../../src/engine/protocol';
import { findAwakenedExperts, findDormantExperts } from '../analysis';
import { h } from '../dom';
import { domainColorClass, domainTitle } from '../domains';
import { probability, unit } from '../format';
import { section, swatch } from './common';
import type { RenderContext } from './context';
import { renderExpertGrid, type GridCell } from './expertGrid';

export function renderHeatmapSection(context: RenderContext, trace: RoutingTrace): HTMLElement {
  const table = context.table;
  const disabled = new Set(context.snapshot.controls.disabledExperts);
  const impacts = context.snapshot.explanation?.impacts;
  const dormant = table ? findDormantExperts(trace, table, disabled, impacts) : new Set<string>();
  const awakened = table ? findAwakenedExperts(trace, table) : new Set<string>();

  const grid = renderExpertGrid(context, {
    id: 'heatmap',
    label: 'Router probability per layer and expert for the text before the cursor',
    hint: 'Colour strength is the router probability. Hover or focus a cell for details.',
    cell: (layer, index): GridCell => {
      const routing = trace.context[layer];
      const p = unit(routing?.probs[index] ?? 0);
      const id = table?.id(layer, index) ?? `L${layer}.E${index}`;
      const label = table?.label(layer, index) ?? `Expert ${index}`;
      const domain = table?.domain(layer, index);
      const isChosen = routing?.chosen.includes(index) ?? false;
      const isAwakened = routing?.awakened.includes(index) ?? false;
      const isDisabled = disabled.has(id);
      const isDormant = dormant.has(id);

      const states = [
        isChosen && 'selected',
        isAwakened && 'awakened by counterfactual routing',
        isDisabled && 'disabled',
        isDormant && 'dormant',
      ].filter((state): state is string => typeof state === 'string');
      const classes = [domain ? domainColorClass(context.colors, domain) : 'domain-neutral'];
      if (isChosen) classes.push('chosen');
      if (isAwakened) classes.push('awakened');
      if (isDisabled) classes.push('disabled');
      if (isDormant) classes.push('dormant');

      return {
        classes,
        glyph: cellGlyph({ isDisabled, isAwakened, isChosen, isDormant }),
        label: [`Layer ${layer}, ${label}: ${probability(p)}`, ...states].join(', '),
        detail:
          `Layer ${layer} · ${label} (${id}${domain ? `, ${domainTitle(domain)}` : ''}): probability ${probability(p)}` +
          (states.length > 0 ? `, ${states.join(', ')}` : ', not selected') +
          '.',
        // The square root lifts small probabilities enough to tell 0.02 from 0.
        values: { '--value': Math.sqrt(p) },
      };
    },
    summary: {
      heading: 'H',
      title: 'Routing entropy: 0 when one expert takes all, 1 when all are equal',
      cell: (layer): GridCell => {
        const entropy = unit(trace.context[layer]?.entropy ?? 0);
        return {
          classes: ['entropy'],
          label: `Layer ${layer} routing entropy: ${probability(entropy)}`,
          detail: `Layer ${layer} routing entropy ${probability(entropy)}: 0 means one expert takes all the probability, 1 means all experts are equally likely.`,
          values: { '--value': entropy },
        };
      },
    },
  });

  return section(
    'heatmap-section',
    'Router at the cursor',
    renderLegend(context, dormant.size > 0, awakened.size > 0),
    grid,
  );
}

/** Picks the one mark a cell shows, the most important state first. */
function cellGlyph(state: { isDisabled: boolean; isAwakened: boolean; isChosen: boolean; isDormant: boolean }): string | undefined {
  if (state.isDisabled) return '×';
  if (state.isAwakened) return '✦';
  if (state.isChosen) return '●';
  if (state.isDormant) return 'z';
  return undefined;
}

function renderLegend(context: RenderContext, showDormant: boolean, showAwakened: boolean): HTMLElement {
  const domains = context.snapshot.model?.domains ?? [];
  return h(
    'div',
    { class: 'legend', 'aria-label': 'Legend' },
    ...domains.map((domain) => h('span', { class: 'legend-item' }, swatch(context, domain), domainTitle(domain))),
    h('span', { class: 'legend-item' }, h('span', { class: 'legend-glyph', 'aria-hidden': 'true' }, '●'), 'selected'),
    showAwakened && h('span', { class: 'legend-item' }, h('span', { class: 'legend-glyph', 'aria-hidden': 'true' }, '✦'), 'awakened'),
    showDormant && h('span', { class: 'legend-item' }, h('span', { class: 'legend-glyph', 'aria-hidden': 'true' }, 'z'), 'dormant'),
    context.snapshot.controls.disabledExperts.length > 0 &&
      h('span', { class: 'legend-item' }, h('span', { class: 'legend-glyph', 'aria-hidden': 'true' }, '×'), 'disabled'),
  );
}
