// Runs many generated fuzz cases and collects the figures and the failures.

import { FuzzCaseFailure, runFuzzCase } from '../support/fuzzCases';
import type { FuzzEnvironment } from '../support/fuzzPipeline';
import { caseSeed } from '../support/random';

export interface FuzzOptions {
  /** The run's seed; case `i` uses `caseSeed(seed, i)`. */
  seed: number;
  cases: number;
  /** Index of the first case, to replay one case of a longer run. */
  firstCase?: number;
  /** Route every n-th case's last prefix with the real model; 0 never does. */
  routeEvery?: number;
  /** Stop after this many failures. */
  maxFailures?: number;
}

export interface FuzzFigures {
  seed: number;
  cases: number;
  /** Completion requests made: one per document plus one per edit. */
  steps: number;
  shownSteps: number;
  routedWithModel: number;
  maxDocumentLength: number;
  maxPrefixLength: number;
  elapsedMs: number;
  failures: Array<{ caseIndex: number; failure: FuzzCaseFailure }>;
}

export async function runFuzz(env: FuzzEnvironment, options: FuzzOptions): Promise<FuzzFigures> {
  const started = Date.now();
  const first = options.firstCase ?? 0;
  const figures: FuzzFigures = {
    seed: options.seed,
    cases: 0,
    steps: 0,
    shownSteps: 0,
    routedWithModel: 0,
    maxDocumentLength: 0,
    maxPrefixLength: 0,
    elapsedMs: 0,
    failures: [],
  };

  for (let index = first; index < first + options.cases; index += 1) {
    const routeWithModel = (options.routeEvery ?? 0) > 0 && index % (options.routeEvery as number) === 0;
    figures.cases += 1;
    try {
      const result = await runFuzzCase(env, caseSeed(options.seed, index), { routeWithModel });
      figures.steps += result.steps;
      figures.shownSteps += result.shown;
      figures.routedWithModel += result.routed;
      figures.maxDocumentLength = Math.max(figures.maxDocumentLength, result.maxDocumentLength);
      figures.maxPrefixLength = Math.max(figures.maxPrefixLength, result.maxPrefixLength);
    } catch (error) {
      if (!(error instanceof FuzzCaseFailure)) throw error;
      figures.failures.push({ caseIndex: index, failure: error });
      if (figures.failures.length >= (options.maxFailures ?? Infinity)) break;
    }
  }

  figures.elapsedMs = Date.now() - started;
  return figures;
}

/** Returns the command that replays one case of a run. */
export function replayCommand(seed: number, caseIndex: number): string {
  return `npm run stress -- fuzz --seed ${seed} --first-case ${caseIndex} --cases 1`;
}
