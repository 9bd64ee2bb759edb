"""The explorer in Chromium, on the built example site: what it highlights must be what the Python
API computes, for many states; invalid states, keyboard, URL hash, copy, errors and phones."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator.plugins.convtranspose import contributions, output_shape

pytestmark = pytest.mark.browser
POST = "posts/transposed-convolution/"
WIDGET = '[data-widget="convtranspose"]'
SLIDERS = ("height", "width", "kernel", "stride", "padding", "output_padding", "dilation")


def set_state(page, state: dict, root: str = WIDGET) -> None:
    page.evaluate("""([root, state]) => {
        const widget = document.querySelector(root);
        for (const [name, value] of Object.entries(state)) {
            const input = widget.querySelector(`input[name="${name}"]`);
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""", [root, state])


def wait_state(page, expected: str) -> None:
    page.wait_for_function("([root, s]) => document.querySelector(root).dataset.state === s",
                           arg=[WIDGET, expected], timeout=10000)


def active(page, grid: str) -> set[tuple[int, int]]:
    cells = page.evaluate("(g) => Array.from(document.querySelectorAll(`[data-widget] [data-grid=\"${g}\"].active`))"
                          ".map(e => [Number(e.dataset.row), Number(e.dataset.col)])", grid)
    return {tuple(c) for c in cells}


@pytest.fixture
def explorer(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + POST)
    wait_state(page, "ready")
    page.server = server
    return page


def test_highlights_equal_contributions_over_many_states(explorer):
    page = explorer
    rng = random.Random(11)
    ranges = dict(height=(1, 8), width=(1, 8), kernel=(1, 5), stride=(1, 4), padding=(0, 4),
                  output_padding=(0, 3), dilation=(1, 3))
    states = 0
    while states < 12:
        state = {name: rng.randint(*bounds) for name, bounds in ranges.items()}
        args = ((state["height"], state["width"]), (state["kernel"],) * 2, state["stride"], state["padding"],
                state["output_padding"], state["dilation"])
        try:
            shape = output_shape(*args)
        except ValueError:
            continue
        set_state(page, state)
        page.wait_for_function("([root, s]) => document.querySelector(root).dataset.outputShape === s",
                               arg=[WIDGET, f"{shape[0]},{shape[1]}"], timeout=10000)
        wait_state(page, "ready")
        expected = contributions(*args)
        for i, j in rng.sample(sorted(expected), min(4, len(expected))):
            page.locator(f'{WIDGET} [data-grid="output"][data-row="{i}"][data-col="{j}"]').first.hover()
            assert active(page, "output") == {(i, j)}
            assert active(page, "input") == {(a, b) for a, b, _, _ in expected[(i, j)]}
            assert active(page, "kernel") == {(ka, kb) for _, _, ka, kb in expected[(i, j)]}
            k, d = state["kernel"], state["dilation"]
            assert active(page, "expanded") == {(i + t * d, j + u * d) for t in range(k) for u in range(k)}
            formula = page.locator(f'{WIDGET} [data-role="formula"]').first.text_content()
            assert formula.startswith(f"y[{i},{j}] =")
        states += 1
    assert page.errors == []


def test_invalid_state_shows_the_rule_and_one_click_fix(explorer):
    page = explorer
    set_state(page, {"stride": 1, "dilation": 1, "output_padding": 2})
    wait_state(page, "invalid")
    text = page.locator(f'{WIDGET} [data-role="problem-text"]').first.text_content()
    assert "output padding must be smaller than either stride or dilation" in text
    assert page.locator(f"{WIDGET} [data-grid].active").count() == 0
    page.locator(f'{WIDGET} [data-role="fix"]').first.click()
    wait_state(page, "ready")
    values = {n: int(page.locator(f'{WIDGET} input[name="{n}"]').first.input_value()) for n in SLIDERS}
    output_shape((values["height"], values["width"]), (values["kernel"],) * 2, values["stride"],
                 values["padding"], values["output_padding"], values["dilation"])  # valid now
    set_state(page, {"height": 1, "width": 1, "kernel": 1, "stride": 1, "padding": 3, "output_padding": 0})
    wait_state(page, "invalid")
    assert "Output size is too small" in page.locator(f'{WIDGET} [data-role="problem-text"]').first.text_content()
    assert page.errors == []


def test_keyboard_pin_and_url_round_trip(explorer, browser):
    page = explorer
    length = page.evaluate("history.length")
    set_state(page, {"height": 4, "width": 3, "kernel": 3, "stride": 2, "padding": 0, "output_padding": 1, "dilation": 1})
    wait_state(page, "ready")
    first = page.locator(f'{WIDGET} [data-grid="output"][tabindex="0"]').first
    first.focus()
    assert active(page, "output") == {(0, 0)}
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert active(page, "output") == {(1, 1)}
    page.keyboard.press("Enter")
    page.wait_for_function("() => /ct-explorer=h4\\.w3\\.k3\\.s2\\.p0\\.o1\\.d1\\.output-1-1/.test(location.search)")
    # Slider moves and pins replace the history entry: Back still leaves for the page before.
    assert page.evaluate("history.length") == length
    # A fresh page opened on that link shows the same state and the pinned cell.
    other = browser.new_page()
    other.goto(page.url)
    other.wait_for_function(f"document.querySelector('{WIDGET}').dataset.state === 'ready'")
    assert other.evaluate(f"document.querySelector('{WIDGET}').dataset.outputShape") == "10,8"
    assert active(other, "output") == {(1, 1)}
    other.close()
    page.keyboard.press("Escape")
    assert active(page, "output") == set()
    page.wait_for_function("() => !location.search.includes('output-1-1')")
    assert page.errors == []


def test_copy_as_pytorch(explorer):
    page = explorer
    set_state(page, {"kernel": 4, "stride": 3, "padding": 2, "output_padding": 1, "dilation": 2})
    wait_state(page, "ready")
    page.locator(f'{WIDGET} [data-role="copy"]').first.click()
    snippet = page.locator(f'{WIDGET} [data-role="copy"]').first.get_attribute("data-snippet")
    assert "nn.ConvTranspose2d(1, 1, kernel_size=(4, 4), stride=(3, 3), padding=(2, 2), output_padding=(1, 1), " \
           "dilation=(2, 2), bias=False)" in snippet
    # what the button copied is what the widget shows
    assert snippet == page.locator(f"{WIDGET} pre[data-pytorch]").first.text_content()


def test_a_failed_fetch_shows_a_message_and_retry_works(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.route("**/axis/k2-s1-*", lambda route: route.abort())
    page.goto(server.url + POST)
    wait_state(page, "ready")
    set_state(page, {"kernel": 2, "stride": 1, "output_padding": 0})
    wait_state(page, "error")
    assert page.locator(f'{WIDGET} [data-role="retry"]').first.is_visible()
    assert "Could not load" in page.locator(f'{WIDGET} [data-role="problem-text"]').first.text_content()
    page.unroute("**/axis/k2-s1-*")
    page.locator(f'{WIDGET} [data-role="retry"]').first.click()
    wait_state(page, "ready")
    page.errors[:] = [e for e in page.errors if "Failed to load resource" not in e]
    assert page.errors == []


@pytest.mark.parametrize("width", [360, 1280])
def test_screenshots_and_no_overflow(example_build: Path, static_server, browser, artifacts_dir, width):
    server = static_server(example_build)
    # Reduced motion: no colour transitions, so the pictures show the final state.
    context = browser.new_context(viewport={"width": width, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + POST)
    page.wait_for_function(f"document.querySelector('{WIDGET}').dataset.state === 'ready'")
    widget = page.locator(WIDGET).first
    # Focus, not hover: the screenshot scrolls the page, and a resting mouse pointer would then
    # hover whatever cell slid under it.
    page.mouse.move(0, 0)
    widget.locator('[data-grid="output"][data-row="1"][data-col="1"]').focus()
    assert widget.locator('[data-grid="output"].active').count() == 1
    widget.screenshot(path=str(artifacts_dir / f"explorer-{width}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for tab in ("conv", "matrix", "overlap"):
        widget.locator(f'[data-tab="{tab}"]').click()
        assert widget.locator(f'[data-view="{tab}"]').is_visible()
        # Show each view with a selection: an output cell's mirror, or the matrix row of one.
        target = widget.locator(f'[data-view="{tab}"] [data-mirror="output"][data-row="1"][data-col="1"],'
                                f' [data-view="{tab}"] [data-matrix]').first
        page.mouse.move(0, 0)
        target.focus()
        widget.screenshot(path=str(artifacts_dir / f"explorer-{tab}-{width}.png"))
    assert errors == []
    context.close()


def test_works_under_a_sub_path(example_build_subpath: Path, static_server, page):
    server = static_server(example_build_subpath, "/my-repo/")
    page.goto(server.url + POST)
    wait_state(page, "ready")
    assert "/my-repo/data/convtranspose/" in page.locator(WIDGET).first.get_attribute("data-manifest")
    assert page.errors == []
