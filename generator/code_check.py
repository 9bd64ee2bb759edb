"""``stride check --run-code``: run the Python blocks of the posts that ask for it.

A post opts in with ``check_code: python`` in its front matter. Its ```python blocks run in
order as one program (so a later block may use an earlier block's names) in a fresh
interpreter, with the site folder on ``PYTHONPATH`` and a scratch folder as working
directory. A failure is reported at the line of the block that raised.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.content import Document
from generator.errors import Diagnostic
from generator.markdown import python_blocks

KEY = "check_code"
LANGUAGES = ("python",)
_MARKER = "--- stride: block at line {line}"
_MARKER_SEEN = re.compile(r"^--- stride: block at line (\d+)$", re.M)


@dataclass(frozen=True)
class CodeRun:
    """One post's blocks run as one program. ``lines`` are the file lines of the blocks' first
    code lines; ``reached`` how many of them started; ``failed_line`` the block that raised."""

    source: str
    lines: tuple[int, ...]
    returncode: int
    stdout: str
    stderr: str
    reached: int
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and self.reached == len(self.lines)

    @property
    def failed_line(self) -> int:
        return self.lines[self.reached - 1] if self.reached else (self.lines[0] if self.lines else 0)


def wanted(doc: Document) -> Diagnostic | bool:
    """Whether ``doc`` opted in; a Diagnostic when its ``check_code`` value is not understood."""
    value = doc.extra.get(KEY)
    if value in (None, False):
        return False
    if value not in LANGUAGES:
        return Diagnostic(doc.source, doc.line_of(KEY), f"check_code: {value!r} is not a language Stride can run",
                          "write check_code: python, or remove the key")
    return True


def blocks_of(doc: Document) -> list[tuple[int, str]]:
    """The document's Python blocks with their lines in the file (not in the body)."""
    return [(doc.body_line + line - 1, code) for line, code in python_blocks(doc.body)]


def run_blocks(source: str, blocks: list[tuple[int, str]], site: Path, timeout: float = 600) -> CodeRun:
    """Run ``blocks`` (file line, code) as one program in a fresh interpreter."""
    program = "\n".join(f"print({_MARKER.format(line=line)!r}, flush=True)\n{code}" for line, code in blocks)
    lines = tuple(line for line, _ in blocks)
    with tempfile.TemporaryDirectory(prefix="stride-code-") as scratch:
        script = Path(scratch) / "blocks.py"
        script.write_text(program, encoding="utf-8")
        path = os.pathsep.join(p for p in (str(site.resolve()), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path}
        try:
            done = subprocess.run([sys.executable, str(script)], cwd=scratch, env=env, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            return CodeRun(source, lines, -1, out, err, len(_MARKER_SEEN.findall(out)), timed_out=True)
    return CodeRun(source, lines, done.returncode, done.stdout, done.stderr, len(_MARKER_SEEN.findall(done.stdout)))


def problem_of(run: CodeRun, timeout: float) -> Diagnostic:
    if run.timed_out:
        return Diagnostic(run.source, run.failed_line, f"Python block still running after {timeout:g} s",
                          "make it faster or raise --code-timeout")
    last = next((ln for ln in reversed(run.stderr.strip().splitlines()) if ln.strip()), f"exit status {run.returncode}")
    return Diagnostic(run.source, run.failed_line, f"Python block failed: {last.strip()}",
                      "the blocks of a post run in order as one program")


def check_documents(documents: list[Document], site: Path, timeout: float = 600) -> tuple[list[Diagnostic], int, int]:
    """Run every opted-in document's blocks. Returns (problems, posts run, blocks run)."""
    problems: list[Diagnostic] = []
    posts = blocks = 0
    for doc in documents:
        choice = wanted(doc)
        if isinstance(choice, Diagnostic):
            problems.append(choice)
            continue
        if not choice:
            continue
        found = blocks_of(doc)
        if not found:
            problems.append(Diagnostic(doc.source, doc.line_of(KEY), "check_code: python, but the post has no "
                                       "```python block", "remove the key or add the code", "warning"))
            continue
        run = run_blocks(doc.source, found, site, timeout)
        posts += 1
        blocks += run.reached
        if not run.ok:
            problems.append(problem_of(run, timeout))
    return problems, posts, blocks
