import * as assert from 'node:assert/strict';

import * as vscode from 'vscode';

import type { ExplainResult } from '../../../src/engine/protocol';

import { requestScreenshot } from '../harness/request-screenshot';
import {
  activateExtension,
  closeAllEditors,
  endOfDocument,
  getState,
  openFixture,
  openUntitled,
  placeCursor,
  triggerAndAccept,
  triggerAndAcceptIfShown,
  waitFor,
  waitForEngineReady,
} from './helpers/expertActivation';

const ACCENTED = 'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ';

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

suite('completion', () => {
  suiteSetup(async function () {
    this.timeout(180_000);
    await activateExtension();
    await waitForEngineReady();
  });

  teardown(async () => {
    await closeAllEditors();
  });

  test('Python file routes to code', async () => {
    await openFixture('inventory.py');

    const state = await waitFor('the status bar to show the code domain', async () => {
      const snapshot = await getState();
      return snapshot.status.domain === 'code' ? snapshot : undefined;
    });

    assert.equal(state.activeDocument?.domain, 'code');
    assert.equal(state.activeDocument?.domainSource, 'language-rule');
    assert.equal(state.status.domainSourceLabel, 'rule');
    assert.match(state.status.text, /code · rule/);
  });

  test('status bar shows the detected domain', async () => {
    const editor = await openFixture('lease-agreement.txt');
    placeCursor(editor, endOfDocument(editor.document));

    const state = await waitFor('the domain to be detected', async () => {
      const snapshot = await getState();
      return snapshot.activeDocument?.detected ? snapshot : undefined;
    });

    assert.equal(state.activeDocument?.domainSource, 'detected');
    assert.equal(state.status.domain, state.activeDocument?.detected?.domain);
    assert.equal(state.status.domainSourceLabel, 'detected');
    assert.match(state.status.text, / · detected/);
    await requestScreenshot('status-detected');
  });

  // These check the model as much as the extension: an undertrained model fails them.
  for (const [fixture, domain] of [
    ['lease-agreement.txt', 'legal'],
    ['visit-note.txt', 'medical'],
  ] as const) {
    test(`model detects ${fixture} as ${domain}`, async () => {
      const editor = await openFixture(fixture);
      placeCursor(editor, endOfDocument(editor.document));

      const detected = await waitFor(`${fixture} to be detected`, async () => (await getState()).activeDocument?.detected);

      assert.equal(detected.detected ?? detected.domain, domain, `posterior ${JSON.stringify(detected.posterior)}`);
    });
  }

  for (const [fixture, domain, opening] of [
    ['lease-agreement.txt', 'legal', 'The Tenant shall'],
    ['visit-note.txt', 'medical', 'The patient was'],
  ] as const) {
    test(`accepts a completion in ${domain} prose`, async () => {
      const editor = await openFixture(fixture);
      await editor.edit((edit) => edit.insert(endOfDocument(editor.document), `\n\n${opening}`));
      placeCursor(editor, endOfDocument(editor.document));

      const { shown, before, after } = await triggerAndAccept(editor, `ghost-text-${domain}`);

      assert.ok(shown.trim().length > 0);
      assert.equal(after, before + shown);
      assert.doesNotMatch(shown, /\n/, 'a prose completion spans lines');
    });
  }

  test('accepts a completion in Python', async () => {
    const editor = await openFixture('inventory.py');
    const end = endOfDocument(editor.document);
    await editor.edit((edit) => edit.insert(end, '\n\n\ndef average_price(items):\n    """Return the mean unit price of the items."""\n    return '));
    placeCursor(editor, endOfDocument(editor.document));

    const { shown, before, after } = await triggerAndAccept(editor, 'ghost-text-code');

    assert.ok(shown.trim().length > 0);
    assert.ok(after.startsWith(before), 'text before the cursor changed');
    assert.equal(after.slice(before.length), shown);
    const state = await getState();
    assert.equal(state.lastCompletion?.domain.domain, 'code');
  });

  test('completes inside auto-closed brackets', async () => {
    const editor = await openUntitled('names = ["Ada", "Grace", "Linus"]\n', 'python');
    placeCursor(editor, endOfDocument(editor.document));
    await vscode.commands.executeCommand('type', { text: 'print(' });
    assert.equal(editor.document.lineAt(1).text, 'print()', 'the editor did not auto-close the bracket');

    const { after } = await triggerAndAccept(editor);
    const line = after.split('\n')[1];

    assert.equal(count(line, '('), count(line, ')'), `unbalanced brackets in ${JSON.stringify(line)}`);
    assert.match(line, /^print\(.+\)$/);
    assert.doesNotMatch(line, /\)\)$/);
  });

  test('Enter before a closing brace adds no brace', async () => {
    const editor = await openUntitled('function total(items) {}\n', 'javascript');
    placeCursor(editor, new vscode.Position(0, 23));
    await vscode.commands.executeCommand('type', { text: '\n' });
    assert.equal(editor.document.lineAt(2).text, '}', 'the editor did not move the brace to its own line');

    const result = await triggerAndAcceptIfShown(editor);
    const text = result.accepted?.after ?? editor.document.getText();

    assert.equal(count(text, '{'), count(text, '}'), `unbalanced braces in ${JSON.stringify(text)}`);
    assert.doesNotMatch(result.accepted?.shown ?? '', /}\s*$/);
  });

  test('end of line does not repeat the next lines', async () => {
    const editor = await openFixture('inventory.py');
    const lineIndex = editor.document.getText().split('\n').indexOf('    total = 0.0');
    assert.ok(lineIndex > 0);
    placeCursor(editor, editor.document.lineAt(lineIndex).range.end);
    const nextLine = editor.document.lineAt(lineIndex + 1).text;
    const before = editor.document.getText();

    const result = await triggerAndAcceptIfShown(editor);
    const after = result.accepted?.after ?? editor.document.getText();

    assert.equal(
      count(after, nextLine),
      count(before, nextLine),
      `the completion ${JSON.stringify(result.accepted?.shown)} repeats ${JSON.stringify(nextLine)}`,
    );
  });

  test('CRLF document completes like LF', async () => {
    const content = 'def low_stock(items, threshold=5):\n    """Return the items below the threshold."""\n    return ';
    const lf = await openUntitled(content, 'python');
    placeCursor(lf, endOfDocument(lf.document));
    const lfResult = await triggerAndAcceptIfShown(lf);

    const crlf = await openUntitled(content, 'python');
    await crlf.edit((edit) => edit.setEndOfLine(vscode.EndOfLine.CRLF));
    assert.equal(crlf.document.eol, vscode.EndOfLine.CRLF);
    placeCursor(crlf, endOfDocument(crlf.document));
    const crlfResult = await triggerAndAcceptIfShown(crlf);

    assert.equal(crlfResult.discardReason, lfResult.discardReason);
    assert.equal(crlfResult.accepted?.shown, lfResult.accepted?.shown);
    assert.equal(crlfResult.accepted?.after.replace(/\r\n/g, '\n'), lfResult.accepted?.after);
  });

  test('non-ASCII line keeps later offsets', async () => {
    const content = `import re\n\nACCENTED = re.compile(r"[${ACCENTED}]+")\n\n\ndef strip_accents(name):\n    return `;
    const editor = await openUntitled(content, 'python');
    placeCursor(editor, endOfDocument(editor.document));

    const first = await triggerAndAccept(editor);
    assert.equal(first.after, first.before + first.shown);

    const end = endOfDocument(editor.document);
    await editor.edit((edit) => edit.insert(end, `\n\n\nLABEL = "${ACCENTED}"\nprint(`));
    placeCursor(editor, endOfDocument(editor.document));
    const second = await triggerAndAcceptIfShown(editor);
    if (second.accepted) {
      assert.ok(second.accepted.after.startsWith(second.accepted.before), 'text before the cursor changed');
      assert.equal(second.accepted.after, second.accepted.before + second.accepted.shown);
    }
  });

  test('last line without a line break', async () => {
    const editor = await openUntitled('prices = [3.5, 4.25, 9.0]\ntotal = ', 'python');
    placeCursor(editor, endOfDocument(editor.document));

    const result = await triggerAndAcceptIfShown(editor);

    if (result.accepted) assert.equal(result.accepted.after, result.accepted.before + result.accepted.shown);
    else assert.doesNotMatch(result.discardReason ?? '', /failed|error/i);
    const state = await getState();
    assert.notEqual(state.engine.status, 'error');
  });

  test('fifty toggles leave one provider', async function () {
    this.timeout(120_000);
    const before = await getState();
    assert.equal(before.completions.providerRegistered, true);

    for (let i = 0; i < 50; i += 1) {
      await vscode.commands.executeCommand('expertActivation.toggleCompletions');
      await vscode.commands.executeCommand('expertActivation.toggleCompletions');
    }

    const after = await waitFor('completions to be on again', async () => {
      const state = await getState();
      return state.completions.enabled && state.completions.providerRegistered ? state : undefined;
    });
    assert.equal(after.completions.activeDisposables, before.completions.activeDisposables);
    assert.ok(after.completions.registrationCount > before.completions.registrationCount);
    assert.equal(after.completions.requestsInFlight, 0);
  });

  test('explain lists expert impacts', async function () {
    this.timeout(90_000);
    const editor = await openFixture('inventory.py');
    placeCursor(editor, editor.document.lineAt(editor.document.lineCount - 1).range.end);

    const result = await vscode.commands.executeCommand<ExplainResult | undefined>('expertActivation.explainAtCursor');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');

    assert.ok(result, 'the explain command returned no result');
    assert.ok(result.impacts.length > 0);
    for (const impact of result.impacts) assert.match(impact.expertId, /^L\d+\.E\d+$/);
    assert.equal(result.trace.domain.domain, 'code');
  });

  test('no completion starts with a second space', async () => {
    const editor = await openUntitled('Chief complaint: headache for three days.\nThe patient reports ', 'plaintext');
    placeCursor(editor, endOfDocument(editor.document));

    const result = await triggerAndAcceptIfShown(editor);

    if (result.accepted) {
      assert.doesNotMatch(result.accepted.shown, /^\s/);
      assert.equal(count(result.accepted.after, '  '), 0);
    }
  });
});
