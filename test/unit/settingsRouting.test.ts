import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globSyntaxProblem, matchesGlob } from '../../src/settings/glob';
import { decideRouting, DocumentFacts } from '../../src/settings/routingPolicy';
import { DEFAULT_SETTINGS, RoutingSettings } from '../../src/settings/settings';

function routing(overrides: Partial<RoutingSettings> = {}): RoutingSettings {
  return { ...DEFAULT_SETTINGS.routing, ...overrides };
}

function doc(overrides: Partial<DocumentFacts> = {}): DocumentFacts {
  return { languageId: 'plaintext', absolutePath: '/work/notes/visit.txt', relativePath: 'notes/visit.txt', ...overrides };
}

describe('routing precedence', () => {
  const rules = {
    domainByFile: { 'contracts/**': 'legal', '**/*.note.md': 'medical' },
    domainByLanguage: { ...DEFAULT_SETTINGS.routing.domainByLanguage, python: 'code', markdown: 'auto' },
  };

  const cases: Array<{
    name: string;
    settings: Partial<RoutingSettings>;
    document: Partial<DocumentFacts>;
    domain: string | undefined;
    source: string;
    mode: 'auto' | 'off';
  }> = [
    {
      name: 'pin beats file rule and language',
      settings: rules,
      document: { pin: 'medical', languageId: 'python', relativePath: 'contracts/a.py', absolutePath: '/w/contracts/a.py' },
      domain: 'medical',
      source: 'pinned',
      mode: 'auto',
    },
    {
      name: 'file rule beats language',
      settings: rules,
      document: { languageId: 'python', relativePath: 'contracts/gen.py', absolutePath: '/w/contracts/gen.py' },
      domain: 'legal',
      source: 'file-rule',
      mode: 'auto',
    },
    {
      name: 'language rule when no glob matches',
      settings: rules,
      document: { languageId: 'python', relativePath: 'src/app.py', absolutePath: '/w/src/app.py' },
      domain: 'code',
      source: 'language-rule',
      mode: 'auto',
    },
    {
      name: 'language set to auto falls through to detection',
      settings: rules,
      document: { languageId: 'markdown', relativePath: 'README.md', absolutePath: '/w/README.md' },
      domain: undefined,
      source: 'detected',
      mode: 'auto',
    },
    {
      name: 'unknown language falls through to detection',
      settings: rules,
      document: { languageId: 'cobol', relativePath: 'x.cbl', absolutePath: '/w/x.cbl' },
      domain: undefined,
      source: 'detected',
      mode: 'auto',
    },
    {
      name: 'rules mode routes unmatched documents as general',
      settings: { ...rules, mode: 'rules' },
      document: { languageId: 'markdown', relativePath: 'README.md', absolutePath: '/w/README.md' },
      domain: 'general',
      source: 'language-rule',
      mode: 'auto',
    },
    {
      name: 'rules mode still applies pins',
      settings: { ...rules, mode: 'rules' },
      document: { pin: 'legal', languageId: 'markdown' },
      domain: 'legal',
      source: 'pinned',
      mode: 'auto',
    },
    {
      name: 'rules mode still applies file rules',
      settings: { ...rules, mode: 'rules' },
      document: { relativePath: 'docs/visit.note.md', absolutePath: '/w/docs/visit.note.md', languageId: 'markdown' },
      domain: 'medical',
      source: 'file-rule',
      mode: 'auto',
    },
    {
      name: 'off mode ignores pins and rules',
      settings: { ...rules, mode: 'off' },
      document: { pin: 'legal', languageId: 'python', relativePath: 'contracts/a.py', absolutePath: '/w/contracts/a.py' },
      domain: undefined,
      source: 'off',
      mode: 'off',
    },
    {
      name: 'file glob without slash matches the file name',
      settings: { domainByFile: { '*.contract.txt': 'legal' } },
      document: { relativePath: 'deep/dir/lease.contract.txt', absolutePath: '/w/deep/dir/lease.contract.txt' },
      domain: 'legal',
      source: 'file-rule',
      mode: 'auto',
    },
    {
      name: 'untitled document matches language rule',
      settings: { domainByLanguage: { plaintext: 'general' } },
      document: { absolutePath: 'Untitled-1', relativePath: undefined },
      domain: 'general',
      source: 'language-rule',
      mode: 'auto',
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, () => {
      const decision = decideRouting(routing(testCase.settings), doc(testCase.document));
      assert.equal(decision.options.domain, testCase.domain);
      assert.equal(decision.options.domainSource, testCase.source);
      assert.equal(decision.options.mode, testCase.mode);
    });
  }

  it('most specific glob wins', () => {
    const settings = routing({ domainByFile: { '**/*.md': 'general', 'clinic/**/*.md': 'medical' } });
    const decision = decideRouting(settings, doc({ relativePath: 'clinic/2024/visit.md', absolutePath: '/w/clinic/2024/visit.md' }));
    assert.equal(decision.options.domain, 'medical');
    assert.match(decision.reason, /clinic\/\*\*\/\*\.md/);
  });

  it('pin of a domain the model lacks is ignored', () => {
    const decision = decideRouting(routing(), doc({ pin: 'finance', languageId: 'python' }), ['legal', 'medical', 'code', 'general']);
    assert.equal(decision.options.domain, 'code');
    assert.equal(decision.options.domainSource, 'language-rule');
  });

  it('copies the numeric routing settings', () => {
    const settings = routing({
      topK: 3,
      topP: 0.8,
      biasStrength: 6,
      minConfidence: 0.4,
      disabledExperts: ['L1.E2'],
      counterfactual: { enabled: true, strength: 0.7 },
    });
    const { options } = decideRouting(settings, doc());
    assert.equal(options.topK, 3);
    assert.equal(options.topP, 0.8);
    assert.equal(options.biasStrength, 6);
    assert.equal(options.minConfidence, 0.4);
    assert.deepEqual(options.disabledExperts, ['L1.E2']);
    assert.equal(options.counterfactual, true);
    assert.equal(options.counterfactualStrength, 0.7);
  });
});

