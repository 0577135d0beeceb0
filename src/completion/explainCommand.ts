// The `expertActivation.explainAtCursor` command. It requests an explanation from the engine
// and lists the experts whose masking changed the completion at the cursor in a quick pick.

import * as vscode from 'vscode';
import type { Engine, ExplainResult, ExpertImpact, ModelInfo, RoutingOptions } from '../engine/protocol';
import type { ExpertActivationSettings } from '../settings/settings';
import { readDocumentContext } from './documentContext';
import { describeError, isCancellation } from './engineErrors';
import type { CompletionEvents } from './events';

/** Explaining runs the model once per expert, so it gets a longer budget than a completion. */
const EXPLAIN_TIME_BUDGET_MS = 30_000;

export interface ExplainDependencies {
  engine: Engine;
  settings: () => ExpertActivationSettings;
  routingFor(document: vscode.TextDocument): RoutingOptions;
  events: CompletionEvents;
  log: vscode.LogOutputChannel;
  showPanel(): Thenable<unknown>;
}

/** Runs the explain command; returns the result, or undefined when there was nothing to explain. */
export async function explainAtCursor(deps: ExplainDependencies): Promise<ExplainResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage('Expert Activation: open a document and place the cursor where you want the routing explained.');
    return undefined;
  }

  const state = deps.engine.state;
  if (state.status === 'error' || state.status === 'stopped') {
    const reason = state.error ? describeError({ info: state.error }) : `The engine is ${state.status}.`;
    void vscode.window.showErrorMessage(`Expert Activation cannot explain the routing: ${reason}`);
    return undefined;
  }

  const document = editor.document;
  const documentUri = document.uri.toString();
  const settings = deps.settings();
  const request = readDocumentContext(document, editor.selection.active, settings.completions, state.model);

  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Explaining the routing at the cursor', cancellable: true },
    async (_progress, token) => {
      const controller = new AbortController();
      const cancellation = token.onCancellationRequested(() => controller.abort());
      try {
        return await deps.engine.explain(
          {
            documentKey: `explain:${documentUri}`,
            prefix: request.context.prefix,
            routing: deps.routingFor(document),
            generation: {
              maxTokens: settings.completions.maxTokens,
              temperature: 0,
              topP: 1,
              timeBudgetMs: EXPLAIN_TIME_BUDGET_MS,
              stopAt: request.stopAt,
            },
            timeBudgetMs: EXPLAIN_TIME_BUDGET_MS,
          },
          controller.signal,
        );
      } catch (error) {
        if (isCancellation(error, controller.signal)) {
          deps.log.debug(`Explain for ${documentUri} was cancelled.`);
        } else {
          deps.log.error(`Explain for ${documentUri} failed: ${describeError(error)}`);
          void vscode.window.showErrorMessage(`Expert Activation: explaining the routing failed. ${describeError(error)}`);
        }
        return undefined;
      } finally {
        cancellation.dispose();
      }
    },
  );
  if (result === undefined) return undefined;

  deps.log.info(`Explained ${documentUri}: ${result.impacts.length} experts measured, completion ${JSON.stringify(result.completion)}.`);
  deps.events.didExplain.fire({ documentUri, result });
  void showExplanation(result, deps.engine.state.model, deps);
  return result;
}

type ExplanationItem = vscode.QuickPickItem & { action?: 'panel' };

async function showExplanation(result: ExplainResult, model: ModelInfo | undefined, deps: ExplainDependencies): Promise<void> {
  const { domain } = result.trace;
  const items: ExplanationItem[] = [
    {
      label: `$(symbol-namespace) Domain: ${domain.domain}`,
      description: `${domain.source}, confidence ${percent(domain.confidence)}`,
      detail: `Completion: ${JSON.stringify(result.completion)}`,
    },
  ];

  const changed = result.impacts.filter((impact) => impact.completionWithout !== undefined);
  const unchanged = result.impacts.filter((impact) => impact.completionWithout === undefined);

  items.push({ label: 'Experts that changed the completion', kind: vscode.QuickPickItemKind.Separator });
  if (changed.length === 0) {
    items.push({ label: 'None: masking any single expert leaves the completion as it is.' });
  }
  items.push(...byImpact(changed).map((impact) => impactItem(impact, model)));

  if (unchanged.length > 0) {
    items.push({ label: 'Other experts, by effect on the next token', kind: vscode.QuickPickItemKind.Separator });
    items.push(...byImpact(unchanged).map((impact) => impactItem(impact, model)));
  }

  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(layers) Show Active Experts', action: 'panel' });

  const picked = await vscode.window.showQuickPick(items, {
    title: `Experts behind "${shorten(result.completion, 60)}"`,
    placeHolder: 'Experts whose masking changes the completion, largest effect first',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked?.action === 'panel') await deps.showPanel();
}

function impactItem(impact: ExpertImpact, model: ModelInfo | undefined): ExplanationItem {
  const expert = model?.experts.find((candidate) => candidate.id === impact.expertId);
  const name = expert ? `${impact.expertId} · ${expert.label}` : impact.expertId;
  return {
    label: `$(circuit-board) ${name}`,
    description: `KL ${impact.klDivergence.toFixed(3)}${expert ? ` · ${expert.domain}` : ''}`,
    detail:
      impact.completionWithout === undefined
        ? 'Same completion without this expert'
        : `Without this expert: ${JSON.stringify(impact.completionWithout)}`,
  };
}

function byImpact(impacts: ExpertImpact[]): ExpertImpact[] {
  return [...impacts].sort((a, b) => b.klDivergence - a.klDivergence);
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function shorten(text: string, maxLength: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1)}…`;
}
