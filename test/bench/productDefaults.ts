// The extension's default settings (package.json `contributes.configuration`) that the
// evaluation and the benchmarks request with, so they measure what users get.

import type { RoutingOptions } from '../../src/engine/protocol';

/** Routing as the settings' defaults make it; `mode` is set per variant where it matters. */
export const PRODUCT_ROUTING: RoutingOptions = {
  mode: 'auto',
  biasStrength: 4,
  minConfidence: 0.5,
  topK: 2,
  topP: 1,
  disabledExperts: [],
  counterfactual: false,
  counterfactualStrength: 0.5,
};

/** `expertActivation.completions.maxTokens`. */
export const PRODUCT_MAX_TOKENS = 24;
