// Counterfactual routing with an impact table written for the test, and without one.

import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InferenceEngine } from '../../src/engine/inferenceEngine';
import type { EngineLogger } from '../../src/engine/logger';
import { brokenModelCopy, generationOptions, MODEL_MISSING_REASON, quietLog, removeBrokenCopy, routingOptions } from './helpers/engineFixtures';

const PREFIX = 'The patient was admitted with chest pain and shortness of breath. On examination the ';

describe('counterfactual routing', { skip: MODEL_MISSING_REASON }, () => {
  let folder: string;
  let folderWithoutImpact: string;
  let withImpact: InferenceEngine;
  let withoutImpact: InferenceEngine;
  const warnings: string[] = [];
  const recordingLog: EngineLogger = { ...quietLog, warn: (message) => warnings.push(message) };

  before(async () => {
    folder = brokenModelCopy((copy) => {
      const manifest = JSON.parse(readFileSync(path.join(copy, 'manifest.json'), 'utf8')) as { domains: string[]; architecture: { layers: number; expertsPerLayer: number }; experts: Array<{ layer: number; index: number; domain: string }> };
      const domains: Record<string, { hard: number[][]; all: number[][] }> = {};
      for (const domain of manifest.domains) {
        const table = Array.from({ length: manifest.architecture.layers }, (_, layer) =>
          Array.from({ length: manifest.architecture.expertsPerLayer }, (_, index) => {
            const expert = manifest.experts.find((candidate) => candidate.layer === layer && candidate.index === index);
            return expert?.domain === domain ? 1 + index / 10 : 0.01;
          }),
        );
        domains[domain] = { hard: table, all: table };
      }
      writeFileSync(path.join(copy, 'impact.json'), JSON.stringify({ domains }));
    });
    withImpact = await InferenceEngine.load(folder, { threads: 1, log: quietLog });
    folderWithoutImpact = brokenModelCopy((copy) => rmSync(path.join(copy, 'impact.json'), { force: true }));
    withoutImpact = await InferenceEngine.load(folderWithoutImpact, { threads: 1, log: recordingLog });
  });

  after(async () => {
    await withImpact?.dispose();
    await withoutImpact?.dispose();
    if (folder) removeBrokenCopy(folder);
    if (folderWithoutImpact) removeBrokenCopy(folderWithoutImpact);
  });

  it('wakes dormant experts of the domain', async () => {
    const routing = routingOptions({ domain: 'medical', domainSource: 'pinned', biasStrength: 0, counterfactual: true, counterfactualStrength: 1 });
    const result = await withImpact.complete({ documentKey: 'cf', prefix: PREFIX, suffix: '', routing, generation: generationOptions({ maxTokens: 6, stopAt: 'block' }) });
    const medical = new Set(withImpact.info.experts.filter((expert) => expert.domain === 'medical').map((expert) => `${expert.layer}/${expert.index}`));

    const awakened = result.trace.generated.flatMap((token) => token.layers.flatMap((layer, index) => layer.awakened.map((expert) => ({ layer, index, expert }))));
    assert.ok(awakened.length > 0, 'no expert was woken although every token counts as uncertain');
    for (const { layer, index, expert } of awakened) {
      assert.ok(medical.has(`${index}/${expert}`), `woke layer ${index} expert ${expert}, which is not medical`);
      assert.ok(layer.chosen.includes(expert));
      assert.equal(layer.chosen.length, 2);
    }
  });

  it('does nothing at strength 0', async () => {
    const routing = routingOptions({ domain: 'medical', domainSource: 'pinned', biasStrength: 0, counterfactual: true, counterfactualStrength: 0 });
    const result = await withImpact.complete({ documentKey: 'cf0', prefix: PREFIX, suffix: '', routing, generation: generationOptions({ maxTokens: 6, stopAt: 'block' }) });
    for (const token of result.trace.generated) for (const layer of token.layers) assert.deepEqual(layer.awakened, []);
  });

  it('without impact.json logs a no-op', async () => {
    const routing = routingOptions({ counterfactual: true, counterfactualStrength: 1 });
    const result = await withoutImpact.complete({ documentKey: 'none', prefix: PREFIX, suffix: '', routing, generation: generationOptions({ maxTokens: 4 }) });
    for (const token of result.trace.generated) for (const layer of token.layers) assert.deepEqual(layer.awakened, []);
    assert.ok(warnings.some((message) => /Counterfactual routing does nothing/.test(message) && /impact\.json/.test(message)), warnings.join('\n'));
  });
});
