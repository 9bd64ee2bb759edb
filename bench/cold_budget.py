"""Where a cold build of the 1,000-post synthetic blog spends its CPU, and how fast two cores could
possibly build it.

Each run is a fresh interpreter that builds the blog of ``bench.compare`` (same seed) with an
empty cache and the worker processes off, so every stage's CPU is counted in that one process.
Stages are timed by thin wrappers around the functions ``generator.build`` calls (reading,
Markdown, linking, page templates, writing); what is left is the glue between them (plugins,
fingerprints, the memo). Two floors follow, both generous (perfect use of two cores, no cost
for forking or for moving results between processes):

- whole build: interpreter start-up with Stride's imports, plus half the build's CPU;
- Markdown only: start-up plus half the Markdown CPU, as if nothing else had to happen.

For scale, the same post bodies go through Python-Markdown configured as ``bench.synth``
configures Pelican (codehilite, extra, toc, arithmatex): the Markdown work Pelican does.

Run: ``python -m bench cold_budget`` (about 15 s). Figures are medians of ``RUNS`` runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.compare import SEED
from bench.synth import make_site

ROOT = Path(__file__).resolve().parents[1]
POSTS = 1000
RUNS = 3
STAGES = ("read + front matter", "Markdown", "link posts", "page templates", "write build/")


def _stage_cpu(site: Path) -> dict[str, float]:
    """One cold build of ``site`` in this process, workers off: CPU seconds per stage, "build"
    for the whole build and "other" for what no stage covers. Call in a fresh interpreter."""
    import threading

    import generator.build as build
    import generator.markdown as markdown
    import generator.site as site_lists
    import generator.templates as templates
    import generator.writer as writer

    spent: dict[str, float] = defaultdict(float)

    def timed(stage: str, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - started
        return wrapper

    build.load_documents = timed("read + front matter", build.load_documents)
    # The build imports render_document where it calls it (see build._Build._while_reading).
    markdown.render_document = timed("Markdown", markdown.render_document)
    site_lists._link_all = timed("link posts", site_lists._link_all)  # what page_specs links with
    build.write_atomically = timed("write build/", build.write_atomically)
    # Pages are written into the staging tree as they are rendered (writer.Prestaged.put).
    writer.Prestaged.put = timed("write build/", writer.Prestaged.put)
    templates.Renderer.render = timed("page templates", templates.Renderer.render)
    # The build forks workers only while it is the sole thread (see generator.workers).
    hold = threading.Event()
    threading.Thread(target=hold.wait, daemon=True).start()
    started = time.process_time()
    build.build_site(build.BuildOptions(source=site, output=site / "build", cache_dir=site / ".stride-cache"))
    total = time.process_time() - started
    hold.set()
    return {**spent, "build": total, "other": total - sum(spent.values())}


def _pelican_markdown_cpu(site: Path) -> float:
    """CPU seconds for Python-Markdown, set up as the Pelican site of bench.synth, over every post."""
    import markdown

    bodies = [path.read_text(encoding="utf-8").split("---\n", 2)[2]
              for path in sorted((site / "content" / "posts").glob("*.md"))]
    md = markdown.Markdown(extensions=["codehilite", "extra", "toc", "pymdownx.arithmatex"],
                           extension_configs={"codehilite": {"css_class": "highlight"},
                                              "pymdownx.arithmatex": {"generic": True}},
                           output_format="html5")
    md.convert(bodies[0])  # lexer regexes compiled outside the timing, as in a long build
    started = time.process_time()
    for body in bodies:
        md.reset()
        md.convert(body)
    return time.process_time() - started


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def in_fresh_interpreter(*args: str) -> str:
    """Last line ``python -m bench.cold_budget ARGS`` prints; its stderr passes through."""
    done = subprocess.run([sys.executable, "-m", "bench.cold_budget", *args], env=_env(), cwd=ROOT,
                          stdout=subprocess.PIPE, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def _startup_seconds() -> float:
    """Wall time of a new interpreter that imports Stride's build pipeline and exits."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import generator.build"], cwd=ROOT, check=True, env=_env())
    return time.perf_counter() - started


def measure() -> dict[str, tuple[float, str, float | None]]:
    runs: list[dict[str, float]] = []
    startups, pelican = [], []
    with tempfile.TemporaryDirectory(prefix="stride-cold-budget-") as tmp:
        for run in range(RUNS):
            site = make_site(Path(tmp) / f"site-{run}", POSTS, SEED, "stride")
            runs.append(json.loads(in_fresh_interpreter("--stages", str(site))))
            startups.append(_startup_seconds())
            pelican.append(float(in_fresh_interpreter("--pelican-markdown", str(site))))
    cpu = {key: statistics.median(run.get(key, 0.0) for run in runs) for key in (*STAGES, "other", "build")}
    startup = statistics.median(startups)
    figures: dict[str, tuple[float, str, float | None]] = {
        "start-up with imports (wall)": (startup, "s", None)}
    figures.update({f"CPU {stage}": (cpu[stage], "s", None) for stage in (*STAGES, "other")})
    figures["CPU whole build, one process"] = (cpu["build"], "s", None)
    figures["two-core floor, whole build"] = (startup + cpu["build"] / 2, "s", None)
    figures["two-core floor, Markdown only"] = (startup + cpu["Markdown"] / 2, "s", None)
    figures["CPU Markdown as Pelican sets it up, same posts"] = (statistics.median(pelican), "s", None)
    return figures


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stages"]:
        print(json.dumps(_stage_cpu(Path(argv[1]))))
    elif argv[:1] == ["--pelican-markdown"]:
        print(_pelican_markdown_cpu(Path(argv[1])))
    else:
        for name, (value, unit, _) in measure().items():
            print(f"{name}: {value:.3f} {unit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
