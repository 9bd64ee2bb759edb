"""PyTorch as the reference for the conv1d plugin: what Conv1d computes, read off torch itself
(shapes, refusals, autograd), never off the plugin's code."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def torch_length(n: int, k: int, s: int, p: int, d: int) -> int | None:
    """Conv1d's output length as PyTorch computes it, or None when it refuses the setting."""
    try:
        y = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
    except RuntimeError:
        return None
    return y.shape[-1]


def torch_field(n: int, k: int, s: int, p: int, d: int) -> list[list[tuple[int, int]]]:
    """Per output i, the (input position j, tap t) pairs that form it, read off autograd: the
    Jacobian of y with respect to the *padded* input, with weight t + 1 at tap t, is t + 1 where
    tap t meets padded cell q = j + p (so padding cells show up too)."""
    weight = torch.arange(1, k + 1, dtype=torch.float64).reshape(1, 1, k)

    def forward(padded):
        return F.conv1d(padded.reshape(1, 1, -1), weight, stride=s, dilation=d).reshape(-1)

    jac = torch.autograd.functional.jacobian(forward, torch.zeros(n + 2 * p, dtype=torch.float64))
    return [[(int(q) - p, int(jac[i, q]) - 1) for q in torch.nonzero(jac[i]).reshape(-1)]
            for i in range(jac.shape[0])]
