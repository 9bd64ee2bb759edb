"""The explorer without JavaScript: the feed and a script-less page carry a build-time SVG of the
starting setting instead of controls that do nothing; with JavaScript the controls replace it."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from generator.plugins.convtranspose import output_shape
from tests.conftest import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
POSTS = {"transposed-convolution": "2026-11-20-transposed-convolution.md",
         "one-dimensional-and-large-stride": "2026-11-22-one-dimensional-and-large-stride.md"}


class Outside(HTMLParser):
    """Start tags outside <template> elements, and the images."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.tags, self.images = 0, [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.depth += 1
        elif self.depth == 0:
            self.tags.append(tag)
            if tag == "img":
                self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "template":
            self.depth -= 1


def initial_settings(slug: str) -> list[dict]:
    text = (ROOT / "content" / "posts" / POSTS[slug]).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    return [w["initial"] for w in front["widgets"]]


def check_picture(build: Path, src: str, st: dict) -> None:
    svg_text = (build / urlparse(src).path.lstrip("/")).read_text(encoding="utf-8")
    assert not re.search(r"<script|<style|\son\w+=|javascript:", svg_text, re.I)
    root = ET.fromstring(svg_text)
    rects = root.findall(f"{SVG}rect")
    h, w, k, o = st["height"], st["width"], st["kernel"], st["output_padding"]
    H, W = output_shape((h, w), k, st["stride"], st["padding"], o, st["dilation"])
    assert len(rects) == 1 + h * w + k * k + H * W  # background + the three grids
    dashed = [r for r in rects if r.get("stroke-dasharray")]
    assert len(dashed) == H * W - (H - o) * (W - o)  # the cells output_padding adds
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert f"Output Y ({H}×{W})" in labels and f"Input X ({h}×{w})" in labels
    assert f"a {H}×{W} output Y" in root.find(f"{SVG}title").text


def test_the_feed_shows_a_picture_not_controls(example_build: Path):
    feed = ET.parse(example_build / "feed.xml").getroot()
    seen = 0
    for entry in feed.findall(f"{ATOM}entry"):
        slug = entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1]
        content = html.unescape(entry.find(f"{ATOM}content").text or "")
        if 'data-widget="convtranspose"' not in content:
            continue
        page = Outside(content)
        # nothing a feed reader would draw as a control
        assert not {"input", "button", "output", "select", "script"} & set(page.tags), slug
        pictures = [img for img in page.images if "ct-static" in img.get("class", "")]
        settings = initial_settings(slug)
        assert len(pictures) == len(settings)
        for img, st in zip(pictures, settings):
            assert img["alt"].startswith("ConvTranspose2d of a ")
            check_picture(example_build, img["src"], st)
            seen += 1
    assert seen == 3


@pytest.mark.browser
@pytest.mark.parametrize("scripts", [False, True])
def test_a_page_without_javascript_shows_the_picture(example_build, static_server, browser, artifacts_dir, scripts):
    server = static_server(example_build)
    context = browser.new_context(java_script_enabled=scripts)
    page = context.new_page()
    page.goto(server.url + "posts/transposed-convolution/")
    widget = page.locator('[data-widget="convtranspose"]').first
    picture = widget.locator("img.ct-static")
    if scripts:
        page.wait_for_function("() => document.querySelector('[data-widget]').dataset.state === 'ready'")
        assert not picture.is_visible() and widget.locator("input[type=range]").count() >= 7
        assert not widget.locator('[data-role="nojs"]').is_visible()
    else:
        picture.wait_for()
        assert picture.is_visible() and page.evaluate("(img) => img.complete && img.naturalWidth > 0",
                                                      picture.element_handle())
        assert widget.locator("input, button").count() == 0  # no dead controls
        assert widget.locator('[data-role="nojs"]').is_visible()
        widget.screenshot(path=str(artifacts_dir / "explorer-nojs.png"))
    context.close()
