// Command-line options of `npm run bench` and the sample counts of a full and a quick run.

export interface BenchCounts {
  coldStarts: number;
  /** Completions the cold-start child runs after its first, before its memory is read. */
  childCompletions: number;
  warmRequests: number;
  kvEdits: number;
  decodeSteps: number;
  prefills: number;
}

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  modelFolder?: string;
  threads: number;
  reportFile?: string;
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

export class BenchUsageError extends Error {}

export function parseBenchOptions(argv: readonly string[], defaultReport: string): BenchOptions | 'help' {
  const options: BenchOptions = { quick: false, json: false, threads: 2, reportFile: defaultReport, counts: FULL_COUNTS };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new BenchUsageError(`${flag} needs a value; see --help.`);
      i += 1;
      return next;
    };
    switch (flag) {
      case '--help':
        return 'help';
      case '--quick':
        options.quick = true;
        options.counts = QUICK_COUNTS;
        break;
      case '--json':
        options.json = true;
        break;
      case '--model':
        options.modelFolder = value();
        break;
      case '--threads': {
        const text = value();
        const threads = Number(text);
        if (!Number.isInteger(threads) || threads < 1) throw new BenchUsageError(`--threads must be a whole number of at least 1, got ${text}.`);
        options.threads = threads;
        break;
      }
      case '--report':
        options.reportFile = value();
        break;
      case '--no-report':
        options.reportFile = undefined;
        break;
      default:
        throw new BenchUsageError(`Unknown option ${flag}; see --help.`);
    }
  }
  return options;
}
