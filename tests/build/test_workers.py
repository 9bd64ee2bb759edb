"""No process of a build outlives it: SIGKILL the build while its forked workers run, and every
worker must be gone shortly after (before, 2 workers hung forever in 3 of 10 trials, holding the
cache file open)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.mini_project import make_mini_project, write

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                                reason="forked workers run on Linux with two or more cores")


def children_of(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory) -> Path:
    project = make_mini_project(tmp_path_factory.mktemp("workers") / "site")
    for n in range(80):  # well over the 48 items at which a build starts workers
        write(project / "content" / "posts" / f"2025-01-{n % 28 + 1:02d}-post-{n}.md",
              f"---\ntitle: Post {n}\ntags: [t{n % 7}]\n---\n" + f"Paragraph {n} with $x_{n}$.\n\n" * 40)
    return project


def test_workers_die_when_the_build_is_killed(many_pages: Path, tmp_path: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    caught = 0
    for trial in range(10):
        project = tmp_path / f"trial{trial}"
        shutil.copytree(many_pages, project)
        build = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=project, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers: set[int] = set()
        deadline = time.monotonic() + 60
        while build.poll() is None and time.monotonic() < deadline:
            workers = children_of(build.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.005)
        if build.poll() is not None:
            continue  # finished before the workers were seen; try again with the next trial
        time.sleep(rng.uniform(0, 0.15))  # somewhere in the middle of their work
        workers |= children_of(build.pid)
        build.send_signal(signal.SIGKILL)
        build.wait()
        caught += 1
        grace = time.monotonic() + 3
        while any(alive(pid) for pid in workers) and time.monotonic() < grace:
            time.sleep(0.05)
        survivors = [pid for pid in workers if alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        assert not survivors, f"trial {trial}: workers {survivors} outlived the killed build"
    assert caught >= 8, f"workers were running at the kill in only {caught} of 10 trials"
