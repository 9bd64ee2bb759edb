"""Large settings and phones in Chromium: the formula of the hovered or pinned cell stays in view
beside the grids at 1,280 and 390 px, the grids scroll inside the widget (not the page), X′ and
W′ share one cell size, and on a phone every cell and control is at least 24 CSS px."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, set_state, wait_state

pytestmark = pytest.mark.browser
HEAVY = {"height": 8, "width": 8, "kernel": 5, "stride": 4, "padding": 0, "output_padding": 3, "dilation": 3}
_BOX = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


def inside(box, width: int, height: int, slack: float = 0.5) -> bool:
    left, top, right, bottom = box
    return left >= -slack and top >= -slack and right <= width + slack and bottom <= height + slack


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_the_formula_stays_in_view_beside_the_grids_at_the_heaviest_setting(
        example_build: Path, static_server, browser, viewport):
    width, height = viewport
    server = static_server(example_build)
    phone = width < 500
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(server.url + POST)
    wait_state(page, "ready")
    set_state(page, HEAVY)
    page.wait_for_function(f"document.querySelector('{WIDGET}').dataset.outputShape === '44,44'")
    wait_state(page, "ready")
    formula = f'{WIDGET} [data-role="formula"]'
    for tab, cell in (("direct", '[data-grid="output"][data-row="43"][data-col="43"]'),
                      ("direct", '[data-grid="output"][data-row="20"][data-col="2"]'),
                      ("conv", '[data-mirror="output"][data-row="30"][data-col="40"]')):
        page.locator(f'{WIDGET} [data-tab="{tab}"]').click()
        target = page.locator(f'{WIDGET} [data-view="{tab}"] {cell}')
        target.scroll_into_view_if_needed()
        if phone:
            target.tap()  # pins it
        else:
            target.hover()
        page.wait_for_timeout(100)
        assert page.locator(formula).text_content().startswith("y[")
        assert inside(page.evaluate(_BOX, formula), width, height), page.evaluate(_BOX, formula)
        cell_box = target.bounding_box()
        assert inside((cell_box["x"], cell_box["y"], cell_box["x"] + cell_box["width"], cell_box["y"] + cell_box["height"]),
                      width, height, slack=1.5)  # scrolled in to the edge, to the nearest pixel
        page.screenshot(path=f"/tmp/ejs/layout-{width}-{tab}.png")
    # The grid area scrolls, the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    views = page.evaluate(f"(() => {{ const v = document.querySelector('{WIDGET} .ct-views');"
                          " return [getComputedStyle(v).overflowX, v.scrollWidth > v.clientWidth]; })()")
    assert views == ["auto", True]
    # X′ and W′ at one cell size.
    page.locator(f'{WIDGET} [data-tab="conv"]').click()
    sizes = page.evaluate(f"""() => ['expanded', 'flipped'].map((g) => {{
        const r = document.querySelector(`{WIDGET} [data-grid="${{g}}"] rect`).getBoundingClientRect();
        return [Math.round(r.width * 100) / 100, Math.round(r.height * 100) / 100]; }})""")
    assert sizes[0] == sizes[1], sizes
    widget = page.evaluate(_BOX, WIDGET)
    if not phone:
        assert 800 < widget[2] - widget[0] <= 1100  # wider than the 44rem text column, at most 1,100 px
    context.close()


def test_tap_targets_on_a_phone_are_at_least_24_px(example_build: Path, static_server, browser):
    server = static_server(example_build)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url + POST)
    wait_state(page, "ready")
    small = []
    for tab in ("direct", "conv", "matrix", "overlap"):
        page.locator(f'{WIDGET} [data-tab="{tab}"]').click()
        small += page.evaluate(f"""() => Array.from(document.querySelectorAll(
                '{WIDGET} [data-view="{tab}"] svg[role=group] g.ct-cell, {WIDGET} button:not([hidden]), {WIDGET} input:not([type=range]), {WIDGET} select'))
            .filter((e) => e.getClientRects().length)
            .map((e) => [e.dataset.grid || e.dataset.mirror || e.dataset.matrix || e.tagName, e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 24 || r.height < 24).map(([name, r]) => [name, r.width, r.height])""")
        small += page.evaluate(f"""() => Array.from(document.querySelectorAll('{WIDGET} input[type=range]'))
            .filter((e) => e.getClientRects().length).map((e) => e.getBoundingClientRect())
            .filter((r) => r.height < 24).map((r) => ['range', r.width, r.height])""")
    assert small == []
    context.close()
