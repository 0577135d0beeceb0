// Text, tooltip and state name of the status bar item for a given engine and editor state.
// No `vscode` import.

import type { DomainPosterior, DomainSource, EngineState } from '../engine/protocol';
import type { RoutingDecision } from '../settings/routingPolicy';

export type StatusState = 'loading' | 'ready' | 'generating' | 'error' | 'disabled' | 'language-disabled' | 'no-editor';

export interface StatusInput {
  engine: EngineState;
  completionsEnabled: boolean;
  document?: {
    languageId: string;
    languageEnabled: boolean;
    decision: RoutingDecision;
    /** The domain the engine detected last for this document, if it did. */
    detected?: DomainPosterior;
  };
  generating: boolean;
  lastLatencyMs?: number;
  /** The message of the last failed request, while the engine itself is fine. */
  lastRequestError?: string;
  /** The reason the engine last replaced its worker (a crash or no reply), with the time, once it works again. */
  lastRestart?: string;
}

export interface StatusView {
  state: StatusState;
  text: string;
  /** Markdown. */
  tooltip: string;
  isError: boolean;
  /** The domain the next request uses, when known. */
  domain?: string;
  /** Source of that domain: pinned, rule, detected or off. */
  domainSourceLabel?: string;
}

const SOURCE_LABELS: Record<DomainSource, string> = {
  pinned: 'pinned',
  'file-rule': 'rule',
  'language-rule': 'rule',
  detected: 'detected',
  off: 'off',
};

export function describeStatus(input: StatusInput): StatusView {
  const { engine } = input;

  if (engine.status === 'error' || engine.status === 'stopped') {
    const message = engine.error?.message ?? `The completion engine has ${engine.status === 'stopped' ? 'stopped' : 'failed'}.`;
    const action = engine.error?.action ?? 'Open the log for details.';
    return {
      state: 'error',
      text: '$(error) Experts',
      tooltip: `**Expert Activation: error**\n\n${escapeMarkdown(message)}\n\n${escapeMarkdown(action)}`,
      isError: true,
    };
  }

  if (engine.status === 'loading' || engine.status === 'restarting') {
    const progress = engine.progress === undefined ? '' : ` ${Math.round(engine.progress * 100)}%`;
    // While loading or restarting, the engine's error is the reason it is replacing a lost worker.
    if (engine.error !== undefined) {
      return {
        state: 'loading',
        text: `$(loading~spin) Experts: restarting${progress}`,
        tooltip: `**Expert Activation: restarting**\n\n${escapeMarkdown(engine.error.message)}\n\nCompletions resume when the model has loaded again.`,
        isError: false,
      };
    }
    return {
      state: 'loading',
      text: `$(loading~spin) Experts: loading${progress}`,
      tooltip: '**Expert Activation**\n\nLoading the model. Completions start when it is ready.',
      isError: false,
    };
  }

  if (!input.completionsEnabled) {
    return {
      state: 'disabled',
      text: '$(circle-slash) Experts: off',
      tooltip: '**Expert Activation**\n\nInline completions are turned off. Click to turn them on.',
      isError: false,
    };
  }

  const document = input.document;
  if (document === undefined) {
    return {
      state: 'no-editor',
      text: '$(sparkle) Experts',
      tooltip: '**Expert Activation**\n\nReady. Open a document for completions.',
      isError: false,
    };
  }

  if (!document.languageEnabled) {
    return {
      state: 'language-disabled',
      text: `$(circle-slash) Experts: off for ${document.languageId}`,
      tooltip: `**Expert Activation**\n\nInline completions are turned off for \`${document.languageId}\`. Click to turn them on.`,
      isError: false,
    };
  }

  const { domain, sourceLabel, detail } = describeDomain(document.decision, document.detected);
  const latency = input.lastLatencyMs === undefined ? '' : ` · ${Math.round(input.lastLatencyMs)} ms`;
  const icon = input.generating ? '$(loading~spin)' : input.lastRequestError ? '$(warning)' : '$(sparkle)';
  const tooltipLines = [
    '**Expert Activation**',
    `Domain: **${escapeMarkdown(domain)}** (${escapeMarkdown(detail)})`,
    input.generating ? 'Generating a completion…' : 'Ready.',
  ];
  if (input.lastLatencyMs !== undefined) tooltipLines.push(`Last completion: ${Math.round(input.lastLatencyMs)} ms`);
  if (input.lastRequestError) tooltipLines.push(`Last request failed: ${escapeMarkdown(input.lastRequestError)}`);
  if (input.lastRestart) tooltipLines.push(`Engine restarted: ${escapeMarkdown(input.lastRestart)}`);
  tooltipLines.push('Click for actions.');

  return {
    state: input.generating ? 'generating' : 'ready',
    text: `${icon} ${domain} · ${sourceLabel}${latency}`,
    tooltip: tooltipLines.join('\n\n'),
    isError: false,
    domain,
    domainSourceLabel: sourceLabel,
  };
}

function describeDomain(
  decision: RoutingDecision,
  detected: DomainPosterior | undefined,
): { domain: string; sourceLabel: string; detail: string } {
  const { options } = decision;
  if (options.mode === 'off') return { domain: 'no domain', sourceLabel: 'off', detail: decision.reason };

  if (options.domain !== undefined) {
    return { domain: options.domain, sourceLabel: SOURCE_LABELS[options.domainSource ?? 'pinned'], detail: decision.reason };
  }

  if (detected === undefined) return { domain: 'auto', sourceLabel: 'detecting', detail: 'not detected yet' };
  return {
    domain: detected.domain,
    sourceLabel: 'detected',
    detail: `detected from the text, confidence ${Math.round(detected.confidence * 100)}%`,
  };
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, '\\$&');
}
