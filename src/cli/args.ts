// Command-line parsing for dist/cli.js. Mistakes throw UsageError with the value and the fix.

import type { DocumentPosition } from './documentReader';
import { UsageError } from './usageError';

export type Command = 'route' | 'complete' | 'explain' | 'demo';
export type StopAt = 'line' | 'block' | 'sentence';

export interface CliArguments {
  command: Command | 'help';
  file?: string;
  position?: DocumentPosition;
  json: boolean;
  domain?: string;
  topK?: number;
  disabledExperts: string[];
  model?: string;
  maxTokens: number;
  threads?: number;
  stopAt?: StopAt;
}

const COMMANDS: Command[] = ['route', 'complete', 'explain', 'demo'];
const VALUE_OPTIONS = ['--offset', '--line', '--column', '--domain', '--top-k', '--disable-expert', '--model', '--max-tokens', '--threads', '--stop-at'];
const DEFAULT_MAX_TOKENS = 24;

export const HELP_TEXT = `Usage: expert-activation <command> [options]

Runs the Expert Activation Mixture-of-Experts model on a text file.

Commands:
  route FILE [POSITION]     Detect the domain of FILE and show the most active experts.
                            Without a position, routes the start of the file.
  complete FILE POSITION    Complete the text at POSITION and show its routing.
  explain FILE POSITION     Show which experts matter for the next token at POSITION.
  demo                      Route and complete each sample in test/fixtures/samples/.

Position (both count UTF-16 code units, as VS Code does):
  --offset N                characters from the start of the file, from 0
  --line L --column C       1-based line and 1-based column

Options:
  --json                    Print one JSON object instead of text.
  --domain D                Pin the domain (one of the model's domains, such as legal).
  --top-k K                 Experts selected per token and layer (default: the model's).
  --disable-expert ID       Never run expert ID, such as L2.E5. Repeat for more.
  --model DIR               Model folder (default: models/expert-moe next to dist/).
  --max-tokens N            Most tokens to generate (default ${DEFAULT_MAX_TOKENS}).
  --stop-at line|block|sentence
                            Where a completion ends (default: block for code, line otherwise).
  --threads N               onnxruntime threads (default: up to 4).
  -h, --help                Show this help.

Exit codes: 0 success, 1 runtime error (file, model), 2 usage error.`;

export function parseArguments(argv: readonly string[]): CliArguments {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  let json = false;
  let help = false;

  for (let i = 0; i < argv.length; i += 1) {
    const argument = argv[i];
    if (argument === '--json') json = true;
    else if (argument === '--help' || argument === '-h') help = true;
    else if (/^(--json|--help)=/.test(argument)) {
      throw new UsageError(`Option ${splitOption(argument)[0]} takes no value. Give it alone, without "=".`);
    } else if (argument.startsWith('-') && argument !== '-') {
      const [name, inline] = splitOption(argument);
      if (!VALUE_OPTIONS.includes(name)) throw new UsageError(unknownOptionMessage(name));
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`Option ${name} needs a value. Run with --help for an example.`);
      values.set(name, [...(values.get(name) ?? []), value]);
    } else positional.push(argument);
  }

  if (help || positional.length === 0) return { command: 'help', json, disabledExperts: [], maxTokens: DEFAULT_MAX_TOKENS };

  const command = positional[0] as Command;
  if (!COMMANDS.includes(command)) throw new UsageError(`Unknown command "${positional[0]}". Use one of ${COMMANDS.join(', ')}.`);
  const expectedPositionals = command === 'demo' ? 1 : 2;
  if (positional.length < expectedPositionals) throw new UsageError(`The ${command} command needs a FILE. Example: expert-activation ${command} notes.txt --offset 120`);
  if (positional.length > expectedPositionals) throw new UsageError(`Unexpected argument "${positional[expectedPositionals]}". Quote file names that contain spaces.`);

  const single = (name: string): string | undefined => {
    const list = values.get(name);
    if (list !== undefined && list.length > 1) throw new UsageError(`Option ${name} was given ${list.length} times; give it once.`);
    return list?.[0];
  };

  const position = parsePosition(single('--offset'), single('--line'), single('--column'));
  if ((command === 'complete' || command === 'explain') && position === undefined) {
    throw new UsageError(`The ${command} command needs a position: --offset N, or --line L --column C.`);
  }

  const stopAt = single('--stop-at');
  if (stopAt !== undefined && !['line', 'block', 'sentence'].includes(stopAt)) {
    throw new UsageError(`--stop-at "${stopAt}" is not a stop rule. Use line, block or sentence.`);
  }

  return {
    command,
    file: command === 'demo' ? undefined : positional[1],
    position,
    json,
    domain: single('--domain'),
    // The model's expert count bounds --top-k. The CLI checks it once the model has loaded.
    topK: optionalInteger('--top-k', single('--top-k'), 1, Number.MAX_SAFE_INTEGER),
    disabledExperts: values.get('--disable-expert') ?? [],
    model: single('--model'),
    maxTokens: optionalInteger('--max-tokens', single('--max-tokens'), 1, 1024) ?? DEFAULT_MAX_TOKENS,
    threads: optionalInteger('--threads', single('--threads'), 1, 64),
    stopAt: stopAt as StopAt | undefined,
  };
}

function unknownOptionMessage(name: string): string {
  const bare = (option: string) => option.replace(/-/g, '').toLowerCase();
  const match = [...VALUE_OPTIONS, '--json', '--help'].find((option) => bare(option) === bare(name));
  const hint = match === undefined ? 'Run with --help to list the options.' : `Did you mean ${match}?`;
  return `Unknown option ${name}. ${hint}`;
}

function splitOption(argument: string): [string, string | undefined] {
  const equals = argument.indexOf('=');
  return equals < 0 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
}

function parsePosition(offset?: string, line?: string, column?: string): DocumentPosition | undefined {
  if (offset !== undefined && (line !== undefined || column !== undefined)) {
    throw new UsageError('Give either --offset or --line with --column, not both.');
  }
  if (offset !== undefined) return { offset: integer('--offset', offset, 0, Number.MAX_SAFE_INTEGER) };
  if (line === undefined && column === undefined) return undefined;
  if (line === undefined || column === undefined) throw new UsageError('--line and --column go together: give both, such as --line 12 --column 5.');
  return { line: integer('--line', line, 1, Number.MAX_SAFE_INTEGER), column: integer('--column', column, 1, Number.MAX_SAFE_INTEGER) };
}

function optionalInteger(name: string, value: string | undefined, min: number, max: number): number | undefined {
  return value === undefined ? undefined : integer(name, value, min, max);
}

function integer(name: string, value: string, min: number, max: number): number {
  const accepted = max === Number.MAX_SAFE_INTEGER ? `a whole number of ${min} or more` : `a whole number from ${min} to ${max}`;
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${name} "${value}" is not a whole number. Use ${accepted}.`);
  const number = Number(value);
  if (number < min || number > max) throw new UsageError(`${name} ${value} is out of range. Use ${accepted}.`);
  return number;
}
