"""Export the trained MoE to ONNX and write the model folder the engine loads.

Writes OUT/model.onnx (opset 17, float16 weights cast to float32 on load), OUT/tokenizer.json,
OUT/manifest.json and OUT/reference.json (PyTorch outputs on fixed inputs, for the tests of the
TypeScript engine). models/FORMAT.md describes each file.
"""

import argparse
import json
import os
import shutil

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from data import DOMAINS
from model import LanguageModel, ModelConfig
from tokenizer import Tokenizer

OPSET = 17
FORMAT_VERSION = 1
MIN_ELEMENTS_FOR_FLOAT16 = 1024
REFERENCE_TEXTS = {
    "legal": "The Tenant shall pay the rent on the first day of each month, and the Landlord shall",
    "code": "def read_config(path):\n    with open(path) as handle:\n        return",
}


class ExportWrapper(torch.nn.Module):
    """Fixes the graph's inputs and outputs to the names and shapes in models/FORMAT.md."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, past_key_values, routing_bias, top_k, top_p):
        logits, present, router_logits, expert_weights = self.model(input_ids, past_key_values, routing_bias, top_k, top_p)
        return logits, present, torch.softmax(router_logits, dim=-1), expert_weights


class DenseExportWrapper(torch.nn.Module):
    """The dense baseline's graph: the same cache inputs and outputs, without routing."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, past_key_values):
        logits, present, _, _ = self.model(input_ids, past_key_values)
        return logits, present


def load_model(checkpoint_path):
    state = torch.load(checkpoint_path, map_location="cpu")
    config = ModelConfig(**state["config"])
    model = LanguageModel(config)
    model.load_state_dict(state["model"])
    model.eval()
    return model, state


def round_weights_to_float16(model):
    """Round every weight the export stores as float16, so PyTorch and ONNX compute the same."""
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.numel() >= MIN_ELEMENTS_FOR_FLOAT16:
                parameter.copy_(parameter.half().float())


def store_weights_as_float16(path):
    """Replace large float32 initializers with float16 ones followed by a Cast back to float32."""
    graph_model = onnx.load(path)
    graph = graph_model.graph
    casts, initializers = [], []
    for initializer in graph.initializer:
        if initializer.data_type == TensorProto.FLOAT and np.prod(initializer.dims) >= MIN_ELEMENTS_FOR_FLOAT16:
            values = numpy_helper.to_array(initializer).astype(np.float16)
            half = numpy_helper.from_array(values, initializer.name + "_float16")
            initializers.append(half)
            casts.append(helper.make_node("Cast", [half.name], [initializer.name], to=TensorProto.FLOAT,
                                          name=initializer.name + "_cast"))
        else:
            initializers.append(initializer)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, path)


def export_onnx(model, path):
    config = model.config
    head_dim = config.model_dim // config.heads
    input_ids = torch.randint(0, config.vocab_size, (1, 5))
    past = torch.zeros(config.layers, 2, 1, config.heads, 3, head_dim)
    bias = torch.zeros(config.layers, config.experts)
    top_k = torch.tensor([config.top_k], dtype=torch.int64)
    top_p = torch.tensor([1.0], dtype=torch.float32)
    torch.onnx.export(
        ExportWrapper(model), (input_ids, past, bias, top_k, top_p), path, opset_version=OPSET,
        input_names=["input_ids", "past_key_values", "routing_bias", "top_k", "top_p"],
        output_names=["logits", "present_key_values", "router_probs", "expert_weights"],
        dynamic_axes={"input_ids": {1: "new_tokens"}, "past_key_values": {4: "past_tokens"},
                      "logits": {1: "new_tokens"}, "present_key_values": {4: "total_tokens"},
                      "router_probs": {1: "new_tokens"}, "expert_weights": {1: "new_tokens"}},
        do_constant_folding=False)
    store_weights_as_float16(path)


def export_dense_onnx(model, path):
    """Export the dense baseline, which the evaluation compares against the MoE."""
    config = model.config
    head_dim = config.model_dim // config.heads
    input_ids = torch.randint(0, config.vocab_size, (1, 5))
    past = torch.zeros(config.layers, 2, 1, config.heads, 3, head_dim)
    torch.onnx.export(
        DenseExportWrapper(model), (input_ids, past), path, opset_version=OPSET,
        input_names=["input_ids", "past_key_values"], output_names=["logits", "present_key_values"],
        dynamic_axes={"input_ids": {1: "new_tokens"}, "past_key_values": {4: "past_tokens"},
                      "logits": {1: "new_tokens"}, "present_key_values": {4: "total_tokens"}},
        do_constant_folding=False)
    store_weights_as_float16(path)


