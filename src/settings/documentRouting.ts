// Applies the routing policy to open documents: current settings, the document's pin, its path
// relative to its workspace folder and its language.

import * as vscode from 'vscode';
import type { ModelInfo, RoutingOptions } from '../engine/protocol';
import type { PinStore } from './pinStore';
import { decideRouting, DocumentFacts, RoutingDecision } from './routingPolicy';
import type { SettingsService } from './settingsService';

export class DocumentRouting {
  constructor(
    private readonly settings: SettingsService,
    private readonly pins: PinStore,
    private readonly modelInfo: () => ModelInfo | undefined,
  ) {}

  decide(document: vscode.TextDocument): RoutingDecision {
    return decideRouting(this.settings.settings.routing, documentFacts(document, this.pins), this.modelInfo()?.domains);
  }

  routingFor(document: vscode.TextDocument): RoutingOptions {
    return this.decide(document).options;
  }
}

export function documentFacts(document: vscode.TextDocument, pins: PinStore): DocumentFacts {
  const uri = document.uri;
  const absolutePath = uri.scheme === 'file' ? uri.fsPath : uri.path;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const relativePath = folder === undefined ? undefined : vscode.workspace.asRelativePath(uri, false);

  return {
    languageId: document.languageId,
    absolutePath,
    relativePath,
    pin: pins.get(uri),
  };
}
