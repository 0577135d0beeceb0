import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStopRule } from '../../src/engine/stopRules';

describe('stop rules', () => {
  const cases: Array<{ rule: 'line' | 'block' | 'sentence'; line: string; completion: string; text: string; stopped: boolean }> = [
    { rule: 'line', line: 'x = ', completion: 'compute(a, b)', text: 'compute(a, b)', stopped: false },
    { rule: 'line', line: 'x = ', completion: 'compute(a)\ny = 2', text: 'compute(a)', stopped: true },
    { rule: 'line', line: 'x = ', completion: 'compute(a)\r\ny', text: 'compute(a)', stopped: true },
    { rule: 'line', line: 'x = ', completion: '\nfoo', text: '', stopped: true },
    { rule: 'sentence', line: 'The rent', completion: ' is due monthly. The deposit', text: ' is due monthly.', stopped: true },
    { rule: 'sentence', line: 'He said', completion: ' "stop!" and left', text: ' "stop!"', stopped: true },
    { rule: 'sentence', line: 'Dose', completion: ' is 2.5 mg daily', text: ' is 2.5 mg daily', stopped: false },
    { rule: 'sentence', line: 'Dose', completion: ' is 2.5 mg\ndaily', text: ' is 2.5 mg', stopped: true },
    { rule: 'sentence', line: 'Done', completion: '.', text: '.', stopped: false },
    { rule: 'block', line: 'def f(x):', completion: '\n    y = x\n    return y\n\ndef g', text: '\n    y = x\n    return y', stopped: true },
    { rule: 'block', line: '    if x:', completion: '\n        y()\n    z()\nw()', text: '\n        y()\n    z()', stopped: true },
    { rule: 'block', line: '    return', completion: ' x\n', text: ' x\n', stopped: false },
    { rule: 'block', line: '    total = ', completion: 'a + b\n  ', text: 'a + b\n  ', stopped: false },
    { rule: 'block', line: '    total = ', completion: 'a + b\n  c', text: 'a + b', stopped: true },
    { rule: 'block', line: 'function f() {', completion: '\n  return 1;\n}\n', text: '\n  return 1;\n}\n', stopped: false },
    { rule: 'block', line: '\tx = 1', completion: '\n\ty = 2\r\n\r\n', text: '\n\ty = 2', stopped: true },
    // A loop is cut: prose at the last clause end before it, code at the start of its line.
    { rule: 'line', line: 'Rent', completion: ' is paid to the owner, and the tenant shall pay to the owner, and the tenant', text: ' is paid to the owner', stopped: true },
    { rule: 'line', line: 'Tenant shall pay', completion: ' the amount of the amount of the amount of', text: ' the amount of', stopped: true },
    { rule: 'sentence', line: 'He was', completion: ' not able to be able to be able to', text: ' not able to be', stopped: true },
    { rule: 'block', line: '    if not', completion: ' valid(path):\n        check(self.path)\n        check(self.path)\n', text: ' valid(path):\n        check(self.path)', stopped: true },
    // Repeated words that are not a loop stay.
    { rule: 'block', line: 'def f(n):', completion: '\n    for i in range(n):\n        for j in range(n):', text: '\n    for i in range(n):\n        for j in range(n):', stopped: false },
    { rule: 'line', line: 'x = ', completion: 'a.b.c + a.b.c', text: 'a.b.c + a.b.c', stopped: false },
  ];

  for (const { rule, line, completion, text, stopped } of cases) {
    it(`${rule} after ${JSON.stringify(line)} on ${JSON.stringify(completion)}`, () => {
      const check = createStopRule(rule, line)(completion);
      assert.equal(check.text, text);
      assert.equal(check.stopped, stopped);
    });
  }
});
