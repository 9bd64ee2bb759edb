"""Probe: the whole site works under the documented strict Content-Security-Policy, styles too.

Under ``style-src 'self'`` browsers drop inline <style> elements and style="" attributes. The
maths (MathJax CommonHTML draws every glyph from CSS it generates) and table column alignment
used to vanish; both must survive, with no CSP violation reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import STRICT_CSP, build_project
from tests.mini_project import make_mini_project, write

POST = r"""---
title: Maths and tables
---
Inline $$\sigma(x) = \frac{1}{1 + e^{-x}}$$ and a display:

$$
\sum_{i=1}^{n} \alpha_i^2 \ne \int_0^\infty \mathbb{E}[x]\, dx
$$

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | 1     |
| long left cell | c | 22 |
"""


@pytest.fixture(scope="module")
def strict_site(tmp_path_factory) -> Path:
    project = make_mini_project(tmp_path_factory.mktemp("csp") / "site")
    write(project / "content" / "posts" / "2030-01-01-maths.md", POST)
    out = project / "build"
    build_project(project, out)
    return out


@pytest.mark.browser
def test_maths_and_table_alignment_survive_a_strict_style_policy(strict_site: Path, static_server, page):
    html = (strict_site / "posts" / "maths" / "index.html").read_text()
    assert 'style="' not in html  # nothing a strict policy would drop
    server = static_server(strict_site, headers={"Content-Security-Policy": STRICT_CSP})
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
    page.goto(server.url + "posts/maths/")
    page.wait_for_function("() => document.querySelectorAll('mjx-container').length >= 2", timeout=20000)
    page.wait_for_load_state("networkidle")
    maths = page.evaluate("""() => [...document.querySelectorAll('mjx-container')].map(node => {
        const box = node.getBoundingClientRect();
        const glyph = node.querySelector('mjx-c');
        const drawn = glyph ? getComputedStyle(glyph, '::before').content : 'none';
        return {width: box.width, height: box.height, drawn};
    })""")
    assert len(maths) >= 2
    for formula in maths:
        # Without MathJax's CSS the glyphs have no content and the boxes collapse.
        assert formula["width"] > 20 and formula["height"] > 8, maths
        assert formula["drawn"] not in ("none", "normal", ""), maths
    # Fonts came from the site itself and the glyph rules are in effect.
    assert page.evaluate("document.adoptedStyleSheets.length") >= 1
    assert page.evaluate("document.getElementById('MJX-CHTML-styles')") is None
    aligned = page.evaluate("""() => [...document.querySelectorAll('table thead th')]
        .map(cell => getComputedStyle(cell).textAlign)""")
    assert aligned == ["left", "center", "right"]
    cells = page.evaluate("""() => [...document.querySelectorAll('table tbody tr:first-child > td')]
        .map(cell => getComputedStyle(cell).textAlign)""")
    assert cells == ["left", "center", "right"]
    assert violations == []
    assert page.errors == []
