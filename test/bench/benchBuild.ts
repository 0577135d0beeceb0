// Bundles what the benchmark runs outside this process: the inference worker, the child
// process that measures cold start and memory, and the extension bundle whose load time is
// measured. They go to out/bench/ so onnxruntime-node still resolves from node_modules.

import { build } from 'esbuild';
import * as path from 'node:path';

export interface BenchBundles {
  worker: string;
  child: string;
  extension: string;
}

export async function bundleForBench(repositoryRoot: string): Promise<BenchBundles> {
  const outFolder = path.join(repositoryRoot, 'out', 'bench');
  const bundles: BenchBundles = {
    worker: path.join(outFolder, 'worker.js'),
    child: path.join(outFolder, 'benchChild.js'),
    extension: path.join(outFolder, 'extension.js'),
  };
  const common = { bundle: true, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'silent' } as const;
  await Promise.all([
    build({ ...common, entryPoints: [path.join(repositoryRoot, 'src', 'engine', 'worker.ts')], outfile: bundles.worker, external: ['onnxruntime-node'] }),
    build({ ...common, entryPoints: [path.join(repositoryRoot, 'test', 'bench', 'benchChild.ts')], outfile: bundles.child, external: ['onnxruntime-node'] }),
    build({ ...common, entryPoints: [path.join(repositoryRoot, 'src', 'extension.ts')], outfile: bundles.extension, external: ['vscode', 'onnxruntime-node'] }),
  ]);
  return bundles;
}
