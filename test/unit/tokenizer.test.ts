import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Tokenizer } from '../../src/engine/tokenizer';
import { encodeWithPython, pythonUnavailableReason, REPOSITORY_ROOT } from './helpers/pythonTokenizer';
import { HARD_STRINGS, randomStrings } from './helpers/tokenizerCases';

const MODEL_TOKENIZER = path.join(REPOSITORY_ROOT, 'models', 'expert-moe', 'tokenizer.json');
const GOLDEN_FILE = path.join(REPOSITORY_ROOT, 'test', 'fixtures', 'tokenizer-golden.json');
const GOLDEN_MERGES = 600;

interface GoldenFile {
  tokenizer: unknown;
  cases: Array<{ text: string; ids: number[] }>;
}

const pythonProblem = pythonUnavailableReason();
const modelTokenizerJson: unknown = existsSync(MODEL_TOKENIZER) ? JSON.parse(readFileSync(MODEL_TOKENIZER, 'utf8')) : undefined;

/** A valid tokenizer made of the first merges of the model's, small enough to store in git. */
function goldenTokenizerJson(source: { merges: number[][] }): unknown {
  const merges = source.merges.slice(0, GOLDEN_MERGES);
  return {
    format: 'expert-activation-bpe',
    version: 1,
    pretokenizer: 'ascii-classes-v1',
    maxChunkCodePoints: 64,
    vocabSize: 256 + merges.length + 1,
    merges,
    specialTokens: { '<|endoftext|>': 256 + merges.length },
  };
}

describe('tokenizer parity with tokenizer.py', { skip: pythonProblem && `skipped: ${pythonProblem}` }, () => {
  it('matches python ids on hard strings', { skip: modelTokenizerJson === undefined && `${MODEL_TOKENIZER} is missing` }, () => {
    const tokenizer = Tokenizer.fromJson(modelTokenizerJson, MODEL_TOKENIZER);
    const expected = encodeWithPython(modelTokenizerJson, HARD_STRINGS);
    HARD_STRINGS.forEach((text, index) => {
      assert.deepEqual(tokenizer.encode(text), expected[index], `ids differ for ${JSON.stringify(text)}`);
    });
  });

  it('matches python ids on random strings', { skip: modelTokenizerJson === undefined && `${MODEL_TOKENIZER} is missing` }, () => {
    const tokenizer = Tokenizer.fromJson(modelTokenizerJson, MODEL_TOKENIZER);
    const texts = randomStrings(300, 17);
    const expected = encodeWithPython(modelTokenizerJson, texts);
    texts.forEach((text, index) => {
      assert.deepEqual(tokenizer.encode(text), expected[index], `ids differ for ${JSON.stringify(text)}`);
    });
  });

  it('golden file agrees with python', () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;
    const texts = golden.cases.map((entry) => entry.text);
    const expected = encodeWithPython(golden.tokenizer, texts);
    golden.cases.forEach((entry, index) => assert.deepEqual(entry.ids, expected[index], `golden ids are stale for ${JSON.stringify(entry.text)}`));
  });
});

describe('tokenizer golden file', () => {
  if (process.env.UPDATE_TOKENIZER_GOLDEN === '1') {
    assert.ok(modelTokenizerJson, `${MODEL_TOKENIZER} is needed to write the golden file`);
    assert.equal(pythonProblem, undefined, `python is needed to write the golden file: ${pythonProblem}`);
    const tokenizerJson = goldenTokenizerJson(modelTokenizerJson as { merges: number[][] });
    const ids = encodeWithPython(tokenizerJson, HARD_STRINGS);
    const golden: GoldenFile = { tokenizer: tokenizerJson, cases: HARD_STRINGS.map((text, index) => ({ text, ids: ids[index] })) };
    writeFileSync(GOLDEN_FILE, `${JSON.stringify(golden)}\n`);
  }

  it('reproduces the stored ids', () => {
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;
    const tokenizer = Tokenizer.fromJson(golden.tokenizer, GOLDEN_FILE);
    assert.ok(golden.cases.length >= HARD_STRINGS.length - 1);
    for (const entry of golden.cases) {
      assert.deepEqual(tokenizer.encode(entry.text), entry.ids, `ids differ for ${JSON.stringify(entry.text)}`);
    }
  });
});

describe('tokenizer behaviour', () => {
  const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;
  const tokenizer = Tokenizer.fromJson(golden.tokenizer, GOLDEN_FILE);

  it('round-trips hard strings', () => {
    for (const text of [...HARD_STRINGS, ...randomStrings(100, 3)]) {
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    }
  });

  it('never produces special tokens from text', () => {
    const ids = tokenizer.encode('<|endoftext|> and <|endoftext|>');
    assert.ok(tokenizer.endOfText !== undefined);
    assert.ok(!ids.includes(tokenizer.endOfText as number));
    assert.ok(ids.every((id) => !tokenizer.isSpecial(id)));
  });

  it('replaces lone surrogates with U+FFFD', () => {
    assert.deepEqual(tokenizer.encode('a\ud800b'), tokenizer.encode('a\ufffdb'));
    assert.deepEqual(tokenizer.encode('\udc00'), tokenizer.encode('\ufffd'));
    assert.equal(tokenizer.decode(tokenizer.encode('x\ud83dy')), 'x\ufffdy');
  });

  it('keeps chunks within 64 code points', () => {
    for (const chunk of tokenizer.encodeChunks(`${'q'.repeat(150)} ${'😀'.repeat(90)}`)) {
      assert.ok([...chunk.text].length <= 64, `chunk of ${[...chunk.text].length} code points`);
    }
  });

  it('streams partial UTF-8 without throwing', () => {
    const text = 'a😀é漢👩‍👩‍👧z';
    const byteIds = Array.from(new TextEncoder().encode(text));
    const decoder = tokenizer.createStreamDecoder();
    const pieces = byteIds.map((id) => decoder.push(id));
    assert.equal(pieces.join('') + decoder.flush(), text);
    assert.equal(pieces[1], '', 'the first byte of an emoji is held back');
  });

  it('decodes a truncated sequence to U+FFFD', () => {
    const emojiBytes = Array.from(new TextEncoder().encode('😀'));
    assert.equal(tokenizer.decode(emojiBytes.slice(0, 2)), '\ufffd');
    const decoder = tokenizer.createStreamDecoder();
    assert.equal(decoder.push(emojiBytes.slice(0, 3)), '');
    assert.equal(decoder.flush(), '\ufffd');
  });
});

describe('tokenizer validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [1, 2], /top level is not an object/],
    ['wrong format', { format: 'gpt2' }, /"format" is "gpt2"/],
    ['bad merge', { format: 'expert-activation-bpe', version: 1, pretokenizer: 'ascii-classes-v1', maxChunkCodePoints: 64, vocabSize: 258, merges: [[300, 1]], specialTokens: { '<|endoftext|>': 257 } }, /merge 0 is \[300,1\]/],
    ['wrong vocab size', { format: 'expert-activation-bpe', version: 1, pretokenizer: 'ascii-classes-v1', maxChunkCodePoints: 64, vocabSize: 999, merges: [], specialTokens: { '<|endoftext|>': 256 } }, /"vocabSize" is 999/],
  ];

  for (const [name, data, message] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => Tokenizer.fromJson(data, '/models/x/tokenizer.json'),
        (error: { info?: { code: string; message: string; subject?: string } }) => {
          assert.equal(error.info?.code, 'tokenizer-invalid');
          assert.match(error.info?.message ?? '', message);
          assert.match(error.info?.message ?? '', /\/models\/x\/tokenizer\.json/);
          return true;
        },
      );
    });
  }
});
