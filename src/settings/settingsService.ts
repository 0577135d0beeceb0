// Reads, validates and watches `expertActivation.*`. Invalid values fall back to their defaults
// with one warning per setting and value: the same warning is not shown again until the value
// changes.

import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ModelInfo } from '../engine/protocol';
import { ExpertActivationSettings, FALLBACK_DOMAINS, SETTINGS_SECTION } from './settings';
import { SettingProblem, validateSettings } from './validation';

export interface SettingsChange {
  settings: ExpertActivationSettings;
  previous: ExpertActivationSettings;
}

export class SettingsService implements vscode.Disposable {
  private current: ExpertActivationSettings;
  private currentProblems: SettingProblem[] = [];
  private warnings = 0;
  private readonly warned = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<SettingsChange>();
  private readonly subscriptions: vscode.Disposable[] = [];

  /** Fires after the settings changed and were validated again. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly modelInfo: () => ModelInfo | undefined,
  ) {
    this.current = this.validate();
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SETTINGS_SECTION)) this.refresh();
      }),
    );
  }

  get settings(): ExpertActivationSettings {
    return this.current;
  }

  /** The invalid values of the current settings, each replaced by its default. */
  get problems(): readonly SettingProblem[] {
    return this.currentProblems;
  }

  /** Warnings shown since activation; the same invalid value is warned about once. */
  get warningsShown(): number {
    return this.warnings;
  }

  /** Validates again, for example after a model with other domains or experts has loaded. */
  refresh(): void {
    try {
      const previous = this.current;
      this.current = this.validate();
      this.changeEmitter.fire({ settings: this.current, previous });
    } catch (error) {
      this.log.error(`Reading the ${SETTINGS_SECTION} settings failed: ${errorText(error)}`);
    }
  }

  /** Writes a setting to the most specific scope where it is already set, or else to the user settings. */
  async update(key: string, value: unknown): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const inspected = configuration.inspect(key);
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await configuration.update(key, value, target);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
  }

  private validate(): ExpertActivationSettings {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const model = this.modelInfo();
    const { settings, problems } = validateSettings((key) => configuration.get(key), {
      domains: model?.domains ?? FALLBACK_DOMAINS,
      expertIds: model?.experts.map((expert) => expert.id),
      expertsPerLayer: model?.expertsPerLayer,
      homeDirectory: os.homedir(),
    });
    this.currentProblems = problems;
    this.warnOnce(problems);
    return settings;
  }

  private warnOnce(problems: SettingProblem[]): void {
    const stillInvalid = new Set(problems.map((problem) => problem.setting));
    for (const setting of [...this.warned.keys()]) {
      if (!stillInvalid.has(setting)) this.warned.delete(setting);
    }

    for (const problem of problems) {
      const value = valueKey(problem.value);
      if (this.warned.get(problem.setting) === value) continue;
      this.warned.set(problem.setting, value);
      this.warnings += 1;

      this.log.warn(problem.message);
      void vscode.window.showWarningMessage(`Expert Activation: ${problem.message}`, 'Open Setting').then(
        (choice) => {
          if (choice === 'Open Setting') {
            void vscode.commands.executeCommand('workbench.action.openSettings', problem.setting);
          }
        },
        (error: unknown) => this.log.error(`Showing a settings warning failed: ${errorText(error)}`),
      );
    }
  }
}

function valueKey(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
