// Command-line options of `npm run eval`.

export interface EvalOptions {
  quick: boolean;
  json: boolean;
  modelFolder?: string;
  threads: number;
  documentsPerDomain: number;
  casesPerDocument: number;
  typingSegmentsPerDocument: number;
  /** Scoring windows per document for perplexity and counterfactual routing. */
  maxWindows: number;
  /** Share of each domain's tokens, by highest entropy, in the counterfactual measurement. */
  hardShare: number;
  seed: number;
  /** The Markdown report to write, or undefined for none. */
  reportFile?: string;
}

export const EVAL_HELP = `Usage: npm run eval -- [options]

Measures the MoE with domain routing, the MoE with the domain bias off, the dense baseline and
the n-gram baseline on test/fixtures/heldout, and writes docs/EVALUATION.md.

Options:
  --quick            2 documents per domain, 1 completion case, 1 typing segment and 2 scoring
                     windows per document: a check that everything runs, not a measurement
  --json             print the results as one JSON object on stdout
  --model DIR        model folder (default: models/expert-moe)
  --threads N        onnxruntime threads (default: 2)
  --docs N           documents per domain (default: 15)
  --cases N          completion cases per document (default: 3)
  --typing N         typing segments per document (default: 1)
  --windows N        scoring windows per document (default: 4): the first spans the model's
                     trained context (256 tokens for the shipped model), each later one adds
                     half of that, so 4 cover about 640 tokens, most of a held-out document
  --hard-share X     share of tokens, by highest entropy, for counterfactual routing (default: 0.25)
  --seed N           seed of the random-routing controls (default: 1)
  --report FILE      Markdown report to write (default: docs/EVALUATION.md)
  --no-report        write no report
  --help             show this text`;

export class EvalUsageError extends Error {}

export function parseEvalOptions(argv: readonly string[], defaultReport: string): EvalOptions | 'help' {
  const options: EvalOptions = {
    quick: false,
    json: false,
    threads: 2,
    documentsPerDomain: 15,
    casesPerDocument: 3,
    typingSegmentsPerDocument: 1,
    maxWindows: 4,
    hardShare: 0.25,
    seed: 1,
    reportFile: defaultReport,
  };
  const explicit = new Set<string>();

  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new EvalUsageError(`${flag} needs a value; see --help.`);
      i += 1;
      return next;
    };
    switch (flag) {
      case '--help':
        return 'help';
      case '--quick':
        options.quick = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--model':
        options.modelFolder = value();
        break;
      case '--threads':
        options.threads = positiveInteger(flag, value());
        break;
      case '--docs':
        options.documentsPerDomain = positiveInteger(flag, value());
        explicit.add('docs');
        break;
      case '--cases':
        options.casesPerDocument = nonNegativeInteger(flag, value());
        explicit.add('cases');
        break;
      case '--typing':
        options.typingSegmentsPerDocument = nonNegativeInteger(flag, value());
        explicit.add('typing');
        break;
      case '--windows':
        options.maxWindows = positiveInteger(flag, value());
        explicit.add('windows');
        break;
      case '--hard-share': {
        const text = value();
        const share = Number(text);
        if (!(share > 0 && share <= 1)) throw new EvalUsageError(`--hard-share must be above 0 and at most 1, got ${text}.`);
        options.hardShare = share;
        break;
      }
      case '--seed':
        options.seed = nonNegativeInteger(flag, value());
        break;
      case '--report':
        options.reportFile = value();
        break;
      case '--no-report':
        options.reportFile = undefined;
        break;
      default:
        throw new EvalUsageError(`Unknown option ${flag}; see --help.`);
    }
  }

  if (options.quick) {
    if (!explicit.has('docs')) options.documentsPerDomain = 2;
    if (!explicit.has('cases')) options.casesPerDocument = 1;
    if (!explicit.has('typing')) options.typingSegmentsPerDocument = 1;
    if (!explicit.has('windows')) options.maxWindows = 2;
  }
  return options;
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new EvalUsageError(`${flag} must be a whole number of at least 1, got ${text}.`);
  return value;
}

function nonNegativeInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new EvalUsageError(`${flag} must be a whole number of at least 0, got ${text}.`);
  return value;
}
