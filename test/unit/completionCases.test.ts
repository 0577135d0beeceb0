// The cases every completion must satisfy, run on the provider's pure pipeline.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionCache } from '../../src/completion/cache';
import { isEndOfLineLike } from '../../src/completion/overlap';
import { Disposable, ToggledRegistration } from '../../src/completion/registration';
import { CURSOR, simulateCompletion } from './helpers/completionPipeline';

describe('completion inside auto-closed brackets', () => {
  const cases: Array<{ name: string; document: string; raw: string; expected: string; languageId?: string }> = [
    { name: 'print( with closing paren', document: `print(${CURSOR})`, raw: '"hello")', expected: 'print("hello")' },
    { name: 'model stops after the paren', document: `print(${CURSOR})`, raw: '"hello")\n', expected: 'print("hello")' },
    { name: 'model continues after the paren', document: `print(${CURSOR})`, raw: 'x).strip()', expected: 'print(x)' },
    { name: 'nested call inside the brackets', document: `print(${CURSOR})`, raw: 'len(items))', expected: 'print(len(items))' },
    { name: 'paren inside a string', document: `print(${CURSOR})`, raw: '"a)b")', expected: 'print("a)b")' },
    { name: 'inside an auto-closed quote', document: `print("${CURSOR}")`, raw: 'hello")', expected: 'print("hello")' },
    { name: 'single quotes in code', document: `x = f('${CURSOR}')`, raw: "name')", expected: "x = f('name')" },
    {
      name: 'call with semicolon after the paren',
      document: `console.log(${CURSOR});`,
      raw: 'value);',
      expected: 'console.log(value);',
      languageId: 'javascript',
    },
    {
      name: 'array literal',
      document: `const xs = [${CURSOR}];`,
      raw: '1, 2, 3];',
      expected: 'const xs = [1, 2, 3];',
      languageId: 'javascript',
    },
    { name: 'completion without the closer', document: `print(${CURSOR})`, raw: '"hello"', expected: 'print("hello")' },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = simulateCompletion({ document: testCase.document, raw: testCase.raw, languageId: testCase.languageId });
      assert.equal(result.discardReason, undefined);
      assert.equal(result.documentAfter, testCase.expected);
    });
  }

  it('offers completions with only closers after the cursor', () => {
    assert.equal(isEndOfLineLike(')'), true);
    assert.equal(isEndOfLineLike('");'), true);
    assert.equal(isEndOfLineLike(') {'), true);
    assert.equal(isEndOfLineLike(' world'), false);
    assert.equal(isEndOfLineLike('foo)'), false);
  });
});

describe('completion before an existing closing brace', () => {
  const cases: Array<{ name: string; document: string; raw: string; expected: string }> = [
    {
      name: 'Enter between braces',
      document: `function f() {\n    ${CURSOR}\n}`,
      raw: 'return 1;\n}',
      expected: 'function f() {\n    return 1;\n}',
    },
    {
      name: 'Enter between braces, brace followed by more code',
      document: `function f() {\n    ${CURSOR}\n}\n\nf();\n`,
      raw: 'return 1;\n}\n\nfunction g() {',
      expected: 'function f() {\n    return 1;\n}\n\nf();\n',
    },
    {
      name: 'brace on the cursor line',
      document: `function f() {${CURSOR}}`,
      raw: '\n    return 1;\n}',
      expected: 'function f() {\n    return 1;\n}',
    },
    {
      name: 'Enter before a brace at the line start',
      document: `if (x) {\n    a();\n${CURSOR}}`,
      raw: '    b();\n}',
      expected: 'if (x) {\n    a();\n    b();\n}',
    },
    {
      name: 'blank line between statements in a block',
      document: `if (x) {\n    a();\n    ${CURSOR}\n    c();\n}`,
      raw: 'b();\n}',
      expected: 'if (x) {\n    a();\n    b();\n    c();\n}',
    },
    {
      name: 'inner block closed by the completion itself',
      document: `function f() {\n    ${CURSOR}\n}`,
      raw: 'if (y) {\n        g();\n    }\n}',
      expected: 'function f() {\n    if (y) {\n        g();\n    }\n}',
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = simulateCompletion({ document: testCase.document, raw: testCase.raw, languageId: 'javascript' });
      assert.equal(result.discardReason, undefined);
      assert.equal(result.documentAfter, testCase.expected);

      const opened = result.documentAfter.split('{').length;
      const closed = result.documentAfter.split('}').length;
      assert.equal(closed, opened, 'the document has more } than {');
      if (!testCase.raw.includes('{')) assert.doesNotMatch(result.completion, /}\s*$/);
    });
  }
});

