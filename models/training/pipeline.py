"""Build the shipped model from scratch with one command.

Stages, each skipped when its output exists (so an interrupted run resumes):
  data       collect, deduplicate and split the corpora           -> WORK/corpus/
  tokenizer  train the byte-level BPE tokenizer                   -> WORK/tokenizer.json
  tokens     tokenize every split                                 -> WORK/tokens/
  train      train the MoE and the dense baseline on the same batches, side by side
  export     export the MoE and the baselines, write the model folder -> OUT/
  evaluate   measure both variants and write the results          -> OUT/results.json, OUT/impact.json

Example, the run behind the shipped model:
  /usr/bin/python3 models/training/pipeline.py --corpora ../shared/corpora
"""

import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from data import DOMAINS, read_documents, tokenize_corpus  # noqa: E402
import tokenizer as bpe  # noqa: E402

STAGES = ["data", "tokenizer", "tokens", "train", "export", "evaluate"]
TOKENIZER_SAMPLE_CHARS = 1_500_000


def python():
    return sys.executable or "/usr/bin/python3"


def run_stage_data(args):
    if os.path.exists(os.path.join(args.work, "corpus", "sources.json")):
        return
    subprocess.run([python(), os.path.join(HERE, "prepare_data.py"), "--corpora", args.corpora,
                    "--work", args.work, "--max-domain-mb", str(args.max_domain_mb)], check=True)


def run_stage_tokenizer(args):
    path = os.path.join(args.work, "tokenizer.json")
    if os.path.exists(path):
        return
    samples = []
    for domain in DOMAINS:
        documents = read_documents(os.path.join(args.work, "corpus", f"{domain}.train.txt"))
        random.Random(5).shuffle(documents)
        sample, size = [], 0
        for document in documents:
            if size >= TOKENIZER_SAMPLE_CHARS:
                break
            sample.append(document)
            size += len(document)
        samples.append("\n\n".join(sample))
    trained = bpe.train(samples, args.vocab_size)
    trained.save(path)
    print(f"tokenizer: {trained.vocab_size} tokens", flush=True)


def run_stage_tokens(args):
    tokenize_corpus(args.work, bpe.Tokenizer.load(os.path.join(args.work, "tokenizer.json")))


def run_stage_train(args):
    """Train both variants at once, each on half the threads, with the same seed and batches."""
    common = ["--work", args.work, "--steps", str(args.steps), "--batch-size", str(args.batch_size),
              "--device", args.device, "--model-dim", str(args.model_dim), "--layers", str(args.layers),
              "--heads", str(args.heads), "--expert-hidden", str(args.expert_hidden), "--context", str(args.context),
              "--snapshot-every", str(args.snapshot_every)]
    moe_only = ["--expert-lr-multiplier", str(args.expert_lr_multiplier)]
    if args.time_limit_minutes:
        common += ["--time-limit-minutes", str(args.time_limit_minutes)]
    threads = max(1, args.threads // 2)
    processes = []
    for arch in ("moe", "dense"):
        log = open(os.path.join(args.work, f"train-{arch}.log"), "a", encoding="utf-8")
        command = [python(), os.path.join(HERE, "train.py"), "--arch", arch, "--threads", str(threads)] + common
        if arch == "moe":
            command += moe_only
        processes.append((arch, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)))
    for arch, process in processes:
        if process.wait() != 0:
            sys.exit(f"training {arch} failed; see {os.path.join(args.work, f'train-{arch}.log')}")


def run_stage_export(args):
    subprocess.run([python(), os.path.join(HERE, "export.py"), "--work", args.work, "--out", args.out], check=True)
    subprocess.run([python(), os.path.join(HERE, "ngram.py"), "--work", args.work, "--out", args.out], check=True)


def run_stage_evaluate(args):
    subprocess.run([python(), os.path.join(HERE, "evaluate.py"), "--work", args.work, "--out", args.out,
                    "--threads", str(args.threads)], check=True)
    subprocess.run([python(), os.path.join(HERE, "model_card.py"), "--work", args.work, "--out", args.out,
                    "--command", "/usr/bin/python3 models/training/pipeline.py " + " ".join(sys.argv[1:])], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default=os.path.join(HERE, "..", "..", "..", "shared", "corpora"),
                        help="folder with the legal/ and medical/ corpora")
    parser.add_argument("--work", default=os.path.join(HERE, "work"), help="outputs kept out of git")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "expert-moe"), help="the model folder to write")
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated subset of {STAGES}")
    parser.add_argument("--vocab-size", type=int, default=8192)
    parser.add_argument("--max-domain-mb", type=float, default=10.0)
    parser.add_argument("--steps", type=int, default=2200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--model-dim", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--expert-hidden", type=int, default=512)
    parser.add_argument("--context", type=int, default=256)
    parser.add_argument("--snapshot-every", type=int, default=100)
    parser.add_argument("--expert-lr-multiplier", type=float, default=2.0,
                        help="learning-rate factor for the MoE's routed experts")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--time-limit-minutes", type=float, default=0)
    args = parser.parse_args()
    args.work = os.path.abspath(args.work)
    args.out = os.path.abspath(args.out)
    os.makedirs(args.work, exist_ok=True)

    for stage in args.stages.split(","):
        if stage not in STAGES:
            sys.exit(f"unknown stage {stage!r}; expected some of {', '.join(STAGES)}")
        print(f"== {stage}", flush=True)
        globals()[f"run_stage_{stage}"](args)


if __name__ == "__main__":
    main()
