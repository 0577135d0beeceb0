// Entry point that the VS Code extension host loads as extensionTestsPath. It runs every
// compiled `*.test.js` beside it with mocha (tdd ui: `suite`, `test`) and reports the counts.
import * as fs from 'node:fs';
import * as path from 'node:path';

import Mocha from 'mocha';

import { RESULT_MARKER, SUITE_START_MARKER, TEST_GREP_ENV } from '../harness/markers.mjs';

const TEST_TIMEOUT_MS = 60_000;

interface SuiteCounts {
  passed: number;
  failed: number;
  pending: number;
}

/** Runs the suite; the extension host calls this and treats a rejection as a failed run. */
export async function run(): Promise<void> {
  const testFiles = findTestFiles(__dirname);
  if (testFiles.length === 0) {
    throw new Error(
      `No *.test.js files found under ${__dirname}. Compile the suite with: node test/integration/run.mjs`,
    );
  }

  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: TEST_TIMEOUT_MS });
  const grep = process.env[TEST_GREP_ENV];
  if (grep) {
    mocha.grep(grep);
  }

  for (const file of testFiles) {
    mocha.addFile(file);
  }

  console.log(SUITE_START_MARKER);
  const counts = await runMocha(mocha);
  console.log(`${RESULT_MARKER}${JSON.stringify(counts)}`);

  if (counts.failed > 0) {
    throw new Error(`${counts.failed} integration test(s) failed.`);
  }
}

function findTestFiles(folder: string): string[] {
  const entries = fs.readdirSync(folder, { recursive: true, encoding: 'utf8' });
  return entries
    .filter((entry) => entry.endsWith('.test.js'))
    .sort()
    .map((entry) => path.join(folder, entry));
}

function runMocha(mocha: Mocha): Promise<SuiteCounts> {
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const stats = runner.stats;
        resolve({
          passed: stats?.passes ?? 0,
          failed: stats?.failures ?? 0,
          pending: stats?.pending ?? 0,
        });
      });
    } catch (error) {
      reject(error);
    }
  });
}
