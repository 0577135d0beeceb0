import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reindentCompletion } from '../../src/completion/indentation';
import { cleanModelText } from '../../src/completion/postprocess';
import { CURSOR, simulateCompletion } from './helpers/completionPipeline';

describe('special tokens and broken characters', () => {
  const cases: Array<[raw: string, expected: string]> = [
    ['foo()<|endoftext|>bar()', 'foo()'],
    ['<|endoftext|>', ''],
    ['foo<|endof', 'foo'],
    ['foo<|', 'foo'],
    ['x<|im_start|>', 'x'],
    ['a\u0000b\u0007c', 'abc'],
    ['tab\tkept', 'tab\tkept'],
    ['café\ufffd', 'café'],
    ['broken \ud83d end', 'broken  end'],
    ['ok 😀', 'ok 😀'],
    ['line\r\nnext\rlast', 'line\nnext\nlast'],
  ];

  for (const [raw, expected] of cases) {
    it(`cleans ${JSON.stringify(raw)}`, () => {
      assert.equal(cleanModelText(raw), expected);
    });
  }

  it('never shows a special token', () => {
    const result = simulateCompletion({ document: `x = ${CURSOR}`, raw: '<|endoftext|>' });
    assert.notEqual(result.discardReason, undefined);
    assert.equal(result.insertText, '');
  });
});

describe('completion shape', () => {
  it('keeps one line of code by default', () => {
    const result = simulateCompletion({ document: `x = ${CURSOR}`, raw: '1\ny = 2' });
    assert.equal(result.stopAt, 'line');
    assert.equal(result.completion, '1');
  });

  it('keeps a block after a line that opens one', () => {
    const result = simulateCompletion({ document: `def f(x):\n    ${CURSOR}`, raw: 'if x:\n        return 1\n    return 0' });
    assert.equal(result.stopAt, 'block');
    assert.equal(result.completion, 'if x:\n        return 1\n    return 0');
  });

  it('keeps one line when multiline is never', () => {
    const result = simulateCompletion({
      document: `def f(x):\n    ${CURSOR}`,
      raw: 'if x:\n        return 1',
      multiline: 'never',
    });
    assert.equal(result.completion, 'if x:');
  });

  it('keeps one line of prose', () => {
    const result = simulateCompletion({
      document: `The tenant shall ${CURSOR}`,
      raw: ' pay the rent monthly.\nThe landlord shall',
      languageId: 'plaintext',
    });
    assert.equal(result.stopAt, 'sentence');
    assert.equal(result.completion, 'pay the rent monthly.');
  });

  it('drops prose that starts a new paragraph', () => {
    const result = simulateCompletion({ document: `The tenant shall pay.${CURSOR}`, raw: '\n\nSection 2', languageId: 'markdown' });
    assert.notEqual(result.discardReason, undefined);
  });

  it('treats a markdown code fence as code', () => {
    const document = `# Notes\n\n\`\`\`python\ndef f(x):\n    ${CURSOR}\n\`\`\`\n`;
    const result = simulateCompletion({ document, raw: 'return x\n    print(x)', languageId: 'markdown' });
    assert.equal(result.stopAt, 'block');
  });

  it('ends prose at the last full sentence when the token limit cut it', () => {
    const result = simulateCompletion({
      document: `Patient seen for follow-up. ${CURSOR}`,
      raw: 'Blood pressure is well controlled. Continue lisinop',
      languageId: 'plaintext',
      stopReason: 'max-tokens',
    });
    assert.equal(result.completion, 'Blood pressure is well controlled.');
  });

  it('drops a cut word when the token limit stopped the completion', () => {
    const result = simulateCompletion({ document: `result = ${CURSOR}`, raw: 'compute(values, thresh', stopReason: 'max-tokens' });
    assert.equal(result.completion, 'compute(values,');
  });

  it('keeps the last word when the model stopped on its own', () => {
    const result = simulateCompletion({ document: `result = ${CURSOR}`, raw: 'compute(values)', stopReason: 'end-of-text' });
    assert.equal(result.completion, 'compute(values)');
  });

  it('removes a repeated word before the rest of the line when explicitly triggered', () => {
    const result = simulateCompletion({
      document: `The lessee ${CURSOR} the premises.`,
      raw: 'shall vacate the premises.',
      languageId: 'plaintext',
    });
    assert.equal(result.documentAfter, 'The lessee shall vacate the premises.');
  });

  it('keeps letters that only look like an overlap', () => {
    const result = simulateCompletion({ document: `x = ca${CURSOR}t`, raw: 't' });
    assert.equal(result.completion, 't');
  });

  it('ignores apostrophes in prose', () => {
    const result = simulateCompletion({
      document: `The tenant's deposit (${CURSOR})`,
      raw: 'see Section 4)',
      languageId: 'plaintext',
    });
    assert.equal(result.documentAfter, "The tenant's deposit (see Section 4)");
  });
});

describe('indentation', () => {
  it('converts spaces to tabs in a tab-indented document', () => {
    const text = reindentCompletion('if x:\n        return 1', '\t', { insertSpaces: false, tabSize: 4, indentSize: 4 });
    assert.equal(text, 'if x:\n\t\treturn 1');
  });

  it('scales a 4-space step to a 2-space document', () => {
    const text = reindentCompletion('if x:\n      return 1\n  return 0', '  ', { insertSpaces: true, tabSize: 2, indentSize: 2 });
    assert.equal(text, 'if x:\n    return 1\n  return 0');
  });

  it('keeps indentation that already matches', () => {
    const text = reindentCompletion('if x:\n        return 1', '    ', { insertSpaces: true, tabSize: 4, indentSize: 4 });
    assert.equal(text, 'if x:\n        return 1');
  });

  it('leaves alignment that is not an indentation step alone', () => {
    const text = reindentCompletion('call(a,\n     b)', '', { insertSpaces: true, tabSize: 2, indentSize: 2 });
    assert.equal(text, 'call(a,\n     b)');
  });

  it('converts tabs to spaces', () => {
    const text = reindentCompletion('{\n\tx();\n}', '', { insertSpaces: true, tabSize: 4, indentSize: 4 });
    assert.equal(text, '{\n    x();\n}');
  });

  it('re-indents a block completion in a tab document', () => {
    const result = simulateCompletion({
      document: `def f(x):\n\t${CURSOR}`,
      raw: 'if x:\n        return 1',
      indentation: { insertSpaces: false, tabSize: 4, indentSize: 4 },
    });
    assert.equal(result.completion, 'if x:\n\t\treturn 1');
  });
});
