// The engine in-process: one loaded model that serves route, complete and explain requests
// one at a time. The worker thread wraps it for the extension; the CLI uses it directly.

import { prepareContext, throwIfCancelled, type PreparedContext } from './context';
import type { CounterfactualSettings } from './counterfactual';
import { Decoder } from './decoder';
import { engineError } from './errors';
import { expertVariants, measureImpacts } from './explain';
import { generate, type GenerationResult } from './generation';
import { DocumentCacheStore } from './kvCache';
import type { EngineLogger } from './logger';
import { loadModelFolder, type LoadedModel } from './modelFolder';
import type { NativeCallGuard } from './nativeGuard';
import type {
  CompleteRequest,
  CompletionResult,
  ExplainRequest,
  ExplainResult,
  GenerationOptions,
  ModelInfo,
  RouteRequest,
  RoutingOptions,
  RoutingTrace,
} from './protocol';
import { DISABLED_BIAS, expertLoad, layerRoutings, planRouting, type RoutingPlan } from './routing';

const DEFAULT_CACHED_DOCUMENTS = 8;
/** Experts whose masked completion `explain` computes, by impact. */
const COMPLETIONS_WITHOUT = 3;
const MAX_NEW_TOKENS = 1024;

export interface InferenceEngineOptions {
  threads: number;
  /** Context window in tokens; defaults to the manifest's trainedContext. */
  contextTokens?: number;
  /** Documents whose attention cache is kept for reuse. */
  cachedDocuments?: number;
  log: EngineLogger;
  onProgress?: (progress: number) => void;
  /** Wraps onnxruntime's native calls; the worker thread passes one (nativeGuard.ts). */
  nativeGuard?: NativeCallGuard;
}

/** Lets a caller stop a request between decoding steps. */
export interface RequestControl {
  isCancelled(): boolean;
}

const NEVER_CANCELLED: RequestControl = { isCancelled: () => false };

export class InferenceEngine {
  private readonly cache: DocumentCacheStore;
  private readonly contextTokens: number;
  private queue: Promise<unknown> = Promise.resolve();
  private counterfactualWarned = false;

  private constructor(
    private readonly model: LoadedModel,
    private readonly log: EngineLogger,
    options: InferenceEngineOptions,
  ) {
    this.cache = new DocumentCacheStore(options.cachedDocuments ?? DEFAULT_CACHED_DOCUMENTS);
    this.contextTokens = options.contextTokens ?? model.manifest.architecture.trainedContext;
  }

  static async load(folder: string, options: InferenceEngineOptions): Promise<InferenceEngine> {
    const started = Date.now();
    const model = await loadModelFolder(folder, { threads: options.threads, onProgress: options.onProgress, nativeGuard: options.nativeGuard });
    options.log.info(`Loaded model ${model.manifest.name} from ${model.folder} in ${Date.now() - started} ms (${options.threads} threads).`);
    if (model.impactProblem !== undefined) options.log.info(`No counterfactual impact table: ${model.impactProblem}.`);
    return new InferenceEngine(model, options.log, options);
  }

  get info(): ModelInfo {
    return this.model.info;
  }

  route(request: Omit<RouteRequest, 'kind'>, control: RequestControl = NEVER_CANCELLED): Promise<RoutingTrace> {
    return this.exclusive(async () => {
      const started = Date.now();
      const plan = this.plan(request.routing);
      const context = await this.prepare(request, plan, { heal: false, newTokens: 0 }, control);
      this.log.debug(`route ${request.documentKey}: ${context.ids.length} tokens (${context.reusedTokens} reused), ${context.domain.domain} ${context.domain.confidence.toFixed(2)}, ${Date.now() - started} ms`);
      return this.contextTrace(context);
    });
  }

