// Runs the Python reference tokenizer (models/training/tokenizer.py) on test strings.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SYSTEM_PYTHON = '/usr/bin/python3';
const TRAINING_FOLDER = path.join(REPOSITORY_ROOT, 'models', 'training');

// Reads {"tokenizer": <tokenizer.json object>, "texts": [...]} from stdin and prints the ids
// of each text. Uses only the standard library and tokenizer.py.
const ENCODE_SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
from tokenizer import Tokenizer
request = json.load(sys.stdin)
tokenizer = Tokenizer(request["tokenizer"]["merges"])
json.dump([tokenizer.encode(text) for text in request["texts"]], sys.stdout)
`;

/** Returns why the Python reference cannot run here, or undefined when it can. */
export function pythonUnavailableReason(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing`;
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', `import sys; sys.path.insert(0, sys.argv[1]); import tokenizer`, TRAINING_FOLDER], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return `${SYSTEM_PYTHON} cannot import ${TRAINING_FOLDER}/tokenizer.py: ${probe.stderr.trim()}`;
  return undefined;
}

export function encodeWithPython(tokenizerJson: unknown, texts: string[]): number[][] {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', ENCODE_SCRIPT, TRAINING_FOLDER], {
    input: JSON.stringify({ tokenizer: tokenizerJson, texts }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${SYSTEM_PYTHON} tokenizer.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as number[][];
}
