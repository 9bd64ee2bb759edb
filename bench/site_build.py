"""Whole-site build of the example project: cold (empty widget cache) and warm (nothing changed).

Cold runs use a fresh cache directory each time, so they include the convtranspose precompute.
Medians of several runs measured in one process, alternating cold and warm.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from generator.build import BuildOptions, build_site

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def measure() -> dict[str, tuple[float, str, float | None]]:
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        warm_cache = tmp_path / "warm-cache"
        build_site(BuildOptions(source=ROOT, output=tmp_path / "warm", cache_dir=warm_cache))
        result = None
        for run in range(RUNS):
            cache = tmp_path / f"cold-cache-{run}"
            started = time.perf_counter()
            result = build_site(BuildOptions(source=ROOT, output=tmp_path / "cold", cache_dir=cache))
            cold.append(time.perf_counter() - started)
            shutil.rmtree(cache, ignore_errors=True)
            started = time.perf_counter()
            build_site(BuildOptions(source=ROOT, output=tmp_path / "warm", cache_dir=warm_cache))
            warm.append(time.perf_counter() - started)
        widget_files = [p for p in result.files if p.startswith("data/")]
        return {
            "cold build, median": (statistics.median(cold), "s", 5.0),
            "warm rebuild (nothing changed), median": (statistics.median(warm), "s", 1.0),
            "pages": (result.pages, "", None),
            "widget data files": (len(widget_files), "", 2000),
            "widget data total": (sum(len(result.files[p]) for p in widget_files), "bytes", 5 * 1024 * 1024),
            "site total": (result.bytes, "bytes", None),
        }


def main() -> None:
    for name, (value, unit, goal) in measure().items():
        print(f"{name}: {value:.3f} {unit} (goal {goal})")


if __name__ == "__main__":
    main()
