"""Enumerate every slider setting of a widget and compute the per-axis tables the explorer reads.

All the work is vectorised over whole parameter grids: the 1-D maps of every (k, s, p, o, d)
tuple and input length n are computed at once on a 4-D array (tuple, n, input index, kernel
index), and the nearest valid setting of every invalid slider setting by a breadth-first search
with array shifts on the 7-D slider grid. See docs/data-format.md for the meaning of each field.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from generator.plugins.convtranspose.arithmetic import output_length, output_padding_fits

SLIDERS = ("height", "width", "kernel", "stride", "padding", "output_padding", "dilation")
AXIS_PARAMS = ("kernel", "stride", "padding", "output_padding", "dilation")  # one per-axis file each tuple

# Kinds of a conv-form X′ cell that is not an input (inputs are coded by their index a ≥ 0).
BORDER = -1
INSERTED_ZERO = -2

# Fixed small nonzero integers for the rank-1 sample input u vᵀ and kernel f gᵀ (cycled when a
# range is longer); chosen with mixed signs so that overlaps do not all look alike.
_U = (1, 2, -1, 3, -2, 1, 2, -1)
_V = (2, -1, 1, 1, 3, -2, 1, 2)
_F = (1, -1, 2, 1, -2)
_G = (2, 1, -1, 1, 1)

_CHUNK_ELEMENTS = 1 << 21  # bound on the 4-D work array, so large declared ranges stay in memory


@dataclass(frozen=True)
class Ranges:
    """Inclusive ``(min, max)`` of every slider, in ``SLIDERS`` order."""

    height: tuple[int, int] = (1, 8)
    width: tuple[int, int] = (1, 8)
    kernel: tuple[int, int] = (1, 5)
    stride: tuple[int, int] = (1, 4)
    padding: tuple[int, int] = (0, 4)
    output_padding: tuple[int, int] = (0, 3)
    dilation: tuple[int, int] = (1, 3)

    def values(self, name: str) -> np.ndarray:
        lo, hi = getattr(self, name)
        return np.arange(lo, hi + 1)

    @property
    def n_range(self) -> tuple[int, int]:
        """Input lengths every axis file covers: the union of the height and width ranges."""
        return min(self.height[0], self.width[0]), max(self.height[1], self.width[1])

    # Python integers (math.prod), not NumPy's: absurd ranges such as [1, 2**70] must give a
    # number to report, not an overflow.
    @property
    def combinations(self) -> int:
        return math.prod(getattr(self, s)[1] - getattr(self, s)[0] + 1 for s in SLIDERS)

    @property
    def axis_files(self) -> int:
        return math.prod(getattr(self, s)[1] - getattr(self, s)[0] + 1 for s in AXIS_PARAMS)

    def as_dict(self) -> dict[str, list[int]]:
        return {s: list(getattr(self, s)) for s in SLIDERS}

    def axis_tuples(self) -> Iterator[tuple[int, int, int, int, int]]:
        """Every (k, s, p, o, d) in lexicographic order (the order of the per-axis arrays)."""
        return itertools.product(*(self.values(name).tolist() for name in AXIS_PARAMS))


DEFAULT_RANGES = Ranges()


@dataclass(frozen=True)
class Cost:
    """What computing and checking the data of some ranges costs, worked out from the ranges
    alone (no array larger than tuples × input lengths is made).

    ``numbers``: integers in the published JSON (each becomes a Python int in a list, then a few
    bytes of text, so it measures both memory and encoding time). ``grid_steps``: cells of the
    7-D slider grid times the most breadth-first steps the nearest-valid search can take.
    ``output_cells`` and ``products``: output cells and input × kernel products of the largest
    setting, which the sampled check against the Python API lists one by one."""

    numbers: int
    grid_steps: int
    output_cells: int
    products: int


def estimate_cost(ranges: Ranges) -> Cost:
    """An upper bound of ``Cost`` for ``ranges`` (see ``_axis_chunk`` for the fields counted)."""
    tuples = np.array(list(ranges.axis_tuples()), dtype=np.int64).reshape(-1, 5)
    k, s, p, o, d = (tuples[:, c][:, None] for c in range(5))
    n0, n1 = ranges.n_range
    n = np.arange(n0, n1 + 1)[None, :]
    length = output_length(n, k, s, p, o, d)
    ok = (output_padding_fits(o, s, d)) & (length >= 1)
    length = np.where(ok, length, 0)
    zeros = (n - 1) * s + 1  # zero-inserted input length
    # Per (tuple, n): scatter/gather lists (4 of up to n·k), so, cnt, go, yr, yc, the conv
    # form (L + D) and the border cells (up to 2 zero-inserted lengths).
    per_n = np.where(ok, 4 * n * k + (n + 1) + 5 * length + 1 + (length + d * (k - 1)) + 2 * zeros, 0)
    heights, widths = ranges.values("height")[None, :], ranges.values("width")[None, :]
    rule_ok = (output_padding_fits(o, s, d))[:, 0]
    valid_h = (output_length(heights, k, s, p, o, d) >= 1).sum(axis=1)
    valid_w = (output_length(widths, k, s, p, o, d) >= 1).sum(axis=1)
    invalid = heights.size * widths.size - np.where(rule_ok, valid_h * valid_w, 0)
    numbers = int(per_n.sum()) + 9 * int(invalid.sum()) + 40 * len(tuples)
    sides = [getattr(ranges, name)[1] - getattr(ranges, name)[0] + 1 for name in SLIDERS]
    grid_steps = ranges.combinations * (sum(sides) - len(sides) + 1)
    h1, w1, k1 = ranges.height[1], ranges.width[1], ranges.kernel[1]
    biggest = int(length.max()) if length.size else 0
    return Cost(numbers, grid_steps, biggest * biggest, h1 * w1 * k1 * k1)


def sample_vectors(ranges: Ranges) -> dict[str, list[int]]:
    """The sample vectors ``u`` (rows of x), ``v`` (cols of x), ``f`` (rows of w), ``g`` (cols of w)."""
    def cycle(base: tuple[int, ...], n: int) -> list[int]:
        return [base[i % len(base)] for i in range(n)]

    n1 = ranges.n_range[1]  # rows and cols share the axis files, so both cover every n
    return {"u": cycle(_U, n1), "v": cycle(_V, n1),
            "f": cycle(_F, ranges.kernel[1]), "g": cycle(_G, ranges.kernel[1])}


# --- validity and the nearest valid setting on the 7-D grid ----------------------------------------

def _grid(ranges: Ranges) -> list[np.ndarray]:
    """Open (broadcastable) 7-D grids of the slider values, in ``SLIDERS`` order."""
    return np.ix_(*(ranges.values(s) for s in SLIDERS))


def valid_mask(ranges: Ranges) -> np.ndarray:
    """7-D boolean array (``SLIDERS`` order, index = value − min): does PyTorch accept the setting?"""
    h, w, k, s, p, o, d = _grid(ranges)
    ok = output_padding_fits(o, s, d)
    ok = ok & (output_length(h, k, s, p, o, d) >= 1) & (output_length(w, k, s, p, o, d) >= 1)
    return np.broadcast_to(ok, tuple(len(ranges.values(n)) for n in SLIDERS))


def nearest_valid(valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every cell of the 7-D grid: the L1 distance (slider steps) to the nearest valid cell and
    the row-major linear index of that cell; the smallest index wins ties (lexicographic in
    ``SLIDERS`` order). ``(-1, -1)`` everywhere when nothing is valid.

    Multi-source BFS: a cell at distance D takes the smallest source among its neighbours at D − 1.
    That is the smallest of all its nearest sources, because every shortest path's second cell is
    such a neighbour and each neighbour already holds the smallest of its own nearest sources."""
    big = np.iinfo(np.int64).max
    src = np.where(valid, np.arange(valid.size).reshape(valid.shape), big)
    dist = np.where(valid, 0, -1)
    step = 0
    while (dist < 0).any() and valid.any():
        step += 1
        frontier = np.where(dist == step - 1, src, big)
        best = np.full(valid.shape, big)
        for axis in range(valid.ndim):
            if valid.shape[axis] < 2:
                continue
            lo = [slice(None)] * valid.ndim
            hi = [slice(None)] * valid.ndim
            lo[axis], hi[axis] = slice(0, -1), slice(1, None)
            # Neighbour above and below along this axis.
            np.minimum(best[tuple(lo)], frontier[tuple(hi)], out=best[tuple(lo)])
            np.minimum(best[tuple(hi)], frontier[tuple(lo)], out=best[tuple(hi)])
        reached = (dist < 0) & (best < big)
        dist[reached] = step
        src[reached] = best[reached]
    src = np.where(dist < 0, -1, src)
    return dist, src


