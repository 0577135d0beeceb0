// docs/EVALUATION.md from the results of `npm run eval`.

import type { RoutingOptions } from '../../src/engine/protocol';
import { VARIANT_LABELS, type VariantId } from './completionModels';
import type { CompletionSample } from './evalCompletion';
import { CONDITION_LABELS, CONDITIONS } from './evalCounterfactual';
import type { ScoredVariant } from './evalLanguage';
import { DETECTION_CHECKPOINTS, formatPercent, formatSigned, type CompletionFigures, type CounterfactualSummary, type DetectionSummary, type PerplexityFigures } from './evalSummary';
import { PHRASE_MAX_WORDS, TYPING_SEGMENT_MAX_CHARS } from './heldout';
import { loadLine, machineLine, type MachineInfo } from './machine';

export interface EvaluationResults {
  command: string;
  /** True for --quick runs, whose figures only show that the script works. */
  preliminary: boolean;
  elapsedSeconds: number;
  phaseSeconds: Record<string, number>;
  machine: MachineInfo;
  model: { folder: string; name: string; training?: unknown };
  settings: {
    documentsPerDomain: number;
    casesPerDocument: number;
    typingSegmentsPerDocument: number;
    maxWindowsPerDocument: number | 'all';
    contextTokens: number;
    stride: number;
    maxNewTokens: number;
    routing: RoutingOptions;
    threads: number;
  };
  /** Variants left out, with the reason. */
  missing: Partial<Record<VariantId, string>>;
  documents: Record<string, number>;
  detection: {
    moe: DetectionSummary;
    ngram?: DetectionSummary;
    engineAgreement: { agreed: number; documents: number };
  };
  perplexity: Record<ScoredVariant, Record<string, PerplexityFigures>>;
  completion: Partial<Record<VariantId, Record<string, CompletionFigures>>>;
  completionSamples: Partial<Record<VariantId, CompletionSample[]>>;
  counterfactual: CounterfactualSummary | { skipped: string };
}

const SCORED_LABELS: Record<ScoredVariant, string> = {
  'moe-routed': VARIANT_LABELS['moe-routed'],
  'moe-plain': VARIANT_LABELS['moe-plain'],
  'moe-pinned': 'MoE, domain pinned to the true domain',
  dense: VARIANT_LABELS.dense,
  ngram: VARIANT_LABELS.ngram,
};

export function renderEvaluationReport(results: EvaluationResults): string {
  const domains = Object.keys(results.documents);
  const sections = [
    header(results),
    method(results, domains),
    detectionSection(results, domains),
    completionSection(results, domains),
    perplexitySection(results, domains),
    counterfactualSection(results),
    limitations(),
  ];
  return `${sections.join('\n\n')}\n`;
}

function header(results: EvaluationResults): string {
  const lines = ['# Evaluation', ''];
  if (results.preliminary) {
    lines.push(
      '> **Preliminary.** These figures come from a `--quick` run (a few documents and cases per domain), which only shows that the',
      '> measurement runs end to end. They are not a result: rerun `npm run eval` without `--quick` for the figures to quote.',
      '',
    );
  }
  const training = describeTraining(results.model.training);
  lines.push(
    `Produced by \`${results.command}\` in ${results.elapsedSeconds} s (${Object.entries(results.phaseSeconds).map(([phase, seconds]) => `${phase} ${seconds} s`).join(', ')}).`,
    '',
    `- Model: \`${results.model.folder}\` (${results.model.name}${training})`,
    `- Machine: ${machineLine(results.machine)}`,
    `- Load: ${loadLine(results.machine)}`,
  );
  return lines.join('\n');
}

