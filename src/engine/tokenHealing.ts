// Token healing: a prefix that ends inside a word (`The Tenant sha`) tokenizes differently from
// the finished word, so the model would continue an unusual split. The engine drops the last
// word chunk from the context and lets the model regenerate it, allowing only tokens that agree
// with the dropped bytes until they are used up. The completion then starts after those bytes.

import type { EncodedChunk, Tokenizer } from './tokenizer';

/** A chunk that an optional space and a run of letters or digits make up (as the pre-tokenizer defines them). */
const WORD_CHUNK = /^ ?(?:[A-Za-z\u0080-\u{10FFFF}]+|[0-9]+)$/u;

export interface HealedPrefix {
  /** Ids of every chunk but the healed one. */
  ids: number[];
  /** The text of the dropped chunk, which generation must reproduce first; empty when nothing was dropped. */
  healText: string;
}

export function healPrefix(chunks: readonly EncodedChunk[]): HealedPrefix {
  const last = chunks[chunks.length - 1];
  const heal = last !== undefined && WORD_CHUNK.test(last.text);
  const kept = heal ? chunks.slice(0, -1) : chunks;
  return { ids: kept.flatMap((chunk) => chunk.ids), healText: heal ? last.text : '' };
}

/** Tracks the bytes the generated tokens still have to reproduce. */
export class HealingConstraint {
  private remaining: Uint8Array;

  constructor(
    private readonly tokenizer: Tokenizer,
    healText: string,
  ) {
    this.remaining = new TextEncoder().encode(healText);
  }

  get active(): boolean {
    return this.remaining.length > 0;
  }

  /** Sets the logits of every token that disagrees with the remaining bytes to -Infinity. */
  mask(logits: Float32Array): void {
    if (!this.active) return;
    for (let id = 0; id < logits.length; id += 1) {
      if (id >= this.tokenizer.vocabSize || this.tokenizer.isSpecial(id) || !this.agrees(this.tokenizer.bytesOfToken(id))) {
        logits[id] = -Infinity;
      }
    }
  }

  accept(id: number): void {
    const length = this.tokenizer.bytesOfToken(id).length;
    this.remaining = length >= this.remaining.length ? new Uint8Array(0) : this.remaining.subarray(length);
  }

  private agrees(bytes: Uint8Array): boolean {
    const shared = Math.min(bytes.length, this.remaining.length);
    if (shared === 0) return false;
    for (let i = 0; i < shared; i += 1) if (bytes[i] !== this.remaining[i]) return false;
    return true;
  }
}
