// Turns per-document results into the figures `npm run eval` reports.

import { CONDITIONS, type ConditionId, type CounterfactualMeasurement } from './evalCounterfactual';
import type { DocumentCompletionResult } from './evalCompletion';
import { SCORED_VARIANTS, type DocumentLanguageResult, type ScoredVariant } from './evalLanguage';
import { accuracy, confusionMatrix, macroF1, mean, meanWithInterval, pairedDifferences, percentile, round, settlingTokens, type Confusion, type MeanWithInterval } from './metrics';
import { keystrokesSaved } from './typing';

/** Token counts after which detection accuracy is reported, besides the whole first window. */
export const DETECTION_CHECKPOINTS = [8, 16, 32, 64, 128];

export interface DetectionSummary {
  documents: number;
  /** Over the whole first window (up to the context length). */
  accuracy: number;
  macroF1: number;
  confusion: Confusion;
  /** Accuracy after the first N tokens; documents shorter than N count with their last decision. */
  accuracyAfterTokens: Record<string, number>;
  settling: {
    /** Tokens after which the decision no longer changes within the first window. */
    medianTokens: number;
    p90Tokens: number;
    maxTokens: number;
  };
  /** The domain used for routing, which falls back to general below minConfidence. */
  routedAccuracy?: number;
}

export function summariseDetection(decisionsPerDocument: readonly string[][], labels: readonly string[], domains: readonly string[], routed?: readonly string[]): DetectionSummary {
  const finals = decisionsPerDocument.map((decisions) => decisions[decisions.length - 1] ?? domains[0]);
  const confusion = confusionMatrix(labels, finals, domains);
  const accuracyAfterTokens: Record<string, number> = {};
  for (const tokens of DETECTION_CHECKPOINTS) {
    const correct = decisionsPerDocument.filter((decisions, i) => decisions[Math.min(tokens, decisions.length) - 1] === labels[i]).length;
    accuracyAfterTokens[String(tokens)] = round(correct / Math.max(1, labels.length), 4);
  }
  const settling = decisionsPerDocument.map(settlingTokens);
  return {
    documents: labels.length,
    accuracy: round(accuracy(confusion), 4),
    macroF1: round(macroF1(confusion), 4),
    confusion,
    accuracyAfterTokens,
    settling: { medianTokens: percentile(settling, 50), p90Tokens: percentile(settling, 90), maxTokens: Math.max(0, ...settling) },
    routedAccuracy: routed === undefined ? undefined : round(routed.filter((domain, i) => domain === labels[i]).length / Math.max(1, labels.length), 4),
  };
}

export interface PerplexityFigures {
  perplexity: number;
  bitsPerByte: number;
  tokens: number;
}

export function summarisePerplexity(results: readonly DocumentLanguageResult[], domains: readonly string[]): Record<ScoredVariant, Record<string, PerplexityFigures>> {
  const summary = {} as Record<ScoredVariant, Record<string, PerplexityFigures>>;
  for (const variant of SCORED_VARIANTS) {
    summary[variant] = {};
    for (const domain of [...domains, 'all']) {
      const selected = results.filter((result) => domain === 'all' || result.document.domain === domain);
      const nll = selected.reduce((sum, result) => sum + result.negativeLogLikelihood[variant], 0);
      const tokens = selected.reduce((sum, result) => sum + result.tokens, 0);
      const bytes = selected.reduce((sum, result) => sum + result.bytes, 0);
      summary[variant][domain] = {
        perplexity: round(Math.exp(nll / Math.max(1, tokens)), 2),
        bitsPerByte: round(nll / Math.max(1, bytes) / Math.LN2, 4),
        tokens,
      };
    }
  }
  return summary;
}

export interface CompletionFigures {
  cases: number;
  exactMatch: number;
  editSimilarity: number;
  typedCharacters: number;
  keystrokesSaved: number;
  requests: number;
  acceptances: number;
}

export function summariseCompletions(results: ReadonlyArray<{ domain: string; result: DocumentCompletionResult }>, domains: readonly string[]): Record<string, CompletionFigures> {
  const summary: Record<string, CompletionFigures> = {};
  for (const domain of [...domains, 'all']) {
    const selected = results.filter((entry) => domain === 'all' || entry.domain === domain).map((entry) => entry.result);
    const samples = selected.flatMap((result) => result.samples);
    const typing = selected.flatMap((result) => result.typing);
    summary[domain] = {
      cases: samples.length,
      exactMatch: round(mean(samples.map((sample) => (sample.exact ? 1 : 0))), 4),
      editSimilarity: round(mean(samples.map((sample) => sample.similarity)), 4),
      typedCharacters: typing.reduce((sum, result) => sum + result.characters, 0),
      keystrokesSaved: round(keystrokesSaved(typing), 4),
      requests: typing.reduce((sum, result) => sum + result.requests, 0),
      acceptances: typing.reduce((sum, result) => sum + result.acceptances, 0),
    };
  }
  return summary;
}

