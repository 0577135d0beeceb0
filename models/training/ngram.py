"""Build the token trigram baseline that `npm run eval` compares the MoE against.

Reads WORK/tokens/<domain>.train.npy (uint16 ids, each document preceded by end-of-text; see
data.py) and writes OUT/baseline-ngram.json, pruned to stay under --max-bytes so it fits the
model folder's size budget. The tokenizer is fixed, so the file stays valid for any model
trained with WORK/tokenizer.json.

Smoothing: interpolated absolute discounting with the dropped continuations' mass moved to the
lower order. For a stored context h with total count c(h), discount D and stored continuations S:

    P(w | h) = max(c(h, w) - D, 0) / c(h) * [w in S] + lambda(h) * P_lower(w)
    lambda(h) = 1 - sum over w in S of max(c(h, w) - D, 0) / c(h)

so every distribution sums to 1 however many continuations were pruned. A trigram context
(u, v) backs off to the bigram context v, a bigram context to the unigram, and a context that
is not stored uses its lower order alone. The unigram is add-one smoothed over the vocabulary:
P(w) = (c(w) + 1) / (N + V). D is Ney's estimate n1 / (n1 + 2 n2) from the unpruned counts.

N-grams never cross a document start: end-of-text may only be the first token of an n-gram,
where it stands for "start of document", and it is never a predicted token.

Format of baseline-ngram.json (compact JSON, ids are token ids):

    {
      "format": "expert-activation-ngram", "version": 1, "order": 3,
      "vocabSize": 8192, "endOfText": 8191,
      "smoothing": "interpolated-absolute-discounting",
      "discounts": {"bigram": D2, "trigram": D3},
      "trainingTokens": N,
      "unigram": [c(0), c(1), ..., c(V-1)],
      "bigram":  {"v": [c(v), w1, c(v, w1), w2, c(v, w2), ...], ...},
      "trigram": {"u,v": [c(u, v), w1, c(u, v, w1), ...], ...},
      "domainClassifier": {
        "domains": ["legal", ...],
        "tokens": [id, ...],                       # the most frequent ids overall
        "counts": {"legal": [c(id1), ..., c(other)], ...}   # per domain, last entry = all other ids
      }
    }

Pruning: the candidates are the 20,000 most frequent contexts of each order. Each candidate keeps
as many of its most frequent continuations (at most 12, each seen at least twice) as gains the
most training log-likelihood over its lower order. Contexts are then kept in order of that gain
per byte until the budget is spent. Bigram contexts get --bigram-share of the budget and trigram
contexts the rest, with their gain measured against the kept bigrams.

`domainClassifier` feeds a per-domain unigram likelihood classifier (naive Bayes). With N_d the
domain's token count and K listed ids: P_d(w) = (c_d(w) + 1) / (N_d + K + 1) for a listed id, and
for any other id P_d(w) = (c_d(other) + 1) / (N_d + K + 1) * P(w) / P(every unlisted id), with P
the smoothed unigram above.

Example (the tokenizer and token files come from the pipeline's first stages):
  /usr/bin/python3 models/training/ngram.py --work models/training/work --out models/expert-moe
"""

import argparse
import json
import math
import os
import sys

import numpy as np

DOMAINS = ["legal", "medical", "code", "general"]
FORMAT = "expert-activation-ngram"
DEFAULT_MAX_BYTES = 150_000
MIN_CONTINUATION_COUNT = 2
MAX_CONTINUATIONS = 12
CANDIDATE_CONTEXTS = 20_000


def load_train_tokens(work):
    tokens = {}
    for domain in DOMAINS:
        path = os.path.join(work, "tokens", f"{domain}.train.npy")
        if not os.path.exists(path):
            sys.exit(f"{path} is missing; run the pipeline's data, tokenizer and tokens stages first")
        tokens[domain] = np.load(path).astype(np.int64)
    return tokens


def read_tokenizer_facts(work):
    with open(os.path.join(work, "tokenizer.json"), encoding="utf-8") as handle:
        data = json.load(handle)
    return data["vocabSize"], data["specialTokens"]["<|endoftext|>"]


def count_ngrams(ids, order, vocab_size, end_of_text):
    """Count the n-grams of one token array whose positions after the first are not end-of-text."""
    if len(ids) < order:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    valid = np.ones(len(ids) - order + 1, bool)
    keys = np.zeros(len(ids) - order + 1, np.int64)
    for offset in range(order):
        column = ids[offset:len(ids) - order + 1 + offset]
        if offset > 0:
            valid &= column != end_of_text
        keys = keys * vocab_size + column
    return np.unique(keys[valid], return_counts=True)


