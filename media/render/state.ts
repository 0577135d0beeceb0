// The heading and the views shown instead of the pictures: no editor, language disabled,
// model loading and engine error.

import type { EngineRestart, PanelStatus } from '../../src/panel/protocol';
import { h } from '../dom';
import { percent } from '../format';
import { actionButton } from './common';
import type { RenderContext } from './context';

/** Renders the active document's name and facts, or nothing without a document. */
export function renderHeader(context: RenderContext): HTMLElement | undefined {
  const { document: doc, model } = context.snapshot;
  if (doc === undefined) return undefined;

  return h(
    'header',
    { class: 'header' },
    h('h1', { class: 'document-name', title: doc.uri }, doc.name),
    h('p', { class: 'document-facts' }, `${doc.languageId} · line ${doc.line}`, model && ` · model ${model.name}`),
  );
}

/** Renders a note that the engine replaced its worker, which can be over before a loading view would show. */
export function renderRestartNote(restart: EngineRestart): HTMLElement {
  const time = new Date(restart.at).toLocaleTimeString();
  return h('p', { class: 'restart-note' }, `The engine restarted at ${time}. ${restart.reason}`);
}

/** Returns the view for a status other than `ready`. */
export function renderStatusView(context: RenderContext, status: Exclude<PanelStatus, { kind: 'ready' }>): HTMLElement {
  switch (status.kind) {
    case 'no-editor':
      return stateView(
        'no-editor',
        'No editor',
        'Open a file to see which experts the model routes its text to.',
      );

    case 'language-disabled':
      return stateView(
        'language-disabled',
        'Completions are off for this language',
        `Inline completions are turned off for "${status.languageId}" in expertActivation.completions.enabledLanguages, so the panel does not route it.`,
        actionButton(context, 'openLanguageSettings', true),
      );

    case 'loading': {
      const progress = h('progress', { class: 'progress', max: 1, 'aria-label': 'Model loading progress' });
      if (status.progress !== undefined) progress.value = status.progress;
      const name = status.modelName ? `model ${status.modelName}` : 'the model';
      const amount = status.progress !== undefined ? ` (${percent(status.progress)})` : '';
      if (status.restartReason !== undefined) {
        return stateView(
          'loading',
          'Restarting',
          `${status.restartReason} Loading ${name} again${amount}…`,
          progress,
        );
      }
      return stateView('loading', 'Loading', `Loading ${name}${amount}…`, progress);
    }

    case 'error': {
      const { error } = status;
      return stateView(
        'error',
        'The model cannot run',
        error.message,
        error.subject && h('p', { class: 'state-subject' }, h('code', {}, error.subject)),
        error.action && h('p', { class: 'state-action' }, error.action),
        h('div', { class: 'button-row' }, ...status.actions.map((action, i) => actionButton(context, action, i === 0))),
      );
    }
  }
}

function stateView(kind: string, title: string, message: string, ...extra: (Node | undefined | '')[]): HTMLElement {
  const role = kind === 'error' ? 'alert' : 'status';
  return h(
    'div',
    { class: `state-view state-${kind}`, role },
    h('span', { class: `state-icon icon-${kind}`, 'aria-hidden': 'true' }),
    h('h2', { class: 'state-title' }, title),
    h('p', { class: 'state-message' }, message),
    ...extra,
  );
}
