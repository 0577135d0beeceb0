// Shared command-line parsing of `npm run bench` and `npm run eval`, on node's util.parseArgs.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;
type ParsedValues = Record<string, string | boolean | undefined>;

/** The options every runner takes, besides its own. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean' },
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
  model: { type: 'string' },
  threads: { type: 'string' },
  report: { type: 'string' },
  'no-report': { type: 'boolean' },
} satisfies OptionSpec;

/** Parses `argv` against `options`. An unknown option or a missing value becomes a UsageError. */
export function readOptions(argv: readonly string[], options: OptionSpec): ParsedValues {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as ParsedValues;
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${problem.replace(/\.?$/, '.')} See --help.`);
  }
}

/** Reads `--name` as a whole number of at least `min`, or returns `fallback` when it is absent. */
export function wholeNumber(values: ParsedValues, name: string, min: number, fallback: number): number {
  const text = values[name];
  if (typeof text !== 'string') return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${text}".`);
  }
  return value;
}

/** The settings of COMMON_OPTIONS that every runner reads the same way. */
export interface CommonSettings {
  quick: boolean;
  json: boolean;
  modelFolder?: string;
  threads: number;
  /** The Markdown report to write, or undefined for none. */
  reportFile?: string;
}

/** Reads COMMON_OPTIONS: 2 threads and `defaultReport` unless given, no report with `--no-report`. */
export function commonSettings(values: ParsedValues, defaultReport: string): CommonSettings {
  let reportFile: string | undefined = typeof values.report === 'string' ? values.report : defaultReport;
  if (values['no-report'] === true) reportFile = undefined;

  return {
    quick: values.quick === true,
    json: values.json === true,
    modelFolder: typeof values.model === 'string' ? values.model : undefined,
    threads: wholeNumber(values, 'threads', 1, 2),
    reportFile,
  };
}