def merge_counts(parts):
    keys = np.concatenate([keys for keys, _ in parts])
    counts = np.concatenate([counts for _, counts in parts])
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts).astype(np.int64)


def ney_discount(counts):
    n1 = int((counts == 1).sum())
    n2 = int((counts == 2).sum())
    return n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5


def context_candidates(keys, counts, vocab_size, limit):
    """Group n-gram counts by context for the `limit` contexts with the largest totals.

    Returns [(total, context, [(word, count), ...]), ...] with the largest counts first."""
    contexts = keys // vocab_size
    words = keys % vocab_size
    order = np.lexsort((-counts, contexts))
    contexts, words, counts = contexts[order], words[order], counts[order]
    boundaries = np.flatnonzero(np.diff(contexts)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(contexts)]])
    totals = np.add.reduceat(counts, starts)

    candidates = []
    for index in np.argsort(-totals, kind="stable")[:limit]:
        start, end = starts[index], ends[index]
        pairs = [(int(words[i]), int(counts[i])) for i in range(start, min(end, start + MAX_CONTINUATIONS))]
        candidates.append((int(totals[index]), int(contexts[start]), pairs))
    return candidates


def best_continuations(total, pairs, discount, lower):
    """Choose the continuations to keep for one context; return them with the training
    log-likelihood they gain over the lower order alone. Each kept word gains
    log(P(w | h) / P_lower(w)) per occurrence, and every other occurrence loses log(1 / lambda(h))."""
    best_gain, best_kept = 0.0, []
    for size in range(1, len(pairs) + 1):
        kept = pairs[:size]
        if kept[-1][1] < MIN_CONTINUATION_COUNT:
            break
        discounted = [(count - discount) / total for _, count in kept]
        weight = 1 - sum(discounted)
        gain = sum(count * math.log((share + weight * lower(word)) / lower(word))
                   for (word, count), share in zip(kept, discounted))
        gain += (total - sum(count for _, count in kept)) * math.log(weight)
        if gain > best_gain:
            best_gain, best_kept = gain, kept
    return best_gain, best_kept


def entry_value(total, kept):
    return [total] + [number for pair in kept for number in pair]


def entry_size(key, value):
    return len(json.dumps(key)) + 1 + len(json.dumps(value, separators=(",", ":"))) + 1


def select_contexts(candidates, key_of, discount, lower_of, budget):
    """Keep the contexts with the highest log-likelihood gain per byte until `budget` bytes are used."""
    scored = []
    for total, context, pairs in candidates:
        gain, kept = best_continuations(total, pairs, discount, lower_of(context))
        if not kept:
            continue
        key = key_of(context)
        value = entry_value(total, kept)
        scored.append((gain / entry_size(key, value), key, value))
    scored.sort(key=lambda item: -item[0])

    entries, used = {}, 0
    for _, key, value in scored:
        size = entry_size(key, value)
        if used + size <= budget:
            entries[key] = value
            used += size
    return entries


def domain_classifier(tokens, unigram, vocab_size, end_of_text, size):
    ranked = [int(token) for token in np.argsort(-unigram, kind="stable") if token != end_of_text and unigram[token] > 0][:size]
    counts = {}
    for domain in DOMAINS:
        ids = tokens[domain]
        per_token = np.bincount(ids[ids != end_of_text], minlength=vocab_size)
        listed = [int(per_token[token]) for token in ranked]
        counts[domain] = listed + [int(per_token.sum()) - sum(listed)]
    return {"domains": DOMAINS, "tokens": ranked, "counts": counts}


def build(work, max_bytes, bigram_share, classifier_tokens):
    vocab_size, end_of_text = read_tokenizer_facts(work)
    tokens = load_train_tokens(work)

    unigram = np.zeros(vocab_size, np.int64)
    for ids in tokens.values():
        unigram += np.bincount(ids[ids != end_of_text], minlength=vocab_size)
    bigram_keys, bigram_counts = merge_counts([count_ngrams(ids, 2, vocab_size, end_of_text) for ids in tokens.values()])
    trigram_keys, trigram_counts = merge_counts([count_ngrams(ids, 3, vocab_size, end_of_text) for ids in tokens.values()])

    model = {
        "format": FORMAT,
        "version": 1,
        "order": 3,
        "vocabSize": vocab_size,
        "endOfText": end_of_text,
        "smoothing": "interpolated-absolute-discounting",
        "discounts": {"bigram": round(ney_discount(bigram_counts), 4), "trigram": round(ney_discount(trigram_counts), 4)},
        "trainingTokens": int(unigram.sum()),
        "unigram": unigram.tolist(),
        "bigram": {},
        "trigram": {},
        "domainClassifier": domain_classifier(tokens, unigram, vocab_size, end_of_text, classifier_tokens),
    }

    base_size = len(serialise(model))
    budget = max_bytes - base_size - 64
    if budget <= 0:
        sys.exit(f"the unigram and classifier tables alone take {base_size} bytes, over --max-bytes {max_bytes}; lower --classifier-tokens")
    unigram_probability = (unigram + 1) / (unigram.sum() + vocab_size)
    model["bigram"] = select_contexts(
        context_candidates(bigram_keys, bigram_counts, vocab_size, CANDIDATE_CONTEXTS), str, model["discounts"]["bigram"],
        lambda context: lambda word: unigram_probability[word], int(budget * bigram_share))

    bigram_scorer = Scorer(model)
    bigram_size = len(serialise({"bigram": model["bigram"]}))
    model["trigram"] = select_contexts(
        context_candidates(trigram_keys, trigram_counts, vocab_size, CANDIDATE_CONTEXTS),
        lambda context: f"{context // vocab_size},{context % vocab_size}", model["discounts"]["trigram"],
        lambda context: lambda word: bigram_scorer.probability(None, context % vocab_size, word), budget - bigram_size)
    return model


