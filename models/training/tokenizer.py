"""Byte-level BPE tokenizer: training, encoding and decoding.

The pre-tokenizer uses ASCII character classes only, so the TypeScript engine reproduces it
exactly without depending on a Unicode database version. models/FORMAT.md specifies it.
"""

import collections
import json

SPECIAL_TOKENS = ["<|endoftext|>"]
MAX_CHUNK_CODE_POINTS = 64
MAX_DIGIT_RUN = 3


def character_class(character):
    code = ord(character)
    if code >= 0x80 or "a" <= character <= "z" or "A" <= character <= "Z":
        return "L"
    if "0" <= character <= "9":
        return "N"
    if character == " ":
        return "S"
    if character in "\n\r":
        return "B"
    if character in "\t\x0b\x0c":
        return "W"
    return "P"


def pretokenize(text):
    """Split text into chunks; joining the chunks gives back the text."""
    chunks = []
    length = len(text)
    position = 0
    while position < length:
        start = position
        cls = character_class(text[position])
        next_cls = character_class(text[position + 1]) if position + 1 < length else None

        if cls == "S" and next_cls in ("L", "N", "P"):
            position = extend_run(text, position + 1, next_cls)
        elif cls == "B":
            position = extend_while(text, position, ("B",))
        elif cls in ("S", "W"):
            position = extend_while(text, position, ("S", "W"))
            followed_by_word = position < length and character_class(text[position]) in ("L", "N", "P")
            if followed_by_word and position - start > 1 and text[position - 1] == " ":
                position -= 1
        else:
            position = extend_run(text, position, cls)

        position = min(position, start + MAX_CHUNK_CODE_POINTS)
        chunks.append(text[start:position])
    return chunks


def extend_run(text, position, cls):
    limit = position + MAX_DIGIT_RUN if cls == "N" else len(text)
    while position < min(limit, len(text)) and character_class(text[position]) == cls:
        position += 1
    return position


def extend_while(text, position, classes):
    while position < len(text) and character_class(text[position]) in classes:
        position += 1
    return position


class Tokenizer:
    def __init__(self, merges):
        self.merges = [tuple(pair) for pair in merges]
        self.merge_rank = {pair: rank for rank, pair in enumerate(self.merges)}
        self.special_ids = {name: 256 + len(self.merges) + i for i, name in enumerate(SPECIAL_TOKENS)}
        self.vocab_size = 256 + len(self.merges) + len(SPECIAL_TOKENS)
        self.token_bytes = [bytes([i]) for i in range(256)]
        for left, right in self.merges:
            self.token_bytes.append(self.token_bytes[left] + self.token_bytes[right])
        self.token_bytes.extend(name.encode() for name in SPECIAL_TOKENS)
        self.cache = {}

    @property
    def end_of_text(self):
        return self.special_ids["<|endoftext|>"]

    def encode_chunk(self, chunk):
        cached = self.cache.get(chunk)
        if cached is not None:
            return cached
        ids = list(chunk.encode("utf-8", errors="replace"))
        while len(ids) > 1:
            best_rank, best_at = None, -1
            for i in range(len(ids) - 1):
                rank = self.merge_rank.get((ids[i], ids[i + 1]))
                if rank is not None and (best_rank is None or rank < best_rank):
                    best_rank, best_at = rank, i
            if best_rank is None:
                break
            ids[best_at:best_at + 2] = [256 + best_rank]
        if len(self.cache) < 200_000:
            self.cache[chunk] = ids
        return ids

    def encode(self, text):
        ids = []
        for chunk in pretokenize(text):
            ids.extend(self.encode_chunk(chunk))
        return ids

    def decode_bytes(self, ids):
        return b"".join(self.token_bytes[i] for i in ids)

    def decode(self, ids):
        return self.decode_bytes(ids).decode("utf-8", errors="replace")

    def to_json(self):
        return {
            "format": "expert-activation-bpe",
            "version": 1,
            "pretokenizer": "ascii-classes-v1",
            "maxChunkCodePoints": MAX_CHUNK_CODE_POINTS,
            "vocabSize": self.vocab_size,
            "merges": [list(pair) for pair in self.merges],
            "specialTokens": self.special_ids,
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.to_json(), handle, separators=(",", ":"))

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("format") != "expert-activation-bpe" or data.get("version") != 1:
            raise ValueError(f"{path}: not an expert-activation-bpe version 1 tokenizer")
        return cls(data["merges"])


def train(texts, vocab_size):
    """Learn merges until the vocabulary (bytes, merges and special tokens) reaches vocab_size."""
    chunk_counts = collections.Counter()
    for text in texts:
        chunk_counts.update(pretokenize(text))

    words = [list(chunk.encode("utf-8")) for chunk in chunk_counts]
    counts = list(chunk_counts.values())
    pair_counts = collections.Counter()
    pair_words = collections.defaultdict(set)
    for index, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pair_counts[pair] += counts[index]
            pair_words[pair].add(index)

    merges = []
    target_merges = vocab_size - 256 - len(SPECIAL_TOKENS)
    while len(merges) < target_merges and pair_counts:
        best = max(pair_counts.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))[0]
        if pair_counts[best] < 2:
            break
        new_id = 256 + len(merges)
        merges.append(best)
        for index in list(pair_words[best]):
            word = words[index]
            for pair in zip(word, word[1:]):
                pair_counts[pair] -= counts[index]
                if pair_counts[pair] <= 0:
                    del pair_counts[pair]
            merged, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    merged.append(new_id)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            words[index] = merged
            for pair in zip(merged, merged[1:]):
                pair_counts[pair] += counts[index]
                pair_words[pair].add(index)
        del pair_words[best]
    return Tokenizer(merges)
