"""Stride against Pelican 4.12 and MkDocs 1.6 on the same synthetic blogs.

    python -m bench.compare [--sizes 250,1000,4000] [--runs 5]

Pelican and MkDocs live in their own virtualenv, ``bench/.venv-compare`` (created on first use
from bench/compare-requirements.txt), never in the project's. For every size and run the three
tools take turns (the order rotates each run) on four measures, each a fresh process:

- cold: empty output and no cache;
- warm: the same build again with nothing changed (each tool's own incremental means: Stride's
  cache and unchanged-file detection, Pelican's content cache, ``mkdocs build --dirty``);
- edit: one post gains a sentence, then the tool builds again (the first edit after a cold build);
- edit_again: the same post gains another sentence and the tool builds once more (the steady state
  of an editing session: Stride's first edit after a cold build still fills its spare output tree);
- edit_serve (Stride only): the same edit rebuilt inside one long-lived process holding its
  memo in memory, as ``stride serve`` rebuilds on save; median of three edits;
- peak memory of the cold build, two ways: ``peak_mb`` is the largest resident set of any one
  process of the build (``wait4``'s ru_maxrss covers the child and the workers it reaped), and
  ``tree_mb`` the largest sum of proportional set sizes over the whole process tree, sampled every
  50 ms (Stride forks Markdown workers; PSS splits their shared copy-on-write pages fairly, so
  the sum is the tree's real footprint, not a double count).

Cleaning before a cold build moves the old output aside instead of deleting it (the trash is
emptied once per size, followed by a pause): on ext4, creating files within about 30 s of deleting
thousands of others makes the kernel scan for recently freed inodes, which slowed whichever tool
ran right after a clean by up to 3x and grew with every run.

Medians are printed with the ratios Stride/Pelican and Stride/MkDocs from the same run, plus the
time per page (least-squares slope of cold time over N). Results go to bench/results/compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from bench.synth import TOOLS, edit_one_post, make_site

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv-compare"
REQUIREMENTS = ROOT / "bench" / "compare-requirements.txt"
SEED = 20261125


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.is_file() or stamp.read_text() != REQUIREMENTS.read_text():
        if not python.is_file():
            venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(REQUIREMENTS.read_text())
    return VENV / "bin"


def command(tool: str, site: Path, bin_dir: Path, incremental: bool) -> list[str]:
    if tool == "stride":
        return [sys.executable, "-m", "generator", "--source", str(site), "build"]
    if tool == "pelican":
        return [str(bin_dir / "pelican"), str(site / "content"), "-o", str(site / "output"),
                "-s", str(site / "pelicanconf.py"), "-q"]
    return [str(bin_dir / "mkdocs"), "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(site / "site")] + \
        (["--dirty"] if incremental else [])


def clean(tool: str, site: Path, trash: Path) -> None:
    """Empty the tool's output and caches by moving them into ``trash`` (see the module notes)."""
    names = {"stride": ["build", ".build.spare", ".build.state.json", ".stride-cache"],
             "pelican": ["output", "cache"], "mkdocs": ["site"]}[tool]
    trash.mkdir(exist_ok=True)
    for name in names:
        target = site / name
        if target.exists() or target.is_symlink():
            target.rename(trash / f"{len(list(trash.iterdir()))}-{tool}-{name}")


def empty_trash(trash: Path, settle: float) -> None:
    shutil.rmtree(trash, ignore_errors=True)
    time.sleep(settle)


# Run in a fresh interpreter: build once (memo loaded from .stride-cache), then rebuild after each
# of three edits with the same Cache object, the way stride serve does. Prints the rebuild times.
_SERVE_EDITS = """
import json, sys, time
from pathlib import Path
from bench.synth import edit_one_post
from generator.build import BuildOptions, build_site
from generator.cache import Cache
site, n, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
options = BuildOptions(source=site, output=site / "build")
cache = Cache(site / ".stride-cache")
build_site(options, cache)
times = []
for _ in range(3):
    edit_one_post(site, "stride", n, seed)
    started = time.perf_counter()
    build_site(options, cache)
    times.append(time.perf_counter() - started)
print(json.dumps(times))
"""


