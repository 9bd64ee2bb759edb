"""The JSON files of docs/data-format.md: writer (used by the plugin) and decoder (used by tests).

``encode(ranges)`` returns ``{relative path: bytes}`` for one widget directory: ``manifest.json``
and one ``axis/k{k}-s{s}-p{p}-o{o}-d{d}.json`` per (k, s, p, o, d). JSON is compact with sorted
keys, so the same ranges always give the same bytes.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import numpy as np

from generator.plugins.convtranspose.arithmetic import OUTPUT_PADDING_RULE, OUTPUT_SIZE_RULE
from generator.plugins.convtranspose.precompute import (
    AXIS_PARAMS, SLIDERS, AxisTables, Ranges, axis_near_records, axis_tables, nearest_valid, sample_vectors, valid_mask,
)

FORMAT = 1
PLUGIN_VERSION = "1"
AXIS_TEMPLATE = "axis/k{k}-s{s}-p{p}-o{o}-d{d}.json"
_PER_N = ("go", "ga", "gk", "cnt", "so", "si", "sk", "xk", "cl", "ch", "yr", "yc")


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True).encode("utf-8")


def axis_path(k: int, s: int, p: int, o: int, d: int) -> str:
    return AXIS_TEMPLATE.format(k=k, s=s, p=p, o=o, d=d)


def encode(ranges: Ranges) -> dict[str, bytes]:
    """Every file of one widget directory, by path relative to that directory."""
    tables = axis_tables(ranges)
    valid = valid_mask(ranges)
    _, nearest = nearest_valid(np.ascontiguousarray(valid))
    files = {"manifest.json": dumps(manifest(ranges, int(valid.sum()), len(tables.tuples)))}
    near = _near_records(ranges, valid, nearest)
    near_h, near_w = axis_near_records(ranges, "height"), axis_near_records(ranges, "width")
    for t, params in enumerate(tables.tuples):
        doc = axis_document(tables, t, near[t])
        doc["near_h"], doc["near_w"] = near_h[t], near_w[t]
        files[axis_path(*params)] = dumps(doc)
    return files


def manifest(ranges: Ranges, valid_count: int, file_count: int) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "plugin": PLUGIN_VERSION,
        "ranges": ranges.as_dict(),
        "n": list(ranges.n_range),
        "axis": AXIS_TEMPLATE,
        "sample": sample_vectors(ranges),
        "counts": {"combinations": ranges.combinations, "valid": valid_count, "files": file_count},
        "rules": {"output_padding": OUTPUT_PADDING_RULE, "output_size": OUTPUT_SIZE_RULE},
    }


def axis_document(tables: AxisTables, t: int, near: list[int]) -> dict[str, Any]:
    k, s, p, o, d = tables.tuples[t]
    doc: dict[str, Any] = {"format": FORMAT, "k": k, "s": s, "p": p, "o": o, "d": d,
                           "rule": tables.rule[t], "n": list(tables.ranges.n_range), "near": near}
    if tables.rule[t] is not None:
        return doc
    doc["pl"] = d * (k - 1) - p
    doc["ph"] = d * (k - 1) - p + o
    doc["L"] = [int(v) for v in tables.lengths[t]]
    for name in _PER_N:
        doc[name] = [tables.entry(name, t, j) for j in range(tables.lengths.shape[1])]
    return doc


def _near_records(ranges: Ranges, valid: np.ndarray, nearest: np.ndarray) -> list[list[int]]:
    """Per axis tuple (in ``axis_tuples`` order): flat 9-int records ``h, w, H, W, K, S, P, O, D``
    for every invalid (height, width) of that tuple, sorted by h then w."""
    shape = valid.shape
    heights, widths = ranges.values("height"), ranges.values("width")
    lows = np.array([getattr(ranges, n)[0] for n in SLIDERS])
    flat_valid = valid.reshape(shape[0], shape[1], -1)  # (h, w, tuple) in axis_tuples order
    flat_near = nearest.reshape(shape[0], shape[1], -1)
    settings = np.stack(np.unravel_index(np.clip(flat_near, 0, None), shape), axis=-1) + lows
    records: list[list[int]] = []
    for t in range(flat_valid.shape[2]):
        hi, wi = np.nonzero(~flat_valid[:, :, t])
        if flat_near[hi, wi, t].size and (flat_near[hi, wi, t] < 0).any():
            raise ValueError("no valid setting inside these ranges")
        rows = np.column_stack([heights[hi], widths[wi], settings[hi, wi, t]])
        records.append(rows.reshape(-1).astype(int).tolist())
    return records


# --- decoding (tests and build-time checks) --------------------------------------------------------

def decode_contributions(row: Mapping[str, Any], col: Mapping[str, Any], h: int, w: int
                         ) -> dict[tuple[int, int], list[tuple[int, int, int, int]]]:
    """Rebuild ``contributions()`` for an h×w input from the row and column axis documents."""
    rows = _gather(row, h)
    cols = _gather(col, w)
    return {(i, j): [(a, b, ka, kb) for a, ka in rg for b, kb in cg]
            for i, rg in enumerate(rows) for j, cg in enumerate(cols)}


def _gather(doc: Mapping[str, Any], n: int) -> list[list[tuple[int, int]]]:
    j = n - doc["n"][0]
    go, ga, gk = doc["go"][j], doc["ga"][j], doc["gk"][j]
    return [list(zip(ga[go[i]:go[i + 1]], gk[go[i]:go[i + 1]])) for i in range(doc["L"][j])]


def decode_sample_output(row: Mapping[str, Any], col: Mapping[str, Any],
                         h: int, w: int) -> np.ndarray:
    """The sample output ``y = yr ⊗ yc`` of an h×w input."""
    yr = np.array(row["yr"][h - row["n"][0]], dtype=np.int64)
    yc = np.array(col["yc"][w - col["n"][0]], dtype=np.int64)
    return np.outer(yr, yc)


def decode_near(doc: Mapping[str, Any], h: int, w: int) -> dict[str, int] | None:
    """The nearest valid setting recorded for (h, w) in an axis document, or None when valid."""
    flat = doc["near"]
    for at in range(0, len(flat), 9):
        if flat[at] == h and flat[at + 1] == w:
            return dict(zip(SLIDERS, flat[at + 2: at + 9]))
    return None


def decode_axis_near(doc: Mapping[str, Any], length: str, n: int) -> dict[str, int] | None:
    """The nearest accepted setting of one axis (``length`` = "height" for rows, "width" for
    columns) of input length ``n``, from ``near_h`` / ``near_w``; None when that axis is valid."""
    flat = doc["near_h" if length == "height" else "near_w"]
    for at in range(0, len(flat), 7):
        if flat[at] == n:
            return dict(zip((length,) + AXIS_PARAMS, flat[at + 1: at + 7]))
    return None


__all__ = ["AXIS_PARAMS", "FORMAT", "PLUGIN_VERSION", "axis_path", "decode_contributions",
           "decode_axis_near", "decode_near", "decode_sample_output", "encode", "manifest"]
