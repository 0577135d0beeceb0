// Scoring windows, word boundaries, the counterfactual controls' routing biases and the
// detection summary of `npm run eval`.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PositionRouting } from '../../src/engine/kvCache';
import { DISABLED_BIAS } from '../../src/engine/routing';
import { seededRandom } from '../../src/engine/sampling';
import { hardThresholds, randomSelection, randomSwap } from '../bench/evalCounterfactual';
import type { DocumentLanguageResult } from '../bench/evalLanguage';
import { summariseDetection } from '../bench/evalSummary';
import { scoringWindows, wordAt, type WordClasses } from '../bench/windows';

const END_OF_TEXT = 99;

describe('scoring windows', () => {
  const ids = Array.from({ length: 23 }, (_, i) => i);
  const windows = scoringWindows(ids, END_OF_TEXT, 8, 4);

  it('scores every token once', () => {
    const scored = windows.flatMap((window) => window.targets.slice(window.firstScored));
    assert.deepEqual(scored, ids);
  });

  it('first window starts with end-of-text', () => {
    assert.equal(windows[0].inputs[0], END_OF_TEXT);
    assert.equal(windows[0].firstScored, 0);
    assert.equal(windows[0].start, 0);
  });

  it('inputs predict the next target', () => {
    const sequence = [END_OF_TEXT, ...ids];
    for (const window of windows) {
      assert.ok(window.inputs.length <= 8);
      window.inputs.forEach((id, j) => {
        assert.equal(id, sequence[window.start + j]);
        assert.equal(window.targets[j], sequence[window.start + j + 1]);
      });
    }
  });

  it('later windows keep half the context', () => {
    for (const window of windows.slice(1)) assert.ok(window.firstScored >= 4, `firstScored ${window.firstScored}`);
  });

  it('stride must fit the context', () => {
    assert.throws(() => scoringWindows(ids, END_OF_TEXT, 8, 9), /Stride 9/);
  });
});

describe('word boundaries', () => {
  // Id 1 starts a word, id 2 continues one, id 3 is punctuation.
  const classes: WordClasses = { starts: Uint8Array.of(0, 1, 0, 0), continues: Uint8Array.of(0, 0, 1, 0) };

  it('word runs to the last continuation', () => {
    assert.deepEqual(wordAt([1, 2, 2, 3], 0, classes, 6), [1, 2, 2]);
  });

  it('no word where none starts', () => {
    assert.equal(wordAt([2, 3], 0, classes, 6), undefined);
  });

  it('word at the document end is left out', () => {
    assert.equal(wordAt([3, 1, 2], 1, classes, 6), undefined);
  });

  it('long word is left out', () => {
    assert.equal(wordAt([1, 2, 2, 2, 3], 0, classes, 3), undefined);
  });
});

/** Builds the routing of one layer of four experts, with `selected` given a weight. */
function routingOf(probs: number[], selected: number[]): PositionRouting {
  return { probs: Float32Array.from(probs), weights: Float32Array.from(probs.map((_, index) => (selected.includes(index) ? 0.5 : 0))) };
}

function topByScore(routing: PositionRouting, bias: Float32Array, k: number): number[] {
  return Array.from(routing.probs, (p, index) => ({ index, score: Math.log(p) + bias[index] }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => entry.index)
    .sort((a, b) => a - b);
}

describe('random routing controls', () => {
  const routing = routingOf([0.6, 0.3, 0.08, 0.02], [0, 1]);

  it('random selection wins the top-k', () => {
    const random = seededRandom(7);
    for (let draw = 0; draw < 20; draw += 1) {
      const selection = randomSelection(routing, new Float32Array(4), 2, 4, random);
      assert.deepEqual(topByScore(routing, selection.bias, 2), selection.chosen[0]);
    }
  });

  it('random selection skips disabled experts', () => {
    const base = Float32Array.of(DISABLED_BIAS, 0, 0, 0);
    const random = seededRandom(3);
    for (let draw = 0; draw < 20; draw += 1) assert.ok(!randomSelection(routing, base, 2, 4, random).chosen[0].includes(0));
  });

  it('random swap replaces one selected expert', () => {
    const swapped = randomSwap(routing, new Float32Array(4), [[2]], 4, seededRandom(5));
    const chosen = topByScore(routing, swapped, 2);
    assert.equal(chosen.filter((index) => index === 0 || index === 1).length, 1);
    assert.equal(chosen.filter((index) => index === 2 || index === 3).length, 1);
  });

  it('random swap leaves untouched layers alone', () => {
    const bias = Float32Array.of(0.5, 0, 0, 0);
    assert.deepEqual(Array.from(randomSwap(routing, bias, [[]], 4, seededRandom(5))), Array.from(bias));
  });
});

describe('counterfactual thresholds', () => {
  const result = (domain: string, entropies: number[]) =>
    ({ document: { domain, name: `${domain}/01.txt`, text: '' }, positions: entropies.map((entropy, position) => ({ window: 0, position, entropy })) }) as unknown as DocumentLanguageResult;

  it('threshold is the top quarter per domain', () => {
    const thresholds = hardThresholds([result('legal', [1, 2, 3, 4, 5, 6, 7, 8]), result('code', [10, 20, 30, 40])], 0.25);
    assert.equal(thresholds.legal, 7);
    assert.equal(thresholds.code, 40);
  });
});

describe('detection summary', () => {
  it('summarises decisions per token count', () => {
    const summary = summariseDetection(
      [
        ['code', 'legal', 'legal'],
        ['legal', 'code', 'code'],
      ],
      ['legal', 'code'],
      ['legal', 'code'],
      ['legal', 'general'],
    );
    assert.equal(summary.accuracy, 1);
    assert.equal(summary.macroF1, 1);
    assert.equal(summary.accuracyAfterTokens['8'], 1);
    assert.equal(summary.settling.medianTokens, 2);
    assert.equal(summary.routedAccuracy, 0.5);
  });
});