  complete(request: Omit<CompleteRequest, 'kind'>, control: RequestControl = NEVER_CANCELLED): Promise<CompletionResult> {
    return this.exclusive(async () => {
      const started = Date.now();
      checkGeneration(request.generation);
      const plan = this.plan(request.routing);
      const context = await this.prepare(request, plan, { heal: true, newTokens: request.generation.maxTokens }, control);
      const generated = await this.generate(request, context, plan, context.generationBias, started + request.generation.timeBudgetMs, control);

      const totalMs = Date.now() - started;
      this.log.debug(
        `complete ${request.documentKey}: ${context.ids.length} tokens (${context.reusedTokens} reused), ${generated.generatedTokens} generated, ${generated.stopReason}, ${totalMs} ms`,
      );
      return {
        completion: generated.completion,
        stopReason: generated.stopReason,
        trace: { ...this.contextTrace(context), generated: generated.tokens },
        timing: { totalMs, promptTokens: context.ids.length, reusedTokens: context.reusedTokens, generatedTokens: generated.generatedTokens },
      };
    });
  }

  explain(request: Omit<ExplainRequest, 'kind'>, control: RequestControl = NEVER_CANCELLED): Promise<ExplainResult> {
    return this.exclusive(async () => {
      const started = Date.now();
      checkGeneration(request.generation);
      if (!(request.timeBudgetMs > 0)) throw inputError(`Explain time budget ${String(request.timeBudgetMs)} ms is not positive.`, 'Use a budget such as 2000 ms.', 'timeBudgetMs');
      const deadline = started + request.timeBudgetMs;
      const plan = this.plan(request.routing);
      const context = await this.prepare(request, plan, { heal: true, newTokens: request.generation.maxTokens }, control);
      const baseline = await this.generate(request, context, plan, context.generationBias, Math.min(deadline, started + request.generation.timeBudgetMs), control);

      const decoder = this.decoder(plan);
      const variants = expertVariants(context, this.model.manifest, plan.topK, plan.topP);
      const impacts = await measureImpacts(context, decoder, this.model.manifest, variants, deadline, () => control.isCancelled());
      throwIfCancelled(control);

      const strongest = impacts.filter((impact) => impact.effect === 'masked').slice(0, COMPLETIONS_WITHOUT);
      for (const impact of strongest) {
        if (Date.now() > deadline) break;
        const bias = Float32Array.from(context.generationBias);
        bias[impact.layer * this.model.manifest.architecture.expertsPerLayer + impact.index] = DISABLED_BIAS;
        const masked = await this.generateFromLastToken(request, context, plan, bias, deadline, control);
        if (masked.completion !== baseline.completion) impact.completionWithout = masked.completion;
      }

      this.log.debug(`explain ${request.documentKey}: ${impacts.length} of ${variants.length} experts measured, ${Date.now() - started} ms`);
      return { completion: baseline.completion, trace: { ...this.contextTrace(context), generated: baseline.tokens }, impacts };
    });
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    await this.model.onnx.release();
  }

