// Command-line options of `npm run eval`.

import { COMMON_OPTIONS, commonSettings, readOptions, UsageError, wholeNumber, type CommonSettings } from './options';

export interface EvalOptions extends CommonSettings {
  documentsPerDomain: number;
  casesPerDocument: number;
  typingSegmentsPerDocument: number;
  /** Scoring windows per document for perplexity and counterfactual routing. */
  maxWindows: number;
  /** Share of each domain's tokens, by highest entropy, in the counterfactual measurement. */
  hardShare: number;
  seed: number;
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

const EVAL_OPTIONS = {
  ...COMMON_OPTIONS,
  docs: { type: 'string' },
  cases: { type: 'string' },
  typing: { type: 'string' },
  windows: { type: 'string' },
  'hard-share': { type: 'string' },
  seed: { type: 'string' },
} as const;

export function parseEvalOptions(argv: readonly string[], defaultReport: string): EvalOptions | 'help' {
  const values = readOptions(argv, EVAL_OPTIONS);
  if (values.help === true) return 'help';

  // A quick run lowers the counts that were not given.
  const common = commonSettings(values, defaultReport);
  const quick = common.quick;
  return {
    ...common,
    documentsPerDomain: wholeNumber(values, 'docs', 1, quick ? 2 : 15),
    casesPerDocument: wholeNumber(values, 'cases', 0, quick ? 1 : 3),
    typingSegmentsPerDocument: wholeNumber(values, 'typing', 0, 1),
    maxWindows: wholeNumber(values, 'windows', 1, quick ? 2 : 4),
    hardShare: share(values['hard-share'] as string | undefined),
    seed: wholeNumber(values, 'seed', 0, 1),
  };
}

function share(text: string | undefined): number {
  if (text === undefined) return 0.25;
  const value = Number(text);
  if (!(value > 0 && value <= 1)) throw new UsageError(`--hard-share must be above 0 and at most 1, got "${text}".`);
  return value;
}
