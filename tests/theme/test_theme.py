"""The theme in a real browser: toggle without a flash, phones, print, feeds and page metadata."""

from __future__ import annotations

import re
import xml.dom.minidom
from pathlib import Path

import pytest

from generator.cli import main
from tests.mini_project import make_mini_project, write

LONG_MATH_POST = """\
---
title: A very long formula
date: 2024-05-05
description: Display maths wider than a phone.
tags: [maths]
toc: true
---
## First part

$$
y = w_{0} x_{0} + w_{1} x_{1} + w_{2} x_{2} + w_{3} x_{3} + w_{4} x_{4} + w_{5} x_{5} + w_{6} x_{6} + w_{7} x_{7} + w_{8} x_{8} + w_{9} x_{9} + w_{10} x_{10}
$$

| a | very | wide | table | with | many | columns | that | cannot | fit | on | a | phone |
|---|------|------|-------|------|------|---------|------|--------|-----|----|---|-------|
| 1 | 2    | 3    | 4     | 5    | 6    | 7       | 8    | 9      | 10  | 11 | 12| 13    |

```python
print("a long line of code that is definitely wider than three hundred and sixty pixels")
```
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    mini = make_mini_project(tmp_path / "mini")
    write(mini / "content/posts/2024-05-05-long.md", LONG_MATH_POST)
    assert main(["--source", str(mini), "build"]) == 0
    return mini / "build"


def test_post_page_has_metadata_reading_time_and_toc(site: Path):
    html = (site / "posts/long/index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="A very long formula">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="https://example.org/posts/long/">' in html
    assert '<meta name="twitter:description" content="Display maths wider than a phone.">' in html
    assert re.search(r"\d+ min read", html)
    assert 'class="toc"' in html and 'href="#first-part"' in html
    # No inline scripts or handlers anywhere: the site must run under script-src 'self'.
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page
        assert not re.search(r"\son[a-z]+=", text), page


def test_feed_and_sitemap_are_well_formed(site: Path):
    feed = xml.dom.minidom.parse(str(site / "feed.xml"))
    entries = feed.getElementsByTagName("entry")
    assert [e.getElementsByTagName("title")[0].firstChild.data for e in entries][:2] == \
           ["A very long formula", "Second post"]
    content = entries[0].getElementsByTagName("content")[0].firstChild.data
    assert "<h2" in content  # HTML travels escaped inside the XML
    sitemap = xml.dom.minidom.parse(str(site / "sitemap.xml"))
    locs = [n.firstChild.data for n in sitemap.getElementsByTagName("loc")]
    assert "https://example.org/posts/long/" in locs and all(l.startswith("https://example.org/") for l in locs)


@pytest.mark.browser
def test_toggle_persists_and_applies_before_first_paint(site: Path, static_server, browser, artifacts_dir):
    server = static_server(site)
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # Record the theme at the moment <body> is created, i.e. before anything can be painted.
    page.add_init_script("""
        new MutationObserver((records, observer) => {
          if (document.body) {
            window.__themeAtBody = document.documentElement.getAttribute('data-theme');
            observer.disconnect();
          }
        }).observe(document, {childList: true, subtree: true});
    """)
    page.goto(server.url + "posts/long/")
    assert page.evaluate("window.__themeAtBody") is None  # nothing saved: the system scheme rules
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.is_visible()
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    assert toggle.get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(artifacts_dir / "theme-dark-1280.png"))
    page.goto(server.url)
    assert page.evaluate("window.__themeAtBody") == "dark"
    page.locator("[data-theme-toggle]").click()
    page.reload()
    assert page.evaluate("window.__themeAtBody") == "light"
    assert errors == []
    context.close()


@pytest.mark.browser
def test_dark_system_preference_without_a_saved_choice(site: Path, static_server, browser):
    server = static_server(site)
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(server.url)
    # Text must be light on dark: compare the luminance of text and background.
    colours = page.evaluate("""() => [getComputedStyle(document.body).color,
                                      getComputedStyle(document.body).backgroundColor]""")

    def luminance(rgb: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance(colours[0]) > luminance(colours[1]) + 100
    context.close()


@pytest.mark.browser
def test_phone_width_has_no_horizontal_overflow(site: Path, static_server, browser, artifacts_dir):
    server = static_server(site)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ("", "posts/long/", "posts/shapes/", "archive/", "tags/"):
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
        if path == "posts/long/":
            page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0")
            page.screenshot(path=str(artifacts_dir / "theme-post-360.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path or 'index'} is {width}px wide at 360px"
    context.close()


@pytest.mark.browser
def test_print_hides_the_chrome(site: Path, static_server, page):
    server = static_server(site)
    page.goto(server.url + "posts/shapes/")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("[data-theme-toggle]").is_hidden()
    assert page.locator(".post-body").is_visible()


@pytest.mark.parametrize("stylesheet, selector", [
    ("generator/theme/assets/css/site.css", ":root"),
    ("generator/plugins/convtranspose/assets/explorer.css", ":root .ct-widget"),
])
def test_dark_palette_is_the_same_for_the_toggle_and_the_system_preference(stylesheet: str, selector: str):
    """CSS cannot share one rule body between [data-theme="dark"] and the prefers-color-scheme
    query (the latter keeps dark mode for readers without JavaScript), so the palette is written
    twice; the two copies must not drift apart."""
    css = (Path(__file__).resolve().parents[2] / stylesheet).read_text(encoding="utf-8")
    scope, _, rest = selector.partition(" ")
    toggled = re.search(re.escape(f'{scope}[data-theme="dark"] {rest}'.strip()) + r"\s*\{([^}]*)\}", css)
    system = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{\s*"
                       + re.escape(f'{scope}:not([data-theme="light"]) {rest}'.strip()) + r"\s*\{([^}]*)\}", css)
    assert toggled and system

    def declarations(body: str) -> dict[str, str]:
        pairs = (d.split(":", 1) for d in body.split(";") if d.strip())
        return {name.strip(): value.strip() for name, value in pairs}

    assert declarations(toggled.group(1)) == declarations(system.group(1))
    assert len(declarations(toggled.group(1))) >= 5
