"""Every sentence the Overlap and Matrix notes print is checked against the arithmetic, for every
valid setting of the default ranges: the counts come from a transposed convolution of ones, the
interior from the conv form's X′ (border cells are the zeros pad_or_crop adds), the rule from a
long input, and the matrix claims from W̃ᵀ itself. A sentence no checker recognises fails."""

from __future__ import annotations

import re
from functools import lru_cache
from math import gcd

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from generator.plugins.convtranspose import (
    border_padding, conv_transpose2d, conv_transpose_matrix, gather_1d, insert_zeros, output_shape, pad_or_crop,
    scatter_1d,
)
from generator.plugins.convtranspose.notes import even_interior, interior, matrix_note, overlap_note
from generator.plugins.convtranspose.precompute import DEFAULT_RANGES, SLIDERS, valid_mask


def valid_settings():
    mask = valid_mask(DEFAULT_RANGES)
    lows = [getattr(DEFAULT_RANGES, name)[0] for name in SLIDERS]
    return [tuple(int(v + low) for v, low in zip(index, lows)) for index in np.argwhere(mask)]


def note_inputs(h, w, k, s, p, o, d):
    rows, cols = (h, k, s, p, o, d), (w, k, s, p, o, d)
    counts = [np.diff(gather_1d(*ax)[0]).tolist() for ax in (rows, cols)]
    reach = [np.diff(scatter_1d(*ax)[0]).tolist() for ax in (rows, cols)]
    return rows, cols, counts, reach


def products(h, w, k, s, p, o, d) -> np.ndarray:
    """Products landing on each output cell: the transposed convolution of ones with ones.
    ``k`` may be an int or a (rows, cols) pair, like the other parameters."""
    kernel = (k, k) if isinstance(k, int) else k
    return conv_transpose2d(np.ones((h, w), dtype=np.int64), np.ones(kernel, dtype=np.int64), s, p, o, d)


def interior_mask(h, w, k, s, p, o, d) -> np.ndarray:
    """Cells whose (d(k−1)+1)-sided window of X′ holds no border cell. X′ is built as the conv
    form builds it, with inputs 2 and inserted zeros 1, so the border (pad_or_crop's zeros) is 0."""
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    (kh, kw), (dh, dw) = pair(k), pair(d)
    marked = insert_zeros(np.ones((h, w), dtype=np.int64), s) + 1
    xe = pad_or_crop(marked, border_padding(k, p, o, d))
    return sliding_window_view(xe, (dh * (kh - 1) + 1, dw * (kw - 1) + 1)).min(axis=(2, 3)) > 0


def axis_1d(n, k, s, p, o, d):
    """(counts, interior mask) of one axis alone: a column of n inputs and a k×1 kernel."""
    args = (n, 1, (k, 1), (s, 1), (p, 0), (o, 0), (d, 1))
    return products(*args)[:, 0], interior_mask(*args)[:, 0]


@lru_cache(maxsize=None)
def long_axis(k, s, p, d):
    """Counts of the interior indices of an axis long enough to hold many periods, by index."""
    counts, mask = axis_1d(4 * (d * (k - 1) + s + p) + 2, k, s, p, 0, d)
    return {i: int(c) for i, (c, inside) in enumerate(zip(counts, mask)) if inside}


def pairs(rows, cols):
    """(h, w, (kh, kw), (sh, sw), (ph, pw), (oh, ow), (dh, dw)) from the two axes (n, k, s, p, o, d)."""
    return (rows[0], cols[0], *zip(rows[1:], cols[1:]))


