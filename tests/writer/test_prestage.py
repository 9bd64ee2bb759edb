"""Writing ahead (writer.prestage): a cold build fills a staging tree while it renders; what
ends up in build/ must be what a plain write gives, and no tree may be left behind."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import generator.build as build_module
from generator import CACHE_FOLDER
from generator import workers, writer
from generator.cli import main
from tests.mini_project import override, tree_digest


def _staging_folders(parent: Path) -> list[Path]:
    return sorted(parent.glob(".build.staging-*"))


def test_a_prestaged_tree_is_completed_and_swapped_in(tmp_path: Path):
    files = {".nojekyll": b"", "index.html": b"home", "posts/a/index.html": b"a", "feed.xml": b"feed"}
    plain = tmp_path / "plain" / "build"
    writer.write_atomically(plain, files)

    out = tmp_path / "ahead" / "build"
    staged = writer.prestage(out)
    assert staged is not None and staged.root.parent == out.parent
    staged.put("posts/a/index.html", files["posts/a/index.html"])
    staged.put("index.html", b"an earlier version of the home page")  # the build changed its mind
    staged.put("stale/left.html", b"not in the final set")
    assert not out.exists()  # nothing reaches build/ before the swap
    assert writer.write_atomically(out, files, staged) is True
    assert tree_digest(out) == tree_digest(plain)
    assert not (out / "stale").exists()
    assert _staging_folders(out.parent) == []
    assert oct(out.stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)


def test_no_prestaging_over_a_build_the_writer_can_update(tmp_path: Path):
    out = tmp_path / "build"
    writer.write_atomically(out, {".nojekyll": b"", "index.html": b"1"})
    assert writer.prestage(out) is None  # an incremental build writes its few files at the end
    (tmp_path / ".build.state.json").unlink()  # a record we cannot trust: start from nothing
    staged = writer.prestage(out)
    assert staged is not None
    staged.discard()
    assert _staging_folders(tmp_path) == []


def test_a_file_that_cannot_be_written_ahead_falls_back_to_the_plain_write(tmp_path: Path):
    out = tmp_path / "build"
    staged = writer.prestage(out)
    staged.put("a", b"a file")
    staged.put("a/b.html", b"needs a folder where the file is")  # fails: writing ahead stops
    staged.put("c.html", b"after the failure")
    assert not (staged.root / "c.html").exists()
    with pytest.raises(OSError):  # the plain write meets the same conflict and reports it
        writer.write_atomically(out, {"a": b"a file", "a/b.html": b"x"}, staged)
    assert not out.exists() and _staging_folders(tmp_path) == []


def test_a_cold_build_that_fails_while_rendering_pages_leaves_nothing(mini: Path, tmp_path: Path, capsys,
                                                                      monkeypatch):
    """The pages rendered before the failure were written ahead; the tree must go, and a later
    good build must not see it."""
    post_template = override(mini, "templates/post.html")
    good = post_template.read_text()
    # Every post fails at its page template, after the home page and others were written ahead.
    post_template.write_text(good.replace("{% block content %}", "{% block content %}{{ no_such_name }}", 1))
    out = tmp_path / "site"
    written_ahead = []
    real_put = writer.Prestaged.put
    monkeypatch.setattr(writer.Prestaged, "put", lambda self, rel, data: (written_ahead.append(rel),
                                                                          real_put(self, rel, data)))
    assert main(["--source", str(mini), "build", "--output", str(out)]) == 1
    assert "index.html" in written_ahead  # the failure came after pages were written ahead
    assert "'no_such_name' is undefined" in capsys.readouterr().err
    assert not out.exists()
    assert [p for p in os.listdir(tmp_path) if "staging" in p] == []

    post_template.write_text(good)
    assert main(["--source", str(mini), "build", "--output", str(out)]) == 0
    plain = tmp_path / "plain"
    monkeypatch.setattr(build_module, "prestage", lambda output: None)  # everything written at the end
    assert main(["--source", str(mini), "build", "--output", str(plain)]) == 0
    assert tree_digest(out) == tree_digest(plain)


def test_the_swap_is_one_atomic_exchange_on_linux(tmp_path: Path):
    """renameat2(RENAME_EXCHANGE) from the process's own libc symbols: no window in which
    build/ is missing (the rename fallback has one)."""
    if not os.uname().sysname == "Linux":
        pytest.skip("renameat2 is Linux's")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "from-a").touch(), (b / "from-b").touch()
    assert writer._exchange(a, b) is True
    assert [p.name for p in a.iterdir()] == ["from-b"] and [p.name for p in b.iterdir()] == ["from-a"]


def _parallel(monkeypatch) -> None:
    """Builds fork their workers from here on, as a cold build in a quiet process does."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    # A chunk a page: the worker, starting while the build process writes the assets, then
    # renders some of even a small site's pages.
    monkeypatch.setattr(workers, "CHUNK", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    # Other tests leave threads behind (servers, the browser driver), which rightly disables
    # forking in a real build.
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)


