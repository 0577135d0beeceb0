// Per-domain perplexity and domain detection on the held-out documents, teacher-forced, for the
// MoE (routed as the engine routes, with the bias off, and pinned to the true domain), the dense
// baseline and the n-gram.

import { emptyKv } from '../../src/engine/kvCache';
import { entropyOfLogits } from '../../src/engine/sampling';
import type { Tokenizer } from '../../src/engine/tokenizer';
import type { DenseModel } from './denseModel';
import type { HeldoutDocument } from './heldout';
import { logProbabilityOf, type MoeScorer } from './moeScoring';
import type { NgramModel } from './ngramModel';
import { scoringWindows, type ScoringWindow } from './windows';

export type ScoredVariant = 'moe-routed' | 'moe-plain' | 'moe-pinned' | 'dense' | 'ngram';
export const SCORED_VARIANTS: ScoredVariant[] = ['moe-routed', 'moe-plain', 'moe-pinned', 'dense', 'ngram'];

export interface LanguageSettings {
  contextTokens: number;
  stride: number;
  /** Windows scored per document; the first ones are kept. */
  maxWindows: number;
}

/** A scored position where the routed MoE predicted, with its next-token entropy. */
export interface ScoredPosition {
  window: number;
  position: number;
  entropy: number;
}

export interface DocumentLanguageResult {
  document: HeldoutDocument;
  ids: number[];
  windows: ScoringWindow[];
  /** Negative log-likelihood in nats summed over the scored tokens, per variant. */
  negativeLogLikelihood: Record<ScoredVariant, number>;
  /** Scored tokens, and their UTF-8 bytes. */
  tokens: number;
  bytes: number;
  /** Detected domain after each of the first window's tokens (entry k: after k + 1 tokens). */
  moeDecisions: string[];
  /** The domain the routed MoE used after the whole first window (general below minConfidence). */
  moeRoutedDomain: string;
  ngramDecisions: string[];
  positions: ScoredPosition[];
}

export interface LanguageModels {
  tokenizer: Tokenizer;
  moe: MoeScorer;
  dense?: DenseModel;
  ngram?: NgramModel;
}

export async function scoreDocument(document: HeldoutDocument, models: LanguageModels, settings: LanguageSettings): Promise<DocumentLanguageResult> {
  const { tokenizer, moe, dense, ngram } = models;
  const endOfText = moe.model.manifest.specialTokens.endOfText;
  const vocabSize = moe.model.manifest.architecture.vocabSize;
  const ids = tokenizer.encode(document.text);
  const sequence = [endOfText, ...ids];
  const windows = scoringWindows(ids, endOfText, settings.contextTokens, settings.stride).slice(0, settings.maxWindows);
  const negativeLogLikelihood: Record<ScoredVariant, number> = { 'moe-routed': 0, 'moe-plain': 0, 'moe-pinned': 0, dense: 0, ngram: 0 };
  const positions: ScoredPosition[] = [];
  let moeDecisions: string[] = [];
  let moeRoutedDomain = '';
  let tokens = 0;
  let bytes = 0;

  for (const [windowIndex, window] of windows.entries()) {
    const pass = await moe.contextPass(window);
    if (windowIndex === 0) {
      // Position 0 is end-of-text, so decisions start after the first real token.
      moeDecisions = window.inputs.slice(1).map((_, k) => moe.decidedDomain(pass, k + 1).detected);
      moeRoutedDomain = moe.decidedDomain(pass, window.inputs.length - 1).routed;
    }

    const pinned = await moe.pinnedPass(window, document.domain);
    const denseLogits = dense === undefined ? undefined : (await dense.run(window.inputs, emptyKv())).logits;

    for (let j = window.firstScored; j < window.inputs.length; j += 1) {
      const target = window.targets[j];
      tokens += 1;
      bytes += tokenizer.bytesOfToken(target).length;
      const routed = await moe.routedPrediction(pass, j);
      negativeLogLikelihood['moe-routed'] -= logProbabilityOf(routed.logits, target);
      negativeLogLikelihood['moe-plain'] -= logProbabilityOf(moe.logitsAt(pass.output, j), target);
      negativeLogLikelihood['moe-pinned'] -= logProbabilityOf(moe.logitsAt(pinned, j), target);
      if (denseLogits !== undefined) negativeLogLikelihood.dense -= logProbabilityOf(denseLogits.subarray(j * vocabSize, (j + 1) * vocabSize), target);
      if (ngram !== undefined) negativeLogLikelihood.ngram -= ngram.logProbabilityAt(sequence, window.start + j + 1);
      positions.push({ window: windowIndex, position: j, entropy: entropyOfLogits(routed.logits) });
    }
  }

  const firstWindowTokens = windows.length === 0 ? [] : windows[0].inputs.slice(1);
  return {
    document,
    ids,
    windows,
    negativeLogLikelihood,
    tokens,
    bytes,
    moeDecisions,
    moeRoutedDomain,
    ngramDecisions: ngram === undefined ? [] : ngram.classifier.decisions(firstWindowTokens),
    positions,
  };
}
