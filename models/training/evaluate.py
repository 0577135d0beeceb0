"""Measure the MoE against the dense baseline on validation documents, and the MoE's routing.

Both variants are loaded at the same training step (the latest snapshot they share), so they
have seen the same batches. The MoE is measured with its weights rounded to float16, as
shipped; its float32 perplexity is reported too, to show what the rounding costs.

Writes OUT/results.json (every figure below) and OUT/impact.json (per-domain counterfactual
expert impact, read by the engine):
- perplexity and bits per byte per domain, for each variant;
- next-word accuracy per domain (a word counts when greedy decoding reproduces all its tokens);
- domain detection from the router alone after 16 to 128 tokens, with the confusion matrix;
- domain lift P(expert | domain) / P(expert) of each domain's experts, per layer;
- counterfactual impact: the mean KL divergence of the next-token distribution when one
  expert is masked, over all positions and over the hardest quarter (highest entropy).
"""

import argparse
import glob
import json
import math
import os
import re

import numpy as np
import torch
import torch.nn.functional as F

from data import DOMAINS, load_tokens
from export import load_model, round_weights_to_float16
from model import DISABLED_BIAS
from tokenizer import Tokenizer

WINDOW = 256
PERPLEXITY_WINDOWS = 40
DETECTION_DOCUMENTS = 100
DETECTION_LENGTHS = [16, 32, 64, 128]
IMPACT_WINDOWS = 3
IMPACT_WINDOW = 128


def common_step(work):
    """Find the latest step for which both variants have a snapshot."""
    steps = {}
    for arch in ("moe", "dense"):
        found = set()
        for path in glob.glob(os.path.join(work, "checkpoints", arch, "step*.pt")):
            found.add(int(re.search(r"step(\d+)\.pt$", path).group(1)))
        steps[arch] = found
    shared = steps["moe"] & steps["dense"]
    if not shared:
        raise SystemExit(f"no training step has snapshots of both variants in {work}/checkpoints; train both first")
    return max(shared)


