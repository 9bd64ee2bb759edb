"""Exact single-channel transposed-convolution arithmetic, matching ``torch.nn.functional.conv_transpose2d``.

Conventions: shapes are ``(rows, cols)``; every index is 0-based; ``vec`` flattens row-major.
Each of stride / padding / output_padding / dilation is an int or a ``(rows, cols)`` pair.
Along one axis (input length ``n``, kernel length ``k``, stride ``s``, padding ``p``, output padding
``o``, dilation ``d``, ``D = d·(k − 1)``) input ``a`` times kernel tap ``ka`` lands on output
``i = a·s − p + ka·d`` and the output length is ``L = (n − 1)·s − 2p + D + o + 1``; only
``0 ≤ i < L`` is kept. Every 2-D result here is the outer composition of the two axes.

Invalid settings raise ``ValueError`` with PyTorch's wording for the first rule broken, in the
order PyTorch checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np

Pair = Union[int, Sequence[int]]

# Message templates in PyTorch's wording (torch 2.13). The front end fills the same templates,
# so they are also published in the manifest.
OUTPUT_PADDING_RULE = (
    "output padding must be smaller than either stride or dilation, but got "
    "output_padding_height: {oph} output_padding_width: {opw} stride_height: {sh} stride_width: {sw} "
    "dilation_height: {dh} dilation_width: {dw}"
)
OUTPUT_SIZE_RULE = (
    "Given input size per channel: ({h} x {w}). Calculated output size per channel: ({oh} x {ow}). "
    "Output size is too small"
)


@dataclass(frozen=True)
class Rule:
    """A broken rule: ``name`` is a stable key, ``message`` the human text with the values."""

    name: str
    message: str


@dataclass(frozen=True)
class Params:
    """Per-axis parameters, each a ``(rows, cols)`` pair of ints."""

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output_padding: tuple[int, int]
    dilation: tuple[int, int]

    def axis(self, axis: int) -> tuple[int, int, int, int, int, int]:
        """``(n, k, s, p, o, d)`` along ``axis`` (0 = rows, 1 = cols)."""
        return (self.input_shape[axis], self.kernel_shape[axis], self.stride[axis],
                self.padding[axis], self.output_padding[axis], self.dilation[axis])


def _pair(value: Pair, name: str) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be an int or a (rows, cols) pair of ints, not {value!r}") from None
    if len(items) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        raise ValueError(f"{name} must be an int or a (rows, cols) pair of ints, not {value!r}")
    return int(items[0]), int(items[1])


def params(input_shape: Pair, kernel_shape: Pair, stride: Pair = 1, padding: Pair = 0,
           output_padding: Pair = 0, dilation: Pair = 1) -> Params:
    """Normalise arguments to pairs (no rule checks)."""
    return Params(_pair(input_shape, "input_shape"), _pair(kernel_shape, "kernel_shape"), _pair(stride, "stride"),
                  _pair(padding, "padding"), _pair(output_padding, "output_padding"), _pair(dilation, "dilation"))


def output_length(n, k, s, p, o, d):
    """1-D output length ``(n − 1)·s − 2p + d·(k − 1) + o + 1`` without checks; works on arrays
    (broadcasting) and may be ≤ 0."""
    return (n - 1) * s - 2 * p + d * (k - 1) + o + 1


def output_padding_fits(o, s, d):
    """PyTorch's rule for output padding: ``o < max(s, d)`` (the extra cells must fall within
    one stride or one dilation step). The one definition of it; works on arrays (broadcasting)."""
    return o < np.maximum(s, d)


def broken_rule(prm: Params) -> Rule | None:
    """The first rule PyTorch would reject ``prm`` for, or ``None`` when it is accepted."""
    (h, w), (kh, kw) = prm.input_shape, prm.kernel_shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = prm.stride, prm.padding, prm.output_padding, prm.dilation
    if h < 1 or w < 1:
        return Rule("input_size", f"input size must be at least 1 x 1, but got input size: ({h} x {w})")
    if min(ph, pw) < 0:
        return Rule("padding", f"negative padding is not supported, but got padding_height: {ph} padding_width: {pw}")
    if min(oph, opw) < 0:
        return Rule("output_padding_negative", "negative output_padding is not supported, but got "
                    f"output_padding_height: {oph} output_padding_width: {opw}")
    if min(sh, sw) < 1:
        return Rule("stride", f"non-positive stride is not supported, but got stride_height: {sh} stride_width: {sw}")
    if min(kh, kw) < 1:
        return Rule("kernel", f"kernel size should be greater than zero, but got kernel_height: {kh} kernel_width: {kw}")
    if min(dh, dw) < 1:
        return Rule("dilation", f"dilation should be greater than zero, but got dilation_height: {dh}, dilation_width: {dw}")
    if not (output_padding_fits(oph, sh, dh) and output_padding_fits(opw, sw, dw)):
        return Rule("output_padding", OUTPUT_PADDING_RULE.format(oph=oph, opw=opw, sh=sh, sw=sw, dh=dh, dw=dw))
    oh = output_length(h, kh, sh, ph, oph, dh)
    ow = output_length(w, kw, sw, pw, opw, dw)
    if oh < 1 or ow < 1:
        return Rule("output_size", OUTPUT_SIZE_RULE.format(h=h, w=w, oh=oh, ow=ow))
    return None


def validate(input_shape: Pair, kernel_shape: Pair, stride: Pair = 1, padding: Pair = 0,
             output_padding: Pair = 0, dilation: Pair = 1) -> Params:
    """Normalised parameters, or ``ValueError`` naming the first broken rule with its values."""
    prm = params(input_shape, kernel_shape, stride, padding, output_padding, dilation)
    rule = broken_rule(prm)
    if rule is not None:
        raise ValueError(rule.message)
    return prm


def output_shape(input_shape: Pair, kernel_shape: Pair, stride: Pair = 1, padding: Pair = 0,
                 output_padding: Pair = 0, dilation: Pair = 1) -> tuple[int, int]:
    """``(H', W')`` of ``conv_transpose2d``; ``ValueError`` when PyTorch rejects the setting."""
    prm = validate(input_shape, kernel_shape, stride, padding, output_padding, dilation)
    return tuple(int(output_length(*prm.axis(ax))) for ax in (0, 1))  # type: ignore[return-value]


def _as_2d(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows, cols), but got shape {arr.shape}")
    return arr


def conv_transpose2d(x, w, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0,
                     dilation: Pair = 1) -> np.ndarray:
    """Direct (scatter) form: every ``x[a, b]·w[ka, kb]`` is added to ``y[a·sh − ph + ka·dh,
    b·sw − pw + kb·dw]``. One vectorised slice-add per kernel tap; dtype follows NumPy promotion."""
    x, w = _as_2d(x, "x"), _as_2d(w, "w")
    prm = validate(x.shape, w.shape, stride, padding, output_padding, dilation)
    (h, wd), (kh, kw) = prm.input_shape, prm.kernel_shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = prm.stride, prm.padding, prm.output_padding, prm.dilation
    oh, ow = output_shape(x.shape, w.shape, stride, padding, output_padding, dilation)
    # Uncropped canvas: full scatter extent plus room for output padding; then crop ``padding``.
    canvas = np.zeros(((h - 1) * sh + dh * (kh - 1) + 1 + oph, (wd - 1) * sw + dw * (kw - 1) + 1 + opw),
                      dtype=np.result_type(x, w))
    for ka in range(kh):
        for kb in range(kw):
            canvas[ka * dh: ka * dh + (h - 1) * sh + 1: sh, kb * dw: kb * dw + (wd - 1) * sw + 1: sw] += w[ka, kb] * x
    return canvas[ph: ph + oh, pw: pw + ow]


def gather_1d(n: int, k: int, s: int, p: int, o: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-D gather map in CSR form: ``(offsets[L+1], a, ka)``; output ``i`` receives
    ``x[a[t]]·w[ka[t]]`` for ``offsets[i] ≤ t < offsets[i+1]``, ordered by ``i`` then ``a``.
    No rule checks; an output length ≤ 0 gives an empty map."""
    length = max(int(output_length(n, k, s, p, o, d)), 0)
    a, ka = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
    a, ka = a.ravel(), ka.ravel()
    i = a * s - p + ka * d
    keep = (i >= 0) & (i < length)
    a, ka, i = a[keep], ka[keep], i[keep]
    order = np.lexsort((a, i))
    a, ka, i = a[order], ka[order], i[order]
    offsets = np.searchsorted(i, np.arange(length + 1))
    return offsets, a, ka


