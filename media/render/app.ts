// Puts the sections together for one snapshot.

import { h } from '../dom';
import type { RenderContext } from './context';
import { renderControlsSection } from './controls';
import { renderDomainSection } from './domainBars';
import { renderHeatmapSection } from './heatmap';
import { renderImpactSection } from './impact';
import { renderLoadSection } from './load';
import { renderTokensSection } from './tokens';
import { renderHeader, renderRestartNote, renderStatusView } from './state';
import { actionButton } from './common';

export function renderApp(context: RenderContext): Node[] {
  const { status, routing, routingError } = context.snapshot;
  const header = renderHeader(context);
  if (status.kind !== 'ready') return [header, renderStatusView(context, status)].filter((node): node is HTMLElement => node !== undefined);

  return [
    header,
    status.lastRestart && renderRestartNote(status.lastRestart),
    routingError &&
      h(
        'div',
        { class: 'inline-error', role: 'alert' },
        h('p', {}, `Routing at the cursor failed: ${routingError.message}`),
        routingError.action && h('p', {}, routingError.action),
        actionButton(context, 'showLog'),
      ),
    renderDomainSection(context, routing),
    routing && renderHeatmapSection(context, routing),
    routing && renderLoadSection(context, routing),
    renderTokensSection(context),
    renderImpactSection(context, routing),
    renderControlsSection(context),
  ].filter((node): node is HTMLElement => node instanceof HTMLElement);
}


