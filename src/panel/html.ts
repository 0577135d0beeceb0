import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URIs of `dist/panel.js` and `media/panel.css`. */
  scriptUri: string;
  styleUri: string;
  /** A fresh nonce per page load, from `createNonce`. */
  nonce: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Builds the webview page: an empty shell that `dist/panel.js` fills. The Content-Security-Policy
 * allows only the extension's own stylesheet and images and the one script carrying the nonce,
 * so no inline script, inline style attribute or remote resource can run.
 */
export function renderPanelHtml(options: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `style-src ${options.cspSource}`,
    `script-src 'nonce-${options.nonce}'`,
    `img-src ${options.cspSource} data:`,
  ].join('; ');

  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
  <title>Active Experts</title>
</head>
<body>
  <main id="app" aria-live="off">
    <p class="state-message">Loading the Active Experts view…</p>
  </main>
  <script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
