#!/usr/bin/env node
// Runs the extension's integration suite in a real VS Code extension host: code-server 4.100.3
// (VS Code 1.100.3) on 127.0.0.1, its workbench in headless chromium driven by playwright-core.
// Prints `N passed, N failed` on a line of its own and exits with the suite's exit code.
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, runTestsInWorkbench } from './harness/browser.mjs';
import { CleanupStack } from './harness/cleanup.mjs';
import { startCodeServer } from './harness/code-server.mjs';
import { compileSuite } from './harness/compile-suite.mjs';
import { createConsoleHandler } from './harness/console-messages.mjs';
import { installMissingPackages } from './harness/install-apt.mjs';
import { ensureCodeServer } from './harness/install-code-server.mjs';
import { SCREENSHOT_ACK_DIR_ENV, TEST_GREP_ENV } from './harness/markers.mjs';
import { parseOptions, USAGE } from './harness/options.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspaceDir = path.join(repoRoot, 'test', 'fixtures', 'workspace');

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

const cleanup = new CleanupStack();
let phase = 'starting';

function log(message) {
  console.log(`[integration] ${message}`);
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }

  const timeoutMinutes = options.timeoutMs / 60_000;
  const timer = setTimeout(() => {
    stopAndExit(
      `Integration tests timed out after ${timeoutMinutes} minutes while ${phase}. ` +
        'Rerun with --verbose to see where it hangs, or raise the limit with --timeout-minutes.',
      1,
    );
  }, options.timeoutMs);

  for (const [signal, exitCode] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.on(signal, () => stopAndExit(`Stopped by ${signal} while ${phase}.`, exitCode));
  }
  process.on('unhandledRejection', (error) => {
    stopAndExit(`Unexpected error while ${phase}: ${error?.stack ?? error}`, 1);
  });

  let exitCode;
  try {
    exitCode = await runIntegrationTests(options);
  } catch (error) {
    log(`Failed while ${phase}: ${error.message}`);
    exitCode = 1;
  }

  clearTimeout(timer);
  await stopAndExit(undefined, exitCode);
}

async function runIntegrationTests(options) {
  const startedAt = Date.now();

  phase = 'checking the build';
  const extensionMain = path.join(repoRoot, 'dist', 'extension.js');
  if (!existsSync(extensionMain)) {
    throw new Error(`${extensionMain} not found. Build the extension first: npm run build`);
  }

  phase = 'installing Debian packages';
  await installMissingPackages(log, options);

  phase = 'installing code-server';
  const install = await ensureCodeServer(log, options);

  phase = 'compiling the suite';
  const { testsPath, outDir } = await compileSuite(repoRoot);
  if (!options.keepTemp) {
    cleanup.add('remove the compiled suite', () => fs.rm(outDir, { recursive: true, force: true }));
  }
  await ensureWorkspace();

  phase = 'preparing temporary folders';
  const tempDir = await fs.mkdtemp(path.join(tmpdir(), 'expert-activation-integration-'));
  if (options.keepTemp) {
    cleanup.add('report the temporary folder', () => log(`Kept temporary files in ${tempDir}`));
  } else {
    cleanup.add('remove the temporary folder', () => fs.rm(tempDir, { recursive: true, force: true }));
  }

  const env = await serverEnvironment(options, tempDir);

  phase = 'starting code-server';
  const server = await startCodeServer({
    entryPath: install.entryPath,
    workspaceDir,
    tempDir,
    env,
    verbose: options.verbose,
  });
  cleanup.add('stop code-server', () => server.stop());
  log(`code-server is listening on ${server.origin}`);

  phase = 'launching chromium';
  const browserEnv = { ...process.env, ...isolatedXdgFolders(tempDir) };
  const browser = await launchChromium(install.loadPlaywright(), { env: browserEnv });
  cleanup.add('close chromium', () => browser.close());

  phase = 'running the suite';
  const suiteStartedAt = Date.now();
  const consoleHandler = createConsoleHandler({
    verbose: options.verbose,
    screenshotDir: options.screenshotDir,
    ackDir: env[SCREENSHOT_ACK_DIR_ENV],
    log,
  });
  const workbenchExitCode = await runTestsInWorkbench(browser, {
    server,
    workspaceDir,
    extensionPath: repoRoot,
    testsPath,
    onConsoleMessage: consoleHandler.handle,
  });
  await consoleHandler.idle();

  const seconds = (milliseconds) => (milliseconds / 1000).toFixed(1);
  log(`Suite ran in ${seconds(Date.now() - suiteStartedAt)} s, ${seconds(Date.now() - startedAt)} s in all.`);

  const counts = consoleHandler.counts();
  if (!counts) {
    log('The suite reported no counts, so it failed before or while loading the tests; see the output above.');
    await printLogTail(server.logPath);
    return workbenchExitCode === 0 ? 1 : workbenchExitCode;
  }

  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  return workbenchExitCode;
}

async function printLogTail(logPath) {
  const LOG_TAIL_LINES = 40;
  const lines = (await fs.readFile(logPath, 'utf8')).trimEnd().split('\n');
  log(`Last ${LOG_TAIL_LINES} lines of the code-server log:`);
  console.log(lines.slice(-LOG_TAIL_LINES).join('\n'));
}

async function ensureWorkspace() {
  await fs.mkdir(workspaceDir, { recursive: true });
  const readmePath = path.join(workspaceDir, 'README.txt');
  if (!existsSync(readmePath)) {
    await fs.writeFile(
      readmePath,
      'The folder that the integration tests open as their VS Code workspace. Tests add their documents here.\n',
    );
  }
}

async function serverEnvironment(options, tempDir) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of an outer VS Code or Electron would point the server at that instance.
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') {
      env[key] = value;
    }
  }

  Object.assign(env, isolatedXdgFolders(tempDir));

  if (options.grep) {
    env[TEST_GREP_ENV] = options.grep;
  }

  if (options.screenshotDir) {
    await fs.mkdir(options.screenshotDir, { recursive: true });
    env[SCREENSHOT_ACK_DIR_ENV] = path.join(tempDir, 'screenshot-acks');
    await fs.mkdir(env[SCREENSHOT_ACK_DIR_ENV]);
  }

  return env;
}

// code-server (logs, default config, a device id) and chromium (crash report settings) write
// under the XDG folders even with the user data folders set elsewhere, so these point into tempDir.
function isolatedXdgFolders(tempDir) {
  return {
    XDG_CONFIG_HOME: path.join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(tempDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tempDir, 'xdg-cache'),
  };
}

function stopAndExit(message, exitCode) {
  return cleanup.exit(log, message, exitCode);
}

await main();
