// Builds the FuzzEnvironment: the fake `vscode` module, the bundled model's tokenizer and
// manifest, and optionally the engine itself.

import * as path from 'node:path';
import { silentLogger } from '../../../src/engine/logger';
import { InferenceEngine } from '../../../src/engine/inferenceEngine';
import { loadManifest } from '../../../src/engine/manifest';
import type { ModelInfo } from '../../../src/engine/protocol';
import { Tokenizer } from '../../../src/engine/tokenizer';
import { REPOSITORY_ROOT } from './extensionHarness';
import type { FuzzEnvironment } from './fuzzPipeline';
import { installFakeVscode } from './installFakeVscode';

export const MODEL_FOLDER = path.join(REPOSITORY_ROOT, 'models', 'expert-moe');

export async function createFuzzEnvironment(options: { withEngine: boolean }): Promise<FuzzEnvironment> {
  const vscode = installFakeVscode();
  const manifest = loadManifest(MODEL_FOLDER);
  const tokenizer = Tokenizer.load(path.join(MODEL_FOLDER, manifest.files.tokenizer));
  const engine = options.withEngine ? await InferenceEngine.load(MODEL_FOLDER, { threads: 1, log: silentLogger }) : undefined;
  const { architecture } = manifest;
  const model: ModelInfo = engine?.info ?? {
    name: manifest.name,
    folder: MODEL_FOLDER,
    domains: manifest.domains,
    experts: manifest.experts,
    layers: architecture.layers,
    expertsPerLayer: architecture.expertsPerLayer,
    defaultTopK: architecture.defaultTopK,
    maxContext: architecture.maxContext,
    trainedContext: architecture.trainedContext,
  };

  // These modules import `vscode`, so they load only after the fake is installed.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const modules: FuzzEnvironment['modules'] = {
    readDocumentContext: (require('../../../src/completion/documentContext') as typeof import('../../../src/completion/documentContext')).readDocumentContext,
    ExpertCompletionProvider: (require('../../../src/completion/provider') as typeof import('../../../src/completion/provider')).ExpertCompletionProvider,
    CompletionEvents: (require('../../../src/completion/events') as typeof import('../../../src/completion/events')).CompletionEvents,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */

  return { vscode, tokenizer, manifest, model, engine, modules };
}
