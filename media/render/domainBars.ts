// The document's domain: the posterior as bars, the decision and where it came from, and the
// control that pins the domain or returns it to detection.

import type { DomainSource, RoutingTrace } from '../../src/engine/protocol';
import type { PanelControls } from '../../src/panel/protocol';
import { h } from '../dom';
import { domainColorClass, domainTitle } from '../domains';
import { percent } from '../format';
import { bar, domainChip, section } from './common';
import type { RenderContext } from './context';

export function renderDomainSection(context: RenderContext, trace: RoutingTrace | undefined): HTMLElement {
  const { controls, model } = context.snapshot;
  const domains = model?.domains ?? Object.keys(trace?.domain.posterior ?? {});

  return section(
    'domain',
    'Domain',
    trace ? renderDecision(context, trace, controls) : h('p', { class: 'hint' }, 'Routing the text at the cursor…'),
    trace && renderPosterior(context, trace, domains),
    renderPinControl(context, domains),
  );
}

function renderDecision(context: RenderContext, trace: RoutingTrace, controls: PanelControls): HTMLElement {
  const { domain, confidence, source } = trace.domain;
  const languageId = context.snapshot.document?.languageId ?? 'this language';

  return h(
    'div',
    { class: 'domain-decision' },
    h(
      'p',
      { class: 'domain-summary' },
      domainChip(context, domain),
      h('span', { class: 'domain-confidence' }, percent(confidence)),
      h('span', { class: `source-badge source-${source}` }, sourceText(source, languageId)),
    ),
    renderOverruledDetection(trace, controls),
  );
}

/** Explains why the routed domain differs from what the text reads as, if it does. */
function renderOverruledDetection(trace: RoutingTrace, controls: PanelControls): HTMLElement | undefined {
  const { domain, source, posterior } = trace.domain;
  const detected = trace.domain.detected ?? mostProbable(posterior);
  if (detected === undefined || detected === domain || source === 'off') return undefined;

  const detectedConfidence = trace.domain.detectedConfidence ?? posterior[detected] ?? 0;
  const reading = `The text reads most like ${domainTitle(detected)} (${percent(detectedConfidence)})`;
  const reason =
    source === 'detected'
      ? `, below routing.minConfidence (${percent(controls.minConfidence)}), so requests route as ${domainTitle(domain)}.`
      : `, but the ${source === 'pinned' ? 'pin' : 'rule'} routes it as ${domainTitle(domain)}.`;
  return h('p', { class: 'hint' }, reading + reason);
}

function mostProbable(posterior: Record<string, number>): string | undefined {
  let best: string | undefined;
  for (const [domain, value] of Object.entries(posterior)) {
    if (best === undefined || value > (posterior[best] ?? 0)) best = domain;
  }
  return best;
}

function sourceText(source: DomainSource, languageId: string): string {
  switch (source) {
    case 'detected':
      return 'detected from the text';
    case 'pinned':
      return 'pinned for this document';
    case 'file-rule':
      return 'set by a file rule';
    case 'language-rule':
      return `set by the rule for ${languageId}`;
    case 'off':
      return 'domain routing is off';
  }
}

function renderPosterior(context: RenderContext, trace: RoutingTrace, domains: readonly string[]): HTMLElement {
  const { posterior, domain: decided } = trace.domain;
  const listed = domains.length > 0 ? domains : Object.keys(posterior);

  return h(
    'ul',
    { class: 'domain-bars', 'aria-label': 'Domain probabilities' },
    ...listed.map((domain) => {
      const value = posterior[domain] ?? 0;
      return h(
        'li',
        { class: domain === decided ? 'domain-bar decided' : 'domain-bar' },
        h('span', { class: 'bar-label' }, domainTitle(domain)),
        bar(value, domainColorClass(context.colors, domain)),
        h('span', { class: 'bar-value' }, percent(value)),
      );
    }),
  );
}

function renderPinControl(context: RenderContext, domains: readonly string[]): HTMLElement {
  const { controls, document: doc } = context.snapshot;
  const pinned = controls.domainSource === 'pinned' ? controls.domain : undefined;

  const select = h(
    'select',
    { id: 'pin-select', class: 'select', 'data-focus-key': 'pin-select', disabled: doc === undefined || domains.length === 0 },
    h('option', { value: '' }, automaticLabel(controls)),
    ...domains.map((domain) => h('option', { value: domain }, `${domainTitle(domain)} (pinned)`)),
  );
  select.value = pinned ?? '';
  select.addEventListener('change', () => {
    if (doc === undefined) return;
    if (select.value === '') context.post({ type: 'clearPin', uri: doc.uri });
    else context.post({ type: 'pinDomain', uri: doc.uri, domain: select.value });
  });

  return h('div', { class: 'control-row' }, h('label', { for: 'pin-select' }, 'Route this document as'), select);
}

function automaticLabel(controls: PanelControls): string {
  if (controls.mode === 'off') return 'Automatic (domain routing off)';
  if (controls.domain && (controls.domainSource === 'file-rule' || controls.domainSource === 'language-rule')) {
    return `Automatic (rule: ${domainTitle(controls.domain)})`;
  }
  return 'Automatic (detect)';
}
