import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompletionCache } from '../../src/completion/cache';
import { buildCompletionContext, contextWindowStart, prefixBudgetChars } from '../../src/completion/context';
import { isLanguageEnabled, isProseAtCursor } from '../../src/completion/languages';
import { InFlightRequests, SupersededError, waitUnlessAborted } from '../../src/completion/requests';
import { chooseStopRule } from '../../src/completion/stopRule';

describe('completion context', () => {
  it('budgets three characters per token and caps at four per context token', () => {
    assert.equal(prefixBudgetChars({ maxContextTokens: 2048, maxNewTokens: 24 }), (2048 - 24) * 3);
    assert.equal(prefixBudgetChars({ maxContextTokens: 256, maxNewTokens: 300 }), 0);
  });

  it('starts at the document start while the prefix fits', () => {
    assert.equal(contextWindowStart(500, 6000), 0);
  });

  it('moves the window start in steps, not with every keystroke', () => {
    const budget = 4000;
    const starts = new Set<number>();
    for (let offset = 10_001; offset <= 10_900; offset += 1) starts.add(contextWindowStart(offset, budget));
    assert.equal(starts.size, 1);
    for (const start of starts) assert.ok(10_900 - start <= budget);
  });

  it('cuts the prefix at a line start', () => {
    const context = buildCompletionContext('half of a line\nfull line\nx = ', '', false);
    assert.equal(context.prefix, 'full line\nx = ');
  });

  it('keeps the prefix whole at the document start', () => {
    const context = buildCompletionContext('first\nx = ', '', true);
    assert.equal(context.prefix, 'first\nx = ');
  });

  it('splits the suffix into the rest of the line and the following lines', () => {
    const context = buildCompletionContext('print(', ')\r\nnext()\r\n', true);
    assert.equal(context.lineSuffix, ')');
    assert.deepEqual(context.followingLines, ['next()', '']);
    assert.equal(context.linePrefix, 'print(');
  });
});

describe('stop rule', () => {
  const cases: Array<{ name: string; prose: boolean; multiline: 'auto' | 'always' | 'never'; prefix: string; lineSuffix?: string; expected: string }> = [
    { name: 'prose', prose: true, multiline: 'auto', prefix: 'The tenant ', expected: 'sentence' },
    { name: 'prose, multiline always', prose: true, multiline: 'always', prefix: 'The tenant ', expected: 'block' },
    { name: 'prose, multiline never', prose: true, multiline: 'never', prefix: 'The tenant ', expected: 'sentence' },
    { name: 'code mid-statement', prose: false, multiline: 'auto', prefix: 'x = ', expected: 'line' },
    { name: 'blank line after a colon', prose: false, multiline: 'auto', prefix: 'def f():\n    ', expected: 'block' },
    { name: 'blank line after a brace', prose: false, multiline: 'auto', prefix: 'if (x) {\n  ', expected: 'block' },
    { name: 'end of a line with a brace', prose: false, multiline: 'auto', prefix: 'if (x) {', lineSuffix: '}', expected: 'block' },
    { name: 'blank line after a statement', prose: false, multiline: 'auto', prefix: 'x = 1\n', expected: 'line' },
    { name: 'code, multiline always', prose: false, multiline: 'always', prefix: 'x = ', expected: 'block' },
    { name: 'code, multiline never', prose: false, multiline: 'never', prefix: 'def f():\n    ', expected: 'line' },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const linePrefix = testCase.prefix.slice(testCase.prefix.lastIndexOf('\n') + 1);
      const stopAt = chooseStopRule({
        prose: testCase.prose,
        multiline: testCase.multiline,
        prefix: testCase.prefix,
        linePrefix,
        lineSuffix: testCase.lineSuffix ?? '',
      });
      assert.equal(stopAt, testCase.expected);
    });
  }
});

