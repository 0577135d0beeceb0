// The held-out fixtures, the completion cases cut from them and the simulated typing user.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  completionCases,
  loadHeldoutDocuments,
  nextPhrase,
  pausePoints,
  PHRASE_MAX_WORDS,
  referenceAt,
  typingSegment,
  TYPING_SEGMENT_MAX_CHARS,
  type HeldoutDocument,
} from '../bench/heldout';
import { keystrokesSaved, simulateTyping } from '../bench/typing';
import { REPOSITORY_ROOT } from './helpers/pythonTokenizer';

const HELDOUT_FOLDER = path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'heldout');
const DOMAINS = ['legal', 'medical', 'code', 'general'];

describe('held-out fixtures', () => {
  const documents = loadHeldoutDocuments(HELDOUT_FOLDER, DOMAINS, Number.POSITIVE_INFINITY);

  it('has 15 documents per domain', () => {
    for (const domain of DOMAINS) assert.equal(documents.filter((document) => document.domain === domain).length, 15, domain);
  });

  it('documents are 800 to 3000 characters', () => {
    for (const document of documents) {
      const length = document.text.trimEnd().length;
      assert.ok(length >= 800, `${document.name} has ${length} characters`);
      assert.ok(length <= 3000, `${document.name} has ${length} characters`);
    }
  });

  it('documents contain no email address', () => {
    for (const document of documents) assert.doesNotMatch(document.text, /[\w.+-]+@[\w-]+\.[a-z]{2,}/i, document.name);
  });

  it('missing domain folder names the folder', () => {
    assert.throws(() => loadHeldoutDocuments(HELDOUT_FOLDER, ['astronomy'], 1), /heldout\/astronomy is missing/);
  });
});

describe('completion references', () => {
  it('phrase ends at the first clause mark', () => {
    assert.equal(nextPhrase(' the rent, and the deposit.'), ' the rent,');
    assert.equal(nextPhrase(' is void. The rest'), ' is void.');
  });

  it('phrase ends at the line end', () => {
    assert.equal(nextPhrase(' shall pay\nthe rent'), ' shall pay');
  });

  it('phrase keeps at most six words', () => {
    const phrase = nextPhrase(' one two three four five six seven eight');
    assert.equal(phrase.trim().split(/\s+/).length, PHRASE_MAX_WORDS);
    assert.equal(phrase, ' one two three four five six');
  });

  it('code reference is the rest of the line', () => {
    const text = 'def f(x):\n    return x + 1  \nprint(f(2))\n';
    assert.equal(referenceAt(text, text.indexOf('return'), true), 'return x + 1');
  });

  it('code cases start after the indentation', () => {
    const lines = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `    value_${i} = compute(${i})` : `def step_${i}():`));
    const document: HeldoutDocument = { domain: 'code', name: 'code/x.txt', text: `${lines.join('\n')}\n` };
    const cases = completionCases(document, 4);
    assert.equal(cases.length, 4);
    for (const completionCase of cases) {
      assert.ok(completionCase.offset >= document.text.length * 0.4);
      assert.match(document.text[completionCase.offset], /\S/);
      assert.match(document.text.slice(document.text.lastIndexOf('\n', completionCase.offset - 1) + 1, completionCase.offset), /^[ \t]*$/);
      assert.equal(completionCase.reference, referenceAt(document.text, completionCase.offset, true));
    }
  });

  it('prose cases start after a word', () => {
    const text = Array.from({ length: 30 }, (_, i) => `The tenant shall pay rent number ${i} on time.`).join(' ');
    const cases = completionCases({ domain: 'legal', name: 'legal/x.txt', text }, 3);
    assert.equal(cases.length, 3);
    for (const completionCase of cases) {
      assert.match(text[completionCase.offset - 1], /[\p{L}\p{N}]/u);
      assert.equal(text[completionCase.offset], ' ');
      assert.ok(completionCase.reference.startsWith(' '));
    }
  });
});

describe('simulated typing', () => {
  it('segment ends at a word within the limit', () => {
    const line = 'word '.repeat(40);
    const segment = typingSegment(line, 0);
    assert.ok(segment.length <= TYPING_SEGMENT_MAX_CHARS);
    assert.ok(segment.endsWith('word'));
    assert.equal(typingSegment('short line\nnext', 0), 'short line');
  });

  it('pauses after each word', () => {
    assert.deepEqual(pausePoints('ab cd.e'), [0, 2, 5]);
  });

  it('perfect suggestions cost one Tab', async () => {
    const text = 'alpha beta gamma';
    const result = await simulateTyping(text, (typed) => text.slice(typed), (typed) => Promise.resolve(text.slice(typed)));
    assert.equal(result.keystrokes, 1);
    assert.equal(result.acceptances, 1);
    assert.equal(keystrokesSaved([result]), 1 - 1 / text.length);
  });

  it('wrong suggestions save nothing', async () => {
    const text = 'alpha beta';
    const result = await simulateTyping(text, (typed) => text.slice(typed), () => Promise.resolve('zzz'));
    assert.equal(result.keystrokes, text.length);
    assert.equal(result.acceptances, 0);
    assert.equal(result.requests, pausePoints(text).length);
    assert.equal(keystrokesSaved([result]), 0);
  });

  it('one-character suggestions are not accepted', async () => {
    const text = 'ab';
    const result = await simulateTyping(text, (typed) => text.slice(typed), (typed) => Promise.resolve(text.slice(typed, typed + 1)));
    assert.equal(result.acceptances, 0);
  });

  it('partial match continues typing', async () => {
    const text = 'one two three';
    // Right at the start for "one", wrong afterwards.
    const result = await simulateTyping(text, (typed) => text.slice(typed), (typed) => Promise.resolve(typed === 0 ? 'one' : ' four'));
    assert.equal(result.acceptances, 1);
    assert.equal(result.keystrokes, 1 + (text.length - 3));
  });
});
