"""Static markup of one explorer; the plugin's assets/main.js brings it to life.

Without JavaScript the reader sees a picture of the starting setting and a sentence saying what
is missing. Every value is escaped here (the core inserts widget HTML as trusted), and every id
is prefixed with the widget id so several explorers can share a page.
"""

from __future__ import annotations

import hashlib
import re
from html import escape
from typing import Mapping

from generator.plugins.convtranspose.static_svg import describe

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


PARAMS = ("kernel", "stride", "padding", "output_padding", "dilation")
AXIS_LABELS = {"h": "height", "w": "width"}
SPEEDS = (("1200", "slow"), ("600", "medium"), ("250", "fast"))


def _slider(prefix: str, name: str, label: str, low: int, high: int, value: int, hidden: bool = False) -> str:
    fixed = " disabled" if low == high else ""
    return (
        f'<div class="ct-control" data-slider="{name}"{" hidden" if hidden else ""}>'
        f'<label for="{prefix}-{name}">{escape(label)}</label>'
        f'<input type="range" id="{prefix}-{name}" name="{name}" min="{int(low)}" max="{int(high)}" '
        f'step="1" value="{int(value)}"{fixed}>'
        f'<output for="{prefix}-{name}" data-role="value-{name}">{int(value)}</output>'
        f'</div>'
    )


def _parameter(prefix: str, name: str, low: int, high: int, value: int) -> str:
    """One PyTorch parameter: a linked slider (both axes) and a link toggle; the two per-axis
    sliders (``name_h``, ``name_w``) are always in the markup and shown once unlinked."""
    label = SLIDER_LABELS[name]
    axes = "".join(_slider(prefix, f"{name}_{axis}", f"{label.rsplit(' ', 1)[0]} ({word}) {label.rsplit(' ', 1)[1]}{axis}",
                           low, high, value, hidden=True)
                   for axis, word in AXIS_LABELS.items())
    return (
        f'<div class="ct-param" data-param="{name}" data-linked="true">'
        f'{_slider(prefix, name, label, low, high, value)}{axes}'
        f'<button type="button" class="ct-link" data-role="link" data-param="{name}" aria-pressed="true" '
        # The name starts with the visible "h=w", so speech input can say what is on screen.
        f'aria-label="h=w: {escape(label.rsplit(" ", 1)[0])}, one value for height and width" '
        f'title="Linked: one value for both axes. Press to set height and width apart.">h=w</button>'
        f'</div>'
    )


def render_widget_html(widget_id: str, manifest_url: str, ranges: Mapping[str, tuple[int, int]],
                       initial: Mapping[str, int], picture_url: str | None = None) -> str:
    """The explorer's root element. ``ranges``: inclusive (min, max) per slider; ``initial``: the
    starting value of every slider (already checked to be valid for PyTorch; square, so every
    parameter starts linked); ``picture_url``: the static SVG of that setting (static_svg.py).

    Everything interactive sits in a ``<template>``, which neither browsers nor feed readers
    render: main.js moves it into the page. Without JavaScript (and in the feed) the reader sees
    the picture and a sentence instead of controls that do nothing."""
    wid = escape(widget_id, quote=True)
    prefix = element_id_prefix(widget_id)
    controls = [_slider(prefix, name, SLIDER_LABELS[name], *ranges[name], initial[name]) for name in ("height", "width")]
    controls += [_parameter(prefix, name, *ranges[name], initial[name]) for name in PARAMS]
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
    speeds = "".join(f'<option value="{ms}"{" selected" if ms == "600" else ""}>{word}</option>' for ms, word in SPEEDS)
    return (
        f'<figure class="ct-widget" id="{prefix}" data-widget="convtranspose" data-widget-id="{wid}" '
        f'data-manifest="{escape(manifest_url, quote=True)}" data-state="loading">'
        + (f'<img class="ct-static" src="{escape(picture_url, quote=True)}" alt="{escape(describe(initial), quote=True)}">'
           if picture_url else "")
        + f'<p class="ct-nojs" data-role="nojs">The interactive explorer needs JavaScript; the picture shows its '
        f'starting setting.</p>'
        f'<template data-role="interactive">'
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
        f'<div class="ct-walk" role="group" aria-label="Step through the cells">'
        f'<button type="button" data-role="play">Play</button>'
        f'<button type="button" data-role="step">Step</button>'
        f'<label>Speed <select data-role="speed">{speeds}</select></label>'
        f'</div>'
        f'<button type="button" class="ct-copy" data-role="copy">Copy as PyTorch</button>'
        f'</div>'
        # The formula sits beside the grids (below them on a phone) and stays in view while the
        # grid area scrolls, so the hovered cell and its sum are seen together at any size.
        f'<div class="ct-stage">'
        f'<div class="ct-views">{panels}</div>'
        f'<div class="ct-aside">'
        f'<p class="ct-pin" data-role="pin-status" hidden></p>'
        f'<p class="ct-formula" data-role="formula" aria-live="polite">'
        f'Hover or focus an output cell to see how it is formed.</p>'
        f'</div>'
        f'</div>'
        f'<p class="ct-caption">Hover, focus or tap a cell; click to pin it, Escape to clear; arrow keys move '
        f'within a grid; Play or Step walks the cells.</p>'
        f'</template>'
        f'<figcaption class="ct-caption">ConvTranspose2d explorer.</figcaption>'
        f'</figure>'
    )
