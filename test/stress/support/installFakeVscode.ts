// Makes `require('vscode')` return a fake module in this process, so code that imports `vscode`
// (src/ through tsx, or the bundled dist/extension.js) runs under plain Node.

import Module from 'node:module';
import { createFakeVscode, type FakeVscode } from './fakeVscode';

const FAKE_MODULE_ID = '\0fake-vscode';

let installed: FakeVscode | undefined;

/** Installs the fake once per process and returns it; later calls return the same one. */
export function installFakeVscode(): FakeVscode {
  if (installed !== undefined) return installed;
  const fake = createFakeVscode();

  const moduleInternals = Module as unknown as {
    _resolveFilename(request: string, ...rest: unknown[]): string;
    _cache: Record<string, unknown>;
  };
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? FAKE_MODULE_ID : resolve.call(this, request, ...rest);
  };

  const module = new Module(FAKE_MODULE_ID);
  module.exports = fake.api;
  module.loaded = true;
  moduleInternals._cache[FAKE_MODULE_ID] = module;

  installed = fake;
  return fake;
}
