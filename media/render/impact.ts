// Counterfactual impact after "explain": how much masking each expert changes the next-token
// distribution, as bars, with dormant and awakened experts marked.

import type { ExpertImpact, RoutingTrace } from '../../src/engine/protocol';
import { findAwakenedExperts, findDormantExperts, rankImpacts } from '../analysis';
import { h } from '../dom';
import { domainColorClass } from '../domains';
import { significant, truncate } from '../format';
import { actionButton, bar, rememberedDetails, section } from './common';
import type { RenderContext } from './context';

/** Bars shown before the "all experts" disclosure. */
const topImpacts = 8;

export function renderImpactSection(context: RenderContext, trace: RoutingTrace | undefined): HTMLElement {
  const explanation = context.snapshot.explanation;
  if (explanation === undefined || explanation.impacts.length === 0) {
    return section(
      'impact-section',
      'Counterfactual impact',
      h('p', { class: 'hint' }, 'Explain the routing at the cursor to measure how much each expert changes the prediction when it is masked.'),
      h('div', { class: 'button-row' }, actionButton(context, 'explainAtCursor', true)),
    );
  }

  const table = context.table;
  const disabled = new Set(context.snapshot.controls.disabledExperts);
  const dormant = trace && table ? findDormantExperts(trace, table, disabled, explanation.impacts) : new Set<string>();
  const awakened = trace && table ? findAwakenedExperts(trace, table) : new Set<string>();
  const ranked = rankImpacts(explanation.impacts);
  const largest = Math.max(1e-12, ranked[0]?.klDivergence ?? 0);

  const renderRow = (impact: ExpertImpact) => {
    const label = table?.label(impact.layer, impact.index) ?? impact.expertId;
    const domain = table?.domain(impact.layer, impact.index);
    const badges = [
      impact.effect === 'activated' && 'activated',
      dormant.has(impact.expertId) && 'dormant',
      awakened.has(impact.expertId) && 'awakened',
    ].filter(
      (badge): badge is string => typeof badge === 'string',
    );
    const notes = badges.length > 0 || impact.completionWithout !== undefined;
    return h(
      'li',
      { class: 'impact-row' },
      h('span', { class: 'bar-label', title: `${label} (${impact.expertId})` }, `L${impact.layer} · ${label}`),
      bar(impact.klDivergence / largest, domain ? domainColorClass(context.colors, domain) : 'domain-neutral'),
      h('span', { class: 'bar-value', title: 'KL divergence in nats' }, significant(impact.klDivergence)),
      notes &&
        h(
          'span',
          { class: 'impact-notes' },
          ...badges.map((badge) => h('span', { class: `badge badge-${badge}` }, badge)),
          impact.completionWithout !== undefined &&
            h(
              'span',
              { class: 'impact-without' },
              impact.effect === 'activated' ? 'with it: ' : 'without it: ',
              h('code', {}, truncate(JSON.stringify(impact.completionWithout), 80)),
            ),
        ),
    );
  };

  const head = ranked.slice(0, topImpacts);
  const rest = ranked.slice(topImpacts);
  return section(
    'impact-section',
    'Counterfactual impact',
    h(
      'p',
      { class: 'hint' },
      'How far the next-token distribution moves (KL divergence) when an expert that ran is masked, ' +
        'or when an "activated" expert that did not run is switched on. Largest first.',
    ),
    h('ol', { class: 'impact-bars', 'aria-label': 'Experts by impact' }, ...head.map(renderRow)),
    rest.length > 0 &&
      rememberedDetails(context, 'impact-rest', `${rest.length} more experts`, h('ol', { class: 'impact-bars', start: topImpacts + 1 }, ...rest.map(renderRow))),
    h('div', { class: 'button-row' }, actionButton(context, 'explainAtCursor')),
  );
}
