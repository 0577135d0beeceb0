import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  ExpertTable,
  dominantExpert,
  findAwakenedExperts,
  findDormantExperts,
  loadImbalance,
  rankImpacts,
  rankLayer,
} from '../../media/analysis';
import { abbreviateLabel, assignDomainColors, domainTitle } from '../../media/domains';
import { percent, probability, significant, visibleTokenText } from '../../media/format';
import { sampleModel, sampleTrace } from './helpers/panelSamples';

describe('expert table', () => {
  test('labels experts and falls back for unknown positions', () => {
    const table = new ExpertTable(sampleModel());

    assert.equal(table.label(2, 3), 'Medical B');
    assert.equal(table.domain(2, 3), 'medical');
    assert.equal(table.id(2, 3), 'L2.E3');
    assert.equal(table.label(9, 9), 'Expert 9');
    assert.equal(table.id(9, 9), 'L9.E9');
  });

  test('column headings need agreement across layers', () => {
    const model = sampleModel();
    assert.deepEqual(new ExpertTable(model).columns()[0], { index: 0, label: 'Legal A', domain: 'legal' });

    model.experts.find((expert) => expert.id === 'L3.E0')!.domain = 'code';
    assert.deepEqual(new ExpertTable(model).columns()[0], { index: 0 });
  });
});

describe('routing analysis', () => {
  test('rankLayer orders by probability and marks chosen', () => {
    const ranked = rankLayer({ probs: [0.1, 0.6, 0.3], chosen: [1, 2], awakened: [2], entropy: 0.8 }, 1);

    assert.deepEqual(
      ranked.map((expert) => [expert.index, expert.chosen, expert.awakened]),
      [
        [1, true, false],
        [2, true, true],
        [0, false, false],
      ],
    );
  });

  test('dominant expert is the most probable chosen one', () => {
    const dominant = dominantExpert([
      { probs: [0.9, 0.1], chosen: [1], awakened: [], entropy: 0.5 },
      { probs: [0.3, 0.7], chosen: [1], awakened: [], entropy: 0.9 },
    ]);

    assert.deepEqual([dominant?.layer, dominant?.index], [1, 1]);
  });

  test('dominant expert falls back to the most probable', () => {
    const dominant = dominantExpert([{ probs: [0.2, 0.8], chosen: [], awakened: [], entropy: 0.7 }]);

    assert.equal(dominant?.index, 1);
    assert.equal(dominantExpert([]), undefined);
  });

  test('dormant experts without impacts belong to the domain', () => {
    const table = new ExpertTable(sampleModel());
    const trace = sampleTrace();

    const dormant = findDormantExperts(trace, table, new Set(), undefined);

    assert.deepEqual([...dormant], ['L2.E1'], 'L2.E1 is legal with no load; other idle experts are not legal');
  });

  test('dormant experts with impacts need a high impact', () => {
    const table = new ExpertTable(sampleModel());
    const trace = sampleTrace();
    const impacts = [
      { expertId: 'L1.E4', layer: 1, index: 4, klDivergence: 0.5 },
      { expertId: 'L1.E2', layer: 1, index: 2, klDivergence: 0.01 },
      { expertId: 'L1.E0', layer: 1, index: 0, klDivergence: 0.2 },
    ];

    const dormant = findDormantExperts(trace, table, new Set(), impacts);

    assert.ok(dormant.has('L1.E4'), 'high impact, no load');
    assert.ok(!dormant.has('L1.E2'), 'low impact');
    assert.ok(!dormant.has('L1.E0'), 'busy');
  });

  test('experts the router selects are not dormant', () => {
    const table = new ExpertTable(sampleModel());
    const trace = sampleTrace();
    trace.context[2].awakened = [];

    assert.equal(findDormantExperts(trace, table, new Set(), undefined).size, 0);
  });

  test('disabled experts are never dormant', () => {
    const table = new ExpertTable(sampleModel());

    assert.equal(findDormantExperts(sampleTrace(), table, new Set(['L2.E1']), undefined).size, 0);
  });

  test('awakened experts come from the context routing', () => {
    const table = new ExpertTable(sampleModel());

    assert.deepEqual([...findAwakenedExperts(sampleTrace(), table)], ['L2.E1']);
  });

  test('load imbalance is zero when even', () => {
    assert.equal(loadImbalance([0.25, 0.25, 0.25, 0.25]), 0);
    assert.equal(loadImbalance([1, 0, 0, 0]), 3);
    assert.equal(loadImbalance([]), 0);
    assert.equal(loadImbalance([0, 0]), 0);
  });

  test('impacts rank largest first', () => {
    const ranked = rankImpacts([
      { expertId: 'a', layer: 0, index: 0, klDivergence: 0.1 },
      { expertId: 'b', layer: 0, index: 1, klDivergence: 0.3 },
    ]);

    assert.deepEqual(ranked.map((impact) => impact.expertId), ['b', 'a']);
  });
});

describe('domain presentation', () => {
  test('the four domains keep their colours', () => {
    const colors = assignDomainColors(['general', 'code', 'medical', 'legal']);

    assert.deepEqual(Object.fromEntries(colors), { general: 'yellow', code: 'green', medical: 'red', legal: 'blue' });
  });

  test('other domains take unused colours, then neutral', () => {
    const colors = assignDomainColors(['finance', 'legal', 'a', 'b', 'c', 'd', 'e', 'f']);

    assert.equal(colors.get('legal'), 'blue');
    assert.equal(colors.get('finance'), 'red');
    assert.equal(colors.get('f'), 'neutral');
    assert.equal(new Set([...colors.values()].filter((color) => color !== 'neutral')).size, 6);
  });

  test('labels abbreviate to two letters', () => {
    assert.equal(abbreviateLabel('Legal A'), 'LA');
    assert.equal(abbreviateLabel('general prose b'), 'GB');
    assert.equal(abbreviateLabel('Syntax'), 'Sy');
    assert.equal(abbreviateLabel('  '), '?');
  });

  test('domain titles are capitalised', () => {
    assert.equal(domainTitle('medical'), 'Medical');
    assert.equal(domainTitle(''), '');
  });
});

describe('formatting', () => {
  test('numbers are clamped and rounded', () => {
    assert.equal(percent(0.874), '87%');
    assert.equal(percent(1.2), '100%');
    assert.equal(percent(Number.NaN), '0%');
    assert.equal(probability(0.4149), '0.41');
    assert.equal(significant(0.000123456), '1.2e−4');
    assert.equal(significant(0.0123), '0.012');
    assert.equal(significant(0.6234), '0.62');
    assert.equal(significant(12.34), '12');
    assert.equal(significant(0), '0');
  });

  test('token text shows line breaks and tabs', () => {
    assert.equal(visibleTokenText('\n\t'), '↵⇥');
    assert.equal(visibleTokenText('\r\n'), '↵');
    assert.equal(visibleTokenText(''), '∅');
    assert.equal(visibleTokenText(' the'), ' the');
  });
});
