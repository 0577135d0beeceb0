// Turns the workbench's browser console messages into output lines, screenshots and counts.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { format } from 'node:util';

import { RESULT_MARKER, SCREENSHOT_MARKER, SCREENSHOT_NAME_PATTERN, SUITE_START_MARKER } from './markers.mjs';

// When tests run from the command line, VS Code 1.100 sends each extension host console call
// to the workbench's log service, which prints it as console.log('%c INFO', 'color: #33f',
// ...the original arguments). The level is one of TRACE, DEBUG, INFO, WARN, ERR.
const LOG_SERVICE_PREFIX = /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)\s*$/;

// The extension gallery cannot reach open-vsx.org without internet access. Its error and stack
// trace are unrelated to the tests.
const KNOWN_NOISE = /ENOTFOUND open-vsx\.org/;

/**
 * Returns a handler for playwright console messages. Log-service lines of the suite (those
 * after the suite's start line) and every error line go to stdout; with `verbose`, all
 * messages do. A screenshot request is handled by `page.screenshot`. Messages are handled
 * one at a time, in order; `idle()` resolves once the queue is empty.
 */
export function createConsoleHandler({ verbose, screenshotDir, ackDir, log }) {
  let queue = Promise.resolve();
  let suiteStarted = false;
  let counts;

  const handleLine = async (page, level, line) => {
    if (line.startsWith(SUITE_START_MARKER)) {
      suiteStarted = true;
      return;
    }

    if (line.startsWith(RESULT_MARKER)) {
      counts = JSON.parse(line.slice(RESULT_MARKER.length));
      return;
    }

    if (line.startsWith(SCREENSHOT_MARKER)) {
      await saveRequestedScreenshot(page, line.slice(SCREENSHOT_MARKER.length).trim(), { screenshotDir, ackDir, log });
      return;
    }

    const isError = level === 'ERR';
    if (verbose || ((suiteStarted || isError) && !KNOWN_NOISE.test(line))) {
      const text = isError ? `[error] ${line}` : line;
      console.log(text);
    }
  };

  const handleMessage = async (page, message) => {
    const logLine = await readLogServiceLine(message);
    if (logLine) {
      await handleLine(page, logLine.level, logLine.text);
    } else if (verbose) {
      console.log(`[browser ${message.type()}] ${message.text()}`);
    }
  };

  return {
    handle(page, message) {
      queue = queue.then(() => handleMessage(page, message)).catch((error) => {
        log(`Could not read a browser console message: ${error.message}`);
      });
    },
    idle: () => queue,
    counts: () => counts,
  };
}

async function readLogServiceLine(message) {
  const handles = message.args();
  if (handles.length < 2) {
    return undefined;
  }

  const values = await Promise.all(handles.map((handle) => handle.jsonValue().catch(() => '[unserializable]')));
  const match = typeof values[0] === 'string' ? LOG_SERVICE_PREFIX.exec(values[0]) : null;
  if (!match) {
    return undefined;
  }

  // values[1] is the CSS colour of the level; the rest are the extension host's arguments.
  return { level: match[1], text: format(...values.slice(2)) };
}

async function saveRequestedScreenshot(page, name, { screenshotDir, ackDir, log }) {
  if (!screenshotDir || !ackDir) {
    return;
  }
  if (!SCREENSHOT_NAME_PATTERN.test(name)) {
    log(`Ignored a screenshot request with the invalid name ${JSON.stringify(name)}.`);
    return;
  }

  try {
    const screenshotPath = path.join(screenshotDir, `${name}.png`);
    await page.screenshot({ path: screenshotPath });
    await fs.writeFile(path.join(ackDir, `${name}.done`), screenshotPath);
    log(`Saved screenshot ${screenshotPath}`);
  } catch (error) {
    await fs.writeFile(path.join(ackDir, `${name}.failed`), error.message);
    log(`Screenshot ${name} failed: ${error.message}`);
  }
}
