// Installs the Debian packages the harness needs, only those missing, and only as root.
import { spawnSync } from 'node:child_process';

import { commandPath, runCommand } from './run-command.mjs';

/** Debian packages that the headless VS Code needs; the reason is beside each. */
const REQUIRED_PACKAGES = [
  'chromium', // renders the workbench
  'libkrb5-dev', // headers for code-server's `kerberos` native module
  'ripgrep', // code-server's search; its npm package would download rg from GitHub
];

/** Build tools for code-server's native modules, by the command that shows each is present. */
const BUILD_TOOL_PACKAGES = { 'g++': 'g++', make: 'make', python3: 'python3' };

/** Returns the packages in `REQUIRED_PACKAGES` and the build tools that are not installed. */
export function findMissingPackages() {
  const missing = [];

  if (hasCommand('dpkg-query')) {
    for (const name of REQUIRED_PACKAGES) {
      if (!isDebianPackageInstalled(name)) {
        missing.push(name);
      }
    }
  }

  for (const [command, packageName] of Object.entries(BUILD_TOOL_PACKAGES)) {
    if (!hasCommand(command)) {
      missing.push(packageName);
    }
  }

  return missing;
}

/**
 * Installs what `findMissingPackages` lists with apt-get. Rejects with the command to run by
 * hand when the harness is not root, because it does not run sudo.
 */
export async function installMissingPackages(log, { verbose }) {
  const missing = findMissingPackages();
  if (missing.length === 0) {
    return;
  }

  const installArgs = ['install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Missing Debian packages: ${missing.join(', ')}. Install them and rerun: ` +
        `sudo apt-get update && sudo apt-get ${installArgs.join(' ')}`,
    );
  }

  log(`Installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand('apt-get', ['update'], { env, verbose });
  await runCommand('apt-get', installArgs, { env, verbose });
}

function isDebianPackageInstalled(name) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', name], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.startsWith('ii');
}

function hasCommand(command) {
  return commandPath(command) !== undefined;
}
