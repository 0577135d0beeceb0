// Byte-level BPE tokenizer in the `expert-activation-bpe` format of models/FORMAT.md. Its ids
// must equal those of models/training/tokenizer.py; test/unit/tokenizer.test.ts checks that.

import { readFileSync } from 'node:fs';
import { describeError, engineError } from './errors';
import { pretokenize, toCodePoints } from './pretokenizer';

const BYTE_TOKENS = 256;
const MAX_CACHED_CHUNKS = 50_000;
const TOKENIZER_ACTION = 'Copy tokenizer.json again from the model folder that was exported with model.onnx.';

interface TokenizerJson {
  format: 'expert-activation-bpe';
  version: 1;
  pretokenizer: 'ascii-classes-v1';
  maxChunkCodePoints: number;
  vocabSize: number;
  merges: Array<[number, number]>;
  specialTokens: Record<string, number>;
}

/** A pre-tokenizer chunk with its text and token ids. */
export interface EncodedChunk {
  text: string;
  ids: number[];
}

export class Tokenizer {
  readonly vocabSize: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  private readonly maxChunkCodePoints: number;
  private readonly mergeRanks = new Map<number, number>();
  private readonly tokenBytes: Uint8Array[] = [];
  private readonly chunkCache = new Map<string, number[]>();
  private readonly encoder = new TextEncoder();

  private constructor(data: TokenizerJson) {
    this.vocabSize = data.vocabSize;
    this.maxChunkCodePoints = data.maxChunkCodePoints;
    this.specialTokens = new Map(Object.entries(data.specialTokens));

    for (let byte = 0; byte < BYTE_TOKENS; byte += 1) this.tokenBytes.push(Uint8Array.of(byte));
    data.merges.forEach(([left, right], rank) => {
      this.mergeRanks.set(pairKey(left, right), rank);
      this.tokenBytes.push(concatBytes(this.tokenBytes[left], this.tokenBytes[right]));
    });
    for (const [name, id] of this.specialTokens) this.tokenBytes[id] = this.encoder.encode(name);
  }