def check_overlap(rows, cols, note: str) -> None:
    """Every sentence of an Overlap note against the arithmetic; ``rows`` / ``cols`` are the two
    axes (n, k, s, p, o, d), which may differ in every parameter as PyTorch's tuples do."""
    setting = pairs(rows, cols)
    h, w = rows[0], cols[0]
    counts = products(*setting)
    mask = interior_mask(*setting)
    assert counts.shape == mask.shape
    checked = 0
    lines = {"Rows": [(rows, counts)], "Columns": [(cols, counts.T)],
             "Rows and columns": [(rows, counts), (cols, counts.T)]}

    def spread(values):
        return (int(values.min()), int(values.max())) if values.size else None

    def amount(text):
        one = re.fullmatch(r"(\d+) products? each", text)
        if one:
            return int(one[1]), int(one[1])
        low, high = re.fullmatch(r"(\d+) to (\d+) products", text).groups()
        assert int(low) < int(high)
        return int(low), int(high)

    def rule(ax):
        _, k, s, p, _, d = ax
        return long_axis(k, s, p, d)

    for sentence in re.split(r"(?<=[.:]) (?=[A-Z])", note):
        if m := re.fullmatch(r"(\d+) of the (\d+) cells are interior \(their window on the As a convolution tab is "
                             r"clear of the border\); they receive (.+)\.", sentence):
            assert int(m[1]) == mask.sum() > 0 and int(m[2]) == counts.size
            assert amount(m[3]) == spread(counts[mask])
        elif m := re.fullmatch(r"No cell is interior \(its window on the As a convolution tab clear of the border\): "
                               r"(.+)\.", sentence):
            assert mask.sum() == 0
            for reason in m[1].split(" and "):
                n, k, s, p, o, d = rows if "rows" in reason else cols
                if r := re.fullmatch(r"along the (?:rows|columns) the zero-inserted input \((\d+) cells\) is shorter "
                                     r"than the dilated kernel \((\d+) cells\)", reason):
                    assert int(r[1]) == insert_zeros(np.ones((n, 1)), s).shape[0] < int(r[2]) == d * (k - 1) + 1
                else:
                    assert re.fullmatch(rf"along the (?:rows|columns) padding {p} crops every interior index", reason)
                    assert interior_mask(n, n, k, s, 0, o, d).any()  # without the padding there is an interior
        elif sentence == ("Along both axes s divides k and gcd(s, d) = 1, so away from the border every cell "
                          "receives the same count: no checkerboard."):
            assert len(set(rule(rows).values())) == 1 and len(set(rule(cols).values())) == 1
            assert mask.sum() == 0 or len(set(counts[mask].tolist())) == 1
        elif sentence == "Away from the border the counts are uneven, a checkerboard:":
            assert len(set(rule(rows).values())) > 1 or len(set(rule(cols).values())) > 1
        elif m := re.fullmatch(r"(Rows|Columns|Rows and columns) i with i \+ p not a multiple of gcd\(s, d\) = (\d+) receive no product "
                               r"at all, border or not\.", sentence):
            g = int(m[2])
            for ax, line in lines[m[1]]:
                _, k, s, p, _, d = ax
                assert g == gcd(s, d) > 1
                assert not line[[(i + p) % g != 0 for i in range(line.shape[0])]].any()
                assert all(c == 0 for i, c in rule(ax).items() if (i + p) % g)
        elif m := re.fullmatch(r"(Rows|Columns|Rows and columns): k = (\d+) is not a multiple of s = (\d+), so interior "
                               r"(rows|columns|rows and columns) "
                               r"receive (\d+) or (\d+) products depending on \(i \+ p\) mod (\d+)\.", sentence):
            for ax, _ in lines[m[1]]:
                _, k, s, p, _, d = ax
                assert (int(m[2]), int(m[3]), int(m[7])) == (k, s, s) and k % s
                by_phase: dict[int, set[int]] = {}
                for i, c in rule(ax).items():
                    by_phase.setdefault((i + p) % s, set()).add(c)
                assert all(len(v) == 1 for v in by_phase.values())  # a function of the phase
                assert set().union(*by_phase.values()) == {int(m[5]), int(m[6])}
        elif sentence == "The interior here is too small to show it; enlarge the input.":
            assert mask.any() and len(set(counts[mask].tolist())) == 1
            big = max(h, w) + max(ax[5] * (ax[1] - 1) + ax[3] + 2 * ax[2] for ax in (rows, cols))
            bigger = pairs((big, *rows[1:]), (big, *cols[1:]))
            assert len(set(products(*bigger)[interior_mask(*bigger)].tolist())) > 1
        elif m := re.fullmatch(r"The (\d+) border cells receive (.+)\.", sentence):
            assert int(m[1]) == (~mask).sum() > 0
            assert amount(m[2]) == spread(counts[~mask])
        else:
            raise AssertionError(f"no check for the sentence {sentence!r} of {rows}, {cols}")
        checked += 1
    assert checked >= 2
    # Each sentence the note can carry appears when its condition holds, not only holds when it appears.
    even = all(even_interior(ax[1], ax[2], ax[5]) for ax in (rows, cols))
    assert ("no checkerboard" in note) == even
    assert ("border cells" in note) == bool((~mask).any())


