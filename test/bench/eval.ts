// `npm run eval`: the MoE with domain routing, the same MoE with the domain bias off, the dense
// baseline and the n-gram baseline on the held-out documents of test/fixtures/heldout, and
// counterfactual routing on the tokens where the routed MoE is least sure. Writes
// docs/EVALUATION.md; --json prints the results as one object. Progress goes to stderr.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { InferenceEngine } from '../../src/engine/inferenceEngine';
import { silentLogger } from '../../src/engine/logger';
import { loadModelFolder } from '../../src/engine/modelFolder';
import type { RoutingOptions } from '../../src/engine/protocol';
import type { Tokenizer } from '../../src/engine/tokenizer';
import { denseCompletionModel, engineCompletionModel, ngramCompletionModel, type CompletionModel, type VariantId } from './completionModels';
import { DenseModel, DENSE_FILE } from './denseModel';
import { evaluateCompletions, type DocumentCompletionResult } from './evalCompletion';
import { measureCounterfactual } from './evalCounterfactual';
import { scoreDocument, type DocumentLanguageResult } from './evalLanguage';
import { EVAL_HELP, parseEvalOptions, type EvalOptions } from './evalOptions';
import { renderEvaluationReport, type EvaluationResults } from './evalReport';
import { summariseCompletions, summariseCounterfactual, summariseDetection, summarisePerplexity } from './evalSummary';
import { loadHeldoutDocuments } from './heldout';
import { describeMachine, roundedLoad } from './machine';
import { MoeScorer } from './moeScoring';
import { NgramModel } from './ngramModel';
import { UsageError } from './options';
import { PRODUCT_MAX_TOKENS, PRODUCT_ROUTING } from './productDefaults';
import { wordClasses } from './windows';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_MODEL = path.join(REPOSITORY_ROOT, 'models', 'expert-moe');
const HELDOUT_FOLDER = path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'heldout');
const DEFAULT_REPORT = path.join(REPOSITORY_ROOT, 'docs', 'EVALUATION.md');
const NGRAM_FILE = 'baseline-ngram.json';
/** Scored windows overlap by half, so every token after the first window has at least this much context. */
const STRIDE_SHARE = 0.5;
const MAX_NEW_TOKENS = PRODUCT_MAX_TOKENS;

function progress(message: string): void {
  process.stderr.write(`[eval] ${message}\n`);
}

/** Seconds each phase took, for the report and for sizing later runs. */
class PhaseClock {
  readonly seconds: Record<string, number> = {};
  private last = Date.now();

