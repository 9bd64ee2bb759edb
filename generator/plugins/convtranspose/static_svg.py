"""A static picture of an explorer's starting setting: the Scatter view's three grids (input X,
kernel W, output Y) as a standalone SVG, drawn at build time for feeds and pages read without
JavaScript. Only presentation attributes, no CSS, no script, so feed readers show it as drawn.

Cells are labelled with their (row, col) index as the explorer labels them; output cells added by
output_padding (the last o rows and columns) are drawn dashed, as the explorer marks them.
"""

from __future__ import annotations

from html import escape
from typing import Mapping

from generator.plugins.convtranspose.arithmetic import output_shape

CELL = 26
GAP = 30
TOP = 34  # room for the captions
INK = "#1d2126"
MUTED = "#4f5862"  # 6.9:1 on white
FILL = {"input": "#dbe8fb", "kernel": "#dbe8fb", "output": "#ffffff", "op": "#f6e3f3"}
STROKE = "#8a94a0"


def _grid(x0: int, rows: int, cols: int, caption: str, kind: str, extra: int = 0) -> list[str]:
    parts = [f'<text x="{x0}" y="{TOP - 12}" font-size="12" fill="{MUTED}">{escape(caption)}</text>']
    for r in range(rows):
        for c in range(cols):
            added = kind == "output" and (r >= rows - extra or c >= cols - extra)
            dashes = ' stroke-dasharray="5 2"' if added else ""
            x, y = x0 + c * CELL, TOP + r * CELL
            parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="3" '
                         f'fill="{FILL["op"] if added else FILL[kind]}" stroke="{STROKE}"'
                         f'{dashes}/>')
            parts.append(f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 3}" font-size="8" text-anchor="middle" '
                         f'fill="{INK}">{r},{c}</text>')
    return parts


def describe(initial: Mapping[str, int]) -> str:
    """One sentence naming the setting and the output shape (the picture's text alternative)."""
    s = initial
    oh, ow = output_shape((s["height"], s["width"]), s["kernel"], s["stride"], s["padding"],
                          s["output_padding"], s["dilation"])
    return (f"ConvTranspose2d of a {s['height']}×{s['width']} input X with a {s['kernel']}×{s['kernel']} kernel W, "
            f"stride {s['stride']}, padding {s['padding']}, output padding {s['output_padding']} and dilation "
            f"{s['dilation']}: a {oh}×{ow} output Y.")


def initial_svg(initial: Mapping[str, int]) -> str:
    """The SVG document of the starting setting ``initial`` (slider name -> value, valid for PyTorch)."""
    s = initial
    h, w, k, o = s["height"], s["width"], s["kernel"], s["output_padding"]
    oh, ow = output_shape((h, w), k, s["stride"], s["padding"], o, s["dilation"])
    x_kernel = w * CELL + GAP
    x_output = x_kernel + max(k * CELL, 90) + GAP
    width = max(x_output + max(ow * CELL, 140) + 2, 330)
    height = TOP + max(h, k, oh) * CELL + 48
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" font-family="DejaVu Sans, Verdana, sans-serif">',
             f"<title>{escape(describe(s))}</title>",
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>']
    parts += _grid(0, h, w, f"Input X ({h}×{w})", "input")
    parts += _grid(x_kernel, k, k, f"Kernel W ({k}×{k})", "kernel")
    parts += _grid(x_output, oh, ow, f"Output Y ({oh}×{ow})", "output", extra=o)
    lines = [f"stride {s['stride']}, padding {s['padding']}, output padding {o}, dilation {s['dilation']}"]
    if o:
        lines.append("dashed cells: added by output_padding")
    for at, line in enumerate(lines):
        parts.append(f'<text x="0" y="{height - 26 + 16 * at}" font-size="12" fill="{MUTED}">{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
