// The long reliability runs, with their figures: `npm run stress -- [SCENARIO ...] [options]`.
// The default unit tests (test/unit/reliability-*.test.ts) run a short version of each.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { measureWorkerFault, type WorkerFault } from './scenarios/faults';
import { replayCommand, runFuzz } from './scenarios/fuzz';
import { LARGE_INPUTS, measureLargeInput } from './scenarios/largeInputs';
import { runWithoutNetwork } from './scenarios/network';
import { fuzzHostMessages, fuzzWebviewMessages, loadWebview, renderHostileStrings } from './scenarios/panel';
import { runTypingStorm } from './scenarios/storm';
import { activateExtension, REPOSITORY_ROOT } from './support/extensionHarness';
import { createFuzzEnvironment } from './support/fuzzEnvironment';
import { tapWorkers, waitForWorkersToExit } from './support/workerTap';
import { bundledWorker } from '../unit/helpers/engineFixtures';

const SCENARIOS = ['fuzz', 'panel', 'large', 'storm', 'faults', 'stop', 'network'] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `Usage: npm run stress -- [SCENARIO ...] [options]

Scenarios (all of them when none is named):
  fuzz      generated documents and edit sequences through the completion pipeline
  panel     malformed messages to the panel's webview and to its host
  large     a 50 MB document, a 1 MB single line and a binary file
  storm     a typing storm against the real engine
  faults    a worker crash mid-generation and an unresponsive worker
  stop      stopping the worker inside onnxruntime (dispose, reload) in a child process
  network   the engine and the extension's activation with all network access blocked

Options:
  --seed N          seed of the generated cases (default 1)
  --cases N         fuzz cases (default 10000) or panel messages per side (default 5000)
  --first-case N    index of the first fuzz case, to replay one case of a run
  --route-every N   route every n-th fuzz case's prefix with the model (default 50, 0 never)
  --rate N          storm edits per second (default 100)
  --duration-s N    storm length in seconds (default 30)
  --debounce-ms N   completions.debounceMs during the storm (default 0: every edit reaches the engine)
  --repeat N        times to apply each worker fault (default 3)
  --json FILE       also write the figures as JSON to FILE
  -h, --help        show this help`;

