// `expert-activation demo`: route and complete each bundled sample document.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { InferenceEngine } from '../engine/inferenceEngine';
import type { CompletionResult, GenerationOptions, ModelInfo, RoutingOptions, RoutingTrace } from '../engine/protocol';
import { activeExperts, formatDomain, formatLabels, formatPosterior, type ActiveExpert } from './format';

const PROMPT_PREVIEW_CHARS = 60;

export interface DemoSample {
  file: string;
  /** The domain the file name implies, such as legal for legal.txt and code for code.py. */
  expectedDomain: string;
  text: string;
  /** Where the demo requests a completion: in the middle of a line about 60% into the file. */
  offset: number;
}

export function loadSamples(folder: string): DemoSample[] {
  const files = readdirSync(folder).filter((name) => !name.startsWith('.')).sort();
  return files.map((name) => {
    const text = readFileSync(path.join(folder, name), 'utf8');
    const stem = path.parse(name).name;
    return { file: path.join(folder, name), expectedDomain: stem, text, offset: completionOffset(text) };
  });
}

/**
 * Picks a deterministic cut about halfway into the first long line past 60% of the text: before
 * a space that follows a word, not the end of a sentence or clause, so a completion has a phrase to finish.
 */
export function completionOffset(text: string): number {
  let lineStart = text.indexOf('\n', Math.floor(text.length * 0.6)) + 1;
  while (lineStart > 0 && lineStart < text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    if (line.trim().length >= 30) {
      const midPhrase = / (?<=[\p{L}\p{N}] )/gu;
      midPhrase.lastIndex = Math.floor(line.length / 2);
      const space = midPhrase.exec(line)?.index ?? -1;
      if (space > 0) return lineStart + space;
    }
    if (lineEnd < 0) break;
    lineStart = lineEnd + 1;
  }
  return text.length;
}

/** One sample's outcome, the shape `demo --json` prints. */
export interface DemoSampleResult {
  file: string;
  expectedDomain: string;
  domain: string;
  confidence: number;
  source: string;
  posterior: Record<string, number>;
  experts: ActiveExpert[];
  offset: number;
  completion: string;
  stopReason: string;
  routeMs: number;
  timing: CompletionResult['timing'];
}

/** Routes and completes every sample. Prints a block per sample as it finishes, or one JSON object at the end. */
export async function runDemo(
  engine: InferenceEngine,
  samples: DemoSample[],
  routing: RoutingOptions,
  generation: (file: string) => GenerationOptions,
  output: { json: boolean; write(text: string): void },
): Promise<void> {
  const results: DemoSampleResult[] = [];
  if (!output.json) {
    output.write(`Model ${engine.info.name}: ${engine.info.layers} layers x ${engine.info.expertsPerLayer} experts, domains ${engine.info.domains.join(', ')}\n`);
  }

  for (const sample of samples) {
    const prefix = sample.text.slice(0, sample.offset);
    const routeStarted = Date.now();
    const trace = await engine.route({ documentKey: sample.file, prefix, routing });
    const routeMs = Date.now() - routeStarted;
    const result = await engine.complete({ documentKey: sample.file, prefix, suffix: sample.text.slice(sample.offset), routing, generation: generation(sample.file) });
    const { domain, confidence, source, posterior } = trace.domain;
    results.push({
      file: sample.file,
      expectedDomain: sample.expectedDomain,
      domain,
      confidence,
      source,
      posterior,
      experts: activeExperts(trace, engine.info, 8),
      offset: sample.offset,
      completion: result.completion,
      stopReason: result.stopReason,
      routeMs,
      timing: result.timing,
    });
    if (!output.json) output.write(sampleText(sample, prefix, trace, result, routeMs, engine.info));
  }

  const detected = results.filter((result) => result.domain === result.expectedDomain).length;
  if (output.json) output.write(`${JSON.stringify({ model: engine.info.name, samples: results, detected, total: results.length })}\n`);
  else output.write(`\nDomain detected as the file name says: ${detected} of ${samples.length} samples.\n`);
}

function sampleText(sample: DemoSample, prefix: string, trace: RoutingTrace, result: CompletionResult, routeMs: number, model: ModelInfo): string {
  const { timing } = result;
  const tokensPerSecond = timing.generatedTokens > 0 ? Math.round((1000 * timing.generatedTokens) / Math.max(1, timing.totalMs)) : 0;
  const preview = prefix.slice(-PROMPT_PREVIEW_CHARS).replace(/\s+/g, ' ');
  return [
    '',
    path.basename(sample.file),
    `  domain      ${formatDomain(trace.domain)}; posterior ${formatPosterior(trace.domain.posterior)}`,
    `  experts     ${formatLabels(trace, model)}  (share of top-k slots over the context)`,
    `  prompt      …${preview}`,
    `  completion  ${JSON.stringify(result.completion)}  (${result.stopReason})`,
    `  time        route ${routeMs} ms; complete ${timing.totalMs} ms, ${timing.generatedTokens} tokens, ${tokensPerSecond} tokens/s`,
    '',
  ].join('\n');
}
