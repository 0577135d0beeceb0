// Loading a whole model folder: manifest, tokenizer, ONNX session and optional impact table,
// each checked against the others. Every failure is an EngineError naming the file at fault.

import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { engineError } from './errors';
import { loadImpactTable, type ImpactTable } from './impact';
import { loadManifest, type Manifest } from './manifest';
import type { NativeCallGuard } from './nativeGuard';
import { OnnxModel } from './onnxModel';
import type { ModelInfo } from './protocol';
import { Tokenizer } from './tokenizer';

export interface LoadedModel {
  folder: string;
  manifest: Manifest;
  tokenizer: Tokenizer;
  onnx: OnnxModel;
  /** Undefined when impact.json is absent or unusable; `impactProblem` then says why. */
  impact?: ImpactTable;
  impactProblem?: string;
  info: ModelInfo;
}

export interface LoadOptions {
  threads: number;
  onProgress?: (progress: number) => void;
  /** Wraps onnxruntime's native calls; the worker thread passes one (nativeGuard.ts). */
  nativeGuard?: NativeCallGuard;
}

const FOLDER_ACTION = 'Set the model folder to one that contains manifest.json, tokenizer.json and model.onnx, or leave it empty for the bundled model.';

export async function loadModelFolder(folder: string, options: LoadOptions): Promise<LoadedModel> {
  const report = options.onProgress ?? (() => undefined);
  const absoluteFolder = path.resolve(folder);
  if (!existsSync(absoluteFolder) || !statSync(absoluteFolder).isDirectory()) {
    throw engineError('model-missing', `The model folder ${absoluteFolder} does not exist.`, { subject: absoluteFolder, action: FOLDER_ACTION });
  }

  const manifest = loadManifest(absoluteFolder);
  report(0.05);

  const tokenizerFile = path.join(absoluteFolder, manifest.files.tokenizer);
  if (!existsSync(tokenizerFile)) {
    throw engineError('model-missing', `The tokenizer ${tokenizerFile} is missing.`, { subject: tokenizerFile, action: FOLDER_ACTION });
  }
  const tokenizer = Tokenizer.load(tokenizerFile);
  checkTokenizerAgainstManifest(tokenizer, manifest, tokenizerFile);
  report(0.15);

  const modelFile = path.join(absoluteFolder, manifest.files.model);
  if (!existsSync(modelFile)) {
    throw engineError('model-missing', `The model file ${modelFile} is missing.`, { subject: modelFile, action: FOLDER_ACTION });
  }
  const threads = Math.max(1, Math.floor(options.threads));
  const onnx = await OnnxModel.create(modelFile, manifest, threads, options.nativeGuard);
  report(0.85);
  await onnx.checkOutputShapes(modelFile, manifest.specialTokens.endOfText);
  report(0.95);

  const impactFile = path.join(absoluteFolder, manifest.files.impact ?? 'impact.json');
  const impact = loadImpactTable(impactFile, manifest.architecture, manifest.domains);
  report(1);

  return {
    folder: absoluteFolder,
    manifest,
    tokenizer,
    onnx,
    impact: impact.table,
    impactProblem: impact.table === undefined ? impact.reason : undefined,
    info: modelInfo(manifest, absoluteFolder),
  };
}

function checkTokenizerAgainstManifest(tokenizer: Tokenizer, manifest: Manifest, file: string): void {
  const { vocabSize } = manifest.architecture;
  const problems: string[] = [];
  if (tokenizer.vocabSize > vocabSize) problems.push(`it has ${tokenizer.vocabSize} tokens, but the model's vocabSize is ${vocabSize}`);
  if (tokenizer.endOfText !== manifest.specialTokens.endOfText) {
    problems.push(`its <|endoftext|> id is ${String(tokenizer.endOfText)}, but manifest.json says ${manifest.specialTokens.endOfText}`);
  }
  if (problems.length > 0) {
    throw engineError('model-mismatch', `The tokenizer ${file} does not belong to this model: ${problems.join('; ')}`, {
      subject: file,
      action: 'Use the tokenizer.json exported together with this model.onnx.',
    });
  }
}

function modelInfo(manifest: Manifest, folder: string): ModelInfo {
  const { architecture } = manifest;
  return {
    name: manifest.name,
    folder,
    domains: [...manifest.domains],
    experts: manifest.experts.map((expert) => ({ ...expert })),
    layers: architecture.layers,
    expertsPerLayer: architecture.expertsPerLayer,
    defaultTopK: architecture.defaultTopK,
    maxContext: architecture.maxContext,
    trainedContext: architecture.trainedContext,
  };
}
