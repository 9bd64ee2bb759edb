"""Forked workers: they share a list's work with the build process and give the results back in
order, a lost worker costs only the chunk it held, and no process of a build outlives it
(SIGKILL the build while its workers run: before the parent-death signal, 2 workers hung forever
in 3 of 10 trials, holding the cache file open)."""

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

from generator import workers as workers_module
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
            if workers:
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


@pytest.fixture
def forking(monkeypatch):
    """map_in_workers forks here as in a quiet build process with two cores (other tests leave
    threads behind, which rightly keeps a real build from forking)."""
    monkeypatch.setattr(workers_module.threading, "active_count", lambda: 1)
    monkeypatch.setattr(workers_module.os, "cpu_count", lambda: 2)


def _busy(item: int) -> tuple[int, int]:
    """``item`` doubled, and which process doubled it, after about a millisecond of work."""
    until = time.perf_counter() + 0.001
    while time.perf_counter() < until:
        pass
    return item * 2, os.getpid()


def test_the_build_process_and_its_worker_share_the_work_and_results_come_in_order(forking):
    results = list(workers_module.map_in_workers(_busy, list(range(400))))
    assert [value for value, _ in results] == [item * 2 for item in range(400)]
    by = {pid: sum(1 for _, p in results if p == pid) for pid in {pid for _, pid in results}}
    assert os.getpid() in by and len(by) == 2  # this process and one worker
    assert min(by.values()) >= 400 // 4  # each took a fair part, neither waited for the other
    worker = next(pid for pid in by if pid != os.getpid())
    assert not alive(worker)  # the worker is gone (and waited for) once the results are in


def test_a_worker_works_on_while_the_build_process_is_busy_meanwhile(forking):
    """Results far larger than the pipe (6.4 MB against 1 MB), and the build process busy for a
    second before it reads any: the worker does not wait for room in the pipe but does every
    item in that second, keeping what it could not send yet. (Waiting, it stopped after about
    1 MB of results and left the rest to the build process.)"""
    busy_until = []

    def meanwhile() -> None:
        time.sleep(1.0)
        busy_until.append(time.monotonic())

    def large(item: int) -> tuple[int, int, float, bytes]:
        value, pid = _busy(item)
        return value, pid, time.monotonic(), bytes(32 * 1024)

    results = list(workers_module.map_in_workers(large, list(range(200)), meanwhile=meanwhile))
    assert [value for value, _, _, _ in results] == [item * 2 for item in range(200)]
    assert all(pid != os.getpid() and done < busy_until[0] for _, pid, done, _ in results)


def test_a_lost_worker_costs_only_the_chunk_it_held(forking):
    """A worker that dies (killed, out of memory) leaves None for each item of the chunk it was
    doing, for the caller to do itself; every other item is done by someone."""
    parent = os.getpid()

    def doubled_or_die(item: int) -> int:
        if item == 100 and os.getpid() != parent:
            os._exit(9)
        return _busy(item)[0]

    results = list(workers_module.map_in_workers(doubled_or_die, list(range(400))))
    lost = [index for index, value in enumerate(results) if value is None]
    assert all(value == index * 2 for index, value in enumerate(results) if value is not None)
    chunk = workers_module.CHUNK
    # Item 100 was done here (nothing lost) or by the worker, which lost exactly its chunk.
    assert lost in ([], list(range(100 // chunk * chunk, 100 // chunk * chunk + chunk)))


def test_an_error_in_a_worker_leaves_its_chunk_to_the_caller(forking):
    """An exception in a worker is not lost in the worker: the caller gets None for its chunk
    and, doing those items itself, meets the error where it can report it."""
    parent = os.getpid()

    def doubled_or_fail(item: int) -> int:
        if os.getpid() != parent:
            raise ValueError("cannot double here")
        return _busy(item)[0]

    results = list(workers_module.map_in_workers(doubled_or_fail, list(range(200))))
    assert None in results  # the worker took some chunks and gave each back as None
    assert all(value in (None, index * 2) for index, value in enumerate(results))


def test_no_workers_for_a_few_items_or_with_other_threads(forking, monkeypatch):
    assert workers_module.map_in_workers(_busy, list(range(workers_module.PARALLEL_THRESHOLD - 1))) is None
    monkeypatch.setattr(workers_module.threading, "active_count", lambda: 2)
    assert workers_module.map_in_workers(_busy, list(range(400))) is None


def test_every_chunk_is_taken_once_when_workers_race_for_them(forking, monkeypatch):
    """Chunks of one item: the two processes race for all 300 tickets of the pipe."""
    monkeypatch.setattr(workers_module, "CHUNK", 1)
    results = list(workers_module.map_in_workers(_busy, list(range(300))))
    assert [value for value, _ in results] == [item * 2 for item in range(300)]
    assert len({pid for _, pid in results}) == 2


def test_without_room_for_the_tickets_this_process_does_everything(forking, monkeypatch):
    monkeypatch.setattr(workers_module, "_ticket_pipe", lambda count: None)
    called = []
    results = list(workers_module.map_in_workers(_busy, list(range(100)), meanwhile=lambda: called.append(1)))
    assert results == [(item * 2, os.getpid()) for item in range(100)]
    assert not called  # no workers started, so nothing to do meanwhile


def test_the_workers_module_imports_nothing_heavy_before_the_fork():
    """multiprocessing and ctypes cost 20-35 ms of every build's serial start-up."""
    probe = ("import sys\nimport generator.workers\n"
             "print([name for name in ('multiprocessing', 'ctypes') if name in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]"
