// One fuzz step: a document and a cursor go through what a completion request does (settings
// validation, the routing policy, context building, tokenization, routing, post-processing and
// the inline completion provider), and every result is checked against the rules the issue
// sets: no exception escapes, every offset stays inside the document, tokenization round-trips.

import * as path from 'node:path';
import type { CompletionResult, Engine, EngineState, ModelInfo, RoutingOptions } from '../../../src/engine/protocol';
import { EngineError } from '../../../src/engine/errors';
import type { InferenceEngine } from '../../../src/engine/inferenceEngine';
import type { Manifest } from '../../../src/engine/manifest';
import type { PositionRouting } from '../../../src/engine/kvCache';
import { decideDomain, domainPosterior, layerRoutings, planRouting } from '../../../src/engine/routing';
import { healPrefix } from '../../../src/engine/tokenHealing';
import type { Tokenizer } from '../../../src/engine/tokenizer';
import { looksBinary } from '../../../src/completion/binaryText';
import { contextWindowStart, prefixBudgetChars, SUFFIX_CHARS } from '../../../src/completion/context';
import { postprocessCompletion } from '../../../src/completion/postprocess';
import { toLf } from '../../../src/completion/text';
import { decideRouting } from '../../../src/settings/routingPolicy';
import { DEFAULT_SETTINGS, type ExpertActivationSettings } from '../../../src/settings/settings';
import { validateSettings } from '../../../src/settings/validation';
import { FakeTextDocument, type FakeLogOutputChannel, type FakeVscode } from './fakeVscode';

/** Everything a step needs that is expensive to build: load it once per run. */
export interface FuzzEnvironment {
  vscode: FakeVscode;
  tokenizer: Tokenizer;
  manifest: Manifest;
  model: ModelInfo;
  /** The real engine, for steps that route with the model. */
  engine?: InferenceEngine;
  /** The modules that import `vscode`, loaded after the fake was installed. */
  modules: {
    readDocumentContext: typeof import('../../../src/completion/documentContext').readDocumentContext;
    ExpertCompletionProvider: typeof import('../../../src/completion/provider').ExpertCompletionProvider;
    CompletionEvents: typeof import('../../../src/completion/events').CompletionEvents;
  };
}

export interface StepInput {
  text: string;
  cursorOffset: number;
  languageId: string;
  /** The document's path; non-file documents use an `untitled:` URI. */
  filePath?: string;
  /** The raw model text that the fake engine returns. */
  raw: string;
  stopReason: CompletionResult['stopReason'];
  /** Raw `expertActivation.*` values, as a user might type them into settings.json. */
  rawSettings?: Record<string, unknown>;
  /** Route the prefix with the real model as well (slow: tens of milliseconds). */
  routeWithModel?: boolean;
}

/** A broken rule: which check failed and on what. */
export class FuzzFailure extends Error {
  constructor(
    readonly check: string,
    detail: string,
  ) {
    super(`${check}: ${detail}`);
    this.name = 'FuzzFailure';
  }
}

function expect(condition: boolean, check: string, detail: () => string): asserts condition {
  if (!condition) throw new FuzzFailure(check, detail());
}

function show(text: string, limit = 120): string {
  const shown = JSON.stringify(text.length > limit ? `${text.slice(0, limit / 2)}…${text.slice(-limit / 2)}` : text);
  return `${shown} (${text.length} chars)`;
}

