// In-host side of screenshot mode. Tests import this; harness/console-messages.mjs saves the PNG.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { SCREENSHOT_ACK_DIR_ENV, SCREENSHOT_MARKER, SCREENSHOT_NAME_PATTERN } from './markers.mjs';

const ACK_TIMEOUT_MS = 30_000;
const ACK_POLL_INTERVAL_MS = 100;

/**
 * Asks the harness to save a PNG of the workbench as `<name>.png` and waits until it is written.
 * Does nothing unless the harness runs with `--screenshots DIR`, so tests can call it freely.
 * Rejects when the harness reports a failed screenshot or writes no acknowledgement within 30 s.
 */
export async function requestScreenshot(name: string): Promise<void> {
  if (!SCREENSHOT_NAME_PATTERN.test(name)) {
    throw new Error(
      `Invalid screenshot name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    );
  }

  const ackDir = process.env[SCREENSHOT_ACK_DIR_ENV];
  if (!ackDir) {
    return;
  }

  console.log(`${SCREENSHOT_MARKER}${name}`);
  await waitForAck(ackDir, name);
}

async function waitForAck(ackDir: string, name: string): Promise<void> {
  const donePath = path.join(ackDir, `${name}.done`);
  const failedPath = path.join(ackDir, `${name}.failed`);
  const deadline = Date.now() + ACK_TIMEOUT_MS;

  while (Date.now() < deadline) {
    if (await fileExists(donePath)) {
      return;
    }

    if (await fileExists(failedPath)) {
      const reason = await fs.readFile(failedPath, 'utf8');
      throw new Error(`Screenshot ${name} failed in the harness: ${reason}`);
    }

    await new Promise((resolve) => setTimeout(resolve, ACK_POLL_INTERVAL_MS));
  }

  throw new Error(
    `Screenshot ${name} was not acknowledged within ${ACK_TIMEOUT_MS / 1000} s: ` +
      `no ${donePath}. Is the harness reading the browser console?`,
  );
}

async function fileExists(filePath: string): Promise<boolean> {
  try {
    await fs.access(filePath);
    return true;
  } catch {
    return false;
  }
}
