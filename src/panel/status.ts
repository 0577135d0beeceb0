import type { EngineErrorCode, EngineErrorInfo, EngineState } from '../engine/protocol';
import type { EngineRestart, PanelAction, PanelStatus } from './protocol';

/** The active editor as far as the panel's status is concerned. */
export interface EditorFacts {
  languageId: string;
  languageEnabled: boolean;
}

const modelProblems: ReadonlySet<EngineErrorCode> = new Set([
  'model-missing',
  'model-corrupt',
  'model-mismatch',
  'tokenizer-invalid',
]);

/**
 * Decides which state the panel shows. Engine problems come first because they affect every
 * document, then the editor: no editor, a disabled language, or ready.
 */
export function derivePanelStatus(engine: EngineState, editor: EditorFacts | undefined, lastRestart?: EngineRestart): PanelStatus {
  if (engine.status === 'error') {
    const error = engine.error ?? {
      code: 'internal',
      message: 'The completion engine failed without a reason.',
      action: 'Open the log for details.',
    };
    return { kind: 'error', error, actions: actionsForError(error) };
  }

  if (engine.status === 'stopped') {
    const error: EngineErrorInfo = {
      code: 'internal',
      message: 'The completion engine has stopped.',
      action: 'Reload the window to start it again.',
    };
    return { kind: 'error', error, actions: ['showLog'] };
  }

  if (engine.status === 'loading' || engine.status === 'restarting') {
    const status: PanelStatus = { kind: 'loading', progress: engine.progress, modelName: engine.model?.name };
    // While loading, the engine's error is the reason it is replacing a lost worker.
    if (engine.error !== undefined) status.restartReason = engine.error.message;
    return status;
  }

  if (editor === undefined) return { kind: 'no-editor' };
  if (!editor.languageEnabled) return { kind: 'language-disabled', languageId: editor.languageId };
  return lastRestart === undefined ? { kind: 'ready' } : { kind: 'ready', lastRestart };
}

/** The buttons offered with an error: the model settings for a bad model folder, and always the log. */
export function actionsForError(error: EngineErrorInfo): PanelAction[] {
  return modelProblems.has(error.code) ? ['openModelSettings', 'showLog'] : ['showLog'];
}
