"""Run every benchmark, print one table of figures, and write them to bench/results/latest.json.

Usage: ``python -m bench [NAME ...]`` (names: see MODULES and SLOW; ``all`` is every one, the
whole report of issue 7 in one table). Each module exposes ``measure()`` returning
``{figure: (value, unit, goal or None)}``; goals are upper bounds.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

MODULES = ["site_build", "precompute", "explorer", "reload", "cold_budget"]  # the default run: about two minutes
SLOW = ["compare",  # Stride against Pelican and MkDocs at 250/1,000/4,000 posts: about 25 minutes
        "markdown_engines"]  # Stride's Markdown against markdown-it-py (needs it installed): about a minute


def _format(value: float, unit: str) -> str:
    if unit in ("s", "ms"):
        return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"
    if unit == "bytes":
        return f"{value / 1024:.1f} KiB" if value < 1024 * 1024 else f"{value / 1048576:.2f} MiB"
    if not unit and not float(value).is_integer():
        return f"{value:.2f}"  # a ratio
    return f"{value:g} {unit}".strip()


def main(argv: list[str]) -> int:
    wanted = MODULES + SLOW if argv == ["all"] else argv or MODULES
    rows, results, failed = [], {}, False
    for name in wanted:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            print(f"[{name}] skipped: {exc}", file=sys.stderr)
            continue
        started = time.perf_counter()
        figures = module.measure()
        results[name] = {k: {"value": v[0], "unit": v[1], "goal": v[2]} for k, v in figures.items()}
        for figure, (value, unit, goal) in figures.items():
            verdict = "" if goal is None else ("ok" if value <= goal else "MISSED")
            failed |= verdict == "MISSED"
            rows.append((name, figure, _format(value, unit), "" if goal is None else _format(goal, unit), verdict))
        print(f"[{name}] done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    widths = [max(len(str(r[i])) for r in rows + [("bench", "figure", "value", "goal", "")]) for i in range(5)]
    header = ("bench", "figure", "value", "goal", "")
    for row in [header] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": __import__("os").cpu_count()}
    (out / "latest.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2, sort_keys=True))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
