// Compiles the in-host test suite (test/integration/suite/**/*.ts) into out/integration/.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import * as esbuild from 'esbuild';

import { isProcessAlive } from './cleanup.mjs';

const RUN_FOLDER_PATTERN = /^run-(\d+)$/;

/**
 * Bundles each suite file on its own into `out/integration/run-<pid>/`, so index.js can find
 * the compiled `*.test.js` files and concurrent runs do not overwrite each other's files. npm
 * packages and `vscode` stay external: the extension host resolves them from the repository's
 * node_modules, as it does for the extension itself. Returns `{ testsPath, outDir }`, where
 * testsPath is index.js; the caller removes outDir when the run ends.
 */
export async function compileSuite(repoRoot) {
  const suiteDir = path.join(repoRoot, 'test', 'integration', 'suite');
  const integrationOutDir = path.join(repoRoot, 'out', 'integration');
  const outDir = path.join(integrationOutDir, `run-${process.pid}`);

  const sources = (await fs.readdir(suiteDir, { recursive: true }))
    .filter((entry) => entry.endsWith('.ts') && !entry.endsWith('.d.ts'))
    .map((entry) => path.join(suiteDir, entry));

  await removeStaleOutput(integrationOutDir);

  // Stale output of a deleted test would still run, so the folder starts empty.
  await fs.rm(outDir, { recursive: true, force: true });

  await esbuild.build({
    entryPoints: sources,
    outbase: suiteDir,
    outdir: outDir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });

  return { testsPath: path.join(outDir, 'index.js'), outDir };
}

// Removes the folders of runs whose process has exited (killed before its cleanup ran) and
// anything else in out/integration that no run owns.
async function removeStaleOutput(integrationOutDir) {
  const entries = await fs.readdir(integrationOutDir).catch(() => []);

  for (const entry of entries) {
    const match = RUN_FOLDER_PATTERN.exec(entry);
    if (match && isProcessAlive(Number(match[1]))) {
      continue;
    }
    await fs.rm(path.join(integrationOutDir, entry), { recursive: true, force: true });
  }
}
