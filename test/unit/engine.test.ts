// The in-process engine against the real model file and onnxruntime-node.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InferenceEngine } from '../../src/engine/inferenceEngine';
import { emptyKv, truncateKv } from '../../src/engine/kvCache';
import { loadManifest } from '../../src/engine/manifest';
import { OnnxModel } from '../../src/engine/onnxModel';
import { Tokenizer } from '../../src/engine/tokenizer';
import { generationOptions, MODEL_FOLDER, MODEL_MISSING_REASON, quietLog, routingOptions } from './helpers/engineFixtures';

const LEGAL_TEXT =
  'The Tenant shall pay the rent on the first day of each month. The Landlord shall keep the premises in good repair, and the Tenant shall not sublet the premises without the prior written consent of the Landlord. ';
const CODE_TEXT = 'import json\n\ndef read_config(path):\n    with open(path) as handle:\n        data = json.load(handle)\n    return data\n\n\ndef main():\n    ';

interface ReferenceCase {
  name: string;
  promptIds: number[];
  continuationIds: number[];
  routingBias: number[][];
  topK: number;
  topP: number;
  promptLastLogits: number[];
  promptRouterProbs: number[][];
  promptExpertWeights: number[][];
  continuationLastLogits: number[];
  continuationRouterProbs: number[][];
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, 'lengths differ');
  let max = 0;
  for (let i = 0; i < actual.length; i += 1) max = Math.max(max, Math.abs(actual[i] - expected[i]));
  return max;
}

/** Values of the last position of a `[L, T, E]` tensor, as `[L][E]`. */
function lastPosition(values: Float32Array, layers: number, tokens: number, experts: number): number[][] {
  return Array.from({ length: layers }, (_, layer) => Array.from(values.subarray((layer * tokens + tokens - 1) * experts, (layer * tokens + tokens) * experts)));
}

