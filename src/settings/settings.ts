// The validated `expertActivation.*` settings and their defaults. The defaults here and in
// package.json `contributes.configuration` must agree (a unit test compares them).

export type RoutingMode = 'auto' | 'rules' | 'off';
export type MultilineMode = 'auto' | 'always' | 'never';
export type SettingsTarget = 'workspace' | 'user';

export interface RoutingSettings {
  mode: RoutingMode;
  /** languageId -> domain name or `auto`. */
  domainByLanguage: Record<string, string>;
  /** glob -> domain name. */
  domainByFile: Record<string, string>;
  topK: number;
  topP: number;
  disabledExperts: string[];
  biasStrength: number;
  minConfidence: number;
  counterfactual: { enabled: boolean; strength: number };
}

export interface CompletionSettings {
  enabled: boolean;
  /** languageId or `*` -> enabled. */
  enabledLanguages: Record<string, boolean>;
  debounceMs: number;
  maxTokens: number;
  multiline: MultilineMode;
  temperature: number;
}

export interface ModelSettings {
  /** Absolute path of the model folder; empty means the model bundled with the extension. */
  folder: string;
  threads: number;
}

export interface ExpertActivationSettings {
  routing: RoutingSettings;
  completions: CompletionSettings;
  model: ModelSettings;
  panel: { settingsTarget: SettingsTarget };
}

export const SETTINGS_SECTION = 'expertActivation';

/** The domains of the bundled model, used until a model has loaded and reported its own. */
export const FALLBACK_DOMAINS: readonly string[] = ['legal', 'medical', 'code', 'general'];

/** The domain that routing falls back to when nothing else decides. */
export const GENERAL_DOMAIN = 'general';

/** The value of `routing.domainByLanguage` that leaves the domain to detection. */
export const AUTO_DOMAIN = 'auto';

export const MAX_TOP_K = 8;

const CODE_LANGUAGES = [
  'bat',
  'c',
  'clojure',
  'coffeescript',
  'cpp',
  'csharp',
  'css',
  'cuda-cpp',
  'dart',
  'dockerfile',
  'fsharp',
  'go',
  'groovy',
  'html',
  'java',
  'javascript',
  'javascriptreact',
  'json',
  'jsonc',
  'julia',
  'kotlin',
  'less',
  'lua',
  'makefile',
  'objective-c',
  'objective-cpp',
  'perl',
  'php',
  'powershell',
  'python',
  'r',
  'ruby',
  'rust',
  'scss',
  'shellscript',
  'sql',
  'swift',
  'typescript',
  'typescriptreact',
  'vue',
  'xml',
  'yaml',
];

const PROSE_LANGUAGES_WITH_DETECTION = ['plaintext', 'markdown', 'latex'];

export const DEFAULT_DOMAIN_BY_LANGUAGE: Readonly<Record<string, string>> = Object.fromEntries([
  ...CODE_LANGUAGES.map((languageId) => [languageId, 'code']),
  ...PROSE_LANGUAGES_WITH_DETECTION.map((languageId) => [languageId, AUTO_DOMAIN]),
]);

export const DEFAULT_SETTINGS: ExpertActivationSettings = {
  routing: {
    mode: 'auto',
    domainByLanguage: { ...DEFAULT_DOMAIN_BY_LANGUAGE },
    domainByFile: {},
    topK: 2,
    topP: 1,
    disabledExperts: [],
    biasStrength: 4,
    minConfidence: 0.5,
    counterfactual: { enabled: false, strength: 0.5 },
  },
  completions: {
    enabled: true,
    enabledLanguages: { '*': true },
    debounceMs: 150,
    maxTokens: 24,
    multiline: 'auto',
    temperature: 0,
  },
  model: { folder: '', threads: 2 },
  panel: { settingsTarget: 'workspace' },
};
