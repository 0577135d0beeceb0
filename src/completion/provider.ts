// The inline completion provider. It debounces, builds the request, calls the engine with the
// provider's cancellation as an AbortSignal, then post-processes and caches the result.

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompletionResult, Engine, GenerationOptions, RoutingOptions } from '../engine/protocol';
import type { ExpertActivationSettings } from '../settings/settings';
import { looksBinary } from './binaryText';
import { CompletionCache } from './cache';
import { DocumentRequestContext, readDocumentContext } from './documentContext';
import { describeError, isCancellation } from './engineErrors';
import type { CompletionEvents } from './events';
import { isLanguageEnabled } from './languages';
import { isEndOfLineLike } from './overlap';
import { postprocessCompletion } from './postprocess';
import { InFlightRequests, SupersededError, waitUnlessAborted } from './requests';
import { fromLf } from './text';

/** Wall-clock budget of one completion request, in milliseconds. */
const COMPLETION_TIME_BUDGET_MS = 3000;

export interface CompletionProviderDependencies {
  engine: Engine;
  settings: () => ExpertActivationSettings;
  routingFor(document: vscode.TextDocument): RoutingOptions;
  events: CompletionEvents;
  log: vscode.LogOutputChannel;
}

/** Outcome of the last request, for the internal state command. */
export interface RequestOutcome {
  /** Increases with every request the provider receives. */
  requestNumber: number;
  documentUri: string;
  /** The text shown as ghost text, with LF line breaks. */
  shown?: string;
  discardReason?: string;
}

/** A request's number and its label in the log, such as `#12 inventory.py 14:8`. */
interface RequestLabel {
  requestNumber: number;
  label: string;
}

