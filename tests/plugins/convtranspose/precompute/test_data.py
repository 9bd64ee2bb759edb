"""The precomputed JSON: counts, exhaustive agreement with PyTorch on a smaller range, round trip,
nearest valid settings, budgets, and the plugin's declaration checks."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from generator.errors import ContentError
from generator.plugins import WidgetDeclaration
from generator.plugins.convtranspose import contributions, output_shape
from generator.plugins.convtranspose.encoding import (
    axis_path, decode_axis_near, decode_contributions, decode_near, decode_sample_output, encode,
)
from generator.plugins.convtranspose.plugin import parse_initial, parse_ranges
from generator.plugins.convtranspose.precompute import (
    DEFAULT_RANGES, SLIDERS, Ranges, nearest_valid, valid_mask,
)
from tests.plugins.convtranspose.reference import torch_contributions, torch_conv_transpose2d

SMALL = Ranges(height=(1, 4), width=(1, 3), kernel=(1, 3), stride=(1, 3), padding=(0, 2),
               output_padding=(0, 2), dilation=(1, 2))


@pytest.fixture(scope="module")
def small_files() -> dict[str, dict]:
    return {path: json.loads(blob) for path, blob in encode(SMALL).items()}


def _settings(ranges: Ranges):
    return itertools.product(*(range(lo, hi + 1) for lo, hi in (getattr(ranges, n) for n in SLIDERS)))


def test_default_ranges_have_46344_valid_settings():
    assert int(valid_mask(DEFAULT_RANGES).sum()) == 46_344
    manifest = json.loads(encode(DEFAULT_RANGES)["manifest.json"])
    assert manifest["counts"] == {"combinations": 76_800, "valid": 46_344, "files": 1_200}


def test_every_setting_of_a_small_range_matches_pytorch(small_files):
    """All 3,888 settings: accepted or rejected as PyTorch does; when accepted, the decoded
    contributions equal PyTorch's (one-hot probes) and the sample output equals PyTorch's."""
    manifest = small_files["manifest.json"]
    sample = manifest["sample"]
    checked = rejected = 0
    for h, w, k, s, p, o, d in _settings(SMALL):
        doc = small_files[axis_path(k, s, p, o, d)]
        x = np.outer(sample["u"][:h], sample["v"][:w])
        kernel = np.outer(sample["f"][:k], sample["g"][:k])
        y, error = torch_conv_transpose2d(x, kernel, s, p, o, d)
        near = decode_near(doc, h, w)
        if error is not None:
            rejected += 1
            assert near is not None, (h, w, k, s, p, o, d)
            continue
        assert near is None
        assert decode_contributions(doc, doc, h, w) == torch_contributions((h, w), (k, k), s, p, o, d)
        assert np.array_equal(decode_sample_output(doc, doc, h, w), y)
        checked += 1
    assert checked + rejected == SMALL.combinations and checked == int(valid_mask(SMALL).sum())
    assert rejected > 0


def test_nearest_valid_is_valid_and_minimal_by_brute_force(small_files):
    valid = valid_mask(SMALL)
    points = np.argwhere(valid)
    lows = np.array([getattr(SMALL, n)[0] for n in SLIDERS])
    for setting in _settings(SMALL):
        h, w, k, s, p, o, d = setting
        near = decode_near(small_files[axis_path(k, s, p, o, d)], h, w)
        if near is None:
            continue
        target = np.array([near[n] for n in SLIDERS])
        assert valid[tuple(target - lows)]
        distances = np.abs(points + lows - np.array(setting)).sum(axis=1)
        best = distances.min()
        assert np.abs(target - np.array(setting)).sum() == best
        # Ties: the smallest setting in slider order.
        candidates = sorted(tuple(int(v) for v in pt + lows) for pt in points[distances == best])
        assert tuple(target) == candidates[0]


def test_decoded_contributions_equal_the_api_on_default_ranges():
    files = encode(DEFAULT_RANGES)
    rng = np.random.default_rng(5)
    for _ in range(200):
        h, w = rng.integers(1, 9, size=2)
        k, s, p, o, d = (int(rng.integers(lo, hi + 1)) for lo, hi in ((1, 5), (1, 4), (0, 4), (0, 3), (1, 3)))
        doc = json.loads(files[axis_path(k, s, p, o, d)])
        try:
            expected = contributions((int(h), int(w)), (k, k), s, p, o, d)
        except ValueError:
            assert decode_near(doc, h, w) is not None
            continue
        assert decode_contributions(doc, doc, int(h), int(w)) == expected
        assert (doc["L"][h - 1], doc["L"][w - 1]) == output_shape((int(h), int(w)), (k, k), s, p, o, d)


def test_budgets_for_the_default_ranges():
    files = encode(DEFAULT_RANGES)
    assert len(files) <= 2_000
    assert sum(len(b) for b in files.values()) <= 5 * 1024 * 1024
    # A slider change needs at most one axis file (height and width changes need none).
    assert max(len(gzip.compress(b)) for b in files.values()) <= 4 * 1024


def test_encoding_is_deterministic():
    assert encode(SMALL) == encode(SMALL)


def test_bfs_handles_a_grid_with_nothing_valid():
    dist, src = nearest_valid(np.zeros((2, 3), dtype=bool))
    assert (dist == -1).all() and (src == -1).all()


def _decl(options: dict, lines: dict | None = None) -> WidgetDeclaration:
    return WidgetDeclaration("convtranspose", "w", options, "post.md", 4, lines or {})


@pytest.mark.parametrize("options, message", [
    ({"colour": 1}, "unknown convtranspose widget key 'colour'"),
    ({"ranges": {"kernel": [5, 1]}}, "range of 'kernel' has min 5 > max 1"),
    ({"ranges": {"kernel": [1, 2.5]}}, "range of 'kernel' must be two integers"),
    ({"ranges": {"padding": [-1, 2]}}, "padding cannot go below 0"),
    ({"ranges": {"size": [1, 2]}}, "unknown slider 'size' in ranges"),
    ({"ranges": {"kernel": [1, 500]}}, "slider settings and"),
    ({"ranges": {"height": [1, 100]}}, "height up to 100 is too large"),
    ({"ranges": {"height": [1, 1], "width": [1, 1], "kernel": [1, 1], "padding": [3, 3]}},
     "PyTorch accepts no setting inside these ranges"),
])
def test_bad_ranges_are_content_errors(options, message):
    with pytest.raises(ContentError) as caught:
        parse_ranges(_decl(options, {"ranges": 6, "ranges.kernel": 7}))
    assert message in str(caught.value)
    assert str(caught.value).startswith("post.md:")


@pytest.mark.parametrize("initial, message", [
    ({"kernel": 9}, "initial kernel 9 is outside its range [1, 5]"),
    ({"stride": "2"}, "initial stride must be an integer"),
    ({"stride": 1, "output_padding": 1, "dilation": 1}, "output padding must be smaller than either stride or dilation"),
    ({"height": 1, "width": 1, "kernel": 1, "padding": 2}, "Output size is too small"),
])
def test_bad_initial_settings_are_content_errors(initial, message):
    decl = _decl({"initial": initial}, {"initial": 8})
    with pytest.raises(ContentError) as caught:
        parse_initial(decl, parse_ranges(decl))
    assert message in str(caught.value) and "post.md:8:" in str(caught.value)


def test_defaults_and_partial_initial_settings():
    decl = _decl({"initial": {"kernel": 4}})
    ranges = parse_ranges(decl)
    assert ranges == DEFAULT_RANGES
    assert parse_initial(decl, ranges) == {"height": 5, "width": 5, "kernel": 4, "stride": 2, "padding": 1,
                                           "output_padding": 1, "dilation": 1}
    # Without an initial setting, a default that the ranges make invalid moves to the nearest valid one.
    narrow = _decl({"ranges": {"stride": [1, 1], "dilation": [1, 1]}})
    start = parse_initial(narrow, parse_ranges(narrow))
    assert start["output_padding"] == 0 and start["stride"] == 1


@pytest.mark.parametrize("length", ["height", "width"])
def test_per_axis_nearest_is_valid_and_minimal_by_brute_force(small_files, length):
    """near_h / near_w: for every (n, k, s, p, o, d) one axis of PyTorch rejects, the record names
    an accepted axis at the fewest slider steps (ties: smallest tuple), found here by brute force
    over the 1-D rule; accepted axes have no record. SMALL's height and width ranges differ."""
    params = ("kernel", "stride", "padding", "output_padding", "dilation")
    names = (length,) + params
    grid = list(itertools.product(*(range(lo, hi + 1) for lo, hi in (getattr(SMALL, n) for n in names))))

    def accepted(n, k, s, p, o, d):
        try:
            output_shape((n, 1), (k, 1), (s, 1), (p, 0), (o, 0), (d, 1))
        except ValueError:
            return False
        return True

    good = np.array([t for t in grid if accepted(*t)])
    records = 0
    for n, k, s, p, o, d in grid:
        near = decode_axis_near(small_files[axis_path(k, s, p, o, d)], length, n)
        if accepted(n, k, s, p, o, d):
            assert near is None
            continue
        records += 1
        target = tuple(near[name] for name in names)
        distances = np.abs(good - np.array((n, k, s, p, o, d))).sum(axis=1)
        best = sorted(tuple(int(v) for v in row) for row in good[distances == distances.min()])[0]
        assert target == best
    assert records > 0
