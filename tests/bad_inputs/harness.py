"""Running Stride against bad input (mistakes and attacks), with a clock and a memory meter, and
counting outcomes.

``run_limited`` starts ``python -m generator ...`` in its own process group, under an address
space limit (a safety net, so a bomb cannot take the shared machine down) and a wall-clock limit,
and reads the peak resident size from ``wait4``. ``record`` adds one outcome to the summary the
bad-input corpus prints at the end (see conftest.py); any test may call it.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT

# The address space cap is well above the 500 MB resident budget: NumPy and OpenBLAS reserve
# far more virtual memory than they touch. It only stops a runaway before the machine swaps.
ADDRESS_SPACE_CAP = 3 * 1024**3
TRACEBACK = "Traceback (most recent call last)"
# ``path:line: message`` or a usage error (``stride ...: error: ...``) is a clear error.
CLEAR = re.compile(r"^(?:[^\s:][^:\n]*:\d+: \S.*|[^\s:][^:\n]*: \S.*|usage: .*|stride[^:\n]*: error: .*)$", re.M)


@dataclass(frozen=True)
class Run:
    """One finished (or killed) process. ``max_rss_mb`` is the peak resident set in MiB of the
    process and the children it waited for; ``seconds`` is wall-clock time."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float
    timed_out: bool
    interrupted: bool = False  # a server that came up and was stopped with SIGINT

    @property
    def output(self) -> str:
        # A server gets its Ctrl-C as soon as "serving " shows, which can fall between print's
        # write of a line and of its newline: stderr's first line must still start a line.
        gap = "\n" if self.stdout and not self.stdout.endswith("\n") else ""
        return self.stdout + gap + self.stderr

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.output


def stride_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def _limit_address_space() -> None:
    os.setpgrp()  # so a timeout can stop the workers too
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def _written_so_far(file) -> str:
    """What the child has written to ``file`` so far. The child shares the file's offset (the
    descriptor is inherited, not opened with O_APPEND): seeking it while the child runs would make
    the child's next write land over its own earlier output, so this reads with pread, which leaves
    the offset alone."""
    size = os.fstat(file.fileno()).st_size
    return os.pread(file.fileno(), size, 0).decode("utf-8", errors="replace")


def run_limited(args: list[str], cwd: Path, seconds: float, *, until: str | None = None,
                env: dict[str, str] | None = None) -> Run:
    """Run ``args`` in ``cwd``; kill its process group after ``seconds``. With ``until``, the
    process is a server: once ``until`` appears in its stdout it gets SIGINT (a Ctrl-C), and the
    run counts as finished when it then exits."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})}
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out, \
            tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as err:
        started = time.monotonic()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   preexec_fn=_limit_address_space)
        timed_out = interrupted = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            elapsed = time.monotonic() - started
            if elapsed > seconds and not timed_out:
                timed_out = True
                os.killpg(process.pid, signal.SIGKILL)
            if until and not interrupted:
                if until in _written_so_far(out):
                    interrupted = True
                    os.kill(process.pid, signal.SIGINT)
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        elapsed = time.monotonic() - started
        try:
            os.killpg(process.pid, signal.SIGKILL)  # nothing of it may linger
        except ProcessLookupError:
            pass
        out.seek(0)
        err.seek(0)
        return Run(tuple(args), process.returncode, out.read(), err.read(), elapsed,
                   usage.ru_maxrss / 1024, timed_out, interrupted)


@dataclass(frozen=True)
class Outcome:
    probe: str
    clear_error: bool = False  # refused with a clear message and a non-zero exit
    built: bool = False  # accepted the input and built a complete site
    traceback: bool = False
    data_lost: bool = False  # the previous build/ changed, or a "successful" build/ is incomplete
    outside_published: bool = False  # a file from outside the project reached build/ or a deploy
    over_budget: bool = False  # slower or bigger than its limits
    seconds: float = 0.0  # of the run, when measured
    rss_mb: float = 0.0


SUMMARY: list[Outcome] = []


def record(probe: str, **flags) -> Outcome:
    outcome = Outcome(probe, **flags)
    SUMMARY.append(outcome)
    return outcome


def summary_line(outcomes: list[Outcome] | None = None) -> str:
    outcomes = SUMMARY if outcomes is None else outcomes
    count = lambda flag: sum(getattr(o, flag) for o in outcomes)  # noqa: E731
    probes = len({o.probe.split(" (")[0] for o in outcomes})
    return (f"bad-input corpus: {probes} probes in {len(outcomes)} runs: {count('clear_error')} clear errors, "
            f"{count('built')} built, {count('traceback')} tracebacks, {count('data_lost')} data lost, "
            f"{count('outside_published')} outside files published, {count('over_budget')} over budget; "
            f"slowest run {max((o.seconds for o in outcomes), default=0):.1f} s, "
            f"largest peak RSS {max((o.rss_mb for o in outcomes), default=0):.0f} MB")
