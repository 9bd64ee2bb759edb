"""Links and history in Chromium: a section link lands on its heading after fonts, MathJax and
the widget have settled; the explorer leaves the URL alone until used, never touches the hash,
replaces (never adds) history entries, and its permalink restores everything and scrolls to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, active, set_state, wait_state

pytestmark = pytest.mark.browser


def settled(page) -> None:
    """Widget drawn, MathJax done, fonts loaded, and a moment more for the layout to stop moving."""
    page.wait_for_function(f"document.querySelector('{WIDGET}').dataset.state === 'ready'", timeout=10000)
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise"
                           " && document.fonts.status === 'loaded'", timeout=10000)
    page.evaluate("MathJax.startup.promise")
    page.wait_for_timeout(800)


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_a_section_link_lands_on_its_heading_and_keeps_its_url(example_build: Path, static_server, browser,
                                                               viewport, motion):
    server = static_server(example_build)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, reduced_motion=motion)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + POST + "#checkerboards")
    settled(page)
    top, margin = page.evaluate("""() => { const h = document.getElementById('checkerboards');
        return [h.getBoundingClientRect().top, parseFloat(getComputedStyle(h).scrollMarginTop) || 0]; }""")
    assert abs(top - margin) <= 8, top
    # The explorer drew, but the reader has not used it: the URL is exactly the link.
    assert page.evaluate("location.search + location.hash") == "#checkerboards"
    assert errors == []
    context.close()


def test_slider_moves_replace_history_and_keep_the_section_hash(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + POST + "#checkerboards")
    wait_state(page, "ready")
    length = page.evaluate("history.length")
    for step in range(20):
        set_state(page, {"width": 2 + step % 7})
        wait_state(page, "ready")
    page.locator(f'{WIDGET} [data-grid="output"][data-row="0"][data-col="0"]').click()
    page.wait_for_function("() => location.search.includes('ct-explorer=') && location.search.includes('output-0-0')")
    assert page.evaluate("history.length") == length
    assert page.evaluate("location.hash") == "#checkerboards"
    assert ".w7." in page.evaluate("location.search")  # the last of the 20 moves: 2 + 19 % 7
    assert page.errors == []


def test_the_permalink_restores_sliders_links_tab_numbers_and_pin_and_scrolls_to_the_widget(
        example_build: Path, static_server, browser):
    server = static_server(example_build)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(server.url + POST)
    wait_state(page, "ready")
    page.evaluate("""(root) => { const w = document.querySelector(root);
        for (const [n, v] of [['height', 4], ['width', 3], ['kernel_w', 2], ['stride', 2], ['padding', 0],
                              ['output_padding', 1], ['dilation_h', 2]]) {
            const i = w.querySelector(`input[name="${n}"]`); i.value = v; i.dispatchEvent(new Event('input', {bubbles: true})); } }""",
                  WIDGET)
    wait_state(page, "ready")
    page.locator(f'{WIDGET} [data-role="numbers"]').check()
    page.locator(f'{WIDGET} [data-tab="conv"]').click()
    page.locator(f'{WIDGET} [data-view="conv"] [data-mirror="output"][data-row="1"][data-col="2"]').click()
    page.wait_for_function("() => location.search.includes('.output-1-2')")
    link = page.url
    assert "k3x2" in link and "d2x1" in link and "tab-conv" in link and "numbers" in link
    other = context.new_page()
    other.goto(link)
    settled(other)
    widget = other.locator(WIDGET)
    state = other.evaluate(f"document.querySelector('{WIDGET}').stride.state()")
    assert state == {"height": 4, "width": 3, "kernel_h": 3, "kernel_w": 2, "stride_h": 2, "stride_w": 2,
                     "padding_h": 0, "padding_w": 0, "output_padding_h": 1, "output_padding_w": 1,
                     "dilation_h": 2, "dilation_w": 1}
    assert widget.locator('[data-role="link"][data-param="kernel"]').get_attribute("aria-pressed") == "false"
    assert widget.locator('[data-role="link"][data-param="stride"]').get_attribute("aria-pressed") == "true"
    assert widget.locator('[data-tab="conv"]').get_attribute("aria-selected") == "true"
    assert widget.locator('[data-view="conv"]').is_visible()
    assert widget.locator('[data-role="numbers"]').is_checked()
    assert widget.get_attribute("data-pinned") == "output-1-2"
    assert active(other, "output") == {(1, 2)}
    assert abs(other.evaluate(f"document.querySelector('{WIDGET}').getBoundingClientRect().top")) <= 8
    context.close()
