"""The Conv2d adjoint view against torch: its matrix C is the matrix of F.conv2d (probed with unit
vectors), its transpose computes F.conv_transpose2d, hovering lights the right column (row), and the
listed output sizes are exactly the ones conv2d maps back to the input size, each reached through
forward(x, output_size=…) with the output_padding shown."""

from __future__ import annotations

import random

import pytest

from generator.plugins.convtranspose import output_shape
from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, set_state

pytestmark = pytest.mark.browser
torch = pytest.importorskip("torch")
F = torch.nn.functional
VIEW = f'{WIDGET} [data-view="adjoint"]'

READ = """(view) => {
    const panel = document.querySelector(view);
    const sample = panel.closest('[data-widget]').stride.manifest.sample;
    return {
        rows: Number(panel.dataset.convRows), cols: Number(panel.dataset.convCols),
        cells: Array.from(panel.querySelectorAll('[data-adjoint="c"]'))
            .map((c) => [Number(c.dataset.row), Number(c.dataset.col), Number(c.querySelector('text').textContent)]),
        sizes: Object.fromEntries(['h', 'w'].map((ax) => [ax, Array.from(panel.querySelectorAll(
            `ul[data-axis="${ax}"] li[data-size]`)).map((li) => [Number(li.dataset.size), Number(li.dataset.outputPadding)])])),
        beyond: panel.querySelectorAll('ul li:not([data-size])').length,
        sample,
    };
}"""
HUES = """([root, view]) => Array.from(document.querySelectorAll(`${view} [data-adjoint="c"].lit`)).map((c) => {
    const [ka, kb] = c.getAttribute('aria-label').match(/w\\[(\\d+),(\\d+)\\]/).slice(1);
    const tap = document.querySelector(`${root} [data-grid="kernel"][data-row="${ka}"][data-col="${kb}"]`);
    return [Number(c.dataset.row), c.style.getPropertyValue('--ct-hue'), tap.style.getPropertyValue('--ct-hue')];
})"""
LIT = "(view) => Array.from(document.querySelectorAll(`${view} [data-adjoint=\"c\"].lit`)).map((c) => [Number(c.dataset.row), Number(c.dataset.col)])"


def conv_matrix_by_probing(weight, in_shape, s, p, d):
    """Columns of C are conv2d of the unit inputs (row-major)."""
    rows, cols = in_shape
    units = torch.eye(rows * cols, dtype=torch.float64).reshape(rows * cols, 1, rows, cols)
    out = F.conv2d(units, weight, stride=s, padding=p, dilation=d)
    return out.reshape(rows * cols, -1).T, tuple(out.shape[-2:])


PARAMS = ("kernel", "stride", "padding", "output_padding", "dilation")


def settings(count, seed):
    """Random valid settings, each parameter drawn per axis (as PyTorch's tuples) in half of them."""
    rng = random.Random(seed)
    found, extra = [], 0
    while len(found) < count:
        st = dict(height=rng.randint(1, 5), width=rng.randint(1, 5))
        per_axis = rng.random() < 0.5
        for ax in ("h", "w"):
            if ax == "w" and not per_axis:
                st.update({f"{name}_w": st[f"{name}_h"] for name in PARAMS})
                break
            st.update({f"kernel_{ax}": rng.randint(1, 4), f"stride_{ax}": rng.randint(1, 3),
                       f"padding_{ax}": rng.randint(0, 2), f"dilation_{ax}": rng.randint(1, 3)})
            st[f"output_padding_{ax}"] = rng.randint(0, max(st[f"stride_{ax}"], st[f"dilation_{ax}"]) - 1)
        try:
            shape = output_shape((st["height"], st["width"]), *(tuple(st[f"{name}_{ax}"] for ax in "hw")
                                                                  for name in PARAMS))
        except ValueError:
            continue
        if shape[0] * shape[1] > 625:
            continue
        extra += any(st[f"output_padding_{ax}"] >= st[f"stride_{ax}"] for ax in "hw")
        found.append((st, shape))
    assert extra >= 2, "the sample must include output_padding >= stride"
    assert any(st["kernel_h"] != st["kernel_w"] or st["stride_h"] != st["stride_w"] for st, _ in found)
    return found


