from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import writer
from tests.conftest import ROOT
from tests.core.conftest import tree_digest

VENDOR = ROOT / "assets" / "vendor"


def test_every_vendored_library_has_licence_and_exact_version():
    libraries = sorted(p for p in VENDOR.iterdir() if p.is_dir())
    assert libraries, "assets/vendor/ should hold MathJax and D3"
    for library in libraries:
        manifest = json.loads((library / "VENDOR.json").read_text())
        assert library.name == f"{manifest['name']}-{manifest['version']}"
        assert any(library.glob("LICENSE*")), f"{library.name} has no LICENSE file"
        for listed in manifest.get("files", []):
            assert (library / listed).is_file(), f"{library.name}: {listed} is listed but missing"


def test_a_failure_while_writing_leaves_the_old_build(tmp_path: Path, monkeypatch):
    out = tmp_path / "build"
    writer.write_atomically(out, {"index.html": b"old", "a/b.txt": b"1", ".nojekyll": b""})
    before = tree_digest(out)
    calls = {"n": 0}
    real = Path.write_bytes

    def flaky(self: Path, data: bytes):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(OSError):
        writer.write_atomically(out, {"index.html": b"new", "c.txt": b"2", "d.txt": b"3"})
    monkeypatch.undo()
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no staging folder left behind


def test_swap_replaces_content_completely(tmp_path: Path):
    out = tmp_path / "build"
    writer.write_atomically(out, {"gone.html": b"x", ".nojekyll": b""})
    writer.write_atomically(out, {"index.html": b"y", ".nojekyll": b""})
    assert tree_digest(out).keys() == {"index.html", ".nojekyll"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
