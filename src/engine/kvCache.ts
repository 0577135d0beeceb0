// The attention cache `[L, 2, 1, H, P, D]` that model.onnx takes as past_key_values and returns
// as present_key_values, and the per-document store that lets a request reuse an earlier prefix.

import type { Architecture } from './manifest';

export interface KvState {
  /** Row-major `[L, 2, 1, H, length, D]` float32 values. */
  data: Float32Array;
  /** P, the number of cached positions. */
  length: number;
}

export function emptyKv(): KvState {
  return { data: new Float32Array(0), length: 0 };
}

export function kvDims(architecture: Architecture, length: number): number[] {
  return [architecture.layers, 2, 1, architecture.heads, length, architecture.headDim];
}

/** Keeps the first `length` positions of the cache (slices the P axis). */
export function truncateKv(kv: KvState, architecture: Architecture, length: number): KvState {
  if (length >= kv.length) return kv;
  if (length <= 0) return emptyKv();

  const blocks = architecture.layers * 2 * architecture.heads;
  const rowSize = architecture.headDim;
  const data = new Float32Array(blocks * length * rowSize);
  for (let block = 0; block < blocks; block += 1) {
    const from = block * kv.length * rowSize;
    data.set(kv.data.subarray(from, from + length * rowSize), block * length * rowSize);
  }
  return { data, length };
}

/** Router outputs of one position: `[L, E]` each, row-major. */
export interface PositionRouting {
  probs: Float32Array;
  weights: Float32Array;
}

/** What one document's last request left behind for the next one. */
export interface DocumentCache {
  ids: number[];
  kv: KvState;
  /** Router outputs per cached position, for the domain posterior and the expert load. */
  routing: PositionRouting[];
  /** The routing bias, top-k and top-p the cache was computed with; another setting cannot reuse it. */
  routingKey: string;
}

/** A small least-recently-used store of document caches. */
export class DocumentCacheStore {
  private readonly entries = new Map<string, DocumentCache>();

  constructor(private readonly capacity: number) {}

  get(documentKey: string): DocumentCache | undefined {
    const entry = this.entries.get(documentKey);
    if (entry === undefined) return undefined;
    this.entries.delete(documentKey);
    this.entries.set(documentKey, entry);
    return entry;
  }

  set(documentKey: string, entry: DocumentCache): void {
    this.entries.delete(documentKey);
    this.entries.set(documentKey, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const limit = Math.min(a.length, b.length);
  let length = 0;
  while (length < limit && a[length] === b[length]) length += 1;
  return length;
}
