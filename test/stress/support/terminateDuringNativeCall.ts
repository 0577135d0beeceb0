// Run in a child process: stops the engine's worker while it is inside onnxruntime (loading the
// model, or generating) in every way the client does: dispose, reload, and replacing a worker
// that stopped responding. Before nativeGuard.ts, each of these could abort the whole process
// with "terminate called after throwing an instance of 'Napi::Error'". Prints one line per
// stop and "survived" at the end; the exit code is 0 only if the process lived through all.

import { EngineClient } from '../../../src/engine/client';
import { silentLogger } from '../../../src/engine/logger';
import { MODEL_FOLDER } from './fuzzEnvironment';

const ROUTING = { mode: 'auto', biasStrength: 4, minConfidence: 0.3, topK: 2, topP: 1, disabledExperts: [], counterfactual: false, counterfactualStrength: 0.5 } as const;
const LONG_GENERATION = { maxTokens: 256, temperature: 0, topP: 1, timeBudgetMs: 30_000, stopAt: 'block' } as const;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const [workerScript, extent] = process.argv.slice(2);
  // The default run stops at two moments of each kind; `full` at six while loading and three per generation stop.
  const full = extent === 'full';
  const client = (options: Partial<ConstructorParameters<typeof EngineClient>[0]> = {}) =>
    new EngineClient({ modelFolder: MODEL_FOLDER, threads: 1, workerScript, log: silentLogger, ...options });

  // While the model loads: onnxruntime creates the session in native code.
  for (const ms of full ? [100, 300, 500, 700, 900, 1200] : [300, 700]) {
    const loading = client();
    loading.start().catch(() => undefined);
    await delay(ms);
    loading.dispose();
    process.stdout.write(`disposed while loading after ${ms} ms\n`);
  }

  // While generating: each decoding step is a native session.run.
  const engine = client();
  await engine.start();
  for (const stop of ['reload', 'dispose'] as const) {
    for (const ms of full ? [20, 60, 150] : [60]) {
      const target = stop === 'dispose' ? client() : engine;
      if (stop === 'dispose') await target.start();
      target.complete({ documentKey: 'stop', prefix: 'The patient was admitted with '.repeat(8), suffix: '', routing: { ...ROUTING, disabledExperts: [] }, generation: LONG_GENERATION }).catch(() => undefined);
      await delay(ms);
      if (stop === 'reload') await target.reload({ modelFolder: MODEL_FOLDER, threads: 1 });
      else target.dispose();
      process.stdout.write(`${stop} during a generation after ${ms} ms\n`);
    }
  }
  engine.dispose();
  await delay(500);
  process.stdout.write('survived\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
