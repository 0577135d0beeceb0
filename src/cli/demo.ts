// `expert-activation demo`: route and complete each bundled sample document.

import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { InferenceEngine } from '../engine/inferenceEngine';
import type { GenerationOptions, RoutingOptions } from '../engine/protocol';
import { formatLabels, formatPosterior } from './format';

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

/** Picks a deterministic cut: after a word, about halfway into the first long line past 60% of the text. */
export function completionOffset(text: string): number {
  let lineStart = text.indexOf('\n', Math.floor(text.length * 0.6)) + 1;
  while (lineStart > 0 && lineStart < text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    if (line.trim().length >= 30) {
      const space = line.indexOf(' ', Math.floor(line.length / 2));
      if (space > 0) return lineStart + space;
    }
    if (lineEnd < 0) break;
    lineStart = lineEnd + 1;
  }
  return text.length;
}

export async function runDemo(
  engine: InferenceEngine,
  samples: DemoSample[],
  routing: RoutingOptions,
  generation: (file: string) => GenerationOptions,
  write: (text: string) => void,
): Promise<void> {
  let correct = 0;
  write(`Model ${engine.info.name}: ${engine.info.layers} layers x ${engine.info.expertsPerLayer} experts, domains ${engine.info.domains.join(', ')}\n`);

  for (const sample of samples) {
    const prefix = sample.text.slice(0, sample.offset);
    const routeStarted = Date.now();
    const trace = await engine.route({ documentKey: sample.file, prefix, routing });
    const routeMs = Date.now() - routeStarted;
    const result = await engine.complete({ documentKey: sample.file, prefix, suffix: sample.text.slice(sample.offset), routing, generation: generation(sample.file) });
    if (trace.domain.domain === sample.expectedDomain) correct += 1;

    const { timing } = result;
    const tokensPerSecond = timing.generatedTokens > 0 ? Math.round((1000 * timing.generatedTokens) / Math.max(1, timing.totalMs)) : 0;
    const preview = prefix.slice(-PROMPT_PREVIEW_CHARS).replace(/\s+/g, ' ');
    write(
      [
        '',
        path.basename(sample.file),
        `  domain      ${trace.domain.domain} (confidence ${trace.domain.confidence.toFixed(2)}, ${trace.domain.source}); posterior ${formatPosterior(trace.domain.posterior)}`,
        `  experts     ${formatLabels(trace, engine.info)}  (share of top-k slots over the context)`,
        `  prompt      …${preview}`,
        `  completion  ${JSON.stringify(result.completion)}  (${result.stopReason})`,
        `  time        route ${routeMs} ms; complete ${timing.totalMs} ms, ${timing.generatedTokens} tokens, ${tokensPerSecond} tokens/s`,
        '',
      ].join('\n'),
    );
  }
  write(`\nDomain detected as the file name says: ${correct} of ${samples.length} samples.\n`);
}
