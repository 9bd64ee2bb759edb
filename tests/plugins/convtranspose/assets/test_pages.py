"""Explorers on the built example site beyond the main post: two independent widgets on one page,
and the numbers the Numbers mode prints, checked against conv_transpose2d of the sample data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from generator.plugins.convtranspose import contributions, conv_transpose2d, output_shape

pytestmark = pytest.mark.browser
TWO = "posts/one-dimensional-and-large-stride/"
MAIN = "posts/transposed-convolution/"


def root(widget_id: str) -> str:
    return f'[data-widget="convtranspose"][data-widget-id="{widget_id}"]'


def set_state(page, widget_id: str, state: dict) -> None:
    page.evaluate("""([sel, state]) => {
        const widget = document.querySelector(sel);
        for (const [name, value] of Object.entries(state)) {
            const input = widget.querySelector(`input[name="${name}"]`);
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""", [root(widget_id), state])


def wait_shape(page, widget_id: str, shape: tuple[int, int]) -> None:
    page.wait_for_function(
        "([sel, s]) => { const r = document.querySelector(sel); return r.dataset.state === 'ready' && r.dataset.outputShape === s; }",
        arg=[root(widget_id), f"{shape[0]},{shape[1]}"], timeout=10000)


def active(page, scope: str, grid: str) -> set[tuple[int, int]]:
    cells = page.evaluate("([scope, g]) => Array.from(document.querySelectorAll(`${scope} [data-grid=\"${g}\"].active`))"
                          ".map(e => [Number(e.dataset.row), Number(e.dataset.col)])", [scope, grid])
    return {tuple(c) for c in cells}


def values(page, widget_id: str) -> dict[str, int]:
    return page.evaluate("(sel) => Object.fromEntries(Array.from(document.querySelectorAll(`${sel} input[type=range]`))"
                         ".map(i => [i.name, Number(i.value)]))", root(widget_id))


def args_of(st: dict) -> tuple:
    return ((st["height"], st["width"]), (st["kernel"],) * 2, st["stride"], st["padding"],
            st["output_padding"], st["dilation"])


def formula_value(text: str) -> int:
    """The value a gather formula ends with: "y[i,j] = ... = 3·2 + (−1)·4 = 2" or "y[i,j] = 0: ..."."""
    found = re.findall(r"= (−?\d+)(?=:| \(a cell|$)", text)
    assert found, text
    return int(found[-1].replace("−", "-"))


def test_two_widgets_on_one_page_are_independent(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + TWO)
    for wid in ("row", "gaps"):
        page.wait_for_function("(sel) => document.querySelector(sel).dataset.state === 'ready'", arg=root(wid))
    before_row = values(page, "row")
    shape_row = page.get_attribute(root("row"), "data-output-shape")
    gaps = dict(values(page, "gaps"), stride=6, output_padding=2, height=3)
    set_state(page, "gaps", {"stride": 6, "output_padding": 2, "height": 3})
    wait_shape(page, "gaps", output_shape(*args_of(gaps)))
    assert values(page, "row") == before_row
    assert page.get_attribute(root("row"), "data-output-shape") == shape_row
    # Stride 6 > kernel 3 leaves output cells that no input reaches: their formula says so.
    expected = contributions(*args_of(gaps))
    empty = next(cell for cell, terms in expected.items() if not terms)
    fed = next(cell for cell, terms in expected.items() if len(terms) == 1)
    for i, j in (empty, fed):
        page.locator(f'{root("gaps")} [data-grid="output"][data-row="{i}"][data-col="{j}"]').hover()
        assert active(page, root("gaps"), "output") == {(i, j)}
        assert active(page, root("gaps"), "input") == {(a, b) for a, b, _, _ in expected[(i, j)]}
        assert active(page, root("gaps"), "kernel") == {(ka, kb) for _, _, ka, kb in expected[(i, j)]}
        assert active(page, root("row"), "input") | active(page, root("row"), "output") == set()
        formula = page.locator(f'{root("gaps")} [data-role="formula"]').text_content()
        assert ("no input reaches" in formula) == (not expected[(i, j)]), formula
    # Each widget keeps its own entry in the URL's query (only the one the reader used).
    page.wait_for_function("() => location.search.includes('ct-gaps=h3.')")
    assert ".s6.p0.o2." in page.evaluate("location.search")
    assert "ct-row=" not in page.evaluate("location.search")
    assert page.errors == []


def test_numbers_mode_matches_conv_transpose2d_of_the_sample(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    page.wait_for_function("(sel) => document.querySelector(sel).dataset.state === 'ready'", arg=sel)
    manifest_url = page.get_attribute(sel, "data-manifest")
    sample = json.loads((example_build / manifest_url.lstrip("/")).read_text())["sample"]
    page.check(f'{sel} [data-role="numbers"]')
    for st in ({"height": 4, "width": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1},
               {"height": 2, "width": 5, "kernel": 2, "stride": 3, "padding": 0, "output_padding": 2, "dilation": 2}):
        set_state(page, "explorer", st)
        h, w, k = st["height"], st["width"], st["kernel"]
        x = np.outer(sample["u"][:h], sample["v"][:w])
        kernel = np.outer(sample["f"][:k], sample["g"][:k])
        y = conv_transpose2d(x, kernel, st["stride"], st["padding"], st["output_padding"], st["dilation"])
        wait_shape(page, "explorer", y.shape)
        shown = page.evaluate("(sel) => Array.from(document.querySelectorAll(`${sel} [data-grid=\"output\"]`))"
                              ".map(e => [Number(e.dataset.row), Number(e.dataset.col), e.textContent])", sel)
        labels = {(i, j): int(text.replace("−", "-")) for i, j, text in shown}
        assert labels == {(i, j): int(y[i, j]) for i in range(y.shape[0]) for j in range(y.shape[1])}
        # Screen readers get the same number, named like the formula names it.
        name = page.get_attribute(f'{sel} [data-grid="output"][data-row="0"][data-col="0"]', "aria-label")
        assert name.replace("−", "-") == f"y[0,0] = {int(y[0, 0])}"
        i, j = y.shape[0] - 1, 0
        page.locator(f'{sel} [data-grid="output"][data-row="{i}"][data-col="{j}"]').hover()
        formula = page.locator(f'{sel} [data-role="formula"]').text_content()
        assert formula_value(formula) == int(y[i, j]), formula
    assert page.errors == []


def test_matrix_row_and_column_follow_the_hovered_cell(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    st = {"height": 3, "width": 2, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    set_state(page, "explorer", st)
    H, W = output_shape(*args_of(st))
    wait_shape(page, "explorer", (H, W))
    page.click(f'{sel} [data-tab="matrix"]')
    expected = contributions(*args_of(st))
    lit = ("(sel) => Array.from(document.querySelectorAll(`${sel} [data-matrix].lit`))"
           ".map(e => [Number(e.dataset.row), Number(e.dataset.col)])")
    bands = ("(sel) => Array.from(document.querySelectorAll(`${sel} rect.ct-band`))"
             ".map(e => [Number(e.getAttribute('y')), Number(e.getAttribute('x'))])")
    i, j = 2, 1
    page.dispatch_event(f'{sel} [data-grid="output"][data-row="{i}"][data-col="{j}"]', "mouseover")
    row = i * W + j
    assert {tuple(c) for c in page.evaluate(lit, sel)} == {(row, a * st["width"] + b) for a, b, _, _ in expected[(i, j)]}
    (band,) = page.evaluate(bands, sel)
    cell = band[0] / row  # the band starts at the matrix row's top edge
    a, b = 1, 0
    page.dispatch_event(f'{sel} [data-grid="input"][data-row="{a}"][data-col="{b}"]', "mouseover")
    column = a * st["width"] + b
    fed = {(i2 * W + j2) for (i2, j2), terms in expected.items() if any((t[0], t[1]) == (a, b) for t in terms)}
    assert {tuple(c) for c in page.evaluate(lit, sel)} == {(r, column) for r in fed}
    assert page.evaluate(bands, sel) == [[0, column * cell]]
    assert page.errors == []


@pytest.mark.parametrize("st", [
    {"height": 4, "width": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1},
    {"height": 3, "width": 5, "kernel": 2, "stride": 3, "padding": 2, "output_padding": 0, "dilation": 2},
    {"height": 3, "width": 3, "kernel": 5, "stride": 1, "padding": 2, "output_padding": 0, "dilation": 1},
    # padding > d(k-1): the conv form crops, and some inputs reach no output at all
    {"height": 4, "width": 5, "kernel": 2, "stride": 1, "padding": 2, "output_padding": 0, "dilation": 1},
])
def test_scatter_and_kernel_highlights_equal_contributions(example_build: Path, static_server, page, st):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    set_state(page, "explorer", st)
    wait_shape(page, "explorer", output_shape(*args_of(st)))
    terms = [(i, j, a, b, ka, kb) for (i, j), found in contributions(*args_of(st)).items() for a, b, ka, kb in found]
    cells = [(a, b) for a in range(st["height"]) for b in range(st["width"])]
    for a, b in cells[:: max(1, len(cells) // 4)]:
        page.locator(f'{sel} [data-grid="input"][data-row="{a}"][data-col="{b}"]').hover()
        assert active(page, sel, "input") == {(a, b)}
        assert active(page, sel, "output") == {(i, j) for i, j, a2, b2, _, _ in terms if (a2, b2) == (a, b)}
        assert active(page, sel, "kernel") == {(ka, kb) for _, _, a2, b2, ka, kb in terms if (a2, b2) == (a, b)}
    k = st["kernel"]
    for ka, kb in {(0, 0), (k - 1, 0), (k // 2, k - 1)}:
        page.locator(f'{sel} [data-grid="kernel"][data-row="{ka}"][data-col="{kb}"]').hover()
        linked = [t for t in terms if (t[4], t[5]) == (ka, kb)]
        assert active(page, sel, "kernel") == {(ka, kb)}
        assert active(page, sel, "input") == {(a, b) for _, _, a, b, _, _ in linked}
        assert active(page, sel, "output") == {(i, j) for i, j, _, _, _, _ in linked}
        d = st["dilation"]
        assert active(page, sel, "flipped") == {((k - 1 - ka) * d, (k - 1 - kb) * d)}
    assert page.errors == []


def test_every_grid_is_reachable_with_tab(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    page.wait_for_function("(sel) => document.querySelector(sel).dataset.state === 'ready'", arg=sel)
    focused = "() => { const e = document.activeElement; return e && (e.dataset.grid || e.dataset.mirror || (e.dataset.matrix && 'matrix') || e.getAttribute('name') || e.dataset.tab || e.tagName); }"

    def tab_through(limit: int = 40) -> list[str]:
        page.focus(f'{sel} input[name="height"]')
        seen = []
        for _ in range(limit):
            page.keyboard.press("Tab")
            seen.append(page.evaluate(focused))
        return seen

    seen = tab_through()
    assert {"input", "kernel", "output"} <= set(seen)
    assert seen.count("output") == 1, "one tab stop per grid; arrow keys move inside it"
    page.click(f'{sel} [data-tab="conv"]')
    assert {"expanded", "flipped"} <= set(tab_through())
    assert page.errors == []


def test_tapping_a_cell_pins_it_on_a_touch_screen(example_build: Path, static_server, browser):
    server = static_server(example_build)
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(server.url + MAIN)
    sel = root("explorer")
    st = {"height": 3, "width": 3, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1, "dilation": 1}
    set_state(page, "explorer", st)
    wait_shape(page, "explorer", output_shape(*args_of(st)))
    page.tap(f'{sel} [data-grid="output"][data-row="2"][data-col="3"]')
    expected = contributions(*args_of(st))[(2, 3)]
    assert active(page, sel, "input") == {(a, b) for a, b, _, _ in expected}
    page.wait_for_function("() => location.search.includes('.output-2-3')")
    context.close()


def test_overlap_counts_equal_the_number_of_contributions(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    st = {"height": 4, "width": 5, "kernel": 3, "stride": 2, "padding": 0, "output_padding": 1, "dilation": 1}
    set_state(page, "explorer", st)
    wait_shape(page, "explorer", output_shape(*args_of(st)))
    page.click(f'{sel} [data-tab="overlap"]')  # hidden views are drawn when idle or shown
    shown = page.evaluate("(sel) => Array.from(document.querySelectorAll(`${sel} [data-key=\"overlap\"] g.ct-cell`))"
                          ".map(e => [Number(e.dataset.row), Number(e.dataset.col), Number(e.querySelector('text').textContent)])", sel)
    expected = contributions(*args_of(st))
    assert {(i, j): n for i, j, n in shown} == {cell: len(terms) for cell, terms in expected.items()}
    assert len({len(t) for t in expected.values()}) > 1  # kernel 3, stride 2: a checkerboard


def test_a_burst_of_input_events_draws_once_per_frame_and_ends_on_the_last_state(
        example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + MAIN)
    sel = root("explorer")
    page.wait_for_function("(sel) => document.querySelector(sel).dataset.state === 'ready'", arg=sel)
    draws = page.evaluate("""(sel) => {
        const root = document.querySelector(sel);
        const explorer = root.stride;
        let count = 0;
        const draw = explorer.draw.bind(explorer);
        explorer.draw = (model) => { count += 1; return draw(model); };
        const input = root.querySelector('input[name="width"]');
        for (const value of [8, 1, 7, 2, 6, 3, 5, 4, 8, 6]) {
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
        return new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(count), 50)));
    }""", sel)
    st = dict(values(page, "explorer"), width=6)
    wait_shape(page, "explorer", output_shape(*args_of(st)))
    assert 1 <= draws <= 2, draws
    assert page.errors == []
