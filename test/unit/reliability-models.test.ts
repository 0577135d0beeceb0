// Broken model folders chosen in the settings of the extension, activated under the fake
// `vscode` module. Each must give one error that names the file and the fix in the status bar,
// the panel and the log, and leave the extension working. engine-model-errors.test.ts checks
// the engine's error for these and more broken folders, and
// test/integration/suite/reliability.test.ts repeats two of them in a real extension host.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EngineErrorCode } from '../../src/engine/protocol';
import type { PanelStatus } from '../../src/panel/protocol';
import { activateExtension, type ActivatedExtension } from '../stress/support/extensionHarness';
import { FakeTextDocument, Uri } from '../stress/support/fakeVscode';
import { brokenModelCopy, bundledWorker, MODEL_MISSING_REASON, removeBrokenCopy, truncateFile } from './helpers/engineFixtures';

interface BrokenModel {
  name: string;
  /** Creates the folder and returns it with the file the error must name. */
  create(): { folder: string; file: string };
  code: EngineErrorCode;
}

const BROKEN_MODELS: BrokenModel[] = [
  {
    name: 'missing folder',
    create: () => {
      const folder = path.join(tmpdir(), 'expert-activation-reliability-no-such-model');
      return { folder, file: folder };
    },
    code: 'model-missing',
  },
  {
    name: 'truncated model.onnx',
    create: () => {
      const folder = brokenModelCopy((copy) => truncateFile(path.join(copy, 'model.onnx'), 0.4));
      return { folder, file: path.join(folder, 'model.onnx') };
    },
    code: 'model-corrupt',
  },
  {
    name: 'manifest that does not match the graph',
    create: () => {
      const folder = brokenModelCopy((copy) => {
        const file = path.join(copy, 'manifest.json');
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { architecture: { expertsPerLayer: number; maxTopK: number }; experts: Array<{ index: number }> };
        manifest.architecture.expertsPerLayer = 6;
        manifest.architecture.maxTopK = 6;
        manifest.experts = manifest.experts.filter((expert) => expert.index < 6);
        writeFileSync(file, JSON.stringify(manifest));
      });
      return { folder, file: path.join(folder, 'model.onnx') };
    },
    code: 'model-mismatch',
  },
  {
    name: 'tokenizer that is not JSON',
    create: () => {
      const folder = brokenModelCopy((copy) => writeFileSync(path.join(copy, 'tokenizer.json'), 'merges: [1, 2]'));
      return { folder, file: path.join(folder, 'tokenizer.json') };
    },
    code: 'tokenizer-invalid',
  },
];

describe('reliability: broken models in the extension', { skip: MODEL_MISSING_REASON }, () => {
  let extension: ActivatedExtension;

  before(async () => {
    extension = await activateExtension({ workerScript: await bundledWorker() });
    await extension.waitForEngine(['ready']);
    extension.host.showDocument(new FakeTextDocument('The Tenant shall ', 'plaintext', Uri.file('/work/models/lease.txt')));
    await extension.panel();
  });

  after(() => extension?.deactivate());

  for (const broken of BROKEN_MODELS) {
    it(`${broken.name} is reported everywhere`, async () => {
      const { folder, file } = broken.create();
      const errorsBefore = extension.log.at('error').length;
      const notificationsBefore = extension.host.shownMessages.filter((message) => message.severity === 'error').length;
      try {
        extension.setSetting('model.folder', folder);
        const state = await extension.waitForEngine(['error'], 60_000);

        const error = state.engine.error;
        assert.equal(error?.code, broken.code, error?.message);
        assert.ok(error?.message.includes(file), `the error does not name ${file}: ${error?.message}`);
        assert.ok((error?.action ?? '').length > 10, 'the error has no fix');

        assert.equal(state.status.state, 'error');
        assert.match(extension.statusBar.text, /\$\(error\)/);
        assert.ok(extension.statusBar.tooltipText.includes(file.replace(/[_*]/g, '\\$&')), extension.statusBar.tooltipText);

        const panel = (await extension.panel()).snapshot.status as Extract<PanelStatus, { kind: 'error' }>;
        assert.equal(panel.kind, 'error');
        assert.ok(panel.error.message.includes(file), panel.error.message);
        assert.deepEqual(panel.actions, ['openModelSettings', 'showLog']);

        const errors = extension.log.at('error').slice(errorsBefore);
        assert.equal(errors.filter((line) => line.startsWith(`Engine error (${broken.code})`)).length, 1, errors.join('\n'));
        const notifications = extension.host.shownMessages.filter((message) => message.severity === 'error').slice(notificationsBefore);
        assert.equal(notifications.length, 1, JSON.stringify(notifications));

        // The extension keeps working: its commands still run.
        assert.equal(await extension.host.commandHandlers.get('expertActivation.toggleCompletions')?.(), false);
        assert.equal(await extension.host.commandHandlers.get('expertActivation.toggleCompletions')?.(), true);
      } finally {
        extension.setSetting('model.folder', undefined);
        await extension.waitForEngine(['ready'], 60_000);
        if (broken.code !== 'model-missing') removeBrokenCopy(folder);
      }
    });
  }

  it('restored model completes again', async () => {
    const editor = extension.host.showDocument(new FakeTextDocument('The Tenant shall pay the ', 'plaintext', Uri.file('/work/models/after.txt')));

    await extension.complete(editor);

    const outcome = (await extension.state()).lastOutcome;
    assert.equal(outcome?.discardReason?.startsWith('the request failed') ?? false, false, outcome?.discardReason);
  });
});
