// The four variants the evaluation compares, behind one completion interface: the MoE through
// the engine with domain routing and with the bias off, the dense baseline and the n-gram.

import type { InferenceEngine } from '../../src/engine/inferenceEngine';
import type { GenerationOptions, RoutingOptions } from '../../src/engine/protocol';
import type { Tokenizer } from '../../src/engine/tokenizer';
import type { DenseModel } from './denseModel';
import { denseSource, greedyCompletion, ngramSource, type GreedyOptions } from './greedyCompletion';
import type { NgramModel } from './ngramModel';

export type VariantId = 'moe-routed' | 'moe-plain' | 'dense' | 'ngram';

export const VARIANT_LABELS: Record<VariantId, string> = {
  'moe-routed': 'MoE, domain routing',
  'moe-plain': 'MoE, domain bias off (plain top-k)',
  dense: 'Dense, same active parameters',
  ngram: 'Token trigram',
};

export interface CompletionModel {
  variant: VariantId;
  /** Greedy completion of `prefix`; `documentKey` lets the engine reuse the document's cache. */
  complete(documentKey: string, prefix: string, stopAt: GenerationOptions['stopAt']): Promise<string>;
}

export interface CompletionSettings {
  maxTokens: number;
  /** The engine's product defaults for routing; `mode` is set per variant. */
  routing: RoutingOptions;
}

/** No request of the evaluation should stop on time, so every variant completes the same way. */
const EVALUATION_TIME_BUDGET_MS = 60_000;

export function engineCompletionModel(engine: InferenceEngine, variant: 'moe-routed' | 'moe-plain', settings: CompletionSettings): CompletionModel {
  const routing: RoutingOptions = { ...settings.routing, mode: variant === 'moe-routed' ? 'auto' : 'off' };
  return {
    variant,
    async complete(documentKey, prefix, stopAt) {
      const result = await engine.complete({
        documentKey: `${variant}:${documentKey}`,
        prefix,
        suffix: '',
        routing,
        generation: { maxTokens: settings.maxTokens, temperature: 0, topP: 1, timeBudgetMs: EVALUATION_TIME_BUDGET_MS, stopAt },
      });
      return result.completion;
    },
  };
}

export function denseCompletionModel(model: DenseModel, tokenizer: Tokenizer, options: Omit<GreedyOptions, 'stopAt'>, vocabSize: number): CompletionModel {
  return {
    variant: 'dense',
    complete: (_documentKey, prefix, stopAt) => greedyCompletion(tokenizer, denseSource(model, vocabSize), prefix, { ...options, stopAt }),
  };
}

export function ngramCompletionModel(model: NgramModel, tokenizer: Tokenizer, options: Omit<GreedyOptions, 'stopAt'>): CompletionModel {
  return {
    variant: 'ngram',
    complete: (_documentKey, prefix, stopAt) => greedyCompletion(tokenizer, ngramSource(model), prefix, { ...options, stopAt }),
  };
}
