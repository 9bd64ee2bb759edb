"""The explorer's static markup (generator/plugins/convtranspose/widget.py), parsed as HTML: the
contract main.js boots from, escaping of every value, and ids unique when widgets share a page.
No browser needed."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from generator.plugins.convtranspose.widget import element_id_prefix, render_widget_html

SLIDERS = ("height", "width", "kernel", "stride", "padding", "output_padding", "dilation")
RANGES = {"height": (1, 8), "width": (2, 6), "kernel": (1, 5), "stride": (1, 4), "padding": (0, 4),
          "output_padding": (0, 3), "dilation": (1, 3)}
INITIAL = {"height": 5, "width": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 2}


class Elements(HTMLParser):
    """Every start tag as (tag, attributes), attribute values already unescaped."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def where(self, **wanted) -> list[dict[str, str | None]]:
        return [a for _, a in self.found if all(a.get(k.replace("_", "-")) == v for k, v in wanted.items())]


def test_root_controls_and_regions_follow_the_contract():
    page = Elements(render_widget_html("explorer", "/data/convtranspose/abc/manifest.json", RANGES, INITIAL))
    (root,) = page.where(data_widget="convtranspose")
    assert root["data-widget-id"] == "explorer"
    assert root["data-manifest"] == "/data/convtranspose/abc/manifest.json"
    inputs = {a["name"]: a for tag, a in page.found if tag == "input" and a.get("type") == "range"}
    per_axis = [f"{name}_{axis}" for name in SLIDERS[2:] for axis in "hw"]
    assert sorted(inputs) == sorted(SLIDERS + tuple(per_axis))
    labels = {a["for"] for tag, a in page.found if tag == "label" and a.get("for")}
    for name, attrs in inputs.items():
        base = name.rsplit("_", 1)[0] if name in per_axis else name
        assert (int(attrs["min"]), int(attrs["max"])) == RANGES[base]
        assert int(attrs["value"]) == INITIAL[base]
        assert attrs["id"] in labels, f"slider {name} has no label"
    # Every parameter PyTorch takes per axis has a link toggle, pressed (linked) at first, and its
    # two per-axis sliders are in the markup, hidden until unlinked.
    toggles = {a["data-param"]: a for a in page.where(data_role="link")}
    assert sorted(toggles) == sorted(SLIDERS[2:])
    assert all(a["aria-pressed"] == "true" and a.get("aria-label") for a in toggles.values())
    hidden = {a["data-slider"] for a in page.where() if "data-slider" in a and "hidden" in a}
    assert hidden == set(per_axis)
    (formula,) = page.where(data_role="formula")
    assert formula["aria-live"] == "polite"
    assert page.where(data_role="retry"), "a failed fetch needs a Retry button"
    assert page.where(data_role="nojs"), "readers without JavaScript need a message"
    assert {a["data-view"] for a in page.where() if "data-view" in a} >= {"direct", "conv", "matrix", "overlap"}


def test_no_inline_script_style_or_handlers():
    page = Elements(render_widget_html("explorer", "/m.json", RANGES, INITIAL))
    for tag, attrs in page.found:
        assert tag not in ("script", "style")
        assert "style" not in attrs
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)


@pytest.mark.parametrize("widget_id", ['x" onmouseover="alert(1)', "<b>&amp;", "two words", "ünïcode"])
def test_every_value_is_escaped(widget_id):
    url = '/data/a"b/<manifest>.json?x=1&y=2'
    html = render_widget_html(widget_id, url, RANGES, INITIAL)
    page = Elements(html)
    (root,) = page.where(data_widget="convtranspose")
    assert root["data-widget-id"] == widget_id  # round-trips exactly: nothing was cut or added
    assert root["data-manifest"] == url
    assert "<b>" not in html and 'x" onmouseover' not in html
    assert not any(name.startswith("on") for _, attrs in page.found for name in attrs)
    ids = [a["id"] for _, a in page.found if "id" in a]
    assert all(i and not any(ch.isspace() or ch in "\"'<>&" for ch in i) for i in ids), ids


def test_ids_are_unique_on_a_page_with_several_widgets():
    html = "".join(render_widget_html(wid, f"/{n}/manifest.json", RANGES, INITIAL)
                   for n, wid in enumerate(["explorer", "row", "a b", "a-b", "a_b"]))
    ids = Counter(a["id"] for _, a in Elements(html).found if "id" in a)
    assert [i for i, n in ids.items() if n > 1] == []
    assert element_id_prefix("a b") != element_id_prefix("a-b")


def test_a_fixed_range_disables_its_slider():
    ranges = dict(RANGES, height=(1, 1))
    page = Elements(render_widget_html("row", "/m.json", ranges, dict(INITIAL, height=1)))
    (height,) = page.where(name="height")
    (width,) = page.where(name="width")
    assert "disabled" in height and "disabled" not in width
