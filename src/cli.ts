// The expert-activation command line (bin of package.json, bundled to dist/cli.js).
// It runs the engine in-process (InferenceEngine, no worker thread). A CLI run handles one
// request and exits, so it needs none of EngineClient's superseding or restarts.

import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { HELP_TEXT, parseArguments, type CliArguments } from './cli/args';
import { runDemo, loadSamples } from './cli/demo';
import { FileError, readDocumentWindow } from './cli/documentReader';
import { completeJson, completeText, explainJson, explainText, routeJson, routeText } from './cli/format';
import { UsageError } from './cli/usageError';
import { EngineError } from './engine/errors';
import { InferenceEngine } from './engine/inferenceEngine';
import { loadManifest } from './engine/manifest';
import type { EngineLogger } from './engine/logger';
import type { GenerationOptions, ModelInfo, RoutingOptions } from './engine/protocol';

const PACKAGE_ROOT = path.resolve(__dirname, '..');
const DEFAULT_MODEL = path.join(PACKAGE_ROOT, 'models', 'expert-moe');
const SAMPLES_FOLDER = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'samples');
/** Characters read before the position: generous for the model's context of a few hundred tokens. */
const CHARS_PER_CONTEXT_TOKEN = 16;
const DEFAULT_CONTEXT_TOKENS = 256;
const SUFFIX_CHARS = 512;
const CODE_EXTENSIONS = new Set(['.py', '.js', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.c', '.h', '.cpp', '.cs', '.rb', '.php', '.sh', '.sql', '.kt', '.swift']);

const stderrLog: EngineLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => process.stderr.write(`warning: ${message}\n`),
  error: (message) => process.stderr.write(`error: ${message}\n`),
};

async function main(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args.command === 'help') {
    process.stdout.write(`${HELP_TEXT}\n`);
    return 0;
  }

  // The file is read before the model loads, so a mistyped path fails at once.
  const modelFolder = args.model ?? DEFAULT_MODEL;
  const file = args.file;
  const window = file === undefined ? undefined : readDocumentWindow(file, args.position ?? 'start', prefixCharsFor(modelFolder), SUFFIX_CHARS);

  const threads = args.threads ?? Math.min(4, availableParallelism());
  const engine = await InferenceEngine.load(modelFolder, { threads, log: stderrLog });
  try {
    const routing = routingOptions(args, engine.info);
    if (file === undefined || window === undefined) {
      const output = { json: args.json, write: (text: string) => process.stdout.write(text) };
      await runDemo(engine, loadSamples(SAMPLES_FOLDER), routing, (sample) => generationOptions(args, sample), output);
      return 0;
    }

    const documentKey = path.resolve(file);
    const started = Date.now();

    if (args.command === 'route') {
      const trace = await engine.route({ documentKey, prefix: window.prefix, routing });
      const elapsed = Date.now() - started;
      print(args, routeJson(file, trace, engine.info, elapsed), () => routeText(file, trace, engine.info, elapsed));
    } else if (args.command === 'complete') {
      const result = await engine.complete({ documentKey, prefix: window.prefix, suffix: window.suffix, routing, generation: generationOptions(args, file) });
      print(args, completeJson(file, window.offset, result), () => completeText(file, window.offset, result, engine.info));
    } else {
      const result = await engine.explain({ documentKey, prefix: window.prefix, routing, generation: generationOptions(args, file), timeBudgetMs: 10_000 });
      print(args, explainJson(file, window.offset, result), () => explainText(file, window.offset, result, engine.info));
    }
    return 0;
  } finally {
    await engine.dispose();
  }
}

/** Characters to read before the position, from the model's context length (the default model's when unreadable). */
function prefixCharsFor(modelFolder: string): number {
  let contextTokens = DEFAULT_CONTEXT_TOKENS;
  try {
    contextTokens = loadManifest(modelFolder).architecture.trainedContext;
  } catch {
    // The engine load that follows reports what is wrong with the model folder.
  }
  return contextTokens * CHARS_PER_CONTEXT_TOKEN;
}

/** Checks the routing options against the model so mistakes are usage errors, then builds them. */
function routingOptions(args: CliArguments, model: ModelInfo): RoutingOptions {
  if (args.domain !== undefined && !model.domains.includes(args.domain)) {
    throw new UsageError(`Unknown domain "${args.domain}". Use --domain with one of ${model.domains.join(', ')}.`);
  }
  if (args.topK !== undefined && args.topK > model.expertsPerLayer) {
    throw new UsageError(`--top-k ${args.topK} is more than the ${model.expertsPerLayer} experts per layer. Use 1 to ${model.expertsPerLayer}.`);
  }
  for (const id of args.disabledExperts) {
    if (!model.experts.some((expert) => expert.id === id)) {
      throw new UsageError(`Unknown expert "${id}" for --disable-expert. Expert ids look like ${model.experts[0].id}; run route to list them.`);
    }
  }
  return {
    mode: 'auto',
    domain: args.domain,
    domainSource: args.domain === undefined ? undefined : 'pinned',
    biasStrength: 4,
    minConfidence: 0.5,
    topK: args.topK ?? model.defaultTopK,
    topP: 1,
    disabledExperts: args.disabledExperts,
    counterfactual: false,
    counterfactualStrength: 0.5,
  };
}

function generationOptions(args: CliArguments, file: string): GenerationOptions {
  const isCode = CODE_EXTENSIONS.has(path.extname(file).toLowerCase());
  return { maxTokens: args.maxTokens, temperature: 0, topP: 1, timeBudgetMs: 30_000, stopAt: args.stopAt ?? (isCode ? 'block' : 'line') };
}

function print(args: CliArguments, json: object, text: () => string): void {
  process.stdout.write(args.json ? `${JSON.stringify(json)}\n` : `${text()}\n`);
}

function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`expert-activation: ${error.message}\n`);
    return 2;
  }
  if (error instanceof FileError) {
    process.stderr.write(`expert-activation: ${error.message}\n`);
    return 1;
  }
  if (error instanceof EngineError) {
    const { message, action } = error.info;
    process.stderr.write(`expert-activation: ${message}${action === undefined ? '' : `\n${action}`}\n`);
    return error.info.code === 'input-invalid' ? 2 : 1;
  }
  process.stderr.write(`expert-activation: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error);
  },
);