function method(results: EvaluationResults, domains: string[]): string {
  const { settings } = results;
  const counts = domains.map((domain) => `${results.documents[domain]} ${domain}`).join(', ');
  const missing = Object.entries(results.missing).map(([variant, reason]) => `- ${VARIANT_LABELS[variant as VariantId]} is left out: ${reason}.`);
  return [
    '## What was measured',
    '',
    `Held-out documents from \`test/fixtures/heldout/\` (${counts}; see its SOURCES.md), taken from the validation splits that training never saw.`,
    '',
    'The variants:',
    '',
    `- **${VARIANT_LABELS['moe-routed']}**: the engine as shipped (\`routing.mode\` \`auto\`, bias strength ${settings.routing.biasStrength}, minConfidence ${settings.routing.minConfidence}, top-${settings.routing.topK}). The context runs unbiased and detects the domain, and the prediction is rerun with that domain's bias.`,
    `- **${VARIANT_LABELS['moe-plain']}**: the same model with \`routing.mode\` \`off\`.`,
    `- **${VARIANT_LABELS.dense}**: \`baseline-dense.onnx\`, trained by the pipeline on the same batches.`,
    `- **${VARIANT_LABELS.ngram}**: \`baseline-ngram.json\` from \`models/training/ngram.py\`, trained on the same training split and pruned to 150 KB.`,
    ...missing,
    '',
    `Perplexity is teacher-forced over windows of ${settings.contextTokens} tokens that advance by ${settings.stride}, so each token after the first window has at least ${settings.contextTokens - settings.stride} tokens of context (${settings.maxWindowsPerDocument === 'all' ? 'all windows' : `the first ${settings.maxWindowsPerDocument} windows`} of each document). Completions are greedy, at most ${settings.maxNewTokens} new tokens, with the engine's stop rules: \`line\` for code, \`sentence\` for prose. Baselines without an engine use the same context window, token healing and stop rules. ${settings.threads} onnxruntime threads.`,
  ].join('\n');
}

function detectionSection(results: EvaluationResults, domains: string[]): string {
  const { moe, ngram, engineAgreement } = results.detection;
  const checkpoints = DETECTION_CHECKPOINTS.map((tokens) => `after ${tokens}`);
  const row = (label: string, summary: DetectionSummary | undefined, how: string) =>
    summary === undefined
      ? `| ${label} | ${how} | n/a | n/a | n/a | ${checkpoints.map(() => 'n/a').join(' | ')} | n/a |`
      : `| ${label} | ${how} | ${formatPercent(summary.accuracy)} | ${summary.macroF1.toFixed(3)} | ${summary.routedAccuracy === undefined ? 'n/a' : formatPercent(summary.routedAccuracy)} | ${DETECTION_CHECKPOINTS.map((tokens) => formatPercent(summary.accuracyAfterTokens[String(tokens)])).join(' | ')} | ${formatTokenCount(summary.settling.medianTokens)} / ${formatTokenCount(summary.settling.p90Tokens)} |`;

  return [
    '## Domain detection',
    '',
    `Each document's first ${results.settings.contextTokens - 1} tokens. Accuracy and macro-F1 are for the decision after all of them; "routed" counts the domain the engine routes by, which falls back to \`general\` below minConfidence ${results.settings.routing.minConfidence}. "Settles after" is the number of tokens after which the decision no longer changes (median / 90th percentile).`,
    '',
    `| variant | detector | accuracy | macro-F1 | routed | ${checkpoints.join(' | ')} | settles after (tokens) |`,
    `|---|---|---|---|---|${checkpoints.map(() => '---|').join('')}---|`,
    row(VARIANT_LABELS['moe-routed'], moe, 'router mass per domain, averaged over the context'),
    row(VARIANT_LABELS['moe-plain'], moe, 'the same router (identical by construction)'),
    row(VARIANT_LABELS.dense, undefined, 'not applicable: no router'),
    row(VARIANT_LABELS.ngram, ngram, 'per-domain unigram likelihood'),
    '',
    'The router probabilities are taken before any bias and the context pass is unbiased in both MoE modes, so their detection is the same.',
    'The dense model has no router, and the pipeline trains no dense model per domain, so it gets no detection.',
    `The n-gram row uses a naive Bayes classifier over per-domain unigram counts stored in \`baseline-ngram.json\`. This script's replica of the engine's detection agreed with \`engine.route\` on ${engineAgreement.agreed} of ${engineAgreement.documents} documents.`,
    '',
    confusionTable('MoE router', moe, domains),
    ...(ngram === undefined ? [] : ['', confusionTable('n-gram classifier', ngram, domains)]),
  ].join('\n');
}

