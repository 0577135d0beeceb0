// `npm run bench`: latency, KV-cache reuse, sparse against all-experts decoding, cold start,
// worker memory and the extension host's event-loop gap, in one run. Writes docs/BENCHMARKS.md;
// --json prints the results as one object. Progress goes to stderr.

import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngineClient } from '../../src/engine/client';
import { InferenceEngine } from '../../src/engine/inferenceEngine';
import { silentLogger } from '../../src/engine/logger';
import { loadManifest } from '../../src/engine/manifest';
import { loadModelFolder } from '../../src/engine/modelFolder';
import type { GenerationOptions } from '../../src/engine/protocol';
import { Tokenizer } from '../../src/engine/tokenizer';
import { bundleForBench } from './benchBuild';
import { BENCH_HELP, parseBenchOptions } from './benchOptions';
import { measureDecode, measureExtensionLoad, measureKvReuse, measureWarmCompletions, runChild } from './benchPhases';
import { evaluateTargets, renderBenchmarkReport, type BenchmarkResults } from './benchReport';
import { longDocument, typingTextAt } from './benchText';
import { describeMachine, roundedLoad } from './machine';
import { percentile } from './metrics';
import { UsageError } from './options';
import { PRODUCT_MAX_TOKENS, PRODUCT_ROUTING } from './productDefaults';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_MODEL = path.join(REPOSITORY_ROOT, 'models', 'expert-moe');
const HELDOUT_FOLDER = path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'heldout');
const DEFAULT_REPORT = path.join(REPOSITORY_ROOT, 'docs', 'BENCHMARKS.md');
const WARM_CONTEXT_TOKENS = 256;
/** Extra tokens before the cursor, so the context window is full for every request. */
const WARM_CONTEXT_MARGIN = 40;
const KV_CONTEXT_TOKENS = 1024;
/** The long prefix stays below the 1,024-token window with room for the typed characters. */
const KV_PREFIX_TOKENS = 1000;
/**
 * The worker's heartbeat timeout during the benchmark. On a machine short of CPU the client's
 * default can take a slow worker for a stuck one and restart it, which would end a measurement.
 */
