// Command-line options of `npm run bench` and the sample counts of a full and a quick run.

import { COMMON_OPTIONS, commonSettings, readOptions, type CommonSettings } from './options';

export interface BenchCounts {
  coldStarts: number;
  /** Completions the cold-start child runs after its first, before its memory is read. */
  childCompletions: number;
  warmRequests: number;
  kvEdits: number;
  decodeSteps: number;
  prefills: number;
}

export interface BenchOptions extends CommonSettings {
  counts: BenchCounts;
}

export const FULL_COUNTS: BenchCounts = { coldStarts: 3, childCompletions: 20, warmRequests: 120, kvEdits: 20, decodeSteps: 200, prefills: 10 };
export const QUICK_COUNTS: BenchCounts = { coldStarts: 1, childCompletions: 3, warmRequests: 12, kvEdits: 3, decodeSteps: 20, prefills: 2 };

export const BENCH_HELP = `Usage: npm run bench -- [options]

Measures completion latency, KV-cache reuse, sparse against all-experts decoding, cold start,
worker memory and the event-loop gap while completions run, and writes docs/BENCHMARKS.md.

Options:
  --quick          a few samples per measurement: a check that everything runs, not a measurement
  --json           print the results as one JSON object on stdout
  --model DIR      model folder (default: models/expert-moe)
  --threads N      onnxruntime threads (default: 2, the extension's default)
  --report FILE    Markdown report to write (default: docs/BENCHMARKS.md)
  --no-report      write no report
  --help           show this text`;

export function parseBenchOptions(argv: readonly string[], defaultReport: string): BenchOptions | 'help' {
  const values = readOptions(argv, COMMON_OPTIONS);
  if (values.help === true) return 'help';

  const common = commonSettings(values, defaultReport);
  return { ...common, counts: common.quick ? QUICK_COUNTS : FULL_COUNTS };
}