describe('completion at the end of a line followed by more lines', () => {
  it('does not regenerate the next line', () => {
    const document = `def f(x):\n    y = x + 1${CURSOR}\n    return y\n`;
    const result = simulateCompletion({ document, raw: '\n    return y\n' });
    assert.notEqual(result.discardReason, undefined);
    assert.equal(result.documentAfter.match(/return y/g)?.length, 1);
  });

  it('keeps the new part and drops the repeated line', () => {
    const document = `def f(x):\n    y = x + 1${CURSOR}\n    return y\n`;
    const result = simulateCompletion({ document, raw: ' * 2\n    return y', multiline: 'always' });
    assert.equal(result.completion, ' * 2');
  });

  it('drops a block that ends in the existing lines', () => {
    const document = `def f(x):\n    ${CURSOR}\n    return y\n`;
    const result = simulateCompletion({ document, raw: 'y = x * 2\n    return y\n', multiline: 'always' });
    assert.equal(result.completion, 'y = x * 2');
  });

  it('drops a completion equal to the next line on a blank line', () => {
    const result = simulateCompletion({ document: `x = 1\n${CURSOR}\ny = 2\n`, raw: 'y = 2' });
    assert.notEqual(result.discardReason, undefined);
  });

  it('drops a completion that starts the next line again', () => {
    const document = `total = 0${CURSOR}\nfor item in items:\n    total += item\n`;
    const result = simulateCompletion({ document, raw: '\nfor item in' });
    assert.notEqual(result.discardReason, undefined);
  });

  it('keeps a next-line completion that is new', () => {
    const document = `total = 0${CURSOR}\n\nprint(total)\n`;
    const result = simulateCompletion({ document, raw: '\ncount = 0' });
    assert.equal(result.completion, '\ncount = 0');
  });
});

describe('completion in CRLF documents', () => {
  const cases: Array<{ document: string; raw: string; languageId?: string; multiline?: 'always' }> = [
    { document: `def f(x):\n    y = x + 1${CURSOR}\n    return y\n`, raw: ' * 2\n    return y', multiline: 'always' },
    { document: `function f() {\n    ${CURSOR}\n}`, raw: 'return 1;\r\n}', languageId: 'javascript' },
    { document: `function f() {${CURSOR}}`, raw: '\n    return 1;\n}', languageId: 'javascript' },
    { document: `def f():\n    ${CURSOR}`, raw: 'if x:\n        return 1\n    return 0', multiline: 'always' },
    { document: `print(${CURSOR})\nprint(2)\n`, raw: '"hello")' },
    { document: `The tenant shall ${CURSOR}\n\nSection 2.`, raw: ' pay the rent monthly.\nThe landlord', languageId: 'plaintext' },
    { document: `x = 1\n${CURSOR}\ny = 2\n`, raw: 'y = 2' },
  ];

  for (const [index, testCase] of cases.entries()) {
    it(`gives the LF completion, case ${index + 1}`, () => {
      const lf = simulateCompletion({ ...testCase, eol: '\n' });
      const crlf = simulateCompletion({ ...testCase, eol: '\r\n' });

      assert.equal(crlf.context.prefix, lf.context.prefix);
      assert.equal(crlf.context.suffix, lf.context.suffix);
      assert.equal(crlf.stopAt, lf.stopAt);
      assert.equal(crlf.completion, lf.completion);
      assert.equal(crlf.discardReason, lf.discardReason);
      assert.equal(crlf.insertText, lf.insertText.replace(/\n/g, '\r\n'));
      assert.equal(crlf.documentAfter, lf.documentAfter.replace(/\n/g, '\r\n'));
      assert.doesNotMatch(crlf.completion, /\r/);
    });
  }
});

describe('completion after non-ASCII text', () => {
  const accented = 'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ';

  it('keeps the cursor offset after a regex class of accented letters', () => {
    const document = `import re\nWORD = re.compile(r"[${accented}]+")\nname = ${CURSOR}\n`;
    const result = simulateCompletion({ document, raw: '"Zoë"' });
    assert.equal(result.context.linePrefix, 'name = ');
    assert.ok(result.context.prefix.endsWith(`]+")\nname = `));
    assert.equal(result.documentAfter, `import re\nWORD = re.compile(r"[${accented}]+")\nname = "Zoë"\n`);
  });

  const texts: Array<[name: string, text: string]> = [
    ['decomposed accents', 'e\u0301a\u0300'.repeat(2000)],
    ['emoji', '😀👍🏽'.repeat(1500)],
    ['mathematical letters', '𝔘𝔫𝔦'.repeat(1500)],
    ['Cyrillic words', 'договор аренды '.repeat(700)],
  ];

  for (const [name, text] of texts) {
    it(`cuts a long line of ${name} on a whole character`, () => {
      const document = `${text}\nnext = ${CURSOR}`;
      const result = simulateCompletion({ document, raw: '1', maxContextTokens: 512 });
      const first = result.context.prefix.charCodeAt(0);
      assert.ok(first < 0xdc00 || first > 0xdfff, 'the prefix starts inside a surrogate pair');
      assert.doesNotMatch(result.context.prefix, /^\p{M}/u);
      assert.equal(result.context.linePrefix, 'next = ');
      assert.equal(result.documentAfter, `${text}\nnext = 1`);
    });
  }

  it('inserts at the cursor after astral characters on the same line', () => {
    const document = `label = "𝔘𝔫𝔦😀" + ${CURSOR}`;
    const result = simulateCompletion({ document, raw: 'suffix' });
    assert.equal(result.offset, 'label = "𝔘𝔫𝔦😀" + '.length);
    assert.equal(result.documentAfter, 'label = "𝔘𝔫𝔦😀" + suffix');
  });

  it('reuses a cached completion typed along after non-ASCII text', () => {
    const cache = new CompletionCache();
    const prefix = `WORD = "${accented}"\nname = `;
    cache.store('file:///a.py', prefix, '', '"Zoë Ærø"');
    const hit = cache.lookup('file:///a.py', `${prefix}"Zoë`, '');
    assert.deepEqual(hit, { remainder: ' Ærø"', typedLength: 4 });
  });
});

