"""Bad conv1d widget declarations: each is a `path:line: message (hint)` at the offending key, a
non-zero exit, and the previous build left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from tests.plugins.conftest import write_site

POST = "content/posts/2024-05-01-conv1d.md"

# (options of the widget entry, line of the error, what the message says). Options start on line 7.
BAD = [
    ("colour: red", 7, "unknown conv1d widget key 'colour'"),
    ("ranges: [1, 5]", 7, "'ranges' must be a mapping of slider names"),
    ("ranges:\n  length: [1, 8]\n  width: [1, 4]", 9, "unknown slider 'width' in ranges"),
    ("ranges:\n  kernel: [5, 2]", 8, "range of 'kernel' has min 5 > max 2 (write it as [2, 5])"),
    ("ranges:\n  stride: [0, 2]", 8, "stride cannot go below 1"),
    ("ranges:\n  padding: [0, 2.5]", 8, "range of 'padding' must be two integers [min, max], not [0, 2.5]"),
    ("ranges:\n  length: [1, 500]", 8, "length up to 500 is too large to draw (limit 48)"),
    ("ranges:\n  length: [1, 48]\n  kernel: [1, 12]\n  stride: [1, 8]\n  padding: [0, 12]\n  dilation: [1, 8]",
     7, "these ranges would publish about 43,610,112 numbers (limit 400,000)"),
    ("ranges:\n  length: [1, 2]\n  kernel: [4, 5]\n  padding: 0\n  dilation: [2, 3]", 7,
     "torch.nn.Conv1d accepts no setting inside these ranges"),
    ("initial:\n  kernel: 9", 8, "initial kernel 9 is outside its range [1, 5]"),
    ("initial:\n  stride: true", 8, "initial stride must be an integer, not True"),
    ("initial:\n  length: 2\n  kernel: 5\n  padding: 0", 7,
     "torch.nn.Conv1d rejects the initial setting: the dilated kernel spans 5 cells, longer than the padded "
     "input (2 + 2·0 = 2) (the nearest accepted setting changes"),
]


@pytest.mark.parametrize("options, line, message", BAD, ids=[case[2][:40] for case in BAD])
def test_bad_declaration_is_a_located_error(tmp_path: Path, conv1d_entry_point, capsys, monkeypatch,
                                            options, line, message):
    write_site(tmp_path, options)
    monkeypatch.chdir(tmp_path)
    assert main(["--source", str(tmp_path), "build"]) == 1
    err = capsys.readouterr().err
    assert f"{POST}:{line}: {message}" in err
    assert "Traceback" not in err


def test_a_bad_edit_keeps_the_previous_build(tmp_path: Path, conv1d_entry_point, capsys):
    write_site(tmp_path, "initial: {length: 6}")
    assert main(["--source", str(tmp_path), "build"]) == 0
    built = {p.relative_to(tmp_path / "build"): p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()}
    assert any(str(p).startswith("data/conv1d/") for p in built)
    write_site(tmp_path, "initial: {length: 60}")
    assert main(["--source", str(tmp_path), "build"]) == 1
    assert "initial length 60 is outside its range [1, 12]" in capsys.readouterr().err
    after = {p.relative_to(tmp_path / "build"): p.read_bytes() for p in (tmp_path / "build").rglob("*") if p.is_file()}
    assert after == built


def test_defaults_that_do_not_fit_the_ranges_start_at_the_nearest_accepted_setting(tmp_path: Path,
                                                                                  conv1d_entry_point):
    # The default kernel 3 is longer than any input of these ranges (length <= 2, no padding):
    # the explorer starts at the nearest setting PyTorch accepts, one step away, kernel 2.
    write_site(tmp_path, "ranges: {length: [1, 2], padding: 0, kernel: [2, 4], dilation: 1}")
    assert main(["--source", str(tmp_path), "build"]) == 0
    html = (tmp_path / "build/posts/conv1d/index.html").read_text()
    assert 'name="length" min="1" max="2" step="1" value="2"' in html
    assert 'name="kernel" min="2" max="4" step="1" value="2"' in html
