// The last completion, token by token, each coloured by its dominant expert's domain. Focusing
// or hovering a token shows its top experts in every layer.

import type { TokenTrace } from '../../src/engine/protocol';
import { dominantExpert, rankLayer, type RankedExpert } from '../analysis';
import { h, setCssNumber } from '../dom';
import { domainColorClass } from '../domains';
import { probability, truncate, visibleTokenText } from '../format';
import { makeRoving } from '../keyboard';
import { section, swatch } from './common';
import type { RenderContext } from './context';

export function renderTokensSection(context: RenderContext): HTMLElement {
  const completion = context.snapshot.completion;
  if (completion === undefined || completion.tokens.length === 0) {
    return section(
      'tokens-section',
      'Last completion',
      h('p', { class: 'hint' }, 'No completion for this document yet. When one appears, its tokens show here, coloured by the expert that shaped them most.'),
    );
  }

  const tokens = completion.tokens;
  const selected = Math.min(context.ui.selectedToken, tokens.length - 1);
  const detail = h('div', { class: 'token-detail', id: 'token-detail' });
  const showToken = (position: number) => detail.replaceChildren(...renderTokenDetail(context, tokens, position));
  showToken(selected);

  const list = h('div', {
    class: 'token-list',
    role: 'listbox',
    'aria-label': 'Completion tokens, coloured by dominant expert. Use the arrow keys to move between tokens.',
    'aria-describedby': 'token-detail',
    'aria-orientation': 'horizontal',
  });
  const items = tokens.map((token, position) => {
    const item = renderToken(context, token, position, tokens.length);
    item.setAttribute('aria-selected', String(position === selected));
    item.addEventListener('mouseenter', () => showToken(position));
    item.addEventListener('mouseleave', () => showToken(context.ui.selectedToken));
    list.appendChild(item);
    return item;
  });

  makeRoving([items], {
    active: [0, selected],
    linear: true,
    onFocus: (_row, position) => {
      items.forEach((item, i) => item.setAttribute('aria-selected', String(i === position)));
      context.saveUi({ selectedToken: position });
      showToken(position);
    },
  });

  return section('tokens-section', 'Last completion', list, detail);
}

function renderToken(context: RenderContext, token: TokenTrace, position: number, count: number): HTMLElement {
  const dominant = dominantExpert(token.layers);
  const table = context.table;
  const domain = dominant && table?.domain(dominant.layer, dominant.index);
  const colorClass = domain ? domainColorClass(context.colors, domain) : 'domain-neutral';
  const awakened = token.layers.some((layer) => layer.awakened.length > 0);
  const dominantText = dominant
    ? `dominant ${table?.label(dominant.layer, dominant.index) ?? `expert ${dominant.index}`} in layer ${dominant.layer} (${probability(dominant.probability)})`
    : 'no routing reported';

  return h(
    'span',
    {
      class: `token ${colorClass}${awakened ? ' awakened' : ''}`,
      role: 'option',
      'data-focus-key': `token-${position}`,
      'aria-label': `Token ${position + 1} of ${count}, "${token.text}": ${dominantText}${awakened ? ', an awakened expert ran' : ''}`,
    },
    visibleTokenText(token.text),
  );
}

function renderTokenDetail(context: RenderContext, tokens: readonly TokenTrace[], position: number): Node[] {
  const token = tokens[position];
  if (token === undefined) return [];

  const heading = h('p', { class: 'token-detail-heading' }, `Token ${position + 1} of ${tokens.length}: `, h('code', {}, truncate(JSON.stringify(token.text), 60)));
  const rows = token.layers.map((routing, layer) => {
    const ranked = rankLayer(routing, layer);
    const chosen = ranked.filter((expert) => expert.chosen);
    return h(
      'li',
      { class: 'token-layer' },
      h('span', { class: 'token-layer-name' }, `L${layer}`),
      h('span', { class: 'token-layer-experts' }, ...chosen.map((expert) => renderExpertChip(context, expert))),
      renderDistribution(context, ranked),
    );
  });

  return [heading, h('ul', { class: 'token-layers', 'aria-label': 'Selected experts per layer' }, ...rows)];
}

/** Renders a stacked bar of the layer's router probabilities, largest first, with selected experts opaque. */
function renderDistribution(context: RenderContext, ranked: readonly RankedExpert[]): HTMLElement {
  const table = context.table;
  const segments = ranked.map((expert) => {
    const domain = table?.domain(expert.layer, expert.index);
    const segment = h('span', {
      class: `distribution-segment ${domain ? domainColorClass(context.colors, domain) : 'domain-neutral'}${expert.chosen ? ' chosen' : ''}`,
      title: `${table?.label(expert.layer, expert.index) ?? `Expert ${expert.index}`} ${probability(expert.probability)}`,
    });
    setCssNumber(segment, '--value', Math.max(0, expert.probability));
    return segment;
  });
  return h('span', { class: 'distribution', 'aria-hidden': 'true' }, ...segments);
}

function renderExpertChip(context: RenderContext, expert: RankedExpert): HTMLElement {
  const table = context.table;
  const label = table?.label(expert.layer, expert.index) ?? `Expert ${expert.index}`;
  return h(
    'span',
    { class: `expert-chip${expert.awakened ? ' awakened' : ''}` },
    swatch(context, table?.domain(expert.layer, expert.index)),
    `${label} ${probability(expert.probability)}`,
    expert.awakened && h('span', { class: 'chip-glyph', 'aria-hidden': 'true' }, '✦'),
    expert.awakened && h('span', { class: 'visually-hidden' }, ' (awakened)'),
  );
}