describe('completion on a last line without a line break', () => {
  const cases: Array<{ name: string; document: string; raw: string; expected: string }> = [
    { name: 'after an assignment', document: `x = 1\ny = ${CURSOR}`, raw: 'x + 1', expected: 'x = 1\ny = x + 1' },
    { name: 'model ends with a line break', document: `x = 1\ny = ${CURSOR}`, raw: 'x + 1\n', expected: 'x = 1\ny = x + 1' },
    { name: 'one-line document', document: `import ${CURSOR}`, raw: 'os', expected: 'import os' },
    { name: 'empty document', document: CURSOR, raw: 'import os', expected: 'import os' },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = simulateCompletion({ document: testCase.document, raw: testCase.raw });
      assert.equal(result.context.suffix, '');
      assert.deepEqual(result.context.followingLines, []);
      assert.equal(result.documentAfter, testCase.expected);
    });
  }
});

describe('toggling completions', () => {
  it('leaves one provider and one set of listeners after fifty toggles', () => {
    const live = new Set<string>();
    let created = 0;
    const register = (): Disposable[] => {
      created += 1;
      const names = [`provider-${created}`, `close-listener-${created}`, `change-listener-${created}`];
      for (const name of names) live.add(name);
      return names.map((name) => ({ dispose: () => live.delete(name) }));
    };

    const registration = new ToggledRegistration(register);
    registration.setEnabled(true);
    for (let i = 0; i < 50; i += 1) {
      registration.setEnabled(false);
      registration.setEnabled(true);
    }

    assert.equal(live.size, 3);
    assert.equal([...live].filter((name) => name.startsWith('provider-')).length, 1);
    assert.equal(registration.activeDisposables, 3);
    assert.equal(registration.registrationCount, 51);
  });

  it('ignores repeated enables and disables', () => {
    let registrations = 0;
    const registration = new ToggledRegistration(() => {
      registrations += 1;
      return [{ dispose: () => undefined }];
    });
    registration.setEnabled(true);
    registration.setEnabled(true);
    assert.equal(registrations, 1);

    registration.setEnabled(false);
    registration.setEnabled(false);
    assert.equal(registration.isEnabled, false);
    assert.equal(registration.activeDisposables, 0);
  });
});

describe('completion after a space', () => {
  const cases: Array<{ name: string; document: string; raw: string; expected: string; languageId?: string }> = [
    {
      name: 'prose after a space',
      document: `The patient reports ${CURSOR}`,
      raw: ' mild headache.',
      expected: 'The patient reports mild headache.',
      languageId: 'plaintext',
    },
    { name: 'code after a space', document: `x = ${CURSOR}`, raw: '  42', expected: 'x = 42' },
    { name: 'after a tab', document: `x =\t${CURSOR}`, raw: ' 42', expected: 'x =\t42' },
    { name: 'no space before the cursor', document: `x =${CURSOR}`, raw: ' 42', expected: 'x = 42' },
    {
      name: 'space after the cursor',
      document: `The lessee ${CURSOR} the premises.`,
      raw: 'shall vacate ',
      expected: 'The lessee shall vacate the premises.',
      languageId: 'plaintext',
    },
    {
      name: 'prose at a line start',
      document: `Assessment:\n${CURSOR}`,
      raw: ' Stable angina.',
      expected: 'Assessment:\nStable angina.',
      languageId: 'plaintext',
    },
    {
      name: 'indentation already typed',
      document: `def f():\n    ${CURSOR}`,
      raw: '    return 1',
      expected: 'def f():\n    return 1',
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const result = simulateCompletion({ document: testCase.document, raw: testCase.raw, languageId: testCase.languageId });
      assert.equal(result.documentAfter, testCase.expected);
      if (/[ \t]$/.test(result.context.linePrefix)) assert.doesNotMatch(result.completion, /^[ \t]/);
    });
  }
});
