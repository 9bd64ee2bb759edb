"""The ``conv1d`` plugin: a torch.nn.Conv1d explorer, built only on Stride's plugin interface.

A declaration in a post's front matter (every key but ``plugin`` and ``id`` is optional)::

    widgets:
      - plugin: conv1d
        id: conv
        ranges: {length: [1, 12], kernel: [1, 5], stride: [1, 3], padding: [0, 2], dilation: [1, 3]}
        initial: {length: 8, kernel: 3, stride: 1, padding: 1, dilation: 1}

and ``{% widget "conv" %}`` where it goes in the body. The data of one set of ranges is computed
once (``ctx.cache``) and published as ``data/conv1d/<key>/data.json``; widgets with equal ranges
share it. The markup comes from ``templates/widget.html``; ``assets/main.js`` and
``assets/conv1d.css`` bring it to life.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.plugins import GeneratedFile, Plugin, PluginContext, PostResult, Widget, WidgetDeclaration

from stride_conv1d.options import WidgetSpec, parse_widget
from stride_conv1d.receptive import SLIDERS, Ranges, dataset

FORMAT = 1  # of data.json; main.js refuses any other
_PRECOMPUTE = Path(__file__).with_name("receptive.py")
LABELS = {
    "length": ("Input length", "n"),
    "kernel": ("Kernel size", "k"),
    "stride": ("Stride", "s"),
    "padding": ("Padding", "p"),
    "dilation": ("Dilation", "d"),
}


class Conv1dPlugin(Plugin):
    name = "conv1d"
    version = "1"  # bump when data.json or the markup changes for the same declaration
    libraries = ("numpy",)  # data.json is computed with NumPy: an upgrade recomputes it

    def on_post(self, post: Any, declarations: tuple[WidgetDeclaration, ...], ctx: PluginContext) -> PostResult:
        widgets, files = [], {}
        for decl in declarations:
            spec = parse_widget(decl)
            key = data_key(spec.ranges, self.version)
            path = f"data/conv1d/{key[:12]}/data.json"
            files[path] = ctx.cache.memo("conv1d", key, lambda r=spec.ranges: encode(r))
            widgets.append(Widget(decl.id, ctx.render("widget.html", widget_context(spec, ctx.url(path)))))
        return PostResult(
            widgets=tuple(widgets),
            files=tuple(GeneratedFile(path, blob) for path, blob in sorted(files.items())),
            scripts=("main.js",),
            styles=("conv1d.css",),
        )


def data_key(ranges: Ranges, version: str) -> str:
    """Everything data.json depends on: the ranges, the format, the plugin version and the code
    of the precompute (so an edit in a checkout needs no version bump to show). It also names
    the published folder: new data gets a new URL, and a browser never combines a cached old
    data.json with new code."""
    digest = hashlib.sha256(repr((ranges.as_dict(), FORMAT, version)).encode())
    digest.update(_PRECOMPUTE.read_bytes())
    return digest.hexdigest()


def encode(ranges: Ranges) -> bytes:
    """data.json of one set of ranges (compact: the page fetches it whole)."""
    return json.dumps({"format": FORMAT, **dataset(ranges)}, separators=(",", ":")).encode()


def widget_context(spec: WidgetSpec, data_url: str) -> dict[str, Any]:
    """What templates/widget.html receives. Values are plain; the template escapes them."""
    sliders = [{"name": name, "label": LABELS[name][0], "symbol": LABELS[name][1],
                "min": getattr(spec.ranges, name)[0], "max": getattr(spec.ranges, name)[1],
                "value": getattr(spec.initial, name)} for name in SLIDERS]
    return {"widget_id": spec.id, "prefix": element_prefix(spec.id), "data_url": data_url, "sliders": sliders}


def element_prefix(widget_id: str) -> str:
    """Prefix of the element ids inside one widget: widget ids are free text, HTML ids are not,
    so the prefix is a hash (two widgets of a page never share one)."""
    return "c1-" + hashlib.sha1(widget_id.encode("utf-8")).hexdigest()[:10]
