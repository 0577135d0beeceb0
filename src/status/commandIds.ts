// Command ids. The public ones are declared in package.json `contributes.commands`; the
// internal ones are registered but never shown in the Command Palette.

export const COMMANDS = {
  toggleCompletions: 'expertActivation.toggleCompletions',
  triggerCompletion: 'expertActivation.triggerCompletion',
  pinDomain: 'expertActivation.pinDomain',
  clearPin: 'expertActivation.clearPin',
  showPanel: 'expertActivation.showPanel',
  explainAtCursor: 'expertActivation.explainAtCursor',
  showLog: 'expertActivation.showLog',
  /** Opens the status bar menu. */
  statusMenu: 'expertActivation.internal.statusMenu',
  /** Returns an `ExtensionStateSnapshot`, for integration tests. */
  getState: 'expertActivation.internal.getState',
} as const;

export const PANEL_FOCUS_COMMAND = 'expertActivation.activeExperts.focus';