def serialise(model):
    return json.dumps(model, separators=(",", ":"))


class Scorer:
    """Probabilities of a built model, with the same formulas as test/bench/ngramModel.ts."""

    def __init__(self, model):
        self.vocab_size = model["vocabSize"]
        self.end_of_text = model["endOfText"]
        counts = np.array(model["unigram"], np.float64)
        self.unigram = (counts + 1) / (counts.sum() + self.vocab_size)
        self.bigram = self._contexts(model["bigram"], model["discounts"]["bigram"])
        self.trigram = self._contexts(model["trigram"], model["discounts"]["trigram"])

    @staticmethod
    def _contexts(table, discount):
        contexts = {}
        for key, value in table.items():
            total = value[0]
            stored = {value[i]: max(value[i + 1] - discount, 0) / total for i in range(1, len(value), 2)}
            contexts[key] = (stored, 1 - sum(stored.values()))
        return contexts

    def probability(self, previous2, previous1, word):
        probability = self.unigram[word]
        bigram = self.bigram.get(str(previous1)) if previous1 is not None else None
        if bigram is not None:
            probability = bigram[0].get(word, 0.0) + bigram[1] * probability
        trigram = self.trigram.get(f"{previous2},{previous1}") if previous2 is not None and previous1 is not None else None
        if trigram is not None:
            probability = trigram[0].get(word, 0.0) + trigram[1] * probability
        return probability


def validation_perplexity(model, work):
    """Perplexity per domain on WORK/tokens/<domain>.val.npy, for the build log."""
    scorer = Scorer(model)
    results = {}
    for domain in DOMAINS:
        path = os.path.join(work, "tokens", f"{domain}.val.npy")
        if not os.path.exists(path):
            continue
        ids = np.load(path).astype(np.int64).tolist()
        total, count = 0.0, 0
        for position in range(1, len(ids)):
            word = ids[position]
            if word == scorer.end_of_text:
                continue
            previous1 = ids[position - 1]
            previous2 = ids[position - 2] if position >= 2 and previous1 != scorer.end_of_text else None
            total -= math.log(scorer.probability(previous2, previous1, word))
            count += 1
        results[domain] = round(math.exp(total / max(1, count)), 2)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", required=True, help="the pipeline's work folder with tokenizer.json and tokens/")
    parser.add_argument("--out", required=True, help="the model folder to write baseline-ngram.json into")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="size limit of the JSON file in bytes")
    parser.add_argument("--bigram-share", type=float, default=0.8, help="share of the context budget for bigram contexts")
    parser.add_argument("--classifier-tokens", type=int, default=384, help="ids with their own count in the domain classifier")
    parser.add_argument("--skip-validation", action="store_true", help="do not print the validation perplexity")
    args = parser.parse_args()

    model = build(args.work, args.max_bytes, args.bigram_share, args.classifier_tokens)
    text = serialise(model)
    if len(text.encode("utf-8")) > args.max_bytes:
        sys.exit(f"baseline-ngram.json would be {len(text)} bytes, over --max-bytes {args.max_bytes}")
    os.makedirs(args.out, exist_ok=True)
    target = os.path.join(args.out, "baseline-ngram.json")
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {target}: {len(text)} bytes, {len(model['bigram'])} bigram and {len(model['trigram'])} trigram contexts, "
          f"discounts {model['discounts']}", flush=True)
    if not args.skip_validation:
        print("validation perplexity", json.dumps(validation_perplexity(model, args.work)), flush=True)


if __name__ == "__main__":
    main()