export interface ConditionFigures {
  meanLogLikelihood: number;
  tokenAccuracy: number;
  nextWordAccuracy: number;
  words: number;
  /** Mean per-token log-likelihood difference from `off`, with its 95% interval. */
  logLikelihoodVersusOff?: MeanWithInterval;
}

export interface CounterfactualSummary {
  tokens: number;
  hardShare: number;
  strength: number;
  thresholds: Record<string, number>;
  conditions: Record<ConditionId, ConditionFigures>;
  awakenedShare: number;
  forcedAwakenedShare: number;
  /** Share of the measured tokens' layers where all of the routed domain's experts already ran. */
  noDormantDomainExpertShare: number;
  randomSelectionsAsDrawn: number;
  /** True only when awakening raises log-likelihood (interval above 0) without lowering next-word accuracy. */
  awakeningHelps: boolean;
  verdict: string;
}

export function summariseCounterfactual(measurement: CounterfactualMeasurement, hardShare: number, strength: number): CounterfactualSummary {
  const off = measurement.conditions.off;
  const conditions = {} as Record<ConditionId, ConditionFigures>;
  for (const id of CONDITIONS) {
    const totals = measurement.conditions[id];
    const versusOff = id === 'off' ? undefined : meanWithInterval(pairedDifferences(totals.logLikelihoods, off.logLikelihoods));
    conditions[id] = {
      meanLogLikelihood: round(mean(totals.logLikelihoods), 4),
      tokenAccuracy: round(totals.tokenHits / Math.max(1, measurement.tokens), 4),
      nextWordAccuracy: round(totals.wordHits / Math.max(1, totals.words), 4),
      words: totals.words,
      logLikelihoodVersusOff: versusOff === undefined ? undefined : roundInterval(versusOff),
    };
  }

  const awakening = conditions.awakening;
  const gain = awakening.logLikelihoodVersusOff;
  const helps = gain !== undefined && gain.low > 0 && awakening.nextWordAccuracy >= conditions.off.nextWordAccuracy;
  return {
    tokens: measurement.tokens,
    hardShare,
    strength,
    thresholds: Object.fromEntries(Object.entries(measurement.thresholds).map(([domain, value]) => [domain, round(value, 3)])),
    conditions,
    awakenedShare: round(measurement.awakenedTokens / Math.max(1, measurement.tokens), 4),
    forcedAwakenedShare: round(measurement.forcedAwakenedTokens / Math.max(1, measurement.tokens), 4),
    noDormantDomainExpertShare: round(measurement.layersWithoutDormantDomainExpert / Math.max(1, measurement.layers), 4),
    randomSelectionsAsDrawn: round(measurement.randomSelectionsAsDrawn / Math.max(1, measurement.randomSelections), 4),
    awakeningHelps: helps,
    verdict: counterfactualVerdict(conditions, helps, measurement),
  };
}

function counterfactualVerdict(conditions: Record<ConditionId, ConditionFigures>, helps: boolean, measurement: CounterfactualMeasurement): string {
  const awakening = conditions.awakening;
  const gain = awakening.logLikelihoodVersusOff;
  if (measurement.awakenedTokens === 0) {
    const full = formatPercent(measurement.layersWithoutDormantDomainExpert / Math.max(1, measurement.layers));
    return `Awakening does not help: it changed the routing of none of the measured tokens, so it cannot change a prediction. In ${full} of their layers every expert of the routed domain already ran, which leaves no dormant domain expert to wake. The default stays off.`;
  }
  const change = gain === undefined ? 'no change' : `${formatSigned(gain.mean)} nats per token (95% interval ${formatSigned(gain.low)} to ${formatSigned(gain.high)})`;
  const words = `next-word accuracy ${formatPercent(awakening.nextWordAccuracy)} against ${formatPercent(conditions.off.nextWordAccuracy)} without it`;
  if (helps) return `Awakening helps on these tokens: log-likelihood ${change}, ${words}.`;
  return `Awakening does not help: log-likelihood ${change}, ${words}. The default stays off.`;
}

function roundInterval(interval: MeanWithInterval): MeanWithInterval {
  return { mean: round(interval.mean, 4), low: round(interval.low, 4), high: round(interval.high, 4), count: interval.count };
}

export function formatSigned(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}

export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
