"""MathJax's full TeX input, as al-folio loads it, from the vendored copy only: every extension
loads on the first page that uses it (and only there), from the site's own sub-path, and the
site-wide macros of ``math: macros:`` in site.yml reach every page."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT
from tests.mini_project import make_mini_project, write

VENDOR = ROOT / "generator" / "theme" / "assets" / "vendor" / "mathjax-3.2.2"
EXTENSIONS = VENDOR / "es5" / "input" / "tex" / "extensions"
CONFIG = ROOT / "generator" / "theme" / "assets" / "js" / "mathjax-config.js"

# One post per kind of macro al-folio writers use; the body of each is typeset in Chromium.
EXTENDED = r"""---
title: Extended TeX
---
Bold vectors $\boldsymbol{x}^\top \boldsymbol{W}$, a colour $\color{red}{a} + b$, a cancel
$\cancel{x} y$, chemistry $\ce{H2O + CO2 -> H2CO3}$, a ket $\bra{\psi}\ket{\phi}$, a definition
$A \coloneqq B$, a box $\bbox[2pt]{x}$ and a code point $\unicode{x263A}$.

$$
\newcommand{\inner}[2]{\langle #1, #2 \rangle}
\def\half{\tfrac{1}{2}}
\inner{u}{v} = \half \lVert u \rVert^2
$$

Site macros: $\R^n \to \norm{x}$ and upright $\upmu$, $20\,\degree$.
"""

PLAIN = r"""---
title: Plain maths
---
Only base and AMS: $\sum_{i=1}^{n} x_i$ and $\begin{aligned} a &= b \end{aligned}$.
"""

SITE_MACROS = r"""
math:
  macros:
    R: '\mathbb{R}'
    norm: ['\left\lVert #1 \right\rVert', 1]
"""


def _autoload_table() -> dict[str, list[list[str]]]:
    """The extra autoload entries of mathjax-config.js, read as JSON (they are written as such)."""
    text = CONFIG.read_text(encoding="utf-8")
    body = text[text.index("autoload: {") + len("autoload: {"):]
    body = body[: body.index("},\n    },")]
    entries = re.findall(r"^\s*(\w+): (\[.*\]),$", body, re.M)
    return {name: json.loads(value) for name, value in entries}


def test_the_autoload_table_names_only_what_the_vendored_packages_define():
    table = _autoload_table()
    assert {"mathtools", "upgreek", "gensymb"} <= set(table)
    for package, (macros, environments) in table.items():
        source = (EXTENSIONS / f"{package}.js").read_text(encoding="utf-8")
        for name in macros + environments:
            # a key of one of the package's command/environment maps: `name:` or `"name":`
            assert re.search(rf'[{{,]"?{re.escape(name)}"?:', source), f"{package} has no {name}"
    assert "coloneqq" in table["mathtools"][0] and "dcases" in table["mathtools"][1]


def test_every_vendored_file_is_listed_with_the_licence():
    manifest = json.loads((VENDOR / "VENDOR.json").read_text())
    on_disk = sorted(p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*")
                     if p.is_file() and p.name != "VENDOR.json")
    assert sorted(manifest["files"]) == on_disk
    assert manifest["version"] == "3.2.2"
    for name in ("autoload", "require", "newcommand", "boldsymbol", "color", "cancel", "mhchem",
                 "braket", "mathtools", "unicode", "bbox", "configmacros"):
        assert f"es5/input/tex/extensions/{name}.js" in manifest["files"]


def _build(root: Path, macros: bool) -> Path:
    mini = make_mini_project(root)
    write(mini / "content" / "posts" / "2030-01-01-extended.md", EXTENDED)
    write(mini / "content" / "posts" / "2030-01-02-plain.md", PLAIN)
    if macros:
        site = mini / "content" / "site.yml"
        site.write_text(site.read_text(encoding="utf-8") + SITE_MACROS, encoding="utf-8")
    assert main(["--source", str(mini), "build", "--base-url", "/my-repo/"]) == 0
    return mini / "build"


@pytest.fixture
def maths_site(tmp_path: Path) -> Path:
    return _build(tmp_path / "mini", macros=True)


def test_site_macros_reach_the_page_config(maths_site: Path):
    html = (maths_site / "posts/extended/index.html").read_text()
    config = re.search(r'<script src="[^"]*mathjax-config[^"]*" data-root="([^"]*)" data-macros="([^"]*)">', html)
    assert config, "the MathJax config script carries the vendored root and the macros"
    assert config.group(1) == "/my-repo/assets/vendor/mathjax-3.2.2/es5"
    macros = json.loads(config.group(2).replace("&#34;", '"').replace("&amp;", "&"))
    assert macros == {"R": "\\mathbb{R}", "norm": ["\\left\\lVert #1 \\right\\rVert", 1]}


def _typeset(page, url: str) -> list[str]:
    """Open ``url``, wait for MathJax to finish; returns every URL the page requested."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url)
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("() => MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    return requested


@pytest.mark.browser
def test_extended_tex_renders_from_the_site_only(maths_site: Path, static_server, page):
    server = static_server(maths_site, "/my-repo/")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    requested = _typeset(page, server.url + "posts/extended/")
    assert page.locator("mjx-merror").count() == 0
    assert page.locator("merror").count() == 0
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex mjx-container").count() >= 10
    assert failed == [] and page.errors == []
    assert all(url.startswith(server.url) for url in requested), [u for u in requested if not u.startswith(server.url)]
    fetched = {Path(url).stem for url in requested if "/input/tex/extensions/" in url}
    # the packages this page's macros need, fetched on demand from the vendored folder
    assert {"boldsymbol", "color", "cancel", "mhchem", "braket", "mathtools", "bbox", "unicode",
            "newcommand", "upgreek", "gensymb", "configmacros"} <= fetched
    mml = html.unescape("\n".join(page.evaluate(
        "() => Array.from(MathJax.startup.document.math).map(m => MathJax.startup.toMML(m.root))")))
    assert "\U0001D411" in mml or "mathvariant=\"double-struck\"" in mml  # \R is \mathbb{R}
    assert "\u2016" in mml or "\u2225" in mml  # \norm's double bars
    assert "\u263A" in mml and "\u03bc" in mml and "\u00b0" in mml


@pytest.mark.browser
@pytest.mark.parametrize("macros", [False, True])
def test_a_page_of_plain_maths_loads_no_extra_extension(macros: bool, tmp_path: Path, static_server, page):
    server = static_server(_build(tmp_path / "mini", macros), "/my-repo/")
    requested = _typeset(page, server.url + "posts/plain/")
    assert page.locator("mjx-merror").count() == 0 and page.errors == []
    fetched = {Path(url).stem for url in requested if "/input/tex/extensions/" in url}
    # site macros need configmacros (which needs newcommand); nothing else this page does not use
    assert fetched == {"ams", "require", "autoload"} | ({"configmacros", "newcommand"} if macros else set())


def test_changing_site_macros_rebuilds_the_pages_with_maths(tmp_path: Path, capsys):
    out = _build(tmp_path / "mini", macros=True)
    site = tmp_path / "mini" / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("\\mathbb{R}", "\\mathbf{R}"), encoding="utf-8")
    capsys.readouterr()
    assert main(["--source", str(tmp_path / "mini"), "build", "--base-url", "/my-repo/"]) == 0
    assert "up to date" not in capsys.readouterr().out
    html = (out / "posts/extended/index.html").read_text()
    assert "mathbf{R}" in html and "mathbb{R}" not in html
    # a page without maths loads no MathJax at all, so carries no macros
    assert "mathjax" not in (out / "posts/second/index.html").read_text().lower()


@pytest.mark.parametrize("macros, message", [
    ("macros: [R]", "'math: macros:' must map macro names to TeX"),
    ("macros: {'R2': x}", "math macro name 'R2' must be letters only"),
    ("macros: {R: [x, 0]}", "macro \\R: the number of arguments must be 1 to 9"),
    ("macros: {R: {a: 1}}", "macro \\R must be TeX text or [TeX, arguments]"),
    ("macros: {f: '#1'}", "macro \\f uses #1 but takes 0 arguments"),
    ("colour: red", "'math' takes only 'macros:'"),
])
def test_bad_site_macros_are_reported_at_their_line(tmp_path: Path, capsys, macros: str, message: str):
    mini = make_mini_project(tmp_path / "mini")
    site = mini / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + f"math:\n  {macros}\n", encoding="utf-8")
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"site\.yml:(7|8): " + re.escape(message), err), err
