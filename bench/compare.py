"""Stride against Pelican 4.12 and MkDocs 1.6 on the same synthetic blogs.

    python -m bench.compare [--sizes 250,1000,4000] [--runs 5]

Pelican and MkDocs live in their own virtualenv, ``bench/.venv-compare`` (created on first use
from bench/compare-requirements.txt), never in the project's. For every size and run the three
tools take turns (the order rotates each run) on four measures, each a fresh process:

- cold: empty output and no cache;
- warm: the same build again with nothing changed (each tool's own incremental means: Stride's
  cache and unchanged-file detection, Pelican's content cache, ``mkdocs build --dirty``);
- edit: one post gains a sentence, then the tool builds again;
- peak memory: the largest resident set of the cold build's process (``wait4``'s ru_maxrss).

Medians are printed with the ratios Stride/Pelican and Stride/MkDocs from the same run, plus the
time per page (least-squares slope of cold time over N). Results go to bench/results/compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
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


def clean(tool: str, site: Path) -> None:
    names = {"stride": ["build", ".build.spare", ".build.state.json", ".stride-cache"],
             "pelican": ["output", "cache"], "mkdocs": ["site"]}[tool]
    for name in names:
        target = site / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one child process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({child.returncode}):\n{error[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def measure(sizes: list[int], runs: int) -> dict:
    bin_dir = ensure_venv()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="stride-compare-") as tmp:
        for n in sizes:
            sites = {tool: make_site(Path(tmp) / f"{tool}-{n}", n, SEED, tool) for tool in TOOLS}
            samples = {tool: {"cold": [], "warm": [], "edit": [], "peak_mb": []} for tool in TOOLS}
            for run in range(runs):
                order = TOOLS[run % 3:] + TOOLS[:run % 3]
                for tool in order:
                    site = sites[tool]
                    clean(tool, site)
                    cold, peak = timed(command(tool, site, bin_dir, False), site)
                    warm, _ = timed(command(tool, site, bin_dir, True), site)
                    edit_one_post(site, tool, n, SEED)
                    edit, _ = timed(command(tool, site, bin_dir, True), site)
                    for key, value in (("cold", cold), ("warm", warm), ("edit", edit), ("peak_mb", peak)):
                        samples[tool][key].append(value)
                print(f"[compare] n={n} run {run + 1}/{runs} done", file=sys.stderr)
            results[n] = {tool: {k: statistics.median(v) for k, v in s.items()} for tool, s in samples.items()}
    for tool in TOOLS:
        xs = [n for n in sizes]
        ys = [results[n][tool]["cold"] for n in sizes]
        results.setdefault("ms_per_page", {})[tool] = 1000 * _slope(xs, ys) if len(xs) > 1 else None
    return results


def _slope(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def table(results: dict, sizes: list[int]) -> str:
    lines = ["| posts | measure | Stride | Pelican | MkDocs | Stride/Pelican | Stride/MkDocs |",
             "|------:|---------|-------:|--------:|-------:|---------------:|--------------:|"]
    for n in sizes:
        row = results[n]
        for key, unit in (("cold", "s"), ("warm", "s"), ("edit", "s"), ("peak_mb", "MB")):
            s, p, m = (row[t][key] for t in TOOLS)
            lines.append(f"| {n:,} | {key} | {s:.2f} {unit} | {p:.2f} {unit} | {m:.2f} {unit} | "
                         f"{s / p:.2f} | {s / m:.2f} |")
    per_page = results.get("ms_per_page", {})
    if all(per_page.get(t) is not None for t in TOOLS):
        s, p, m = (per_page[t] for t in TOOLS)
        lines.append(f"| slope | ms per page | {s:.2f} | {p:.2f} | {m:.2f} | {s / p:.2f} | {s / m:.2f} |")
    return "\n".join(lines)


def verdicts(results: dict) -> list[str]:
    out = []
    if 1000 in results:
        row = results[1000]
        ratio = max(row["stride"]["cold"] / row["pelican"]["cold"], row["stride"]["cold"] / row["mkdocs"]["cold"])
        out.append(f"cold 1,000 posts, Stride/slowest-ratio {ratio:.2f} (goal <= 0.33): "
                   + ("met" if ratio <= 1 / 3 else "MISSED"))
        warm, edit = row["stride"]["warm"], row["stride"]["edit"]
        out.append(f"nothing-changed rebuild at 1,000 posts {warm:.2f} s (goal <= 0.5 s, whole process): "
                   + ("met" if warm <= 0.5 else "MISSED"))
        out.append(f"one-post edit at 1,000 posts {edit:.2f} s (goal <= 0.3 s, whole process): "
                   + ("met" if edit <= 0.3 else "MISSED"))
    if 4000 in results:
        peak = results[4000]["stride"]["peak_mb"]
        out.append(f"peak memory at 4,000 posts {peak:.0f} MB (goal < 500 MB): " + ("met" if peak < 500 else "MISSED"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="comma-separated post counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (medians are reported)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = measure(sizes, args.runs)
    print(table(results, sizes))
    for line in verdicts(results):
        print(line)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "compare.json").write_text(json.dumps({"sizes": sizes, "runs": args.runs, "results": {
        str(k): v for k, v in results.items()}}, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
