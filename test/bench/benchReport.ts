// docs/BENCHMARKS.md from the results of `npm run bench`, with each target's verdict.

import type { GenerationOptions } from '../../src/engine/protocol';
import type { BenchCounts } from './benchOptions';
import type { DecodeTimes, KvReuse, Percentiles, WarmCompletions } from './benchPhases';
import { loadLine, machineLine, type MachineInfo } from './machine';

export interface TargetVerdict {
  name: string;
  /** The target as written, such as "<= 25 ms". */
  target: string;
  measured: string;
  /** undefined when the bench cannot measure the quantity itself. */
  met?: boolean;
  /** How far off a missed target is, and the likely reason. */
  note: string;
}

export interface BenchmarkResults {
  command: string;
  preliminary: boolean;
  elapsedSeconds: number;
  machine: MachineInfo;
  model: { folder: string; name: string };
  settings: {
    threads: number;
    heartbeatTimeoutMs: number;
    counts: BenchCounts;
    completion: GenerationOptions;
    warmContextTokens: number;
    kvContextTokens: number;
    kvPrefixTokens: number;
    /** Positions the model's rotary table covers (manifest maxContext). */
    maxContext: number;
    /** Bytes of keys and values the cache stores per position: layers x 2 x heads x head size x 4. */
    kvBytesPerPosition: number;
  };
  warmCompletionMs: Percentiles;
  warm: WarmCompletions;
  kvReuseSpeedup: number;
  kvReuse: KvReuse;
  sparseOverDenseDecode: number;
  decode: DecodeTimes;
  tokensPerSecond: { decode: number; prefill: number; completion: number };
  coldStart: { runs: number; loadMs: number; firstCompletionMs: number; totalMs: number };
  coldStartRuns: Array<{ loadMs: number; firstCompletionMs: number; wallMs: number }>;
  /** Peak RSS of a process that runs the engine's worker thread (median over the cold-start runs). */
  workerRssMb: number;
  workerMemory: { baselineRssMb: number; afterLoadRssMb: number; afterCompletionsRssMb: number; maxRssMb: number };
  eventLoopMaxGapMs: number;
  extensionLoadMs: number;
  targets: TargetVerdict[];
}

/** Targets for a 2-core machine; figures to compare against, not assertions. */
export function evaluateTargets(results: BenchmarkResults): TargetVerdict[] {
  const { warm, kvReuse, decode, workerMemory } = results;
  const busy = `The machine's load average was ${results.machine.loadAtStart[0]} at the start on ${results.machine.cores} logical CPUs, so every time is inflated by waiting for a core.`;
  const mostlyReused = warm.reusedTokens >= warm.promptTokens / 2;
  const reuseWhy = mostlyReused
    ? `The context is mostly reused, so the time goes to the one-token steps: the last context token with the domain bias, any token that token healing regenerates, and each generated token.`
    : `The cached prefix often did not line up with the new context, and the whole window ran again (a ${decode.contextTokens}-token pass takes ${decode.sparsePrefillMs.p50} ms here).`;
  const warmWhy = `Requests reused ${warm.reusedTokens.toFixed(1)} of ${warm.promptTokens.toFixed(0)} context tokens on average. ${reuseWhy} Requests generated ${warm.generatedTokens.toFixed(1)} tokens on average at about ${decode.sparseStepMs.p50} ms per step.`;

  return [
    lowerIsBetter('Warm completion p50', results.warmCompletionMs.p50, 25, 'ms', `${warmWhy} ${busy}`),
    lowerIsBetter('Warm completion p95', results.warmCompletionMs.p95, 60, 'ms', `${warmWhy} ${busy}`),
    higherIsBetter(
      'KV-cache reuse speedup',
      results.kvReuseSpeedup,
      5,
      'x',
      `With the cache a request reused ${kvReuse.reusedTokens.toFixed(0)} of ${kvReuse.promptTokens.toFixed(0)} tokens (${kvReuse.reusedMs.p50} ms against ${kvReuse.fullMs.p50} ms for the full re-run). It still runs several one-token steps: the last context token without and then with the domain bias, any token that token healing regenerates, and the completion token. Each step passes the whole cache into onnxruntime and gets a new copy back (${formatNumber(results.settings.kvBytesPerPosition / 1024)} KB per position, ${formatNumber((results.settings.kvBytesPerPosition * kvReuse.promptTokens) / 2 ** 20)} MB each way here), and the engine copies it once more to drop the last position. These copies grow with the context and bound the speedup.`,
    ),
    lowerIsBetter(
      'Sparse decode / all experts',
      results.sparseOverDenseDecode,
      0.5,
      'x',
      `A one-token step took ${decode.sparseStepMs.p50} ms with top-${decode.sparseTopK} and ${decode.allStepMs.p50} ms with all ${decode.allTopK} experts. One token is little arithmetic, so the per-operator overhead that both share (attention, routing, the gather and scatter around each expert) dominates and computing fewer experts saves little.`,
    ),
    lowerIsBetter(
      'Event-loop gap while completing',
      results.eventLoopMaxGapMs,
      10,
      'ms',
      `The main thread only posts requests and receives results from the worker. Gaps come from receiving large results (each carries its routing trace), garbage collection, and waiting for a core while the worker and other processes run. ${busy}`,
    ),
    lowerIsBetter(
      'Worker RSS',
      results.workerRssMb,
      300,
      'MB',
      `The whole process's peak: ${workerMemory.baselineRssMb} MB before the worker started, ${workerMemory.afterLoadRssMb} MB after loading, ${workerMemory.afterCompletionsRssMb} MB after the completions. The weights are stored as float16 and cast to float32 on load, and onnxruntime keeps its own buffers on top.`,
    ),
    {
      name: 'Extension activation',
      target: '<= 100 ms',
      measured: `not measured (loading the bundle: ${results.extensionLoadMs} ms)`,
      note: 'activate() needs VS Code, so this benchmark only times loading the extension bundle (built from src/extension.ts as dist/extension.js is) with a stand-in `vscode` module, which is a lower bound. The model loads in the worker after activation returns, so it is not part of activation.',
    },
  ];
}

