"""The arithmetic of ``torch.nn.Conv1d`` for one channel, as tables the explorer reads.

Index conventions (PyTorch's, everything in cells, 0-based):

- input positions ``j = 0 .. n-1`` for an input of length ``n``; the zero padding adds ``p``
  cells on each side, at ``j = -p .. -1`` and ``j = n .. n+p-1``;
- kernel taps ``t = 0 .. k-1``; with dilation ``d`` the kernel spans ``d·(k-1) + 1`` cells;
- output positions ``i = 0 .. L-1`` with ``L = floor((n + 2p - d·(k-1) - 1) / s) + 1``;
- output ``i`` reads input ``j = s·i - p + d·t`` through tap ``t``: its *receptive field*.

PyTorch refuses a setting whose ``L`` is below 1 (the dilated kernel is longer than the padded
input). Nothing else constrains Conv1d's integer arguments once each is at least its minimum.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator

import numpy as np

SLIDERS = ("length", "kernel", "stride", "padding", "dilation")
LOWEST = {"length": 1, "kernel": 1, "stride": 1, "padding": 0, "dilation": 1}
# Small integers, so that every sum the reader sees is exact and short; no weight is zero, or a
# tap would look as if it did not take part.
_INPUT_CYCLE = np.array([3, -1, 4, 1, -5, 2, 0, -2, 6, -3, 1, 5, -4])
_WEIGHT_CYCLE = np.array([2, -1, 3, 1, -2, 1, -3])


@dataclass(frozen=True)
class Setting:
    """One position of the five sliders: input length ``n`` and Conv1d's arguments."""

    length: int
    kernel: int
    stride: int
    padding: int
    dilation: int


@dataclass(frozen=True)
class Ranges:
    """Inclusive ``(min, max)`` of each slider."""

    length: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]

    def values(self, name: str) -> range:
        low, high = getattr(self, name)
        return range(low, high + 1)

    def kernel_settings(self) -> Iterator[tuple[int, int, int, int]]:
        """Every ``(k, s, p, d)`` in the ranges, in the order of the data file."""
        return itertools.product(*(self.values(name) for name in SLIDERS[1:]))

    def as_dict(self) -> dict[str, list[int]]:
        return {name: list(getattr(self, name)) for name in SLIDERS}


def output_length(n, k, s, p, d):
    """Output length ``L`` of Conv1d for input length ``n`` (ints or broadcastable arrays).
    Floor division matches PyTorch's formula for a negative numerator too: ``L <= 0`` exactly
    when the dilated kernel ``d·(k-1) + 1`` is longer than the padded input ``n + 2p``."""
    return (np.asarray(n) + 2 * np.asarray(p) - np.asarray(d) * (np.asarray(k) - 1) - 1) // np.asarray(s) + 1


def receptive_field(rows: int, k: int, s: int, p: int, d: int) -> np.ndarray:
    """Input position ``j[i, t] = s·i - p + d·t`` read by output ``i`` through tap ``t``, for
    ``i < rows``; shape ``(rows, k)``. Positions outside ``[0, n)`` are padding (zeros); the
    table does not depend on ``n`` beyond how many rows are valid."""
    return s * np.arange(rows)[:, None] - p + d * np.arange(k)[None, :]


def sample_input(n: int) -> np.ndarray:
    """The input sequence ``x[0 .. n-1]`` the explorer shows (integers; a prefix of one fixed
    sequence, so a longer input keeps the values of a shorter one)."""
    return _INPUT_CYCLE[np.arange(n) % len(_INPUT_CYCLE)]


def sample_weights(k: int) -> np.ndarray:
    """The kernel ``w[0 .. k-1]`` the explorer shows (non-zero integers)."""
    return _WEIGHT_CYCLE[np.arange(k) % len(_WEIGHT_CYCLE)]


