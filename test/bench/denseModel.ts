// The dense baseline the training pipeline exports next to the MoE (baseline-dense.onnx): same
// tokenizer, attention and active parameters per token, one feed-forward block per layer and no
// router. Its graph takes input_ids and past_key_values and returns logits and present_key_values.

import * as ort from 'onnxruntime-node';
import type { KvState } from '../../src/engine/kvCache';
import { kvDims } from '../../src/engine/kvCache';
import type { Manifest } from '../../src/engine/manifest';

export const DENSE_FILE = 'baseline-dense.onnx';

export interface DenseStep {
  /** `[T, V]` next-token logits. */
  logits: Float32Array;
  present: KvState;
}

export class DenseModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: Manifest,
  ) {}

  static async create(file: string, manifest: Manifest, threads: number): Promise<DenseModel> {
    const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const missing = [manifest.inputs.inputIds, manifest.inputs.pastKeyValues].filter((name) => !session.inputNames.includes(name));
    if (missing.length > 0) {
      await session.release();
      throw new Error(`${file} has no input ${missing.join(', ')} (it has ${session.inputNames.join(', ')}); export the dense baseline with the pipeline's export stage.`);
    }
    return new DenseModel(session, manifest);
  }

  async run(ids: readonly number[], past: KvState): Promise<DenseStep> {
    const { inputs, outputs, architecture } = this.manifest;
    const results = await this.session.run({
      [inputs.inputIds]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      [inputs.pastKeyValues]: new ort.Tensor('float32', past.data, kvDims(architecture, past.length)),
    });
    return {
      logits: results[outputs.logits].data as Float32Array,
      present: { data: results[outputs.presentKeyValues].data as Float32Array, length: past.length + ids.length },
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