def evaluation_windows(ids, count, length):
    stride = max(length, (len(ids) - length - 1) // count)
    windows = []
    for start in range(0, len(ids) - length - 1, stride):
        windows.append(torch.from_numpy(ids[start:start + length + 1].astype(np.int64)))
        if len(windows) == count:
            break
    return windows


def word_starts_and_continuations(tokenizer):
    """Classify each token: does it start a word (leading space or newline, then a letter),
    or continue one (starts with a letter or digit)?"""
    starts, continues = np.zeros(tokenizer.vocab_size, bool), np.zeros(tokenizer.vocab_size, bool)
    for token, data in enumerate(tokenizer.token_bytes):
        stripped = data.lstrip(b" \n")
        if not stripped:
            continue
        first = stripped[:1]
        alphanumeric = first.isalnum() or first[0] >= 0x80
        if data[:1] in (b" ", b"\n") and alphanumeric:
            starts[token] = True
        elif data[:1].isalnum() or data[0] >= 0x80:
            continues[token] = True
    return starts, continues


@torch.no_grad()
def language_metrics(model, windows, tokenizer, word_classes):
    starts, continues = word_classes
    total_nll, total_tokens, total_bytes = 0.0, 0, 0
    words, correct_words = 0, 0
    for window in windows:
        inputs, targets = window[None, :-1], window[1:]
        logits = model(inputs)[0][0]
        total_nll += F.cross_entropy(logits, targets, reduction="sum").item()
        total_tokens += len(targets)
        total_bytes += sum(len(tokenizer.token_bytes[t]) for t in targets.tolist())

        hits = (logits.argmax(-1) == targets).tolist()
        target_list = targets.tolist()
        position = 0
        while position < len(target_list):
            if not starts[target_list[position]]:
                position += 1
                continue
            end = position + 1
            while end < len(target_list) and continues[target_list[end]]:
                end += 1
            if end < len(target_list):
                words += 1
                correct_words += all(hits[position:end])
            position = end
    return {"perplexity": round(math.exp(total_nll / total_tokens), 3),
            "bitsPerByte": round(total_nll / total_bytes / math.log(2), 4),
            "nextWordAccuracy": round(correct_words / max(1, words), 4),
            "tokens": total_tokens, "words": words}


@torch.no_grad()
def detection_metrics(model, val_tokens):
    config = model.config
    confusion = {length: np.zeros((len(DOMAINS), len(DOMAINS)), int) for length in DETECTION_LENGTHS}
    for label, domain in enumerate(DOMAINS):
        ids, starts = val_tokens[domain]
        ends = list(starts[1:]) + [len(ids)]
        for start, end in list(zip(starts, ends))[:DETECTION_DOCUMENTS]:
            document = torch.from_numpy(ids[start + 1:min(end, start + 1 + max(DETECTION_LENGTHS))].astype(np.int64))
            if len(document) < DETECTION_LENGTHS[0]:
                continue
            _, _, router_logits, _ = model(document[None])
            probs = torch.softmax(router_logits, -1)
            mass = probs.view(config.layers, -1, config.domains, config.experts_per_domain).sum(-1).mean(0)
            for length in DETECTION_LENGTHS:
                predicted = mass[:length].mean(0).argmax().item()
                confusion[length][label, predicted] += 1
    results = {}
    for length, matrix in confusion.items():
        results[str(length)] = {"accuracy": round(np.trace(matrix) / max(1, matrix.sum()), 4),
                                "documents": int(matrix.sum()), "confusion": matrix.tolist()}
    return results


@torch.no_grad()
def lift_metrics(model, windows_by_domain):
    """Domain lift per layer from the experts actually selected on each domain's text."""
    config = model.config
    counts = np.zeros((len(DOMAINS), config.layers, config.experts))
    for label, domain in enumerate(DOMAINS):
        for window in windows_by_domain[domain]:
            _, _, _, weights = model(window[None, :-1])
            counts[label] += (weights > 0).sum(1).numpy()
    p_expert_given_domain = counts / counts.sum(-1, keepdims=True)
    p_expert = counts.sum(0) / counts.sum(0).sum(-1, keepdims=True)
    lift = p_expert_given_domain / np.maximum(p_expert[None], 1e-9)
    per_domain = {}
    for label, domain in enumerate(DOMAINS):
        own = slice(label * config.experts_per_domain, (label + 1) * config.experts_per_domain)
        per_domain[domain] = [round(float(lift[label, layer, own].mean()), 3) for layer in range(config.layers)]
    return {"ownExpertLiftPerLayer": per_domain,
            "maxPossible": config.experts / config.experts_per_domain,
            "liftMatrix": np.round(lift, 3).tolist()}


@torch.no_grad()
def impact_tables(model, windows_by_domain):
    config = model.config
    tables = {}
    for domain in DOMAINS:
        windows = [w[:IMPACT_WINDOW + 1] for w in windows_by_domain[domain][:IMPACT_WINDOWS]]
        all_positions = np.zeros((config.layers, config.experts))
        hard_positions = np.zeros((config.layers, config.experts))
        for window in windows:
            inputs = window[None, :-1]
            base = torch.log_softmax(model(inputs)[0][0], -1)
            entropy = -(base.exp() * base).sum(-1)
            hard = entropy >= entropy.quantile(0.75)
            for layer in range(config.layers):
                for expert in range(config.experts):
                    bias = torch.zeros(config.layers, config.experts)
                    bias[layer, expert] = DISABLED_BIAS
                    masked = torch.log_softmax(model(inputs, None, bias)[0][0], -1)
                    kl = (base.exp() * (base - masked)).sum(-1)
                    all_positions[layer, expert] += kl.mean().item() / len(windows)
                    hard_positions[layer, expert] += kl[hard].mean().item() / len(windows)
        tables[domain] = {"all": np.round(all_positions, 5).tolist(), "hard": np.round(hard_positions, 5).tolist()}
    return {"formatVersion": 1, "measure": "mean KL divergence of the next-token distribution when the expert is masked",
            "domains": tables}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--step", type=int, help="training step to compare; defaults to the latest shared snapshot")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    step = args.step or common_step(args.work)
    moe, moe_state = load_model(os.path.join(args.work, "checkpoints", "moe", f"step{step:06d}.pt"))
    dense, _ = load_model(os.path.join(args.work, "checkpoints", "dense", f"step{step:06d}.pt"))
    moe_float32, _ = load_model(os.path.join(args.work, "checkpoints", "moe", f"step{step:06d}.pt"))
    round_weights_to_float16(moe)
    tokenizer = Tokenizer.load(os.path.join(args.work, "tokenizer.json"))
    word_classes = word_starts_and_continuations(tokenizer)
    val_tokens = load_tokens(args.work, "val")
    windows = {domain: evaluation_windows(val_tokens[domain][0], PERPLEXITY_WINDOWS, WINDOW) for domain in DOMAINS}

    results = {"step": step, "tokens": moe_state["tokens"], "parameters": {"moe": moe.parameter_counts(), "dense": dense.parameter_counts()},
               "language": {}, "detection": None, "lift": None}
    for domain in DOMAINS:
        results["language"][domain] = {
            "moe": language_metrics(moe, windows[domain], tokenizer, word_classes),
            "moeFloat32": language_metrics(moe_float32, windows[domain], tokenizer, word_classes),
            "dense": language_metrics(dense, windows[domain], tokenizer, word_classes),
        }
        print(domain, json.dumps(results["language"][domain]), flush=True)
    results["detection"] = detection_metrics(moe, val_tokens)
    print("detection", json.dumps({k: v["accuracy"] for k, v in results["detection"].items()}), flush=True)
    results["lift"] = lift_metrics(moe, windows)
    print("lift", json.dumps(results["lift"]["ownExpertLiftPerLayer"]), flush=True)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "impact.json"), "w", encoding="utf-8") as handle:
        json.dump(impact_tables(moe, windows), handle)
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=2)
    print(f"wrote {args.out}/results.json and impact.json", flush=True)


if __name__ == "__main__":
    main()
