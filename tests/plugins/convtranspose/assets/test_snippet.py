""""Copy as PyTorch": the program shown in [data-pytorch] (what the button copies) runs under torch
and prints exactly the output cells Numbers mode shows, for hundreds of random settings."""

from __future__ import annotations

import ast
import contextlib
import io
import random

import pytest

from generator.plugins.convtranspose import output_shape
from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, set_state

pytestmark = pytest.mark.browser
RANGES = dict(height=(1, 8), width=(1, 8), kernel=(1, 5), stride=(1, 4), padding=(0, 4),
              output_padding=(0, 3), dilation=(1, 3))

READ = """(root) => {
    const widget = document.querySelector(root);
    const cells = Array.from(widget.querySelectorAll('[data-grid="output"]'));
    return {
        state: widget.dataset.state,
        shape: widget.dataset.outputShape,
        code: widget.querySelector('pre[data-pytorch]').textContent,
        cells: cells.map((c) => [Number(c.dataset.row), Number(c.dataset.col), c.dataset.value ?? null]),
        mirror: Array.from(widget.querySelectorAll('figure[data-key="conv-output"] g.ct-cell'))
            .map((c) => c.dataset.value ?? null),
    };
}"""


PARAMS = ("kernel", "stride", "padding", "output_padding", "dilation")


def random_settings(count: int, seed: int) -> list[dict]:
    """Valid settings as Explorer.state() holds them; in half of them every parameter is drawn
    per axis, so the program's tuples differ between height and width."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        st = {name: rng.randint(*RANGES[name]) for name in ("height", "width")}
        per_axis = rng.random() < 0.5
        for name in PARAMS:
            st[f"{name}_h"] = rng.randint(*RANGES[name])
            st[f"{name}_w"] = rng.randint(*RANGES[name]) if per_axis else st[f"{name}_h"]
        try:
            output_shape((st["height"], st["width"]), *(tuple(st[f"{name}_{ax}"] for ax in "hw") for name in PARAMS))
        except ValueError:
            continue
        out.append(st)
    assert sum(any(st[f"{n}_h"] != st[f"{n}_w"] for n in PARAMS) for st in out) > count // 4
    return out


def run_programs(programs: list[str]) -> list[object]:
    """Run every program in this process (torch imported once) and parse what each prints."""
    printed = []
    for code in programs:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
        printed.append(ast.literal_eval(buffer.getvalue().strip()))
    return printed


def test_the_copied_program_reproduces_the_numbers_for_200_settings(example_build, static_server, page):
    pytest.importorskip("torch")
    server = static_server(example_build)
    page.goto(server.url + POST)
    page.wait_for_function("(r) => document.querySelector(r).dataset.state === 'ready'", arg=WIDGET, timeout=20000)
    page.locator(f'{WIDGET} [data-role="numbers"]').first.check()
    seen = []
    for st in random_settings(220, seed=5):
        set_state(page, st)
        shape = output_shape((st["height"], st["width"]), *(tuple(st[f"{name}_{ax}"] for ax in "hw")
                                                            for name in PARAMS))
        page.wait_for_function(
            "([r, s]) => { const w = document.querySelector(r); return w.dataset.state === 'ready' && "
            "w.dataset.outputShape === s; }", arg=[WIDGET, f"{shape[0]},{shape[1]}"], timeout=10000)
        # hidden views draw lazily: a hover draws them all (the As a convolution tab's Y included)
        page.locator(f'{WIDGET} [data-grid="output"]').first.hover()
        shown = page.evaluate(READ, WIDGET)
        args = ", ".join(f"{name}=({st[key + '_h']}, {st[key + '_w']})" for name, key in (
            ("kernel_size", "kernel"), ("stride", "stride"), ("padding", "padding"),
            ("output_padding", "output_padding"), ("dilation", "dilation")))
        assert f"nn.ConvTranspose2d(1, 1, {args}, bias=False)" in shown["code"], (st, shown["code"])
        assert len(shown["cells"]) == shape[0] * shape[1]
        assert all(v is not None for _, _, v in shown["cells"]), "a Numbers-mode output cell lacks data-value"
        assert all(v is not None for v in shown["mirror"])
        seen.append((st, shape, shown))
    printed = run_programs([shown["code"] for _, _, shown in seen])
    for (st, shape, shown), output in zip(seen, printed):
        assert len(output) == shape[0] and all(len(row) == shape[1] for row in output), st
        for i, j, value in shown["cells"]:
            assert output[i][j] == float(value), (st, i, j)
    # Leaving Numbers mode removes the values again.
    page.locator(f'{WIDGET} [data-role="numbers"]').first.uncheck()
    assert page.locator(f'{WIDGET} [data-grid="output"][data-value]').count() == 0
    assert page.errors == []


def test_the_copy_button_copies_the_shown_program(example_build, static_server, browser):
    server = static_server(example_build)
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server.url + POST)
    page.wait_for_function("(r) => document.querySelector(r).dataset.state === 'ready'", arg=WIDGET, timeout=20000)
    page.locator(f'{WIDGET} [data-role="copy"]').first.click()
    page.wait_for_function("(r) => document.querySelector(r + ' [data-role=\"copy\"]').textContent === 'Copied'",
                           arg=WIDGET, timeout=5000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.locator(f"{WIDGET} pre[data-pytorch]").first.text_content()
    assert copied.startswith("import torch\n") and "bias=False" in copied
    assert copied.rstrip().splitlines()[-1].startswith("print(")
    context.close()
