// Forward steps over the model with a fixed top-k and top-p, including the counterfactual
// rerun of a step on an uncertain token.

import { isUncertain, planAwakening, type CounterfactualSettings } from './counterfactual';
import type { KvState, PositionRouting } from './kvCache';
import type { Manifest } from './manifest';
import type { OnnxModel, StepOutput } from './onnxModel';
import { positionRouting } from './routing';

/** The model after consuming some tokens: its cache and its prediction for the next token. */
export interface DecoderState {
  kv: KvState;
  /** `[V]` logits for the next token. */
  logits: Float32Array;
  /** Routing of the last consumed position. */
  routing: PositionRouting;
  /** Per layer, experts that counterfactual routing woke at that position. */
  awakened: number[][];
}

export class Decoder {
  constructor(
    private readonly onnx: OnnxModel,
    private readonly manifest: Manifest,
    readonly topK: number,
    readonly topP: number,
  ) {}

  run(ids: readonly number[], past: KvState, bias: Float32Array): Promise<StepOutput> {
    return this.onnx.run({ ids, past, bias, topK: this.topK, topP: this.topP });
  }

  /** Consumes one token; with `counterfactual`, reruns it with woken experts when the prediction is uncertain. */
  async step(token: number, past: KvState, bias: Float32Array, counterfactual?: CounterfactualSettings): Promise<DecoderState> {
    const state = this.stateOf(await this.run([token], past, bias), 0);
    if (counterfactual === undefined) return state;
    return this.wake(state, token, past, bias, counterfactual);
  }

  /** Reruns a single-token step whose prediction is uncertain with the counterfactual swaps. */
  async wake(state: DecoderState, token: number, past: KvState, bias: Float32Array, counterfactual: CounterfactualSettings): Promise<DecoderState> {
    if (!isUncertain(state.logits, counterfactual.strength)) return state;
    const awakening = planAwakening(state.routing, bias, this.topK, this.manifest, counterfactual);
    if (awakening === undefined) return state;

    const rerun = this.stateOf(await this.run([token], past, awakening.bias), 0);
    const { expertsPerLayer } = this.manifest.architecture;
    rerun.awakened = awakening.awakened.map((indices, layer) =>
      indices.filter((index) => rerun.routing.weights[layer * expertsPerLayer + index] > 0),
    );
    return rerun;
  }

  /** Extracts the state after position `position` of a step's output. */
  stateOf(output: StepOutput, position: number): DecoderState {
    const { layers, expertsPerLayer, vocabSize } = this.manifest.architecture;
    return {
      kv: output.present,
      logits: output.logits.slice(position * vocabSize, (position + 1) * vocabSize),
      routing: positionRouting(output.routerProbs, output.expertWeights, position, output.tokens, layers, expertsPerLayer),
      awakened: [],
    };
  }
}
