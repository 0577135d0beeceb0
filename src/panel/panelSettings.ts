import * as vscode from 'vscode';
import type { ControlSettings } from './panelController';
import type { SettingsTarget } from './protocol';

const section = 'expertActivation';

/** Settings the panel's controls write, relative to `expertActivation.`. */
export type PanelSettingKey = 'routing.topK' | 'routing.disabledExperts' | 'routing.counterfactual.enabled';

/** Reads the control settings, replacing values of the wrong type with the defaults. */
export function readControlSettings(): ControlSettings {
  const config = vscode.workspace.getConfiguration(section);

  const topK = config.get<unknown>('routing.topK');
  const disabledExperts = config.get<unknown>('routing.disabledExperts');
  const counterfactual = config.get<unknown>('routing.counterfactual.enabled');
  const settingsTarget = config.get<unknown>('panel.settingsTarget');

  return {
    topK: typeof topK === 'number' && Number.isInteger(topK) ? Math.min(8, Math.max(1, topK)) : 2,
    disabledExperts: Array.isArray(disabledExperts)
      ? disabledExperts.filter((id): id is string => typeof id === 'string')
      : [],
    counterfactual: counterfactual === true,
    settingsTarget: settingsTarget === 'user' ? 'user' : 'workspace',
  };
}

/**
 * Writes one setting to the workspace or user settings, as `panel.settingsTarget` selects. Without
 * an open folder there are no workspace settings, so the value goes to the user settings.
 * Warns when a workspace value still overrides a value written to the user settings.
 */
export async function writeControlSetting(
  key: PanelSettingKey,
  value: unknown,
  target: SettingsTarget,
  log: vscode.LogOutputChannel,
): Promise<void> {
  const config = vscode.workspace.getConfiguration(section);
  const hasWorkspace = (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
  const useWorkspace = target === 'workspace' && hasWorkspace;
  if (target === 'workspace' && !hasWorkspace) {
    log.info(`No folder is open, so ${section}.${key} is written to the user settings.`);
  }

  await config.update(key, value, useWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  log.info(`Set ${section}.${key} to ${JSON.stringify(value)} in the ${useWorkspace ? 'workspace' : 'user'} settings.`);

  const written = vscode.workspace.getConfiguration(section).inspect(key);
  if (!useWorkspace && written?.workspaceValue !== undefined) {
    const message =
      `${section}.${key} is also set in the workspace settings, which override the user value the panel wrote. ` +
      `Remove it there, or set ${section}.panel.settingsTarget to "workspace".`;
    log.warn(message);
    void vscode.window.showWarningMessage(message);
  }
}
