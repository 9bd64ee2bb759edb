"""Markdown CPU of the 1,000-post synthetic blog (bench.compare's seed) with Stride's pipeline and
with markdown-it-py + mdit-py-plugins set up to cover the same syntax, to decide the engine.

Both run in this process over the same post bodies, after one warm-up document (lexers and
regexes compiled outside the timing, as in a long build); figures are CPU medians of ``RUNS``.

- Stride: ``generator.markdown.render_markdown`` (Python-Markdown + pymdown-extensions + the
  kramdown passes of generator/kramdown.py + Pygments), exactly what a build calls per post
  after Liquid;
- markdown-it-py 4 (CommonMark + tables + strikethrough, typographer for smart quotes) with
  mdit-py-plugins dollarmath, amsmath, footnote, deflist, attrs (block and span), front matter,
  anchors and tasklists, Pygments for fenced code. It has no kramdown passes, no TOC listing and
  no abbreviations: a lower bound on what a switch could cost.

markdown-it-py and mdit-py-plugins are not dependencies of Stride: install them to run this
(``pip install 'markdown-it-py>=4,<5' mdit-py-plugins``); without them the module is skipped.

With Jekyll installed it also counts, for each engine, the cases of the kramdown corpus
(tests/kramdown/cases/) whose structure matches what Jekyll makes of them, by the parity test's
normaliser: how far each engine is from kramdown before any pass of Stride's own.

Run: ``python -m bench markdown_engines`` (about a minute).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import markdown_it  # noqa: F401  (not installed: `python -m bench` skips this module)
import mdit_py_plugins  # noqa: F401

from bench.compare import SEED
from bench.synth import make_site

POSTS = 1000
RUNS = 3
CASES = Path(__file__).resolve().parents[1] / "tests" / "kramdown" / "cases"


def _bodies(site: Path) -> list[str]:
    return [path.read_text(encoding="utf-8").split("---\n", 2)[2]
            for path in sorted((site / "content" / "posts").glob("*.md"))]


def _markdown_it():
    """A markdown-it-py renderer covering what Stride's Markdown covers, as far as plugins go."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)

    def pygmentize(code: str, lang: str, _attrs: str) -> str:
        try:
            lexer = get_lexer_by_name(lang) if lang else None
        except ClassNotFound:
            lexer = None
        return highlight(code, lexer, formatter) if lexer else ""

    md = (MarkdownIt("commonmark", {"typographer": True, "highlight": pygmentize})
          .enable(["table", "strikethrough", "replacements", "smartquotes"])
          .use(front_matter_plugin).use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
          .use(footnote_plugin).use(deflist_plugin).use(attrs_plugin).use(attrs_block_plugin)
          .use(anchors_plugin, max_level=4).use(tasklists_plugin))
    return md.render


def _stride():
    from generator.markdown import render_markdown
    return lambda text: render_markdown(text).html


def _cpu(render, bodies: list[str]) -> float:
    render(bodies[0])
    started = time.process_time()
    for body in bodies:
        render(body)
    return time.process_time() - started


def _corpus_matches(engines: dict) -> dict[str, int]:
    """Engine name -> corpus cases whose normalised HTML equals Jekyll's; {} without Jekyll."""
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        return {}
    from tests.kramdown.jekyll import build_with_jekyll
    from tests.kramdown.normalise import normalise

    with tempfile.TemporaryDirectory(prefix="stride-md-corpus-") as tmp:
        theirs = {name: normalise(html) for name, html in build_with_jekyll(jekyll, CASES, Path(tmp)).items()}
    return {engine: sum(normalise(render((CASES / f"{name}.md").read_text(encoding="utf-8"))) == want
                        for name, want in theirs.items())
            for engine, render in engines.items()}


def measure() -> dict[str, tuple[float, str, float | None]]:
    with tempfile.TemporaryDirectory(prefix="stride-md-engines-") as tmp:
        bodies = _bodies(make_site(Path(tmp) / "site", POSTS, SEED, "stride"))
    engines = {"Stride (Python-Markdown + kramdown passes)": _stride(), "markdown-it-py + plugins": _markdown_it()}
    figures: dict[str, tuple[float, str, float | None]] = {}
    for name, render in engines.items():
        figures[f"CPU Markdown, {POSTS} posts, {name}"] = (
            statistics.median(_cpu(render, bodies) for _ in range(RUNS)), "s", None)
    for name, matched in _corpus_matches(engines).items():
        figures[f"kramdown corpus cases matching Jekyll ({len(list(CASES.glob('*.md')))}), {name}"] = (matched, "", None)
    return figures


if __name__ == "__main__":
    for label, (value, unit, _) in measure().items():
        print(f"{label}: {value:.3f} {unit}")
    sys.exit(0)
