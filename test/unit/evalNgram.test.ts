// The n-gram baseline's loader, probabilities and domain classifier, against hand-made tables,
// the shipped baseline-ngram.json, and Python's Scorer in models/training/ngram.py.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { NgramModel, type NgramJson } from '../bench/ngramModel';
import { REPOSITORY_ROOT, SYSTEM_PYTHON } from './helpers/pythonTokenizer';

const SHIPPED = path.join(REPOSITORY_ROOT, 'models', 'expert-moe', 'baseline-ngram.json');
const TRAINING_FOLDER = path.join(REPOSITORY_ROOT, 'models', 'training');

/** Six ids, id 5 is end-of-text. */
function smallModel(): NgramJson {
  return {
    format: 'expert-activation-ngram',
    version: 1,
    order: 3,
    vocabSize: 6,
    endOfText: 5,
    smoothing: 'interpolated-absolute-discounting',
    discounts: { bigram: 0.5, trigram: 0.7 },
    trainingTokens: 100,
    unigram: [40, 30, 20, 9, 1, 0],
    bigram: { '0': [20, 1, 12, 2, 6], '5': [10, 0, 9] },
    trigram: { '5,0': [8, 1, 7] },
    domainClassifier: { domains: ['legal', 'code'], tokens: [0, 1], counts: { legal: [30, 5, 5], code: [10, 25, 25] } },
  };
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i += 1) total += values[i];
  return total;
}

describe('n-gram model', () => {
  const model = NgramModel.fromJson(smallModel(), 'small');

  it('distributions sum to 1', () => {
    for (const [previous2, previous1] of [
      [undefined, undefined],
      [undefined, 0],
      [5, 0],
      [3, 4],
    ] as Array<[number | undefined, number | undefined]>) {
      assert.ok(Math.abs(sum(model.distribution(previous2, previous1)) - 1) < 1e-12, `context ${String(previous2)},${String(previous1)}`);
    }
  });

  it('probability matches the distribution', () => {
    const distribution = model.distribution(5, 0);
    for (let word = 0; word < 6; word += 1) assert.ok(Math.abs(model.probability(5, 0, word) - distribution[word]) < 1e-15);
  });

  it('unigram is add-one smoothed', () => {
    assert.equal(model.probability(undefined, undefined, 0), 41 / 106);
    assert.equal(model.probability(undefined, 4, 5), 1 / 106);
  });

  it('bigram interpolates with the unigram', () => {
    const keptShare = (12 - 0.5) / 20 + (6 - 0.5) / 20;
    const expected = (12 - 0.5) / 20 + (1 - keptShare) * (31 / 106);
    assert.ok(Math.abs(model.probability(undefined, 0, 1) - expected) < 1e-15);
  });

  it('trigram backs off to its bigram', () => {
    const bigram = model.probability(undefined, 0, 1);
    const expected = (7 - 0.7) / 8 + (1 - (7 - 0.7) / 8) * bigram;
    assert.ok(Math.abs(model.probability(5, 0, 1) - expected) < 1e-15);
  });

  it('log-probability uses two ids of context', () => {
    const ids = [5, 0, 1];
    assert.equal(model.logProbabilityAt(ids, 2), Math.log(model.probability(5, 0, 1)));
    assert.equal(model.logProbabilityAt(ids, 0), Math.log(model.probability(undefined, undefined, 5)));
  });

  it('classifier prefers the likelier domain', () => {
    assert.deepEqual(model.classifier.decisions([0, 0, 1, 1, 1]), ['legal', 'legal', 'legal', 'legal', 'code']);
    const [legal, code] = model.classifier.logLikelihoods([1]);
    assert.ok(code > legal);
  });

  it('classifier rows are distributions', () => {
    for (const domain of [0, 1]) {
      const total = [0, 1, 2, 3, 4, 5].reduce((acc, id) => acc + Math.exp(model.classifier.logLikelihoods([id])[domain]), 0);
      assert.ok(Math.abs(total - 1) < 1e-12, `domain ${domain}`);
    }
  });

  it('rejects another format', () => {
    assert.throws(() => NgramModel.fromJson({ ...smallModel(), format: 'other' }, 'bad.json'), /bad\.json is not an expert-activation-ngram/);
    assert.throws(() => NgramModel.fromJson({ ...smallModel(), unigram: [1] }, 'bad.json'), /"unigram" does not have vocabSize/);
  });
});

describe('shipped n-gram baseline', { skip: existsSync(SHIPPED) ? undefined : `${SHIPPED} is missing` }, () => {
  it('stays under 150 KB', () => {
    assert.ok(statSync(SHIPPED).size < 150 * 1024, `${statSync(SHIPPED).size} bytes`);
  });

  it('loads with normalised distributions', () => {
    const model = NgramModel.load(SHIPPED);
    assert.ok(Math.abs(sum(model.distribution(undefined, model.endOfText)) - 1) < 1e-9);
    assert.ok(Math.abs(sum(model.distribution(32, 32)) - 1) < 1e-9);
  });
});

function pythonWithNgramReason(): string | undefined {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing`;
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import ngram', TRAINING_FOLDER], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${SYSTEM_PYTHON} cannot import ngram.py: ${probe.stderr.trim()}`;
}

describe('n-gram parity with Python', { skip: pythonWithNgramReason() }, () => {
  it('probabilities match ngram.py Scorer', () => {
    const contexts: Array<[number | null, number | null, number]> = [];
    for (const previous2 of [null, 5, 3]) for (const previous1 of [null, 0, 5]) for (let word = 0; word < 5; word += 1) contexts.push([previous2, previous1, word]);
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
from ngram import Scorer
request = json.load(sys.stdin)
scorer = Scorer(request["model"])
json.dump([scorer.probability(u, v, w) for u, v, w in request["contexts"]], sys.stdout)
`;
    const result = spawnSync(SYSTEM_PYTHON, ['-c', script, TRAINING_FOLDER], { input: JSON.stringify({ model: smallModel(), contexts }), encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const expected = JSON.parse(result.stdout) as number[];
    const model = NgramModel.fromJson(smallModel(), 'small');
    contexts.forEach(([previous2, previous1, word], i) => {
      const actual = model.probability(previous2 ?? undefined, previous1 ?? undefined, word);
      assert.ok(Math.abs(actual - expected[i]) < 1e-12, `P(${word} | ${String(previous2)}, ${String(previous1)}): ${actual} vs ${expected[i]}`);
    });
  });
});
