// The measurements of `npm run bench`, one function each. Paired variants run interleaved, so
// a busy machine slows both alike and their ratio stays fair.

import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EngineClient } from '../../src/engine/client';
import type { InferenceEngine } from '../../src/engine/inferenceEngine';
import { emptyKv } from '../../src/engine/kvCache';
import type { LoadedModel } from '../../src/engine/modelFolder';
import type { GenerationOptions, RoutingOptions } from '../../src/engine/protocol';
import type { ChildReport, ChildRequest } from './benchChild';
import type { TypingText } from './benchText';
import { mean, percentile } from './metrics';

export interface Percentiles {
  p50: number;
  p95: number;
  mean: number;
  count: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const round2 = (value: number) => Math.round(value * 100) / 100;
  return { p50: round2(percentile(values, 50)), p95: round2(percentile(values, 95)), mean: round2(mean(values)), count: values.length };
}

/** Runs the bench child process with `request` and returns its report. */
export function runChild(script: string, request: ChildRequest): Promise<ChildReport & { wallMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`The bench child process exited with code ${String(code)}: ${stderr.trim()}`));
        return;
      }
      resolve({ ...(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildReport), wallMs: performance.now() - started });
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** Watches this thread's event loop with a 1 ms timer and perf_hooks' delay histogram. */
export class EventLoopWatch {
  private readonly histogram = monitorEventLoopDelay({ resolution: 1 });
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private maxGap = 0;

  start(): void {
    this.histogram.enable();
    this.lastTick = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.maxGap = Math.max(this.maxGap, now - this.lastTick);
      this.lastTick = now;
    }, 1);
  }

  stop(): { maxGapMs: number; histogramMaxMs: number; histogramP99Ms: number } {
    clearInterval(this.timer);
    this.histogram.disable();
    return {
      maxGapMs: Math.round(this.maxGap * 100) / 100,
      histogramMaxMs: Math.round(this.histogram.max / 1e4) / 100,
      histogramP99Ms: Math.round(this.histogram.percentile(99) / 1e4) / 100,
    };
  }
}

export interface WarmCompletions {
  latencyMs: Percentiles;
  reusedTokens: number;
  promptTokens: number;
  generatedTokens: number;
  eventLoop: { maxGapMs: number; histogramMaxMs: number; histogramP99Ms: number };
}

/**
 * Types one character at a time into each text in turn, requesting a completion through the
 * worker after each. The first request per text fills its cache and is not counted.
 */
export async function measureWarmCompletions(
  client: EngineClient,
  texts: readonly TypingText[],
  requests: number,
  routing: RoutingOptions,
  generation: GenerationOptions,
): Promise<WarmCompletions> {
  const complete = (text: TypingText, typed: number) =>
    client.complete({ documentKey: `warm:${text.domain}`, prefix: text.text.slice(0, text.start + typed), suffix: '', routing, generation });
  for (const text of texts) await complete(text, 0);

  const latencies: number[] = [];
  const reused: number[] = [];
  const prompt: number[] = [];
  const generated: number[] = [];
  const watch = new EventLoopWatch();
  watch.start();
  for (let i = 0; i < requests; i += 1) {
    const text = texts[i % texts.length];
    const started = performance.now();
    const result = await complete(text, 1 + Math.floor(i / texts.length));
    latencies.push(performance.now() - started);
    reused.push(result.timing.reusedTokens);
    prompt.push(result.timing.promptTokens);
    generated.push(result.timing.generatedTokens);
  }
  const eventLoop = watch.stop();
  return { latencyMs: percentiles(latencies), reusedTokens: mean(reused), promptTokens: mean(prompt), generatedTokens: mean(generated), eventLoop };
}

export interface KvReuse {
  reusedMs: Percentiles;
  fullMs: Percentiles;
  promptTokens: number;
  reusedTokens: number;
  /** p50 of the full re-run over p50 with reuse. */
  speedup: number;
}

/**
 * Times the same one-character edit at the end of a long prefix, completed with the document's
 * cache (same document key) and without it (a new key each time), alternating. `engine` needs a
 * context window larger than the prefix, so the window does not slide and the cache stays valid.
 */
