"""The explorer in headless Chromium on the built example site: time from a slider `input` event
to `data-state="ready"` (neighbour prefetched, and cold from the local server), to the next painted
frame (includes waiting for the next 60 Hz frame), bytes fetched per slider change, the redraw
(input event to the visible view drawn, data loaded) at the initial and the heaviest setting, the
axis files a per-axis slider change fetches, and the page's JS + CSS weight without MathJax."""

from __future__ import annotations

import functools
import gzip
import http.server
import statistics
import tempfile
import threading
from pathlib import Path

from generator.build import BuildOptions, build_site

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Redraws around one setting: each move and its way back, data already loaded.
INITIAL_REDRAWS = [("width", 4), ("width", 3), ("kernel", 2), ("kernel", 3), ("padding", 0), ("padding", 1),
                   ("kernel_w", 2), ("kernel_w", 3), ("height", 4), ("height", 3), ("stride_h", 3), ("stride_h", 2)]
HEAVY = [("height", 8), ("width", 8), ("kernel", 5), ("stride", 4), ("padding", 0), ("output_padding", 3), ("dilation", 3)]
HEAVY_REDRAWS = [("padding", 1), ("padding", 0), ("output_padding", 2), ("output_padding", 3), ("kernel_w", 4),
                 ("kernel_w", 5), ("dilation_h", 2), ("dilation_h", 3), ("stride_w", 3), ("stride_w", 4),
                 ("width", 7), ("width", 8)]
PER_AXIS = [("kernel_h", 4), ("stride_w", 3), ("padding_h", 2), ("output_padding_w", 0), ("dilation_h", 2),
            ("kernel_w", 2), ("padding", 1), ("stride_h", 1)]
MOVES = [("kernel", 4), ("stride", 3), ("padding", 2), ("dilation", 2), ("kernel", 5), ("stride", 2),
         ("padding", 1), ("dilation", 1), ("kernel", 3), ("output_padding", 0), ("stride", 1), ("kernel", 2)]

# Dispatch one slider change and resolve with the milliseconds until data-state is "ready".
_MOVE = """async ([name, value, cold]) => {
  const root = document.querySelector('[data-widget="convtranspose"]');
  if (cold) { root.stride.data.files.clear(); root.stride.data.ready.clear(); }
  const before = root.stride.data.bytes;
  const requests = root.stride.data.requests;
  const input = root.querySelector(`input[name="${name}"]`);
  const ready = () => root.dataset.state === 'ready' || root.dataset.state === 'invalid';
  const t0 = performance.now();
  input.value = value;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  if (!ready() || root.dataset.state === 'loading') {
    await new Promise((resolve) => {
      const watch = new MutationObserver(() => { if (ready()) { watch.disconnect(); resolve(); } });
      watch.observe(root, {attributes: true, attributeFilter: ['data-state']});
    });
  }
  const elapsed = performance.now() - t0;
  const fetched = root.stride.data.bytes - before;
  const files = root.stride.data.requests - requests; // before the neighbours' prefetch task
  // The next frame: style, layout and paint of the new drawing, which data-state does not cover.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return [elapsed, fetched, performance.now() - t0, files];
}"""

_SET = """(moves) => {
  const root = document.querySelector('[data-widget="convtranspose"]');
  for (const [n, v] of moves) {
    const input = root.querySelector(`input[name="${n}"]`);
    input.value = v;
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def measure() -> dict[str, tuple[float, str, float | None]]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        build_site(BuildOptions(source=ROOT, output=out, cache_dir=None))
        handler = functools.partial(_Quiet, directory=str(out))
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_address[1]}/posts/transposed-convolution/"
        warm, cold, cold_bytes, warm_bytes, warm_frame = [], [], [], [], []
        weight = 0
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            loaded: set[str] = set()
            page.on("response", lambda r: loaded.add(r.url) if r.ok else None)
            page.goto(url)
            page.wait_for_function("document.querySelector('[data-widget]').dataset.state === 'ready'")
            def redraws(moves):
                times = []
                for name, value in moves:
                    page.wait_for_timeout(250)  # prefetch landed, hidden views drawn in idle time
                    times.append(page.evaluate(_MOVE, [name, value, False])[0])
                return times

            initial_redraw = redraws(INITIAL_REDRAWS)
            for name, value in MOVES:
                page.wait_for_timeout(250)  # prefetch of the neighbours has landed
                elapsed, fetched, frame, _ = page.evaluate(_MOVE, [name, value, False])
                warm.append(elapsed)
                warm_bytes.append(fetched)
                warm_frame.append(frame)
            for name, value in MOVES:
                elapsed, fetched, _, _ = page.evaluate(_MOVE, [name, value - 1 if value > 1 else value + 1, True])
                cold.append(elapsed)
                cold_bytes.append(fetched)
            # Per-axis moves with nothing loaded: the files the change itself needs.
            page.evaluate(_SET, [["kernel", 3], ["stride", 2], ["padding", 1], ["output_padding", 1], ["dilation", 1],
                                 ["height", 5], ["width", 5]])
            page.wait_for_timeout(300)
            per_axis_files = [page.evaluate(_MOVE, [name, value, True])[3] for name, value in PER_AXIS]
            # The heaviest drawing the default ranges allow: a 44×44 output and a 56×56 X′.
            page.evaluate(_SET, [list(move) for move in HEAVY[:-1]] + [["dilation", 2]])
            page.wait_for_timeout(1500)  # its first drawing and the hidden views' idle drawing are done
            largest, _, largest_frame, _ = page.evaluate(_MOVE, ["dilation", 3, False])
            heavy_redraw = redraws(HEAVY_REDRAWS)
            browser.close()
            for address in sorted(loaded):
                if address.endswith((".js", ".css")) and "mathjax" not in address:
                    weight += len(gzip.compress((out / address.split("/", 3)[3]).read_bytes(), 9))
        httpd.shutdown()
    return {
        "slider input -> ready, prefetched, median": (statistics.median(warm), "ms", 16.0),
        "slider input -> next frame painted, prefetched, median": (statistics.median(warm_frame), "ms", None),
        "slider input -> ready, cold fetch, median": (statistics.median(cold), "ms", 50.0),
        "redraw (slider input -> visible view drawn), initial setting, median": (statistics.median(initial_redraw), "ms", 4.0),
        "redraw, heaviest setting (8x8, k5, s4, d3: 44x44 output), median": (statistics.median(heavy_redraw), "ms", 16.0),
        "axis files fetched by a per-axis slider change (nothing loaded), max": (max(per_axis_files), "files", 2),
        "slider input -> ready, largest drawing (44x44 output), prefetched": (largest, "ms", None),
        "slider input -> next frame, largest drawing, prefetched": (largest_frame, "ms", None),
        "JSON bytes fetched before ready per prefetched slider change, max": (max(warm_bytes), "bytes", 0),
        "JSON bytes fetched per cold slider change (uncompressed), median": (statistics.median(cold_bytes), "bytes", None),
        "page JS + CSS without MathJax, gzipped": (weight, "bytes", 60 * 1024),
    }


def main() -> None:
    for name, (value, unit, goal) in measure().items():
        print(f"{name}: {value:.1f} {unit} (goal {goal})")


if __name__ == "__main__":
    main()
