"""One build of an output folder at a time, and what older or interrupted builds left behind.

The pairs are real processes started together: before the lock, 2 of 18 such pairs left a
partial build/ (no assets/, no .nojekyll) with exit 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import writer
from generator.errors import ContentError
from tests.conftest import ROOT
from tests.mini_project import make_mini_project, tree_digest

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=project, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_mini_project(tmp_path / "site")


def reference_build(project: Path, tmp_path: Path) -> dict[str, str]:
    """The site as one build alone writes it (into a separate folder)."""
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--output", str(tmp_path / "alone")],
                          cwd=project, env=ENV, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return tree_digest(tmp_path / "alone")


def test_ten_pairs_of_simultaneous_builds_each_leave_a_complete_site(project: Path, tmp_path: Path):
    post = project / "content" / "posts" / "2024-01-02-second.md"
    waited = 0
    for round_ in range(10):
        with post.open("a", encoding="utf-8") as out:
            out.write(f"\nEdit {round_}.\n")  # so neither build is "up to date"
        expected = reference_build(project, tmp_path / f"ref{round_}")
        pair = [start(project, "build"), start(project, "build")]
        results = [finish(p) for p in pair]
        for code, output in results:
            assert code == 0, output
            assert "Traceback" not in output
        waited += sum("waiting for another build of build/ (pid " in output for _, output in results)
        assert tree_digest(project / "build") == expected, f"round {round_}: build/ is not the complete site"
        assert not list(project.glob(".build.staging-*"))
    assert waited >= 1  # the builds did overlap, and the second one said why it paused


def test_a_build_beside_the_dev_server_takes_its_turn(project: Path, tmp_path: Path):
    server = start(project, "serve", "--port", "0", "--poll")
    try:
        deadline = time.monotonic() + 60
        log = ""
        while "serving " not in log:
            assert time.monotonic() < deadline and server.poll() is None, log
            log += server.stdout.readline()
        post = project / "content" / "posts" / "2024-01-02-second.md"
        for round_ in range(5):
            with post.open("a", encoding="utf-8") as out:
                out.write(f"\nServer edit {round_}.\n")  # the server rebuilds on its own
            code, output = finish(start(project, "build"))
            assert code == 0, output
            assert (project / "build" / ".nojekyll").exists() and (project / "build" / "assets").is_dir()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    time.sleep(0.1)
    expected = reference_build(project, tmp_path)
    assert tree_digest(project / "build") == expected


def test_a_build_refuses_after_the_stated_wait(project: Path):
    assert finish(start(project, "build"))[0] == 0
    (project / "content" / "posts" / "2024-01-02-second.md").write_text("---\ntitle: Changed\n---\nNew.\n")
    before = tree_digest(project / "build")
    with writer.build_lock(project / "build"):  # another build (this test) holds the folder
        started = time.monotonic()
        code, output = finish(start(project, "build", "--wait", "1"))
        elapsed = time.monotonic() - started
    assert code == 1, output
    assert f"waiting for another build of build/ (pid {os.getpid()})" in output
    assert f"build: another build of this folder (pid {os.getpid()}) is still running after 1 s" in output
    assert "STRIDE_BUILD_WAIT=SECONDS" in output and "Traceback" not in output
    assert 1 <= elapsed < 20
    assert tree_digest(project / "build") == before
    env_wait = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project,
                              env={**ENV, "STRIDE_BUILD_WAIT": "0"}, capture_output=True, text=True, timeout=60)
    assert env_wait.returncode == 0  # the lock was released with the with-block


def test_the_lock_is_reentrant_and_released(tmp_path: Path):
    out = tmp_path / "build"
    with writer.build_lock(out, wait=0):
        with writer.build_lock(out, wait=0):
            pass
        child = subprocess.run([sys.executable, "-c", (
            "import sys; from pathlib import Path; from generator import writer\n"
            "from generator.errors import ContentError\n"
            "try:\n    writer.build_lock(Path(sys.argv[1]), wait=0).__enter__()\n"
            "except ContentError as e:\n    print(e); sys.exit(3)\n"), str(out)],
            env=ENV, capture_output=True, text=True, timeout=60)
        assert child.returncode == 3, child.stderr
    with writer.build_lock(out, wait=0):
        pass


def test_a_bad_wait_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("STRIDE_BUILD_WAIT", "soon")
    with pytest.raises(ContentError, match="STRIDE_BUILD_WAIT='soon' is not a number of seconds"):
        writer.wait_seconds()


# --- what older or interrupted builds left ------------------------------------------------------

def build(project: Path) -> tuple[int, str]:
    return finish(start(project, "build"))


def test_a_stride_build_without_its_marker_is_replaced_with_a_warning(project: Path, tmp_path: Path):
    assert build(project)[0] == 0
    expected = tree_digest(project / "build")
    # What the race between two builds used to leave: pages, but no .nojekyll and no assets/.
    (project / "build" / ".nojekyll").unlink()
    for state in project.glob(".build.state.json"):
        state.unlink()  # as an older Stride, which kept no state
    import shutil
    shutil.rmtree(project / "build" / "assets")
    (project / ".stride-cache" / "stamp.json").unlink()
    code, output = build(project)
    assert code == 0, output
    assert "build: warning: build/ has no .nojekyll (left by an older or interrupted Stride)" in output
    assert tree_digest(project / "build") == expected


def test_a_folder_not_made_by_stride_is_refused_with_the_fix(project: Path):
    (project / "build").mkdir()
    (project / "build" / "index.html").write_text("<h1>my own page</h1>")
    code, output = build(project)
    assert code == 1
    assert "build: refusing to replace a folder that is not a Stride build" in output
    assert "rm -r build)" in output
    assert (project / "build" / "index.html").read_text() == "<h1>my own page</h1>"


def test_a_half_done_fallback_swap_is_repaired(project: Path):
    assert build(project)[0] == 0
    expected = tree_digest(project / "build")
    # Killed between "build -> .build.old-N" and "staging -> build" (the non-Linux fallback),
    # with a staging folder of another killed build beside it.
    os.rename(project / "build", project / ".build.old-4242")
    (project / ".build.staging-abc").mkdir()
    (project / ".build.staging-abc" / "half.html").write_text("half")
    (project / ".stride-cache" / "stamp.json").unlink()
    code, output = build(project)
    assert code == 0, output
    assert "restored build/ from .build.old-4242, left by an interrupted build" in output
    assert tree_digest(project / "build") == expected
    assert not list(project.glob(".build.old-*")) and not list(project.glob(".build.staging-*"))


def test_an_output_that_is_a_file_is_explained(project: Path):
    (project / "build").write_text("not a folder")
    code, output = build(project)
    assert code == 1
    assert "build: output path exists and is not a folder (remove it (rm build) or choose another --output)" in output


def test_threads_of_one_process_take_turns(tmp_path: Path):
    import threading

    out = tmp_path / "build"
    inside, overlaps = [], []

    def hold() -> None:
        with writer.build_lock(out, wait=30, say=lambda message: None):
            inside.append(1)
            if len(inside) > 1:
                overlaps.append(1)
            time.sleep(0.2)
            inside.pop()

    threads = [threading.Thread(target=hold) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not overlaps
