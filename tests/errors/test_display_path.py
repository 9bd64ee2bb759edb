"""display_path: its text fast path gives what the pathlib reading gives, for every shape of path."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from generator.errors import display_path


def _by_pathlib(path) -> str:
    p, cwd = Path(path), Path.cwd()
    try:
        return p.absolute().relative_to(cwd).as_posix()
    except ValueError:
        pass
    try:
        return p.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


@pytest.mark.parametrize("where", ["project", "root"])
def test_the_same_answer_as_pathlib(tmp_path: Path, monkeypatch, where: str):
    project = tmp_path / "project"
    (project / "content" / "posts").mkdir(parents=True)
    monkeypatch.chdir(project if where == "project" else "/")
    parts = ["content", "posts", "a.md", ".", "..", "", "x y.md", "é.md"]
    shapes = {"", ".", "/", "//", str(tmp_path), str(project), str(project) + "/", str(project) + "//content"}
    for n in range(1, 4):
        for combo in itertools.product(parts, repeat=n):
            relative = "/".join(combo)
            shapes |= {relative, f"./{relative}", f"{project}/{relative}", f"{tmp_path}/{relative}"}
    for shape in sorted(shapes):
        assert display_path(shape) == _by_pathlib(shape), shape
        assert display_path(Path(shape)) == _by_pathlib(shape), shape


def test_a_file_under_the_working_directory_is_named_relative_to_it(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path(tmp_path / "content" / "post.md") == "content/post.md"
    assert display_path("content//post.md") == "content/post.md"
    assert display_path(os.path.join(str(tmp_path), "content", "..", "x.md")) == "content/../x.md"
