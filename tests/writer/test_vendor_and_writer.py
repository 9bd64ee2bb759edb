from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from generator import writer
from tests.conftest import ROOT
from tests.mini_project import tree_digest

VENDOR = ROOT / "generator" / "theme" / "assets" / "vendor"


def test_every_vendored_library_has_licence_and_exact_version():
    libraries = sorted(p for p in VENDOR.iterdir() if p.is_dir())
    assert libraries, "the theme's assets/vendor/ should hold MathJax and D3"
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
    assert not list(tmp_path.glob(".build.staging-*"))  # no staging folder left behind


def test_swap_replaces_content_completely(tmp_path: Path):
    out = tmp_path / "build"
    writer.write_atomically(out, {"gone.html": b"x", ".nojekyll": b""})
    writer.write_atomically(out, {"index.html": b"y", ".nojekyll": b""})
    assert tree_digest(out).keys() == {"index.html", ".nojekyll"}
    assert not list(tmp_path.glob(".build.staging-*"))


def test_incremental_writes_match_a_fresh_write(tmp_path: Path):
    """The spare tree is reused as staging; after any sequence of builds the output must equal
    a write into an empty folder, including removed files, emptied folders and file/folder swaps."""
    versions = [
        {".nojekyll": b"", "index.html": b"1", "posts/a/index.html": b"a", "posts/b/index.html": b"b"},
        {".nojekyll": b"", "index.html": b"2", "posts/a/index.html": b"a"},
        {".nojekyll": b"", "index.html": b"2", "posts/a/index.html": b"a", "x/y/z.txt": b"deep"},
        {".nojekyll": b"", "index.html": b"3", "posts": b"now a file", "x/y/z.txt": b"deep"},
        {".nojekyll": b"", "index.html": b"3", "posts/c/index.html": b"c"},
    ]
    out = tmp_path / "site" / "build"
    for number, files in enumerate(versions):
        assert writer.write_atomically(out, files) is True
        fresh = tmp_path / f"fresh{number}" / "build"
        writer.write_atomically(fresh, files)
        assert tree_digest(out) == tree_digest(fresh)
        assert {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()} == \
               {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_dir()}


def test_an_unchanged_build_touches_nothing(tmp_path: Path):
    out = tmp_path / "build"
    files = {".nojekyll": b"", "index.html": b"same"}
    writer.write_atomically(out, files)
    inode, mtime = out.stat().st_ino, (out / "index.html").stat().st_mtime_ns
    assert writer.write_atomically(out, files) is False
    assert (out.stat().st_ino, (out / "index.html").stat().st_mtime_ns) == (inode, mtime)


def test_a_build_edited_by_hand_is_not_trusted(tmp_path: Path):
    out = tmp_path / "build"
    files = {".nojekyll": b"", "index.html": b"same"}
    writer.write_atomically(out, files)
    writer.write_atomically(out, {**files, "index.html": b"v2"})
    # Someone replaces the build folder; the record no longer matches, so everything is written.
    shutil.rmtree(out)
    out.mkdir()
    (out / ".nojekyll").write_bytes(b"")
    assert writer.write_atomically(out, {**files, "index.html": b"v2"}) is True
    assert tree_digest(out) == {".nojekyll": tree_digest(tmp_path / "build")[".nojekyll"],
                                "index.html": tree_digest(tmp_path / "build")["index.html"]}
    assert (out / "index.html").read_bytes() == b"v2"


def test_a_stray_file_in_a_subfolder_does_not_come_back(tmp_path: Path):
    """A file added to build/posts/ by hand leaves build/'s identity unchanged; after the next
    two builds (it goes to the spare, then the spare is reused) it must not be published."""
    out = tmp_path / "build"
    site = {".nojekyll": b"", "index.html": b"1", "posts/a/index.html": b"a"}
    writer.write_atomically(out, site)
    (out / "posts" / "stray.txt").write_bytes(b"secret")
    (out / "posts" / "junk").mkdir()
    (out / "posts" / "junk" / "more.txt").write_bytes(b"x")
    for version in range(2, 6):
        writer.write_atomically(out, {**site, "index.html": str(version).encode()})
        assert tree_digest(out).keys() == site.keys(), f"after build {version}"


