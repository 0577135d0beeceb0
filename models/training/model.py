"""The domain-expert Mixture-of-Experts language model, and its dense baseline.

A pre-norm decoder-only transformer with rotary positions and tied embeddings. In the MoE
variant every feed-forward block is one always-on shared expert plus routed experts grouped
by domain, so experts 2d and 2d+1 belong to domain d. A router selects top-k experts per
token, and only the selected experts run. The dense variant replaces the block with one feed-forward
network as wide as the shared expert plus top-k routed experts, so both variants compute the
same number of parameters per token.
"""

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

DISABLED_BIAS = -1e9


@dataclass
class ModelConfig:
    arch: str = "moe"
    vocab_size: int = 8192
    model_dim: int = 256
    layers: int = 4
    heads: int = 4
    context: int = 256
    rope_table: int = 2048
    domains: int = 4
    experts_per_domain: int = 2
    expert_hidden: int = 512
    shared_hidden: int = 512
    top_k: int = 2

    @property
    def experts(self):
        return self.domains * self.experts_per_domain

    @property
    def dense_hidden(self):
        return self.shared_hidden + self.top_k * self.expert_hidden

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotary_tables(head_dim, length):
    inverse_frequency = 1.0 / (10000 ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angles = torch.outer(torch.arange(length).float(), inverse_frequency)
    return torch.cos(angles), torch.sin(angles)


def apply_rotary(x, cos, sin):
    # x: [B, H, T, D]; cos and sin: [T, D/2]
    first, second = x[..., 0::2], x[..., 1::2]
    rotated_first = first * cos - second * sin
    rotated_second = first * sin + second * cos
    return torch.stack((rotated_first, rotated_second), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.heads = config.heads
        self.head_dim = config.model_dim // config.heads
        self.qkv = nn.Linear(config.model_dim, 3 * config.model_dim, bias=False)
        self.out = nn.Linear(config.model_dim, config.model_dim, bias=False)

    def forward(self, x, cos, sin, past):
        batch, length, dim = x.shape
        q, k, v = self.qkv(x).split(dim, dim=-1)
        q = q.view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        v = v.view(batch, length, self.heads, self.head_dim).transpose(1, 2)
        q = apply_rotary(q, cos, sin)
        k = apply_rotary(k, cos, sin)

        if past is None and hasattr(F, "scaled_dot_product_attention") and not torch.onnx.is_in_onnx_export():
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            present = torch.stack((k, v))
        else:
            if past is not None:
                k = torch.cat((past[0], k), dim=2)
                v = torch.cat((past[1], v), dim=2)
            present = torch.stack((k, v))
            total = k.shape[2]
            query_positions = torch.arange(length, device=x.device) + (total - length)
            key_positions = torch.arange(total, device=x.device)
            allowed = key_positions.unsqueeze(0) <= query_positions.unsqueeze(1)
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            scores = scores.masked_fill(~allowed, float("-inf"))
            y = torch.softmax(scores, dim=-1) @ v

        y = y.transpose(1, 2).reshape(batch, length, dim)
        return self.out(y), present


class FeedForward(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.up = nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


class MoEBlock(nn.Module):
    """Shared expert plus routed experts; only the selected routed experts run."""

    def __init__(self, config):
        super().__init__()
        self.router = nn.Linear(config.model_dim, config.experts, bias=False)
        self.experts = nn.ModuleList(FeedForward(config.model_dim, config.expert_hidden) for _ in range(config.experts))
        self.shared = FeedForward(config.model_dim, config.shared_hidden)

    def select(self, logits, bias, top_k, top_p):
        """Choose experts on biased scores, and weight them by the softmax of their raw logits.

        Experts join in order of biased score while fewer than top_k are chosen and the
        probability mass before them is below top_p. The best expert always joins unless disabled.
        """
        experts = logits.shape[-1]
        scores = logits + bias
        sorted_scores, order = torch.sort(scores, dim=-1, descending=True)
        sorted_probs = torch.softmax(sorted_scores, dim=-1)
        mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        rank = torch.arange(experts, device=logits.device)
        keep = (rank < top_k) & ((rank == 0) | (mass_before < top_p)) & (sorted_scores > DISABLED_BIAS / 2)
        mask = torch.zeros_like(logits).scatter(-1, order, keep.to(logits.dtype))
        weights = torch.softmax(logits.masked_fill(mask == 0, DISABLED_BIAS), dim=-1) * mask
        return mask, weights

    def forward(self, x, bias, top_k, top_p):
        # x: [N, dim]; bias: [E]
        logits = self.router(x)
        mask, weights = self.select(logits, bias, top_k, top_p)
        y = self.shared(x)
        for index, expert in enumerate(self.experts):
            rows = torch.nonzero(mask[:, index] > 0).squeeze(-1)
            expert_out = expert(x.index_select(0, rows)) * weights.index_select(0, rows)[:, index:index + 1]
            if torch.onnx.is_in_onnx_export():
                y = y.index_put((rows,), expert_out, accumulate=True)
            else:
                y = y.index_add(0, rows, expert_out)
        return y, logits, weights


class DenseBlock(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ffn = FeedForward(config.model_dim, config.dense_hidden)

    def forward(self, x, bias, top_k, top_p):
        return self.ffn(x), None, None


class Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.attention_norm = RMSNorm(config.model_dim)
        self.attention = Attention(config)
        self.ffn_norm = RMSNorm(config.model_dim)
        self.ffn = MoEBlock(config) if config.arch == "moe" else DenseBlock(config)

    def forward(self, x, cos, sin, past, bias, top_k, top_p):
        attended, present = self.attention(self.attention_norm(x), cos, sin, past)
        x = x + attended
        batch, length, dim = x.shape
        ffn_out, router_logits, weights = self.ffn(self.ffn_norm(x).reshape(-1, dim), bias, top_k, top_p)
        return x + ffn_out.view(batch, length, dim), present, router_logits, weights


class LanguageModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.model_dim)
        self.layers = nn.ModuleList(Layer(config) for _ in range(config.layers))
        self.final_norm = RMSNorm(config.model_dim)
        cos, sin = rotary_tables(config.model_dim // config.heads, config.rope_table)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self.initialise)

    @staticmethod
    def initialise(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)

    def forward(self, input_ids, past=None, routing_bias=None, top_k=None, top_p=None):
        """Return logits [B, T, V], the present cache [L, 2, B, H, P+T, D], and per layer the
        router logits and expert weights [L, B*T, E] (None for the dense variant)."""
        config = self.config
        top_k = config.top_k if top_k is None else top_k
        top_p = 1.0 if top_p is None else top_p
        if routing_bias is None:
            routing_bias = torch.zeros(config.layers, config.experts, device=input_ids.device)

        past_length = 0 if past is None else past.shape[4]
        length = input_ids.shape[1]
        positions = torch.arange(length, device=input_ids.device) + past_length
        cos, sin = self.rope_cos[positions], self.rope_sin[positions]

        x = self.embedding(input_ids)
        presents, router_logits, expert_weights = [], [], []
        for index, layer in enumerate(self.layers):
            layer_past = None if past is None else past[index]
            x, present, logits, weights = layer(x, cos, sin, layer_past, routing_bias[index], top_k, top_p)
            presents.append(present)
            router_logits.append(logits)
            expert_weights.append(weights)

        logits = self.final_norm(x) @ self.embedding.weight.t()
        if config.arch != "moe":
            return logits, torch.stack(presents), None, None
        return logits, torch.stack(presents), torch.stack(router_logits), torch.stack(expert_weights)

    def parameter_counts(self):
        config = self.config
        total = sum(p.numel() for p in self.parameters())
        if config.arch != "moe":
            return {"total": total, "activePerToken": total}
        expert_parameters = sum(p.numel() for p in self.layers[0].ffn.experts[0].parameters())
        inactive = config.layers * (config.experts - config.top_k) * expert_parameters
        return {"total": total, "activePerToken": total - inactive}
