// Bundles the extension and its worker the way esbuild.mjs does, into out/, so tests run the
// shipped form of the code without touching dist/ (which a parallel build may be writing).

import { build, type BuildOptions } from 'esbuild';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from './extensionHarness';

export interface ExtensionBundle {
  extension: string;
  worker: string;
  /** networkChild.ts bundled with the test harness, for a child process without tsx. */
  networkChild: string;
}

/** The options of esbuild.mjs's Node bundles. */
const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'silent',
};

export async function bundleExtension(folderName: string): Promise<ExtensionBundle> {
  const folder = path.join(REPOSITORY_ROOT, 'out', folderName);
  const bundle = {
    extension: path.join(folder, 'extension.js'),
    worker: path.join(folder, 'worker.js'),
    networkChild: path.join(folder, 'networkChild.js'),
  };
  await Promise.all([
    build({ ...NODE_BUNDLE, entryPoints: [path.join(REPOSITORY_ROOT, 'src', 'extension.ts')], outfile: bundle.extension }),
    build({ ...NODE_BUNDLE, entryPoints: [path.join(REPOSITORY_ROOT, 'src', 'engine', 'worker.ts')], outfile: bundle.worker }),
    build({ ...NODE_BUNDLE, entryPoints: [path.join(REPOSITORY_ROOT, 'test', 'stress', 'support', 'networkChild.ts')], outfile: bundle.networkChild }),
  ]);
  return bundle;
}
