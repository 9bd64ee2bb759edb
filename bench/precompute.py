"""The convtranspose data for the default ranges: time to compute, files, bytes, and the most a
single slider change can cost over the network (one axis file, gzipped)."""

from __future__ import annotations

import gzip
import statistics
import time

from generator.plugins.convtranspose.plugin import checked_files
from generator.plugins.convtranspose.precompute import DEFAULT_RANGES

RUNS = 5


def measure() -> dict[str, tuple[float, str, float | None]]:
    times, files = [], {}
    for _ in range(RUNS):
        started = time.perf_counter()
        files = checked_files(DEFAULT_RANGES)  # encode + the build-time check against the API
        times.append(time.perf_counter() - started)
    axis = [blob for path, blob in files.items() if path.startswith("axis/")]
    gz = sorted(len(gzip.compress(blob, 9)) for blob in axis)
    return {
        "cold precompute (default ranges), median": (statistics.median(times), "s", None),
        "files": (len(files), "", 2000),
        "total bytes": (sum(len(b) for b in files.values()), "bytes", 5 * 1024 * 1024),
        "largest axis file, gzipped (= worst slider change)": (gz[-1], "bytes", 4 * 1024),
        "median axis file, gzipped": (gz[len(gz) // 2], "bytes", None),
        "manifest, gzipped": (len(gzip.compress(files["manifest.json"], 9)), "bytes", None),
    }


def main() -> None:
    for name, (value, unit, goal) in measure().items():
        print(f"{name}: {value:g} {unit} (goal {goal})")


if __name__ == "__main__":
    main()
