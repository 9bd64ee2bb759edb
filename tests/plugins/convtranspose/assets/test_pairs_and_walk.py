"""Which pairs multiply, the pin, and the step-through, in Chromium: every product x·w has its
own hue, the same in X, W, W′, X′ and the matrix; a pin looks unlike a hover and Escape anywhere
on the page clears it; Play and Step walk the cells; reduced motion never moves by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.plugins.convtranspose import contributions
from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, active, explorer, set_state, wait_state  # noqa: F401

pytestmark = pytest.mark.browser

_FILL = """([root, sel]) => { const g = document.querySelector(`${root} ${sel}`);
    return g ? getComputedStyle(g.querySelector('rect')).fill : null; }"""
_STROKE = """([root, sel]) => { const r = document.querySelector(`${root} ${sel} rect`);
    const s = getComputedStyle(r); return [s.stroke, parseFloat(s.strokeWidth)]; }"""


def fill(page, sel: str) -> str:
    value = page.evaluate(_FILL, [WIDGET, sel])
    assert value, sel
    return value


@pytest.mark.parametrize("st", [
    {"height": 3, "width": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1},
    {"height": 3, "width": 4, "kernel_h": 3, "kernel_w": 2, "stride": 1, "padding": 0, "output_padding": 0,
     "dilation_h": 2, "dilation_w": 1},
])
def test_every_product_has_its_own_hue_in_every_view(explorer, st):
    page = explorer
    set_state(page, st)
    wait_state(page, "ready")
    s = page.evaluate(f"document.querySelector('{WIDGET}').stride.state()")
    h, w, kh, kw, dh, dw = s["height"], s["width"], s["kernel_h"], s["kernel_w"], s["dilation_h"], s["dilation_w"]
    shape = page.get_attribute(WIDGET, "data-output-shape")
    W = int(shape.split(",")[1])
    terms = contributions((h, w), (kh, kw), (s["stride_h"], s["stride_w"]), (s["padding_h"], s["padding_w"]),
                          (s["output_padding_h"], s["output_padding_w"]), (dh, dw))
    i, j = max(terms, key=lambda cell: len(terms[cell]))  # the cell with the most products
    assert len(terms[(i, j)]) >= 2
    page.locator(f'{WIDGET} [data-grid="output"][data-row="{i}"][data-col="{j}"]').hover()
    # Fills fade in over 80 ms (without reduced motion): read them once the transitions ended.
    page.wait_for_function(f"document.querySelector('{WIDGET}').getAnimations({{subtree: true}}).length === 0")
    hovered = fill(page, f'[data-grid="output"][data-row="{i}"][data-col="{j}"]')
    hues = []
    for a, b, ka, kb in terms[(i, j)]:
        t, u = kh - 1 - ka, kw - 1 - kb  # where tap (ka, kb) sits in the flipped kernel W′
        places = [f'[data-grid="input"][data-row="{a}"][data-col="{b}"]',
                  f'[data-grid="kernel"][data-row="{ka}"][data-col="{kb}"]',
                  f'[data-grid="flipped"][data-row="{t * dh}"][data-col="{u * dw}"]',
                  f'[data-grid="expanded"][data-row="{i + t * dh}"][data-col="{j + u * dw}"]',
                  f'[data-matrix="wt"][data-row="{i * W + j}"][data-col="{a * w + b}"]']
        colours = {fill(page, sel) for sel in places}
        assert len(colours) == 1, (a, b, ka, kb, colours)
        hues.append(colours.pop())
    assert len(set(hues)) == len(hues), hues  # distinct pairs, distinct hues
    assert hovered not in hues
    # The formula names each product in the hue its cells share.
    terms_shown = page.evaluate("(r) => Array.from(document.querySelectorAll(`${r} [data-role=formula] .ct-term`))"
                                ".map(e => [e.textContent, e.style.getPropertyValue('--ct-hue')])", WIDGET)
    cell_hue = {f"x[{a},{b}]·w[{ka},{kb}]": page.evaluate(
        "([r, s]) => document.querySelector(`${r} ${s}`).style.getPropertyValue('--ct-hue')",
        [WIDGET, f'[data-grid="input"][data-row="{a}"][data-col="{b}"]']) for a, b, ka, kb in terms[(i, j)]}
    assert dict(terms_shown) == cell_hue
    assert page.errors == []


def test_a_pin_looks_unlike_a_hover_and_escape_anywhere_clears_it(explorer):
    page = explorer
    pinned = '[data-grid="output"][data-row="1"][data-col="1"]'
    hovered = '[data-grid="output"][data-row="3"][data-col="2"]'
    page.locator(f"{WIDGET} {pinned}").click()
    assert page.get_attribute(f"{WIDGET} {pinned}", "aria-pressed") == "true"
    assert page.get_attribute(WIDGET, "data-pinned") == "output-1-1"
    assert page.locator(f'{WIDGET} [data-role="pin-status"]').is_visible()
    page.locator(f"{WIDGET} {hovered}").hover()
    assert active(page, "output") == {(3, 2)}
    pin_stroke, pin_width = page.evaluate(_STROKE, [WIDGET, pinned])
    hover_stroke, hover_width = page.evaluate(_STROKE, [WIDGET, hovered])
    assert page.get_attribute(f"{WIDGET} {hovered}", "aria-pressed") is None
    assert pin_width >= hover_width + 1.5 and pin_stroke != hover_stroke
    # Focus leaves the widget for the page; Escape still releases the pin.
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur(); document.body.focus()")
    page.keyboard.press("Escape")
    assert page.get_attribute(WIDGET, "data-pinned") is None
    assert page.get_attribute(f"{WIDGET} {pinned}", "aria-pressed") is None
    assert active(page, "output") == set()
    assert not page.locator(f'{WIDGET} [data-role="pin-status"]').is_visible()
    assert page.errors == []


def pinned_cells(page, count: int, grid: str) -> list[str]:
    """The pins a playing walk goes through, as data-pinned values, until `count` were seen."""
    return page.evaluate("""([root, count, grid]) => new Promise((resolve) => {
        const widget = document.querySelector(root);
        const seen = [widget.dataset.pinned];
        const watch = new MutationObserver(() => {
            const now = widget.dataset.pinned;
            if (now && now !== seen[seen.length - 1]) seen.push(now);
            if (seen.length >= count) { watch.disconnect(); resolve(seen); }
        });
        watch.observe(widget, {attributes: true, attributeFilter: ['data-pinned']});
    })""", [WIDGET, count, grid])


def test_play_walks_the_cells_in_row_major_order_and_pauses(explorer):
    page = explorer
    set_state(page, {"height": 2, "width": 2, "kernel": 2, "stride": 1, "padding": 0, "output_padding": 0, "dilation": 1})
    wait_state(page, "ready")
    speed = f'{WIDGET} [data-role="speed"]'
    play = page.locator(f'{WIDGET} [data-role="play"]')
    inputs = ["input-0-0", "input-0-1", "input-1-0", "input-1-1"]
    # Scatter view: the input cells. Slow at first, so the first pin is read before the next step.
    page.select_option(speed, "1200")
    play.focus()
    page.keyboard.press("Enter")
    assert play.text_content() == "Pause"
    assert page.get_attribute(WIDGET, "data-pinned") == "input-0-0"
    page.select_option(speed, "250")  # goes on from there, faster
    seen = pinned_cells(page, 5, "input")
    start = inputs.index(seen[0])
    assert seen == [inputs[(start + n) % 4] for n in range(5)]  # row-major, then round again
    play.focus()
    page.keyboard.press("Enter")  # pause
    assert play.text_content() == "Play"
    still = page.get_attribute(WIDGET, "data-pinned")
    page.wait_for_timeout(700)
    assert page.get_attribute(WIDGET, "data-pinned") == still
    # Any other view walks the output cells (3×3 here); the formula follows.
    page.locator(f'{WIDGET} [data-tab="overlap"]').click()
    page.locator(f'{WIDGET} [data-role="step"]').click()
    page.locator(f'{WIDGET} [data-role="step"]').click()
    assert page.get_attribute(WIDGET, "data-pinned") == "output-0-1"
    assert page.locator(f'{WIDGET} [data-role="formula"]').text_content().startswith("y[0,1] =")
    play.click()
    outputs = [f"output-{i}-{j}" for i in range(3) for j in range(3)]
    seen = pinned_cells(page, 3, "output")
    start = outputs.index(seen[0])
    assert start != 0 and seen == [outputs[(start + n) % 9] for n in range(3)]  # on from the stepped-to cell
    page.keyboard.press("Escape")
    assert play.text_content() == "Play"
    page.wait_for_timeout(600)
    assert page.get_attribute(WIDGET, "data-pinned") is None
    assert page.errors == []


def test_with_reduced_motion_nothing_moves_by_itself(example_build: Path, static_server, browser):
    server = static_server(example_build)
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(server.url + POST)
    wait_state(page, "ready")
    assert not page.locator(f'{WIDGET} [data-role="play"]').is_visible()
    step = page.locator(f'{WIDGET} [data-role="step"]')
    step.focus()
    page.keyboard.press("Enter")
    assert page.get_attribute(WIDGET, "data-pinned") == "input-0-0"
    page.wait_for_timeout(1500)  # longer than the slowest walk step
    assert page.get_attribute(WIDGET, "data-pinned") == "input-0-0"
    page.keyboard.press("Enter")
    assert page.get_attribute(WIDGET, "data-pinned") == "input-0-1"
    context.close()
