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
        # The budget (<= 2,000 files, <= 5 MB) is per widget data set (one folder per set of
        # ranges); the example site has three sets, reported together without a goal.
        sets: dict[str, list[str]] = {}
        for path in widget_files:
            sets.setdefault("/".join(path.split("/")[:3]), []).append(path)
        largest = max(sets.values(), key=len)
        return {
            "cold build, median": (statistics.median(cold), "s", 5.0),
            "warm rebuild (nothing changed), median": (statistics.median(warm), "s", 1.0),
            "pages": (result.pages, "", None),
            "widget data sets": (len(sets), "", None),
            "largest widget data set, files": (len(largest), "", 2000),
            "largest widget data set, bytes": (sum(len(result.files[p]) for p in largest), "bytes", 5 * 1024 * 1024),
            "widget data files, all sets": (len(widget_files), "", None),
            "widget data bytes, all sets": (sum(len(result.files[p]) for p in widget_files), "bytes", None),
            "site total": (result.bytes, "bytes", None),
        }


def main() -> None:
    for name, (value, unit, goal) in measure().items():
        print(f"{name}: {value:.3f} {unit} (goal {goal})")


if __name__ == "__main__":
    main()
