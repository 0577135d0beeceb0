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
    // A loop is cut before its second round: prose right before it, code at the start of its line.
    { rule: 'line', line: 'Tenant shall pay', completion: ' the amount of the amount of the amount of', text: ' the amount of', stopped: true },
    { rule: 'sentence', line: 'He was', completion: ' not able to be able to be able to', text: ' not able to be', stopped: true },
    { rule: 'block', line: '    if not', completion: ' valid(path):\n        check(self.path)\n        check(self.path)\n', text: ' valid(path):\n        check(self.path)', stopped: true },
    { rule: 'block', line: '    x = ', completion: 'load(path)\n    if not isinstance(x)\n    if not isinstance(x)', text: 'load(path)\n    if not isinstance(x)', stopped: true },
    // Repeats that are not back to back, or are data, stay.
    { rule: 'block', line: 'def f(n):', completion: '\n    for i in range(n):\n        for j in range(n):', text: '\n    for i in range(n):\n        for j in range(n):', stopped: false },
    { rule: 'block', line: 'def f(a, b):', completion: '\n    if a:\n        return None\n    if b:\n        return None', text: '\n    if a:\n        return None\n    if b:\n        return None', stopped: false },
    { rule: 'line', line: 'if x', completion: ' is not None and y is not None and z is not None:', text: ' is not None and y is not None and z is not None:', stopped: false },
    { rule: 'line', line: 'zeros = ', completion: '[0, 0, 0, 0, 0, 0, 0, 0]', text: '[0, 0, 0, 0, 0, 0, 0, 0]', stopped: false },
    { rule: 'line', line: 'header = ', completion: 'b"\\x00\\x00\\x00\\x00\\x00\\x00"', text: 'b"\\x00\\x00\\x00\\x00\\x00\\x00"', stopped: false },
    { rule: 'sentence', line: 'You shall', completion: ' comply with the terms of this Agreement and any amendment to the terms of this Agreement.', text: ' comply with the terms of this Agreement and any amendment to the terms of this Agreement.', stopped: false },
    { rule: 'line', line: 'Take', completion: ' 5 mg per day, then 10 mg per day', text: ' 5 mg per day, then 10 mg per day', stopped: false },
  ];

  for (const { rule, line, completion, text, stopped } of cases) {
    it(`${rule} after ${JSON.stringify(line)} on ${JSON.stringify(completion)}`, () => {
      const check = createStopRule(rule, line)(completion);
      assert.equal(check.text, text);
      assert.equal(check.stopped, stopped);
    });
  }
});
