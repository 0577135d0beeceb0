// Remembers shown completions so that typing along a suggestion reuses it without a new model
// call. No `vscode` import.

interface CacheEntry {
  documentUri: string;
  /** The end of the prefix the completion was made for. */
  prefixTail: string;
  lineSuffix: string;
  completion: string;
}

export interface CacheHit {
  /** The part of the cached completion that has not been typed yet. */
  remainder: string;
  /** How many characters of the completion were typed since it was made. */
  typedLength: number;
}

/** Characters of prefix compared on a lookup: enough to tell positions in a document apart. */
const PREFIX_TAIL_LENGTH = 1000;

export class CompletionCache {
  private entries: CacheEntry[] = [];

  constructor(private readonly maxEntries = 64) {}

  /** Stores a completion made for `prefix` (LF line breaks) with `lineSuffix` after the cursor. */
  store(documentUri: string, prefix: string, lineSuffix: string, completion: string): void {
    if (completion === '') return;

    const entry: CacheEntry = {
      documentUri,
      prefixTail: prefix.slice(-PREFIX_TAIL_LENGTH),
      lineSuffix,
      completion,
    };
    this.entries = this.entries.filter(
      (existing) =>
        !(existing.documentUri === documentUri && existing.prefixTail === entry.prefixTail && existing.lineSuffix === lineSuffix),
    );
    this.entries.unshift(entry);
    if (this.entries.length > this.maxEntries) this.entries.length = this.maxEntries;
  }

  /**
   * Finds a completion made at this position, or at an earlier one from which the user has
   * typed the start of that completion. Returns what is left of it, if anything is.
   */
  lookup(documentUri: string, prefix: string, lineSuffix: string): CacheHit | undefined {
    for (const entry of this.entries) {
      if (entry.documentUri !== documentUri || entry.lineSuffix !== lineSuffix) continue;

      for (let typedLength = 0; typedLength < entry.completion.length; typedLength += 1) {
        const typed = entry.completion.slice(0, typedLength);
        if (!prefix.endsWith(typed)) continue;

        const before = prefix.slice(0, prefix.length - typedLength);
        if (!before.endsWith(entry.prefixTail)) continue;

        return { remainder: entry.completion.slice(typedLength), typedLength };
      }
    }
    return undefined;
  }

  /** Forgets the completions of one document, or of all documents. */
  clear(documentUri?: string): void {
    this.entries = documentUri === undefined ? [] : this.entries.filter((entry) => entry.documentUri !== documentUri);
  }

  get size(): number {
    return this.entries.length;
  }
}