export class ExpertCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly cache = new CompletionCache();
  lastOutcome: RequestOutcome | undefined;
  private readonly inFlight = new InFlightRequests();
  private requestCounter = 0;
  private lastLoggedError: string | undefined;

  constructor(private readonly deps: CompletionProviderDependencies) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const requestId = ++this.requestCounter;
    const label = `#${requestId} ${path.basename(document.uri.path) || document.uri.toString()} ${position.line + 1}:${position.character + 1}`;
    try {
      return await this.provide(document, position, context, token, { requestNumber: requestId, label });
    } catch (error) {
      this.deps.log.error(`${label}: completion failed: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Drops the cache and aborts requests, for example after the routing settings or a pin changed. */
  reset(documentUri?: string): void {
    this.cache.clear(documentUri);
    if (documentUri === undefined) this.inFlight.abortAll();
    else this.inFlight.abort(documentUri);
  }

  dispose(): void {
    this.inFlight.abortAll();
    this.cache.clear();
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  private async provide(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
    requestLabel: RequestLabel,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const { log, engine } = this.deps;
    const { label, requestNumber } = requestLabel;
    const settings = this.deps.settings();
    const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;

    if (!settings.completions.enabled) return undefined;
    if (!isLanguageEnabled(settings.completions.enabledLanguages, document.languageId)) return undefined;
    if (context.selectedCompletionInfo !== undefined) {
      log.trace(`${label}: skipped while the suggest widget is open`);
      return undefined;
    }

    const status = engine.state.status;
    if (status === 'loading' || status === 'restarting') {
      log.debug(`${label}: skipped, the model is still loading`);
      if (explicit) vscode.window.setStatusBarMessage('Expert Activation: the model is still loading.', 3000);
      return undefined;
    }
    if (status === 'error' || status === 'stopped') {
      log.debug(`${label}: skipped, the engine is in the "${status}" state`);
      return undefined;
    }

    const documentUri = document.uri.toString();
    const request = readDocumentContext(document, position, settings.completions, engine.state.model);
    const { context: textContext } = request;

    if (looksBinary(textContext.prefix) || looksBinary(textContext.suffix)) {
      const reason = 'the text around the cursor looks binary (NUL or undecodable bytes), where completions are not supported';
      this.lastOutcome = { requestNumber, documentUri, discardReason: reason };
      log.debug(`${label}: skipped, ${reason}`);
      if (explicit) vscode.window.setStatusBarMessage('Expert Activation: completions are not supported in binary content.', 3000);
      return undefined;
    }

    if (!explicit && !isEndOfLineLike(textContext.lineSuffix)) {
      log.trace(`${label}: skipped, the cursor is in the middle of a line`);
      return undefined;
    }

    const cached = this.cache.lookup(documentUri, textContext.prefix, textContext.lineSuffix);
    if (cached !== undefined) {
      this.lastOutcome = { requestNumber, documentUri, shown: cached.remainder };
      log.debug(`${label}: reused a cached completion (${cached.typedLength} characters typed along)`);
      return [this.item(cached.remainder, position, request.eol)];
    }

    const cancelled = new AbortController();
    const cancellation = token.onCancellationRequested(() => cancelled.abort());
    try {
      if (!explicit) {
        const waited = await waitUnlessAborted(settings.completions.debounceMs, cancelled.signal);
        if (!waited) {
          log.trace(`${label}: cancelled while debouncing`);
          return undefined;
        }
      }
      return await this.request(document, position, request, requestLabel, cancelled.signal);
    } finally {
      cancellation.dispose();
    }
  }

  private async request(
    document: vscode.TextDocument,
    position: vscode.Position,
    request: DocumentRequestContext,
    requestLabel: RequestLabel,
    cancelled: AbortSignal,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const { log, engine, events } = this.deps;
    const { label, requestNumber } = requestLabel;
    const settings = this.deps.settings();
    const documentUri = document.uri.toString();
    const version = document.version;
    const { context } = request;

    if (cancelled.aborted) return undefined;
    const controller = this.inFlight.start(documentUri);
    const onCancel = () => controller.abort();
    cancelled.addEventListener('abort', onCancel, { once: true });

    const generation: GenerationOptions = {
      maxTokens: settings.completions.maxTokens,
      temperature: settings.completions.temperature,
      topP: settings.completions.temperature > 0 ? 0.95 : 1,
      timeBudgetMs: COMPLETION_TIME_BUDGET_MS,
      stopAt: request.stopAt,
    };
    const routing = this.deps.routingFor(document);

    events.requestActivity.fire({ documentUri, state: 'started' });
    const startedAt = Date.now();
    let result: CompletionResult;
    try {
      result = await engine.complete(
        { documentKey: documentUri, prefix: context.prefix, suffix: context.suffix, routing, generation },
        controller.signal,
      );
    } catch (error) {
      if (isCancellation(error, controller.signal)) {
        const superseded = controller.signal.reason instanceof SupersededError;
        const reason = superseded ? 'superseded by a newer request' : 'cancelled';
        this.lastOutcome = { requestNumber, documentUri, discardReason: reason };
        log.debug(`${label}: discarded, ${reason}`);
        events.requestActivity.fire({ documentUri, state: 'finished' });
      } else {
        this.lastOutcome = { requestNumber, documentUri, discardReason: `the request failed: ${describeError(error)}` };
        this.logEngineError(label, error);
        events.requestActivity.fire({ documentUri, state: 'finished', error: describeError(error) });
      }
      return undefined;
    } finally {
      cancelled.removeEventListener('abort', onCancel);
      this.inFlight.finish(documentUri, controller);
    }

    const latencyMs = Date.now() - startedAt;
    this.lastLoggedError = undefined;
    events.requestActivity.fire({ documentUri, state: 'finished', latencyMs });
    events.didComplete.fire({ documentUri, result });

    const outcome = postprocessCompletion({
      raw: result.completion,
      stopReason: result.stopReason,
      context,
      prose: request.prose,
      stopAt: request.stopAt,
      indentation: request.indentation,
    });
    const timing = describeTiming(result, latencyMs, request.stopAt);

    if (outcome.discardReason !== undefined) {
      this.lastOutcome = { requestNumber, documentUri, discardReason: outcome.discardReason };
      log.debug(`${label}: ${timing}; discarded, ${outcome.discardReason}; model text ${JSON.stringify(result.completion)}`);
      return undefined;
    }

    // Cached even when stale: a later request at the same place, or typed along it, reuses it.
    this.cache.store(documentUri, context.prefix, context.lineSuffix, outcome.text);

    if (cancelled.aborted) {
      this.lastOutcome = { requestNumber, documentUri, discardReason: 'cancelled after the model responded' };
      log.debug(`${label}: ${timing}; discarded, cancelled after the model responded (kept in the cache)`);
      return undefined;
    }
    if (document.version !== version) {
      this.lastOutcome = { requestNumber, documentUri, discardReason: 'the document changed' };
      log.debug(`${label}: ${timing}; discarded, the document changed from version ${version} to ${document.version}`);
      return undefined;
    }

    this.lastOutcome = { requestNumber, documentUri, shown: outcome.text };
    log.debug(`${label}: ${timing}; shown ${JSON.stringify(outcome.text)}`);
    return [this.item(outcome.text, position, request.eol)];
  }

  /** Creates the item for a completion kept with LF line breaks, inserted with the document's line breaks. */
  private item(text: string, position: vscode.Position, eol: '\n' | '\r\n'): vscode.InlineCompletionItem {
    return new vscode.InlineCompletionItem(fromLf(text, eol), new vscode.Range(position, position));
  }

  /** Logs an engine error as an error once, and its repeats at debug level. */
  private logEngineError(label: string, error: unknown): void {
    const message = describeError(error);
    if (message === this.lastLoggedError) {
      this.deps.log.debug(`${label}: completion request failed again: ${message}`);
      return;
    }
    this.lastLoggedError = message;
    this.deps.log.error(`${label}: completion request failed: ${message}`);
  }
}

function describeTiming(result: CompletionResult, latencyMs: number, stopAt: string): string {
  const { timing } = result;
  return (
    `${latencyMs} ms (engine ${Math.round(timing.totalMs)} ms), prompt ${timing.promptTokens} tokens ` +
    `(${timing.reusedTokens} reused), ${timing.generatedTokens} generated, stop at ${stopAt}: ${result.stopReason}`
  );
}