def scatter_1d(n: int, k: int, s: int, p: int, o: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1-D scatter map in CSR form: ``(offsets[n+1], i, ka)``; input ``a`` lands on outputs
    ``i[t]`` through tap ``ka[t]`` for ``offsets[a] ≤ t < offsets[a+1]``, ordered by ``a`` then
    ``ka``; targets outside ``0 ≤ i < L`` (cropped by padding) are left out."""
    length = max(int(output_length(n, k, s, p, o, d)), 0)
    a, ka = np.meshgrid(np.arange(n), np.arange(k), indexing="ij")
    a, ka = a.ravel(), ka.ravel()  # already ordered by a, then ka
    i = a * s - p + ka * d
    keep = (i >= 0) & (i < length)
    a, ka, i = a[keep], ka[keep], i[keep]
    offsets = np.searchsorted(a, np.arange(n + 1))
    return offsets, i, ka


def contributions(input_shape: Pair, kernel_shape: Pair, stride: Pair = 1, padding: Pair = 0,
                  output_padding: Pair = 0, dilation: Pair = 1) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
    """For EVERY output cell ``(i, j)`` the ``(a, b, ka, kb)`` whose products ``x[a, b]·w[ka, kb]``
    sum to ``y[i, j]`` (original kernel indices), sorted; cells fed by nothing map to ``[]``."""
    prm = validate(input_shape, kernel_shape, stride, padding, output_padding, dilation)
    rows = _gather_lists(*prm.axis(0))
    cols = _gather_lists(*prm.axis(1))
    return {(i, j): [(a, b, ka, kb) for a, ka in rg for b, kb in cg]
            for i, rg in enumerate(rows) for j, cg in enumerate(cols)}


def _gather_lists(n, k, s, p, o, d) -> list[list[tuple[int, int]]]:
    offsets, a, ka = gather_1d(n, k, s, p, o, d)
    pairs = list(zip(a.tolist(), ka.tolist()))
    bounds = offsets.tolist()
    return [pairs[bounds[i]: bounds[i + 1]] for i in range(len(bounds) - 1)]


# --- the conv form: zero insertion, border padding, flipped kernel --------------------------------

def insert_zeros(x, stride: Pair) -> np.ndarray:
    """``x`` with ``s − 1`` zeros between neighbours along each axis: shape ``((H−1)·sh + 1,
    (W−1)·sw + 1)``, ``x[a, b]`` at ``[a·sh, b·sw]``."""
    x = _as_2d(x, "x")
    sh, sw = _pair(stride, "stride")
    if min(sh, sw) < 1:
        raise ValueError(f"non-positive stride is not supported, but got stride_height: {sh} stride_width: {sw}")
    z = np.zeros(((x.shape[0] - 1) * sh + 1, (x.shape[1] - 1) * sw + 1), dtype=x.dtype)
    z[::sh, ::sw] = x
    return z


def border_padding(kernel_shape: Pair, padding: Pair = 0, output_padding: Pair = 0,
                   dilation: Pair = 1) -> tuple[tuple[int, int], tuple[int, int]]:
    """Conv-form border padding ``((top, bottom), (left, right))``: ``p′ = d·(k−1) − p`` before and
    ``d·(k−1) − p + o`` after, per axis. Negative means that many cells are cropped instead."""
    k, p, o, d = (_pair(v, n) for v, n in ((kernel_shape, "kernel_shape"), (padding, "padding"),
                                           (output_padding, "output_padding"), (dilation, "dilation")))
    return tuple((d[ax] * (k[ax] - 1) - p[ax], d[ax] * (k[ax] - 1) - p[ax] + o[ax]) for ax in (0, 1))  # type: ignore[return-value]


def pad_or_crop(z, amounts: tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    """``z`` padded with zeros by the given ``((top, bottom), (left, right))``; negative amounts crop.
    Equivalently the window ``[−top, rows + bottom) × [−left, cols + right)`` of ``z`` extended by zeros."""
    z = _as_2d(z, "z")
    (t, b), (l, r) = amounts
    rows, cols = z.shape[0] + t + b, z.shape[1] + l + r
    out = np.zeros((max(rows, 0), max(cols, 0)), dtype=z.dtype)
    # Intersect the window with z, in both coordinate systems.
    r0, r1 = max(0, -t), min(z.shape[0], rows - t)
    c0, c1 = max(0, -l), min(z.shape[1], cols - l)
    if r1 > r0 and c1 > c0:
        out[r0 + t: r1 + t, c0 + l: c1 + l] = z[r0:r1, c0:c1]
    return out


def flip_kernel(w) -> np.ndarray:
    """The kernel rotated by 180°: ``w[k−1−ka, k−1−kb]``."""
    return _as_2d(w, "w")[::-1, ::-1].copy()


def dilate_kernel(w, dilation: Pair) -> np.ndarray:
    """The kernel with ``d − 1`` zeros between taps: shape ``(d·(k−1) + 1)`` per axis."""
    return insert_zeros(w, _pair(dilation, "dilation"))


def expanded_input(x, kernel_shape: Pair, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0,
                   dilation: Pair = 1) -> np.ndarray:
    """X′ of the conv form: zeros inserted, then bordered (or cropped) by ``border_padding``."""
    x = _as_2d(x, "x")
    validate(x.shape, kernel_shape, stride, padding, output_padding, dilation)
    return pad_or_crop(insert_zeros(x, stride), border_padding(kernel_shape, padding, output_padding, dilation))


def conv2d(x, w, stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """PyTorch's conv2d for one channel (a cross-correlation, no flip): ``y[i, j] = Σ x_pad[i·sh +
    ka·dh, j·sw + kb·dw]·w[ka, kb]`` with ``x`` zero-padded by ``padding`` on every side.
    Output ``⌊(H + 2p − d·(k−1) − 1)/s⌋ + 1`` per axis."""
    x, w = _as_2d(x, "x"), _as_2d(w, "w")
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride, "stride"), _pair(padding, "padding"), _pair(dilation, "dilation")
    if min(sh, sw) < 1 or min(ph, pw) < 0 or min(dh, dw) < 1 or min(w.shape) < 1:
        raise ValueError("conv2d needs stride ≥ 1, padding ≥ 0, dilation ≥ 1 and a non-empty kernel")
    kh, kw = w.shape
    oh = (x.shape[0] + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (x.shape[1] + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"conv2d output would be {oh} x {ow}: the padded input is smaller than the dilated kernel")
    xp = np.pad(x, ((ph, ph), (pw, pw)))
    out = np.zeros((oh, ow), dtype=np.result_type(x, w))
    for ka in range(kh):
        for kb in range(kw):
            out += w[ka, kb] * xp[ka * dh: ka * dh + (oh - 1) * sh + 1: sh, kb * dw: kb * dw + (ow - 1) * sw + 1: sw]
    return out


def conv_form(x, w, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """The transposed convolution computed as an ordinary stride-1 convolution of X′ with the
    flipped kernel (same dilation). Equal to :func:`conv_transpose2d`."""
    w = _as_2d(w, "w")
    xe = expanded_input(x, w.shape, stride, padding, output_padding, dilation)
    return conv2d(xe, flip_kernel(w), 1, 0, dilation)


# --- matrix forms -----------------------------------------------------------------------------

def _tap_table(n_in: int, n_out: int, k: int, s: int, p: int, d: int) -> np.ndarray:
    """``T[i, a]`` = kernel tap ``ka`` linking input ``a`` to output ``i`` (``i = a·s − p + ka·d``),
    or −1 when none does."""
    i = np.arange(n_out)[:, None]
    a = np.arange(n_in)[None, :]
    num = i + p - a * s
    ka = np.where(num % d == 0, num // d, -1)
    return np.where((ka >= 0) & (ka < k), ka, -1)


def _kron_taps(w: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Matrix with entry ``[(i, j), (a, b)] = w[rows[i, a], cols[j, b]]`` (0 where either tap is −1)."""
    r = rows[:, None, :, None]
    c = cols[None, :, None, :]
    vals = w[np.maximum(r, 0), np.maximum(c, 0)] * ((r >= 0) & (c >= 0))
    n_i, n_a = rows.shape
    n_j, n_b = cols.shape
    return vals.reshape(n_i * n_j, n_a * n_b)


