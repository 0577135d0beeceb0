// Shared setup for the engine tests: the real model folder, a bundled worker, default options
// and broken copies of the model folder.

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EngineLogger } from '../../../src/engine/logger';
import type { GenerationOptions, RoutingOptions } from '../../../src/engine/protocol';
import { REPOSITORY_ROOT } from './pythonTokenizer';

export const MODEL_FOLDER = path.join(REPOSITORY_ROOT, 'models', 'expert-moe');
export const MODEL_MISSING_REASON = existsSync(path.join(MODEL_FOLDER, 'model.onnx')) ? undefined : `${MODEL_FOLDER}/model.onnx is missing`;

export const quietLog: EngineLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function routingOptions(overrides: Partial<RoutingOptions> = {}): RoutingOptions {
  return {
    mode: 'auto',
    biasStrength: 4,
    minConfidence: 0.3,
    topK: 2,
    topP: 1,
    disabledExperts: [],
    counterfactual: false,
    counterfactualStrength: 0.5,
    ...overrides,
  };
}

export function generationOptions(overrides: Partial<GenerationOptions> = {}): GenerationOptions {
  return { maxTokens: 12, temperature: 0, topP: 1, timeBudgetMs: 30_000, stopAt: 'line', ...overrides };
}

let workerBuild: Promise<string> | undefined;

/** Bundles src/engine/worker.ts as esbuild.mjs does, into out/ so onnxruntime-node still resolves. */
export function bundledWorker(): Promise<string> {
  workerBuild ??= (async () => {
    const outfile = path.join(REPOSITORY_ROOT, 'out', 'engine-test', 'worker.js');
    await build({
      entryPoints: [path.join(REPOSITORY_ROOT, 'src', 'engine', 'worker.ts')],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['onnxruntime-node'],
      logLevel: 'silent',
    });
    return outfile;
  })();
  return workerBuild;
}

/** Copies the model folder to a temporary one and lets `damage` break it; returns the copy. */
export function brokenModelCopy(damage: (folder: string) => void): string {
  const root = mkdtempSync(path.join(tmpdir(), 'expert-moe-broken-'));
  const folder = path.join(root, 'expert-moe');
  mkdirSync(folder);
  for (const file of ['manifest.json', 'tokenizer.json', 'model.onnx']) copyFileSync(path.join(MODEL_FOLDER, file), path.join(folder, file));
  damage(folder);
  return folder;
}

export function truncateFile(file: string, keepFraction: number): void {
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * keepFraction)));
}

export function removeBrokenCopy(folder: string): void {
  rmSync(path.dirname(folder), { recursive: true, force: true });
}