def test_a_rebuild_lists_only_the_folders_whose_time_moved(tmp_path: Path, monkeypatch):
    """Once each tree's folders have a recorded time, a one-page rebuild lists (scandir) the
    folders written since, not the whole tree; a file dropped into or deleted from a folder by
    hand moves that folder's time and is still found."""
    out = tmp_path / "build"
    site = {".nojekyll": b"", "index.html": b"0", **{f"posts/p{i}/index.html": b"p" for i in range(30)}}
    for version in range(4):  # both trees written, then surveyed once their times have settled
        if version == 2:
            time.sleep(2 * writer._RACY_NS / 1e9)
        writer.write_atomically(out, {**site, "posts/p7/index.html": str(version).encode()})
    listed = _count_listings(tmp_path, monkeypatch)
    writer.write_atomically(out, {**site, "posts/p7/index.html": b"v"})
    assert 0 < len(listed) <= 4, listed  # p7's folder in each tree, not 32 folders twice
    assert (out / "posts" / "p7" / "index.html").read_bytes() == b"v"
    (out / "posts" / "p3" / "stray.txt").write_bytes(b"secret")
    (tmp_path / ".build.spare" / "posts" / "p9" / "index.html").unlink()
    for version in range(3):
        listed.clear()
        files = {**site, "posts/p7/index.html": f"w{version}".encode()}
        writer.write_atomically(out, files)
        fresh = tmp_path / f"fresh{version}" / "build"
        writer.write_atomically(fresh, files)
        assert tree_digest(out) == tree_digest(fresh), f"after build {version}"


def _count_listings(root: Path, monkeypatch) -> list[str]:
    """The folders the writer lists from now on (relative to ``root``), appended as it lists."""
    listed: list[str] = []
    real = os.scandir

    def counting(path="."):
        if isinstance(path, str):  # shutil.rmtree lists by descriptor
            listed.append(os.path.relpath(path, root))
        return real(path)

    monkeypatch.setattr(writer.os, "scandir", counting)
    return listed


def test_the_same_bytes_are_not_hashed_again(tmp_path: Path, monkeypatch):
    """A rebuild handing in the very bytes objects of the last one (pages the memo kept) reuses
    their digests; new bytes at a path are hashed, so a changed page is still written."""
    out = tmp_path / "build"
    page = b"x" * 1000
    files = {".nojekyll": b"", "index.html": page}
    writer.write_atomically(out, files)
    hashed: list[int] = []
    real = hashlib.blake2b

    def counting(data, **kwargs):
        hashed.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(writer.hashlib, "blake2b", counting)
    assert writer.write_atomically(out, files) is False and hashed == []
    changed = bytearray(page)
    changed[0] = ord("y")
    assert writer.write_atomically(out, {**files, "index.html": bytes(changed)}) is True
    assert hashed == [1000] and (out / "index.html").read_bytes()[:1] == b"y"


def test_settle_records_the_times_a_whole_new_tree_left_unsure(tmp_path: Path, monkeypatch):
    """After writes that made whole trees (a first build, the first rebuild after it), settle
    (run by the dev server between builds) records their folders' times once they can be
    trusted: the next one-page rebuild lists only the folders it writes. A tree changed by hand
    before settling is left as recorded, and the next write still finds and removes the change."""
    out = tmp_path / "build"
    site = {".nojekyll": b"", "index.html": b"0", **{f"posts/p{i}/index.html": b"p" for i in range(30)}}
    writer.write_atomically(out, site)
    writer.write_atomically(out, {**site, "posts/p7/index.html": b"1"})  # the spare: a whole new tree
    writer.settle(out)  # too soon: the folders just written are still too new to trust
    state = json.loads((tmp_path / ".build.state.json").read_text(encoding="utf-8"))
    assert writer._UNSURE in state["output"]["folders"].values()
    time.sleep(2 * writer._RACY_NS / 1e9)
    (tmp_path / ".build.spare" / "posts" / "p3" / "stray.txt").write_bytes(b"secret")
    time.sleep(2 * writer._RACY_NS / 1e9)  # so that its folder's new time could be trusted too
    assert writer.settle(out) is True  # build/ settles; the spare, changed by hand, does not
    state = json.loads((tmp_path / ".build.state.json").read_text(encoding="utf-8"))
    assert writer._UNSURE not in state["output"]["folders"].values()
    assert writer._UNSURE in state["spare"]["folders"].values()
    listed = _count_listings(tmp_path, monkeypatch)
    files = {**site, "posts/p7/index.html": b"2"}
    writer.write_atomically(out, files)  # writes into the spare, found with its stray file
    assert not any(rel.startswith("build") for rel in listed), listed  # build/ was settled: stats only
    fresh = tmp_path / "fresh" / "build"
    writer.write_atomically(fresh, files)
    assert tree_digest(out) == tree_digest(fresh)
    time.sleep(2 * writer._RACY_NS / 1e9)
    assert writer.settle(out) is True
    listed.clear()
    writer.write_atomically(out, {**site, "posts/p7/index.html": b"3"})
    assert listed == []  # both trees settled, the folders written last time included: stats only
