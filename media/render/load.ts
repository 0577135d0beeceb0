// Expert load over the context: each expert's share of the top-k slots, per layer, and how
// unevenly each layer spreads its slots.

import type { RoutingTrace } from '../../src/engine/protocol';
import { findDormantExperts, loadImbalance } from '../analysis';
import { domainColorClass, domainTitle } from '../domains';
import { percent, unit } from '../format';
import { section } from './common';
import type { RenderContext } from './context';
import { renderExpertGrid, type GridCell } from './expertGrid';

export function renderLoadSection(context: RenderContext, trace: RoutingTrace): HTMLElement {
  const table = context.table;
  const disabled = new Set(context.snapshot.controls.disabledExperts);
  const dormant = table ? findDormantExperts(trace, table, disabled, context.snapshot.explanation?.impacts) : new Set<string>();
  const tallest = Math.max(1e-9, ...trace.load.flat().map(unit));

  const grid = renderExpertGrid(context, {
    id: 'load',
    label: 'Share of top-k slots per layer and expert over the text before the cursor',
    hint: `Bar height is the share of top-k slots; the tallest bar is ${percent(tallest)}.`,
    cell: (layer, index): GridCell => {
      const share = unit(trace.load[layer]?.[index] ?? 0);
      const id = table?.id(layer, index) ?? `L${layer}.E${index}`;
      const label = table?.label(layer, index) ?? `Expert ${index}`;
      const domain = table?.domain(layer, index);
      const isDormant = dormant.has(id);
      const isDisabled = disabled.has(id);
      const classes = ['load', domain ? domainColorClass(context.colors, domain) : 'domain-neutral'];
      if (isDormant) classes.push('dormant');
      if (isDisabled) classes.push('disabled');
      let state = '';
      let glyph: string | undefined;
      if (isDisabled) {
        state = ', disabled';
        glyph = '×';
      } else if (isDormant) {
        state = ', dormant';
        glyph = 'z';
      }

      return {
        classes,
        glyph,
        label: `Layer ${layer}, ${label}: ${percent(share)} of slots${state}`,
        detail:
          `Layer ${layer} · ${label} (${id}${domain ? `, ${domainTitle(domain)}` : ''}) took ${percent(share)} of the top-k slots` +
          (isDormant ? '. Dormant: it matters for this document but the router rarely picks it.' : '.'),
        values: { '--value': share / tallest },
      };
    },
    summary: {
      heading: 'Δ',
      title: 'Load imbalance: how far the busiest expert is above the mean load, 0 when even',
      cell: (layer): GridCell => {
        const imbalance = loadImbalance(trace.load[layer] ?? []);
        const experts = trace.load[layer]?.length ?? 1;
        return {
          classes: ['imbalance'],
          label: `Layer ${layer} load imbalance: ${imbalance.toFixed(1)}`,
          detail: `Layer ${layer} load imbalance ${imbalance.toFixed(1)}: the busiest expert took ${(imbalance + 1).toFixed(1)} times the mean share.`,
          values: { '--value': experts > 1 ? imbalance / (experts - 1) : 0 },
        };
      },
    },
  });

  return section('load-section', 'Expert load over the context', grid);
}
