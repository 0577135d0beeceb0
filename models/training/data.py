"""Tokenized corpora: building them from the text splits, and sampling training batches."""

import os

import numpy as np
import torch

from tokenizer import Tokenizer

DOMAINS = ["legal", "medical", "code", "general"]
SPLITS = ["train", "val"]


def read_documents(path):
    with open(path, encoding="utf-8") as handle:
        return [document for document in handle.read().split("\n\f\n") if document.strip()]


def tokenize_corpus(work, tokenizer):
    """Write WORK/tokens/<domain>.<split>.npy (uint16 ids, documents joined by end-of-text) and
    <domain>.<split>.starts.npy (the offset where each document begins)."""
    out_dir = os.path.join(work, "tokens")
    os.makedirs(out_dir, exist_ok=True)
    for domain in DOMAINS:
        for split in SPLITS:
            target = os.path.join(out_dir, f"{domain}.{split}.npy")
            if os.path.exists(target):
                continue
            ids, starts = [], []
            for document in read_documents(os.path.join(work, "corpus", f"{domain}.{split}.txt")):
                starts.append(len(ids))
                ids.append(tokenizer.end_of_text)
                ids.extend(tokenizer.encode(document))
            np.save(os.path.join(out_dir, f"{domain}.{split}.starts.npy"), np.array(starts, dtype=np.int64))
            np.save(target, np.array(ids, dtype=np.uint16))
            print(f"tokenized {domain}.{split}: {len(ids)} tokens", flush=True)


def load_tokens(work, split):
    tokens = {}
    for domain in DOMAINS:
        ids = np.load(os.path.join(work, "tokens", f"{domain}.{split}.npy"))
        starts = np.load(os.path.join(work, "tokens", f"{domain}.{split}.starts.npy"))
        tokens[domain] = (ids, starts)
    return tokens


class BatchSampler:
    """Random windows of context+1 tokens, the same number from each domain per batch.

    Two samplers with the same seed yield the same batches, so the MoE and the dense baseline
    train on identical tokens.
    """

    def __init__(self, tokens, batch_size, context, seed):
        if batch_size % len(DOMAINS):
            raise ValueError(f"batch size {batch_size} must be a multiple of {len(DOMAINS)} domains")
        self.tokens = tokens
        self.per_domain = batch_size // len(DOMAINS)
        self.context = context
        self.rng = np.random.default_rng(seed)

    def skip(self, batches):
        for _ in range(batches):
            self.next_batch()

    def next_batch(self):
        rows, labels = [], []
        for label, domain in enumerate(DOMAINS):
            ids = self.tokens[domain][0]
            for start in self.rng.integers(0, len(ids) - self.context - 1, size=self.per_domain):
                rows.append(ids[start:start + self.context + 1].astype(np.int64))
                labels.append(label)
        batch = torch.from_numpy(np.stack(rows))
        return batch[:, :-1], batch[:, 1:], torch.tensor(labels)


def load_tokenizer(work):
    return Tokenizer.load(os.path.join(work, "tokenizer.json"))
