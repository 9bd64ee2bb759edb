"""The sentences the explorer prints under its Overlap and Matrix views, each built from a
computed condition so that it is true of the setting on screen.

The plugin's assets/notes.js builds the same sentences in the browser; a browser test compares
the two for every valid setting of the default ranges, and tests/plugins/convtranspose/notes/test_notes.py
checks every condition here against the arithmetic.

Conventions: an axis is ``(n, k, s, p, o, d)`` as in :mod:`arithmetic` (rows first, then columns).
Output index ``i`` is an *interior* index when its window on the "As a convolution" tab, X′ rows
``i … i + d(k−1)``, covers no border cell of X′, i.e. every one of its ``k`` taps meets an input
cell or an inserted zero: ``d(k−1) ≤ i + p ≤ (n−1)s``. A cell is interior when both its indices
are; every other cell is a border cell.

Why the checkerboard rule reads as it does: away from the border, output ``i`` receives one
product for every tap ``ka < k`` with ``ka·d ≡ i + p (mod s)``. With ``g = gcd(s, d) > 1`` the
indices with ``i + p`` not a multiple of ``g`` get none at all; with ``g = 1`` multiplication by
``d`` permutes the residues, so each residue gets ``⌊k/s⌋`` or ``⌈k/s⌉`` taps. Hence interior
counts are equal along an axis iff ``s | k`` and ``gcd(s, d) = 1``.
"""

from __future__ import annotations

from math import gcd
from typing import Sequence

from generator.plugins.convtranspose.arithmetic import output_length

Axis = tuple[int, int, int, int, int, int]  # (n, k, s, p, o, d)
AXIS_WORDS = ("rows", "columns")
AXIS_NAMES = ("Rows", "Columns")


def interior(n: int, k: int, s: int, p: int, o: int, d: int) -> tuple[int, int]:
    """Half-open range ``[lo, hi)`` of the interior output indices along one axis (empty: lo == hi)."""
    length = int(output_length(n, k, s, p, o, d))
    lo = max(0, d * (k - 1) - p)
    hi = min(length, (n - 1) * s - p + 1)
    return lo, max(lo, hi)


def even_interior(k: int, s: int, d: int) -> bool:
    """Do all interior indices of a long enough axis receive the same number of taps?"""
    return k % s == 0 and gcd(s, d) == 1


def _count_phrase(values: Sequence[int], each: str) -> str:
    low, high = min(values), max(values)
    if low == high:
        return f"{low} product{'' if low == 1 else 's'} {each}"
    return f"{low} to {high} products"


def _why_uneven(axis: Axis, words: str, name: str) -> str:
    _, k, s, _, _, d = axis
    g = gcd(s, d)
    if g > 1:
        return (f"{name} i with i + p not a multiple of gcd(s, d) = {g} receive no product at all, "
                f"border or not.")
    q = k // s
    return (f"{name}: k = {k} is not a multiple of s = {s}, so interior {words} receive {q} or {q + 1} "
            f"products depending on (i + p) mod {s}.")


def _why_empty(axis: Axis, words: str) -> str:
    n, k, s, p, _, d = axis
    if d * (k - 1) > (n - 1) * s:
        return (f"along the {words} the zero-inserted input ({(n - 1) * s + 1} cells) is shorter than the "
                f"dilated kernel ({d * (k - 1) + 1} cells)")
    return f"along the {words} padding {p} crops every interior index"


def overlap_note(rows: Axis, cols: Axis, row_counts: Sequence[int], col_counts: Sequence[int]) -> str:
    """The Overlap tab's note. ``row_counts[i]`` / ``col_counts[j]``: taps landing on output row
    ``i`` / column ``j`` (the count of cell ``(i, j)`` is their product)."""
    spans = (interior(*rows), interior(*cols))
    counts = (list(row_counts), list(col_counts))
    cells = len(counts[0]) * len(counts[1])
    inner = [counts[0][i] * counts[1][j] for i in range(*spans[0]) for j in range(*spans[1])]
    border = [counts[0][i] * counts[1][j] for i in range(len(counts[0])) for j in range(len(counts[1]))
              if not (spans[0][0] <= i < spans[0][1] and spans[1][0] <= j < spans[1][1])]
    sentences = []
    if not inner:
        reasons = [_why_empty(ax, AXIS_WORDS[at]) for at, ax in enumerate((rows, cols)) if spans[at][0] == spans[at][1]]
        sentences.append("No cell is interior (its window on the As a convolution tab clear of the border): "
                         + " and ".join(reasons) + ".")
    else:
        sentences.append(f"{len(inner)} of the {cells} cells are interior (their window on the As a convolution "
                         f"tab is clear of the border); they receive {_count_phrase(inner, 'each')}.")
    uneven = [at for at, ax in enumerate((rows, cols)) if not even_interior(ax[1], ax[2], ax[5])]
    if not uneven:
        sentences.append("Along both axes s divides k and gcd(s, d) = 1, so away from the border every cell "
                         "receives the same count: no checkerboard.")
    else:
        sentences.append("Away from the border the counts are uneven, a checkerboard:")
        if len(uneven) == 2 and (rows[1], rows[2], rows[5]) == (cols[1], cols[2], cols[5]):
            sentences.append(_why_uneven(rows, "rows and columns", "Rows and columns"))  # one reason, said once
        else:
            sentences.extend(_why_uneven((rows, cols)[at], AXIS_WORDS[at], AXIS_NAMES[at]) for at in uneven)
        if inner and min(inner) == max(inner):
            sentences.append("The interior here is too small to show it; enlarge the input.")
    if border:
        sentences.append(f"The {len(border)} border cells receive {_count_phrase(border, 'each')}.")
    return " ".join(sentences)


def matrix_note(rows: Axis, cols: Axis, row_reach: Sequence[int], col_reach: Sequence[int]) -> str:
    """The Matrix tab's note about its columns. ``row_reach[a]`` / ``col_reach[b]``: taps of input
    row ``a`` / column ``b`` that land inside the output (the rest are cropped by padding); column
    ``a·w + b`` of W̃ᵀ holds ``row_reach[a]·col_reach[b]`` weights, all different taps."""
    taps = rows[1] * cols[1]
    h, w = len(row_reach), len(col_reach)
    full = sum(r == rows[1] for r in row_reach) * sum(c == cols[1] for c in col_reach)
    if full == h * w:
        return f"Every column holds all {taps} kernel weights, a full copy of the kernel; empty cells are zeros."
    a = min(range(h), key=lambda at: row_reach[at])
    b = min(range(w), key=lambda at: col_reach[at])
    return (f"{full} of the {h * w} columns hold all {taps} kernel weights; padding crops taps from the others "
            f"(column {a * w + b}, input x[{a},{b}], holds {row_reach[a] * col_reach[b]} of {taps}). "
            f"Empty cells are zeros.")
