// Validates raw `expertActivation.*` values into `ExpertActivationSettings`. Every invalid value
// falls back to its default and yields one `SettingProblem` naming the setting, the value and
// the accepted values. No `vscode` import, so it can be unit-tested.

import * as path from 'node:path';
import { globSyntaxProblem } from './glob';
import {
  AUTO_DOMAIN,
  DEFAULT_SETTINGS,
  ExpertActivationSettings,
  MAX_TOP_K,
  MultilineMode,
  RoutingMode,
  SETTINGS_SECTION,
  SettingsTarget,
} from './settings';

export interface ValidationContext {
  /** Domains of the loaded model, or the fallback list before a model has loaded. */
  domains: readonly string[];
  /** Expert ids of the loaded model; undefined until a model has loaded. */
  expertIds?: readonly string[];
  /** Routed experts per layer of the loaded model, the upper bound of `routing.topK`. */
  expertsPerLayer?: number;
  homeDirectory: string;
}

export interface SettingProblem {
  /** Full setting id, such as `expertActivation.routing.topK`. */
  setting: string;
  /** The offending value, or for maps and lists only the offending entries. */
  value: unknown;
  message: string;
}

/** Returns the raw value of a setting relative to `expertActivation.`, such as `routing.topK`. */
export type ReadSetting = (key: string) => unknown;

export interface ValidatedSettings {
  settings: ExpertActivationSettings;
  problems: SettingProblem[];
}

const EXPERT_ID = /^L\d+\.E\d+$/;
const MAX_THREADS = 64;

export function validateSettings(read: ReadSetting, context: ValidationContext): ValidatedSettings {
  const problems: SettingProblem[] = [];
  const defaults = DEFAULT_SETTINGS;
  const reader = new SettingReader(read, problems);
  const domainNames = [...context.domains];
  const maxTopK = Math.min(MAX_TOP_K, context.expertsPerLayer ?? MAX_TOP_K);

  const settings: ExpertActivationSettings = {
    routing: {
      mode: reader.enumValue<RoutingMode>('routing.mode', ['auto', 'rules', 'off'], defaults.routing.mode),
      domainByLanguage: reader.domainMap(
        'routing.domainByLanguage',
        [...domainNames, AUTO_DOMAIN],
        defaults.routing.domainByLanguage,
        () => undefined,
      ),
      domainByFile: reader.domainMap('routing.domainByFile', domainNames, defaults.routing.domainByFile, (glob) => {
        const problem = globSyntaxProblem(glob);
        return problem === undefined ? undefined : `malformed glob (${problem})`;
      }),
      topK: reader.number('routing.topK', { min: 1, max: maxTopK, integer: true }, Math.min(defaults.routing.topK, maxTopK)),
      topP: reader.number('routing.topP', { min: 0, max: 1 }, defaults.routing.topP),
      disabledExperts: reader.expertIds('routing.disabledExperts', context.expertIds),
      biasStrength: reader.number('routing.biasStrength', { min: 0, max: 50 }, defaults.routing.biasStrength),
      minConfidence: reader.number('routing.minConfidence', { min: 0, max: 1 }, defaults.routing.minConfidence),
      counterfactual: {
        enabled: reader.boolean('routing.counterfactual.enabled', defaults.routing.counterfactual.enabled),
        strength: reader.number(
          'routing.counterfactual.strength',
          { min: 0, max: 1 },
          defaults.routing.counterfactual.strength,
        ),
      },
    },
    completions: {
      enabled: reader.boolean('completions.enabled', defaults.completions.enabled),
      enabledLanguages: reader.booleanMap('completions.enabledLanguages', defaults.completions.enabledLanguages),
      debounceMs: reader.number('completions.debounceMs', { min: 0, max: 5000, integer: true }, defaults.completions.debounceMs),
      maxTokens: reader.number('completions.maxTokens', { min: 1, max: 256, integer: true }, defaults.completions.maxTokens),
      multiline: reader.enumValue<MultilineMode>(
        'completions.multiline',
        ['auto', 'always', 'never'],
        defaults.completions.multiline,
      ),
      temperature: reader.number('completions.temperature', { min: 0, max: 2 }, defaults.completions.temperature),
    },
    model: {
      folder: reader.folder('model.folder', context),
      threads: reader.number('model.threads', { min: 1, max: MAX_THREADS, integer: true }, defaults.model.threads),
    },
    panel: {
      settingsTarget: reader.enumValue<SettingsTarget>(
        'panel.settingsTarget',
        ['workspace', 'user'],
        defaults.panel.settingsTarget,
      ),
    },
  };

  return { settings, problems };
}

