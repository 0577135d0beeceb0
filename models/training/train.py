"""Train the MoE language model or its dense baseline, resumably.

Checkpoints go to WORK/checkpoints/<arch>/: `latest.pt` (model and optimizer, rewritten
atomically every --checkpoint-every steps) and `step<N>.pt` snapshots of the weights every
--snapshot-every steps, so the two variants can be compared at the same number of tokens.
Running the same command again resumes from `latest.pt`.
"""

import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F

from data import DOMAINS, BatchSampler, load_tokens
from model import LanguageModel, ModelConfig


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--arch", choices=["moe", "dense"], default="moe")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--context", type=int, default=256)
    parser.add_argument("--model-dim", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--expert-hidden", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1.5e-3)
    parser.add_argument("--warmup-steps", type=int, default=100)
    parser.add_argument("--domain-loss-weight", type=float, default=0.1,
                        help="weight of the loss that teaches the router to send a document's tokens to its domain's experts")
    parser.add_argument("--balance-loss-weight", type=float, default=0.01,
                        help="weight of the load-balancing loss that keeps every expert in use")
    parser.add_argument("--expert-lr-multiplier", type=float, default=1.0,
                        help="learning-rate factor for routed experts, which see only their domain's share of the tokens")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for PyTorch")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--rewarm-steps", type=int, default=0,
                        help="after resuming, ramp the learning rate up over this many steps; use it on the first "
                             "resume after raising --steps, not on later resumes of that run")
    parser.add_argument("--time-limit-minutes", type=float, default=0, help="stop and checkpoint after this long; 0 = no limit")
    parser.add_argument("--checkpoint-every", type=int, default=50)
    parser.add_argument("--snapshot-every", type=int, default=100)
    parser.add_argument("--eval-every", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1234)
    return parser.parse_args()


def learning_rate_at(step, args):
    if step < args.warmup_steps:
        return args.learning_rate * (step + 1) / args.warmup_steps
    progress = min(1.0, (step - args.warmup_steps) / max(1, args.steps - args.warmup_steps))
    return args.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def routing_losses(router_logits, labels, length, config):
    """Domain-supervision and load-balancing losses over all layers.

    router_logits: [L, B*T, E]; labels: [B], the domain of each sequence.
    """
    probs = torch.softmax(router_logits, dim=-1)
    token_labels = labels.repeat_interleave(length)
    domain_mass = probs.view(config.layers, -1, config.domains, config.experts_per_domain).sum(-1)
    domain_loss = F.nll_loss(torch.log(domain_mass + 1e-9).reshape(-1, config.domains),
                             token_labels.repeat(config.layers))

    top = probs.topk(config.top_k, dim=-1).indices
    chosen = torch.zeros_like(probs).scatter(-1, top, 1.0)
    load_share = chosen.mean(1) / config.top_k
    mean_probs = probs.mean(1)
    balance_loss = config.experts * (load_share * mean_probs).sum(-1).mean()
    return domain_loss, balance_loss


