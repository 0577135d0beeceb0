// Opens the VS Code workbench in headless chromium and runs the extension tests in it.
import { commandPath } from './run-command.mjs';

const VIEWPORT = { width: 1440, height: 900 };

// Flags for chromium as root in a container without network: without the networking ones it
// keeps trying to reach update and sync hosts.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches chromium; playwright gives it a fresh temporary profile and deletes it on close.
 * `env` should point the XDG folders into a temporary folder, because chromium writes crash
 * report settings there whatever the profile.
 */
export async function launchChromium(playwright, { env }) {
  return playwright.chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_ARGS,
    env,
    // run.mjs handles the signals and closes the browser itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/**
 * Opens the workbench with the extension under development and the compiled suite, and resolves
 * to the exit code the workbench passes to `codeAutomationExit` when the tests end. Every
 * browser console message goes to `onConsoleMessage(page, message)`, a playwright ConsoleMessage.
 */
export async function runTestsInWorkbench(browser, { server, workspaceDir, extensionPath, testsPath, onConsoleMessage }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();

  let reportExit;
  const exitCode = new Promise((resolve) => {
    reportExit = resolve;
  });
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(code));

  const crashed = new Promise((_, reject) => {
    page.on('crash', () => reject(new Error('The workbench page crashed in chromium.')));
  });
  page.on('console', (message) => onConsoleMessage(page, message));

  const remote = (localPath) => `vscode-remote://${server.remoteAuthority}${localPath}`;
  const payload = [
    ['extensionDevelopmentPath', remote(extensionPath)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  const url =
    `${server.origin}/?folder=${encodeURIComponent(workspaceDir)}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  await page.goto(url);
  return Promise.race([exitCode, crashed]);
}

function findChromium() {
  const found = commandPath('chromium');
  if (!found) {
    throw new Error('chromium not found on PATH. Install it (Debian: apt-get install chromium) and rerun.');
  }
  return found;
}
