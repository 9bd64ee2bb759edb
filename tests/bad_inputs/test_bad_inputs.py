"""The bad-input corpus: every folder here breaks a good mini project in one way.

A case folder holds ``case.yml`` (``expect``: the start of the error line, ``path:line: message``;
optionally ``generate``: a case too big or too odd to store in git, made by this test) and
``files/``, copied over the project. Each case must end with exit code 1 within 10 s, print the
expected line with a hint in parentheses, show no traceback and leave the previous build/ as it
was, byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.mini_project import make_mini_project, tree_digest

CORPUS = Path(__file__).parent
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yml").is_file())


def stride(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=10)


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    project = make_mini_project(tmp_path_factory.mktemp("good") / "site")
    done = stride(project, "build")
    assert done.returncode == 0, done.stderr
    return project


def generate(kind: str, project: Path) -> None:
    posts = project / "content" / "posts"
    if kind == "huge-post":
        with open(posts / "2030-01-01-bad.md", "w", encoding="utf-8") as out:
            out.write("---\ntitle: Huge\n---\n")
            line = "All work and no play makes a very long post. " * 20 + "\n"
            for _ in range(50 * 1024 * 1024 // len(line) + 1):
                out.write(line)
    elif kind == "symlink-loop":
        (posts / "loop").mkdir()
        (posts / "loop" / "again").symlink_to("..", target_is_directory=True)
    else:
        raise AssertionError(f"unknown generator {kind!r}")


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, good_project: Path, tmp_path: Path):
    spec = yaml.safe_load((CORPUS / case / "case.yml").read_text(encoding="utf-8"))
    project = tmp_path / "site"
    shutil.copytree(good_project, project, symlinks=True)
    before = tree_digest(project / "build")
    if (CORPUS / case / "files").is_dir():
        shutil.copytree(CORPUS / case / "files", project, dirs_exist_ok=True)
    if spec.get("generate"):
        generate(spec["generate"], project)

    done = stride(project, "build")

    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if spec["expect"] in line]
    assert lines, f"expected {spec['expect']!r} in:\n{done.stderr}"
    assert lines[0].startswith(spec["expect"].split(":")[0].split("/")[0])  # path first
    assert lines[0].rstrip().endswith(")") and " (" in lines[0], f"no hint in: {lines[0]}"
    assert tree_digest(project / "build") == before