@torch.no_grad()
def validation_losses(model, tokens, device, context, windows=8):
    model.eval()
    losses = {}
    for domain in DOMAINS:
        ids = tokens[domain][0]
        stride = max(1, (len(ids) - context - 1) // windows)
        total = 0.0
        for w in range(windows):
            window = torch.from_numpy(ids[w * stride:w * stride + context + 1].astype("int64")).to(device)
            logits = model(window[None, :-1])[0]
            total += F.cross_entropy(logits[0], window[1:]).item()
        losses[domain] = round(total / windows, 4)
    model.train()
    return losses


def split_expert_parameters(optimizer, model):
    """Move the routed experts' parameters into a second parameter group of the optimizer.

    Done after loading a checkpoint, so runs that began with one group resume unchanged.
    """
    expert_ids = {id(p) for layer in model.layers if hasattr(layer.ffn, "experts") for p in layer.ffn.experts.parameters()}
    if len(optimizer.param_groups) > 1 or not expert_ids:
        return
    group = optimizer.param_groups[0]
    others = [p for p in group["params"] if id(p) not in expert_ids]
    experts = [p for p in group["params"] if id(p) in expert_ids]
    expert_group = {key: value for key, value in group.items() if key != "params"}
    expert_group["params"] = experts
    expert_group["is_expert_group"] = True
    group["params"] = others
    optimizer.param_groups.append(expert_group)


def save_atomically(obj, path):
    temporary = path + ".tmp"
    torch.save(obj, temporary)
    os.replace(temporary, path)


def main():
    args = parse_arguments()
    torch.manual_seed(args.seed)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(args.threads)

    config = ModelConfig(arch=args.arch, model_dim=args.model_dim, layers=args.layers, heads=args.heads,
                         context=args.context, expert_hidden=args.expert_hidden, shared_hidden=args.expert_hidden)
    with open(os.path.join(args.work, "tokenizer.json"), encoding="utf-8") as handle:
        config.vocab_size = json.load(handle)["vocabSize"]

    model = LanguageModel(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=0.1)
    checkpoint_dir = os.path.join(args.work, "checkpoints", args.arch)
    os.makedirs(checkpoint_dir, exist_ok=True)
    latest_path = os.path.join(checkpoint_dir, "latest.pt")

    step, tokens_seen = 0, 0
    resumed_at = None
    if os.path.exists(latest_path):
        state = torch.load(latest_path, map_location=device)
        model.load_state_dict(state["model"])
        if len(state["optimizer"]["param_groups"]) > 1:
            split_expert_parameters(optimizer, model)
        optimizer.load_state_dict(state["optimizer"])
        step, tokens_seen = state["step"], state["tokens"]
        resumed_at = step
        print(f"resumed {args.arch} at step {step}", flush=True)

    split_expert_parameters(optimizer, model)
    train_tokens = load_tokens(args.work, "train")
    val_tokens = load_tokens(args.work, "val")
    sampler = BatchSampler(train_tokens, args.batch_size, args.context, args.seed)
    sampler.skip(step)
    counts = model.parameter_counts()
    print(f"{args.arch}: {counts['total'] / 1e6:.2f}M parameters, {counts['activePerToken'] / 1e6:.2f}M active per token, device {device}", flush=True)

    log_path = os.path.join(checkpoint_dir, "log.jsonl")
    started = time.time()
    window_started, window_tokens = time.time(), 0

    def checkpoint():
        save_atomically({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                         "tokens": tokens_seen, "config": config.to_dict(), "args": vars(args)}, latest_path)

    while step < args.steps:
        inputs, targets, labels = sampler.next_batch()
        inputs, targets, labels = inputs.to(device), targets.to(device), labels.to(device)
        learning_rate = learning_rate_at(step, args)
        if resumed_at is not None and step - resumed_at < args.rewarm_steps:
            learning_rate *= (step - resumed_at + 1) / args.rewarm_steps
        for group in optimizer.param_groups:
            factor = args.expert_lr_multiplier if group.get("is_expert_group") else 1.0
            group["lr"] = learning_rate * factor

        logits, _, router_logits, _ = model(inputs)
        language_loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), targets.reshape(-1))
        loss = language_loss
        domain_loss = balance_loss = torch.zeros(())
        if router_logits is not None:
            domain_loss, balance_loss = routing_losses(router_logits, labels, inputs.shape[1], config)
            loss = loss + args.domain_loss_weight * domain_loss + args.balance_loss_weight * balance_loss

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        tokens_seen += inputs.numel()
        window_tokens += inputs.numel()

        if step % 10 == 0:
            rate = window_tokens / (time.time() - window_started)
            record = {"step": step, "tokens": tokens_seen, "loss": round(language_loss.item(), 4),
                      "domainLoss": round(domain_loss.item(), 4), "balanceLoss": round(balance_loss.item(), 4),
                      "tokensPerSecond": round(rate), "elapsedSeconds": round(time.time() - started)}
            window_started, window_tokens = time.time(), 0
            if step % args.eval_every == 0:
                record["validation"] = validation_losses(model, val_tokens, device, args.context)
            print(json.dumps(record), flush=True)
            with open(log_path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")

        if step % args.snapshot_every == 0:
            torch.save({"model": model.state_dict(), "step": step, "tokens": tokens_seen, "config": config.to_dict()},
                       os.path.join(checkpoint_dir, f"step{step:06d}.pt"))
        if step % args.checkpoint_every == 0:
            checkpoint()
        if args.time_limit_minutes and time.time() - started > args.time_limit_minutes * 60:
            print(f"time limit reached at step {step}", flush=True)
            break

    checkpoint()
    torch.save({"model": model.state_dict(), "step": step, "tokens": tokens_seen, "config": config.to_dict()},
               os.path.join(checkpoint_dir, "final.pt"))
    print(f"done: {args.arch} step {step}, {tokens_seen} tokens", flush=True)


if __name__ == "__main__":
    main()
