// Installs a happy-dom window as the global DOM, so the webview renderers run under node:test.

import { Window } from 'happy-dom';

export function installDom(): Window {
  const window = new Window({ url: 'https://webview.test/' });
  const globals = globalThis as Record<string, unknown>;
  for (const name of ['document', 'HTMLElement', 'Node', 'Event', 'KeyboardEvent', 'MouseEvent', 'CSS'] as const) {
    globals[name] = (window as unknown as Record<string, unknown>)[name];
  }
  return window;
}
