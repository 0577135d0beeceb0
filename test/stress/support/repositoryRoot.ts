// Finds the repository root from this file's folder, also when the file is bundled into out/.

import { existsSync } from 'node:fs';
import * as path from 'node:path';

function findRepositoryRoot(start: string): string {
  for (let folder = start; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'package.json')) && existsSync(path.join(folder, 'src', 'extension.ts'))) return folder;
    if (path.dirname(folder) === folder) throw new Error(`No repository root (package.json and src/extension.ts) above ${start}.`);
  }
}

export const REPOSITORY_ROOT = findRepositoryRoot(__dirname);