describe('languages', () => {
  const cases: Array<[map: Record<string, boolean>, languageId: string, expected: boolean]> = [
    [{ '*': true }, 'python', true],
    [{ '*': true, markdown: false }, 'markdown', false],
    [{ '*': false, python: true }, 'python', true],
    [{ '*': false, python: true }, 'plaintext', false],
    [{}, 'plaintext', true],
  ];
  for (const [map, languageId, expected] of cases) {
    it(`${JSON.stringify(map)} ${expected ? 'enables' : 'disables'} ${languageId}`, () => {
      assert.equal(isLanguageEnabled(map, languageId), expected);
    });
  }

  it('treats plaintext, markdown and LaTeX as prose', () => {
    assert.equal(isProseAtCursor('plaintext', 'x'), true);
    assert.equal(isProseAtCursor('markdown', '# Title\n'), true);
    assert.equal(isProseAtCursor('latex', '\\section{A}'), true);
    assert.equal(isProseAtCursor('python', 'x'), false);
  });

  it('treats a closed markdown fence as prose again', () => {
    assert.equal(isProseAtCursor('markdown', '```js\nx()\n```\nText '), true);
    assert.equal(isProseAtCursor('markdown', '```js\nx('), false);
  });
});

describe('completion cache', () => {
  const uri = 'file:///w/a.py';

  it('returns the completion at the same position', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'x = ', '', 'compute()');
    assert.deepEqual(cache.lookup(uri, 'x = ', ''), { remainder: 'compute()', typedLength: 0 });
  });

  it('returns the rest while typing along', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'x = ', '', 'compute()');
    assert.deepEqual(cache.lookup(uri, 'x = comp', ''), { remainder: 'ute()', typedLength: 4 });
  });

  it('misses when the typed text differs from the completion', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'x = ', '', 'compute()');
    assert.equal(cache.lookup(uri, 'x = cont', ''), undefined);
  });

  it('misses once the whole completion is typed', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'x = ', '', 'f()');
    assert.equal(cache.lookup(uri, 'x = f()', ''), undefined);
  });

  it('misses when the rest of the line changed', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'print(', ')', '"a"');
    assert.equal(cache.lookup(uri, 'print(', '))'), undefined);
  });

  it('misses for another document or after clearing', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'x = ', '', 'f()');
    assert.equal(cache.lookup('file:///w/b.py', 'x = ', ''), undefined);
    cache.clear(uri);
    assert.equal(cache.lookup(uri, 'x = ', ''), undefined);
  });

  it('misses when text before the position changed', () => {
    const cache = new CompletionCache();
    cache.store(uri, 'a = 1\nx = ', '', 'f()');
    assert.equal(cache.lookup(uri, 'a = 2\nx = ', ''), undefined);
  });

  it('keeps at most its capacity', () => {
    const cache = new CompletionCache(3);
    for (let i = 0; i < 10; i += 1) cache.store(uri, `x${i} = `, '', 'f()');
    assert.equal(cache.size, 3);
    assert.notEqual(cache.lookup(uri, 'x9 = ', ''), undefined);
    assert.equal(cache.lookup(uri, 'x0 = ', ''), undefined);
  });
});

describe('requests in flight', () => {
  it('aborts the earlier request of the same document', () => {
    const requests = new InFlightRequests();
    const first = requests.start('file:///a');
    const other = requests.start('file:///b');
    const second = requests.start('file:///a');

    assert.equal(first.signal.aborted, true);
    assert.ok(first.signal.reason instanceof SupersededError);
    assert.equal(second.signal.aborted, false);
    assert.equal(other.signal.aborted, false);
    assert.equal(requests.size, 2);
  });

  it('keeps the newer request when an older one finishes', () => {
    const requests = new InFlightRequests();
    const first = requests.start('file:///a');
    requests.start('file:///a');
    requests.finish('file:///a', first);
    assert.equal(requests.isInFlight('file:///a'), true);
  });

  it('ends the debounce early on abort', async () => {
    const controller = new AbortController();
    const waiting = waitUnlessAborted(60_000, controller.signal);
    controller.abort();
    assert.equal(await waiting, false);
  });

  it('completes the debounce when not aborted', async () => {
    assert.equal(await waitUnlessAborted(1, new AbortController().signal), true);
  });
});
