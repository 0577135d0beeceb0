import * as assert from 'node:assert/strict';

import * as vscode from 'vscode';

import {
  activateExtension,
  closeAllEditors,
  endOfDocument,
  getState,
  openFixture,
  placeCursor,
  setSetting,
  triggerAndAcceptIfShown,
  waitFor,
  waitForEngineReady,
} from './helpers/expertActivation';

const CHANGED_SETTINGS = ['routing.domainByFile', 'routing.domainByLanguage', 'routing.mode', 'routing.topK', 'completions.debounceMs'];

suite('settings', () => {
  suiteSetup(async function () {
    this.timeout(180_000);
    await activateExtension();
    await waitForEngineReady();
  });

  teardown(async () => {
    for (const key of CHANGED_SETTINGS) await setSetting(key, undefined);
    await vscode.commands.executeCommand('expertActivation.clearPin');
    await closeAllEditors();
  });

  test('pin wins and clearing restores detection', async () => {
    await openFixture('lease-agreement.txt');

    const pinned = await vscode.commands.executeCommand('expertActivation.pinDomain', { domain: 'medical' });
    assert.equal(pinned, 'medical');
    const state = await getState();
    assert.equal(state.activeDocument?.pin, 'medical');
    assert.equal(state.activeDocument?.domain, 'medical');
    assert.equal(state.activeDocument?.domainSource, 'pinned');
    assert.equal(state.status.domainSourceLabel, 'pinned');

    await vscode.commands.executeCommand('expertActivation.clearPin');
    const cleared = await getState();
    assert.equal(cleared.activeDocument?.pin, undefined);
    assert.equal(cleared.activeDocument?.domainSource, 'detected');
  });

  test('pin of an unknown domain is rejected', async () => {
    await openFixture('lease-agreement.txt');

    const pinned = await vscode.commands.executeCommand('expertActivation.pinDomain', { domain: 'finance' });

    assert.equal(pinned, undefined);
    assert.equal((await getState()).activeDocument?.pin, undefined);
  });

  test('file rule routes the next request', async () => {
    await setSetting('routing.domainByFile', { 'visit-note.txt': 'legal' });
    const editor = await openFixture('visit-note.txt');
    placeCursor(editor, endOfDocument(editor.document));

    const state = await waitFor('the file rule to apply', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.domainSource === 'file-rule' ? snapshot : undefined;
    });
    assert.equal(state.activeDocument?.domain, 'legal');
    assert.equal(state.activeDocument?.routing.domain, 'legal');

    await triggerAndAcceptIfShown(editor);
    const after = await getState();
    assert.equal(after.lastCompletion?.domain.domain, 'legal');
    assert.equal(after.lastCompletion?.domain.source, 'file-rule');
  });

  test('language rule changes without reload', async () => {
    await openFixture('inventory.py');
    assert.equal((await getState()).activeDocument?.domain, 'code');

    await setSetting('routing.domainByLanguage', { python: 'general' });

    const state = await waitFor('the language rule to apply', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.domain === 'general' ? snapshot : undefined;
    });
    assert.equal(state.activeDocument?.domainSource, 'language-rule');
  });

  test('routing modes off and rules', async () => {
    await openFixture('lease-agreement.txt');

    await setSetting('routing.mode', 'off');
    const off = await waitFor('routing to turn off', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.domainSource === 'off' ? snapshot : undefined;
    });
    assert.equal(off.activeDocument?.routing.mode, 'off');
    assert.equal(off.activeDocument?.domain, undefined);

    await setSetting('routing.mode', 'rules');
    const rules = await waitFor('rules mode to apply', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.domain === 'general' ? snapshot : undefined;
    });
    assert.equal(rules.activeDocument?.routing.mode, 'auto');
  });

  test('invalid value falls back and warns once', async () => {
    await openFixture('inventory.py');
    const before = await getState();

    await setSetting('routing.topK', 42);
    const invalid = await waitFor('the invalid topK to be reported', async () => {
      const snapshot = await getState();
      return snapshot.settings.invalid.includes('expertActivation.routing.topK') ? snapshot : undefined;
    });
    assert.equal(invalid.activeDocument?.routing.topK, 2);
    assert.equal(invalid.settings.warningsShown, before.settings.warningsShown + 1);

    await setSetting('completions.debounceMs', 120);
    await waitFor('the debounce change to apply', async () => {
      const snapshot = await getState();
      return snapshot.settings.warningsShown === invalid.settings.warningsShown ? snapshot : undefined;
    });
    const unchanged = await getState();
    assert.equal(unchanged.settings.warningsShown, invalid.settings.warningsShown);

    await setSetting('routing.topK', 43);
    const changed = await waitFor('the new invalid value to be warned about', async () => {
      const snapshot = await getState();
      return snapshot.settings.warningsShown > invalid.settings.warningsShown ? snapshot : undefined;
    });
    assert.equal(changed.settings.warningsShown, invalid.settings.warningsShown + 1);

    await setSetting('routing.topK', 3);
    const valid = await waitFor('the valid value to apply', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.routing.topK === 3 ? snapshot : undefined;
    });
    assert.equal(valid.settings.invalid.includes('expertActivation.routing.topK'), false);
  });
});
