"""The bad-input corpus: one folder per case, each overlaying files on a copy of a good project
(tests/bad_inputs/README.md describes ``expect.yml``). Ordinary mistakes and hostile inputs
(bombs, huge values, attacks) run through the same harness: every case runs in a subprocess
under a clock and a memory meter and must end as its ``expect.yml`` says: no traceback, a clear
error (or a complete build), the previous build/ byte for byte intact, within its time and RSS
budget.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tests.bad_inputs import generators
from tests.bad_inputs.harness import CLEAR, record, run_limited, stride_command
from tests.mini_project import tree_digest

CORPUS = Path(__file__).parent
PROBES = sorted(p.name for p in CORPUS.iterdir() if (p / "expect.yml").is_file())
FIELDS = {"about", "commands", "generate", "exit", "error", "message", "intact", "seconds", "rss_mb"}
# The corpus had 41 ordinary mistakes (tests/bad_inputs/) and 34 hostile probes (tests/hostile/)
# when the two were merged: a case may be added, never lost.
AT_LEAST = 75


def load_expect(probe: str) -> dict:
    spec = yaml.safe_load((CORPUS / probe / "expect.yml").read_text(encoding="utf-8"))
    unknown = set(spec) - FIELDS
    assert not unknown, f"{probe}/expect.yml: unknown fields {sorted(unknown)}"
    assert spec.get("about"), f"{probe}/expect.yml: say what the probe is about"
    if "error" in spec:
        assert re.match(r"[^\s:][^:]*:", spec["error"]), \
            f"{probe}/expect.yml: error must start with the path of the file at fault ({spec['error']!r})"
    return spec


def complete_site(build: Path) -> bool:
    return all((build / name).exists() for name in (".nojekyll", "index.html", "feed.xml", "404.html", "assets"))


def error_line_problem(spec: dict, stderr: str) -> str | None:
    """What is wrong with the line that should report ``spec["error"]``, or None: it must be on
    stderr, begin with the file's path and end with a hint in parentheses."""
    lines = [line for line in stderr.splitlines() if spec["error"] in line]
    if not lines:
        return f"no line on stderr holds {spec['error']!r}"
    line, path = lines[0].rstrip(), spec["error"].split(":")[0]
    if not line.startswith(path):
        return f"the error line does not start with {path!r}: {line}"
    if not (line.endswith(")") and " (" in line):
        return f"no hint in parentheses at the end of: {line}"
    return None


def test_the_corpus_is_valid():
    assert len(PROBES) >= AT_LEAST
    for probe in PROBES:
        load_expect(probe)
    assert not [p.name for p in CORPUS.iterdir() if (p / "files").is_dir() and p.name not in PROBES], \
        "a folder with files/ but no expect.yml is not run"


@pytest.mark.parametrize("probe", PROBES)
def test_probe(probe: str, fresh_project: Path, tmp_path: Path):
    spec = load_expect(probe)
    commands = spec.get("commands", ["build"])
    expected_exit = spec.get("exit", 1)
    intact = spec.get("intact", expected_exit != 0)
    pristine = tmp_path / "pristine"
    shutil.copytree(fresh_project, pristine, symlinks=True)
    problems = []
    for number, command in enumerate(commands):
        words = command.split() if isinstance(command, str) else [str(w) for w in command]
        project = fresh_project if number == 0 else tmp_path / f"run{number}"
        if number:
            shutil.copytree(pristine, project, symlinks=True)
        before = tree_digest(project / "build")
        if (CORPUS / probe / "files").is_dir():
            shutil.copytree(CORPUS / probe / "files", project, dirs_exist_ok=True, symlinks=True)
        if spec.get("generate"):
            getattr(generators, spec["generate"].replace("-", "_"))(project)
        serve = words[0] == "serve"
        if serve and "--port" not in words:
            words += ["--port", "0"]
        done = run_limited(stride_command(*words), project, spec.get("seconds", 30),
                           until="serving " if serve else None)
        where = f"{probe} ({' '.join(words)}): exit {done.returncode} in {done.seconds:.1f} s, " \
                f"{done.max_rss_mb:.0f} MB\n{done.output[-3000:]}"
        message_ok = re.search(spec["message"], done.output, re.M) is not None if spec.get("message") else True
        error_problem = error_line_problem(spec, done.stderr) if spec.get("error") else None
        # Any "Traceback" at all, not only Python's header line: no stack trace reaches the user.
        traceback = done.traceback or "Traceback" in done.output
        clear = done.returncode != 0 and not traceback and CLEAR.search(done.stderr) is not None
        lost = (intact and tree_digest(project / "build") != before) or \
               (done.returncode == 0 and not done.interrupted and (project / "build").exists()
                and not complete_site(project / "build"))
        over = done.timed_out or done.seconds > spec.get("seconds", 30) or done.max_rss_mb > spec.get("rss_mb", 500)
        # A server that came up and reported the problem while serving the last good site
        # counts as a clear error too.
        clear = clear or (done.interrupted and message_ok and not traceback)
        record(f"{probe} ({words[0]})", clear_error=clear, built=done.returncode == 0 and not done.interrupted,
               traceback=traceback, data_lost=lost, over_budget=over, seconds=done.seconds,
               rss_mb=done.max_rss_mb)
        if traceback:
            problems.append(f"traceback: {where}")
        if not done.interrupted and done.returncode != expected_exit:
            problems.append(f"expected exit {expected_exit}: {where}")
        if not message_ok:
            problems.append(f"no line matches {spec['message']!r}: {where}")
        if error_problem:
            problems.append(f"{error_problem}: {where}")
        if lost:
            problems.append(f"build/ changed or incomplete: {where}")
        if over:
            problems.append(f"over budget ({spec.get('seconds', 30)} s, {spec.get('rss_mb', 500)} MB): {where}")
    assert not problems, "\n\n".join(problems)
