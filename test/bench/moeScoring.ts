// Teacher-forced runs of the MoE over one scoring window, routed the way the engine routes a
// completion. The engine runs the context without a domain bias, and that pass detects the
// domain. It then reruns only the last context token with the bias of the domain it decided.
// So the logits that predict the next token come from a biased last position over an unbiased
// cache. Here every scored position gets that treatment in turn.

import { emptyKv, truncateKv, type KvState, type PositionRouting } from '../../src/engine/kvCache';
import type { LoadedModel } from '../../src/engine/modelFolder';
import type { StepOutput } from '../../src/engine/onnxModel';
import type { RoutingOptions } from '../../src/engine/protocol';
import { biasTowardsDomain, decideDomain, domainPosterior, planRouting, positionRouting, type RoutingPlan } from '../../src/engine/routing';
import { logSoftmax } from '../../src/engine/sampling';
import type { ScoringWindow } from './windows';

/** The window after one unbiased pass, which every routed rerun starts from. */
export interface ContextPass {
  window: ScoringWindow;
  output: StepOutput;
  /** Routing of every input position, for the domain posterior. */
  positions: PositionRouting[];
  /** Whether each input position is a special token (the engine leaves those out of detection). */
  special: boolean[];
}

export interface RoutedPrediction {
  /** Input position whose next token is predicted. */
  position: number;
  /** The domain the engine would route by after the context up to `position`. */
  domain: string;
  bias: Float32Array;
  /** The cache before `position`, to rerun that position with another bias. */
  kvBefore: KvState;
  /** The one-token rerun; its logits predict the token after `position`. */
  output: StepOutput;
  logits: Float32Array;
}

export class MoeScorer {
  readonly plan: RoutingPlan;
  readonly zeroBias: Float32Array;

  constructor(
    readonly model: LoadedModel,
    readonly routing: RoutingOptions,
  ) {
    this.plan = planRouting(routing, model.manifest);
    this.zeroBias = new Float32Array(model.manifest.architecture.layers * model.manifest.architecture.expertsPerLayer);
  }

  get topK(): number {
    return this.plan.topK;
  }

  run(ids: readonly number[], past: KvState, bias: Float32Array): Promise<StepOutput> {
    return this.model.onnx.run({ ids, past, bias, topK: this.plan.topK, topP: this.plan.topP });
  }

  /** Runs the window once with no domain bias. */
  async contextPass(window: ScoringWindow): Promise<ContextPass> {
    const { layers, expertsPerLayer } = this.model.manifest.architecture;
    const output = await this.run(window.inputs, emptyKv(), this.zeroBias);
    const positions = window.inputs.map((_, j) => positionRouting(output.routerProbs, output.expertWeights, j, output.tokens, layers, expertsPerLayer));
    return { window, output, positions, special: window.inputs.map((id) => this.model.tokenizer.isSpecial(id)) };
  }

  /** Decides the domain as the engine would from the context up to and including input position `position`. */
  decidedDomain(pass: ContextPass, position: number): { detected: string; routed: string } {
    const context = pass.positions.slice(0, position + 1).filter((_, j) => !pass.special[j]);
    const decision = decideDomain(domainPosterior(context, this.model.manifest), this.plan, this.routing);
    return { detected: decision.detected ?? decision.domain, routed: decision.domain };
  }

  /** Reruns input position `position` with the bias of the domain decided from the context up to it. */
  async routedPrediction(pass: ContextPass, position: number): Promise<RoutedPrediction> {
    const { manifest } = this.model;
    const domain = this.decidedDomain(pass, position).routed;
    const bias = biasTowardsDomain(this.plan.baseBias, manifest, domain, this.routing.biasStrength);
    const kvBefore = truncateKv(pass.output.present, manifest.architecture, position);
    const output = await this.run([pass.window.inputs[position]], kvBefore, bias);
    return { position, domain, bias, kvBefore, output, logits: output.logits };
  }

  /** Runs the whole window with every position biased towards `domain`, as a pin or file rule does. */
  async pinnedPass(window: ScoringWindow, domain: string): Promise<StepOutput> {
    const bias = biasTowardsDomain(this.plan.baseBias, this.model.manifest, domain, this.routing.biasStrength);
    return this.run(window.inputs, emptyKv(), bias);
  }

  /** Returns row `position` of a step's `[T, V]` logits. */
  logitsAt(output: StepOutput, position: number): Float32Array {
    const { vocabSize } = this.model.manifest.architecture;
    return output.logits.subarray(position * vocabSize, (position + 1) * vocabSize);
  }
}

export function logProbabilityOf(logits: ArrayLike<number>, token: number): number {
  return logSoftmax(logits)[token];
}
