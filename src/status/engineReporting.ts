// Logs the engine's state changes and shows each distinct engine error once as a notification,
// with its action.

import * as vscode from 'vscode';
import type { Engine, EngineState } from '../engine/protocol';
import { COMMANDS } from './commandIds';

const MODEL_PROBLEMS = new Set(['model-missing', 'model-corrupt', 'model-mismatch', 'tokenizer-invalid']);

export function reportEngineState(engine: Engine, log: vscode.LogOutputChannel): vscode.Disposable {
  let previous: EngineState = engine.state;
  let lastNotified: string | undefined;

  return engine.onDidChangeState((state) => {
    try {
      const before = previous;
      previous = state;
      const isRequestFlip =
        (before.status === 'ready' && state.status === 'busy') || (before.status === 'busy' && state.status === 'ready');
      if (isRequestFlip) return;

      if (state.status === 'loading' && before.status !== 'loading') log.info('Loading the model.');
      if (state.status === 'ready' && state.model) {
        const { model } = state;
        log.info(
          `Model "${model.name}" ready from ${model.folder}: ${model.layers} layers of ${model.expertsPerLayer} experts, ` +
            `domains ${model.domains.join(', ')}, context ${model.trainedContext} tokens trained, ${model.maxContext} maximum.`,
        );
        lastNotified = undefined;
      }
      if (state.status === 'restarting') log.warn(`The engine is restarting: ${state.error?.message ?? 'no reason given'}`);
      if (state.status === 'error' && state.error) {
        const { error } = state;
        log.error(`Engine error (${error.code}): ${error.message}${error.action ? ` ${error.action}` : ''}`);

        const key = `${error.code}:${error.message}`;
        if (key !== lastNotified) {
          lastNotified = key;
          void notify(error.message, error.action, MODEL_PROBLEMS.has(error.code), log);
        }
      }
    } catch (error) {
      log.error(`Reporting the engine state failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

async function notify(message: string, action: string | undefined, isModelProblem: boolean, log: vscode.LogOutputChannel): Promise<void> {
  const buttons = isModelProblem ? ['Open Settings', 'Show Log'] : ['Show Log'];
  try {
    const choice = await vscode.window.showErrorMessage(`Expert Activation: ${message}${action ? ` ${action}` : ''}`, ...buttons);
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'expertActivation.model');
    if (choice === 'Show Log') await vscode.commands.executeCommand(COMMANDS.showLog);
  } catch (error) {
    log.error(`Showing the engine error failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