  lap(phase: string): void {
    const now = Date.now();
    this.seconds[phase] = Math.round((now - this.last) / 100) / 10;
    this.last = now;
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseEvalOptions(argv, DEFAULT_REPORT);
  if (parsed === 'help') {
    process.stdout.write(`${EVAL_HELP}\n`);
    return 0;
  }
  const options: EvalOptions = parsed;
  const started = Date.now();
  const clock = new PhaseClock();
  const machine = describeMachine(REPOSITORY_ROOT);
  const modelFolder = path.resolve(options.modelFolder ?? DEFAULT_MODEL);

  progress(`loading ${modelFolder} with ${options.threads} threads`);
  const loaded = await loadModelFolder(modelFolder, { threads: options.threads });
  const engine = await InferenceEngine.load(modelFolder, { threads: options.threads, log: silentLogger });
  const { manifest, tokenizer } = loaded;
  const domains = manifest.domains;
  const routing: RoutingOptions = { ...PRODUCT_ROUTING, topK: manifest.architecture.defaultTopK };
  const contextTokens = manifest.architecture.trainedContext;
  const denseFile = path.join(modelFolder, DENSE_FILE);
  const ngramFile = path.join(modelFolder, NGRAM_FILE);
  const dense = existsSync(denseFile) ? await DenseModel.create(denseFile, manifest, options.threads) : undefined;
  const ngram = existsSync(ngramFile) ? NgramModel.load(ngramFile) : undefined;
  const missing: Partial<Record<VariantId, string>> = {};
  if (dense === undefined) missing.dense = `${denseFile} is missing`;
  if (ngram === undefined) missing.ngram = `${ngramFile} is missing; build it with models/training/ngram.py`;
  clock.lap('load');

  try {
    const documents = loadHeldoutDocuments(HELDOUT_FOLDER, domains, options.documentsPerDomain);
    const moe = new MoeScorer(loaded, routing);

    const language: DocumentLanguageResult[] = [];
    for (const document of documents) {
      progress(`perplexity and detection: ${document.name}`);
      language.push(await scoreDocument(document, { tokenizer, moe, dense, ngram }, { contextTokens, stride: Math.round(contextTokens * STRIDE_SHARE), maxWindows: options.maxWindows }));
    }
    const agreement = await checkDetectionAgainstEngine(engine, tokenizer, language, routing);
    clock.lap('perplexity and detection');

    const greedy = { maxTokens: MAX_NEW_TOKENS, contextTokens, maxContext: manifest.architecture.maxContext, endOfText: manifest.specialTokens.endOfText };
    const completionModels: CompletionModel[] = [
      engineCompletionModel(engine, 'moe-routed', { maxTokens: MAX_NEW_TOKENS, routing }),
      engineCompletionModel(engine, 'moe-plain', { maxTokens: MAX_NEW_TOKENS, routing }),
    ];
    if (dense !== undefined) completionModels.push(denseCompletionModel(dense, tokenizer, greedy, manifest.architecture.vocabSize));
    if (ngram !== undefined) completionModels.push(ngramCompletionModel(ngram, tokenizer, greedy));

    const completion: EvaluationResults['completion'] = {};
    const samples: EvaluationResults['completionSamples'] = {};
    for (const model of completionModels) {
      const perDocument: Array<{ domain: string; result: DocumentCompletionResult }> = [];
      for (const document of documents) {
        progress(`completions, ${model.variant}: ${document.name}`);
        const result = await evaluateCompletions(document, model, { cases: options.casesPerDocument, typingSegments: options.typingSegmentsPerDocument });
        perDocument.push({ domain: document.domain, result });
      }
      completion[model.variant] = summariseCompletions(perDocument, domains);
      samples[model.variant] = perDocument.flatMap((entry) => entry.result.samples).slice(0, 8);
      clock.lap(`completions ${model.variant}`);
    }

    let counterfactual: EvaluationResults['counterfactual'];
    if (loaded.impact === undefined) {
      const problem = (loaded.impactProblem ?? 'impact.json is missing').split(modelFolder).join(path.relative(REPOSITORY_ROOT, modelFolder));
      counterfactual = { skipped: `the model folder has no usable impact table (${problem})` };
    } else {
      progress('counterfactual routing on the hardest tokens');
      const measurement = await measureCounterfactual(language, moe, wordClasses(tokenizer), {
        hardShare: options.hardShare,
        strength: routing.counterfactualStrength,
        seed: options.seed,
      });
      counterfactual = summariseCounterfactual(measurement, options.hardShare, routing.counterfactualStrength);
      clock.lap('counterfactual routing');
    }

    const labels = language.map((result) => result.document.domain);
    machine.loadAtEnd = roundedLoad();
    const results: EvaluationResults = {
      command: commandLine(argv),
      preliminary: options.quick,
      elapsedSeconds: Math.round((Date.now() - started) / 1000),
      phaseSeconds: clock.seconds,
      machine,
      model: { folder: path.relative(REPOSITORY_ROOT, modelFolder) || '.', name: manifest.name, training: readTraining(modelFolder) },
      settings: {
        documentsPerDomain: options.documentsPerDomain,
        casesPerDocument: options.casesPerDocument,
        typingSegmentsPerDocument: options.typingSegmentsPerDocument,
        maxWindowsPerDocument: Number.isFinite(options.maxWindows) ? options.maxWindows : 'all',
        contextTokens,
        stride: Math.round(contextTokens * STRIDE_SHARE),
        maxNewTokens: MAX_NEW_TOKENS,
        routing,
        threads: options.threads,
      },
      missing,
      documents: Object.fromEntries(domains.map((domain) => [domain, labels.filter((label) => label === domain).length])),
      detection: {
        moe: summariseDetection(
          language.map((result) => result.moeDecisions),
          labels,
          domains,
          language.map((result) => result.moeRoutedDomain),
        ),
        ngram: ngram === undefined ? undefined : summariseDetection(language.map((result) => result.ngramDecisions), labels, domains),
        engineAgreement: agreement,
      },
      perplexity: summarisePerplexity(language, domains),
      completion,
      completionSamples: samples,
      counterfactual,
    };

    if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
    if (options.reportFile !== undefined) {
      writeFileSync(options.reportFile, renderEvaluationReport(results));
      progress(`wrote ${options.reportFile}`);
    }
    progress(`done in ${results.elapsedSeconds} s`);
    return 0;
  } finally {
    await engine.dispose();
    await loaded.onnx.release();
    await dense?.release();
  }
}

/**
 * Checks that this script's replica of detection matches the engine: `engine.route` on the text
 * of the first window must detect the same domain as the teacher-forced pass did. Re-encoding
 * that text can split its last word differently, so a rare disagreement is possible.
 */
async function checkDetectionAgainstEngine(
  engine: InferenceEngine,
  tokenizer: Tokenizer,
  language: readonly DocumentLanguageResult[],
  routing: RoutingOptions,
): Promise<{ agreed: number; documents: number }> {
  let agreed = 0;
  for (const result of language) {
    const window = result.windows[0];
    if (window === undefined) continue;
    const prefix = tokenizer.decode(window.inputs.slice(1));
    const trace = await engine.route({ documentKey: `detection:${result.document.name}`, prefix, routing });
    if (trace.domain.detected === result.moeDecisions[result.moeDecisions.length - 1]) agreed += 1;
  }
  return { agreed, documents: language.length };
}

function readTraining(modelFolder: string): unknown {
  const file = path.join(modelFolder, 'training.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function commandLine(argv: readonly string[]): string {
  return argv.length === 0 ? 'npm run eval' : `npm run eval -- ${argv.join(' ')}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`eval: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`eval: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