  /** Runs requests one after another; onnxruntime sessions are not meant for overlapping runs here. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task, task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private plan(routing: RoutingOptions): RoutingPlan {
    return planRouting(routing, this.model.manifest);
  }

  private decoder(plan: RoutingPlan): Decoder {
    return new Decoder(this.model.onnx, this.model.manifest, plan.topK, plan.topP);
  }

  private prepare(
    request: { documentKey: string; prefix: string; routing: RoutingOptions },
    plan: RoutingPlan,
    shape: { heal: boolean; newTokens: number },
    control: RequestControl,
  ): Promise<PreparedContext> {
    if (typeof request.prefix !== 'string') throw inputError('The request prefix is not a string.', 'Send the document text before the cursor.', 'prefix');
    return prepareContext(this.model, this.decoder(plan), this.cache, this.contextTokens, {
      documentKey: request.documentKey,
      prefix: request.prefix,
      routing: request.routing,
      plan,
      heal: shape.heal,
      newTokens: shape.newTokens,
      isCancelled: () => control.isCancelled(),
    });
  }

  private generate(
    request: { prefix: string; routing: RoutingOptions; generation: GenerationOptions },
    context: PreparedContext,
    plan: RoutingPlan,
    bias: Float32Array,
    deadline: number,
    control: RequestControl,
  ): Promise<GenerationResult> {
    const { tokenizer, manifest } = this.model;
    return generate(tokenizer, this.decoder(plan), manifest, {
      options: request.generation,
      start: context.start,
      kvBeforeLast: context.kvBeforeLast,
      lastContextToken: context.ids[context.ids.length - 1],
      bias,
      healText: context.healText,
      currentLine: request.prefix.slice(request.prefix.lastIndexOf('\n') + 1),
      counterfactual: this.counterfactual(request.routing, context),
      deadline,
      isCancelled: () => control.isCancelled(),
    });
  }

  /** Generates with another bias from the last context position on (the cached prefix stays). */
  private async generateFromLastToken(
    request: { prefix: string; routing: RoutingOptions; generation: GenerationOptions },
    context: PreparedContext,
    plan: RoutingPlan,
    bias: Float32Array,
    deadline: number,
    control: RequestControl,
  ): Promise<GenerationResult> {
    const decoder = this.decoder(plan);
    const start = decoder.stateOf(await decoder.run([context.ids[context.ids.length - 1]], context.kvBeforeLast, bias), 0);
    return this.generate(request, { ...context, start }, plan, bias, deadline, control);
  }

  private counterfactual(routing: RoutingOptions, context: PreparedContext): CounterfactualSettings | undefined {
    if (!routing.counterfactual || routing.mode === 'off') return undefined;
    if (this.model.impact === undefined) {
      const message = `Counterfactual routing does nothing: ${this.model.impactProblem ?? 'impact.json is missing'}.`;
      if (this.counterfactualWarned) this.log.debug(message);
      else this.log.warn(message);
      this.counterfactualWarned = true;
      return undefined;
    }
    const strength = Math.min(1, Math.max(0, routing.counterfactualStrength));
    return { impact: this.model.impact, domain: context.domain.domain, strength };
  }

  private contextTrace(context: PreparedContext): RoutingTrace {
    const { layers, expertsPerLayer } = this.model.manifest.architecture;
    return {
      domain: context.domain,
      context: layerRoutings(context.start.routing, layers, expertsPerLayer),
      load: expertLoad(context.positions, layers, expertsPerLayer),
      generated: [],
    };
  }
}

function checkGeneration(options: GenerationOptions): void {
  if (!Number.isInteger(options.maxTokens) || options.maxTokens < 1 || options.maxTokens > MAX_NEW_TOKENS) {
    throw inputError(`maxTokens ${String(options.maxTokens)} is out of range.`, `Use a whole number from 1 to ${MAX_NEW_TOKENS}.`, 'maxTokens');
  }
  if (!(options.temperature >= 0) || !Number.isFinite(options.temperature)) {
    throw inputError(`Temperature ${String(options.temperature)} is invalid.`, 'Use 0 for greedy decoding or a positive number such as 0.7.', 'temperature');
  }
  if (!(options.topP > 0 && options.topP <= 1)) {
    throw inputError(`Sampling top-p ${String(options.topP)} is out of range.`, 'Use a number above 0 and at most 1.', 'topP');
  }
  if (!(options.timeBudgetMs > 0)) {
    throw inputError(`Time budget ${String(options.timeBudgetMs)} ms is not positive.`, 'Use a budget such as 1500 ms.', 'timeBudgetMs');
  }
  if (!['line', 'block', 'sentence'].includes(options.stopAt)) {
    throw inputError(`Stop rule "${String(options.stopAt)}" is unknown.`, 'Use line, block or sentence.', 'stopAt');
  }
}

function inputError(message: string, action: string, subject: string) {
  return engineError('input-invalid', message, { action, subject });
}
