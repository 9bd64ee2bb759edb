"""The conv1d plugin's precompute against PyTorch: output lengths, which settings PyTorch refuses,
the receptive field of every output (from autograd), and the sample outputs the page shows."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from stride_conv1d.plugin import encode
from stride_conv1d.receptive import (
    SLIDERS, Ranges, Setting, dataset, dataset_size, nearest_valid, output_length, receptive_field,
    sample_input, sample_weights, valid_settings,
)
from tests.plugins.reference import torch_field, torch_length

GRID = Ranges(length=(1, 9), kernel=(1, 4), stride=(1, 3), padding=(0, 3), dilation=(1, 3))


def all_settings(ranges: Ranges):
    return itertools.product(*(ranges.values(name) for name in SLIDERS))


def test_output_length_and_refusals_match_pytorch_on_every_setting():
    checked = refused = 0
    for n, k, s, p, d in all_settings(GRID):
        expected = torch_length(n, k, s, p, d)
        ours = int(output_length(n, k, s, p, d))
        if expected is None:
            assert ours < 1, (n, k, s, p, d)
            refused += 1
        else:
            assert ours == expected, (n, k, s, p, d)
        checked += 1
    assert refused > 50 and checked - refused > 1000  # the grid holds plenty of both kinds


def test_valid_settings_grid_is_the_settings_pytorch_accepts():
    grid = valid_settings(GRID)
    assert grid.shape == tuple(len(GRID.values(name)) for name in SLIDERS)
    for n, k, s, p, d in all_settings(GRID):
        index = (n - 1, k - 1, s - 1, p, d - 1)
        assert grid[index] == (torch_length(n, k, s, p, d) is not None)


def test_receptive_field_matches_autograd():
    for n, k, s, p, d in all_settings(Ranges((1, 7), (1, 4), (1, 3), (0, 2), (1, 3))):
        rows = torch_length(n, k, s, p, d)
        if rows is None:
            continue
        field = receptive_field(rows, k, s, p, d)
        assert field.shape == (rows, k)
        assert [[(int(j), t) for t, j in enumerate(row)] for row in field] == torch_field(n, k, s, p, d), \
            (n, k, s, p, d)


def test_published_sample_outputs_are_torch_conv1d_of_the_published_samples():
    ranges = Ranges((1, 10), (1, 5), (1, 3), (0, 3), (1, 2))
    data = json.loads(encode(ranges))
    assert data["format"] == 1 and data["ranges"] == ranges.as_dict()
    x_all = torch.tensor(data["x"], dtype=torch.float64)
    w_all = torch.tensor(data["w"], dtype=torch.float64)
    assert len(x_all) == 10 and len(w_all) == 5 and 0 not in data["w"]
    for k, s, p, d in ranges.kernel_settings():
        entry = data["settings"][f"{k}-{s}-{p}-{d}"]
        for row, n in enumerate(ranges.values("length")):
            rows = torch_length(n, k, s, p, d)
            if rows is None:
                assert entry["L"][row] < 1 and entry["y"][row] == []
                continue
            assert entry["L"][row] == rows
            y = F.conv1d(x_all[:n].reshape(1, 1, n), w_all[:k].reshape(1, 1, k), stride=s, padding=p, dilation=d)
            assert entry["y"][row] == y.reshape(-1).to(torch.int64).tolist(), (n, k, s, p, d)
            assert [row_[:k] for row_ in entry["field"][:rows]] == \
                [[j for j, _ in pairs] for pairs in torch_field(n, k, s, p, d)]


def test_samples_are_prefixes_of_one_sequence():
    assert sample_input(13).tolist()[:5] == sample_input(5).tolist()
    assert sample_weights(7).tolist()[:3] == sample_weights(3).tolist()
    assert np.all(sample_weights(12) != 0)


def test_dataset_size_bounds_the_numbers_published():
    for ranges in (GRID, Ranges((3, 3), (2, 2), (1, 1), (0, 0), (1, 1)), Ranges((1, 20), (1, 6), (1, 4), (0, 5), (1, 3))):
        data = dataset(ranges)
        published = sum(len(e["L"]) + sum(map(len, e["field"])) + sum(map(len, e["y"]))
                        for e in data["settings"].values())
        assert published <= dataset_size(ranges)


@pytest.mark.parametrize("start", [Setting(1, 4, 1, 0, 3), Setting(2, 3, 2, 0, 2), Setting(3, 1, 1, 0, 1)])
def test_nearest_valid_is_accepted_and_no_accepted_setting_is_closer(start):
    nearest = nearest_valid(GRID, start)
    assert torch_length(*(getattr(nearest, name) for name in SLIDERS)) is not None
    best = min(sum(abs(a - getattr(start, name)) for a, name in zip(setting, SLIDERS))
               for setting in all_settings(GRID) if torch_length(*setting) is not None)
    assert sum(abs(getattr(nearest, name) - getattr(start, name)) for name in SLIDERS) == best


def test_nearest_valid_is_none_when_pytorch_accepts_nothing():
    assert nearest_valid(Ranges((1, 2), (5, 6), (1, 1), (0, 0), (2, 3)), Setting(1, 5, 1, 0, 2)) is None
