"""Every text the explorer draws, SVG cell labels included, reaches 4.5:1 in both themes, in every
view, with and without Numbers, at rest and while a cell is hovered (highlighted cells, lit rows)."""

from __future__ import annotations

import pytest

from tests.contrast import CONTRAST_JS
from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, set_state

pytestmark = pytest.mark.browser
TEXT = ("svg text, p, label, output, button, figcaption, li, summary, pre, .ct-legend-item > span")
SETTINGS = [{}, {"height": 4, "width": 5, "kernel": 5, "stride": 1, "padding": 3, "output_padding": 0, "dilation": 1},
            {"height": 5, "width": 6, "kernel": 2, "stride": 1, "padding": 2, "output_padding": 0, "dilation": 1},
            {"height": 3, "width": 3, "kernel": 4, "stride": 2, "padding": 0, "output_padding": 1, "dilation": 2}]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_explorer_text_is_readable(example_build, static_server, browser, scheme):
    server = static_server(example_build)
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    page.goto(server.url + POST)
    page.wait_for_function("(r) => document.querySelector(r).dataset.state === 'ready'", arg=WIDGET, timeout=20000)
    page.locator(f"{WIDGET} details.ct-snippet summary").first.click()
    widget = page.locator(WIDGET).first
    low, checked = [], 0
    for setting in SETTINGS:
        if setting:
            set_state(page, setting)
            page.wait_for_timeout(100)
            page.wait_for_function("(r) => document.querySelector(r).dataset.state === 'ready'", arg=WIDGET)
        for numbers in (False, True):
            widget.locator('[data-role="numbers"]').set_checked(numbers)
            for tab in ("direct", "conv", "matrix", "overlap", "adjoint"):
                widget.locator(f'[data-tab="{tab}"]').click()
                view = widget.locator(f'[data-view="{tab}"]')
                for hover in (None, '[data-mirror="output"], [data-grid="output"]', '[data-grid="input"]'):
                    if hover:
                        target = view.locator(hover)
                        if not target.count():
                            continue
                        target.nth(target.count() // 2).hover()
                    found = page.evaluate(f"(root) => ({CONTRAST_JS})(Array.from(document.querySelector(root)"
                                          f".querySelectorAll({TEXT!r})))", WIDGET)
                    checked += len(found)
                    low += [dict(f, where=(setting, numbers, tab, hover)) for f in found if f["ratio"] < 4.5]
    context.close()
    assert checked > 1000
    assert sorted({(f["cls"], f["fg"], f["bg"], round(f["ratio"], 2)) for f in low}) == []
