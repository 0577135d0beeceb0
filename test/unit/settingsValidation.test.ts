import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, ExpertActivationSettings } from '../../src/settings/settings';
import { ValidationContext, validateSettings } from '../../src/settings/validation';

const EXPERT_IDS = Array.from({ length: 4 }, (_, layer) => Array.from({ length: 8 }, (_, index) => `L${layer}.E${index}`)).flat();

const modelLoaded: ValidationContext = {
  domains: ['legal', 'medical', 'code', 'general'],
  expertIds: EXPERT_IDS,
  expertsPerLayer: 8,
  homeDirectory: '/home/user',
};

function validate(values: Record<string, unknown>, context: ValidationContext = modelLoaded) {
  return validateSettings((key) => values[key], context);
}

function get(settings: ExpertActivationSettings, key: string): unknown {
  return key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], settings);
}

describe('settings validation', () => {
  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = validate({});
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.deepEqual(problems, []);
  });

  const validCases: Array<[key: string, value: unknown, expected?: unknown]> = [
    ['routing.mode', 'rules'],
    ['routing.mode', 'off'],
    ['routing.topK', 1],
    ['routing.topK', 8],
    ['routing.topP', 0.9],
    ['routing.biasStrength', 0],
    ['routing.minConfidence', 1],
    ['routing.counterfactual.enabled', true],
    ['routing.counterfactual.strength', 0.25],
    ['routing.disabledExperts', ['L2.E5', 'L0.E0']],
    ['routing.disabledExperts', ['L2.E5', 'L2.E5'], ['L2.E5']],
    ['completions.enabled', false],
    ['completions.debounceMs', 0],
    ['completions.maxTokens', 64],
    ['completions.multiline', 'never'],
    ['completions.temperature', 0.7],
    ['model.folder', '/models/custom'],
    ['model.folder', '~/models', '/home/user/models'],
    ['model.threads', 4],
    ['panel.settingsTarget', 'user'],
  ];

  for (const [key, value, expected] of validCases) {
    it(`accepts ${key} = ${JSON.stringify(value)}`, () => {
      const { settings, problems } = validate({ [key]: value });
      assert.deepEqual(problems, []);
      assert.deepEqual(get(settings, key), expected ?? value);
    });
  }

  const invalidCases: Array<[key: string, value: unknown, accepted: RegExp]> = [
    ['routing.mode', 'detect', /auto, rules, off/],
    ['routing.topK', 0, /integer from 1 to 8/],
    ['routing.topK', 9, /integer from 1 to 8/],
    ['routing.topK', 2.5, /integer from 1 to 8/],
    ['routing.topK', '2', /integer from 1 to 8/],
    ['routing.topP', 1.5, /number from 0 to 1/],
    ['routing.minConfidence', -0.1, /number from 0 to 1/],
    ['routing.biasStrength', Number.NaN, /number from 0 to 50/],
    ['routing.counterfactual.enabled', 'yes', /true, false/],
    ['completions.debounceMs', -5, /integer from 0 to 5000/],
    ['completions.maxTokens', 0, /integer from 1 to 256/],
    ['completions.multiline', 'sometimes', /auto, always, never/],
    ['model.threads', 0, /integer from 1 to 64/],
    ['panel.settingsTarget', 'folder', /workspace, user/],
  ];

  for (const [key, value, accepted] of invalidCases) {
    it(`rejects ${key} = ${JSON.stringify(value)}`, () => {
      const { settings, problems } = validate({ [key]: value });
      assert.equal(problems.length, 1);
      assert.equal(problems[0].setting, `expertActivation.${key}`);
      assert.match(problems[0].message, new RegExp(`expertActivation\\.${key.replace(/\./g, '\\.')}`));
      assert.match(problems[0].message, accepted);
      assert.ok(problems[0].message.includes(JSON.stringify(value) ?? String(value)), problems[0].message);
      assert.deepEqual(get(settings, key), get(DEFAULT_SETTINGS, key));
    });
  }

  it('limits topK to the experts per layer of the model', () => {
    const { settings, problems } = validate({ 'routing.topK': 6 }, { ...modelLoaded, expertsPerLayer: 4 });
    assert.equal(settings.routing.topK, 2);
    assert.match(problems[0].message, /integer from 1 to 4/);
  });

  it('drops an unknown domain from domainByLanguage and keeps the rest', () => {
    const { settings, problems } = validate({
      'routing.domainByLanguage': { ...DEFAULT_SETTINGS.routing.domainByLanguage, python: 'lgal', markdown: 'medical' },
    });
    assert.equal(settings.routing.domainByLanguage.python, 'code');
    assert.equal(settings.routing.domainByLanguage.markdown, 'medical');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].setting, 'expertActivation.routing.domainByLanguage');
    assert.match(problems[0].message, /"python": "lgal"/);
    assert.match(problems[0].message, /legal, medical, code, general, auto/);
  });

  it('accepts domain names in any case', () => {
    const { settings, problems } = validate({ 'routing.domainByFile': { 'contracts/**': 'Legal' } });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.routing.domainByFile, { 'contracts/**': 'legal' });
  });

  it('drops a malformed glob from domainByFile', () => {
    const { settings, problems } = validate({ 'routing.domainByFile': { 'contracts/[': 'legal', 'notes/**': 'medical' } });
    assert.deepEqual(settings.routing.domainByFile, { 'notes/**': 'medical' });
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /"contracts\/\[" is a malformed glob/);
  });

  it('rejects auto in domainByFile', () => {
    const { settings, problems } = validate({ 'routing.domainByFile': { 'notes/**': 'auto' } });
    assert.deepEqual(settings.routing.domainByFile, {});
    assert.equal(problems.length, 1);
  });

  it('drops expert ids the model does not have', () => {
    const { settings, problems } = validate({ 'routing.disabledExperts': ['L2.E5', 'L9.E0', 'expert3'] });
    assert.deepEqual(settings.routing.disabledExperts, ['L2.E5']);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /"L9\.E0", "expert3"/);
    assert.match(problems[0].message, /L0\.E0 to L3\.E7/);
  });

  it('checks only the id form before the model has loaded', () => {
    const beforeLoad: ValidationContext = { ...modelLoaded, expertIds: undefined, expertsPerLayer: undefined };
    const { settings, problems } = validate({ 'routing.disabledExperts': ['L9.E0', 'bad'] }, beforeLoad);
    assert.deepEqual(settings.routing.disabledExperts, ['L9.E0']);
    assert.match(problems[0].message, /L<layer>\.E<index>/);
  });

  it('keeps a missing folder for the engine to report', () => {
    const { settings, problems } = validate({ 'model.folder': '/nowhere/model' });
    assert.equal(settings.model.folder, '/nowhere/model');
    assert.deepEqual(problems, []);
  });

  it('rejects a relative model folder', () => {
    const { problems } = validate({ 'model.folder': 'models/custom' });
    assert.match(problems[0].message, /not an absolute path/);
  });

  it('drops non-boolean entries of enabledLanguages', () => {
    const { settings, problems } = validate({ 'completions.enabledLanguages': { '*': true, markdown: 'no', python: false } });
    assert.deepEqual(settings.completions.enabledLanguages, { '*': true, python: false });
    assert.match(problems[0].message, /"markdown": "no"/);
  });

  it('reports every invalid setting once', () => {
    const { problems } = validate({ 'routing.topK': 20, 'routing.mode': 'x', 'completions.maxTokens': -1 });
    assert.deepEqual(
      problems.map((problem) => problem.setting).sort(),
      ['expertActivation.completions.maxTokens', 'expertActivation.routing.mode', 'expertActivation.routing.topK'],
    );
  });
});

describe('package.json configuration', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown; markdownDescription?: string; description?: string }> } };
  };
  const properties = manifest.contributes.configuration.properties;

  const keys = [
    'routing.mode',
    'routing.domainByLanguage',
    'routing.domainByFile',
    'routing.topK',
    'routing.topP',
    'routing.disabledExperts',
    'routing.biasStrength',
    'routing.minConfidence',
    'routing.counterfactual.enabled',
    'routing.counterfactual.strength',
    'completions.enabled',
    'completions.enabledLanguages',
    'completions.debounceMs',
    'completions.maxTokens',
    'completions.multiline',
    'completions.temperature',
    'model.folder',
    'model.threads',
    'panel.settingsTarget',
  ];

  for (const key of keys) {
    it(`declares expertActivation.${key} with the code's default`, () => {
      const property = properties[`expertActivation.${key}`];
      assert.ok(property, `expertActivation.${key} is missing from package.json`);
      assert.deepEqual(property.default, get(DEFAULT_SETTINGS, key));
      assert.ok(property.markdownDescription ?? property.description);
    });
  }

  it('declares no other settings', () => {
    assert.deepEqual(Object.keys(properties).sort(), keys.map((key) => `expertActivation.${key}`).sort());
  });
});
