// Entry point of the Active Experts webview. Every host message is validated before it is
// rendered; an invalid one is dropped and reported to the extension's log.

import type { Domain } from '../src/engine/protocol';
import type { PanelSnapshot, WebviewMessage } from '../src/panel/protocol';
import { validateHostMessage } from '../src/panel/protocolValidation';
import { ExpertTable } from './analysis';
import { assignDomainColors, type DomainColor } from './domains';
import { renderApp } from './render/app';
import { initialUiState, type RenderContext, type UiState } from './render/context';
import type { VsCodeApi } from './vscodeApi';

const api: VsCodeApi<UiState> = acquireVsCodeApi<UiState>();
let ui: UiState = { ...initialUiState, ...api.getState() };

function post(message: WebviewMessage): void {
  api.postMessage(message);
}

function saveUi(change: Partial<UiState>): void {
  ui = { ...ui, ...change };
  api.setState(ui);
}

function render(snapshot: PanelSnapshot): void {
  const app = document.getElementById('app');
  if (app === null) return;

  const focusKey = document.activeElement?.closest<HTMLElement>('[data-focus-key]')?.dataset.focusKey;
  const colors: Map<Domain, DomainColor> = assignDomainColors(snapshot.model?.domains ?? Object.keys(snapshot.routing?.domain.posterior ?? {}));
  const context: RenderContext = {
    snapshot,
    table: snapshot.model ? new ExpertTable(snapshot.model) : undefined,
    colors,
    ui,
    post,
    saveUi: (change) => {
      saveUi(change);
      context.ui = ui;
    },
  };

  app.replaceChildren(...renderApp(context));
  app.setAttribute('aria-busy', 'false');

  if (focusKey !== undefined) {
    app.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  }

  post({
    type: 'rendered',
    status: snapshot.status.kind,
    documentUri: snapshot.document?.uri,
    domain: snapshot.status.kind === 'ready' ? snapshot.routing?.domain.domain : undefined,
    heatmapCells: app.querySelectorAll('#heatmap [role="gridcell"]').length,
  });
}

function renderSafely(snapshot: PanelSnapshot): void {
  try {
    render(snapshot);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    post({ type: 'reportProblem', message: `Rendering failed: ${reason}`.slice(0, 2_000) });
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const checked = validateHostMessage(event.data);
  if (!checked.ok) {
    post({ type: 'reportProblem', message: `Dropped an invalid message from the extension: ${checked.problem}`.slice(0, 2_000) });
    return;
  }

  renderSafely(checked.value.snapshot);
});

post({ type: 'ready' });
