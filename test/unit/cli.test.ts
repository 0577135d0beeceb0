// The CLI as a user runs it: a child process of src/cli.ts on the real model.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatDomain } from '../../src/cli/format';
import { MODEL_MISSING_REASON } from './helpers/engineFixtures';
import { REPOSITORY_ROOT } from './helpers/pythonTokenizer';

const CLI = path.join(REPOSITORY_ROOT, 'src', 'cli.ts');
const SAMPLES = path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'samples');

function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args, '--threads', '1'], { cwd: REPOSITORY_ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cli', { skip: MODEL_MISSING_REASON }, () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'expert-activation-cli-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const sample of readdirSync(SAMPLES)) {
    it(`route --json on ${sample}`, () => {
      const { status, stdout, stderr } = runCli('route', path.join(SAMPLES, sample), '--json');
      assert.equal(status, 0, stderr);
      const output = JSON.parse(stdout) as { domain: string; confidence: number; posterior: Record<string, number>; experts: unknown[] };
      assert.equal(typeof output.domain, 'string');
      assert.ok(output.confidence >= 0);
      assert.ok(output.confidence <= 1);
      assert.ok(output.domain in output.posterior);
      const total = Object.values(output.posterior).reduce((sum, value) => sum + value, 0);
      assert.ok(Math.abs(total - 1) < 1e-6);
      assert.ok(output.experts.length > 0);
    });
  }

  it('complete --json at a line and column', () => {
    const { status, stdout, stderr } = runCli('complete', path.join(SAMPLES, 'legal.txt'), '--line', '11', '--column', '40', '--json', '--max-tokens', '6');
    assert.equal(status, 0, stderr);
    const output = JSON.parse(stdout) as { completion: string; domain: string; offset: number; timing: { generatedTokens: number } };
    assert.equal(typeof output.completion, 'string');
    assert.equal(typeof output.domain, 'string');
    assert.ok(output.offset > 0);
    assert.ok(output.timing.generatedTokens <= 6, `${output.timing.generatedTokens} tokens generated`);
  });

  it('complete with a pinned domain and a disabled expert', () => {
    const { status, stdout, stderr } = runCli('complete', path.join(SAMPLES, 'code.py'), '--offset', '300', '--json', '--domain', 'legal', '--disable-expert', 'L0.E0', '--top-k', '1');
    assert.equal(status, 0, stderr);
    const output = JSON.parse(stdout) as { domain: string; source: string; trace: { context: Array<{ chosen: number[] }> } };
    assert.equal(output.domain, 'legal');
    assert.equal(output.source, 'pinned');
    assert.ok(output.trace.context.every((layer) => layer.chosen.length === 1));
    assert.ok(!output.trace.context[0].chosen.includes(0));
  });

  it('demo --json reports every sample', () => {
    const { status, stdout, stderr } = runCli('demo', '--json', '--max-tokens', '4');
    assert.equal(status, 0, stderr);
    const output = JSON.parse(stdout) as { model: string; samples: Array<{ file: string; expectedDomain: string; domain: string; completion: string }>; detected: number; total: number };
    assert.equal(output.model, 'expert-moe');
    assert.equal(output.total, readdirSync(SAMPLES).length);
    assert.deepEqual(output.samples.map((sample) => path.basename(sample.file)), readdirSync(SAMPLES).sort());
    assert.equal(output.detected, output.samples.filter((sample) => sample.domain === sample.expectedDomain).length);
    assert.ok(output.samples.every((sample) => typeof sample.completion === 'string'));
  });

  it('explain lists expert impacts', () => {
    const { status, stdout, stderr } = runCli('explain', path.join(SAMPLES, 'medical.txt'), '--offset', '500', '--max-tokens', '3');
    assert.equal(status, 0, stderr);
    assert.match(stdout, /expert impact on the next token/);
    assert.match(stdout, /L\d\.E\d/);
  });

  it('help names the column unit', () => {
    const { status, stdout } = runCli('--help');
    assert.equal(status, 0);
    assert.match(stdout, /UTF-16 code units/);
  });

  const usageErrors: Array<[string, string[], RegExp]> = [
    ['unknown command', ['translate', 'x'], /Unknown command "translate"/],
    ['bad number', ['complete', path.join(SAMPLES, 'legal.txt'), '--offset', 'ten'], /--offset "ten" is not a whole number/],
    ['missing position', ['complete', path.join(SAMPLES, 'legal.txt')], /needs a position/],
    ['offset out of range', ['complete', path.join(SAMPLES, 'legal.txt'), '--offset', '999999'], /Offset 999999 is past the end of .*legal\.txt/],
    ['unknown domain', ['route', path.join(SAMPLES, 'legal.txt'), '--domain', 'astrology'], /Unknown domain "astrology".*legal/],
    ['unknown expert', ['route', path.join(SAMPLES, 'legal.txt'), '--disable-expert', 'L7.E99'], /Unknown expert "L7\.E99"/],
    ['unknown option', ['route', path.join(SAMPLES, 'legal.txt'), '--colour'], /Unknown option --colour\. Run with --help/],
    ['misspelt option', ['route', path.join(SAMPLES, 'legal.txt'), '--topk', '2'], /Unknown option --topk\. Did you mean --top-k\?/],
    ['flag with a value', ['route', path.join(SAMPLES, 'legal.txt'), '--json=true'], /Option --json takes no value/],
    ['top-k zero', ['route', path.join(SAMPLES, 'legal.txt'), '--top-k', '0'], /--top-k 0 is out of range\. Use a whole number of 1 or more\./],
    ['top-k above the experts', ['route', path.join(SAMPLES, 'legal.txt'), '--top-k', '9'], /--top-k 9 is more than the 8 experts per layer/],
  ];
  for (const [name, args, message] of usageErrors) {
    it(`${name} exits 2`, () => {
      const { status, stderr } = runCli(...args);
      assert.equal(status, 2, stderr);
      assert.match(stderr, message);
    });
  }

  it('missing file exits 1', () => {
    const file = path.join(scratch, 'absent.txt');
    const { status, stderr } = runCli('route', file);
    assert.equal(status, 1);
    assert.ok(stderr.includes(file), stderr);
    assert.match(stderr, /does not exist/);
  });

  it('binary file exits 1', () => {
    const file = path.join(scratch, 'image.png');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    const { status, stderr } = runCli('route', file);
    assert.equal(status, 1);
    assert.match(stderr, /image\.png looks like a binary file/);
  });

  it('empty file routes nothing', () => {
    const file = path.join(scratch, 'empty.txt');
    writeFileSync(file, '');
    const { status, stdout, stderr } = runCli('route', file);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /none: there is no text before the position to route/);
    assert.doesNotMatch(stdout, /layer 0:/);
  });

  it('bad model folder exits 1', () => {
    const folder = path.join(scratch, 'no-model');
    const { status, stderr } = runCli('route', path.join(SAMPLES, 'legal.txt'), '--model', folder);
    assert.equal(status, 1);
    assert.ok(stderr.includes(folder), stderr);
  });
});

describe('cli domain line', () => {
  const posterior = { legal: 0.49, general: 0.32, medical: 0.12, code: 0.07 };

  it('names the detected domain', () => {
    const line = formatDomain({ domain: 'legal', confidence: 0.49, posterior, source: 'detected', detected: 'legal', detectedConfidence: 0.49 });

    assert.equal(line, 'legal (confidence 0.49, detected)');
  });

  it('explains a low-confidence fallback', () => {
    const line = formatDomain({ domain: 'general', confidence: 0.32, posterior, source: 'detected', detected: 'legal', detectedConfidence: 0.49 });

    assert.equal(line, 'general: the detected legal (0.49) is below the minimum confidence, so the text routes as general');
  });

  it('names a pin as the source', () => {
    const line = formatDomain({ domain: 'medical', confidence: 0.12, posterior, source: 'pinned', detected: 'legal', detectedConfidence: 0.49 });

    assert.equal(line, 'medical (confidence 0.12, pinned)');
  });
});