function confusionTable(label: string, summary: DetectionSummary, domains: string[]): string {
  return [
    `Confusion matrix, ${label} (rows: true domain, columns: detected):`,
    '',
    `| | ${domains.join(' | ')} |`,
    `|---|${domains.map(() => '---|').join('')}`,
    ...summary.confusion.rows.map((row, i) => `| ${domains[i]} | ${row.join(' | ')} |`),
  ].join('\n');
}

function completionSection(results: EvaluationResults, domains: string[]): string {
  const variants = Object.keys(results.completion) as VariantId[];
  const overall = variants.map((variant) => {
    const figures = results.completion[variant]?.all;
    if (figures === undefined) return '';
    return `| ${VARIANT_LABELS[variant]} | ${formatPercent(figures.exactMatch)} | ${figures.editSimilarity.toFixed(3)} | ${formatPercent(figures.keystrokesSaved)} | ${figures.cases} | ${figures.typedCharacters} | ${figures.acceptances} / ${figures.requests} |`;
  });
  const perDomain = (measure: 'exactMatch' | 'editSimilarity' | 'keystrokesSaved', format: (value: number) => string) =>
    variants.map((variant) => `| ${VARIANT_LABELS[variant]} | ${domains.map((domain) => format(results.completion[variant]?.[domain]?.[measure] ?? Number.NaN)).join(' | ')} |`);
  const domainHeader = [`| variant | ${domains.join(' | ')} |`, `|---|${domains.map(() => '---|').join('')}`];

  return [
    '## Completion quality',
    '',
    `Code cases start where a line's text starts and expect the rest of the line. Prose cases start after a word and expect the next phrase: up to the first \`, ; : . ! ?\`, the line end or ${PHRASE_MAX_WORDS} words, whichever comes first; the completion is cut the same way before comparing. Exact match compares the strings without trailing whitespace, and edit similarity is 1 - Levenshtein distance / longer length.`,
    '',
    `Keystrokes saved: a simulated user types up to ${TYPING_SEGMENT_MAX_CHARS} characters of a line, pausing after every word. At each pause and after each acceptance the model suggests, and the user presses Tab only when the whole suggestion equals the text that really follows. Saved = 1 - (typed characters + Tabs) / characters.`,
    '',
    '| variant | exact match | edit similarity | keystrokes saved | cases | typed characters | accepted / suggested |',
    '|---|---|---|---|---|---|---|',
    ...overall,
    '',
    'Exact match per domain:',
    '',
    ...domainHeader,
    ...perDomain('exactMatch', formatPercent),
    '',
    'Edit similarity per domain:',
    '',
    ...domainHeader,
    ...perDomain('editSimilarity', (value) => value.toFixed(3)),
    '',
    'Keystrokes saved per domain:',
    '',
    ...domainHeader,
    ...perDomain('keystrokesSaved', formatPercent),
  ].join('\n');
}

function perplexitySection(results: EvaluationResults, domains: string[]): string {
  const columns = [...domains, 'all'];
  const variants = Object.keys(results.perplexity) as ScoredVariant[];
  const available = variants.filter((variant) => !(variant in results.missing));
  return [
    '## Perplexity per domain',
    '',
    'Token perplexity (all four models share the tokenizer), with bits per byte in brackets. The pinned row biases every position towards the document\'s true domain, as a pin or a file rule does.',
    '',
    `| variant | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---|').join('')}`,
    ...available.map(
      (variant) =>
        `| ${SCORED_LABELS[variant]} | ${columns.map((domain) => `${results.perplexity[variant][domain].perplexity.toFixed(1)} (${results.perplexity[variant][domain].bitsPerByte.toFixed(3)})`).join(' | ')} |`,
    ),
    '',
    `Scored tokens: ${columns.map((domain) => `${domain} ${results.perplexity['moe-plain'][domain].tokens}`).join(', ')}.`,
  ].join('\n');
}

