// Installs code-server (a VS Code server with a browser workbench) and playwright-core into a
// cache folder outside the repository, and reuses a complete install on later runs.
import { existsSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';

import { isProcessAlive } from './cleanup.mjs';
import { cleanNpmEnvironment, commandPath, runCommand } from './run-command.mjs';

// code-server 4.100.3 ships VS Code 1.100.3 and is the last release whose engines.node is 20
// (4.103.2, the next one, requires 22).
export const CODE_SERVER_VERSION = '4.100.3';
export const PLAYWRIGHT_CORE_VERSION = '1.65.2';

const INSTALL_MARKER = '.install-complete.json';
const LOCK_POLL_INTERVAL_MS = 2_000;
const LOCK_WITHOUT_OWNER_STALE_MS = 60_000;

/** Returns the cache folder: `${XDG_CACHE_HOME:-~/.cache}/expert-activation/code-server-<version>`. */
export function codeServerCacheDir() {
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(cacheHome, 'expert-activation', `code-server-${CODE_SERVER_VERSION}`);
}

/**
 * Makes sure a complete install is in the cache folder and returns its paths. A folder without
 * the marker, or with one written for other versions or another Node ABI (the native modules
 * are built for it), is removed and installed again. Concurrent runs install one at a time
 * under a lock folder beside the cache folder, and the later ones reuse the result.
 */
export async function ensureCodeServer(log, { verbose }) {
  const cacheDir = codeServerCacheDir();

  if (await isInstallComplete(cacheDir)) {
    log(`Reusing code-server ${CODE_SERVER_VERSION} from ${cacheDir}`);
    return installPaths(cacheDir);
  }

  await withInstallLock(cacheDir, log, async () => {
    if (await isInstallComplete(cacheDir)) {
      log(`Reusing code-server ${CODE_SERVER_VERSION} that another run installed in ${cacheDir}`);
      return;
    }
    await reinstall(cacheDir, log, { verbose });
  });

  return installPaths(cacheDir);
}

async function reinstall(cacheDir, log, { verbose }) {
  if (existsSync(cacheDir)) {
    log(`Removing the incomplete or outdated install in ${cacheDir}`);
    await fs.rm(cacheDir, { recursive: true, force: true });
  }

  log(`Installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (one to two minutes, 316 MB)`);
  const startedAt = Date.now();
  await installInto(cacheDir, { verbose });
  await fs.writeFile(path.join(cacheDir, INSTALL_MARKER), `${JSON.stringify(describeInstall(), null, 2)}\n`);
  log(`Installed code-server in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}

/**
 * Runs `action` while holding the lock folder `<cacheDir>.lock`, which contains the owner's
 * pid. Waits while a live process holds it and takes over a lock whose owner has exited.
 */
async function withInstallLock(cacheDir, log, action) {
  const lockDir = `${cacheDir}.lock`;
  await fs.mkdir(path.dirname(cacheDir), { recursive: true });

  let waitLogged = false;
  while (!(await tryCreateDir(lockDir))) {
    if (await isLockStale(lockDir)) {
      log(`Removing the stale install lock ${lockDir}`);
      await fs.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waitLogged) {
      log(`Waiting for another run to finish installing code-server (lock ${lockDir})`);
      waitLogged = true;
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_INTERVAL_MS));
  }

  await fs.writeFile(path.join(lockDir, 'pid'), String(process.pid));
  const releaseLock = () => rmSync(lockDir, { recursive: true, force: true });
  process.on('exit', releaseLock);
  try {
    await action();
  } finally {
    releaseLock();
    process.off('exit', releaseLock);
  }
}

async function tryCreateDir(dir) {
  try {
    await fs.mkdir(dir);
    return true;
  } catch (error) {
    if (error.code === 'EEXIST') {
      return false;
    }
    throw error;
  }
}

async function isLockStale(lockDir) {
  let owner;
  try {
    owner = Number(await fs.readFile(path.join(lockDir, 'pid'), 'utf8'));
  } catch {
    // The owner creates the folder first and writes its pid right after.
    const stats = await fs.stat(lockDir).catch(() => undefined);
    return stats !== undefined && Date.now() - stats.mtimeMs > LOCK_WITHOUT_OWNER_STALE_MS;
  }
  return !isProcessAlive(owner);
}

async function isInstallComplete(cacheDir) {
  const marker = await readMarker(cacheDir);
  return JSON.stringify(marker) === JSON.stringify(describeInstall());
}

// Follows code-server's own postinstall.sh step by step. Packages install with --ignore-scripts
// first, because some scripts download from outside the npm registry; the rebuilds then compile
// the native modules from source once those downloads are unnecessary or allowed to fail.
async function installInto(cacheDir, { verbose }) {
  await fs.mkdir(cacheDir, { recursive: true });
  await fs.writeFile(path.join(cacheDir, 'package.json'), '{ "private": true }\n');

  const npmEnv = cleanNpmEnvironment();
  const npm = (cwd, args, extraEnv = {}) => runCommand('npm', args, { cwd, env: { ...npmEnv, ...extraEnv }, verbose });
  const quiet = ['--no-audit', '--no-fund'];

  await npm(cacheDir, [
    'install', '--no-save', '--ignore-scripts', ...quiet,
    `code-server@${CODE_SERVER_VERSION}`, `playwright-core@${PLAYWRIGHT_CORE_VERSION}`,
  ]);

  // argon2's script tries a prebuilt binary from GitHub first and falls back to compiling.
  await npm(cacheDir, ['rebuild', 'argon2']);

  const vscodeDir = path.join(cacheDir, 'node_modules', 'code-server', 'lib', 'vscode');
  await npm(vscodeDir, ['install', '--omit=dev', '--ignore-scripts', ...quiet]);

  // @vscode/ripgrep's install script downloads rg from GitHub unless bin/ exists already.
  const ripgrepBinDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  await fs.mkdir(ripgrepBinDir, { recursive: true });
  await fs.symlink(findExecutable('rg'), path.join(ripgrepBinDir, 'rg'));

  // node-pty's build runs `npx node-gyp`, which would stop at npx's install prompt.
  await npm(vscodeDir, ['rebuild'], { npm_config_yes: 'true' });

  await fs.symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  await fs.symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  await fs.symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  await npm(path.join(vscodeDir, 'extensions'), ['install', '--omit=dev', ...quiet]);
}

function installPaths(cacheDir) {
  const requireFromCache = createRequire(path.join(cacheDir, 'package.json'));
  return {
    cacheDir,
    entryPath: path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    loadPlaywright: () => requireFromCache('playwright-core'),
  };
}

function describeInstall() {
  return {
    codeServer: CODE_SERVER_VERSION,
    playwrightCore: PLAYWRIGHT_CORE_VERSION,
    nodeModuleAbi: process.versions.modules,
    platform: `${process.platform}-${process.arch}`,
  };
}

async function readMarker(cacheDir) {
  try {
    return JSON.parse(await fs.readFile(path.join(cacheDir, INSTALL_MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

function findExecutable(command) {
  const found = commandPath(command);
  if (!found) {
    throw new Error(`${command} not found on PATH. Install it (Debian: apt-get install ripgrep) and rerun.`);
  }
  return found;
}
