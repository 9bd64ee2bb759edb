"""The bad-input corpus's shared pieces: a good project built once, and the summary printed at the
end of the run (every probe's outcome, from any test file here that calls ``harness.record``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.mini_project import make_mini_project
from tests.bad_inputs.harness import SUMMARY, run_limited, stride_command, summary_line


@pytest.fixture(scope="session")
def hostile_good_project(tmp_path_factory) -> Path:
    """The mini project with the convtranspose plugin on and a widget post, built once; copy it
    (``fresh_project``) before breaking it."""
    project = make_mini_project(tmp_path_factory.mktemp("hostile-good") / "site")
    site = project / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "plugins:\n  convtranspose: {}\n", encoding="utf-8")
    (project / "content" / "posts" / "2024-02-01-explorer.md").write_text(
        "---\ntitle: Explorer\ndate: 2024-02-01\nwidgets:\n  - plugin: convtranspose\n    id: small\n"
        "    ranges: {height: [1, 4], width: [1, 4], kernel: [1, 3], stride: [1, 2], padding: [0, 1],\n"
        "             output_padding: [0, 1], dilation: [1, 2]}\n---\nA small explorer.\n\n"
        '{% widget "small" %}\n', encoding="utf-8")
    done = run_limited(stride_command("build"), project, 120)
    assert done.returncode == 0, done.output
    return project


@pytest.fixture
def fresh_project(hostile_good_project: Path, tmp_path: Path) -> Path:
    project = tmp_path / "site"
    shutil.copytree(hostile_good_project, project, symlinks=True)
    return project


def pytest_terminal_summary(terminalreporter) -> None:
    if SUMMARY:
        terminalreporter.write_sep("-", "bad-input corpus")
        terminalreporter.write_line(summary_line())
