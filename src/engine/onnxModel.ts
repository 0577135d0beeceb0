// The ONNX session of model.onnx: creation, checks against the manifest, and one forward step.

import * as ort from 'onnxruntime-node';
import { describeError, engineError } from './errors';
import { kvDims, type KvState } from './kvCache';
import type { Manifest } from './manifest';
import { unguardedNativeCalls, type NativeCallGuard } from './nativeGuard';

export interface StepInput {
  ids: readonly number[];
  past: KvState;
  /** `[L, E]` selection bias. */
  bias: Float32Array;
  topK: number;
  topP: number;
}

export interface StepOutput {
  /** T, the number of tokens the step ran. */
  tokens: number;
  /** `[T, V]` next-token logits. */
  logits: Float32Array;
  present: KvState;
  /** `[L, T, E]` router softmax before any bias. */
  routerProbs: Float32Array;
  /** `[L, T, E]` weight of each selected expert, 0 where the expert did not run. */
  expertWeights: Float32Array;
}

export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: Manifest,
    private readonly guard: NativeCallGuard,
  ) {}

  /**
   * Creates the session and checks its inputs, outputs and shapes against the manifest. `guard`
   * wraps each native call, so that a worker is never terminated inside one (nativeGuard.ts).
   */
  static async create(file: string, manifest: Manifest, threads: number, guard: NativeCallGuard = unguardedNativeCalls): Promise<OnnxModel> {
    let session: ort.InferenceSession;
    try {
      session = await guard.span(() =>
        ort.InferenceSession.create(file, {
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          graphOptimizationLevel: 'all',
        }),
      );
    } catch (error) {
      if ((error as { info?: { code?: string } }).info?.code === 'cancelled') throw error;
      throw engineError('model-corrupt', `The model file ${file} cannot be loaded by onnxruntime: ${describeError(error)}`, {
        subject: file,
        action: 'The file is truncated or damaged: copy model.onnx again from the exported model folder.',
      });
    }

    const problem = findSessionProblem(session, manifest);
    if (problem !== undefined) {
      await guard.span(() => session.release()).catch(() => undefined);
      throw engineError('model-mismatch', `The model file ${file} does not match manifest.json: ${problem}`, {
        subject: file,
        action: 'Use the manifest.json exported together with this model.onnx.',
      });
    }
    return new OnnxModel(session, manifest, guard);
  }

  async run(input: StepInput): Promise<StepOutput> {
    const { inputs, outputs, architecture } = this.manifest;
    const tokens = input.ids.length;
    const feeds: Record<string, ort.Tensor> = {
      [inputs.inputIds]: new ort.Tensor('int64', BigInt64Array.from(input.ids, BigInt), [1, tokens]),
      [inputs.pastKeyValues]: new ort.Tensor('float32', input.past.data, kvDims(architecture, input.past.length)),
      [inputs.routingBias]: new ort.Tensor('float32', input.bias, [architecture.layers, architecture.expertsPerLayer]),
      [inputs.topK]: new ort.Tensor('int64', BigInt64Array.of(BigInt(input.topK)), [1]),
      [inputs.topP]: new ort.Tensor('float32', Float32Array.of(input.topP), [1]),
    };

    const results = await this.guard.step(() => this.session.run(feeds));
    return {
      tokens,
      logits: results[outputs.logits].data as Float32Array,
      present: { data: results[outputs.presentKeyValues].data as Float32Array, length: input.past.length + tokens },
      routerProbs: results[outputs.routerProbs].data as Float32Array,
      expertWeights: results[outputs.expertWeights].data as Float32Array,
    };
  }

  /** Runs one token and checks the output shapes, so a mismatch shows at load time. */
  async checkOutputShapes(file: string, probeId: number): Promise<void> {
    const { architecture } = this.manifest;
    const expertCount = architecture.layers * architecture.expertsPerLayer;
    let output: StepOutput;
    try {
      output = await this.run({
        ids: [probeId],
        past: { data: new Float32Array(0), length: 0 },
        bias: new Float32Array(expertCount),
        topK: architecture.defaultTopK,
        topP: 1,
      });
    } catch (error) {
      if ((error as { info?: { code?: string } }).info?.code === 'cancelled') throw error;
      throw engineError('model-mismatch', `The model file ${file} fails on a one-token test run: ${describeError(error)}`, {
        subject: file,
        action: 'Use the manifest.json exported together with this model.onnx.',
      });
    }

    const problems: string[] = [];
    if (output.logits.length !== architecture.vocabSize) problems.push(`logits have ${output.logits.length} values, expected vocabSize ${architecture.vocabSize}`);
    if (output.routerProbs.length !== expertCount) problems.push(`router_probs have ${output.routerProbs.length} values, expected ${expertCount}`);
    const kvSize = architecture.layers * 2 * architecture.heads * architecture.headDim;
    if (output.present.data.length !== kvSize) problems.push(`present_key_values have ${output.present.data.length} values per position, expected ${kvSize}`);
    if (problems.length > 0) {
      throw engineError('model-mismatch', `The model file ${file} does not match manifest.json: ${problems.join('; ')}`, {
        subject: file,
        action: 'Use the manifest.json exported together with this model.onnx.',
      });
    }
  }

  async release(): Promise<void> {
    await this.guard.span(() => this.session.release());
  }
}

function findSessionProblem(session: ort.InferenceSession, manifest: Manifest): string | undefined {
  const missingInputs = Object.values(manifest.inputs).filter((name) => !session.inputNames.includes(name));
  if (missingInputs.length > 0) return `the graph has no input ${missingInputs.join(', ')} (it has ${session.inputNames.join(', ')})`;
  const missingOutputs = Object.values(manifest.outputs).filter((name) => !session.outputNames.includes(name));
  if (missingOutputs.length > 0) return `the graph has no output ${missingOutputs.join(', ')} (it has ${session.outputNames.join(', ')})`;

  const { architecture: a, inputs, outputs } = manifest;
  const expectedShapes: Array<[string, ort.InferenceSession.ValueMetadata[], Array<number | undefined>, string[]]> = [
    [inputs.routingBias, [...session.inputMetadata], [a.layers, a.expertsPerLayer], ['layers', 'expertsPerLayer']],
    [inputs.pastKeyValues, [...session.inputMetadata], [a.layers, 2, 1, a.heads, undefined, a.headDim], ['layers', '2', '1', 'heads', 'P', 'headDim']],
    [outputs.logits, [...session.outputMetadata], [1, undefined, a.vocabSize], ['1', 'T', 'vocabSize']],
    [outputs.routerProbs, [...session.outputMetadata], [a.layers, undefined, a.expertsPerLayer], ['layers', 'T', 'expertsPerLayer']],
  ];

  for (const [name, metadata, expected, fields] of expectedShapes) {
    const entry = metadata.find((value) => value.name === name);
    if (entry === undefined || !entry.isTensor || entry.shape.length === 0) continue;
    if (entry.shape.length !== expected.length) return `${name} has ${entry.shape.length} dimensions, expected ${expected.length}`;
    for (let axis = 0; axis < expected.length; axis += 1) {
      const actual = entry.shape[axis];
      if (expected[axis] === undefined || typeof actual !== 'number') continue;
      if (actual !== expected[axis]) {
        return `${name} axis ${axis} is ${actual} in the graph, but the manifest says ${fields[axis]} = ${String(expected[axis])}`;
      }
    }
  }
  return undefined;
}
