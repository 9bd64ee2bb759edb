"""Edit-to-reload latency of `stride serve` on the example site: from saving a post to the
reload event on the Server-Sent Events stream (the rebuild finishes before the event is sent)."""

from __future__ import annotations

import http.client
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from generator.build import BuildOptions
from generator.serve import DevServer

ROOT = Path(__file__).resolve().parents[1]
EDITS = 9


def _next_event(response) -> str:
    event = ""
    while True:
        line = response.fp.readline().decode()
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line == "\n" and event:
            return event


def _latencies(poll: bool) -> tuple[list[float], str]:
    """Seconds from each save to its reload event, and the watcher mode that saw the saves."""
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        for name in ("content", "templates", "assets"):  # the example's overrides, if it has any
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, site / name)
        dev = DevServer(BuildOptions(source=site, output=site / "build"), port=0, poll=poll,
                        log=lambda *a, **k: None).start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", dev.httpd.server_address[1], timeout=30)
            conn.request("GET", "/__stride/events")
            response = conn.getresponse()
            assert _next_event(response) == "hello"
            post = site / "content/posts/2026-11-24-receptive-fields.md"
            original = post.read_text(encoding="utf-8")
            latencies = []
            for edit in range(EDITS):
                time.sleep(0.3)  # let the watcher settle between saves
                started = time.perf_counter()
                post.write_text(original + f"\nEdit number {edit}.\n", encoding="utf-8")
                event = _next_event(response)
                latencies.append(time.perf_counter() - started)
                assert event == "reload", event
            conn.close()
        finally:
            dev.stop()
    return latencies, dev.watcher.mode


def measure() -> dict[str, tuple[float, str, float | None]]:
    native, mode = _latencies(poll=False)
    polled, _ = _latencies(poll=True)
    return {
        "save -> reload event, median": (statistics.median(native) * 1000, "ms", 300.0),
        "save -> reload event, max": (max(native) * 1000, "ms", None),
        # The first edit after start-up also fills the build's spare tree; reported apart.
        "save -> reload event, first edit": (native[0] * 1000, "ms", None),
        "watcher": (1.0 if mode == "native" else 0.0, "(1 = inotify)", None),
        # The fallback for WSL2 /mnt drives and some mounts: adds up to one polling interval.
        "save -> reload event with --poll, median": (statistics.median(polled) * 1000, "ms", None),
    }


def main() -> None:
    for name, (value, unit, goal) in measure().items():
        print(f"{name}: {value:.1f} {unit} (goal {goal})")


if __name__ == "__main__":
    main()
