// Plain data that crosses the worker boundary, the CLI and the webview unchanged.
// Nothing here may import `vscode` or onnxruntime.

export type Domain = string;

/** How the domain behind a request was decided, in order of precedence. */
export type DomainSource = 'pinned' | 'file-rule' | 'language-rule' | 'detected' | 'off';

export interface ExpertInfo {
  /** Stable id from the model manifest, such as `L2.E5`. */
  id: string;
  layer: number;
  /** Position of the expert in its layer's routing_bias row. */
  index: number;
  domain: Domain;
  label: string;
}

export interface ModelInfo {
  name: string;
  folder: string;
  domains: Domain[];
  experts: ExpertInfo[];
  layers: number;
  expertsPerLayer: number;
  defaultTopK: number;
  maxContext: number;
  trainedContext: number;
}

/** The routing part of every request, produced by the routing policy from settings. */
export interface RoutingOptions {
  /** `auto` biases the router towards the detected domain, `off` leaves plain top-k routing. */
  mode: 'auto' | 'off';
  /** A domain decided by a pin or a rule; when set, detection only reports. */
  domain?: Domain;
  domainSource?: DomainSource;
  /** Added to the logits of the chosen domain's experts, for selection only. */
  biasStrength: number;
  /** Below this detected confidence the request routes as `general`. */
  minConfidence: number;
  topK: number;
  /** Dynamic top-p routing threshold; 1 turns it off. */
  topP: number;
  /** Expert ids that must never run. */
  disabledExperts: string[];
  /** Swap low-impact selected experts for high-impact dormant ones of the domain. */
  counterfactual: boolean;
  counterfactualStrength: number;
}

export interface GenerationOptions {
  maxTokens: number;
  /** 0 means greedy decoding. */
  temperature: number;
  topP: number;
  /** Wall-clock budget for the whole request, in milliseconds. */
  timeBudgetMs: number;
  /** Seed of the sampler when `temperature` is above 0; without it each request draws a new seed. */
  seed?: number;
  /** `line` stops at the end of the line, `block` at the end of a code block, `sentence` at the end of a clause or sentence. */
  stopAt: 'line' | 'block' | 'sentence';
}

export interface LayerRouting {
  /** Router probability per expert index, before any bias. */
  probs: number[];
  /** Expert indices that ran. */
  chosen: number[];
  /** Expert indices that ran only because counterfactual routing woke them. */
  awakened: number[];
  /** Normalised routing entropy, 0 for one expert and 1 for uniform. */
  entropy: number;
}

export interface TokenTrace {
  text: string;
  /** One entry per layer. */
  layers: LayerRouting[];
}

export interface DomainPosterior {
  domain: Domain;
  confidence: number;
  /** Probability per domain name, summing to 1. */
  posterior: Record<Domain, number>;
  source: DomainSource;
  /** The most probable domain of the posterior, which `domain` differs from when a pin, a rule or low confidence decided. */
  detected?: Domain;
  detectedConfidence?: number;
}

export interface RoutingTrace {
  domain: DomainPosterior;
  /** Routing of the last context position, one entry per layer. */
  context: LayerRouting[];
  /** Share of top-k slots each expert took over the context, per layer and expert index. */
  load: number[][];
  /** Routing of every generated token. */
  generated: TokenTrace[];
}

export interface CompletionResult {
  completion: string;
  stopReason: 'stop-rule' | 'max-tokens' | 'time-budget' | 'end-of-text' | 'cancelled';
  trace: RoutingTrace;
  /** `generatedTokens` counts as `maxTokens` does, so it never exceeds it. */
  timing: { totalMs: number; promptTokens: number; reusedTokens: number; generatedTokens: number };
}

export interface ExpertImpact {
  expertId: string;
  layer: number;
  index: number;
  /** KL divergence of the next-token distribution when the expert is masked. */
  klDivergence: number;
  /**
   * `masked` for an expert that ran and was switched off; `activated` for one that did not run
   * and was switched on in place of the weakest selected expert (masking it would change nothing).
   * Absent means `masked`.
   */
  effect?: 'masked' | 'activated';
  /** The completion with the expert masked, when it differs. */
  completionWithout?: string;
}

export interface ExplainResult {
  completion: string;
  trace: RoutingTrace;
  impacts: ExpertImpact[];
}

export interface RouteRequest {
  kind: 'route';
  documentKey: string;
  prefix: string;
  routing: RoutingOptions;
}

export interface CompleteRequest {
  kind: 'complete';
  documentKey: string;
  prefix: string;
  suffix: string;
  routing: RoutingOptions;
  generation: GenerationOptions;
}

export interface ExplainRequest {
  kind: 'explain';
  documentKey: string;
  prefix: string;
  routing: RoutingOptions;
  generation: GenerationOptions;
  timeBudgetMs: number;
}

export type EngineRequest = RouteRequest | CompleteRequest | ExplainRequest;

export type EngineErrorCode =
  | 'model-missing'
  | 'model-corrupt'
  | 'model-mismatch'
  | 'tokenizer-invalid'
  | 'input-invalid'
  | 'worker-crashed'
  | 'worker-unresponsive'
  | 'cancelled'
  | 'superseded'
  | 'internal';

/** An error as a value, so the status bar, panel, log and CLI all show the same words. */
export interface EngineErrorInfo {
  code: EngineErrorCode;
  message: string;
  /** What the user can do about it. */
  action?: string;
  /** The file or value at fault. */
  subject?: string;
}

export type EngineStatus = 'loading' | 'ready' | 'busy' | 'error' | 'restarting' | 'stopped';

export interface EngineState {
  status: EngineStatus;
  model?: ModelInfo;
  error?: EngineErrorInfo;
  /** Loading progress from 0 to 1, while `status` is `loading`. */
  progress?: number;
}

/**
 * The engine as its callers see it. `EngineClient` implements it over a worker thread; tests
 * may implement it directly. Requests reject with an `Error` whose `info` is an `EngineErrorInfo`.
 * A newer request with the same `documentKey` supersedes an older one, which rejects with
 * the code `superseded`.
 */
export interface Engine {
  readonly state: EngineState;
  onDidChangeState(listener: (state: EngineState) => void): { dispose(): void };
  route(request: Omit<RouteRequest, 'kind'>, signal?: AbortSignal): Promise<RoutingTrace>;
  complete(request: Omit<CompleteRequest, 'kind'>, signal?: AbortSignal): Promise<CompletionResult>;
  explain(request: Omit<ExplainRequest, 'kind'>, signal?: AbortSignal): Promise<ExplainResult>;
  /** Loads another model folder or thread count, restarting the worker. */
  reload(options: { modelFolder: string; threads: number }): Promise<void>;
  dispose(): void;
}