function lowerIsBetter(name: string, measured: number, target: number, unit: string, why: string): TargetVerdict {
  const met = measured <= target;
  return {
    name,
    target: `<= ${target} ${unit}`,
    measured: `${measured} ${unit}`,
    met,
    note: met ? 'Met.' : `Missed by ${formatNumber(measured - target)} ${unit} (${formatNumber(measured / target)}x the target). ${why}`,
  };
}

function higherIsBetter(name: string, measured: number, target: number, unit: string, why: string): TargetVerdict {
  const met = measured >= target;
  return {
    name,
    target: `>= ${target} ${unit}`,
    measured: `${measured} ${unit}`,
    met,
    note: met ? 'Met.' : `Missed by ${formatNumber(target - measured)} ${unit} (${formatNumber((measured / target) * 100)}% of the target). ${why}`,
  };
}

function formatNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export function renderBenchmarkReport(results: BenchmarkResults): string {
  const { settings, warm, kvReuse, decode, coldStart, workerMemory } = results;
  const lines = ['# Benchmarks', ''];
  if (results.preliminary) {
    lines.push(
      '> **Preliminary.** These figures come from a `--quick` run (a few samples each). They only show that the measurements',
      '> run; rerun `npm run bench` without `--quick` for figures to quote.',
      '',
    );
  }
  lines.push(
    `Produced by \`${results.command}\` in ${results.elapsedSeconds} s, on the model \`${results.model.folder}\` (${results.model.name}) with ${settings.threads} onnxruntime threads.`,
    '',
    `- Machine: ${machineLine(results.machine)}`,
    `- Load: ${loadLine(results.machine)}`,
    '',
    'Paired measurements (with and without the cache, top-k and all experts) run interleaved, so a busy machine slows both sides alike and their ratios stay comparable; absolute times are not.',
    '',
    `The benchmark sets \`EngineClient\`'s heartbeat timeout to ${settings.heartbeatTimeoutMs / 1000} s, so that a worker slowed by a busy machine is not restarted in the middle of a measurement; everything else uses the extension's defaults.`,
    '',
    '## Targets',
    '',
    'Targets for a 2-core machine. They are figures to compare against, not test assertions.',
    '',
    '| measure | target | measured | met |',
    '|---|---|---|---|',
    ...results.targets.map((target) => `| ${target.name} | ${target.target} | ${target.measured} | ${target.met === undefined ? 'n/a' : target.met ? 'yes' : 'no'} |`),
    '',
    ...results.targets.map((target) => `- **${target.name}**: ${target.note}`),
    '',
    '## Measurements',
    '',
    '| measure | p50 | p95 | mean | samples |',
    '|---|---|---|---|---|',
    row(`Warm completion, ${settings.warmContextTokens} tokens of context (ms)`, results.warmCompletionMs),
    row(`Edit with the KV cache, ${settings.kvPrefixTokens} tokens of context (ms)`, kvReuse.reusedMs),
    row(`Same edit, full re-run (ms)`, kvReuse.fullMs),
    row(`Decoding step, top-${decode.sparseTopK} (ms)`, decode.sparseStepMs),
    row(`Decoding step, all ${decode.allTopK} experts (ms)`, decode.allStepMs),
    row(`Prefill of ${decode.contextTokens} tokens, top-${decode.sparseTopK} (ms)`, decode.sparsePrefillMs),
    row(`Prefill of ${decode.contextTokens} tokens, all ${decode.allTopK} experts (ms)`, decode.allPrefillMs),
    '',
    `- **Warm completion**: through \`EngineClient\` and its worker thread, as the extension calls it: one character typed at a time into each domain's held-out text in turn, product routing defaults, \`stopAt\` \`line\`, at most ${settings.completion.maxTokens} new tokens. Per request on average: ${warm.promptTokens.toFixed(0)} context tokens, ${warm.reusedTokens.toFixed(1)} of them reused from the cache, ${warm.generatedTokens.toFixed(1)} generated.`,
    `- **KV-cache reuse**: the in-process engine with \`contextTokens\` ${settings.kvContextTokens} (the rotary table allows ${settings.maxContext} positions; the engine defaults to the trained ${settings.warmContextTokens}), a prefix of ${settings.kvPrefixTokens} tokens and one typed character per edit, completing one token. Speedup ${results.kvReuseSpeedup}x (p50 of the full re-run over p50 with the cache).`,
    `- **Sparse against all experts**: one-token steps over the same ${decode.contextTokens}-token cache. "All experts" runs the shipped graph with \`top_k\` = ${decode.allTopK}, the number of experts per layer, so it computes every expert through the same dispatch path; it is not a separately built dense-dispatch graph. Ratio ${results.sparseOverDenseDecode} (p50 over p50).`,
    `- **Tokens per second**: ${results.tokensPerSecond.decode} decoding (1 / p50 step), ${results.tokensPerSecond.prefill} prefill (${decode.contextTokens} tokens / p50 pass), ${results.tokensPerSecond.completion} over whole warm completions (generated tokens / mean latency).`,
    `- **Cold start** (median of ${coldStart.runs} fresh child processes): ${coldStart.loadMs} ms from creating the \`EngineClient\` to the model loaded in its worker, then ${coldStart.firstCompletionMs} ms for the first completion, ${coldStart.totalMs} ms together. Node's own start-up is not included; the extension host is already running when the extension starts the worker.`,
    `- **Worker memory**: RSS of a child process that runs \`EngineClient\` and its worker thread (median of ${coldStart.runs} runs): ${workerMemory.baselineRssMb} MB before the worker starts, ${workerMemory.afterLoadRssMb} MB after loading, ${workerMemory.afterCompletionsRssMb} MB after ${settings.counts.childCompletions + 1} completions, peak ${workerMemory.maxRssMb} MB.`,
    `- **Event loop**: the main thread's longest gap between two 1 ms timer callbacks while the warm completions ran was ${results.eventLoopMaxGapMs} ms (perf_hooks \`monitorEventLoopDelay\`: max ${warm.eventLoop.histogramMaxMs} ms, p99 ${warm.eventLoop.histogramP99Ms} ms).`,
    `- **Extension bundle load**: ${results.extensionLoadMs} ms to require the bundled extension in a fresh Node process with a stand-in \`vscode\` module.`,
  );
  return `${lines.join('\n')}\n`;
}

function row(label: string, values: Percentiles): string {
  return `| ${label} | ${values.p50} | ${values.p95} | ${values.mean} | ${values.count} |`;
}
