// The pure measures behind `npm run eval` and `npm run bench`, and the benchmark's target verdicts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentiles } from '../bench/benchPhases';
import { evaluateTargets, renderBenchmarkReport, type BenchmarkResults } from '../bench/benchReport';
import {
  accuracy,
  confusionMatrix,
  editDistance,
  editSimilarity,
  macroF1,
  meanWithInterval,
  pairedDifferences,
  percentile,
  settlingTokens,
} from '../bench/metrics';

describe('classification measures', () => {
  const classes = ['legal', 'code'];

  it('confusion matrix counts pairs', () => {
    const confusion = confusionMatrix(['legal', 'legal', 'code', 'code'], ['legal', 'code', 'code', 'code'], classes);
    assert.deepEqual(confusion.rows, [
      [1, 1],
      [0, 2],
    ]);
    assert.equal(accuracy(confusion), 0.75);
  });

  it('macro-F1 averages per-class F1', () => {
    const confusion = confusionMatrix(['legal', 'legal', 'code', 'code'], ['legal', 'code', 'code', 'code'], classes);
    // legal: P = 1, R = 0.5, F1 = 2/3. code: P = 2/3, R = 1, F1 = 0.8.
    assert.ok(Math.abs(macroF1(confusion) - (2 / 3 + 0.8) / 2) < 1e-12);
  });

  it('macro-F1 scores an absent class as 0', () => {
    const confusion = confusionMatrix(['legal'], ['legal'], ['legal', 'code']);
    assert.equal(macroF1(confusion), 0.5);
  });

  it('confusion matrix rejects unknown class', () => {
    assert.throws(() => confusionMatrix(['legal'], ['medical'], classes), /medical/);
    assert.throws(() => confusionMatrix(['legal'], [], classes), /1 labels but 0 predictions/);
  });
});

describe('settling tokens', () => {
  it('counts tokens until the last change', () => {
    assert.equal(settlingTokens(['code', 'legal', 'legal', 'legal']), 2);
    assert.equal(settlingTokens(['legal', 'code', 'legal', 'legal']), 3);
  });

  it('returns 1 for a steady decision', () => {
    assert.equal(settlingTokens(['legal', 'legal']), 1);
  });

  it('returns 0 without decisions', () => {
    assert.equal(settlingTokens([]), 0);
  });
});

describe('edit similarity', () => {
  it('edit distance of known pairs', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', 'abc'), 0);
  });

  it('similarity is 1 minus relative distance', () => {
    assert.equal(editSimilarity('abcd', 'abce'), 0.75);
    assert.equal(editSimilarity('', ''), 1);
    assert.equal(editSimilarity('abc', ''), 0);
  });
});

describe('percentiles and intervals', () => {
  it('percentile interpolates between ranks', () => {
    assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
    assert.equal(percentile([1, 2, 3, 4, 5], 0), 1);
    assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('percentiles summarise samples', () => {
    const summary = percentiles([10, 20, 30, 40]);
    assert.equal(summary.p50, 25);
    assert.equal(summary.mean, 25);
    assert.equal(summary.count, 4);
  });

  it('interval brackets the mean', () => {
    const interval = meanWithInterval([1, 2, 3, 4, 5]);
    assert.equal(interval.mean, 3);
    assert.ok(interval.low < 3);
    assert.ok(interval.high > 3);
    assert.ok(Math.abs(interval.high - 3 - (3 - interval.low)) < 1e-12);
  });

  it('interval needs two values', () => {
    const interval = meanWithInterval([2]);
    assert.equal(interval.mean, 2);
    assert.ok(Number.isNaN(interval.low));
  });

  it('paired differences need equal lengths', () => {
    assert.deepEqual(pairedDifferences([3, 5], [1, 1]), [2, 4]);
    assert.throws(() => pairedDifferences([1], [1, 2]), /differ in length/);
  });
});

describe('benchmark targets', () => {
  const sample = (overrides: Partial<BenchmarkResults>): BenchmarkResults => {
    const times = { p50: 20, p95: 50, mean: 25, count: 10 };
    return {
      command: 'npm run bench',
      preliminary: false,
      elapsedSeconds: 1,
      machine: { cpu: 'cpu', cores: 2, memoryGb: 8, os: 'os', node: 'v20', onnxruntimeNode: '1.31.1', loadAtStart: [0.5, 0.5, 0.5], busyProcesses: [] },
      model: { folder: 'models/expert-moe', name: 'expert-moe' },
      settings: {
        threads: 2,
        heartbeatTimeoutMs: 30_000,
        counts: { coldStarts: 1, childCompletions: 1, warmRequests: 1, kvEdits: 1, decodeSteps: 1, prefills: 1 },
        completion: { maxTokens: 24, temperature: 0, topP: 1, timeBudgetMs: 1000, stopAt: 'line' },
        warmContextTokens: 256,
        kvContextTokens: 1024,
        kvPrefixTokens: 1000,
        maxContext: 2048,
        kvBytesPerPosition: 8192,
      },
      warmCompletionMs: times,
      warm: { latencyMs: times, reusedTokens: 200, promptTokens: 256, generatedTokens: 5, eventLoop: { maxGapMs: 4, histogramMaxMs: 4, histogramP99Ms: 2 } },
      kvReuseSpeedup: 6,
      kvReuse: { reusedMs: times, fullMs: times, promptTokens: 1000, reusedTokens: 999, speedup: 6 },
      sparseOverDenseDecode: 0.4,
      decode: { contextTokens: 256, sparseTopK: 2, allTopK: 8, sparseStepMs: times, allStepMs: times, sparsePrefillMs: times, allPrefillMs: times, sparseOverAll: 0.4 },
      tokensPerSecond: { decode: 100, prefill: 1000, completion: 50 },
      coldStart: { runs: 1, loadMs: 100, firstCompletionMs: 50, totalMs: 150 },
      coldStartRuns: [],
      workerRssMb: 200,
      workerMemory: { baselineRssMb: 40, afterLoadRssMb: 150, afterCompletionsRssMb: 200, maxRssMb: 200 },
      eventLoopMaxGapMs: 4,
      extensionLoadMs: 20,
      targets: [],
      ...overrides,
    };
  };

  it('all met when within targets', () => {
    const verdicts = evaluateTargets(sample({}));
    assert.deepEqual(
      verdicts.filter((verdict) => verdict.met !== undefined).map((verdict) => verdict.met),
      [true, true, true, true, true, true],
    );
    assert.equal(verdicts.find((verdict) => verdict.name === 'Extension activation')?.met, undefined);
  });

  it('missed target says by how much', () => {
    const verdicts = evaluateTargets(sample({ warmCompletionMs: { p50: 50, p95: 50, mean: 50, count: 1 }, kvReuseSpeedup: 4 }));
    const warm = verdicts.find((verdict) => verdict.name === 'Warm completion p50');
    const kv = verdicts.find((verdict) => verdict.name === 'KV-cache reuse speedup');
    assert.equal(warm?.met, false);
    assert.match(warm?.note ?? '', /Missed by 25 ms \(2x the target\)/);
    assert.equal(kv?.met, false);
    assert.match(kv?.note ?? '', /Missed by 1 x \(80% of the target\)/);
  });

  it('report marks quick runs preliminary', () => {
    const results = sample({ preliminary: true });
    results.targets = evaluateTargets(results);
    const report = renderBenchmarkReport(results);
    assert.match(report, /Preliminary/);
    assert.match(report, /\| Warm completion p50 \| <= 25 ms \| 20 ms \| yes \|/);
  });
});
