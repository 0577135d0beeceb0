#!/usr/bin/env node
// Installs the VSIX that `npm run package` built into a fresh code-server 4.100.3 (VS Code
// 1.100.3) with `--install-extension` and checks the installed files. Then shows the installed
// extension working in headless chromium: typing in a legal document brings up an inline
// completion, and the status bar reports a domain. Exits with 0 when every check passes.
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { launchChromium } from '../integration/harness/browser.mjs';
import { CleanupStack } from '../integration/harness/cleanup.mjs';
import { startCodeServer } from '../integration/harness/code-server.mjs';
import { installMissingPackages } from '../integration/harness/install-apt.mjs';
import { ensureCodeServer } from '../integration/harness/install-code-server.mjs';
import { runCommand } from '../integration/harness/run-command.mjs';
import { checkInstalledFiles, findInstalledExtension, folderSize } from './installed-files.mjs';
import { checkExtensionInWorkbench } from './workbench-checks.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const repoModelDir = path.join(repoRoot, 'models', 'expert-moe');

const DEFAULT_VSIX = path.join('dist', `${manifest.name}-linux-x64-${manifest.version}.vsix`);
const DEFAULT_SCREENSHOT = path.join('docs', 'screenshots', 'vsix-installed.png');
const DEFAULT_TIMEOUT_MINUTES = 10;
const LEGAL_SAMPLE = path.join(repoRoot, 'test', 'fixtures', 'samples', 'legal.txt');

// While the word-based suggest widget is open, VS Code hides ghost text that does not extend the
// selected suggestion, so a word typed in plain text can hide the completion.
const WORKSPACE_SETTINGS = {
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.wordBasedSuggestions': 'off',
};

const USAGE = `Usage: node test/package/verify-vsix.mjs [options]

Installs the VSIX into a temporary code-server profile on 127.0.0.1, checks its files, opens a
legal document in headless chromium and waits for the extension's status bar item and an
inline completion. Run \`npm run package\` first.

Options:
  --vsix PATH              the VSIX to install (default ${DEFAULT_VSIX})
  --screenshot PATH        where to save a PNG of the workbench with the completion
                           (default ${DEFAULT_SCREENSHOT}; "none" saves nothing)
  --timeout-minutes N      stop and fail after N minutes, code-server install included
                           (default ${DEFAULT_TIMEOUT_MINUTES})
  --verbose                also print install output and code-server output
  --keep-temp              keep the temporary profile, extensions folder and workspace
  -h, --help               print this help
`;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

const cleanup = new CleanupStack();
let phase = 'starting';

function log(message) {
  console.log(`[package] ${message}`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      vsix: { type: 'string', default: DEFAULT_VSIX },
      screenshot: { type: 'string', default: DEFAULT_SCREENSHOT },
      'timeout-minutes': { type: 'string', default: String(DEFAULT_TIMEOUT_MINUTES) },
      verbose: { type: 'boolean', default: false },
      'keep-temp': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });

  const timeoutMinutes = Number(values['timeout-minutes']);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
    throw new Error(`Invalid --timeout-minutes ${values['timeout-minutes']}: expected a positive number of minutes.`);
  }

  return {
    help: values.help,
    vsixPath: path.resolve(repoRoot, values.vsix),
    screenshotPath: values.screenshot === 'none' ? undefined : path.resolve(repoRoot, values.screenshot),
    timeoutMs: timeoutMinutes * 60_000,
    verbose: values.verbose,
    keepTemp: values['keep-temp'],
  };
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

  const timer = setTimeout(() => {
    stopAndExit(`Timed out after ${options.timeoutMs / 60_000} minutes while ${phase}.`, 1);
  }, options.timeoutMs);
  for (const [signal, exitCode] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.on(signal, () => stopAndExit(`Stopped by ${signal} while ${phase}.`, exitCode));
  }

  let exitCode = 0;
  try {
    await verifyVsix(options);
    log('The VSIX installs and the extension works from it.');
  } catch (error) {
    log(`Failed while ${phase}: ${error.message}`);
    exitCode = 1;
  }

  clearTimeout(timer);
  await stopAndExit(undefined, exitCode);
}

