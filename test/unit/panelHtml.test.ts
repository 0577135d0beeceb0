import * as assert from 'node:assert/strict';
import { test } from 'node:test';

import { createNonce, renderPanelHtml } from '../../src/panel/html';

const options = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/panel.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  nonce: 'abc123',
};

function contentSecurityPolicy(html: string): string {
  const match = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
  assert.ok(match, 'the page has a Content-Security-Policy meta tag');
  return match[1];
}

test('html sets a strict content security policy', () => {
  const csp = contentSecurityPolicy(renderPanelHtml(options));

  assert.equal(
    csp,
    "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'; img-src https://file+.vscode-resource.vscode-cdn.net data:",
  );
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
});

test('html loads one script, carrying the nonce', () => {
  const html = renderPanelHtml(options);
  const scripts = html.match(/<script[^>]*>/g) ?? [];

  assert.equal(scripts.length, 1);
  assert.match(scripts[0], /nonce="abc123"/);
  assert.match(scripts[0], /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/panel\.js"/);
});

test('html has no inline styles or remote hosts', () => {
  const html = renderPanelHtml(options);

  assert.doesNotMatch(html, /style="/);
  assert.doesNotMatch(html, /<style/);
  assert.doesNotMatch(html, /https?:\/\/(?!file\+\.vscode-resource)/);
});

test('html escapes attribute values', () => {
  const html = renderPanelHtml({ ...options, styleUri: 'x"><script>alert(1)</script>' });

  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /x&quot;&gt;&lt;script&gt;/);
});

test('nonces are long and differ per page', () => {
  const nonces = new Set(Array.from({ length: 50 }, () => createNonce()));

  assert.equal(nonces.size, 50);
  for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
});
