// Command-line options of test/integration/run.mjs.
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const DEFAULT_TIMEOUT_MINUTES = 15;

export const USAGE = `Usage: node test/integration/run.mjs [options]

Runs the integration suite (test/integration/suite) in a VS Code extension host, served by
code-server on 127.0.0.1 and rendered in headless chromium. Run \`npm run build\` first.

Options:
  --screenshots DIR        save a PNG of the workbench to DIR each time a test calls
                           requestScreenshot(name), as DIR/<name>.png
  --grep PATTERN           run only the tests whose full title matches PATTERN (mocha grep)
  --timeout-minutes N      stop everything and fail after N minutes, install included
                           (default ${DEFAULT_TIMEOUT_MINUTES})
  --verbose                also print install output, code-server output and every browser
                           console message, not only the extension host's
  --keep-temp              keep the temporary user data, extensions, code-server log and
                           the compiled suite in out/integration/run-<pid>/
  -h, --help               print this help
`;

/** Parses argv into options; throws an error that names the invalid value. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      screenshots: { type: 'string' },
      grep: { type: 'string' },
      'timeout-minutes': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'keep-temp': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });

  const timeoutMinutes = Number(values['timeout-minutes'] ?? DEFAULT_TIMEOUT_MINUTES);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
    throw new Error(`Invalid --timeout-minutes ${values['timeout-minutes']}: expected a positive number of minutes.`);
  }

  return {
    help: values.help,
    screenshotDir: values.screenshots ? path.resolve(values.screenshots) : undefined,
    grep: values.grep,
    timeoutMs: timeoutMinutes * 60_000,
    verbose: values.verbose,
    keepTemp: values['keep-temp'],
  };
}
