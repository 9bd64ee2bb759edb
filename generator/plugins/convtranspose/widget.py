"""Static markup of one explorer; assets/convtranspose/main.js brings it to life.

Without JavaScript the reader still sees the controls' initial values and a sentence saying what
is missing. Every value is escaped here (the core inserts widget HTML as trusted), and every id
is prefixed with the widget id so several explorers can share a page.
"""

from __future__ import annotations

import hashlib
import re
from html import escape
from typing import Mapping

SLIDER_LABELS = {
    "height": "Input height h",
    "width": "Input width w",
    "kernel": "Kernel size k",
    "stride": "Stride s",
    "padding": "Padding p",
    "output_padding": "Output padding o",
    "dilation": "Dilation d",
}
VIEWS = (
    ("direct", "Scatter (direct)"),
    ("conv", "As a convolution"),
    ("matrix", "Matrix W̃ᵀ"),
    ("overlap", "Overlap"),
    ("adjoint", "Conv2d adjoint"),
)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def element_id_prefix(widget_id: str) -> str:
    """Prefix of every element id inside one widget. Widget ids are free text in front matter,
    but an HTML id may not hold whitespace (and CSS selectors dislike most punctuation), so
    anything else is replaced, with a short hash of the original id so that ``a b`` and ``a-b``
    still get different element ids on one page."""
    safe = _ID_UNSAFE.sub("-", widget_id).strip("-") or "widget"
    if safe != widget_id:
        safe += "-" + hashlib.sha1(widget_id.encode("utf-8")).hexdigest()[:8]
    return f"ct-{safe}"


def render_widget_html(widget_id: str, manifest_url: str, ranges: Mapping[str, tuple[int, int]],
                       initial: Mapping[str, int]) -> str:
    """The explorer's root element. ``ranges``: inclusive (min, max) per slider; ``initial``: the
    starting value of every slider (already checked to be valid for PyTorch)."""
    wid = escape(widget_id, quote=True)
    prefix = element_id_prefix(widget_id)
    controls = []
    for name, label in SLIDER_LABELS.items():
        low, high = ranges[name]
        value = initial[name]
        fixed = " disabled" if low == high else ""
        controls.append(
            f'<div class="ct-control">'
            f'<label for="{prefix}-{name}">{escape(label)}</label>'
            f'<input type="range" id="{prefix}-{name}" name="{name}" min="{int(low)}" max="{int(high)}" '
            f'step="1" value="{int(value)}"{fixed}>'
            f'<output for="{prefix}-{name}" data-role="value-{name}">{int(value)}</output>'
            f'</div>'
        )
    tabs = "".join(
        f'<button type="button" role="tab" id="{prefix}-tab-{key}" aria-controls="{prefix}-view-{key}" '
        f'aria-selected="{"true" if key == "direct" else "false"}" data-tab="{key}">{escape(label)}</button>'
        for key, label in VIEWS
    )
    panels = "".join(
        f'<section class="ct-view" id="{prefix}-view-{key}" role="tabpanel" aria-labelledby="{prefix}-tab-{key}" '
        f'data-view="{key}"{"" if key == "direct" else " hidden"}></section>'
        for key, _ in VIEWS
    )
    return (
        f'<figure class="ct-widget" id="{prefix}" data-widget="convtranspose" data-widget-id="{wid}" '
        f'data-manifest="{escape(manifest_url, quote=True)}" data-state="loading">'
        f'<div class="ct-controls" role="group" aria-label="Parameters of ConvTranspose2d">{"".join(controls)}</div>'
        f'<p class="ct-shape" data-role="shape" aria-live="polite"></p>'
        f'<div class="ct-problem" data-role="problem" role="alert" hidden>'
        f'<p data-role="problem-text"></p>'
        f'<button type="button" data-role="fix" hidden></button>'
        f'<button type="button" data-role="retry" hidden>Retry</button>'
        f'</div>'
        f'<div class="ct-toolbar">'
        f'<div class="ct-tabs" role="tablist" aria-label="Views">{tabs}</div>'
        f'<label class="ct-numbers"><input type="checkbox" data-role="numbers"> Numbers</label>'
        f'<button type="button" class="ct-copy" data-role="copy">Copy as PyTorch</button>'
        f'</div>'
        f'<div class="ct-views">{panels}</div>'
        # Below the grids, so a longer formula never moves a cell out from under the pointer.
        f'<p class="ct-formula" data-role="formula" aria-live="polite">'
        f'Hover or focus an output cell to see how it is formed.</p>'
        f'<p class="ct-nojs" data-role="nojs">The interactive explorer needs JavaScript; the sliders '
        f'above show its starting setting.</p>'
        f'<figcaption class="ct-caption">ConvTranspose2d explorer. Hover, focus or tap a cell; '
        f'click to pin it, Escape to clear; arrow keys move within a grid.</figcaption>'
        f'</figure>'
    )