describe('engine on the real model', { skip: MODEL_MISSING_REASON }, () => {
  const manifest = MODEL_MISSING_REASON ? undefined : loadManifest(MODEL_FOLDER);
  let onnx: OnnxModel;
  let engine: InferenceEngine;
  let tokenizer: Tokenizer;

  before(async () => {
    assert.ok(manifest);
    onnx = await OnnxModel.create(path.join(MODEL_FOLDER, 'model.onnx'), manifest, 1);
    engine = await InferenceEngine.load(MODEL_FOLDER, { threads: 1, log: quietLog });
    tokenizer = Tokenizer.load(path.join(MODEL_FOLDER, 'tokenizer.json'));
  });

  after(async () => {
    await onnx?.release();
    await engine?.dispose();
  });

  it('matches the PyTorch reference outputs', async () => {
    assert.ok(manifest);
    const reference = JSON.parse(readFileSync(path.join(MODEL_FOLDER, 'reference.json'), 'utf8')) as { tolerance: number; cases: ReferenceCase[] };
    const { layers, expertsPerLayer } = manifest.architecture;
    assert.ok(reference.cases.length > 0);

    for (const testCase of reference.cases) {
      const bias = Float32Array.from(testCase.routingBias.flat());
      const prompt = await onnx.run({ ids: testCase.promptIds, past: emptyKv(), bias, topK: testCase.topK, topP: testCase.topP });
      const tokens = testCase.promptIds.length;
      const vocab = manifest.architecture.vocabSize;

      const promptLogits = prompt.logits.subarray((tokens - 1) * vocab, tokens * vocab);
      assert.ok(maxAbsDifference(promptLogits, testCase.promptLastLogits) <= reference.tolerance, `${testCase.name}: prompt logits`);
      const probs = lastPosition(prompt.routerProbs, layers, tokens, expertsPerLayer).flat();
      assert.ok(maxAbsDifference(probs, testCase.promptRouterProbs.flat()) <= reference.tolerance, `${testCase.name}: prompt router probs`);
      const weights = lastPosition(prompt.expertWeights, layers, tokens, expertsPerLayer).flat();
      assert.ok(maxAbsDifference(weights, testCase.promptExpertWeights.flat()) <= reference.tolerance, `${testCase.name}: prompt expert weights`);

      const continuation = await onnx.run({ ids: testCase.continuationIds, past: prompt.present, bias, topK: testCase.topK, topP: testCase.topP });
      const steps = testCase.continuationIds.length;
      const continuationLogits = continuation.logits.subarray((steps - 1) * vocab, steps * vocab);
      assert.ok(maxAbsDifference(continuationLogits, testCase.continuationLastLogits) <= reference.tolerance, `${testCase.name}: cached continuation logits`);
      const continuationProbs = lastPosition(continuation.routerProbs, layers, steps, expertsPerLayer).flat();
      assert.ok(maxAbsDifference(continuationProbs, testCase.continuationRouterProbs.flat()) <= reference.tolerance, `${testCase.name}: cached continuation router probs`);
    }
  });

  it('truncated cache gives full-run logits', async () => {
    assert.ok(manifest);
    const ids = tokenizer.encode(LEGAL_TEXT).slice(0, 24);
    const bias = new Float32Array(manifest.architecture.layers * manifest.architecture.expertsPerLayer);
    const vocab = manifest.architecture.vocabSize;
    const full = await onnx.run({ ids, past: emptyKv(), bias, topK: 2, topP: 1 });

    const longer = await onnx.run({ ids: [...ids.slice(0, 16), 11, 12, 13], past: emptyKv(), bias, topK: 2, topP: 1 });
    const truncated = truncateKv(longer.present, manifest.architecture, 16);
    assert.equal(truncated.length, 16);
    const resumed = await onnx.run({ ids: ids.slice(16), past: truncated, bias, topK: 2, topP: 1 });

    const fullLast = full.logits.subarray((ids.length - 1) * vocab, ids.length * vocab);
    const resumedLast = resumed.logits.subarray((resumed.tokens - 1) * vocab, resumed.tokens * vocab);
    assert.ok(maxAbsDifference(resumedLast, fullLast) < 1e-3);
  });

  it('reuses the document prefix', async () => {
    const routing = routingOptions();
    const generation = generationOptions({ maxTokens: 6 });
    const first = await engine.complete({ documentKey: 'reuse', prefix: LEGAL_TEXT, suffix: '', routing, generation });
    const second = await engine.complete({ documentKey: 'reuse', prefix: `${LEGAL_TEXT}The Landlord`, suffix: '', routing, generation });
    const fresh = await engine.complete({ documentKey: 'reuse-fresh', prefix: `${LEGAL_TEXT}The Landlord`, suffix: '', routing, generation });

    assert.equal(first.timing.reusedTokens, 0);
    assert.ok(second.timing.reusedTokens >= first.timing.promptTokens - 1, `reused ${second.timing.reusedTokens} of ${first.timing.promptTokens}`);
    assert.equal(fresh.timing.reusedTokens, 0);
    assert.equal(second.completion, fresh.completion);
    for (const [domain, probability] of Object.entries(fresh.trace.domain.posterior)) {
      assert.ok(Math.abs(second.trace.domain.posterior[domain] - probability) < 1e-4, `posterior of ${domain}`);
    }
  });

  it('cuts the context to the trained window', async () => {
    const long = LEGAL_TEXT.repeat(20);
    const result = await engine.complete({ documentKey: 'long', prefix: long, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 2 }) });
    assert.ok(result.timing.promptTokens <= engine.info.trainedContext, `${result.timing.promptTokens} tokens`);
    assert.ok(result.timing.promptTokens > engine.info.trainedContext - 64, `${result.timing.promptTokens} tokens`);
  });

  it('keeps the window start while typing', async () => {
    const long = LEGAL_TEXT.repeat(20);
    const generation = generationOptions({ maxTokens: 2 });
    await engine.complete({ documentKey: 'typing', prefix: long, suffix: '', routing: routingOptions(), generation });
    const typed = await engine.complete({ documentKey: 'typing', prefix: `${long} The`, suffix: '', routing: routingOptions(), generation });
    assert.ok(typed.timing.reusedTokens > typed.timing.promptTokens / 2, `reused ${typed.timing.reusedTokens} of ${typed.timing.promptTokens}`);
  });

  it('route reports a normalised posterior', async () => {
    const trace = await engine.route({ documentKey: 'route', prefix: CODE_TEXT, routing: routingOptions() });
    const total = Object.values(trace.domain.posterior).reduce((sum, value) => sum + value, 0);
    assert.ok(Math.abs(total - 1) < 1e-6);
    assert.deepEqual(Object.keys(trace.domain.posterior).sort(), [...engine.info.domains].sort());
    assert.equal(trace.domain.source, 'detected');
    assert.ok(trace.domain.confidence >= 0);
    assert.ok(trace.domain.confidence <= 1);
    assert.equal(trace.context.length, engine.info.layers);
    assert.equal(trace.load.length, engine.info.layers);
    for (const layer of trace.context) {
      assert.equal(layer.chosen.length, 2);
      assert.ok(layer.entropy >= 0);
      assert.ok(layer.entropy <= 1);
      assert.ok(Math.abs(layer.probs.reduce((sum, p) => sum + p, 0) - 1) < 1e-4);
    }
    for (const row of trace.load) assert.ok(Math.abs(row.reduce((sum, share) => sum + share, 0) - 1) < 1e-6);
  });

  it('falls back to general below minConfidence', async () => {
    const trace = await engine.route({ documentKey: 'fallback', prefix: CODE_TEXT, routing: routingOptions({ minConfidence: 1 }) });
    assert.equal(trace.domain.domain, 'general');
    assert.equal(trace.domain.source, 'detected');
    assert.ok(trace.domain.detected !== undefined);
  });

  it('pinned domain selects its experts', async () => {
    const routing = routingOptions({ domain: 'medical', domainSource: 'pinned', biasStrength: 30 });
    const result = await engine.complete({ documentKey: 'pin', prefix: CODE_TEXT, suffix: '', routing, generation: generationOptions({ maxTokens: 4, stopAt: 'block' }) });
    const medical = new Set(engine.info.experts.filter((expert) => expert.domain === 'medical').map((expert) => `${expert.layer}/${expert.index}`));

    assert.equal(result.trace.domain.domain, 'medical');
    assert.equal(result.trace.domain.source, 'pinned');
    result.trace.context.forEach((layer, index) => {
      for (const expert of layer.chosen) assert.ok(medical.has(`${index}/${expert}`), `layer ${index} ran expert ${expert}`);
    });
    for (const token of result.trace.generated) {
      token.layers.forEach((layer, index) => {
        for (const expert of layer.chosen) assert.ok(medical.has(`${index}/${expert}`), `generated token ran layer ${index} expert ${expert}`);
      });
    }
  });

  it('disabled experts never run', async () => {
    const disabled = ['L0.E6', 'L0.E7', 'L1.E6', 'L2.E4', 'L3.E0'];
    const routing = routingOptions({ disabledExperts: disabled });
    const result = await engine.complete({ documentKey: 'disabled', prefix: LEGAL_TEXT, suffix: '', routing, generation: generationOptions({ maxTokens: 6 }) });
    const slots = disabled.map((id) => engine.info.experts.find((expert) => expert.id === id)!);

    for (const { layer, index } of slots) {
      assert.ok(!result.trace.context[layer].chosen.includes(index), `context ran ${layer}/${index}`);
      assert.equal(result.trace.load[layer][index], 0);
      for (const token of result.trace.generated) assert.ok(!token.layers[layer].chosen.includes(index));
    }
  });

  it('rejects disabling below top-k', async () => {
    const layerZero = engine.info.experts.filter((expert) => expert.layer === 0).map((expert) => expert.id).slice(0, 7);
    await assert.rejects(engine.route({ documentKey: 'x', prefix: 'text', routing: routingOptions({ disabledExperts: layerZero }) }), (error: { info?: { code: string; message: string } }) => {
      assert.equal(error.info?.code, 'input-invalid');
      assert.match(error.info?.message ?? '', /Layer 0 has 1 selectable/);
      return true;
    });
  });

  it('rejects unknown domain and expert', async () => {
    await assert.rejects(engine.route({ documentKey: 'x', prefix: 'text', routing: routingOptions({ domain: 'astrology' }) }), /Unknown domain "astrology"/);
    await assert.rejects(engine.route({ documentKey: 'x', prefix: 'text', routing: routingOptions({ disabledExperts: ['L9.E9'] }) }), /Unknown expert id "L9.E9"/);
  });

  it('top-k and mode off shape the routing', async () => {
    const topOne = await engine.route({ documentKey: 'k1', prefix: LEGAL_TEXT, routing: routingOptions({ topK: 1 }) });
    for (const layer of topOne.context) assert.equal(layer.chosen.length, 1);
    const topFour = await engine.route({ documentKey: 'k4', prefix: LEGAL_TEXT, routing: routingOptions({ topK: 4 }) });
    for (const layer of topFour.context) assert.equal(layer.chosen.length, 4);
    const off = await engine.route({ documentKey: 'off', prefix: LEGAL_TEXT, routing: routingOptions({ mode: 'off', domain: 'code' }) });
    assert.equal(off.domain.source, 'off');
  });

  it('completion obeys the token limit', async () => {
    const result = await engine.complete({ documentKey: 'limit', prefix: LEGAL_TEXT, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 3, stopAt: 'block' }) });
    assert.ok(result.trace.generated.length <= 3 + 1);
    assert.equal(result.trace.generated.map((token) => token.text).join(''), result.completion);
    assert.ok(!result.completion.includes('<|endoftext|>'));
    assert.ok(['max-tokens', 'stop-rule', 'end-of-text'].includes(result.stopReason));
  });

  it('line completions end before a newline', async () => {
    const result = await engine.complete({ documentKey: 'line', prefix: CODE_TEXT, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 40, stopAt: 'line' }) });
    assert.ok(!result.completion.includes('\n'));
  });

  it('seeded sampling repeats', async () => {
    const generation = generationOptions({ maxTokens: 8, temperature: 0.9, topP: 0.95, seed: 42 });
    const a = await engine.complete({ documentKey: 'seed-a', prefix: LEGAL_TEXT, suffix: '', routing: routingOptions(), generation });
    const b = await engine.complete({ documentKey: 'seed-b', prefix: LEGAL_TEXT, suffix: '', routing: routingOptions(), generation });
    assert.equal(a.completion, b.completion);
  });

  it('stops at the time budget', async () => {
    const result = await engine.complete({ documentKey: 'budget', prefix: LEGAL_TEXT, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 500, stopAt: 'block', timeBudgetMs: 1 }) });
    assert.equal(result.stopReason, 'time-budget');
  });

  it('cancellation stops between steps', async () => {
    let checks = 0;
    const control = { isCancelled: () => ++checks > 4 };
    await assert.rejects(
      engine.complete({ documentKey: 'cancel', prefix: LEGAL_TEXT, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 200, stopAt: 'block' }) }, control),
      (error: { info?: { code: string } }) => error.info?.code === 'cancelled',
    );
    assert.ok(checks <= 6, `checked ${checks} times`);
  });

  it('rejects bad generation options', async () => {
    await assert.rejects(engine.complete({ documentKey: 'bad', prefix: 'x', suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 0 }) }), /maxTokens 0 is out of range/);
  });

  it('heals a partial word', async () => {
    const result = await engine.complete({ documentKey: 'heal', prefix: `${LEGAL_TEXT}The Landl`, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 4 }) });
    assert.ok(!result.completion.startsWith('Landl'), `completion ${JSON.stringify(result.completion)} repeats the typed text`);
    assert.equal(result.trace.generated.map((token) => token.text).join(''), result.completion);
  });

  it('explain ranks expert impacts', async () => {
    const result = await engine.explain({ documentKey: 'explain', prefix: LEGAL_TEXT, routing: routingOptions(), generation: generationOptions({ maxTokens: 4 }), timeBudgetMs: 30_000 });
    const masked = result.impacts.filter((impact) => impact.effect === 'masked');
    assert.equal(masked.length, engine.info.layers * 2);
    assert.ok(result.impacts.some((impact) => impact.effect === 'activated'));
    for (let i = 1; i < result.impacts.length; i += 1) assert.ok(result.impacts[i - 1].klDivergence >= result.impacts[i].klDivergence);
    for (const impact of masked) {
      assert.ok(impact.klDivergence >= 0);
      assert.ok(result.trace.context[impact.layer].chosen.includes(impact.index), `${impact.expertId} was not selected`);
    }
  });

  it('explain measures each routing once', async () => {
    const samples = [LEGAL_TEXT, 'The patient was admitted with chest pain and shortness of breath. On examination, the ', 'def read_config(path):\n    with open(path) as handle:\n        return '];
    for (const [n, prefix] of samples.entries()) {
      const result = await engine.explain({ documentKey: `explain-once-${n}`, prefix, routing: routingOptions(), generation: generationOptions({ maxTokens: 2 }), timeBudgetMs: 30_000 });
      const masked = result.impacts.filter((impact) => impact.effect === 'masked');
      const activated = result.impacts.filter((impact) => impact.effect === 'activated');

      // Masking the weakest selected expert and activating the strongest unselected one in the
      // same layer route identically, which shows as the same divergence to the last digit.
      for (const impact of activated) {
        const twin = masked.find((other) => other.layer === impact.layer && other.klDivergence === impact.klDivergence);
        assert.equal(twin, undefined, `${impact.expertId} activated repeats ${twin?.expertId} masked`);
      }
    }
  });
});
