"""Per-axis parameters (PyTorch's tuples) in Chromium: the link toggles, the always-present
per-axis sliders, and every view, shape and value of unlinked settings against PyTorch."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, active, explorer, wait_state  # noqa: F401
from tests.plugins.convtranspose.reference import torch_contributions, torch_conv_transpose2d

pytestmark = pytest.mark.browser
PARAMS = ("kernel", "stride", "padding", "output_padding", "dilation")
RANGES = dict(height=(1, 8), width=(1, 8), kernel=(1, 5), stride=(1, 4), padding=(0, 4),
              output_padding=(0, 3), dilation=(1, 3))


def set_inputs(page, values: dict) -> None:
    """An input event on each named slider, in order (per-axis sliders even while hidden)."""
    page.evaluate("""([root, values]) => {
        const widget = document.querySelector(root);
        for (const [name, value] of values) {
            const input = widget.querySelector(`input[name="${name}"]`);
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""", [WIDGET, list(values.items())])


def torch_args(st: dict) -> tuple:
    return tuple((st[f"{p}_h"], st[f"{p}_w"]) for p in PARAMS[1:])


def sample_of(page, example_build: Path) -> dict:
    url = page.get_attribute(WIDGET, "data-manifest")
    return json.loads((example_build / url.lstrip("/")).read_text())["sample"]


def test_per_axis_sliders_are_always_there_and_an_input_on_one_unlinks(explorer):
    page = explorer
    for p in PARAMS:
        for axis in "hw":
            assert page.locator(f'{WIDGET} input[name="{p}_{axis}"]').count() == 1
        assert not page.locator(f'{WIDGET} input[name="{p}_h"]').is_visible()
        assert page.locator(f'{WIDGET} input[name="{p}"]').is_visible()
    set_inputs(page, {"stride_w": 3})
    wait_state(page, "ready")
    toggle = page.locator(f'{WIDGET} [data-role="link"][data-param="stride"]')
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.locator(f'{WIDGET} input[name="stride_h"]').is_visible()
    assert page.locator(f'{WIDGET} input[name="stride_w"]').is_visible()
    assert not page.locator(f'{WIDGET} input[name="stride"]').is_visible()
    state = page.evaluate(f"document.querySelector('{WIDGET}').stride.state()")
    assert set(state) == {"height", "width", *(f"{p}_{a}" for p in PARAMS for a in "hw")}
    assert (state["stride_h"], state["stride_w"]) == (2, 3)
    page.wait_for_function("() => /ct-explorer=[^&]*\\.s2x3\\./.test(location.search)")
    # Linking again (keyboard: the toggle is a button) gives both axes the height's value.
    toggle.focus()
    page.keyboard.press("Enter")
    wait_state(page, "ready")
    assert toggle.get_attribute("aria-pressed") == "true"
    state = page.evaluate(f"document.querySelector('{WIDGET}').stride.state()")
    assert (state["stride_h"], state["stride_w"]) == (2, 2)
    assert page.errors == []


def test_unlinked_settings_match_pytorch_in_every_view(explorer, example_build):
    page = explorer
    page.locator(f'{WIDGET} [data-role="numbers"]').check()
    sample = sample_of(page, example_build)
    rng = random.Random(13)
    checked = rejected = 0
    while checked < 8:
        st = {"height": rng.randint(*RANGES["height"]), "width": rng.randint(*RANGES["width"])}
        for p in PARAMS:
            st[f"{p}_h"] = rng.randint(*RANGES[p])
            st[f"{p}_w"] = rng.randint(*RANGES[p])
        if st["kernel_h"] == st["kernel_w"]:
            continue
        x = np.outer(sample["u"][:st["height"]], sample["v"][:st["width"]])
        w = np.outer(sample["f"][:st["kernel_h"]], sample["g"][:st["kernel_w"]])
        y, error = torch_conv_transpose2d(x, w, *torch_args(st))
        set_inputs(page, st)
        if error is not None:
            wait_state(page, "invalid")
            rejected += 1
            page.locator(f'{WIDGET} [data-role="fix"]').click()
            wait_state(page, "ready")
            fixed = page.evaluate(f"document.querySelector('{WIDGET}').stride.state()")
            x2 = np.outer(sample["u"][:fixed["height"]], sample["v"][:fixed["width"]])
            w2 = np.outer(sample["f"][:fixed["kernel_h"]], sample["g"][:fixed["kernel_w"]])
            assert torch_conv_transpose2d(x2, w2, *torch_args(fixed))[1] is None, fixed
            continue
        shape = f"{y.shape[0]},{y.shape[1]}"
        page.wait_for_function("([r, s]) => document.querySelector(r).dataset.outputShape === s"
                               " && document.querySelector(r).dataset.state === 'ready'", arg=[WIDGET, shape])
        shown = page.evaluate("(r) => Array.from(document.querySelectorAll(`${r} [data-grid=\"output\"]`))"
                              ".map(e => [+e.dataset.row, +e.dataset.col, e.querySelector('text').textContent])", WIDGET)
        assert {(i, j): int(v.replace("−", "-")) for i, j, v in shown} == {
            (i, j): int(y[i, j]) for i in range(y.shape[0]) for j in range(y.shape[1])}
        kh, kw = st["kernel_h"], st["kernel_w"]
        assert page.locator(f'{WIDGET} [data-grid="kernel"]').count() == kh * kw
        dh, dw = st["dilation_h"], st["dilation_w"]
        terms = torch_contributions((st["height"], st["width"]), (kh, kw), *torch_args(st))
        for i, j in rng.sample(sorted(terms), min(3, len(terms))):
            page.locator(f'{WIDGET} [data-grid="output"][data-row="{i}"][data-col="{j}"]').hover()
            assert active(page, "input") == {(a, b) for a, b, _, _ in terms[(i, j)]}
            assert active(page, "kernel") == {(ka, kb) for _, _, ka, kb in terms[(i, j)]}
            assert active(page, "expanded") == {(i + t * dh, j + u * dw) for t in range(kh) for u in range(kw)}
        # The hover drew the hidden views too (they are otherwise drawn when the page is idle).
        size = page.evaluate("(r) => { const f = document.querySelectorAll(`${r} [data-grid=\"flipped\"]`);"
                             " return [Math.max(...[...f].map(e => +e.dataset.row)) + 1, Math.max(...[...f].map(e => +e.dataset.col)) + 1]; }", WIDGET)
        assert size == [dh * (kh - 1) + 1, dw * (kw - 1) + 1]
        checked += 1
    assert rejected > 0
    assert page.errors == []


_REQUESTS_FOR_CHANGE = """async ([root, values]) => {
    const widget = document.querySelector(root);
    const data = widget.stride.data;
    data.files.clear(); data.ready.clear(); // nothing loaded: the change needs its own files
    const before = data.requests;
    for (const [name, value] of values) {
        const input = widget.querySelector(`input[name="${name}"]`);
        input.value = value;
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    // Counted when the drawing is ready, before the neighbours' prefetch (a task of its own).
    await new Promise((resolve) => {
        const done = () => widget.dataset.state !== 'loading';
        if (done()) return resolve();
        const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); resolve(); } });
        watch.observe(widget, {attributes: true, attributeFilter: ['data-state']});
    });
    return [data.requests - before, widget.dataset.state];
}"""


def test_a_per_axis_slider_change_fetches_at_most_two_axis_files(explorer):
    page = explorer
    for values, files in (({"padding_h": 0}, 2), ({"kernel_w": 4}, 2), ({"dilation_h": 2}, 2), ({"stride": 3}, 2),
                          ({"padding": 1}, 2), ({"padding_w": 1}, 2)):
        count, state = page.evaluate(_REQUESTS_FOR_CHANGE, [WIDGET, list(values.items())])
        assert state == "ready"
        assert count <= files, (values, count)
    # A change that makes the two axes equal again: one file serves rows and columns.
    set_inputs(page, {"kernel": 3, "dilation": 1, "stride": 2, "output_padding": 1, "padding_h": 1, "padding_w": 2})
    wait_state(page, "ready")
    count, state = page.evaluate(_REQUESTS_FOR_CHANGE, [WIDGET, [["padding_w", 1]]])
    assert (count, state) == (1, "ready")
    assert page.errors == []
