// The domain posterior and decision, on the shipped model's manifest and made-up router outputs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PositionRouting } from '../../src/engine/kvCache';
import { loadManifest } from '../../src/engine/manifest';
import { decideDomain, domainPosterior, planRouting } from '../../src/engine/routing';
import type { RoutingOptions } from '../../src/engine/protocol';
import { MODEL_FOLDER, MODEL_MISSING_REASON, routingOptions } from './helpers/engineFixtures';

describe('domain posterior', { skip: MODEL_MISSING_REASON }, () => {
  const manifest = loadManifest(MODEL_FOLDER);
  const { layers, expertsPerLayer } = manifest.architecture;

  /** Builds a position whose router puts all of every layer's mass on the first expert of `domain`. */
  function positionOf(domain: string): PositionRouting {
    const probs = new Float32Array(layers * expertsPerLayer);
    for (let layer = 0; layer < layers; layer += 1) {
      const expert = manifest.experts.find((candidate) => candidate.layer === layer && candidate.domain === domain);
      if (expert === undefined) throw new Error(`The manifest has no ${domain} expert in layer ${layer}.`);
      probs[layer * expertsPerLayer + expert.index] = 1;
    }
    return { probs, weights: new Float32Array(layers * expertsPerLayer) };
  }

  function positions(...runs: Array<[string, number]>): PositionRouting[] {
    return runs.flatMap(([domain, count]) => Array.from({ length: count }, () => positionOf(domain)));
  }

  it('averages over the whole context', () => {
    const posterior = domainPosterior(positions(['medical', 30], ['general', 10]), manifest);

    assert.equal(posterior.medical, 0.75);
    assert.equal(posterior.general, 0.25);
    assert.equal(posterior.legal, 0);
  });

  it('keeps the domain when the last words look general', () => {
    const posterior = domainPosterior(positions(['medical', 60], ['general', 8]), manifest);
    const decision = decideDomain(posterior, planRouting(routingOptions(), manifest), routingOptions());

    assert.equal(decision.detected, 'medical');
    assert.equal(decision.domain, 'medical');
  });

  it('is uniform without positions', () => {
    const posterior = domainPosterior([], manifest);

    assert.deepEqual(Object.values(posterior), manifest.domains.map(() => 1 / manifest.domains.length));
  });

  it('falls back to general below the minimum confidence', () => {
    const options: RoutingOptions = { ...routingOptions(), minConfidence: 0.6 };
    const posterior = domainPosterior(positions(['legal', 5], ['medical', 4], ['code', 1]), manifest);
    const decision = decideDomain(posterior, planRouting(options, manifest), options);

    assert.equal(decision.detected, 'legal');
    assert.equal(decision.domain, 'general');
  });
});