const HEARTBEAT_TIMEOUT_MS = 30_000;
const COMPLETION: GenerationOptions = { maxTokens: PRODUCT_MAX_TOKENS, temperature: 0, topP: 1, timeBudgetMs: 10_000, stopAt: 'line' };

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseBenchOptions(argv, DEFAULT_REPORT);
  if (parsed === 'help') {
    process.stdout.write(`${BENCH_HELP}\n`);
    return 0;
  }
  const options = parsed;
  const { counts } = options;
  const started = Date.now();
  const machine = describeMachine(REPOSITORY_ROOT);
  const modelFolder = path.resolve(options.modelFolder ?? DEFAULT_MODEL);
  const manifest = loadManifest(modelFolder);
  const tokenizer = Tokenizer.load(path.join(modelFolder, manifest.files.tokenizer));
  const routing = { ...PRODUCT_ROUTING, topK: manifest.architecture.defaultTopK };

  progress('bundling the worker, the child process and the extension into out/bench/');
  const bundles = await bundleForBench(REPOSITORY_ROOT);
  const texts = manifest.domains.map((domain) => typingTextAt(tokenizer, domain, longDocument(HELDOUT_FOLDER, domain), WARM_CONTEXT_TOKENS + WARM_CONTEXT_MARGIN));

  progress(`cold start and worker memory: ${counts.coldStarts} child processes`);
  const children = [];
  for (let run = 0; run < counts.coldStarts; run += 1) {
    const text = texts[run % texts.length];
    children.push(
      await runChild(bundles.child, {
        modelFolder,
        workerScript: bundles.worker,
        heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
        threads: options.threads,
        text: text.text,
        start: text.start,
        completions: counts.childCompletions,
        routing,
        generation: COMPLETION,
      }),
    );
  }

  progress('extension bundle load time');
  const extensionLoadMs = await measureExtensionLoad(bundles.extension);

  progress(`warm completions through the worker: ${counts.warmRequests} requests`);
  const client = new EngineClient({ modelFolder, threads: options.threads, workerScript: bundles.worker, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS, log: silentLogger });
  let warm;
  try {
    await client.start();
    warm = await measureWarmCompletions(client, texts, counts.warmRequests, routing, COMPLETION);
  } finally {
    client.dispose();
  }

  progress(`KV-cache reuse at ${KV_PREFIX_TOKENS} tokens of context: ${counts.kvEdits} edits`);
  const longEngine = await InferenceEngine.load(modelFolder, { threads: options.threads, contextTokens: KV_CONTEXT_TOKENS, log: silentLogger });
  let kvReuse;
  try {
    const longText = typingTextAt(tokenizer, 'general', longDocument(HELDOUT_FOLDER, 'general'), KV_PREFIX_TOKENS);
    kvReuse = await measureKvReuse(longEngine, longText, counts.kvEdits, routing, { ...COMPLETION, maxTokens: 1 });
  } finally {
    await longEngine.dispose();
  }

  progress(`decoding steps, top-${manifest.architecture.defaultTopK} against all ${manifest.architecture.expertsPerLayer} experts: ${counts.decodeSteps} each`);
  const loaded = await loadModelFolder(modelFolder, { threads: options.threads });
  let decode;
  try {
    const ids = tokenizer.encode(texts[manifest.domains.indexOf('code') >= 0 ? manifest.domains.indexOf('code') : 0].text).slice(0, WARM_CONTEXT_TOKENS);
    decode = await measureDecode(loaded, ids, counts.decodeSteps, counts.prefills);
  } finally {
    await loaded.onnx.release();
  }

  machine.loadAtEnd = roundedLoad();
  const median = (values: number[]) => Math.round(percentile(values, 50) * 10) / 10;
  const coldStart = {
    runs: children.length,
    loadMs: median(children.map((child) => child.loadMs)),
    firstCompletionMs: median(children.map((child) => child.firstCompletionMs)),
    totalMs: median(children.map((child) => child.loadMs + child.firstCompletionMs)),
  };
  const workerMemory = {
    baselineRssMb: median(children.map((child) => child.baselineRssMb)),
    afterLoadRssMb: median(children.map((child) => child.rssAfterLoadMb)),
    afterCompletionsRssMb: median(children.map((child) => child.rssAfterCompletionsMb)),
    maxRssMb: median(children.map((child) => child.maxRssMb)),
  };
  const results: BenchmarkResults = {
    command: argv.length === 0 ? 'npm run bench' : `npm run bench -- ${argv.join(' ')}`,
    preliminary: options.quick,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
    machine,
    model: { folder: path.relative(REPOSITORY_ROOT, modelFolder) || '.', name: manifest.name },
    settings: {
      threads: options.threads,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      counts,
      completion: COMPLETION,
      warmContextTokens: WARM_CONTEXT_TOKENS,
      kvContextTokens: KV_CONTEXT_TOKENS,
      kvPrefixTokens: KV_PREFIX_TOKENS,
      maxContext: manifest.architecture.maxContext,
      kvBytesPerPosition: manifest.architecture.layers * 2 * manifest.architecture.heads * manifest.architecture.headDim * Float32Array.BYTES_PER_ELEMENT,
    },
    warmCompletionMs: warm.latencyMs,
    warm,
    kvReuseSpeedup: kvReuse.speedup,
    kvReuse,
    sparseOverDenseDecode: decode.sparseOverAll,
    decode,
    tokensPerSecond: {
      decode: Math.round(1000 / decode.sparseStepMs.p50),
      prefill: Math.round((decode.contextTokens * 1000) / decode.sparsePrefillMs.p50),
      completion: Math.round((warm.generatedTokens * 1000) / warm.latencyMs.mean),
    },
    coldStart,
    coldStartRuns: children.map((child) => ({ loadMs: Math.round(child.loadMs), firstCompletionMs: Math.round(child.firstCompletionMs), wallMs: Math.round(child.wallMs) })),
    workerRssMb: workerMemory.maxRssMb,
    workerMemory,
    eventLoopMaxGapMs: warm.eventLoop.maxGapMs,
    extensionLoadMs,
    targets: [],
  };
  results.targets = evaluateTargets(results);

  if (options.json) process.stdout.write(`${JSON.stringify(results)}\n`);
  if (options.reportFile !== undefined) {
    writeFileSync(options.reportFile, renderBenchmarkReport(results));
    progress(`wrote ${options.reportFile}`);
  }
  progress(`done in ${results.elapsedSeconds} s`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