function number(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} ${JSON.stringify(value)} is not a non-negative number.`);
  return parsed;
}

function print(title: string, rows: Array<[string, unknown]>): void {
  process.stdout.write(`\n== ${title}\n`);
  for (const [label, value] of rows) process.stdout.write(`  ${label.padEnd(44)} ${typeof value === 'number' ? formatNumber(value) : String(value)}\n`);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      cases: { type: 'string' },
      'first-case': { type: 'string' },
      'route-every': { type: 'string' },
      rate: { type: 'string' },
      'duration-s': { type: 'string' },
      'debounce-ms': { type: 'string' },
      repeat: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = positionals.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(', ')}. Use one of: ${SCENARIOS.join(', ')}.`);
  const scenarios = (positionals.length === 0 ? [...SCENARIOS] : positionals) as Scenario[];
  const seed = number(values.seed, 1, 'seed');
  const figures: Record<string, unknown> = {};
  let failed = false;

  tapWorkers();
  const workerScript = await bundledWorker();
  const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' / ');
  figures.machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: os.totalmem() / 2 ** 30, node: process.version, loadAtStart: load() };
  process.stdout.write(`${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, load average (1 / 5 / 15 min) ${load()}\n`);

  if (scenarios.includes('fuzz')) {
    const env = await createFuzzEnvironment({ withEngine: true });
    const result = await runFuzz(env, {
      seed,
      cases: number(values.cases, 10_000, 'cases'),
      firstCase: number(values['first-case'], 0, 'first-case'),
      routeEvery: number(values['route-every'], 50, 'route-every'),
    });
    await env.engine?.dispose();
    figures.fuzz = { ...result, failures: result.failures.map(({ caseIndex, failure }) => ({ caseIndex, message: failure.message, replay: replayCommand(seed, caseIndex), input: failure.input })) };
    print(`fuzz (seed ${seed})`, [
      ['cases (documents with their edit sequences)', result.cases],
      ['completion requests checked', result.steps],
      ['requests that showed a completion', result.shownSteps],
      ['prefixes routed with the model', result.routedWithModel],
      ['longest document (characters)', result.maxDocumentLength],
      ['longest prefix sent (characters)', result.maxPrefixLength],
      ['failures', result.failures.length],
      ['seconds', result.elapsedMs / 1000],
    ]);
    for (const { caseIndex, failure } of result.failures.slice(0, 20)) {
      process.stdout.write(`  FAIL case ${caseIndex}: ${failure.message.slice(0, 300)}\n       replay: ${replayCommand(seed, caseIndex)}\n`);
    }
    failed ||= result.failures.length > 0;
  }

  if (scenarios.includes('panel')) {
    const count = number(values.cases, 5000, 'cases');
    const toWebview = { messages: 0, invalid: 0, rendered: 0, problems: [] as string[] };
    const batch = 200;
    for (let first = 0; first < count; first += batch) {
      // A fresh window per batch, because happy-dom keeps every rendered page in memory.
      const webview = loadWebview();
      const part = fuzzWebviewMessages(webview, seed + first, Math.min(batch, count - first));
      await webview.window.happyDOM.close();
      toWebview.messages += part.messages;
      toWebview.invalid += part.invalid;
      toWebview.rendered += part.rendered;
      toWebview.problems.push(...part.problems);
    }
    const hostileView = loadWebview();
    const hostile = renderHostileStrings(hostileView, seed, 50);
    await hostileView.window.happyDOM.close();
    const toHost = await fuzzHostMessages(seed, count);
    figures.panel = { toWebview, hostile, toHost };
    print(`panel messages (seed ${seed})`, [
      ['messages to the webview', toWebview.messages],
      ['  invalid, dropped and reported', toWebview.invalid],
      ['  valid, rendered', toWebview.rendered],
      ['snapshots with markup in every string', hostile.rendered],
      ['invalid messages to the host, dropped and logged', toHost.invalid],
      ['broken rules', toWebview.problems.length + hostile.problems.length + toHost.problems.length],
    ]);
    for (const problem of [...toWebview.problems, ...hostile.problems, ...toHost.problems].slice(0, 20)) process.stdout.write(`  FAIL ${problem}\n`);
    failed ||= toWebview.problems.length + hostile.problems.length + toHost.problems.length > 0;
  }

  if (scenarios.includes('large')) {
    const extension = await activateExtension({ workerScript });
    const rows: Array<[string, unknown]> = [];
    const all = [];
    try {
      for (const input of LARGE_INPUTS) {
        for (const figure of await measureLargeInput(extension, input)) {
          all.push(figure);
          rows.push([`${figure.name}, cursor at ${figure.cursor}`, `${figure.elapsedMs} ms, prefix ${figure.prefixCharsSent} chars, suffix ${figure.suffixCharsSent} chars, prompt ${figure.promptTokens ?? '-'} tokens, ${figure.outcome}`]);
          failed ||= /request failed|no outcome/.test(figure.outcome);
        }
      }
    } finally {
      extension.deactivate();
    }
    figures.large = all;
    print('large and odd inputs', rows);
  }

  if (scenarios.includes('storm')) {
    const debounceMs = number(values['debounce-ms'], 0, 'debounce-ms');
    const extension = await activateExtension({ workerScript, settings: { 'completions.debounceMs': debounceMs } });
    const result = await runTypingStorm(extension, {
      editsPerSecond: number(values.rate, 100, 'rate'),
      durationMs: number(values['duration-s'], 30, 'duration-s') * 1000,
      seed,
    }).finally(() => extension.deactivate());
    figures.storm = { ...result, debounceMs };
    print(`typing storm (debounce ${debounceMs} ms)`, [
      ['edits', result.edits],
      ['edits per second reached', result.editsPerSecondReached],
      ['provider requests: shown / nothing / dropped stale / failed', `${result.providerShown} / ${result.providerNothingShown} / ${result.providerDropped} / ${result.providerFailed}`],
      ['most provider requests in flight', result.maxProviderInFlight],
      ['requests sent to the worker (completion, panel, detection)', result.requestsSentToWorker],
      ['most requests in flight per document (client)', result.maxClientInFlightPerDocument],
      ['most requests queued per document (worker)', result.maxWorkerQueuePerDocument],
      ['stale requests the worker stopped or skipped', result.staleDroppedByWorker],
      ['worker results / other errors', `${result.workerResults} / ${result.workerErrorsOtherThanCancelled}`],
      ['worker heap + buffers, baseline / peak / end (MB)', `${result.workerMemoryBaselineMb.toFixed(1)} / ${result.workerMemoryPeakMb.toFixed(1)} / ${result.workerMemoryEndMb.toFixed(1)}`],
      ['worker heap + buffers, first / last third mean (MB)', `${result.workerMemoryFirstThirdMeanMb.toFixed(1)} / ${result.workerMemoryLastThirdMeanMb.toFixed(1)}`],
      [
        'retained after GC, worker / main thread (MB)',
        result.retainedAfterGc === undefined
          ? 'not measured (run without --expose-gc)'
          : `${result.retainedAfterGc.workerBeforeMb.toFixed(1)} -> ${result.retainedAfterGc.workerAfterMb.toFixed(1)} / ${result.retainedAfterGc.mainBeforeMb.toFixed(1)} -> ${result.retainedAfterGc.mainAfterMb.toFixed(1)}`,
      ],
      ['main thread heap + buffers, first / last third mean (MB)', `${result.mainMemoryFirstThirdMeanMb.toFixed(1)} / ${result.mainMemoryLastThirdMeanMb.toFixed(1)}`],
      ['process RSS baseline / peak / end (MB)', `${result.rssBaselineMb.toFixed(0)} / ${result.rssPeakMb.toFixed(0)} / ${result.rssEndMb.toFixed(0)}`],
      ['process RSS, first / last third mean (MB)', `${result.rssFirstThirdMeanMb.toFixed(0)} / ${result.rssLastThirdMeanMb.toFixed(0)}`],
      ['ms from the last edit until idle', result.settleMs],
      ['last request (not cancelled)', result.lastRequestOutcome],
    ]);
    failed ||= result.maxClientInFlightPerDocument > 1 || result.providerFailed > 0 || result.workerErrorsOtherThanCancelled > 0;
  }

  if (scenarios.includes('faults')) {
    const repeat = number(values.repeat, 3, 'repeat');
    const results = [];
    for (const fault of ['crash-mid-generation', 'unresponsive'] as WorkerFault[]) {
      for (let run = 0; run < repeat; run += 1) {
        // A fresh activation each time, so every fault is a first restart (no backoff).
        const extension = await activateExtension({ workerScript, settings: { 'completions.maxTokens': 256, 'completions.multiline': 'always' } });
        const result = await measureWorkerFault(extension, fault).finally(() => extension.deactivate());
        results.push(result);
        failed ||= result.nextCompletionFailed || result.statusBarDuring === undefined || result.panelDuring === undefined || result.panelAfter === undefined;
      }
    }
    figures.faults = results;
    print(
      'worker faults (ms from the fault)',
      results.map((result) => [
        result.fault,
        `detected ${result.detectedMs}, ready ${result.readyMs}, next completion ${result.nextCompletionMs}${result.standbyUsed ? ' (standby)' : ''}; status bar ${result.statusBarDuring === undefined ? 'MISSING' : 'showed it'}, panel ${result.panelDuring === undefined ? 'MISSING' : 'showed it'}, after ${result.panelAfter === undefined ? 'MISSING' : 'noted it'}`,
      ]),
    );
  }

  if (scenarios.includes('stop')) {
    const script = path.join(REPOSITORY_ROOT, 'test', 'stress', 'support', 'terminateDuringNativeCall.ts');
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, workerScript, 'full'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', timeout: 600_000 });
    const survived = result.status === 0 && result.stdout.endsWith('survived\n');
    figures.stop = { exitCode: result.status, signal: result.signal, stops: result.stdout.split('\n').filter((line) => line !== '' && line !== 'survived').length, survived };
    print('stopping the worker inside onnxruntime', [
      ['stops (dispose or reload)', (figures.stop as { stops: number }).stops],
      ['process', survived ? 'survived' : `died: exit ${result.status}, signal ${result.signal}, ${result.stderr.slice(0, 200)}`],
      ['seconds', (Date.now() - started) / 1000],
    ]);
    failed ||= !survived;
  }

  if (scenarios.includes('network')) {
    const result = await runWithoutNetwork();
    figures.network = result;
    print('no network', [
      ['engine status in the child', result.summary.engineStatus],
      ['network attempts by the product', result.productAttempts.length],
      ['threads with the blocking preload', result.guardedThreads.join(', ')],
      ['deliberate attempts blocked (main, worker)', `${result.summary.mainThreadBlocked}, ${result.summary.workerThreadBlocked}`],
    ]);
    for (const attempt of result.productAttempts) process.stdout.write(`  FAIL ${attempt.thread}: ${attempt.api} ${attempt.target}\n${attempt.stack}\n`);
    failed ||= result.productAttempts.length > 0 || result.exitCode !== 0;
  }

  (figures.machine as Record<string, unknown>).loadAtEnd = load();
  process.stdout.write(`\nload average at the end ${load()}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`\n${failed ? 'FAILED' : 'passed'}\n`);
  return failed ? 1 : 0;
}

/** Exits once the engines' workers have stopped, because exiting during a native call aborts. */
async function exit(code: number): Promise<never> {
  await waitForWorkersToExit(30_000);
  process.exit(code);
}

main().then(
  (code) => exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exit(2);
  },
);
