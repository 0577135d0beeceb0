// Text and JSON output of the CLI commands.

import type { CompletionResult, DomainPosterior, ExplainResult, ModelInfo, RoutingTrace } from '../engine/protocol';

export interface ActiveExpert {
  id: string;
  label: string;
  domain: string;
  layer: number;
  /** Share of the layer's top-k slots this expert took over the context. */
  load: number;
}

/** Experts sorted by their share of top-k slots over the context, largest first. */
export function activeExperts(trace: RoutingTrace, model: ModelInfo, count: number): ActiveExpert[] {
  return model.experts
    .map((expert) => ({ id: expert.id, label: expert.label, domain: expert.domain, layer: expert.layer, load: trace.load[expert.layer]?.[expert.index] ?? 0 }))
    .filter((expert) => expert.load > 0)
    .sort((a, b) => b.load - a.load)
    .slice(0, count);
}

/** Load per expert label (such as "Legal A"), averaged over layers, largest first. */
export function loadByLabel(trace: RoutingTrace, model: ModelInfo): Array<{ label: string; load: number }> {
  const totals = new Map<string, number>();
  for (const expert of model.experts) {
    totals.set(expert.label, (totals.get(expert.label) ?? 0) + (trace.load[expert.layer]?.[expert.index] ?? 0) / model.layers);
  }
  return [...totals].map(([label, load]) => ({ label, load })).filter((entry) => entry.load > 0).sort((a, b) => b.load - a.load);
}

export function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

export function formatPosterior(posterior: Record<string, number>): string {
  return Object.entries(posterior)
    .sort((a, b) => b[1] - a[1])
    .map(([domain, probability]) => `${domain} ${probability.toFixed(2)}`)
    .join(', ');
}

export function routeJson(file: string, trace: RoutingTrace, model: ModelInfo, elapsedMs: number): object {
  return {
    file,
    domain: trace.domain.domain,
    confidence: trace.domain.confidence,
    source: trace.domain.source,
    detected: trace.domain.detected,
    posterior: trace.domain.posterior,
    experts: activeExperts(trace, model, 8),
    context: trace.context,
    load: trace.load,
    elapsedMs,
  };
}

export function routeText(file: string, trace: RoutingTrace, model: ModelInfo, elapsedMs: number): string {
  const { domain } = trace;
  const lines = [
    `${file}`,
    `  domain      ${formatDomain(domain)}`,
    `  posterior   ${formatPosterior(domain.posterior)}`,
    `  experts     ${formatLabels(trace, model)}  (share of top-k slots over the context)`,
    '  per layer, most active experts:',
  ];
  const active = activeExperts(trace, model, model.experts.length);
  if (active.length === 0) lines.push('    none: there is no text before the position to route');
  for (let layer = 0; layer < model.layers && active.length > 0; layer += 1) {
    const top = active.filter((expert) => expert.layer === layer).slice(0, 3);
    lines.push(`    layer ${layer}: ${top.map((expert) => `${expert.id} ${expert.label} ${percent(expert.load)}`).join(', ')}`);
  }
  lines.push(`  time        ${elapsedMs} ms`);
  return lines.join('\n');
}

/** Formats the routed domain, with the reason when low confidence made it differ from the detected one. */
export function formatDomain(domain: DomainPosterior): string {
  const decided = `${domain.domain} (confidence ${domain.confidence.toFixed(2)}, ${domain.source})`;
  if (domain.source !== 'detected' || domain.detected === undefined || domain.detected === domain.domain) return decided;
  const detectedConfidence = (domain.detectedConfidence ?? domain.posterior[domain.detected]).toFixed(2);
  return `${domain.domain}: the detected ${domain.detected} (${detectedConfidence}) is below the minimum confidence, so the text routes as ${domain.domain}`;
}

export function formatLabels(trace: RoutingTrace, model: ModelInfo): string {
  return loadByLabel(trace, model)
    .slice(0, 3)
    .map((entry) => `${entry.label} ${percent(entry.load)}`)
    .join(', ');
}

export function completeJson(file: string, offset: number, result: CompletionResult): object {
  return {
    file,
    offset,
    completion: result.completion,
    stopReason: result.stopReason,
    domain: result.trace.domain.domain,
    confidence: result.trace.domain.confidence,
    source: result.trace.domain.source,
    posterior: result.trace.domain.posterior,
    timing: result.timing,
    trace: result.trace,
  };
}

export function completeText(file: string, offset: number, result: CompletionResult, model: ModelInfo): string {
  const { timing, trace } = result;
  const chosen = trace.context.map((layer, index) => `L${index}: ${layer.chosen.map((expert) => labelOf(model, index, expert)).join(' + ')}`);
  return [
    `${file} at offset ${offset}`,
    `  completion  ${JSON.stringify(result.completion)}  (${result.stopReason})`,
    `  domain      ${formatDomain(trace.domain)}`,
    `  experts     ${chosen.join(', ')}  (selected for the first token)`,
    `  time        ${timing.totalMs} ms: ${timing.promptTokens} context tokens (${timing.reusedTokens} reused), ${timing.generatedTokens} generated`,
  ].join('\n');
}

export function explainJson(file: string, offset: number, result: ExplainResult): object {
  return { file, offset, completion: result.completion, domain: result.trace.domain.domain, confidence: result.trace.domain.confidence, impacts: result.impacts, trace: result.trace };
}

export function explainText(file: string, offset: number, result: ExplainResult, model: ModelInfo): string {
  const lines = [
    `${file} at offset ${offset}`,
    `  completion  ${JSON.stringify(result.completion)}`,
    `  domain      ${formatDomain(result.trace.domain)}`,
    '  expert impact on the next token (KL divergence in nats; masked = switched off, activated = switched on):',
  ];
  for (const impact of result.impacts) {
    const without = impact.completionWithout === undefined ? '' : `  without it: ${JSON.stringify(impact.completionWithout)}`;
    lines.push(`    ${impact.expertId.padEnd(6)} ${labelOf(model, impact.layer, impact.index).padEnd(10)} ${(impact.effect ?? 'masked').padEnd(9)} ${impact.klDivergence.toFixed(4)}${without}`);
  }
  return lines.join('\n');
}

function labelOf(model: ModelInfo, layer: number, index: number): string {
  return model.experts.find((expert) => expert.layer === layer && expert.index === index)?.label ?? `E${index}`;
}