  /** Reads and validates a tokenizer.json; failures are `tokenizer-invalid` errors naming the file. */
  static load(path: string): Tokenizer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw engineError('tokenizer-invalid', `Cannot read the tokenizer ${path}: ${describeError(error)}`, {
        subject: path,
        action: TOKENIZER_ACTION,
      });
    }

    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw engineError('tokenizer-invalid', `The tokenizer ${path} is not valid JSON: ${describeError(error)}`, {
        subject: path,
        action: TOKENIZER_ACTION,
      });
    }
    return Tokenizer.fromJson(data, path);
  }

  static fromJson(data: unknown, source: string): Tokenizer {
    const problem = findFormatProblem(data);
    if (problem !== undefined) {
      throw engineError('tokenizer-invalid', `The tokenizer ${source} is not an expert-activation-bpe version 1 tokenizer: ${problem}`, {
        subject: source,
        action: TOKENIZER_ACTION,
      });
    }
    return new Tokenizer(data as TokenizerJson);
  }

  get endOfText(): number | undefined {
    return this.specialTokens.get('<|endoftext|>');
  }

  isSpecial(id: number): boolean {
    return id >= BYTE_TOKENS + this.mergeRanks.size;
  }

  /** Encodes text as ordinary tokens; the text `<|endoftext|>` is never a special token. */
  encode(text: string): number[] {
    return this.encodeChunks(text).flatMap((chunk) => chunk.ids);
  }

  /** Encodes text chunk by chunk, as the pre-tokenizer splits it. */
  encodeChunks(text: string): EncodedChunk[] {
    const codePoints = toCodePoints(text);
    const chunks: EncodedChunk[] = [];
    let start = 0;
    for (const end of pretokenize(codePoints, this.maxChunkCodePoints)) {
      const chunkText = String.fromCodePoint(...codePoints.slice(start, end));
      chunks.push({ text: chunkText, ids: this.encodeChunk(chunkText) });
      start = end;
    }
    return chunks;
  }

  /** Decodes ids to text; invalid or incomplete UTF-8 becomes U+FFFD. A leading U+FEFF is kept. */
  decode(ids: readonly number[]): string {
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.bytesOf(ids));
  }

  /** The UTF-8 bytes of one token; special tokens give the bytes of their name. */
  bytesOfToken(id: number): Uint8Array {
    const bytes = this.tokenBytes[id];
    if (bytes === undefined) throw new RangeError(`Token id ${id} is outside the vocabulary of ${this.vocabSize} tokens.`);
    return bytes;
  }

  bytesOf(ids: readonly number[]): Uint8Array {
    return concatBytes(...ids.map((id) => this.bytesOfToken(id)));
  }

  /** Creates a decoder that takes tokens one at a time and holds back incomplete UTF-8 sequences. */
  createStreamDecoder(): StreamDecoder {
    return new StreamDecoder(this);
  }

  private encodeChunk(chunk: string): number[] {
    const cached = this.chunkCache.get(chunk);
    if (cached !== undefined) return cached;

    const ids = Array.from(this.encoder.encode(chunk));
    while (ids.length > 1) {
      let bestRank = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < ids.length; i += 1) {
        const rank = this.mergeRanks.get(pairKey(ids[i], ids[i + 1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      ids.splice(bestAt, 2, BYTE_TOKENS + bestRank);
    }

    if (this.chunkCache.size >= MAX_CACHED_CHUNKS) this.chunkCache.clear();
    this.chunkCache.set(chunk, ids);
    return ids;
  }
}

/** Streaming decode: `push` returns the text completed so far and keeps partial UTF-8 bytes. */
export class StreamDecoder {
  // Without ignoreBOM, TextDecoder drops a U+FEFF at the start of the stream.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  constructor(private readonly tokenizer: Tokenizer) {}

  push(ids: number | readonly number[]): string {
    const list = typeof ids === 'number' ? [ids] : ids;
    return this.decoder.decode(this.tokenizer.bytesOf(list), { stream: true });
  }

  /** Ends the stream; held-back incomplete bytes come out as U+FFFD. */
  flush(): string {
    return this.decoder.decode();
  }
}

function pairKey(left: number, right: number): number {
  return left * 0x100000 + right;
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function findFormatProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'the top level is not an object';
  const json = data as Record<string, unknown>;

  if (json.format !== 'expert-activation-bpe') return `"format" is ${JSON.stringify(json.format)}, expected "expert-activation-bpe"`;
  if (json.version !== 1) return `"version" is ${JSON.stringify(json.version)}, expected 1`;
  if (json.pretokenizer !== 'ascii-classes-v1') return `"pretokenizer" is ${JSON.stringify(json.pretokenizer)}, expected "ascii-classes-v1"`;
  if (!isPositiveInteger(json.maxChunkCodePoints)) return '"maxChunkCodePoints" is not a positive integer';
  if (!Array.isArray(json.merges)) return '"merges" is not an array';

  for (let rank = 0; rank < json.merges.length; rank += 1) {
    const pair: unknown = json.merges[rank];
    const valid =
      Array.isArray(pair) &&
      pair.length === 2 &&
      pair.every((id) => Number.isInteger(id) && id >= 0 && id < BYTE_TOKENS + rank);
    if (!valid) return `merge ${rank} is ${JSON.stringify(pair)}, expected two ids below ${BYTE_TOKENS + rank}`;
  }

  const firstSpecialId = BYTE_TOKENS + json.merges.length;
  const special = json.specialTokens;
  if (typeof special !== 'object' || special === null || Array.isArray(special)) return '"specialTokens" is not an object';
  const specialIds = Object.values(special as Record<string, unknown>);
  if (!specialIds.every((id) => Number.isInteger(id) && (id as number) >= firstSpecialId)) {
    return `"specialTokens" ids must be integers from ${firstSpecialId}, after the merges`;
  }

  if (!isPositiveInteger(json.vocabSize)) return '"vocabSize" is not a positive integer';
  const expectedSize = firstSpecialId + specialIds.length;
  if (json.vocabSize !== expectedSize) {
    return `"vocabSize" is ${json.vocabSize}, but 256 bytes, ${json.merges.length} merges and ${specialIds.length} special tokens make ${expectedSize}`;
  }
  if (!specialIds.every((id) => (id as number) < expectedSize)) return `"specialTokens" ids must be below "vocabSize" ${expectedSize}`;
  return undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}