def serve_edits(site: Path, n: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _SERVE_EDITS, str(site), str(n), str(SEED)], cwd=site, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc/PID/task/TID/children (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
            except OSError:
                pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Largest summed PSS (MB) of a process tree, polled every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_mb = pid, interval, 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total = sum(_pss_kb(p) for p in _tree(self.pid)) / 1024
            self.peak_mb = max(self.peak_mb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mb


def timed(cmd: list[str], cwd: Path, sample_tree: bool = False) -> Timing:
    """Run ``cmd`` to completion in ``cwd`` and time it (wall clock, whole process, start-up included)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Output goes to files, not pipes: a chatty build must never block on a full pipe while timed.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = TreeSampler(child.pid) if sample_tree else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        tree = sampler.stop() if sampler else None
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({child.returncode}):\n{stderr[-2000:]}")
    # Stride's summary line ends "... in 0.21 s -> build/": the build itself, without start-up.
    found = _INTERNAL.search(stdout)
    return Timing(seconds, usage.ru_maxrss / 1024, tree, float(found.group(1)) if found else None)


_INTERNAL = re.compile(r" in ([0-9.]+) s\b")


@dataclass(frozen=True)
class Timing:
    seconds: float  # wall clock of the whole process
    peak_mb: float  # largest resident set of one process of the tree (MiB)
    tree_mb: float | None  # largest summed PSS of the tree while it ran (MiB), if sampled
    internal: float | None  # the build's own time as the tool reports it (Stride only), seconds


NAMES = {"stride": "Stride", "pelican": "Pelican", "mkdocs": "MkDocs"}
MEASURES = ("cold", "warm", "edit", "edit_again", "edit_serve", "peak_mb", "tree_mb",
            "cold_internal", "warm_internal", "edit_internal", "edit_again_internal")


def run_comparison(sizes: list[int], runs: int, log=sys.stderr, on_size=None, settle: float = 35.0) -> dict:
    """Medians per size and tool (keys of MEASURES), the raw samples, and ms per page (slope).
    ``on_size(results)`` is called after each size, so a long run leaves partial results behind."""
    bin_dir = ensure_venv()
    results: dict = {"medians": {}, "samples": {}}
    with tempfile.TemporaryDirectory(prefix="stride-compare-") as tmp:
        for n in sizes:
            sites = {tool: make_site(Path(tmp) / f"{tool}-{n}", n, SEED, tool) for tool in TOOLS}
            trash = Path(tmp) / "trash"
            empty_trash(trash, settle)
            samples = {tool: {key: [] for key in MEASURES} for tool in TOOLS}
            for run in range(runs):
                # Rotate who goes first so drift in the machine's load is spread over all tools.
                order = TOOLS[run % 3:] + TOOLS[:run % 3]
                for tool in order:
                    site = sites[tool]
                    clean(tool, site, trash)
                    cold = timed(command(tool, site, bin_dir, False), site, sample_tree=True)
                    warm = timed(command(tool, site, bin_dir, True), site)
                    edit_one_post(site, tool, n, SEED)
                    edit = timed(command(tool, site, bin_dir, True), site)
                    edit_one_post(site, tool, n, SEED)
                    again = timed(command(tool, site, bin_dir, True), site)
                    got = {"cold": cold.seconds, "warm": warm.seconds, "edit": edit.seconds,
                           "edit_again": again.seconds, "edit_again_internal": again.internal,
                           "peak_mb": cold.peak_mb, "tree_mb": cold.tree_mb, "cold_internal": cold.internal,
                           "warm_internal": warm.internal, "edit_internal": edit.internal}
                    if tool == "stride":
                        got["edit_serve"] = statistics.median(serve_edits(site, n))
                    for key, value in got.items():
                        if value is not None:
                            samples[tool][key].append(value)
                print(f"[compare] n={n} run {run + 1}/{runs} done (load {os.getloadavg()[0]:.1f})", file=log)
            results["samples"][n] = samples
            results["medians"][n] = {tool: {k: statistics.median(v) for k, v in s.items() if v}
                                     for tool, s in samples.items()}
            if on_size:
                on_size(results)
    results["complete"] = True
    results["ms_per_page"] = {
        tool: 1000 * _slope(sizes, [results["medians"][n][tool]["cold"] for n in sizes]) if len(sizes) > 1 else None
        for tool in TOOLS}
    return results


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


_ROWS = (("cold", "s", "cold build"), ("warm", "s", "rebuild, nothing changed"),
         ("edit", "s", "rebuild, one post edited"), ("edit_again", "s", "rebuild, same post edited again"),
         ("peak_mb", "MB", "peak RSS, largest process"),
         ("tree_mb", "MB", "peak PSS, whole process tree"))


def table(results: dict, sizes: list[int]) -> str:
    lines = ["| posts | measure | Stride | Pelican | MkDocs | Stride/Pelican | Stride/MkDocs |",
             "|------:|---------|-------:|--------:|-------:|---------------:|--------------:|"]
    for n in sizes:
        row = results["medians"][n]
        for key, unit, label in _ROWS:
            s, p, m = (row[t][key] for t in TOOLS)
            digits = 0 if unit == "MB" else 2
            lines.append(f"| {n:,} | {label} | {s:.{digits}f} {unit} | {p:.{digits}f} {unit} | "
                         f"{m:.{digits}f} {unit} | {s / p:.2f} | {s / m:.2f} |")
    per_page = results.get("ms_per_page", {})
    if all(per_page.get(t) is not None for t in TOOLS):
        s, p, m = (per_page[t] for t in TOOLS)
        lines.append(f"| slope | cold ms per page | {s:.2f} | {p:.2f} | {m:.2f} | {s / p:.2f} | {s / m:.2f} |")
    return "\n".join(lines)


def stride_internal(results: dict, sizes: list[int]) -> list[str]:
    """Stride's own build times (its summary line), to separate interpreter start-up from work."""
    out = []
    for n in sizes:
        row = results["medians"][n]["stride"]
        if {"cold_internal", "warm_internal", "edit_internal"} <= set(row):
            out.append(f"Stride at {n:,} posts, build time without start-up: cold {row['cold_internal']:.2f} s, "
                       f"nothing changed {row['warm_internal']:.2f} s, one post edited {row['edit_internal']:.2f} s, "
                       f"edited again {row.get('edit_again_internal', float('nan')):.2f} s; "
                       f"one post edited under stride serve {row.get('edit_serve', float('nan')):.3f} s")
    return out


def goals(results: dict) -> list[tuple[str, float, str, float, bool]]:
    """(goal, Stride's figure, unit, limit, met) for every goal whose size was measured."""
    medians = results["medians"]
    found = []
    if 1000 in medians:
        row = medians[1000]
        for other in ("pelican", "mkdocs"):
            ratio = row["stride"]["cold"] / row[other]["cold"]
            found.append((f"cold 1,000-post build, Stride/{NAMES[other]} time", ratio, "x", 1 / 3,
                          ratio <= 1 / 3))
    for n in sorted(k for k in medians if k >= 1000):
        row = medians[n]["stride"]
        found.append((f"nothing-changed rebuild at {n:,} posts", row["warm"], "s", 0.5, row["warm"] <= 0.5))
        found.append((f"one-post edit at {n:,} posts (first after a cold build)", row["edit"], "s", 0.3,
                      row["edit"] <= 0.3))
        found.append((f"one-post edit at {n:,} posts (later edits)", row["edit_again"], "s", 0.3,
                      row["edit_again"] <= 0.3))
        if "edit_serve" in row:
            found.append((f"one-post edit at {n:,} posts (stride serve, memo in memory)", row["edit_serve"], "s",
                          0.3, row["edit_serve"] <= 0.3))
    if 4000 in medians:
        row = medians[4000]["stride"]
        peak = max(row["peak_mb"], row.get("tree_mb", 0.0))
        found.append(("peak memory at 4,000 posts (larger of RSS and tree PSS)", peak, "MB", 500, peak < 500))
    return found


def measure(sizes: tuple[int, ...] = (250, 1000, 4000), runs: int = 5) -> dict[str, tuple[float, str, float | None]]:
    """Figures in the ``python -m bench`` shape: {name: (value, unit, upper-bound goal or None)}."""
    results = run_comparison(list(sizes), runs)
    figures: dict[str, tuple[float, str, float | None]] = {}
    for n in sizes:
        for tool in TOOLS:
            for key, unit, label in _ROWS:
                figures[f"{tool} {n} posts {label}"] = (results["medians"][n][tool][key], unit, None)
    for goal, value, unit, limit, _ in goals(results):
        figures[goal] = (value, "" if unit == "x" else unit, limit)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="comma-separated post counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (medians are reported)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    started = time.perf_counter()
    command_line = "python -m bench.compare " + " ".join(argv if argv is not None else sys.argv[1:])

    def save(results: dict) -> None:
        done = sorted(results["medians"])
        meta = {"command": command_line.strip(), "python": platform.python_version(), "cpus": os.cpu_count(),
                "seed": SEED, "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
                "wall_seconds": time.perf_counter() - started, "complete": bool(results.get("complete"))}
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "compare.json").write_text(json.dumps({
            "meta": meta, "sizes": done, "runs": args.runs,
            "medians": {str(k): v for k, v in results["medians"].items()},
            "samples": {str(k): v for k, v in results["samples"].items()},
            "ms_per_page": results.get("ms_per_page"),
            "goals": [{"goal": g, "value": v, "unit": u, "limit": lim, "met": m}
                      for g, v, u, lim, m in goals(results)],
        }, indent=2, sort_keys=True) + "\n")
        if not results.get("complete"):
            print(table(results, done), file=sys.stderr)

    results = run_comparison(sizes, args.runs, on_size=save)
    save(results)
    print(table(results, sizes))
    print()
    for line in stride_internal(results, sizes):
        print(line)
    for goal, value, unit, limit, met in goals(results):
        shown = f"{value:.2f}" if unit == "x" else (f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s")
        bound = f"{limit:.2f}" if unit == "x" else f"{limit:g} {unit}"
        print(f"goal: {goal} = {shown} (limit {bound}): {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
