"""Placeholder while the real plugin is written: registers the name so builds do not fail."""

from __future__ import annotations

from generator.plugins import Plugin, PostResult, Widget


class ConvTransposePlugin(Plugin):
    name = "convtranspose"
    version = "0"

    def on_post(self, post, declarations, ctx):
        return PostResult(widgets=tuple(Widget(d.id, f'<div class="convtranspose" id="{d.id}"></div>')
                                        for d in declarations))
