// The quick pick that opens from the status bar item.

import * as vscode from 'vscode';
import type { EngineState } from '../engine/protocol';
import { isLanguageEnabled } from '../completion/languages';
import type { PinStore } from '../settings/pinStore';
import type { SettingsService } from '../settings/settingsService';
import { COMMANDS } from './commandIds';

export interface StatusMenuDependencies {
  settings: SettingsService;
  pins: PinStore;
  engineState: () => EngineState;
  restartEngine(): Promise<void>;
}

type MenuItem = vscode.QuickPickItem & { run?: () => Thenable<unknown> | Promise<unknown> };

const MODEL_PROBLEMS = new Set(['model-missing', 'model-corrupt', 'model-mismatch', 'tokenizer-invalid']);

export async function showStatusMenu(deps: StatusMenuDependencies): Promise<void> {
  const items = menuItems(deps);
  const picked = await vscode.window.showQuickPick(items, { title: 'Expert Activation', placeHolder: 'Choose an action' });
  await picked?.run?.();
}

function menuItems(deps: StatusMenuDependencies): MenuItem[] {
  const { settings, pins } = deps;
  const completions = settings.settings.completions;
  const document = vscode.window.activeTextEditor?.document;
  const items: MenuItem[] = [];

  const engine = deps.engineState();
  if (engine.status === 'error' || engine.status === 'stopped') {
    const error = engine.error;
    const isModelProblem = error !== undefined && MODEL_PROBLEMS.has(error.code);
    items.push({
      label: `$(error) ${error?.message ?? 'The completion engine is not running.'}`,
      detail: error?.action ?? 'Open the log for details.',
      run: () =>
        isModelProblem
          ? vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation.model.folder')
          : vscode.commands.executeCommand(COMMANDS.showLog),
    });
    items.push({ label: '$(debug-restart) Restart the engine', run: () => deps.restartEngine() });
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  }

  items.push({
    label: completions.enabled ? '$(circle-slash) Turn inline completions off' : '$(check) Turn inline completions on',
    run: () => vscode.commands.executeCommand(COMMANDS.toggleCompletions),
  });

  if (document !== undefined) {
    const languageId = document.languageId;
    const languageEnabled = isLanguageEnabled(completions.enabledLanguages, languageId);
    items.push({
      label: languageEnabled ? `$(circle-slash) Turn completions off for ${languageId}` : `$(check) Turn completions on for ${languageId}`,
      run: () => settings.update('completions.enabledLanguages', { ...completions.enabledLanguages, [languageId]: !languageEnabled }),
    });

    const pin = pins.get(document.uri);
    items.push({
      label: '$(pin) Pin a domain for this document…',
      description: pin === undefined ? undefined : `pinned to ${pin}`,
      run: () => vscode.commands.executeCommand(COMMANDS.pinDomain),
    });
    if (pin !== undefined) {
      items.push({ label: '$(pinned) Clear the pin', run: () => vscode.commands.executeCommand(COMMANDS.clearPin) });
    }
    items.push({ label: '$(lightbulb) Explain the routing at the cursor', run: () => vscode.commands.executeCommand(COMMANDS.explainAtCursor) });
  }

  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: '$(layers) Show Active Experts', run: () => vscode.commands.executeCommand(COMMANDS.showPanel) });
  items.push({
    label: '$(gear) Open Settings',
    run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation'),
  });
  items.push({ label: '$(output) Show Log', run: () => vscode.commands.executeCommand(COMMANDS.showLog) });
  return items;
}
