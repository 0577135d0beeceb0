// Generated fuzz cases: a document, a sequence of edits (typing, pasting, deleting) and, after
// each edit, a completion request at a cursor at the start, middle or end of the document or
// where the edit ended. Each case is a pure function of its seed.

import type { CompletionResult } from '../../../src/engine/protocol';
import { randomModelText, randomPiece, randomText } from './fuzzText';
import { FUZZ_PATHS, runStep, type FuzzEnvironment, type StepInput, type StepOutcome } from './fuzzPipeline';
import { Random } from './random';

const LANGUAGES = ['plaintext', 'markdown', 'python', 'typescript', 'json', 'latex', 'rust', 'unknown-language'];
const STOP_REASONS: Array<CompletionResult['stopReason']> = ['stop-rule', 'max-tokens', 'time-budget', 'end-of-text', 'cancelled'];

/** Raw settings values a user might leave in settings.json, valid and not. */
const RAW_SETTING_VALUES: Record<string, unknown[]> = {
  'routing.mode': ['auto', 'rules', 'off', 'AUTO', 'sometimes', 3, null],
  'routing.topK': [1, 2, 8, 0, 9, 2.5, '2', -1, Number.NaN, null],
  'routing.topP': [1, 0.5, 0, 1.5, -0.1, 'high'],
  'routing.biasStrength': [0, 4, 50, 51, -1, 'strong', Infinity],
  'routing.minConfidence': [0, 0.5, 1, 2],
  'routing.disabledExperts': [[], ['L0.E0'], ['L0.E0', 'L0.E1', 'L0.E2', 'L0.E3', 'L0.E4', 'L0.E5', 'L0.E6'], ['L99.E0'], ['bad'], 'L0.E0', [1, 2]],
  'routing.domainByLanguage': [{}, { python: 'code' }, { python: 'finance' }, { plaintext: 'legal', markdown: 'auto' }, [], 'code'],
  'routing.domainByFile': [{}, { '*.txt': 'legal' }, { '**/notes/**': 'medical' }, { '[unclosed': 'legal' }, { '{a,b': 'code' }, { '': 'code' }, { '**/*': 'unknown' }],
  'routing.counterfactual.enabled': [true, false, 'yes'],
  'completions.maxTokens': [1, 24, 256, 0, 1000, 3.5],
  'completions.multiline': ['auto', 'always', 'never', 'sometimes'],
  'completions.temperature': [0, 0.7, 2, -1, 5],
};

export interface FuzzCaseResult {
  steps: number;
  shown: number;
  routed: number;
  maxPrefixLength: number;
  maxDocumentLength: number;
}

/** A failed case: enough to replay it (`seed`) and to write it down as a regression case (`input`). */
export class FuzzCaseFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    readonly input: StepInput,
    override readonly cause: unknown,
  ) {
    super(`seed ${seed}, step ${step}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'FuzzCaseFailure';
  }
}

export function generateDocument(random: Random): string {
  const shape = random.weighted({ empty: 5, short: 45, medium: 35, long: 10, 'very-long-line': 5 });
  switch (shape) {
    case 'empty':
      return '';
    case 'short':
      return randomText(random, random.int(1, 8));
    case 'medium':
      return randomText(random, random.int(10, 80));
    case 'long':
      return randomText(random, random.int(200, 800));
    case 'very-long-line':
      return randomPiece(random, 'long-line') + randomText(random, random.int(0, 5));
  }
}

function randomSettings(random: Random): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(RAW_SETTING_VALUES)) {
    if (random.chance(0.15)) settings[key] = random.pick(values);
  }
  return settings;
}

function cursorAfterEdit(random: Random, length: number, editEnd: number): number {
  const where = random.weighted({ 'after-edit': 4, start: 1, middle: 1, end: 3, anywhere: 1 });
  if (where === 'after-edit') return Math.min(editEnd, length);
  if (where === 'start') return 0;
  if (where === 'middle') return Math.floor(length / 2);
  if (where === 'end') return length;
  return random.int(0, length);
}

/** Applies one edit as a user or a paste makes it: type a piece, delete a range or replace one. */
function applyRandomEdit(random: Random, text: string): { text: string; end: number } {
  const at = random.int(0, text.length);
  const kind = random.weighted({ type: 6, paste: 2, delete: 2, replace: 1 });
  if (kind === 'type') {
    const typed = randomPiece(random, random.pick(['words', 'code', 'unicode', 'special', 'break', 'surrogate', 'control'] as const)).slice(0, random.int(1, 4));
    return { text: text.slice(0, at) + typed + text.slice(at), end: at + typed.length };
  }
  if (kind === 'paste') {
    const pasted = randomText(random, random.int(1, 20));
    return { text: text.slice(0, at) + pasted + text.slice(at), end: at + pasted.length };
  }
  const to = Math.min(text.length, at + random.int(0, 50));
  const replacement = kind === 'replace' ? randomPiece(random) : '';
  return { text: text.slice(0, at) + replacement + text.slice(to), end: at + replacement.length };
}

/**
 * Runs case `seed`: a document, then `1 + edits` requests, each after an edit. Throws a
 * FuzzCaseFailure naming the seed, the step and the input that broke a rule.
 */
export async function runFuzzCase(env: FuzzEnvironment, seed: number, options: { routeWithModel?: boolean } = {}): Promise<FuzzCaseResult> {
  const random = new Random(seed);
  let text = generateDocument(random);
  const languageId = random.pick(LANGUAGES);
  const filePath = random.pick(FUZZ_PATHS);
  const rawSettings = randomSettings(random);
  const edits = random.int(0, 6);
  const result: FuzzCaseResult = { steps: 0, shown: 0, routed: 0, maxPrefixLength: 0, maxDocumentLength: text.length };

  let cursor = random.pick([0, Math.floor(text.length / 2), text.length]);
  for (let step = 0; step <= edits; step += 1) {
    if (step > 0) {
      const edited = applyRandomEdit(random, text);
      text = edited.text;
      cursor = cursorAfterEdit(random, text.length, edited.end);
    }
    const suffix = text.slice(cursor, cursor + 400);
    const input: StepInput = {
      text,
      cursorOffset: cursor,
      languageId,
      filePath,
      raw: randomModelText(random, suffix),
      stopReason: random.pick(STOP_REASONS),
      rawSettings,
      routeWithModel: options.routeWithModel === true && step === edits,
    };

    let outcome: StepOutcome;
    try {
      outcome = await runStep(env, input);
    } catch (error) {
      throw new FuzzCaseFailure(seed, step, input, error);
    }
    result.steps += 1;
    if (outcome.shown) result.shown += 1;
    if (outcome.routed) result.routed += 1;
    result.maxPrefixLength = Math.max(result.maxPrefixLength, outcome.prefixLength);
    result.maxDocumentLength = Math.max(result.maxDocumentLength, text.length);
  }
  return result;
}

