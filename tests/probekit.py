"""Shared pieces of the probes in this folder that need more than a file overlay (symlinks out
of the project, git repositories, sockets): run Stride as a user would and judge the outcome."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT
from tests.mini_project import make_mini_project, tree_digest


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout + self.stderr


def stride(project: Path, *args: str, timeout: float = 60) -> Outcome:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return Outcome(done.returncode, done.stdout, done.stderr)


def built_project(root: Path) -> Path:
    """The mini project, built once, under ``root/site``."""
    project = make_mini_project(root / "site")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    return project


def copy_project(good: Path, where: Path) -> Path:
    shutil.copytree(good, where, symlinks=True)
    return where


def published_bytes(build: Path) -> bytes:
    """Everything in a build, concatenated, to search for a secret that must not be there."""
    return b"\0".join(p.read_bytes() for p in sorted(build.rglob("*")) if p.is_file())


__all__ = ["Outcome", "built_project", "copy_project", "published_bytes", "stride", "tree_digest"]