describe('glob matcher', () => {
  const cases: Array<[pattern: string, relativePath: string, expected: boolean]> = [
    ['*.md', 'notes/a.md', true],
    ['*.md', 'notes/a.mdx', false],
    ['contracts/**', 'contracts/2024/lease.txt', true],
    ['contracts/**', 'contracts', true],
    ['contracts/**', 'other/contracts.txt', false],
    ['**/contracts/*.txt', 'a/b/contracts/x.txt', true],
    ['**/contracts/*.txt', 'contracts/x.txt', true],
    ['**/contracts/*.txt', 'contracts/sub/x.txt', false],
    ['src/*.{ts,js}', 'src/a.js', true],
    ['src/*.{ts,js}', 'src/a.py', false],
    ['notes/visit-?.txt', 'notes/visit-1.txt', true],
    ['notes/visit-?.txt', 'notes/visit-12.txt', false],
    ['notes/[abc]*.txt', 'notes/b-note.txt', true],
    ['notes/[!abc]*.txt', 'notes/b-note.txt', false],
    ['{legal,law}/**/*.{txt,md}', 'law/x/y.md', true],
    ['a.b', 'axb', false],
  ];

  for (const [pattern, relativePath, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${relativePath}`, () => {
      assert.equal(matchesGlob(pattern, { absolutePath: `/w/${relativePath}`, relativePath }), expected);
    });
  }

  it('matches absolute patterns against the absolute path', () => {
    assert.equal(matchesGlob('/srv/legal/**', { absolutePath: '/srv/legal/x.txt' }), true);
  });

  it('accepts Windows separators', () => {
    assert.equal(matchesGlob('contracts/**', { absolutePath: 'C:\\w\\contracts\\a.txt', relativePath: 'contracts\\a.txt' }), true);
  });

  const malformed = ['contracts/[', '{a,b', 'a}', '', '   '];
  for (const pattern of malformed) {
    it(`reports ${JSON.stringify(pattern)} as malformed`, () => {
      assert.notEqual(globSyntaxProblem(pattern), undefined);
    });
  }
});