def expert_entries(config):
    entries = []
    for layer in range(config.layers):
        for index in range(config.experts):
            domain = DOMAINS[index // config.experts_per_domain]
            letter = chr(ord("A") + index % config.experts_per_domain)
            entries.append({"id": f"L{layer}.E{index}", "layer": layer, "index": index, "domain": domain,
                            "label": f"{domain.capitalize()} {letter}"})
    return entries


def write_manifest(config, tokenizer, out, name):
    manifest = {
        "formatVersion": FORMAT_VERSION,
        "name": name,
        "files": {"model": "model.onnx", "tokenizer": "tokenizer.json", "impact": "impact.json", "reference": "reference.json"},
        "domains": DOMAINS,
        "architecture": {
            "layers": config.layers, "heads": config.heads, "headDim": config.model_dim // config.heads,
            "modelDim": config.model_dim, "vocabSize": config.vocab_size, "expertsPerLayer": config.experts,
            "sharedExperts": 1, "expertHiddenDim": config.expert_hidden, "defaultTopK": config.top_k,
            "maxTopK": config.experts, "trainedContext": config.context, "maxContext": config.rope_table,
        },
        "experts": expert_entries(config),
        "specialTokens": {"endOfText": tokenizer.end_of_text},
        "inputs": {"inputIds": "input_ids", "pastKeyValues": "past_key_values", "routingBias": "routing_bias",
                   "topK": "top_k", "topP": "top_p"},
        "outputs": {"logits": "logits", "presentKeyValues": "present_key_values", "routerProbs": "router_probs",
                    "expertWeights": "expert_weights"},
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2)
        handle.write("\n")


@torch.no_grad()
def write_reference(model, tokenizer, out):
    """Record PyTorch outputs for fixed inputs: a prompt, then two more tokens through the cache."""
    config = model.config
    cases = []
    for name, text in REFERENCE_TEXTS.items():
        ids = tokenizer.encode(text)
        prompt, continuation = ids[:-2], ids[-2:]
        bias = torch.zeros(config.layers, config.experts)
        if name == "code":
            domain = DOMAINS.index("legal")
            bias[:, domain * config.experts_per_domain:(domain + 1) * config.experts_per_domain] = 4.0
        logits, present, router_logits, weights = model(torch.tensor([prompt]), None, bias)
        step_logits, _, step_router, step_weights = model(torch.tensor([continuation]), present, bias)
        cases.append({
            "name": name, "text": text, "promptIds": prompt, "continuationIds": continuation,
            "routingBias": bias.tolist(), "topK": config.top_k, "topP": 1.0,
            "promptLastLogits": [round(v, 5) for v in logits[0, -1].tolist()],
            "promptRouterProbs": [[round(v, 6) for v in row] for row in torch.softmax(router_logits[:, -1], -1).tolist()],
            "promptExpertWeights": [[round(v, 6) for v in row] for row in weights[:, -1].tolist()],
            "continuationLastLogits": [round(v, 5) for v in step_logits[0, -1].tolist()],
            "continuationRouterProbs": [[round(v, 6) for v in row] for row in torch.softmax(step_router[:, -1], -1).tolist()],
        })
    with open(os.path.join(out, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump({"tolerance": 2e-3, "cases": cases}, handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--checkpoint", help="defaults to WORK/checkpoints/moe/final.pt, else latest.pt")
    parser.add_argument("--name", default="expert-moe")
    parser.add_argument("--dense-checkpoint", help="the dense baseline to export as baseline-dense.onnx; defaults to the snapshot at the MoE's step")
    args = parser.parse_args()

    checkpoint = args.checkpoint
    if not checkpoint:
        final = os.path.join(args.work, "checkpoints", "moe", "final.pt")
        checkpoint = final if os.path.exists(final) else os.path.join(args.work, "checkpoints", "moe", "latest.pt")
    model, state = load_model(checkpoint)
    round_weights_to_float16(model)
    tokenizer = Tokenizer.load(os.path.join(args.work, "tokenizer.json"))

    os.makedirs(args.out, exist_ok=True)
    export_onnx(model, os.path.join(args.out, "model.onnx"))
    shutil.copyfile(os.path.join(args.work, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    write_manifest(model.config, tokenizer, args.out, args.name)
    write_reference(model, tokenizer, args.out)
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as handle:
        json.dump({"checkpoint": os.path.basename(checkpoint), "step": state["step"], "tokens": state["tokens"],
                   "parameters": model.parameter_counts(), "config": model.config.to_dict()}, handle, indent=2)
    dense_checkpoint = args.dense_checkpoint or os.path.join(args.work, "checkpoints", "dense", f"step{state['step']:06d}.pt")
    if os.path.exists(dense_checkpoint):
        dense, _ = load_model(dense_checkpoint)
        round_weights_to_float16(dense)
        export_dense_onnx(dense, os.path.join(args.out, "baseline-dense.onnx"))
    else:
        print(f"no dense snapshot at {dense_checkpoint}; baseline-dense.onnx not written", flush=True)
    size = os.path.getsize(os.path.join(args.out, "model.onnx"))
    print(f"exported step {state['step']} to {args.out}: model.onnx {size / 1e6:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