def sample_outputs(ranges: Ranges, k: int, s: int, p: int, d: int) -> list[list[int]]:
    """Conv1d of ``sample_input(n)`` with ``sample_weights(k)`` (no bias), ``y[i] = sum_t
    w[t]·x[s·i - p + d·t]`` with ``x`` zero outside ``[0, n)``, for every ``n`` of the length
    range at once: the longest input's gathered values, with the cells at ``j >= n`` masked to
    zero (they are padding for a shorter input). PyTorch computes cross-correlation: no flip."""
    lengths = np.array(ranges.values("length"))
    rows = max(int(output_length(lengths[-1], k, s, p, d)), 0)
    field = receptive_field(rows, k, s, p, d)  # (rows, k)
    x = sample_input(int(lengths[-1]))
    inside = (field >= 0)[None] & (field[None] < lengths[:, None, None])  # (lengths, rows, k)
    gathered = np.where(inside, x[np.clip(field, 0, len(x) - 1)][None], 0)
    y = gathered @ sample_weights(k)  # (lengths, rows)
    counts = np.maximum(output_length(lengths, k, s, p, d), 0)
    return [row[:count].tolist() for row, count in zip(y, counts)]


def dataset(ranges: Ranges) -> dict:
    """Everything the explorer draws, for every slider setting in ``ranges``.

    ``settings["k-s-p-d"]`` holds ``L`` (output length per input length of the range, ``<= 0``
    where PyTorch refuses), ``field`` (rows of :func:`receptive_field` for the longest input;
    a shorter input uses the first ``L`` rows) and ``y`` (the sample output per input length).
    ``x`` and ``w`` are the sample input and kernel at their longest."""
    lengths = np.array(ranges.values("length"))
    settings = {}
    for k, s, p, d in ranges.kernel_settings():
        counts = output_length(lengths, k, s, p, d)
        rows = max(int(counts[-1]), 0)
        settings[f"{k}-{s}-{p}-{d}"] = {
            "L": counts.tolist(),
            "field": receptive_field(rows, k, s, p, d).tolist(),
            "y": sample_outputs(ranges, k, s, p, d),
        }
    return {
        "ranges": ranges.as_dict(),
        "x": sample_input(ranges.length[1]).tolist(),
        "w": sample_weights(ranges.kernel[1]).tolist(),
        "settings": settings,
    }


def dataset_size(ranges: Ranges) -> int:
    """An upper bound on the numbers :func:`dataset` publishes, computed without building it:
    per kernel setting, a length count and a sample output per input length, and a field row
    per output of the longest input."""
    lengths = len(ranges.values("length"))
    longest = ranges.length[1] + 2 * ranges.padding[1]  # the most outputs: s = 1, k = 1
    per_setting = lengths + longest * (ranges.kernel[1] + lengths)
    return per_setting * len(list(ranges.kernel_settings()))


def valid_settings(ranges: Ranges) -> np.ndarray:
    """Boolean grid over the five sliders (axes in ``SLIDERS`` order, index = value - min):
    True where PyTorch accepts the setting."""
    axes = np.meshgrid(*(np.array(ranges.values(name)) for name in SLIDERS), indexing="ij", sparse=True)
    return output_length(*axes) >= 1


def nearest_valid(ranges: Ranges, setting: Setting) -> Setting | None:
    """The accepted setting fewest slider steps (L1) away from ``setting``; ties go to the
    first in slider order. None when the ranges hold no accepted setting."""
    valid = valid_settings(ranges)
    if not valid.any():
        return None
    axes = np.meshgrid(*(np.array(ranges.values(name)) for name in SLIDERS), indexing="ij", sparse=True)
    steps = sum(np.abs(axis - getattr(setting, name)) for axis, name in zip(axes, SLIDERS))
    steps = np.where(valid, steps, np.iinfo(np.int64).max)
    index = np.unravel_index(int(np.argmin(steps)), valid.shape)
    return Setting(**{name: int(axis.ravel()[i]) for name, axis, i in zip(SLIDERS, axes, index)})