def axis_valid_mask(ranges: Ranges, length: str) -> np.ndarray:
    """6-D boolean array over (n, k, s, p, o, d), n from the ``length`` slider's range ("height" or
    "width"), index = value − min: does PyTorch accept this one axis? A per-axis 2-D setting is
    valid iff both of its axes are, so its nearest valid setting (L1 over the 12 sliders) is the
    nearest of each axis on its own."""
    n, k, s, p, o, d = np.ix_(*(ranges.values(name) for name in (length,) + AXIS_PARAMS))
    ok = (output_padding_fits(o, s, d)) & (output_length(n, k, s, p, o, d) >= 1)
    return np.broadcast_to(ok, tuple(len(ranges.values(name)) for name in (length,) + AXIS_PARAMS))


def axis_near_records(ranges: Ranges, length: str) -> list[list[int]]:
    """Per axis tuple (``axis_tuples`` order): flat 7-int records ``n, N, K, S, P, O, Dl``, one per
    input length ``n`` of the ``length`` range that this tuple rejects along one axis, giving the
    nearest accepted (length, k, s, p, o, d) of that axis alone (fewest steps, ties to the smallest
    tuple in that order); sorted by ``n``."""
    valid = np.ascontiguousarray(axis_valid_mask(ranges, length))
    _, nearest = nearest_valid(valid)
    lows = np.array([getattr(ranges, name)[0] for name in (length,) + AXIS_PARAMS])
    targets = np.stack(np.unravel_index(np.clip(nearest, 0, None), valid.shape), axis=-1) + lows
    ns = ranges.values(length)
    flat_valid = valid.reshape(valid.shape[0], -1)
    flat_targets = targets.reshape(valid.shape[0], -1, 6)
    records = []
    for t in range(flat_valid.shape[1]):
        (bad,) = np.nonzero(~flat_valid[:, t])
        rows = np.column_stack([ns[bad], flat_targets[bad, t]])
        records.append(rows.reshape(-1).astype(int).tolist())
    return records


