// Broken models in a real extension host: `expertActivation.model.folder` set to a missing
// folder, then to a copy of the bundled model with a truncated model.onnx. Each must give an
// engine error that names the file and the fix, shown by the status bar and the panel, while
// the extension host keeps running commands. The setting is restored afterwards.
// test/unit/reliability-models.test.ts covers more broken folders under a fake host.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { PanelInspection } from '../../../src/panel/activeExpertsView';
import type { ExtensionStateSnapshot } from '../../../src/status/extensionState';
import { activateExtension, EXTENSION_ID, getState, waitFor, waitForEngineReady } from './helpers/expertActivation';

const MODEL_FILES = ['manifest.json', 'tokenizer.json', 'model.onnx'];

/** `model.folder` has machine scope, so it is written to the user settings. */
async function setModelFolder(folder: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('expertActivation').update('model.folder', folder, vscode.ConfigurationTarget.Global);
}

async function waitForEngineError(): Promise<ExtensionStateSnapshot> {
  return waitFor(
    'the engine to report the broken model',
    async () => {
      const state = await getState();
      return state.engine.status === 'error' ? state : undefined;
    },
    60_000,
  );
}

async function checkReported(file: string, code: string): Promise<void> {
  const state = await waitForEngineError();
  const error = state.engine.error;
  assert.equal(error?.code, code, error?.message);
  assert.ok(error?.message.includes(file), `the error does not name ${file}: ${error?.message}`);
  assert.ok((error?.action ?? '').length > 10, 'the error has no fix');
  assert.equal(state.status.state, 'error');

  const panel = await vscode.commands.executeCommand<PanelInspection>('expertActivation.panel.inspect');
  assert.equal(panel.snapshot.status.kind, 'error');
  if (panel.snapshot.status.kind === 'error') assert.ok(panel.snapshot.status.error.message.includes(file), panel.snapshot.status.error.message);

  // The extension host still runs this extension's commands and the editor's own.
  const commands = await vscode.commands.getCommands(true);
  assert.ok(commands.includes('expertActivation.showLog'));
  await vscode.commands.executeCommand('expertActivation.showLog');
  const again = await getState();
  assert.equal(again.engine.error?.code, code);
}

suite('reliability: broken models', () => {
  let temporary: string;

  suiteSetup(async function () {
    this.timeout(180_000);
    await activateExtension();
    await waitForEngineReady();
    temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'expert-activation-broken-'));
  });

  teardown(async function () {
    this.timeout(120_000);
    await setModelFolder(undefined);
    await waitForEngineReady();
  });

  suiteTeardown(() => {
    fs.rmSync(temporary, { recursive: true, force: true });
  });

  test('missing model folder is reported', async () => {
    const folder = path.join(temporary, 'no-such-model');

    await setModelFolder(folder);

    await checkReported(folder, 'model-missing');
  });

  test('truncated model.onnx is reported', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const folder = path.join(temporary, 'truncated');
    fs.mkdirSync(folder);
    for (const file of MODEL_FILES) fs.copyFileSync(path.join(extension.extensionPath, 'models', 'expert-moe', file), path.join(folder, file));
    const modelFile = path.join(folder, 'model.onnx');
    const bytes = fs.readFileSync(modelFile);
    fs.writeFileSync(modelFile, bytes.subarray(0, Math.floor(bytes.length / 3)));

    await setModelFolder(folder);

    await checkReported(modelFile, 'model-corrupt');
  });
});
