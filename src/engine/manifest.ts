// Reading and checking manifest.json, the description of a model folder (models/FORMAT.md).

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describeError, engineError } from './errors';
import type { ExpertInfo } from './protocol';

export const MANIFEST_FILE = 'manifest.json';
const SUPPORTED_FORMAT_VERSION = 1;

export interface Architecture {
  layers: number;
  heads: number;
  headDim: number;
  modelDim: number;
  vocabSize: number;
  expertsPerLayer: number;
  defaultTopK: number;
  maxTopK: number;
  trainedContext: number;
  maxContext: number;
}

export interface Manifest {
  formatVersion: number;
  name: string;
  files: { model: string; tokenizer: string; impact?: string; reference?: string };
  domains: string[];
  architecture: Architecture;
  experts: ExpertInfo[];
  specialTokens: { endOfText: number };
  inputs: { inputIds: string; pastKeyValues: string; routingBias: string; topK: string; topP: string };
  outputs: { logits: string; presentKeyValues: string; routerProbs: string; expertWeights: string };
}

const ARCHITECTURE_FIELDS: Array<keyof Architecture> = [
  'layers', 'heads', 'headDim', 'modelDim', 'vocabSize', 'expertsPerLayer', 'defaultTopK', 'maxTopK', 'trainedContext', 'maxContext',
];
const INPUT_FIELDS = ['inputIds', 'pastKeyValues', 'routingBias', 'topK', 'topP'] as const;
const OUTPUT_FIELDS = ['logits', 'presentKeyValues', 'routerProbs', 'expertWeights'] as const;

/** Reads and checks `folder/manifest.json`; problems are `model-missing`, `model-corrupt` or `model-mismatch` errors. */
export function loadManifest(folder: string): Manifest {
  const file = path.join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw engineError('model-missing', `The model manifest ${file} cannot be read: ${describeError(error)}`, {
      subject: file,
      action: 'Choose a model folder that contains manifest.json, tokenizer.json and model.onnx.',
    });
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw engineError('model-corrupt', `The model manifest ${file} is not valid JSON: ${describeError(error)}`, {
      subject: file,
      action: 'Restore manifest.json from the exported model folder.',
    });
  }

  const problem = findManifestProblem(data);
  if (problem !== undefined) {
    throw engineError('model-mismatch', `The model manifest ${file} is invalid: ${problem}`, {
      subject: file,
      action: 'Use a model folder exported in format version 1 (models/FORMAT.md), or restore its manifest.json.',
    });
  }
  return data as Manifest;
}

function findManifestProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'the top level is not an object';

  if (data.formatVersion !== SUPPORTED_FORMAT_VERSION) {
    return `"formatVersion" is ${JSON.stringify(data.formatVersion)}, this engine reads ${SUPPORTED_FORMAT_VERSION}`;
  }
  if (typeof data.name !== 'string' || data.name === '') return '"name" is not a non-empty string';
  if (!isObject(data.files) || typeof data.files.model !== 'string' || typeof data.files.tokenizer !== 'string') {
    return '"files" must name "model" and "tokenizer"';
  }

  const domains = data.domains;
  if (!Array.isArray(domains) || domains.length === 0 || !domains.every((domain) => typeof domain === 'string' && domain !== '')) {
    return '"domains" is not a non-empty list of names';
  }
  if (new Set(domains).size !== domains.length) return '"domains" lists a domain twice';

  const architecture = data.architecture;
  if (!isObject(architecture)) return '"architecture" is not an object';
  for (const field of ARCHITECTURE_FIELDS) {
    if (!Number.isInteger(architecture[field]) || (architecture[field] as number) <= 0) {
      return `"architecture.${field}" is ${JSON.stringify(architecture[field])}, expected a positive integer`;
    }
  }
  const { layers, expertsPerLayer, defaultTopK, maxTopK, trainedContext, maxContext } = architecture as unknown as Architecture;
  if (maxTopK > expertsPerLayer || defaultTopK > maxTopK) {
    return `top-k limits are inconsistent: defaultTopK ${defaultTopK}, maxTopK ${maxTopK}, expertsPerLayer ${expertsPerLayer}`;
  }
  if (trainedContext > maxContext) return `"trainedContext" ${trainedContext} exceeds "maxContext" ${maxContext}`;

  const expertsProblem = findExpertsProblem(data.experts, domains as string[], layers, expertsPerLayer);
  if (expertsProblem !== undefined) return expertsProblem;

  if (!isObject(data.specialTokens) || !Number.isInteger(data.specialTokens.endOfText)) return '"specialTokens.endOfText" is not an integer';
  if (!isObject(data.inputs) || !INPUT_FIELDS.every((field) => typeof (data.inputs as Record<string, unknown>)[field] === 'string')) {
    return `"inputs" must name ${INPUT_FIELDS.join(', ')}`;
  }
  if (!isObject(data.outputs) || !OUTPUT_FIELDS.every((field) => typeof (data.outputs as Record<string, unknown>)[field] === 'string')) {
    return `"outputs" must name ${OUTPUT_FIELDS.join(', ')}`;
  }
  return undefined;
}

function findExpertsProblem(experts: unknown, domains: string[], layers: number, expertsPerLayer: number): string | undefined {
  const expected = layers * expertsPerLayer;
  if (!Array.isArray(experts)) return '"experts" is not a list';
  if (experts.length !== expected) {
    return `"experts" lists ${experts.length} experts, but ${layers} layers of ${expertsPerLayer} experts make ${expected}`;
  }

  const ids = new Set<string>();
  const slots = new Set<string>();
  for (const expert of experts) {
    if (!isObject(expert) || typeof expert.id !== 'string' || typeof expert.label !== 'string') {
      return `expert ${JSON.stringify(expert)} needs a string "id" and "label"`;
    }
    const { id, layer, index, domain } = expert;
    if (!Number.isInteger(layer) || (layer as number) < 0 || (layer as number) >= layers) return `expert ${id} has layer ${String(layer)}, expected 0 to ${layers - 1}`;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= expertsPerLayer) {
      return `expert ${id} has index ${String(index)}, expected 0 to ${expertsPerLayer - 1}`;
    }
    if (typeof domain !== 'string' || !domains.includes(domain)) return `expert ${id} has domain ${JSON.stringify(domain)}, which "domains" does not list`;
    if (ids.has(id)) return `expert id ${id} appears twice`;
    const slot = `${String(layer)}/${String(index)}`;
    if (slots.has(slot)) return `two experts share layer ${String(layer)} index ${String(index)}`;
    ids.add(id);
    slots.add(slot);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
