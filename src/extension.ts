// Wires the extension together: settings and pins, the engine, completions, the status bar, the
// Active Experts panel and the commands. The model loads in the engine's worker after
// activation returns.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { CompletionFeature } from './completion/completionFeature';
import { describeError } from './completion/engineErrors';
import { CompletionEvents } from './completion/events';
import { explainAtCursor } from './completion/explainCommand';
import { isLanguageEnabled } from './completion/languages';
import { EngineClient } from './engine/client';
import type { CompletionResult, Engine } from './engine/protocol';
import { ActiveExpertsViewProvider } from './panel/activeExpertsView';
import { DocumentRouting } from './settings/documentRouting';
import { PinCommands, PinDomainArguments } from './settings/pinCommands';
import { PinStore } from './settings/pinStore';
import { FALLBACK_DOMAINS, ModelSettings } from './settings/settings';
import { SettingsService } from './settings/settingsService';
import { COMMANDS, PANEL_FOCUS_COMMAND } from './status/commandIds';
import { reportEngineState } from './status/engineReporting';
import { snapshotExtensionState } from './status/extensionState';
import { StatusBar } from './status/statusBar';
import { showStatusMenu } from './status/statusMenu';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Expert Activation', { log: true });
  context.subscriptions.push(log);

  try {
    wire(context, log);
  } catch (error) {
    log.error(`Activation failed: ${describeError(error)}`);
    void vscode.window.showErrorMessage(`Expert Activation failed to start: ${describeError(error)}`, 'Show Log').then((choice) => {
      if (choice === 'Show Log') log.show();
    });
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

function wire(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const subscriptions = context.subscriptions;

  let engine: Engine | undefined;
  const settings = new SettingsService(log, () => engine?.state.model);
  const pins = new PinStore(context.workspaceState);
  const routing = new DocumentRouting(settings, pins, () => engine?.state.model);
  const events = new CompletionEvents();
  subscriptions.push(settings, pins, events);

  const modelSettings = () => settings.settings.model;
  engine = createEngine(context, modelSettings(), log);
  const theEngine = engine;
  subscriptions.push({ dispose: () => theEngine.dispose() }, reportEngineState(theEngine, log));

  const completions = new CompletionFeature({
    engine: theEngine,
    settings: () => settings.settings,
    routingFor: (document) => routing.routingFor(document),
    events,
    log,
  });
  completions.setEnabled(settings.settings.completions.enabled);
  subscriptions.push(completions);

  const statusBar = new StatusBar({ engine: theEngine, settings, routing, pins, events, log });
  subscriptions.push(statusBar);

  let lastCompletion: { documentUri: string; result: CompletionResult } | undefined;
  subscriptions.push(events.didComplete.event((event) => (lastCompletion = event)));

  registerPanel(context, theEngine, routing, settings, pins, events, log);

  // Settings, pins and model changes.
  let loadedModelKey: string | undefined;
  subscriptions.push(
    settings.onDidChange(({ settings: current, previous }) => {
      guard(log, 'settings change', () => {
        completions.setEnabled(current.completions.enabled);
        const requestsChanged =
          JSON.stringify([current.routing, current.completions]) !== JSON.stringify([previous.routing, previous.completions]);
        if (requestsChanged) completions.provider.reset();
        if (current.model.folder !== previous.model.folder || current.model.threads !== previous.model.threads) {
          void restartEngine(context, theEngine, current.model, log);
        }
      });
    }),
    pins.onDidChange(({ uri }) => guard(log, 'pin change', () => completions.provider.reset(uri))),
    vscode.workspace.onDidRenameFiles((event) => {
      for (const { oldUri, newUri } of event.files) {
        pins.move(oldUri, newUri).catch((error: unknown) => log.error(`Moving the pin of ${oldUri.toString()} failed: ${describeError(error)}`));
      }
    }),
    theEngine.onDidChangeState((state) => {
      guard(log, 'model change', () => {
        const model = state.model;
        const key = model === undefined ? undefined : `${model.folder}|${model.name}|${model.experts.length}`;
        if (state.status === 'ready' && key !== loadedModelKey) {
          loadedModelKey = key;
          // Domains and expert ids are known now: check the settings against them.
          settings.refresh();
        }
      });
    }),
  );

  // Commands.
  const pinCommands = new PinCommands(pins, () => theEngine.state.model?.domains ?? FALLBACK_DOMAINS, log);
  const showPanel = () => vscode.commands.executeCommand(PANEL_FOCUS_COMMAND);
  const commands: Record<string, (...args: never[]) => unknown> = {
    [COMMANDS.toggleCompletions]: async () => {
      const enabled = !settings.settings.completions.enabled;
      await settings.update('completions.enabled', enabled);
      vscode.window.setStatusBarMessage(`Expert Activation: inline completions ${enabled ? 'on' : 'off'}`, 2500);
      return enabled;
    },
    [COMMANDS.triggerCompletion]: () => triggerCompletion(settings, log),
    [COMMANDS.pinDomain]: (args?: PinDomainArguments) => pinCommands.pinDomain(args),
    [COMMANDS.clearPin]: (args?: { uri?: string }) => pinCommands.clearPin(args),
    [COMMANDS.showPanel]: showPanel,
    [COMMANDS.explainAtCursor]: () =>
      explainAtCursor({
        engine: theEngine,
        settings: () => settings.settings,
        routingFor: (document) => routing.routingFor(document),
        events,
        log,
        showPanel,
      }),
    [COMMANDS.showLog]: () => log.show(true),
    [COMMANDS.statusMenu]: () =>
      showStatusMenu({
        settings,
        pins,
        engineState: () => theEngine.state,
        restartEngine: () => restartEngine(context, theEngine, settings.settings.model, log),
      }),
    [COMMANDS.getState]: () =>
      snapshotExtensionState({ engine: theEngine, settings, routing, pins, completions, statusBar, lastCompletion: () => lastCompletion }),
  };
  for (const [id, handler] of Object.entries(commands)) {
    subscriptions.push(vscode.commands.registerCommand(id, guardedCommand(id, handler, log)));
  }

  log.info(`Activated; model folder ${resolveModelFolder(context, modelSettings())}, ${modelSettings().threads} threads.`);
}

/** Creates the engine for the configured model folder and starts loading the model in its worker. */
function createEngine(context: vscode.ExtensionContext, model: ModelSettings, log: vscode.LogOutputChannel): Engine {
  const client = new EngineClient({
    modelFolder: resolveModelFolder(context, model),
    threads: model.threads,
    workerScript: context.asAbsolutePath(path.join('dist', 'worker.js')),
    log,
  });
  // The engine's state change to `error` is logged and shown by reportEngineState.
  client.start().catch((error: unknown) => log.debug(`The first model load failed: ${describeError(error)}`));
  return client;
}

async function restartEngine(
  context: vscode.ExtensionContext,
  engine: Engine,
  model: ModelSettings,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const modelFolder = resolveModelFolder(context, model);
  log.info(`Restarting the engine with ${modelFolder} and ${model.threads} threads.`);
  try {
    await engine.reload({ modelFolder, threads: model.threads });
  } catch (error) {
    // The engine's state change to `error` is logged and shown by reportEngineState.
    log.debug(`Restarting the engine failed: ${describeError(error)}`);
  }
}

function resolveModelFolder(context: vscode.ExtensionContext, model: ModelSettings): string {
  return model.folder === '' ? context.asAbsolutePath(path.join('models', 'expert-moe')) : model.folder;
}

function registerPanel(
  context: vscode.ExtensionContext,
  engine: Engine,
  routing: DocumentRouting,
  settings: SettingsService,
  pins: PinStore,
  events: CompletionEvents,
  log: vscode.LogOutputChannel,
): void {
  const panel = new ActiveExpertsViewProvider({
    extensionUri: context.extensionUri,
    engine,
    log,
    routingFor: (document) => routing.routingFor(document),
    isLanguageEnabled: (document) => isLanguageEnabled(settings.settings.completions.enabledLanguages, document.languageId),
    onDidComplete: events.didComplete.event,
    onDidExplain: events.didExplain.event,
    onDidChangeRouting: pins.onDidChange,
  });
  context.subscriptions.push(panel, vscode.window.registerWebviewViewProvider(ActiveExpertsViewProvider.viewType, panel));
}

async function triggerCompletion(settings: SettingsService, log: vscode.LogOutputChannel): Promise<void> {
  const completions = settings.settings.completions;
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined) return;

  const languageEnabled = isLanguageEnabled(completions.enabledLanguages, document.languageId);
  if (!completions.enabled || !languageEnabled) {
    const where = completions.enabled ? ` for ${document.languageId}` : '';
    const choice = await vscode.window.showInformationMessage(`Expert Activation: inline completions are off${where}.`, 'Turn On');
    if (choice !== 'Turn On') return;
    if (!completions.enabled) await settings.update('completions.enabled', true);
    if (!languageEnabled) await settings.update('completions.enabledLanguages', { ...completions.enabledLanguages, [document.languageId]: true });
    log.info(`Turned inline completions on${where}.`);
  }
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
}

function guardedCommand(id: string, handler: (...args: never[]) => unknown, log: vscode.LogOutputChannel) {
  return async (...args: never[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      log.error(`Command ${id} failed: ${describeError(error)}`);
      void vscode.window.showErrorMessage(`Expert Activation: ${describeError(error)}`);
      return undefined;
    }
  };
}

function guard(log: vscode.LogOutputChannel, what: string, handler: () => void): void {
  try {
    handler();
  } catch (error) {
    log.error(`Handling the ${what} failed: ${describeError(error)}`);
  }
}
