import * as assert from 'node:assert/strict';

import * as vscode from 'vscode';

import type { PanelInspection } from '../../../src/panel/activeExpertsView';
import { requestScreenshot } from '../harness/request-screenshot';

const EXTENSION_ID = 'expert-activation.expert-activation';
const INSPECT_COMMAND = 'expertActivation.panel.inspect';
const VIEW_FOCUS_COMMAND = 'expertActivation.activeExperts.focus';

/** Covers loading the model and the first routing request on a slow machine. */
const SETTLE_TIMEOUT_MS = 45_000;

/** Documents under test/fixtures/workspace/panel/ and the domain the panel should show for each. */
const fixtures = [
  { domain: 'legal', fileName: 'lease-agreement.txt' },
  { domain: 'medical', fileName: 'discharge-summary.txt' },
  { domain: 'code', fileName: 'parse_config.py' },
];

suite('active experts panel', () => {
  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('inspect command is registered', async () => {
    const commands = await vscode.commands.getCommands(true);

    assert.ok(
      commands.includes(INSPECT_COMMAND),
      `${INSPECT_COMMAND} is not registered: the extension did not construct ActiveExpertsViewProvider`,
    );
  });

  test('panel resolves without an editor', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(VIEW_FOCUS_COMMAND);

    const inspection = await waitForPanel(
      (state) => state.visible && state.snapshot.status.kind !== 'loading' && state.rendered?.status === state.snapshot.status.kind,
    );

    assert.equal(inspection.snapshot.status.kind, 'no-editor', JSON.stringify(inspection.snapshot.status));
    assert.equal(inspection.rendered?.status, 'no-editor');
  });

  for (const fixture of fixtures) {
    test(`panel shows ${fixture.domain} for ${fixture.fileName}`, async () => {
      const uri = await openAtEnd(fixture.fileName);

      const inspection = await waitForPanel(
        (state) =>
          state.snapshot.document?.uri === uri.toString() &&
          state.snapshot.routing !== undefined &&
          state.rendered?.documentUri === uri.toString() &&
          state.rendered.domain !== undefined,
      );

      const { snapshot, rendered } = inspection;
      assert.equal(snapshot.status.kind, 'ready');
      assert.equal(snapshot.routing?.domain.domain, fixture.domain, `posterior ${JSON.stringify(snapshot.routing?.domain.posterior)}`);
      assert.equal(rendered?.status, 'ready');
      assert.equal(rendered?.domain, fixture.domain);

      const model = snapshot.model;
      assert.ok(model, 'the snapshot has no model');
      assert.equal(snapshot.routing?.context.length, model.layers);
      assert.equal(rendered?.heatmapCells, model.layers * (model.expertsPerLayer + 1), 'one cell per expert plus entropy per layer');
      await requestScreenshot(`panel-${fixture.domain}`);
    });
  }

  test('pin overrides detection until cleared', async () => {
    const uri = await openAtEnd('lease-agreement.txt');

    await vscode.commands.executeCommand('expertActivation.pinDomain', { domain: 'medical', uri: uri.toString() });
    const pinned = await waitForPanel(
      (state) =>
        state.snapshot.routing?.domain.source === 'pinned' &&
        state.rendered?.documentUri === uri.toString() &&
        state.rendered.domain === 'medical',
    );
    assert.equal(pinned.snapshot.routing?.domain.domain, 'medical');
    assert.equal(pinned.snapshot.controls.domainSource, 'pinned');
    assert.equal(pinned.snapshot.controls.domain, 'medical');

    await vscode.commands.executeCommand('expertActivation.clearPin', { uri: uri.toString() });
    const cleared = await waitForPanel((state) => state.snapshot.routing !== undefined && state.snapshot.routing.domain.source !== 'pinned');
    assert.notEqual(cleared.snapshot.controls.domainSource, 'pinned');
  });

  test('top-k setting reaches the next request', async () => {
    const uri = await openAtEnd('lease-agreement.txt');
    const config = vscode.workspace.getConfiguration('expertActivation');

    try {
      await config.update('routing.topK', 3, vscode.ConfigurationTarget.Workspace);
      const inspection = await waitForPanel(
        (state) =>
          state.snapshot.document?.uri === uri.toString() &&
          state.snapshot.controls.topK === 3 &&
          state.snapshot.routing?.context.every((layer) => layer.chosen.length === 3) === true,
      );

      assert.equal(inspection.snapshot.controls.topK, 3);
    } finally {
      await config.update('routing.topK', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

/** Opens a fixture document with the cursor at its end and shows the panel. */
async function openAtEnd(fileName: string): Promise<vscode.Uri> {
  const workspace = vscode.workspace.workspaceFolders?.[0];
  assert.ok(workspace, 'the integration workspace folder is not open');

  const uri = vscode.Uri.joinPath(workspace.uri, 'panel', fileName);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  const end = document.positionAt(document.getText().length);
  editor.selection = new vscode.Selection(end, end);
  await vscode.commands.executeCommand(VIEW_FOCUS_COMMAND);
  return uri;
}

/** Polls the panel's inspect command until `done` holds, and fails with the last state seen. */
async function waitForPanel(done: (inspection: PanelInspection) => boolean): Promise<PanelInspection> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let last: PanelInspection | undefined;

  while (Date.now() < deadline) {
    last = await vscode.commands.executeCommand<PanelInspection>(INSPECT_COMMAND);
    if (last && done(last)) return last;
    if (last?.snapshot.status.kind === 'error') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const status = last ? JSON.stringify(last.snapshot.status) : 'no inspection';
  const routing = last?.snapshot.routing ? JSON.stringify(last.snapshot.routing.domain) : 'none';
  throw new Error(
    `The panel did not settle within ${SETTLE_TIMEOUT_MS / 1000} s. Status ${status}, domain ${routing}, ` +
      `rendered ${JSON.stringify(last?.rendered)}, document ${last?.snapshot.document?.uri ?? 'none'}.`,
  );
}
