// Multi-line code completions keep their brackets balanced.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepBalancedBrackets } from '../../src/completion/postprocess';

const cases: Array<{ name: string; completion: string; expected: string }> = [
  { name: 'balanced block is kept whole', completion: 'b = {\n  c: 2\n}\n', expected: 'b = {\n  c: 2\n}\n' },
  { name: 'unclosed block ends at last balanced line', completion: 'a = 1\nb = [2,\n', expected: 'a = 1' },
  { name: 'opener on first line is cut before it', completion: "    if (t.h) {\n    if (\n        return (')", expected: '    if (t.h)' },
  { name: 'closer of an earlier bracket is kept', completion: 'x)\ny', expected: 'x)\ny' },
  { name: 'brackets inside quotes are ignored', completion: "s = ')'\nt = 1", expected: "s = ')'\nt = 1" },
];

describe('keepBalancedBrackets', () => {
  for (const { name, completion, expected } of cases) {
    it(name, () => {
      assert.equal(keepBalancedBrackets(completion), expected);
    });
  }
});
