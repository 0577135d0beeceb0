// Runtime checks for every message of `protocol.ts`, one validator per message type.
// The host runs the webview-message validators and the webview runs the host-message ones,
// so a message that does not match is dropped before anything acts on it or renders it.

import type {
  DomainPosterior,
  EngineErrorInfo,
  ExpertImpact,
  ExpertInfo,
  LayerRouting,
  RoutingTrace,
  TokenTrace,
} from '../engine/protocol';
import {
  panelActions,
  protocolLimits as limits,
  type ClearPinMessage,
  type HostMessage,
  type PanelCompletion,
  type PanelControls,
  type PanelDocument,
  type PanelExplanation,
  type PanelModel,
  type PanelSnapshot,
  type PanelStatus,
  type PinDomainMessage,
  type ReadyMessage,
  type RenderedMessage,
  type ReportProblemMessage,
  type RunActionMessage,
  type SetCounterfactualMessage,
  type SetExpertEnabledMessage,
  type SetTopKMessage,
  type SnapshotMessage,
  type WebviewMessage,
} from './protocol';
import {
  array,
  boolean,
  check,
  isPlainObject,
  literal,
  number,
  object,
  optional,
  record,
  string,
  taggedUnion,
  type CheckResult,
  type Schema,
} from './schema';

const text = string(limits.maxStringLength);
const name = string(200);
const index = number({ min: 0, integer: true });
// Softmax and entropy in float32 can land a rounding error outside [0, 1]; the renderers clamp.
const probability = number({ min: -1e-6, max: 1 + 1e-6 });
const domainSources = literal('pinned', 'file-rule', 'language-rule', 'detected', 'off');

const engineError: Schema<EngineErrorInfo> = object({
  code: literal(
    'model-missing',
    'model-corrupt',
    'model-mismatch',
    'tokenizer-invalid',
    'input-invalid',
    'worker-crashed',
    'worker-unresponsive',
    'cancelled',
    'superseded',
    'internal',
  ),
  message: text,
  action: optional(text),
  subject: optional(text),
});

const layerRouting: Schema<LayerRouting> = object({
  probs: array(probability, limits.maxExpertsPerLayer),
  chosen: array(index, limits.maxExpertsPerLayer),
  awakened: array(index, limits.maxExpertsPerLayer),
  entropy: probability,
});

const layerRoutings = array(layerRouting, limits.maxLayers);

const tokenTrace: Schema<TokenTrace> = object({ text, layers: layerRoutings });

const domainPosterior: Schema<DomainPosterior> = object({
  domain: name,
  confidence: probability,
  posterior: record(probability, limits.maxDomains, 200),
  source: domainSources,
  detected: optional(name),
  detectedConfidence: optional(probability),
});

const routingTrace: Schema<RoutingTrace> = object({
  domain: domainPosterior,
  context: layerRoutings,
  load: array(array(probability, limits.maxExpertsPerLayer), limits.maxLayers),
  generated: array(tokenTrace, limits.maxTokens),
});

const expertInfo: Schema<ExpertInfo> = object({
  id: name,
  layer: index,
  index,
  domain: name,
  label: name,
});

const expertImpact: Schema<ExpertImpact> = object({
  expertId: name,
  layer: index,
  index,
  klDivergence: number({ min: 0 }),
  effect: optional(literal('masked', 'activated')),
  completionWithout: optional(text),
});

const panelStatus: Schema<PanelStatus> = taggedUnion<PanelStatus>('kind', {
  'no-editor': object({ kind: literal('no-editor') }),
  'language-disabled': object({ kind: literal('language-disabled'), languageId: name }),
  loading: object({
    kind: literal('loading'),
    progress: optional(probability),
    modelName: optional(name),
    restartReason: optional(text),
  }),
  error: object({
    kind: literal('error'),
    error: engineError,
    actions: array(literal(...panelActions), panelActions.length),
  }),
  ready: object({
    kind: literal('ready'),
    lastRestart: optional(object({ reason: text, at: number({ min: 0, integer: true }) })),
  }),
});

const panelControls: Schema<PanelControls> = object({
  topK: number({ min: 1, max: limits.maxTopK, integer: true }),
  disabledExperts: array(name, limits.maxExperts),
  counterfactual: boolean(),
  settingsTarget: literal('workspace', 'user'),
  mode: literal('auto', 'off'),
  minConfidence: probability,
  domain: optional(name),
  domainSource: optional(domainSources),
});

const panelDocument: Schema<PanelDocument> = object({
  uri: text,
  name: text,
  languageId: name,
  line: number({ min: 1, integer: true }),
});

const panelModel: Schema<PanelModel> = object({
  name,
  domains: array(name, limits.maxDomains),
  experts: array(expertInfo, limits.maxExperts),
  layers: number({ min: 0, max: limits.maxLayers, integer: true }),
  expertsPerLayer: number({ min: 0, max: limits.maxExpertsPerLayer, integer: true }),
  maxTopK: number({ min: 1, max: limits.maxTopK, integer: true }),
});

