"""PyTorch as the reference: values, accepted/rejected settings and contribution maps."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a shared 2-core machine


def torch_conv_transpose2d(x, w, stride=1, padding=0, output_padding=0, dilation=1):
    """``(y, None)`` or ``(None, first line of torch's error message)``; float64 so integers stay exact."""
    xt = torch.as_tensor(np.asarray(x, dtype=np.float64))[None, None]
    wt = torch.as_tensor(np.asarray(w, dtype=np.float64))[None, None]
    try:
        y = F.conv_transpose2d(xt, wt, stride=stride, padding=padding, output_padding=output_padding,
                               dilation=dilation)
    except RuntimeError as exc:
        return None, str(exc).splitlines()[0]
    return y[0, 0].numpy(), None


def torch_contributions(input_shape, kernel_shape, stride=1, padding=0, output_padding=0, dilation=1):
    """``{(i, j): sorted [(a, b, ka, kb)]}`` found by running torch on every one-hot input (as the
    batch) against every one-hot kernel (as output channels): product ``(a, b, ka, kb)`` feeds
    exactly the cells where that batch/channel pair is nonzero."""
    h, w = input_shape
    kh, kw = kernel_shape
    xs = torch.eye(h * w, dtype=torch.float64).reshape(h * w, 1, h, w)
    ws = torch.eye(kh * kw, dtype=torch.float64).reshape(1, kh * kw, kh, kw)
    y = F.conv_transpose2d(xs, ws, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    out: dict = {(i, j): [] for i in range(y.shape[2]) for j in range(y.shape[3])}
    for src, tap, i, j in torch.nonzero(y).tolist():
        out[(i, j)].append((src // w, src % w, tap // kw, tap % kw))
    for cell in out.values():
        cell.sort()
    return out