def test_workers_write_the_pages_they_render_and_the_build_does_not_write_them_again(
        mini: Path, tmp_path: Path, monkeypatch):
    """The disk work of a cold build is shared by the cores: each page is written into the tree
    by the process that rendered it (a worker, or the build process taking its share), and
    recorded (not written again) by the build process."""
    plain = tmp_path / "plain"
    monkeypatch.setattr(build_module, "prestage", lambda output: None)
    assert main(["--source", str(mini), "build", "--output", str(plain)]) == 0
    monkeypatch.undo()

    log = tmp_path / "writers.log"
    real_ahead, real_put = writer.Prestaged.write_ahead, writer.Prestaged.put

    def logged_ahead(self, rel, data):
        with open(log, "a") as out:  # appended lines from several processes do not mix
            out.write(f"ahead {os.getpid()} {rel}\n")
        return real_ahead(self, rel, data)

    def logged_put(self, rel, data):
        with open(log, "a") as out:
            out.write(f"put {os.getpid()} {rel}\n")
        return real_put(self, rel, data)

    real_written = writer.Prestaged.written

    def logged_written(self, rel, data, digest):
        with open(log, "a") as out:
            out.write(f"written {os.getpid()} {rel}\n")
        return real_written(self, rel, data, digest)

    monkeypatch.setattr(writer.Prestaged, "write_ahead", logged_ahead)
    monkeypatch.setattr(writer.Prestaged, "put", logged_put)
    monkeypatch.setattr(writer.Prestaged, "written", logged_written)
    _parallel(monkeypatch)
    shutil.rmtree(mini / CACHE_FOLDER, ignore_errors=True)  # cold: every page is rendered
    out = tmp_path / "par"
    assert main(["--source", str(mini), "build", "--output", str(out)]) == 0
    assert tree_digest(out) == tree_digest(plain)

    lines = [line.split() for line in log.read_text().splitlines()]
    ahead = {rel for kind, pid, rel in lines if kind == "ahead"}
    by_workers = {rel for kind, pid, rel in lines if kind == "ahead" and int(pid) != os.getpid()}
    put_here = [rel for kind, pid, rel in lines if kind == "put"]
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} | {"feed.xml", "sitemap.xml"}
    assert pages <= ahead and by_workers & pages  # written where rendered, some by a worker
    assert not set(put_here) & pages  # ... and not written a second time
    assert any(rel.startswith("assets/") for rel in put_here)  # the build process writes its own files
    # ... the assets while the workers render (before it records their first page), once each.
    assets = [index for index, (kind, pid, rel) in enumerate(lines)
              if kind == "ahead" and rel.startswith("assets/") and int(pid) == os.getpid()]
    first_page = min(index for index, (kind, pid, rel) in enumerate(lines) if kind == "written" and rel in pages)
    assert assets and max(assets) < first_page
    assert len({lines[index][2] for index in assets}) == len(assets)


def test_a_page_a_worker_could_not_write_is_written_by_the_build(mini: Path, tmp_path: Path, monkeypatch):
    plain = tmp_path / "plain"
    monkeypatch.setattr(build_module, "prestage", lambda output: None)
    assert main(["--source", str(mini), "build", "--output", str(plain)]) == 0
    monkeypatch.undo()

    real_ahead = writer.Prestaged.write_ahead
    parent = os.getpid()
    # Workers fail on the home page (a full disk, say); the build process writes it.
    monkeypatch.setattr(writer.Prestaged, "write_ahead", lambda self, rel, data: None
                        if rel == "index.html" and os.getpid() != parent else real_ahead(self, rel, data))
    _parallel(monkeypatch)
    shutil.rmtree(mini / CACHE_FOLDER, ignore_errors=True)
    out = tmp_path / "par"
    assert main(["--source", str(mini), "build", "--output", str(out)]) == 0
    assert tree_digest(out) == tree_digest(plain)