/** Replaces lone UTF-16 surrogates with U+FFFD, as the tokenizer's first step does. */
export function withoutLoneSurrogates(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Characters ghost text must never contain: controls other than tab and line feed, line and paragraph separators, bidirectional embeddings, overrides and isolates, lone surrogates. */
const FORBIDDEN_IN_COMPLETION = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface StepOutcome {
  prefixLength: number;
  tokens: number;
  shown: boolean;
  routed: boolean;
}

export async function runStep(env: FuzzEnvironment, input: StepInput): Promise<StepOutcome> {
  const { vscode } = env;
  const { host } = vscode;
  const uri = input.filePath === undefined ? vscode.api.Uri.parse('untitled:/Untitled-1') : vscode.api.Uri.file(input.filePath);
  const document = new FakeTextDocument(input.text, input.languageId, uri);
  expect(input.cursorOffset >= 0 && input.cursorOffset <= input.text.length, 'cursor inside the document', () => `${input.cursorOffset} of ${input.text.length}`);
  const editor = host.showDocument(document, input.cursorOffset);
  const position = editor.selection.active;
  const offset = document.offsetAt(position);
  expect(offset >= 0 && offset <= input.text.length, 'cursor offset inside the document', () => `${offset} of ${input.text.length}`);

  const settings = validatedSettings(env, input.rawSettings ?? {});
  const request = checkContext(env, document, position, offset, settings);
  const { context } = request;

  const routing = checkRoutingPolicy(env, settings, input);
  const tokens = checkTokenization(env.tokenizer, context.prefix);
  checkRoutingMath(env, routing, tokens);

  let routed = false;
  if (input.routeWithModel === true && env.engine !== undefined && context.prefix.length > 0) {
    await checkModelRouting(env, routing, context.prefix, document.uri.toString());
    routed = true;
  }

  const processed = checkPostprocessing(input, request);
  // The provider skips binary-looking text before it sends a request to the engine.
  const binary = looksBinary(context.prefix) || looksBinary(context.suffix);
  const shown = await checkProvider(env, document, editor, input, settings, routing, binary ? '' : processed);
  host.closeDocument(document);

  return { prefixLength: context.prefix.length, tokens: tokens.length, shown, routed };
}

function validatedSettings(env: FuzzEnvironment, raw: Record<string, unknown>): ExpertActivationSettings {
  const { settings, problems } = validateSettings((key) => raw[key], {
    domains: env.model.domains,
    expertIds: env.model.experts.map((expert) => expert.id),
    expertsPerLayer: env.model.expertsPerLayer,
    homeDirectory: '/home/user',
  });
  for (const problem of problems) {
    expect(problem.setting.startsWith('expertActivation.') && problem.message.length > 0, 'settings problems name the setting', () => JSON.stringify(problem));
  }
  const { topK, topP, biasStrength } = settings.routing;
  expect(Number.isInteger(topK) && topK >= 1 && topK <= env.model.expertsPerLayer, 'validated top-k in range', () => String(topK));
  expect(topP >= 0 && topP <= 1 && Number.isFinite(biasStrength), 'validated routing numbers', () => JSON.stringify(settings.routing));
  expect(Number.isInteger(settings.completions.maxTokens) && settings.completions.maxTokens >= 1, 'validated maxTokens', () => String(settings.completions.maxTokens));
  return settings;
}

function checkContext(
  env: FuzzEnvironment,
  document: FakeTextDocument,
  position: InstanceType<FakeVscode['api']['Position']>,
  offset: number,
  settings: ExpertActivationSettings,
) {
  const request = env.modules.readDocumentContext(document as never, position as never, settings.completions, env.model);
  const { context } = request;
  const text = document.getText();

  const budget = prefixBudgetChars({ maxContextTokens: env.model.maxContext, maxNewTokens: settings.completions.maxTokens });
  const windowStart = contextWindowStart(offset, budget);
  expect(windowStart >= 0 && windowStart <= offset, 'window start between 0 and the cursor', () => `${windowStart}, cursor ${offset}`);

  const before = toLf(text.slice(0, offset));
  const after = toLf(text.slice(offset));
  expect(context.prefix.length <= budget, 'prefix within the budget', () => `${context.prefix.length} > ${budget}`);
  expect(before.endsWith(context.prefix), 'prefix is the text before the cursor', () => show(context.prefix));
  expect(context.suffix.length <= SUFFIX_CHARS, 'suffix within its limit', () => `${context.suffix.length}`);
  expect(after.startsWith(context.suffix), 'suffix is the text after the cursor', () => show(context.suffix));
  expect(!context.linePrefix.includes('\n') && !context.lineSuffix.includes('\n'), 'line prefix and suffix are one line', () => show(context.linePrefix + '|' + context.lineSuffix));
  expect(before.endsWith(context.linePrefix), 'line prefix ends at the cursor', () => show(context.linePrefix));
  expect(context.suffix.startsWith(context.lineSuffix), 'line suffix starts at the cursor', () => show(context.lineSuffix));
  expect(!/\r/.test(context.prefix + context.suffix), 'context has LF line breaks only', () => show(context.prefix));
  const prefixStart = before.length - context.prefix.length;
  const splitsPair = /[\ud800-\udbff]/.test(before.charAt(prefixStart - 1)) && /[\udc00-\udfff]/.test(before.charAt(prefixStart));
  expect(!splitsPair, 'the prefix does not start inside a surrogate pair', () => show(context.prefix));
  return { ...request, context };
}

function checkRoutingPolicy(env: FuzzEnvironment, settings: ExpertActivationSettings, input: StepInput): RoutingOptions {
  const decision = decideRouting(settings.routing, { languageId: input.languageId, absolutePath: input.filePath ?? '/Untitled-1' }, env.model.domains);
  const { options } = decision;
  expect(decision.reason.length > 0, 'routing decision has a reason', () => JSON.stringify(decision));
  if (options.domain !== undefined) expect(env.model.domains.includes(options.domain), 'routed domain is a model domain', () => options.domain ?? '');
  return options;
}

function checkTokenization(tokenizer: Tokenizer, prefix: string): number[] {
  const normalized = withoutLoneSurrogates(prefix);
  const chunks = tokenizer.encodeChunks(prefix);
  expect(chunks.map((chunk) => chunk.text).join('') === normalized, 'chunks cover the text', () => show(prefix));

  const ids = chunks.flatMap((chunk) => chunk.ids);
  for (const id of ids) {
    expect(Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize && !tokenizer.isSpecial(id), 'ordinary token ids', () => `${id} in ${show(prefix)}`);
  }
  expect(tokenizer.decode(ids) === normalized, 'tokenization round-trips', () => show(prefix));

  const stream = tokenizer.createStreamDecoder();
  let streamed = '';
  for (const id of ids) streamed += stream.push(id);
  streamed += stream.flush();
  expect(streamed === normalized, 'streaming decode round-trips', () => show(prefix));

  const healed = healPrefix(chunks);
  expect(tokenizer.decode(healed.ids) + healed.healText === normalized, 'token healing keeps the text', () => show(prefix));
  return ids;
}

/** Runs the routing arithmetic on router outputs made from the token ids, without the model. */
function checkRoutingMath(env: FuzzEnvironment, routing: RoutingOptions, ids: number[]): void {
  let plan;
  try {
    plan = planRouting(routing, env.manifest);
  } catch (error) {
    expect(error instanceof EngineError && error.info.code === 'input-invalid', 'routing options fail only as input-invalid', () => String(error));
    return;
  }

  const { layers, expertsPerLayer } = env.manifest.architecture;
  const positions: PositionRouting[] = ids.slice(-64).map((id) => {
    const probs = new Float32Array(layers * expertsPerLayer);
    const weights = new Float32Array(layers * expertsPerLayer);
    for (let layer = 0; layer < layers; layer += 1) {
      let total = 0;
      for (let index = 0; index < expertsPerLayer; index += 1) total += probs[layer * expertsPerLayer + index] = ((id * 31 + layer * 7 + index * 13) % 17) + 1e-3;
      for (let index = 0; index < expertsPerLayer; index += 1) probs[layer * expertsPerLayer + index] /= total;
      weights[layer * expertsPerLayer + (id % expertsPerLayer)] = 1;
    }
    return { probs, weights };
  });

  const posterior = domainPosterior(positions, env.manifest);
  const sum = Object.values(posterior).reduce((total, value) => total + value, 0);
  expect(Math.abs(sum - 1) < 1e-6 && Object.values(posterior).every(Number.isFinite), 'domain posterior sums to 1', () => JSON.stringify(posterior));
  const decided = decideDomain(posterior, plan, routing);
  expect(env.model.domains.includes(decided.domain), 'decided domain is a model domain', () => decided.domain);
  if (positions.length > 0) {
    for (const layer of layerRoutings(positions[positions.length - 1], layers, expertsPerLayer)) {
      expect(layer.entropy >= 0 && layer.entropy <= 1, 'entropy within [0, 1]', () => String(layer.entropy));
    }
  }
}

async function checkModelRouting(env: FuzzEnvironment, routing: RoutingOptions, prefix: string, documentKey: string): Promise<void> {
  const engine = env.engine as InferenceEngine;
  let trace;
  try {
    trace = await engine.route({ documentKey, prefix, routing });
  } catch (error) {
    expect(error instanceof EngineError && error.info.code === 'input-invalid', 'model routing fails only as input-invalid', () => String(error));
    return;
  }
  expect(env.model.domains.includes(trace.domain.domain), 'model-routed domain is a model domain', () => trace.domain.domain);
  for (const layer of trace.context) {
    expect(layer.probs.every((p) => Number.isFinite(p) && p >= 0 && p <= 1 + 1e-6), 'router probabilities within [0, 1]', () => JSON.stringify(layer.probs));
    expect(layer.chosen.length >= 1, 'at least one expert runs per layer', () => JSON.stringify(layer));
  }
}

function checkPostprocessing(input: StepInput, request: ReturnType<typeof checkContext>): string {
  const outcome = postprocessCompletion({
    raw: input.raw,
    stopReason: input.stopReason,
    context: request.context,
    prose: request.prose,
    stopAt: request.stopAt,
    indentation: request.indentation,
  });
  expect(typeof outcome.text === 'string', 'post-processing returns text', () => JSON.stringify(outcome));
  if (outcome.discardReason !== undefined) {
    expect(outcome.text === '' && outcome.discardReason.length > 0, 'a discard has a reason and no text', () => JSON.stringify(outcome));
    return '';
  }
  expect(outcome.text.trim() !== '', 'shown text is not blank', () => show(outcome.text));
  expect(!FORBIDDEN_IN_COMPLETION.test(outcome.text), 'shown text has no control, separator, bidirectional override or lone surrogate characters', () => show(outcome.text));
  expect(!/<\|[A-Za-z0-9_-]+\|>/.test(outcome.text), 'shown text has no special token', () => show(outcome.text));
  if (request.stopAt === 'line' || request.stopAt === 'sentence') {
    expect(outcome.text.split('\n').length <= 2, 'a line completion has at most one line break', () => show(outcome.text));
  }
  return outcome.text;
}

async function checkProvider(
  env: FuzzEnvironment,
  document: FakeTextDocument,
  editor: ReturnType<FakeVscode['host']['showDocument']>,
  input: StepInput,
  settings: ExpertActivationSettings,
  routing: RoutingOptions,
  expected: string,
): Promise<boolean> {
  const { api, host } = env.vscode;
  const log = host.outputChannels[0] ?? (api.window.createOutputChannel('fuzz') as unknown as FakeLogOutputChannel);
  const errorsBefore = log.at('error').length;
  const events = new env.modules.CompletionEvents();
  const engine = fakeEngine(env.model, input.raw, input.stopReason);
  const provider = new env.modules.ExpertCompletionProvider({
    engine,
    settings: () => ({ ...settings, completions: { ...settings.completions, enabled: true, enabledLanguages: { '*': true }, debounceMs: 0 } }),
    routingFor: () => routing,
    events,
    log: log as never,
  });

  const token = { isCancellationRequested: false, onCancellationRequested: () => new api.Disposable() };
  const items = await provider.provideInlineCompletionItems(
    document as never,
    editor.selection.active as never,
    { triggerKind: api.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined } as never,
    token as never,
  );
  provider.dispose();
  events.dispose();

  const newErrors = log.at('error').slice(errorsBefore);
  expect(newErrors.length === 0, 'the provider logs no error', () => newErrors.join(' | '));
  if (items === undefined || items.length === 0) {
    expect(expected === '', 'the provider shows what post-processing keeps', () => `nothing shown, expected ${show(expected)}`);
    return false;
  }

  const length = document.getText().length;
  for (const item of items) {
    const range = item.range as unknown as { start: { line: number; character: number }; end: { line: number; character: number } };
    const start = document.offsetAt(range.start as never);
    const end = document.offsetAt(range.end as never);
    expect(start >= 0 && end <= length && start <= end, 'completion range inside the document', () => `${start}-${end} of ${length}`);
    expect(range.start.line < document.lineCount && range.end.line < document.lineCount, 'completion range on existing lines', () => JSON.stringify(range));
    const insertText = String(item.insertText);
    const lf = insertText.replace(/\r\n/g, '\n');
    expect(!lf.includes('\r'), 'inserted text uses the document line breaks', () => show(insertText));
    expect(lf === expected, 'the provider shows what post-processing keeps', () => `${show(lf)} vs ${show(expected)}`);
  }
  return true;
}

function fakeEngine(model: ModelInfo, raw: string, stopReason: CompletionResult['stopReason']): Engine {
  const state: EngineState = { status: 'ready', model };
  return {
    state,
    onDidChangeState: () => ({ dispose: () => undefined }),
    complete: async () => ({
      completion: raw,
      stopReason,
      trace: { domain: { domain: 'general', confidence: 1, posterior: { general: 1 }, source: 'detected' }, context: [], load: [], generated: [] },
      timing: { totalMs: 1, promptTokens: 1, reusedTokens: 0, generatedTokens: 1 },
    }),
    route: async () => {
      throw new Error('not used');
    },
    explain: async () => {
      throw new Error('not used');
    },
    reload: async () => undefined,
    dispose: () => undefined,
  };
}

/** File paths with the characters that trip path handling: spaces, Unicode, dots and glob characters. */
export const FUZZ_PATHS = [
  undefined,
  '/work/contracts/lease agreement.txt',
  '/work/notes/visit-note.note.md',
  '/work/src/main.py',
  '/work/ünïcödé/файл.ts',
  '/work/[brackets]/{braces}/*star?.md',
  '/work/.hidden/.env',
  path.posix.join('/work', 'a'.repeat(200), 'deep.txt'),
];