# --- per-axis tables ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AxisTables:
    """Everything per (tuple, n), as flat Python lists plus CSR bounds.

    ``tuples[t]`` is (k, s, p, o, d); ``rule[t]`` is ``None`` or ``"output_padding"``; ``lengths``
    is ``L`` of shape (tuples, ns). For a per-(t, n) field ``f``, the entry of tuple ``t`` and
    input length ``n0 + j`` is ``f.values[f.bounds[t*ns + j] : f.bounds[t*ns + j + 1]]``.
    """

    ranges: Ranges
    tuples: list[tuple[int, int, int, int, int]]
    rule: list[str | None]
    lengths: np.ndarray
    fields: dict[str, "Ragged"]

    def entry(self, name: str, t: int, j: int) -> list[int]:
        f = self.fields[name]
        at = t * self.lengths.shape[1] + j
        return f.values[f.bounds[at]: f.bounds[at + 1]]


@dataclass(frozen=True)
class Ragged:
    values: list[int]
    bounds: list[int]


def _ragged(values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten ``values[mask]`` row-major and return it with CSR bounds over the leading two axes."""
    values, mask = np.broadcast_arrays(values, mask)
    per_row = mask.reshape(mask.shape[0] * mask.shape[1], -1).sum(axis=1)
    bounds = np.concatenate([[0], np.cumsum(per_row)])
    return values[mask], bounds


def _axis_chunk(tuples: np.ndarray, ns: np.ndarray, samples: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per-axis fields for a block of tuples (rows of ``tuples``: k, s, p, o, d) and all ``ns``."""
    k, s, p, o, d = (tuples[:, c][:, None, None, None] for c in range(5))
    n = ns[None, :, None, None]
    length = output_length(n, k, s, p, o, d)  # (T, N, 1, 1)
    ok = (output_padding_fits(o, s, d)) & (length >= 1)
    length = np.where(ok, length, 0)
    nmax, kmax = int(ns.max()), int(tuples[:, 0].max())
    a = np.arange(nmax)[None, None, :, None]
    ka = np.arange(kmax)[None, None, None, :]
    i = a * s - p + ka * d  # (T, N, A, KA)
    keep = (a < n) & (ka < k) & (i >= 0) & (i < length)
    T, N = len(tuples), len(ns)
    imax = max(int(length.max()), 1)
    seg = (np.arange(T)[:, None, None, None] * N + np.arange(N)[None, :, None, None])
    seg = np.broadcast_to(seg, keep.shape)
    i_b, a_b, ka_b = (np.broadcast_to(v, keep.shape) for v in (i, a, ka))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    # Scatter: row-major (t, n, a, ka) order is already "by a, then ka".
    out["si"] = _ragged(i_b, keep)
    out["sk"] = _ragged(ka_b, keep)
    per_input = keep.sum(axis=3)  # (T, N, A)
    so = np.concatenate([np.zeros((T, N, 1), int), np.cumsum(per_input, axis=2)], axis=2)
    alive = length[:, :, 0, :1] >= 1  # (T, N, 1): this n has an output
    out["so"] = _ragged(so, alive & (np.arange(nmax + 1)[None, None, :] <= ns[None, :, None]))

    # Gather: the same products ordered by (t, n, i, a).
    flat_seg, flat_i, flat_a, flat_ka = seg[keep], i_b[keep], a_b[keep], ka_b[keep]
    order = np.lexsort((flat_a, flat_i, flat_seg))
    bounds = np.concatenate([[0], np.cumsum(keep.reshape(T * N, -1).sum(axis=1))])
    out["ga"] = (flat_a[order], bounds)
    out["gk"] = (flat_ka[order], bounds)
    counts = np.bincount(flat_seg * imax + flat_i, minlength=T * N * imax).reshape(T, N, imax)
    outputs = np.arange(imax)[None, None, :] < length[:, :, 0, :1]
    out["cnt"] = _ragged(counts, outputs)
    go = np.concatenate([np.zeros((T, N, 1), int), np.cumsum(counts, axis=2)], axis=2)
    out["go"] = _ragged(go, alive & (np.arange(imax + 1)[None, None, :] <= length[:, :, 0, :1]))

    # Sample outputs: 1-D transposed convolutions of the sample vectors, exact in float64.
    for name, (xs, ws) in {"yr": ("u", "f"), "yc": ("v", "g")}.items():
        xv, wv = samples[xs], samples[ws]
        prod = xv[flat_a] * wv[flat_ka]
        y = np.bincount(flat_seg * imax + flat_i, weights=prod, minlength=T * N * imax)
        out[name] = _ragged(np.rint(y).astype(np.int64).reshape(T, N, imax), outputs)

    # Conv form along this axis: X′[r] = z[r − pl], z the zero-inserted input (zero outside z).
    dd = (d * (k - 1))[:, :, 0, 0]
    pl = (dd - p[:, :, 0, 0])[:, :, None]  # (T, 1, 1)
    ph = pl + o[:, :, 0, 0][:, :, None]
    s3 = s[:, :, 0, 0][:, :, None]
    lz = ((ns[None, :] - 1) * s[:, :, 0, 0] + 1)[:, :, None]  # (T, N, 1)
    xlen = np.where(alive, length[:, :, 0, :1] + dd[:, :, None], 0)  # (T, N, 1)
    rmax = max(int(xlen.max()), 1)
    r = np.arange(rmax)[None, None, :]
    zpos = r - pl
    inside = (zpos >= 0) & (zpos < lz)
    kind = np.where(inside, np.where(zpos % s3 == 0, zpos // s3, INSERTED_ZERO), BORDER)
    out["xk"] = _ragged(kind, r < xlen)
    zmax = max(int(lz.max()), 1)
    zz = np.arange(zmax)[None, None, :]
    zkind = np.where(zz % s3 == 0, zz // s3, INSERTED_ZERO)
    zkind = np.broadcast_to(zkind, (T, N, zmax))
    out["cl"] = _ragged(zkind, alive & (zz < lz) & (zz < -pl))
    out["ch"] = _ragged(zkind, alive & (zz < lz) & (zz >= lz + ph) & (zz >= -pl))
    out["L"] = (output_length(n, k, s, p, o, d)[:, :, 0, 0], None)
    out["_ok_tuple"] = ((output_padding_fits(o, s, d))[:, 0, 0, 0], None)
    return out


def axis_tables(ranges: Ranges) -> AxisTables:
    """The 1-D maps of every (k, s, p, o, d) in the ranges and every n in ``ranges.n_range``."""
    tuples = np.array(list(ranges.axis_tuples()), dtype=np.int64).reshape(-1, 5)
    n0, n1 = ranges.n_range
    ns = np.arange(n0, n1 + 1)
    samples = {key: np.array(vals, dtype=np.float64) for key, vals in sample_vectors(ranges).items()}
    # The largest work arrays of a tuple: (n, input index, kernel index) and (n, output or
    # conv-form index); the chunk bounds both.
    k, s, p, o, d = (tuples[:, c] for c in range(5))
    widest = int(np.max(output_length(n1, k, s, p, o, d) + d * (k - 1))) + 1
    per_tuple = max(1, len(ns) * max(n1 * int(k.max()), widest))
    step = max(1, _CHUNK_ELEMENTS // per_tuple)
    parts = [_axis_chunk(tuples[at: at + step], ns, samples) for at in range(0, len(tuples), step)]
    fields: dict[str, Ragged] = {}
    for name in parts[0]:
        if name in ("L", "_ok_tuple"):
            continue
        values = np.concatenate([pt[name][0] for pt in parts])
        bounds, base = [], 0
        for pt in parts:
            b = pt[name][1]
            bounds.append(b[:-1] + base)
            base += int(b[-1])
        bounds.append(np.array([base]))
        fields[name] = Ragged(values.tolist(), np.concatenate(bounds).tolist())
    lengths = np.concatenate([pt["L"][0] for pt in parts])
    ok = np.concatenate([pt["_ok_tuple"][0] for pt in parts])
    rule = [None if good else "output_padding" for good in ok.tolist()]
    return AxisTables(ranges, [tuple(t) for t in tuples.tolist()], rule, lengths, fields)
