// Checks the files of the extension as code-server installed it from the VSIX: everything the
// extension reads at runtime is there, and what .vscodeignore leaves out is not.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const RUNTIME_FILES = [
  'package.json',
  'dist/extension.js',
  'dist/worker.js',
  'dist/cli.js',
  'dist/panel.js',
  'media/experts.svg',
  'media/panel.css',
  'models/expert-moe/manifest.json',
  'node_modules/onnxruntime-node/package.json',
  'node_modules/onnxruntime-node/dist/index.js',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'node_modules/onnxruntime-common/package.json',
  'node_modules/onnxruntime-common/dist/cjs/index.js',
];

const EXCLUDED_PATHS = [
  'src',
  'test',
  'out',
  'models/training',
  'models/expert-moe/baseline-dense.onnx',
  'models/expert-moe/baseline-ngram.json',
  'models/expert-moe/reference.json',
  'models/expert-moe/training.json',
  'dist/extension.js.map',
  'dist/worker.js.map',
  'node_modules/onnxruntime-node/bin/napi-v6/darwin',
  'node_modules/onnxruntime-node/bin/napi-v6/win32',
  'node_modules/onnxruntime-node/bin/napi-v6/linux/arm64',
  'node_modules/onnxruntime-node/script',
  'node_modules/adm-zip',
  'node_modules/global-agent',
  'node_modules/typescript',
  'node_modules/@vscode/vsce',
];

/**
 * Returns the folder of the installed extension in `extensionsDir`. code-server 4.100.3 names
 * it `<publisher>.<name>-<version>`, and the prefix match also accepts a `-<target>` suffix.
 */
export function findInstalledExtension(extensionsDir, { publisher, name, version }) {
  const prefix = `${publisher}.${name}-${version}`.toLowerCase();
  const entries = existsSync(extensionsDir) ? readdirSync(extensionsDir) : [];
  const match = entries.find((entry) => entry.toLowerCase().startsWith(prefix));
  if (!match) {
    throw new Error(
      `No folder starting with ${prefix} in ${extensionsDir} after the install. The folder contains: ${entries.join(', ') || 'nothing'}.`,
    );
  }
  return path.join(extensionsDir, match);
}

/**
 * Returns the problems found in the installed folder, an empty list when there are none.
 * The model's impact file is optional for the engine, so it is required only when the
 * repository's model folder has one.
 */
export function checkInstalledFiles(installedDir, repoModelDir) {
  const problems = [];

  for (const file of RUNTIME_FILES) {
    if (!existsSync(path.join(installedDir, file))) {
      problems.push(`missing ${file}`);
    }
  }

  const manifestPath = path.join(installedDir, 'models', 'expert-moe', 'manifest.json');
  if (existsSync(manifestPath)) {
    const { files } = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const modelFiles = [files.model, files.tokenizer];
    if (files.impact && existsSync(path.join(repoModelDir, files.impact))) {
      modelFiles.push(files.impact);
    }
    for (const file of modelFiles) {
      if (!existsSync(path.join(installedDir, 'models', 'expert-moe', file))) {
        problems.push(`missing models/expert-moe/${file}, which manifest.json names`);
      }
    }
  }

  for (const excluded of EXCLUDED_PATHS) {
    if (existsSync(path.join(installedDir, excluded))) {
      problems.push(`${excluded} is in the package, but .vscodeignore should leave it out`);
    }
  }

  return problems;
}

/** Returns the total size in bytes of the files under `dir`. */
export function folderSize(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      total += statSync(path.join(entry.parentPath, entry.name)).size;
    }
  }
  return total;
}