def conv_matrix(input_shape: Pair, w, stride: Pair = 1, padding: Pair = 0, dilation: Pair = 1) -> np.ndarray:
    """C with ``vec(conv2d(X, w)) = C @ vec(X)`` for ``X`` of ``input_shape`` (row-major vec)."""
    w = _as_2d(w, "w")
    (h, wd), (sh, sw), (ph, pw), (dh, dw) = (_pair(input_shape, "input_shape"), _pair(stride, "stride"),
                                             _pair(padding, "padding"), _pair(dilation, "dilation"))
    probe = conv2d(np.zeros((h, wd)), np.zeros(w.shape), stride, padding, dilation)  # shape (and checks)
    oh, ow = probe.shape
    # conv2d output i reads padded input i·s + ka·d, i.e. input a = i·s + ka·d − p: the same
    # relation as the transposed map with input and output swapped.
    rows = _tap_table(oh, h, w.shape[0], sh, ph, dh).T
    cols = _tap_table(ow, wd, w.shape[1], sw, pw, dw).T
    return _kron_taps(w, rows, cols)


def conv_transpose_matrix(input_shape: Pair, w, stride: Pair = 1, padding: Pair = 0, output_padding: Pair = 0,
                          dilation: Pair = 1) -> np.ndarray:
    """M with ``vec(conv_transpose2d(X, w)) = M @ vec(X)``, shape ``(H'·W', H·W)``.

    M is the transpose of ``conv_matrix(output_shape, w, stride, padding, dilation)`` restricted to
    the conv outputs ``(a, b)`` with ``a < H, b < W`` (all of them unless ``output_padding ≥ stride``,
    which dilation allows and which makes conv2d of the output larger than the input)."""
    w = _as_2d(w, "w")
    prm = validate(input_shape, w.shape, stride, padding, output_padding, dilation)
    oh, ow = output_shape(input_shape, w.shape, stride, padding, output_padding, dilation)
    (h, wd), (sh, sw), (ph, pw), (dh, dw) = prm.input_shape, prm.stride, prm.padding, prm.dilation
    rows = _tap_table(h, oh, w.shape[0], sh, ph, dh)
    cols = _tap_table(wd, ow, w.shape[1], sw, pw, dw)
    return _kron_taps(w, rows, cols)