/** Shows a value in a message: JSON, shortened to keep the message readable. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

class SettingReader {
  constructor(
    private readonly read: ReadSetting,
    private readonly problems: SettingProblem[],
  ) {}

  enumValue<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;

    this.report(key, value, `is not one of the accepted values: ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.read(key);
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;

    this.report(key, value, 'is not a boolean; accepted values: true, false', fallback);
    return fallback;
  }

  number(key: string, range: { min: number; max: number; integer?: boolean }, fallback: number): number {
    const value = this.read(key);
    if (value === undefined) return fallback;

    const kind = range.integer ? 'an integer' : 'a number';
    const accepted = `${kind} from ${range.min} to ${range.max}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.report(key, value, `is not a number; accepted values: ${accepted}`, fallback);
      return fallback;
    }
    if (range.integer && !Number.isInteger(value)) {
      this.report(key, value, `is not an integer; accepted values: ${accepted}`, fallback);
      return fallback;
    }
    if (value < range.min || value > range.max) {
      this.report(key, value, `is out of range; accepted values: ${accepted}`, fallback);
      return fallback;
    }
    return value;
  }

  /**
   * Reads an object whose values must be domain names. Invalid entries fall back to the default
   * entry for the same key, or are dropped when the default has none.
   */
  domainMap(
    key: string,
    allowedValues: readonly string[],
    fallback: Readonly<Record<string, string>>,
    keyProblem: (entryKey: string) => string | undefined,
  ): Record<string, string> {
    const value = this.read(key);
    if (value === undefined) return { ...fallback };
    if (!isPlainObject(value)) {
      this.report(key, value, 'is not an object', fallback);
      return { ...fallback };
    }

    const result: Record<string, string> = {};
    const invalid: Record<string, unknown> = {};
    const reasons: string[] = [];

    for (const [entryKey, entryValue] of Object.entries(value)) {
      const problemWithKey = keyProblem(entryKey);
      const domain = typeof entryValue === 'string' ? findCaseInsensitive(allowedValues, entryValue) : undefined;

      if (problemWithKey !== undefined) {
        invalid[entryKey] = entryValue;
        reasons.push(`"${entryKey}" is a ${problemWithKey}`);
      } else if (domain === undefined) {
        invalid[entryKey] = entryValue;
        reasons.push(`"${entryKey}": ${describeValue(entryValue)} is not an accepted value (${allowedValues.join(', ')})`);
      } else {
        result[entryKey] = domain;
        continue;
      }

      if (fallback[entryKey] !== undefined) result[entryKey] = fallback[entryKey];
    }

    if (reasons.length > 0) {
      this.problems.push({
        setting: `${SETTINGS_SECTION}.${key}`,
        value: invalid,
        message: `${SETTINGS_SECTION}.${key}: ${reasons.join('; ')}. Those entries are ignored and their defaults apply.`,
      });
    }
    return result;
  }

  booleanMap(key: string, fallback: Readonly<Record<string, boolean>>): Record<string, boolean> {
    const value = this.read(key);
    if (value === undefined) return { ...fallback };
    if (!isPlainObject(value)) {
      this.report(key, value, 'is not an object of language ids to true or false', fallback);
      return { ...fallback };
    }

    const result: Record<string, boolean> = {};
    const invalid: Record<string, unknown> = {};
    for (const [entryKey, entryValue] of Object.entries(value)) {
      if (typeof entryValue === 'boolean') {
        result[entryKey] = entryValue;
      } else {
        invalid[entryKey] = entryValue;
        if (fallback[entryKey] !== undefined) result[entryKey] = fallback[entryKey];
      }
    }

    const invalidKeys = Object.keys(invalid);
    if (invalidKeys.length > 0) {
      const entries = invalidKeys.map((entryKey) => `"${entryKey}": ${describeValue(invalid[entryKey])}`).join(', ');
      this.problems.push({
        setting: `${SETTINGS_SECTION}.${key}`,
        value: invalid,
        message:
          `${SETTINGS_SECTION}.${key}: ${entries} ${invalidKeys.length === 1 ? 'is' : 'are'} not true or false. ` +
          'Those entries are ignored and their defaults apply.',
      });
    }
    return result;
  }

  /** Reads `routing.disabledExperts`, dropping ids that are malformed or that the model does not have. */
  expertIds(key: string, knownIds: readonly string[] | undefined): string[] {
    const value = this.read(key);
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.report(key, value, 'is not a list of expert ids such as "L2.E5"', []);
      return [];
    }

    const known = knownIds === undefined ? undefined : new Set(knownIds);
    const result: string[] = [];
    const invalid: unknown[] = [];
    for (const id of value) {
      const valid = typeof id === 'string' && EXPERT_ID.test(id) && (known === undefined || known.has(id));
      if (!valid) invalid.push(id);
      else if (!result.includes(id)) result.push(id);
    }

    if (invalid.length > 0) {
      const accepted =
        known === undefined
          ? 'ids of the form L<layer>.E<index>, such as "L2.E5"'
          : `the model's expert ids, ${describeIdRange(knownIds ?? [])}`;
      this.problems.push({
        setting: `${SETTINGS_SECTION}.${key}`,
        value: invalid,
        message:
          `${SETTINGS_SECTION}.${key}: ${invalid.map(describeValue).join(', ')} ` +
          `${invalid.length === 1 ? 'is not an expert' : 'are not experts'} of the model. ` +
          `Accepted values: ${accepted}. Those entries are ignored.`,
      });
    }
    return result;
  }

  /**
   * Reads `model.folder`: empty for the bundled model, else an absolute path (`~` allowed). A
   * folder that does not exist is kept, so the engine reports it as a model error in the status
   * bar and the panel instead of silently running the bundled model.
   */
  folder(key: string, context: ValidationContext): string {
    const value = this.read(key);
    if (value === undefined || value === '') return '';
    if (typeof value !== 'string') {
      this.reportFolder(key, value, 'is not a string');
      return '';
    }

    const trimmed = value.trim();
    const expanded =
      trimmed === '~' || trimmed.startsWith('~/') || trimmed.startsWith('~\\')
        ? path.join(context.homeDirectory, trimmed.slice(1))
        : trimmed;
    if (!path.isAbsolute(expanded)) {
      this.reportFolder(key, value, 'is not an absolute path');
      return '';
    }
    return expanded;
  }

  private reportFolder(key: string, value: unknown, reason: string): void {
    this.problems.push({
      setting: `${SETTINGS_SECTION}.${key}`,
      value,
      message:
        `${SETTINGS_SECTION}.${key}: ${describeValue(value)} ${reason}. ` +
        'Accepted values: an absolute path of a model folder, or empty for the bundled model. Using the bundled model.',
    });
  }

  private report(key: string, value: unknown, reason: string, fallback: unknown): void {
    this.problems.push({
      setting: `${SETTINGS_SECTION}.${key}`,
      value,
      message: `${SETTINGS_SECTION}.${key}: ${describeValue(value)} ${reason}. Using the default, ${describeValue(fallback)}.`,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findCaseInsensitive(allowed: readonly string[], value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  return allowed.find((candidate) => candidate.toLowerCase() === lower);
}

/** Describes a long id list briefly: "L0.E0 to L3.E7 (32 ids)". */
function describeIdRange(ids: readonly string[]): string {
  if (ids.length <= 6) return ids.join(', ');
  return `${ids[0]} to ${ids[ids.length - 1]} (${ids.length} ids)`;
}
