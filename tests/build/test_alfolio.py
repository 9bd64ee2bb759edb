"""An al-folio-style post builds unchanged, and MathJax renders every formula in Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from tests.mini_project import write

FIXTURE = Path(__file__).parent / "fixtures" / "2023-07-04-alfolio-style.md"


@pytest.fixture
def alfolio_site(mini: Path) -> Path:
    shutil.copy(FIXTURE, mini / "content" / "posts" / FIXTURE.name)
    write(mini / "templates" / "includes" / "note.html", '<aside class="note">{{ include.text }}</aside>\n')
    assert main(["--source", str(mini), "build", "--base-url", "/my-repo/"]) == 0
    return mini / "build"


def test_alfolio_post_html(alfolio_site: Path):
    html = (alfolio_site / "posts/alfolio-style/index.html").read_text()
    assert '<aside class="note">An included note.</aside>' in html
    assert re.search(r'<p class="lead-paragraph">\s*This paragraph gets a class.', html)
    assert "<!-- an HTML comment that must not show up as text -->" in html
    assert "&lt;!--" not in html
    assert "costs $5 and $10 later" in html
    assert 'id="ref-dumoulin2016guide"' in html
    assert "E = \\sum_{i=1}^{n} x_i * w_i" in html  # math text untouched by Markdown


@pytest.mark.browser
def test_mathjax_renders_everything_and_refs_resolve(alfolio_site: Path, static_server, page):
    server = static_server(alfolio_site, "/my-repo/")
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(server.url + "posts/alfolio-style/")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("() => MathJax.startup.promise")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=20000)
    assert page.locator("mjx-merror").count() == 0
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex mjx-container").count()
    # CHTML draws glyphs with CSS, so read numbers from MathJax's own MathML of each formula.
    mml = "\n".join(page.evaluate(
        "() => Array.from(MathJax.startup.document.math).map(m => MathJax.startup.toMML(m.root))"))
    numbers = dict(re.findall(r'<mtd id="mjx-eqn:([^"]+)">\s*<mtext>\((\d+)\)</mtext>', mml))
    assert numbers == {"eq:cauchy-schwarz": "1", "eq:second": "2"}
    refs = re.findall(r'href="#mjx-eqn%3A([^"]+)"[^>]*>\s*<mtext>([^<]+)</mtext>', mml)
    assert [(target.replace("%3A", ":"), text) for target, text in refs] == [
        ("eq:cauchy-schwarz", "(1)"), ("eq:second", "(2)"), ("eq:second", "2")]
    assert failed == []
    assert page.errors == []