const panelCompletion: Schema<PanelCompletion> = object({
  text,
  tokens: array(tokenTrace, limits.maxTokens),
});

const panelExplanation: Schema<PanelExplanation> = object({
  completion: text,
  impacts: array(expertImpact, limits.maxImpacts),
});

const panelSnapshot: Schema<PanelSnapshot> = object({
  status: panelStatus,
  controls: panelControls,
  document: optional(panelDocument),
  model: optional(panelModel),
  routing: optional(routingTrace),
  routingError: optional(engineError),
  completion: optional(panelCompletion),
  explanation: optional(panelExplanation),
});

const snapshotMessage: Schema<SnapshotMessage> = object({ type: literal('snapshot'), snapshot: panelSnapshot });

const readyMessage: Schema<ReadyMessage> = object({ type: literal('ready') });

const pinDomainMessage: Schema<PinDomainMessage> = object({ type: literal('pinDomain'), uri: text, domain: name });

const clearPinMessage: Schema<ClearPinMessage> = object({ type: literal('clearPin'), uri: text });

const setExpertEnabledMessage: Schema<SetExpertEnabledMessage> = object({
  type: literal('setExpertEnabled'),
  expertId: name,
  enabled: boolean(),
});

const setTopKMessage: Schema<SetTopKMessage> = object({
  type: literal('setTopK'),
  topK: number({ min: 1, max: limits.maxTopK, integer: true }),
});

const setCounterfactualMessage: Schema<SetCounterfactualMessage> = object({
  type: literal('setCounterfactual'),
  enabled: boolean(),
});

const runActionMessage: Schema<RunActionMessage> = object({
  type: literal('runAction'),
  action: literal(...panelActions),
});

const reportProblemMessage: Schema<ReportProblemMessage> = object({
  type: literal('reportProblem'),
  message: string(limits.maxProblemLength),
});

const renderedMessage: Schema<RenderedMessage> = object({
  type: literal('rendered'),
  status: literal('no-editor', 'language-disabled', 'loading', 'error', 'ready'),
  documentUri: optional(text),
  domain: optional(name),
  heatmapCells: number({ min: 0, integer: true }),
});

export const validateSnapshotMessage = (value: unknown): CheckResult<SnapshotMessage> =>
  check(snapshotMessage, value, 'message');

export const validateReadyMessage = (value: unknown): CheckResult<ReadyMessage> =>
  check(readyMessage, value, 'message');

export const validatePinDomainMessage = (value: unknown): CheckResult<PinDomainMessage> =>
  check(pinDomainMessage, value, 'message');

export const validateClearPinMessage = (value: unknown): CheckResult<ClearPinMessage> =>
  check(clearPinMessage, value, 'message');

export const validateSetExpertEnabledMessage = (value: unknown): CheckResult<SetExpertEnabledMessage> =>
  check(setExpertEnabledMessage, value, 'message');

export const validateSetTopKMessage = (value: unknown): CheckResult<SetTopKMessage> =>
  check(setTopKMessage, value, 'message');

export const validateSetCounterfactualMessage = (value: unknown): CheckResult<SetCounterfactualMessage> =>
  check(setCounterfactualMessage, value, 'message');

export const validateRunActionMessage = (value: unknown): CheckResult<RunActionMessage> =>
  check(runActionMessage, value, 'message');

export const validateReportProblemMessage = (value: unknown): CheckResult<ReportProblemMessage> =>
  check(reportProblemMessage, value, 'message');

export const validateRenderedMessage = (value: unknown): CheckResult<RenderedMessage> =>
  check(renderedMessage, value, 'message');

const hostMessageValidators: Record<HostMessage['type'], (value: unknown) => CheckResult<HostMessage>> = {
  snapshot: validateSnapshotMessage,
};

const webviewMessageValidators: Record<WebviewMessage['type'], (value: unknown) => CheckResult<WebviewMessage>> = {
  ready: validateReadyMessage,
  pinDomain: validatePinDomainMessage,
  clearPin: validateClearPinMessage,
  setExpertEnabled: validateSetExpertEnabledMessage,
  setTopK: validateSetTopKMessage,
  setCounterfactual: validateSetCounterfactualMessage,
  runAction: validateRunActionMessage,
  reportProblem: validateReportProblemMessage,
  rendered: validateRenderedMessage,
};

/** Checks a message received by the webview. */
export function validateHostMessage(value: unknown): CheckResult<HostMessage> {
  return dispatch(hostMessageValidators, value);
}

/** Checks a message received by the extension host. */
export function validateWebviewMessage(value: unknown): CheckResult<WebviewMessage> {
  return dispatch(webviewMessageValidators, value);
}

function dispatch<T>(validators: Record<string, (value: unknown) => CheckResult<T>>, value: unknown): CheckResult<T> {
  if (!isPlainObject(value)) return { ok: false, problem: 'message: expected an object' };

  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(validators, type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
    return { ok: false, problem: `message.type: unknown message type ${shown}` };
  }

  return validators[type](value);
}
