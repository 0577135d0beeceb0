// Large and odd documents against the activated extension and the real engine: a 50 MB
// document, a 1 MB single line and a binary file opened as text. Each request must send a
// bounded context to the worker and end with a result or a clear "not supported" outcome.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ActivatedExtension } from '../support/extensionHarness';
import { REPOSITORY_ROOT } from '../support/extensionHarness';
import { FakeTextDocument, Uri } from '../support/fakeVscode';
import { Random } from '../support/random';
import { sentRequests } from '../support/workerTap';

export interface LargeInput {
  name: string;
  languageId: string;
  text: () => string;
  /** Cursor offsets to request completions at, as fractions of the length (1 is the end). */
  cursors: number[];
}

export interface LargeInputFigures {
  name: string;
  documentChars: number;
  cursor: string;
  /** Milliseconds from the request to the provider's result. */
  elapsedMs: number;
  /** Longest prefix and suffix that this request sent to the worker, in characters; 0 when nothing was sent. */
  prefixCharsSent: number;
  suffixCharsSent: number;
  /** Tokens of the prompt that the engine ran, when it ran one. */
  promptTokens?: number;
  outcome: string;
}

const FIFTY_MB = 50 * 1000 * 1000;
const ONE_MB = 1000 * 1000;

/** Decodes random bytes as VS Code decodes a binary file forced open as UTF-8 text. */
function binaryAsText(bytes: number, seed: number): string {
  const random = new Random(seed);
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 1) data[i] = random.chance(0.2) ? 0 : random.int(0, 255);
  return new TextDecoder('utf-8').decode(data);
}

function sampleText(): string {
  return readFileSync(path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'samples', 'legal.txt'), 'utf8');
}

export const LARGE_INPUTS: LargeInput[] = [
  {
    name: '50 MB document',
    languageId: 'plaintext',
    text: () => {
      const sample = sampleText();
      return sample.repeat(Math.ceil(FIFTY_MB / sample.length)).slice(0, FIFTY_MB);
    },
    cursors: [1, 0.5, 0],
  },
  {
    name: '1 MB single line',
    languageId: 'javascript',
    text: () => {
      const unit = 'var a=1;function f(x){return x*2}';
      return unit.repeat(Math.ceil(ONE_MB / unit.length)).slice(0, ONE_MB);
    },
    cursors: [1, 0.5],
  },
  {
    name: 'binary file opened as text',
    languageId: 'plaintext',
    text: () => binaryAsText(ONE_MB, 7),
    cursors: [1, 0.5],
  },
];

export async function measureLargeInput(extension: ActivatedExtension, input: LargeInput): Promise<LargeInputFigures[]> {
  await extension.waitForEngine(['ready']);
  const text = input.text();
  const document = new FakeTextDocument(text, input.languageId, Uri.file(`/work/large/${input.name.replace(/\W+/g, '-')}-${Date.now()}`));
  const figures: LargeInputFigures[] = [];

  for (const fraction of input.cursors) {
    const offset = Math.floor(text.length * fraction);
    const editor = extension.host.showDocument(document, offset);
    const sentBefore = sentRequests.length;
    const completionsBefore = (await extension.state()).lastCompletion;

    const started = Date.now();
    await extension.complete(editor);
    const elapsedMs = Date.now() - started;

    const state = await extension.state();
    const documentKey = document.uri.toString();
    const sent = sentRequests.slice(sentBefore).filter((request) => request.kind === 'complete' && request.documentKey === documentKey);
    const outcome = state.lastOutcome;
    const ranPrompt = state.lastCompletion !== completionsBefore && state.lastCompletion?.documentUri === documentKey;
    figures.push({
      name: input.name,
      documentChars: text.length,
      cursor: describeCursor(fraction),
      elapsedMs,
      prefixCharsSent: Math.max(0, ...sent.map((request) => request.prefixLength)),
      suffixCharsSent: Math.max(0, ...sent.map((request) => request.suffixLength)),
      promptTokens: ranPrompt ? await promptTokens(extension) : undefined,
      outcome: describeOutcome(outcome),
    });
  }
  extension.host.closeDocument(document);
  return figures;
}

function describeCursor(fraction: number): string {
  if (fraction === 1) return 'end';
  if (fraction === 0) return 'start';
  return `${Math.round(fraction * 100)}%`;
}

function describeOutcome(outcome: { shown?: string; discardReason?: string } | undefined): string {
  if (outcome === undefined) return 'no outcome';
  if (outcome.shown !== undefined) return 'shown';
  return `discarded: ${outcome.discardReason}`;
}

/** Reads the prompt length of the last completion from the provider's debug log line. */
async function promptTokens(extension: ActivatedExtension): Promise<number | undefined> {
  const line = [...extension.log.at('debug')].reverse().find((message) => / prompt \d+ tokens/.test(message));
  const match = line === undefined ? null : / prompt (\d+) tokens/.exec(line);
  return match === null ? undefined : Number(match[1]);
}
