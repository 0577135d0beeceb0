// The state that `expertActivation.internal.getState` returns, so integration tests can check
// what the user would see without reading the status bar's pixels.

import * as vscode from 'vscode';
import type { CompletionResult, DomainPosterior, Engine, EngineErrorInfo, EngineStatus, RoutingOptions } from '../engine/protocol';
import type { CompletionFeature } from '../completion/completionFeature';
import type { RequestOutcome } from '../completion/provider';
import { isLanguageEnabled } from '../completion/languages';
import type { DocumentRouting } from '../settings/documentRouting';
import type { PinStore } from '../settings/pinStore';
import type { SettingsService } from '../settings/settingsService';
import type { StatusBar } from './statusBar';
import type { StatusState } from './statusText';

export interface ExtensionStateSnapshot {
  engine: { status: EngineStatus; modelName?: string; domains?: string[]; error?: EngineErrorInfo };
  settings: {
    /** Ids of the settings whose current value is invalid and replaced by the default. */
    invalid: string[];
    warningsShown: number;
  };
  completions: {
    enabled: boolean;
    providerRegistered: boolean;
    /** The provider registration and its listeners held now. */
    activeDisposables: number;
    /** Registrations since activation, counting each time completions were turned on. */
    registrationCount: number;
    requestsInFlight: number;
    cachedCompletions: number;
  };
  status: { state: StatusState; text: string; domain?: string; domainSourceLabel?: string };
  activeDocument?: {
    uri: string;
    languageId: string;
    languageEnabled: boolean;
    pin?: string;
    domain?: string;
    domainSource?: string;
    reason: string;
    /** The routing options the next request of this document sends. */
    routing: RoutingOptions;
    detected?: DomainPosterior;
  };
  lastCompletion?: {
    documentUri: string;
    /** The engine's raw completion, before post-processing. */
    completion: string;
    stopReason: CompletionResult['stopReason'];
    totalMs: number;
    /** The domain the engine routed the request to, and how it was decided. */
    domain: DomainPosterior;
  };
  /** How the last completion request ended: the text shown, or why nothing was shown. */
  lastOutcome?: RequestOutcome;
}

export interface ExtensionStateSources {
  engine: Engine;
  settings: SettingsService;
  routing: DocumentRouting;
  pins: PinStore;
  completions: CompletionFeature;
  statusBar: StatusBar;
  lastCompletion(): { documentUri: string; result: CompletionResult } | undefined;
}

export function snapshotExtensionState(sources: ExtensionStateSources): ExtensionStateSnapshot {
  const { engine, settings, routing, pins, completions, statusBar } = sources;
  const document = vscode.window.activeTextEditor?.document;
  const view = statusBar.view;
  const last = sources.lastCompletion();

  let activeDocument: ExtensionStateSnapshot['activeDocument'];
  if (document !== undefined) {
    const decision = routing.decide(document);
    activeDocument = {
      uri: document.uri.toString(),
      languageId: document.languageId,
      languageEnabled: isLanguageEnabled(settings.settings.completions.enabledLanguages, document.languageId),
      pin: pins.get(document.uri),
      domain: decision.options.domain,
      domainSource: decision.options.domainSource,
      reason: decision.reason,
      routing: decision.options,
      detected: statusBar.detectedDomain(document.uri.toString()),
    };
  }

  return {
    engine: {
      status: engine.state.status,
      modelName: engine.state.model?.name,
      domains: engine.state.model?.domains,
      error: engine.state.error,
    },
    settings: {
      invalid: settings.problems.map((problem) => problem.setting),
      warningsShown: settings.warningsShown,
    },
    completions: {
      enabled: settings.settings.completions.enabled,
      providerRegistered: completions.isRegistered,
      activeDisposables: completions.activeDisposables,
      registrationCount: completions.registrationCount,
      requestsInFlight: completions.provider.requestsInFlight,
      cachedCompletions: completions.provider.cache.size,
    },
    status: { state: view.state, text: view.text, domain: view.domain, domainSourceLabel: view.domainSourceLabel },
    activeDocument,
    lastOutcome: completions.provider.lastOutcome,
    lastCompletion:
      last === undefined
        ? undefined
        : {
            documentUri: last.documentUri,
            completion: last.result.completion,
            stopReason: last.result.stopReason,
            totalMs: last.result.timing.totalMs,
            domain: last.result.trace.domain,
          },
  };
}
