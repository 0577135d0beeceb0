// EngineClient over a real worker thread and the real model.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EngineClient } from '../../src/engine/client';
import type { EngineState } from '../../src/engine/protocol';
import { bundledWorker, generationOptions, MODEL_FOLDER, MODEL_MISSING_REASON, quietLog, routingOptions } from './helpers/engineFixtures';

const PREFIX = 'This Agreement shall be governed by and construed in accordance with the laws of the State of ';

function errorCode(error: unknown): string | undefined {
  return (error as { info?: { code?: string } }).info?.code;
}

async function waitFor(client: EngineClient, status: EngineState['status'], timeoutMs: number): Promise<void> {
  if (client.state.status === status) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state stayed ${client.state.status}, expected ${status}`)), timeoutMs);
    const subscription = client.onDidChangeState((state) => {
      if (state.status !== status) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

describe('engine client', { skip: MODEL_MISSING_REASON }, () => {
  let client: EngineClient;
  const states: EngineState[] = [];

  before(async () => {
    const workerScript = await bundledWorker();
    client = new EngineClient({ modelFolder: MODEL_FOLDER, threads: 1, workerScript, log: quietLog, heartbeatIntervalMs: 200, heartbeatTimeoutMs: 1500 });
    client.onDidChangeState((state) => states.push(state));
    await client.start();
  });

  after(() => client?.dispose());

  it('reports loading progress then ready', () => {
    const loading = states.filter((state) => state.status === 'loading');
    assert.ok(loading.length >= 2);
    assert.ok(loading.some((state) => (state.progress ?? 0) > 0 && (state.progress ?? 0) < 1));
    assert.equal(client.state.status, 'ready');
    assert.equal(client.state.model?.name, 'expert-moe');
  });

  it('answers route and complete', async () => {
    const trace = await client.route({ documentKey: 'doc', prefix: PREFIX, routing: routingOptions() });
    assert.ok(client.state.model?.domains.includes(trace.domain.domain));
    const result = await client.complete({ documentKey: 'doc', prefix: PREFIX, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 4 }) });
    assert.equal(typeof result.completion, 'string');
    assert.ok(result.timing.reusedTokens > 0);
  });

  it('newer request supersedes older', async () => {
    const older = client.complete({ documentKey: 'same', prefix: PREFIX, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 200, stopAt: 'block' }) });
    const other = client.route({ documentKey: 'other', prefix: PREFIX, routing: routingOptions() });
    const newer = client.complete({ documentKey: 'same', prefix: `${PREFIX}Oregon`, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 2 }) });

    await assert.rejects(older, (error) => errorCode(error) === 'superseded');
    await assert.doesNotReject(other);
    const result = await newer;
    assert.equal(typeof result.completion, 'string');
  });

  it('abort signal cancels', async () => {
    const controller = new AbortController();
    const request = client.complete({ documentKey: 'abort', prefix: PREFIX, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 500, stopAt: 'block' }) }, controller.signal);
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(request, (error) => errorCode(error) === 'cancelled');

    // The worker stopped the cancelled generation, so the next request gets a result.
    const after = await client.route({ documentKey: 'abort', prefix: PREFIX, routing: routingOptions() });
    assert.ok(after.domain.domain.length > 0);
    await assert.rejects(client.route({ documentKey: 'pre', prefix: PREFIX, routing: routingOptions() }, AbortSignal.abort()), (error) => errorCode(error) === 'cancelled');
  });

  it('rejects invalid input with its code', async () => {
    await assert.rejects(client.route({ documentKey: 'bad', prefix: PREFIX, routing: routingOptions({ topK: 99 }) }), (error) => {
      assert.equal(errorCode(error), 'input-invalid');
      assert.ok(error instanceof Error);
      return true;
    });
  });

  it('restarts a crashed worker', async () => {
    const pending = client.complete({ documentKey: 'crash', prefix: PREFIX, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 500, stopAt: 'block' }) });
    client.simulateWorkerFault('exit');
    await assert.rejects(pending, (error) => errorCode(error) === 'worker-crashed');
    assert.equal(client.state.status, 'restarting');

    const trace = await client.route({ documentKey: 'crash', prefix: PREFIX, routing: routingOptions() });
    assert.ok(trace.domain.domain.length > 0);
    assert.ok(states.some((state) => state.status === 'restarting' && state.error?.code === 'worker-crashed'));
  });

  it('restarts an unresponsive worker', async () => {
    await waitFor(client, 'ready', 10_000);
    client.simulateWorkerFault('block', 6000);
    const pending = client.route({ documentKey: 'stuck', prefix: PREFIX, routing: routingOptions() });
    await assert.rejects(pending, (error) => errorCode(error) === 'worker-unresponsive');

    const trace = await client.route({ documentKey: 'stuck', prefix: PREFIX, routing: routingOptions() });
    assert.ok(trace.domain.domain.length > 0);
  });

  it('reload drops pending requests', async () => {
    const pending = client.complete({ documentKey: 'reload', prefix: PREFIX, suffix: '', routing: routingOptions(), generation: generationOptions({ maxTokens: 500, stopAt: 'block' }) });
    const reloaded = client.reload({ modelFolder: MODEL_FOLDER, threads: 1 });
    await assert.rejects(pending, (error) => errorCode(error) === 'cancelled');
    await reloaded;
    assert.equal(client.state.status, 'ready');
    const trace = await client.route({ documentKey: 'reload', prefix: PREFIX, routing: routingOptions() });
    assert.ok(trace.domain.domain.length > 0);
  });

  it('dispose rejects a pending start', async () => {
    const other = new EngineClient({ modelFolder: MODEL_FOLDER, threads: 1, workerScript: await bundledWorker(), log: quietLog });
    const starting = other.start();
    other.dispose();
    await assert.rejects(starting, (error) => errorCode(error) === 'cancelled');
    assert.equal(other.state.status, 'stopped');
  });
});

describe('engine client standby worker', { skip: MODEL_MISSING_REASON }, () => {
  const logged: string[] = [];
  const recordingLog = { ...quietLog, info: (message: string) => logged.push(message), warn: (message: string) => logged.push(message) };
  let workerScript: string;

  before(async () => {
    workerScript = await bundledWorker();
  });

  async function waitForLog(pattern: RegExp): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!logged.some((line) => pattern.test(line))) {
      if (Date.now() > deadline) throw new Error(`No log line matched ${pattern}: ${logged.join(' | ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // The standby starts once a heartbeat has waited 40% of the 3 s limit.
  function startClient(): EngineClient {
    logged.length = 0;
    return new EngineClient({ modelFolder: MODEL_FOLDER, threads: 1, workerScript, log: recordingLog, heartbeatIntervalMs: 100, heartbeatTimeoutMs: 3000 });
  }

  it('takes over a stuck worker', async () => {
    const client = startClient();
    try {
      await client.start();
      client.simulateWorkerFault('block', 10_000);
      const stuck = client.route({ documentKey: 'standby', prefix: PREFIX, routing: routingOptions() });
      await assert.rejects(stuck, (error) => errorCode(error) === 'worker-unresponsive');

      const trace = await client.route({ documentKey: 'standby', prefix: PREFIX, routing: routingOptions() });
      assert.ok(trace.domain.domain.length > 0);
      const started = logged.findIndex((line) => /^Starting a standby inference worker because the inference worker has not answered a heartbeat for \d+ ms\.$/.test(line));
      const switched = logged.findIndex((line) => /^Switching to the standby inference worker/.test(line));
      assert.ok(started >= 0, logged.join('\n'));
      assert.ok(switched > started, logged.join('\n'));
    } finally {
      client.dispose();
    }
  });

  it('is stopped by a reload', async () => {
    const client = startClient();
    try {
      await client.start();
      client.simulateWorkerFault('block', 2500);
      await waitForLog(/^Starting a standby inference worker/);

      await client.reload({ modelFolder: MODEL_FOLDER, threads: 1 });
      const trace = await client.route({ documentKey: 'reloaded', prefix: PREFIX, routing: routingOptions() });

      assert.ok(trace.domain.domain.length > 0);
      assert.ok(logged.includes('Stopping the standby inference worker because the engine reloaded its model.'), logged.join('\n'));
      assert.ok(!logged.some((line) => line.startsWith('Switching to the standby')), logged.join('\n'));
    } finally {
      client.dispose();
    }
  });

  it('stops when the worker answers', async () => {
    const client = startClient();
    try {
      await client.start();
      const states: string[] = [];
      client.onDidChangeState((state) => states.push(state.status));
      client.simulateWorkerFault('block', 2000);
      await new Promise((resolve) => setTimeout(resolve, 2600));

      assert.ok(logged.some((line) => /^Stopping the standby inference worker because the inference worker answered its heartbeat after \d+ ms\.$/.test(line)), logged.join('\n'));
      assert.ok(!states.includes('restarting'), states.join(', '));
      const trace = await client.route({ documentKey: 'late', prefix: PREFIX, routing: routingOptions() });
      assert.ok(trace.domain.domain.length > 0);
    } finally {
      client.dispose();
    }
  });
});
