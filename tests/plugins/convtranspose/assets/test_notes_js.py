"""The plugin's assets/notes.js prints the same notes as notes.py (whose sentences
tests/plugins/convtranspose/notes/test_notes.py checks against the arithmetic) for every valid default setting
and 3,000 whose axes differ, and the views show them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.plugins.convtranspose.notes import matrix_note, overlap_note
from tests.plugins.convtranspose.assets.test_explorer import POST, WIDGET, set_state, wait_state
from tests.plugins.convtranspose.notes.test_notes import axis_inputs, note_inputs, per_axis_settings, valid_settings

pytestmark = pytest.mark.browser

COMPARE = """async ([url, axes, settings, texts]) => {
    const notes = await import(url);
    const bad = [];
    settings.forEach(([r, c, overlapAt, matrixAt], at) => {
        const [rows, rowCounts, rowReach] = axes[r];
        const [cols, colCounts, colReach] = axes[c];
        const overlap = notes.overlapNote(rows, cols, rowCounts, colCounts);
        const matrix = notes.matrixNote(rows, cols, rowReach, colReach);
        if (overlap !== texts[overlapAt] || matrix !== texts[matrixAt]) bad.push([at, overlap, matrix]);
    });
    return {count: settings.length, bad: bad.slice(0, 5)};
}"""


def published(build: Path, name: str) -> str:
    found = sorted((build / "assets" / "plugins" / "convtranspose").glob(f"{name}.*.js"))
    assert len(found) == 1, found
    return "/" + found[0].relative_to(build).as_posix()


def test_the_browser_notes_equal_the_python_notes_for_every_valid_setting(example_build, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + POST)
    axes: dict[tuple, int] = {}
    axis_rows: list = []
    texts: dict[str, int] = {}
    settings = []

    def axis_index(ax, counts, reach):
        if ax not in axes:
            axes[ax] = len(axis_rows)
            axis_rows.append([list(ax), counts, reach])
        return axes[ax]

    def text_index(text):
        return texts.setdefault(text, len(texts))

    for setting in valid_settings():
        rows, cols, counts, reach = note_inputs(*setting)
        r, c = axis_index(rows, counts[0], reach[0]), axis_index(cols, counts[1], reach[1])
        settings.append([r, c, text_index(overlap_note(rows, cols, *counts)),
                         text_index(matrix_note(rows, cols, *reach))])
    assert len(settings) == 46_344
    # and settings whose two axes differ, as PyTorch's tuples allow
    for rows, cols in per_axis_settings(3000, seed=13):
        counts, reach = axis_inputs(rows, cols)
        r, c = axis_index(rows, counts[0], reach[0]), axis_index(cols, counts[1], reach[1])
        settings.append([r, c, text_index(overlap_note(rows, cols, *counts)),
                         text_index(matrix_note(rows, cols, *reach))])
    result = page.evaluate(COMPARE, [server.url.rstrip("/") + published(example_build, "notes"), axis_rows,
                                     settings, list(texts)])
    assert result == {"count": 46_344 + 3000, "bad": []}
    assert page.errors == []


SQUARE = [(5, 5, 3, 2, 1, 1, 1), (3, 3, 4, 2, 1, 0, 2), (6, 4, 4, 2, 0, 0, 1), (1, 1, 1, 4, 0, 3, 1)]
# Axes (n, k, s, p, o, d) set apart, as PyTorch's tuples allow: each axis follows its own parameters.
PER_AXIS = [((5, 3, 2, 1, 1, 1), (4, 4, 2, 1, 0, 1)), ((3, 2, 2, 0, 0, 2), (6, 3, 1, 0, 0, 1)),
            ((2, 5, 1, 1, 0, 1), (7, 2, 3, 0, 2, 1))]


def test_the_views_print_the_notes_of_their_setting(example_build, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + POST)
    wait_state(page, "ready")
    cases = [note_inputs(*setting)[:2] for setting in SQUARE] + PER_AXIS
    for rows, cols in cases:
        st = {"height": rows[0], "width": cols[0]}
        for at, name in enumerate(("kernel", "stride", "padding", "output_padding", "dilation"), start=1):
            st[f"{name}_h"], st[f"{name}_w"] = rows[at], cols[at]
        set_state(page, st)
        counts, reach = axis_inputs(rows, cols)
        shape = f"{len(counts[0])},{len(counts[1])}"
        page.wait_for_function("([r, s]) => document.querySelector(r).dataset.outputShape === s", arg=[WIDGET, shape])
        wait_state(page, "ready")
        overlap, matrix = shown_notes(page)
        assert overlap == overlap_note(rows, cols, *counts)
        assert matrix.endswith(matrix_note(rows, cols, *reach))
    assert page.errors == []


def shown_notes(page) -> tuple[str, str]:
    """The notes of the Overlap and Matrix tabs (each drawn once its tab is shown)."""
    notes = []
    for tab in ("overlap", "matrix"):
        page.locator(f'{WIDGET} [data-tab="{tab}"]').first.click()
        notes.append(page.locator(f'{WIDGET} [data-view="{tab}"] .ct-note').first.text_content())
    page.locator(f'{WIDGET} [data-tab="direct"]').first.click()
    return notes[0], notes[1]
