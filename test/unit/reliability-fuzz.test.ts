// Fuzzing the completion pipeline: generated documents and edit sequences go through settings
// validation, the routing policy, context building, tokenization, routing, post-processing and
// the inline completion provider (test/stress/support/fuzzPipeline.ts lists every check). This
// is the short default run; `npm run stress -- fuzz` runs 10,000 cases or more.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postprocessCompletion } from '../../src/completion/postprocess';
import { buildCompletionContext } from '../../src/completion/context';
import { replayCommand, runFuzz } from '../stress/scenarios/fuzz';
import { createFuzzEnvironment } from '../stress/support/fuzzEnvironment';
import { runStep, type FuzzEnvironment, type StepInput } from '../stress/support/fuzzPipeline';
import { MODEL_MISSING_REASON } from './helpers/engineFixtures';

/** The seed of the default run; the stress command takes another with --seed. */
const DEFAULT_SEED = 20261204;
const DEFAULT_CASES = 300;

function step(overrides: Partial<StepInput> & Pick<StepInput, 'text' | 'raw'>): StepInput {
  return { cursorOffset: overrides.text.length, languageId: 'plaintext', stopReason: 'stop-rule', ...overrides };
}

/** Failures the fuzzer found, each kept as the smallest input that showed it. */
const REGRESSION_CASES: Array<{ name: string; input: StepInput }> = [
  {
    // Tokenizer.decode used TextDecoder's default, which drops a leading U+FEFF.
    name: 'leading byte order mark round-trips',
    input: step({ text: '\ufeffThe Tenant shall', raw: ' pay' }),
  },
  {
    // C1 controls passed the control-character filter into ghost text.
    name: 'C1 control removed from completion',
    input: step({ text: 'total = ', raw: 'price\u009f * count', languageId: 'python' }),
  },
  {
    name: 'bidirectional override removed from completion',
    input: step({ text: 'access = ', raw: '"user\u202e \u2066// admin\u2069"', languageId: 'javascript' }),
  },
  {
    name: 'line separator removed from completion',
    input: step({ text: 'The patient ', raw: 'was\u2028admitted\u0085today' }),
  },
  {
    // Removing invisible characters after the special-token check let `<|endoftext\u202c|>` through.
    name: 'special token hidden by a formatting character',
    input: step({ text: 'The Landlord ', raw: 'shall<|endoftext\u202c|>The Tenant' }),
  },
  {
    // A cursor between the halves of a surrogate pair let overlap trimming cut a pair in two.
    name: 'cursor inside a surrogate pair',
    input: step({ text: 'icon = "😀";', cursorOffset: 9, raw: 'x😀', languageId: 'python' }),
  },
  {
    name: 'cursor inside a surrogate pair before a long line',
    input: step({ text: `${'🙀'.repeat(40)}\nnext`, cursorOffset: 41, raw: '🌽🙀', stopReason: 'time-budget', languageId: 'typescript' }),
  },
  {
    name: 'binary text gets no completion',
    input: step({ text: 'PK\u0003\u0004\u0014\u0000\u0008\u0000\u0008\u0000\ufffd\ufffd\ufffdK', raw: 'anything' }),
  },
  {
    name: 'empty document at cursor 0',
    input: step({ text: '', cursorOffset: 0, raw: '' }),
  },
  {
    name: 'lone CR line breaks',
    input: step({ text: 'def f():\r    return 1\r\rdef g():\r    ', raw: 'return 2\r\n', languageId: 'python' }),
  },
  {
    name: 'cursor between CR and LF',
    input: step({ text: 'first line\r\nsecond line', cursorOffset: 11, raw: 'more' }),
  },
];

describe('reliability: fuzzing', { skip: MODEL_MISSING_REASON }, () => {
  let env: FuzzEnvironment;

  before(async () => {
    env = await createFuzzEnvironment({ withEngine: true });
  });

  after(async () => {
    await env?.engine?.dispose();
  });

  it(`generated cases keep every rule (seed ${DEFAULT_SEED})`, async () => {
    const figures = await runFuzz(env, { seed: DEFAULT_SEED, cases: DEFAULT_CASES, routeEvery: 40, maxFailures: 5 });

    const report = figures.failures.map(({ caseIndex, failure }) => `${failure.message}\n  replay: ${replayCommand(DEFAULT_SEED, caseIndex)}`);
    assert.deepEqual(report, []);
    assert.equal(figures.cases, DEFAULT_CASES);
    assert.ok(figures.steps > DEFAULT_CASES, 'each case makes one request per edit as well');
    assert.ok(figures.shownSteps > 0, 'some requests show a completion');
    assert.ok(figures.routedWithModel > 0, 'some prefixes were routed with the model');
  });

  for (const { name, input } of REGRESSION_CASES) {
    it(`regression: ${name}`, async () => {
      await runStep(env, { ...input, routeWithModel: true });
    });
  }

  it('regression: special token hidden by a formatting character is cut', () => {
    const context = buildCompletionContext('The Landlord ', '', true);
    const outcome = postprocessCompletion({
      raw: 'shall<|endoftext\u202c|>The Tenant',
      stopReason: 'end-of-text',
      context,
      prose: true,
      stopAt: 'sentence',
      indentation: { insertSpaces: true, tabSize: 4, indentSize: 4 },
    });

    assert.equal(outcome.text, 'shall');
  });
});