def test_the_adjoint_view_is_conv2d_and_its_backward_pass(example_build, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + POST)
    page.wait_for_function("(r) => document.querySelector(r).dataset.state === 'ready'", arg=WIDGET, timeout=20000)
    page.locator(f'{WIDGET} [data-role="numbers"]').first.check()
    page.locator(f'{WIDGET} [data-tab="adjoint"]').first.click()
    rng = random.Random(2)
    for st, (H, W) in settings(30, seed=9):
        set_state(page, st)
        page.wait_for_function("([r, s]) => { const w = document.querySelector(r); return w.dataset.state === 'ready' "
                               "&& w.dataset.outputShape === s; }", arg=[WIDGET, f"{H},{W}"], timeout=10000)
        shown = page.evaluate(READ, VIEW)
        (kh, kw), s, p, o, d = (tuple(st[f"{name}_{ax}"] for ax in "hw") for name in PARAMS)
        h, w = st["height"], st["width"]
        sample = shown["sample"]
        weight = torch.outer(torch.tensor(sample["f"][:kh], dtype=torch.float64),
                             torch.tensor(sample["g"][:kw], dtype=torch.float64))[None, None]
        C, conv_out = conv_matrix_by_probing(weight, (H, W), s, p, d)
        assert (shown["rows"], shown["cols"]) == conv_out, st
        drawn = torch.zeros_like(C)
        for r, c, value in shown["cells"]:
            drawn[r, c] = value
        assert torch.equal(drawn, C), st
        assert len(shown["cells"]) == int((C != 0).sum())
        # ConvTranspose2d is Cᵀ on the Conv2d outputs that X has (all of them unless o >= s)
        keep = [a * conv_out[1] + b for a in range(h) for b in range(w)]
        assert conv_out[0] >= h and conv_out[1] >= w
        assert (conv_out[0] != h, conv_out[1] != w) == (o[0] >= s[0], o[1] >= s[1])
        x = torch.randn(1, 1, h, w, dtype=torch.float64)
        y = F.conv_transpose2d(x, weight, stride=s, padding=p, output_padding=o, dilation=d)
        assert torch.allclose(C[keep].T @ x.reshape(-1), y.reshape(-1)), st
        # ... which is what autograd calls the backward pass of conv2d
        yin = torch.zeros(1, 1, H, W, dtype=torch.float64, requires_grad=True)
        grad = torch.zeros(1, 1, *conv_out, dtype=torch.float64)
        grad[..., :h, :w] = x
        F.conv2d(yin, weight, stride=s, padding=p, dilation=d).backward(grad)
        assert torch.allclose(yin.grad, y)
        # hovering y[i,j] lights column i·W+j of C: exactly its nonzero entries
        for i, j in rng.sample([(i, j) for i in range(H) for j in range(W)], min(3, H * W)):
            page.locator(f'{VIEW} [data-mirror="output"][data-row="{i}"][data-col="{j}"]').hover()
            column = i * W + j
            assert sorted(tuple(c) for c in page.evaluate(LIT, VIEW)) == \
                sorted((int(r), column) for r in torch.nonzero(C[:, column]).flatten())
            # each lit entry w[ka,kb] of a row X has (an x·w product of y[i,j]) carries the hue its
            # tap has in the Scatter view's kernel
            hues = page.evaluate(HUES, [WIDGET, VIEW])
            assert all(entry for _, entry, _ in hues), (st, hues)
            assert all(entry == tap for row, entry, tap in hues if row in keep), (st, hues)
        # the listed sizes: every input length conv2d maps back to h (w), with its output_padding
        for at, (ax, n, L) in enumerate((("h", h, H), ("w", w, W))):
            k1, s1, p1, d1 = kh if at == 0 else kw, s[at], p[at], d[at]
            maps_back = [m for m in range(1, L + 3 * s1 + 3 * d1 * k1)
                         if m + 2 * p1 >= d1 * (k1 - 1) + 1 and (m + 2 * p1 - d1 * (k1 - 1) - 1) // s1 + 1 == n]
            assert [size for size, _ in shown["sizes"][ax]] == maps_back, (st, ax)
        layer = torch.nn.ConvTranspose2d(1, 1, (kh, kw), stride=s, padding=p, dilation=d, bias=False,
                                         dtype=torch.float64)
        with torch.no_grad():
            layer.weight.copy_(weight)
        for (mh, eh) in shown["sizes"]["h"]:
            for (mw, ew) in shown["sizes"]["w"]:
                sized = layer(x, output_size=(mh, mw))
                assert sized.shape[-2:] == (mh, mw)
                assert torch.allclose(sized, F.conv_transpose2d(x, weight, stride=s, padding=p, dilation=d,
                                                                output_padding=(eh, ew)))
        assert shown["beyond"] == (o[0] >= s[0]) + (o[1] >= s[1])
        if o[0] >= s[0] or o[1] >= s[1]:
            with pytest.raises(ValueError):
                layer(x, output_size=(H, W))
    # an input cell x[a,b] (in the Scatter view) lights row a·(Conv2d width)+b: its nonzero entries
    page.locator(f'{WIDGET} [data-tab="direct"]').first.click()
    a, b = next((a, b) for a in range(h) for b in range(w) if C[a * conv_out[1] + b].any())
    page.locator(f'{WIDGET} [data-grid="input"][data-row="{a}"][data-col="{b}"]').first.hover()
    row = a * conv_out[1] + b
    assert sorted(tuple(c) for c in page.evaluate(LIT, VIEW)) == \
        sorted((row, int(c)) for c in torch.nonzero(C[row]).flatten())
    hues = page.evaluate(HUES, [WIDGET, VIEW])
    assert hues and all(entry and entry == tap for _, entry, tap in hues), hues
    # a weight w[ka,kb] lights every entry of C that holds it, in its hue
    page.locator(f'{WIDGET} [data-grid="kernel"][data-row="0"][data-col="{kw - 1}"]').first.hover()
    holding = page.evaluate("""(view) => Array.from(document.querySelectorAll(`${view} [data-adjoint="c"]`))
        .filter((c) => c.getAttribute('aria-label').startsWith("w[0,%d]"))
        .map((c) => [Number(c.dataset.row), Number(c.dataset.col)])""" % (kw - 1), VIEW)
    assert holding and sorted(tuple(c) for c in page.evaluate(LIT, VIEW)) == sorted(tuple(c) for c in holding)
    hues = page.evaluate(HUES, [WIDGET, VIEW])
    assert all(entry and entry == tap for _, entry, tap in hues), hues
    assert page.errors == []