async function verifyVsix(options) {
  phase = 'checking the VSIX';
  if (!existsSync(options.vsixPath)) {
    throw new Error(`${options.vsixPath} not found. Build it first: npm run package`);
  }
  const vsixBytes = (await fs.stat(options.vsixPath)).size;
  log(`VSIX ${path.relative(repoRoot, options.vsixPath)}: ${formatMegabytes(vsixBytes)}`);

  phase = 'installing Debian packages';
  await installMissingPackages(log, options);

  phase = 'installing code-server';
  const install = await ensureCodeServer(log, options);

  phase = 'preparing temporary folders';
  const tempDir = await fs.mkdtemp(path.join(tmpdir(), 'expert-activation-package-'));
  if (options.keepTemp) {
    cleanup.add('report the temporary folder', () => log(`Kept temporary files in ${tempDir}`));
  } else {
    cleanup.add('remove the temporary folder', () => fs.rm(tempDir, { recursive: true, force: true }));
  }
  const env = serverEnvironment(tempDir);
  const workspaceDir = path.join(tempDir, 'workspace');
  const documentPath = path.join(workspaceDir, 'lease-agreement.txt');
  await fs.mkdir(path.join(workspaceDir, '.vscode'), { recursive: true });
  await fs.writeFile(path.join(workspaceDir, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
  await fs.copyFile(LEGAL_SAMPLE, documentPath);

  // startCodeServer serves the extensions folder `<tempDir>/extensions`, so the VSIX goes there.
  phase = 'installing the VSIX into code-server';
  const extensionsDir = path.join(tempDir, 'extensions');
  await runCommand(
    process.execPath,
    [
      install.entryPath,
      '--install-extension', options.vsixPath,
      '--extensions-dir', extensionsDir,
      '--user-data-dir', path.join(tempDir, 'user-data'),
    ],
    { env, verbose: options.verbose },
  );
  const installedDir = findInstalledExtension(extensionsDir, manifest);
  log(`Installed into ${installedDir}: ${formatMegabytes(folderSize(installedDir))} unpacked`);

  phase = 'checking the installed files';
  const problems = checkInstalledFiles(installedDir, repoModelDir);
  if (problems.length > 0) {
    throw new Error(`The installed extension has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  }
  log('Installed files: the bundles, the model and the linux-x64 onnxruntime binaries, nothing excluded.');

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
  const browser = await launchChromium(install.loadPlaywright(), { env });
  cleanup.add('close chromium', () => browser.close());

  phase = 'checking the extension in the workbench';
  if (options.screenshotPath) {
    await fs.mkdir(path.dirname(options.screenshotPath), { recursive: true });
  }
  const modelManifest = JSON.parse(readFileSync(path.join(installedDir, 'models', 'expert-moe', 'manifest.json'), 'utf8'));
  await checkExtensionInWorkbench(browser, {
    server,
    workspaceDir,
    documentPath,
    domains: modelManifest.domains,
    screenshotPath: options.screenshotPath,
    log,
  });

  phase = 'reading the extension log';
  await checkModelFolderInLog(path.join(tempDir, 'user-data', 'logs'), installedDir);
}

/**
 * Finds the extension's "Activated; model folder ..." log line and checks that the folder is
 * the installed extension's, so the engine did not load the repository's model.
 */
async function checkModelFolderInLog(logsDir, installedDir) {
  const activationPattern = /Activated; model folder (.+), \d+ threads?\./;
  for (const entry of await fs.readdir(logsDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.log')) {
      continue;
    }
    const match = activationPattern.exec(await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8'));
    if (!match) {
      continue;
    }
    const modelFolder = match[1];
    if (!modelFolder.startsWith(installedDir + path.sep)) {
      throw new Error(`The extension loaded the model from ${modelFolder}, not from the installed folder ${installedDir}.`);
    }
    log(`Extension log: model folder ${modelFolder}`);
    return;
  }
  throw new Error(`No "Activated; model folder" line in the logs under ${logsDir}.`);
}

// code-server and chromium write under the XDG folders even with their data folders set, and
// variables of an outer VS Code would point the server at that instance.
function serverEnvironment(tempDir) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE') {
      env[key] = value;
    }
  }
  return {
    ...env,
    XDG_CONFIG_HOME: path.join(tempDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(tempDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tempDir, 'xdg-cache'),
  };
}

function formatMegabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB (${bytes} bytes)`;
}

function stopAndExit(message, exitCode) {
  return cleanup.exit(log, message, exitCode);
}

await main();