function counterfactualSection(results: EvaluationResults): string {
  const summary = results.counterfactual;
  const lines = ['## Counterfactual routing (awakening)', ''];
  if ('skipped' in summary) {
    lines.push(`Not measured: ${summary.skipped}. The pipeline's evaluate stage writes impact.json; rerun \`npm run eval\` once the model folder has it. Until then the default stays off.`);
    return lines.join('\n');
  }

  const thresholds = Object.entries(summary.thresholds)
    .map(([domain, value]) => `${domain} ${value}`)
    .join(', ');
  lines.push(
    `**${summary.verdict}**`,
    '',
    `Measured on the ${formatPercent(summary.hardShare)} of scored tokens per domain where the routed MoE's next-token entropy is highest (${summary.tokens} tokens; entropy thresholds in nats: ${thresholds}). Every condition starts from the engine's routed state for the same token. Next-word accuracy counts a word when greedy decoding under the condition reproduces all its tokens (words of up to 6 tokens that start at a measured token).`,
    '',
    `- **Engine rule** is \`RoutingOptions.counterfactual\` on with strength ${summary.strength}: a token is rerun with the swap only when its entropy exceeds (1 - strength) x ln V nats. It changed the routing of ${formatPercent(summary.awakenedShare)} of these tokens.`,
    `- **Every selected token** applies the same swap regardless of entropy (strength 1); it changed the routing of ${formatPercent(summary.forcedAwakenedShare)} of them.`,
    `- Awakening can only wake an unselected expert of the routed domain. In ${formatPercent(summary.noDormantDomainExpertShare)} of the measured tokens' layers, all of that domain's experts had already run.`,
    `- **Random routing** picks top-k experts per layer uniformly, by a routing bias that lifts them above the others (${formatPercent(summary.randomSelectionsAsDrawn)} of its layer selections came out as drawn).`,
    '- **Random swap** changes the same layers as forced awakening does, but swaps a random selected expert for a random unselected one; where awakening finds nothing to swap, it equals "off".',
    '',
    '| condition | mean log-likelihood (nats) | vs off, per token [95% interval] | next-token accuracy | next-word accuracy (words) |',
    '|---|---|---|---|---|',
    ...CONDITIONS.map((id) => {
      const figures = summary.conditions[id];
      const versus = figures.logLikelihoodVersusOff;
      const difference = versus === undefined ? '-' : `${formatSigned(versus.mean)} [${formatSigned(versus.low)}, ${formatSigned(versus.high)}]`;
      return `| ${CONDITION_LABELS[id]} | ${figures.meanLogLikelihood.toFixed(3)} | ${difference} | ${formatPercent(figures.tokenAccuracy)} | ${formatPercent(figures.nextWordAccuracy)} (${figures.words}) |`;
    }),
    '',
    `Verdict rule: awakening counts as helping only when the 95% interval of its log-likelihood gain over "off" lies above 0 and its next-word accuracy is not lower. ${summary.awakeningHelps ? 'That holds here.' : 'That does not hold here, so `expertActivation.routing.counterfactual.enabled` stays off by default.'}`,
  );
  return lines.join('\n');
}

function limitations(): string {
  return [
    '## Limits of these figures',
    '',
    '- The held-out set is small (15 documents per domain at most), so differences of a few points between variants are within noise; the counterfactual table gives intervals for that reason.',
    '- Perplexity gives each token at least half a window of context rather than the engine\'s full window, and detection reads only the first window of each document.',
    '- The n-gram baseline is pruned to fit the model folder\'s size budget; an unpruned trigram model would score better.',
    '- The simulated user accepts only whole suggestions; VS Code also accepts word by word, which would save more keystrokes for every variant.',
  ].join('\n');
}

function describeTraining(training: unknown): string {
  if (typeof training !== 'object' || training === null) return '';
  const { step, tokens } = training as { step?: number; tokens?: number };
  const parts: string[] = [];
  if (typeof step === 'number') parts.push(`step ${step}`);
  if (typeof tokens === 'number') parts.push(`${tokens.toLocaleString('en-US')} training tokens`);
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}

/** Formats a token count that may be a percentile between two counts, such as 71.1. */
function formatTokenCount(tokens: number): string {
  return Number.isInteger(tokens) ? String(tokens) : tokens.toFixed(1);
}