export async function measureKvReuse(engine: InferenceEngine, text: TypingText, edits: number, routing: RoutingOptions, generation: GenerationOptions): Promise<KvReuse> {
  const request = (documentKey: string, typed: number) =>
    engine.complete({ documentKey, prefix: text.text.slice(0, text.start + typed), suffix: '', routing, generation });
  await request('kv:reuse', 0);

  const reusedMs: number[] = [];
  const fullMs: number[] = [];
  const promptTokens: number[] = [];
  const reusedTokens: number[] = [];
  for (let edit = 1; edit <= edits; edit += 1) {
    const order = edit % 2 === 0 ? ['reuse', 'full'] : ['full', 'reuse'];
    for (const kind of order) {
      const started = performance.now();
      const result = await request(kind === 'reuse' ? 'kv:reuse' : `kv:full:${edit}`, edit);
      const elapsed = performance.now() - started;
      if (kind === 'reuse') {
        reusedMs.push(elapsed);
        reusedTokens.push(result.timing.reusedTokens);
        promptTokens.push(result.timing.promptTokens);
      } else {
        fullMs.push(elapsed);
      }
    }
  }
  const reused = percentiles(reusedMs);
  const full = percentiles(fullMs);
  return { reusedMs: reused, fullMs: full, promptTokens: mean(promptTokens), reusedTokens: mean(reusedTokens), speedup: Math.round((full.p50 / reused.p50) * 100) / 100 };
}

export interface DecodeTimes {
  contextTokens: number;
  sparseTopK: number;
  allTopK: number;
  sparseStepMs: Percentiles;
  allStepMs: Percentiles;
  sparsePrefillMs: Percentiles;
  allPrefillMs: Percentiles;
  /** p50 of a sparse decoding step over p50 of an all-experts step. */
  sparseOverAll: number;
}

/**
 * Times one-token steps after a context of `ids`, alternating top-k at the model's default (only
 * the selected experts run) and at the number of experts per layer (the same graph then runs
 * every expert). Every step starts from the same cache, so the steps are alike.
 */
export async function measureDecode(model: LoadedModel, ids: readonly number[], steps: number, prefills: number): Promise<DecodeTimes> {
  const { architecture } = model.manifest;
  const bias = new Float32Array(architecture.layers * architecture.expertsPerLayer);
  const sparseTopK = architecture.defaultTopK;
  const allTopK = architecture.expertsPerLayer;
  const run = (tokens: readonly number[], past = emptyKv(), topK = sparseTopK) => model.onnx.run({ ids: tokens, past, bias, topK, topP: 1 });

  const context = await run(ids);
  const nextToken = ids[ids.length - 1];
  const sparseStepMs: number[] = [];
  const allStepMs: number[] = [];
  for (let step = 0; step < steps; step += 1) {
    for (const topK of step % 2 === 0 ? [sparseTopK, allTopK] : [allTopK, sparseTopK]) {
      const started = performance.now();
      await run([nextToken], context.present, topK);
      (topK === sparseTopK ? sparseStepMs : allStepMs).push(performance.now() - started);
    }
  }

  const sparsePrefillMs: number[] = [];
  const allPrefillMs: number[] = [];
  for (let pass = 0; pass < prefills; pass += 1) {
    for (const topK of pass % 2 === 0 ? [sparseTopK, allTopK] : [allTopK, sparseTopK]) {
      const started = performance.now();
      await run(ids, emptyKv(), topK);
      (topK === sparseTopK ? sparsePrefillMs : allPrefillMs).push(performance.now() - started);
    }
  }

  const sparse = percentiles(sparseStepMs);
  const all = percentiles(allStepMs);
  return {
    contextTokens: ids.length,
    sparseTopK,
    allTopK,
    sparseStepMs: sparse,
    allStepMs: all,
    sparsePrefillMs: percentiles(sparsePrefillMs),
    allPrefillMs: percentiles(allPrefillMs),
    sparseOverAll: Math.round((sparse.p50 / all.p50) * 1000) / 1000,
  };
}

/**
 * Measures how long a fresh Node process takes to load the extension bundle, with a stand-in for
 * the `vscode` module. Loading is part of activation, and activate() itself needs VS Code.
 */
export function measureExtensionLoad(bundle: string): Promise<number> {
  const script = `
    const Module = require('node:module');
    const stand = new Proxy(function VscodeStandIn() {}, { get: (target, key) => (key === 'prototype' ? target.prototype : stand), construct: () => stand, apply: () => stand });
    const load = Module._load;
    Module._load = function (request, ...rest) { return request === 'vscode' ? stand : load.call(this, request, ...rest); };
    const started = performance.now();
    require(${JSON.stringify(bundle)});
    process.stdout.write(String(performance.now() - started));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Math.round(Number(stdout) * 100) / 100);
      else reject(new Error(`Loading ${bundle} failed (exit code ${String(code)}): ${stderr.trim()}`));
    });
  });
}
