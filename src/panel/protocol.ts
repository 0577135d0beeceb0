// Messages between the Active Experts view (extension host) and its webview script.
// Both sides import this file; `protocolValidation.ts` checks every message against it.
// Nothing here may import `vscode`, because the webview bundle includes it.

import type {
  Domain,
  DomainSource,
  EngineErrorInfo,
  ExpertImpact,
  ExpertInfo,
  RoutingTrace,
  TokenTrace,
} from '../engine/protocol';

/** The settings scope that the panel's controls write to. */
export type SettingsTarget = 'workspace' | 'user';

/** Buttons the webview may ask the host to run; each maps to one fixed command. */
export type PanelAction =
  | 'showLog'
  | 'openModelSettings'
  | 'openLanguageSettings'
  | 'openRoutingSettings'
  | 'explainAtCursor';

/** The panel's overall state, which decides whether the pictures show at all. */
export type PanelStatus =
  | { kind: 'no-editor' }
  | { kind: 'language-disabled'; languageId: string }
  /** `restartReason` is set while the engine replaces a worker that crashed or stopped answering. */
  | { kind: 'loading'; progress?: number; modelName?: string; restartReason?: string }
  | { kind: 'error'; error: EngineErrorInfo; actions: PanelAction[] }
  /** `lastRestart` is the engine's latest worker replacement, kept visible once it is over. */
  | { kind: 'ready'; lastRestart?: EngineRestart };

/** A replacement of the inference worker: why, and when (milliseconds since the epoch). */
export interface EngineRestart {
  reason: string;
  at: number;
}

/** The document in the active editor. */
export interface PanelDocument {
  uri: string;
  /** File name without folders, for the heading. */
  name: string;
  languageId: string;
  /** Cursor line, 1-based. */
  line: number;
}

/** The parts of `ModelInfo` that the pictures need. */
export interface PanelModel {
  name: string;
  domains: Domain[];
  experts: ExpertInfo[];
  layers: number;
  expertsPerLayer: number;
  /** The largest top-k the top-k control offers. */
  maxTopK: number;
}

/** Current values of the settings and routing decisions behind the panel's controls. */
export interface PanelControls {
  topK: number;
  disabledExperts: string[];
  counterfactual: boolean;
  settingsTarget: SettingsTarget;
  mode: 'auto' | 'off';
  /** Below this detected confidence a request routes as `general`. */
  minConfidence: number;
  /** The domain set by a pin or a rule for this document, if any. */
  domain?: Domain;
  domainSource?: DomainSource;
}

/** The last completion or explanation for the document, token by token. */
export interface PanelCompletion {
  text: string;
  tokens: TokenTrace[];
}

export interface PanelExplanation {
  completion: string;
  impacts: ExpertImpact[];
}

/** Everything the webview renders. The host owns it and sends a new one on every change. */
export interface PanelSnapshot {
  status: PanelStatus;
  controls: PanelControls;
  document?: PanelDocument;
  model?: PanelModel;
  /** Routing of the context at the cursor. */
  routing?: RoutingTrace;
  /** The error of the last failed routing request, while the engine itself still works. */
  routingError?: EngineErrorInfo;
  completion?: PanelCompletion;
  explanation?: PanelExplanation;
}

export interface SnapshotMessage {
  type: 'snapshot';
  snapshot: PanelSnapshot;
}

/** Messages from the host to the webview. */
export type HostMessage = SnapshotMessage;

/** Sent once the webview script runs, so the host can send the current snapshot. */
export interface ReadyMessage {
  type: 'ready';
}

export interface PinDomainMessage {
  type: 'pinDomain';
  /** The document the user saw when choosing; the host drops the request if it is no longer active. */
  uri: string;
  domain: Domain;
}

export interface ClearPinMessage {
  type: 'clearPin';
  uri: string;
}

export interface SetExpertEnabledMessage {
  type: 'setExpertEnabled';
  expertId: string;
  enabled: boolean;
}

export interface SetTopKMessage {
  type: 'setTopK';
  topK: number;
}

export interface SetCounterfactualMessage {
  type: 'setCounterfactual';
  enabled: boolean;
}

export interface RunActionMessage {
  type: 'runAction';
  action: PanelAction;
}

/** A problem the webview found, such as an invalid host message, for the extension's log. */
export interface ReportProblemMessage {
  type: 'reportProblem';
  message: string;
}

/**
 * A summary of what the webview drew from the last valid snapshot. The host keeps it so that
 * integration tests, which cannot read the webview's DOM, can check the rendered view.
 */
export interface RenderedMessage {
  type: 'rendered';
  status: PanelStatus['kind'];
  /** The document the rendered snapshot belongs to. */
  documentUri?: string;
  /** The detected or pinned domain shown in the domain section, if one is shown. */
  domain?: Domain;
  /** Number of heatmap cells drawn. */
  heatmapCells: number;
}

/** Messages from the webview to the host. */
export type WebviewMessage =
  | ReadyMessage
  | PinDomainMessage
  | ClearPinMessage
  | SetExpertEnabledMessage
  | SetTopKMessage
  | SetCounterfactualMessage
  | RunActionMessage
  | ReportProblemMessage
  | RenderedMessage;

export const panelActions: readonly PanelAction[] = [
  'showLog',
  'openModelSettings',
  'openLanguageSettings',
  'openRoutingSettings',
  'explainAtCursor',
];

/** Upper bounds that keep one message from flooding the view or the log. */
export const protocolLimits = {
  maxStringLength: 10_000,
  maxProblemLength: 2_000,
  maxExperts: 1_024,
  maxLayers: 128,
  maxExpertsPerLayer: 256,
  maxDomains: 64,
  maxTokens: 1_024,
  maxImpacts: 4_096,
  maxTopK: 256,
} as const;
