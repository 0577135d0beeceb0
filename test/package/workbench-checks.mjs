// Drives the workbench in chromium to show that an installed extension works: typing in a
// document brings up an inline completion, and the status bar item reports the domain that the
// engine detected for it.

const VIEWPORT = { width: 1280, height: 800 };
const STATUS_TIMEOUT_MS = 120_000;
const COMPLETION_TIMEOUT_MS = 60_000;

// VS Code gives a status bar item of an extension the DOM id `<extension id>.<item id>`.
const STATUS_ITEM_SELECTOR = '.statusbar-item[id$=".expertActivation.status"]';
const GHOST_TEXT_SELECTOR = '.ghost-text-decoration, .ghost-text';

/** Text typed at the end of the document so that the completion provider runs. */
const TYPED_TEXT = '\n\n8. Termination. Either party may terminate this Agreement';

/**
 * Opens `documentPath` of `workspaceDir` in the workbench and waits until the status bar item
 * shows the document's routing, which it does once the engine is ready. Then types at the end
 * of the document, waits for ghost text, and waits for the item to show the domain that the
 * completion's routing detected. Saves a screenshot to `screenshotPath` when given. Resolves to
 * `{ statusText, ghostText }`, and rejects with the last status text when a step times out.
 */
export async function checkExtensionInWorkbench(browser, { server, workspaceDir, documentPath, domains, screenshotPath, log }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('crash', () => log('The workbench page crashed in chromium.'));

  const remote = (localPath) => `vscode-remote://${server.remoteAuthority}${localPath}`;
  const payload = [['openFile', remote(documentPath)]];
  await page.goto(
    `${server.origin}/?folder=${encodeURIComponent(workspaceDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
  );

  // The item shows `<domain> · <source>` only once the engine is ready and a document is active.
  const readyText = await waitForStatusText(page, / · /, 'the document\'s routing');
  log(`Status bar item with the engine ready: "${readyText}"`);

  const ghostText = await typeAndWaitForCompletion(page);
  log(`Inline completion shown: "${ghostText}"`);

  const detectedPattern = new RegExp(`\\b(${domains.join('|')}) · detected`);
  const statusText = await waitForStatusText(page, detectedPattern, 'a detected domain');
  log(`Status bar item after the completion: "${statusText}"`);

  if (screenshotPath) {
    await page.screenshot({ path: screenshotPath });
    log(`Saved the screenshot ${screenshotPath}`);
  }

  await context.close();
  return { statusText, ghostText };
}

async function waitForStatusText(page, pattern, description) {
  try {
    await page.waitForFunction(
      ({ selector, source }) => new RegExp(source).test(document.querySelector(selector)?.textContent ?? ''),
      { selector: STATUS_ITEM_SELECTOR, source: pattern.source },
      { timeout: STATUS_TIMEOUT_MS },
    );
  } catch (error) {
    const lastText = await statusItemText(page);
    throw new Error(
      `The status bar item did not show ${description} within ${STATUS_TIMEOUT_MS / 1000} s ` +
        `(last text: ${lastText === undefined ? 'no item' : `"${lastText}"`}): ${error.message}`,
    );
  }
  return statusItemText(page);
}

async function typeAndWaitForCompletion(page) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(TYPED_TEXT);

  const ghostText = page.locator(GHOST_TEXT_SELECTOR).first();
  try {
    await ghostText.waitFor({ state: 'visible', timeout: COMPLETION_TIMEOUT_MS });
  } catch (error) {
    throw new Error(
      `No inline completion appeared within ${COMPLETION_TIMEOUT_MS / 1000} s after typing ` +
        `(status bar: "${await statusItemText(page)}"): ${error.message}`,
    );
  }
  return (await ghostText.textContent())?.trim() ?? '';
}

async function statusItemText(page) {
  const text = await page.evaluate((selector) => document.querySelector(selector)?.textContent, STATUS_ITEM_SELECTOR);
  return text?.trim();
}