def check_matrix(rows, cols, note: str) -> None:
    h, w, k, s, p, o, d = pairs(rows, cols)
    taps = k[0] * k[1]
    kernel = np.arange(1, taps + 1, dtype=np.int64).reshape(k)  # no zero weight
    per_column = (conv_transpose_matrix((h, w), kernel, s, p, o, d) != 0).sum(axis=0)
    full = int((per_column == taps).sum())
    if m := re.fullmatch(r"Every column holds all (\d+) kernel weights, a full copy of the kernel; empty cells are "
                         r"zeros\.", note):
        assert int(m[1]) == taps and full == h * w
        return
    m = re.fullmatch(r"(\d+) of the (\d+) columns hold all (\d+) kernel weights; padding crops taps from the others "
                     r"\(column (\d+), input x\[(\d+),(\d+)\], holds (\d+) of (\d+)\)\. Empty cells are zeros\.", note)
    assert m, note
    assert (int(m[1]), int(m[2]), int(m[3]), int(m[8])) == (full, h * w, taps, taps) and full < h * w
    assert max(p) > 0  # only padding removes taps
    column, a, b, held = int(m[4]), int(m[5]), int(m[6]), int(m[7])
    assert column == a * w + b and per_column[column] == held == per_column.min()


def axis_inputs(rows, cols):
    """Counts per output index and reach per input index of each axis (n, k, s, p, o, d)."""
    counts = [np.diff(gather_1d(*ax)[0]).tolist() for ax in (rows, cols)]
    reach = [np.diff(scatter_1d(*ax)[0]).tolist() for ax in (rows, cols)]
    return counts, reach


def per_axis_settings(count: int, seed: int):
    """Random valid (rows, cols) of the default ranges whose axes differ in at least one parameter."""
    rng = np.random.default_rng(seed)
    lows = [getattr(DEFAULT_RANGES, name)[0] for name in SLIDERS]
    highs = [getattr(DEFAULT_RANGES, name)[1] for name in SLIDERS]
    found = []
    while len(found) < count:
        h, w, *row = (int(v) for v in rng.integers(lows, np.add(highs, 1)))
        col = [int(v) for v in rng.integers(lows[2:], np.add(highs[2:], 1))]
        rows, cols = (h, *row), (w, *col)
        if rows[1:] == cols[1:]:
            continue
        try:
            output_shape((h, w), *zip(row, col))
        except ValueError:
            continue
        found.append((rows, cols))
    return found


def test_the_default_ranges_have_46344_valid_settings():
    assert len(valid_settings()) == 46_344


def test_every_note_is_true_of_every_valid_setting():
    seen = {"overlap": set(), "matrix": set()}
    for setting in valid_settings():
        rows, cols, counts, reach = note_inputs(*setting)
        overlap = overlap_note(rows, cols, *counts)
        check_overlap(rows, cols, overlap)
        matrix = matrix_note(rows, cols, *reach)
        check_matrix(rows, cols, matrix)
        seen["overlap"].add(re.sub(r"\d+", "#", overlap))
        seen["matrix"].add(re.sub(r"\d+", "#", matrix))
    # Every kind of sentence occurred at least once (so no checker above went untested).
    joined = "\n".join(seen["overlap"])
    for phrase in ("cells are interior", "No cell is interior", "shorter than the dilated kernel",
                   "crops every interior index", "no checkerboard", "a checkerboard:", "not a multiple of gcd",
                   "is not a multiple of s", "too small to show it", "border cells receive"):
        assert phrase in joined, phrase
    assert len(seen["matrix"]) >= 2


def test_every_note_is_true_of_per_axis_settings():
    """Each axis of a note follows its own parameters: 3,000 settings whose axes differ."""
    seen = set()
    for rows, cols in per_axis_settings(3000, seed=13):
        counts, reach = axis_inputs(rows, cols)
        overlap = overlap_note(rows, cols, *counts)
        check_overlap(rows, cols, overlap)
        check_matrix(rows, cols, matrix_note(rows, cols, *reach))
        seen.add(re.sub(r"\d+", "#", overlap))
    joined = "\n".join(seen)
    for phrase in ("cells are interior", "a checkerboard:", "Rows: k", "Columns: k", "not a multiple of gcd",
                   "border cells receive"):
        assert phrase in joined, phrase


def test_interior_agrees_with_the_conv_form_per_axis():
    for n in range(1, 9):
        for k in range(1, 6):
            for s in range(1, 5):
                for p in range(0, 5):
                    for d in range(1, 4):
                        for o in range(0, max(s, d)):
                            if gather_1d(n, k, s, p, o, d)[0].size < 2:
                                continue  # no output
                            lo, hi = interior(n, k, s, p, o, d)
                            mask = axis_1d(n, k, s, p, o, d)[1]
                            assert mask.tolist() == [lo <= i < hi for i in range(mask.size)]


@pytest.mark.parametrize("k,s,d,even", [(4, 2, 1, True), (3, 2, 1, False), (4, 2, 2, False), (3, 3, 2, True),
                                        (6, 3, 3, False), (1, 1, 3, True)])
def test_the_checkerboard_rule_needs_gcd_of_stride_and_dilation(k, s, d, even):
    assert even_interior(k, s, d) is even
    assert (len(set(long_axis(k, s, 0, d).values())) == 1) is even
