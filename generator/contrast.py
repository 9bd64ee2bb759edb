"""WCAG 2 contrast of sRGB colours, and nudging a colour until it is readable on a background.

Colours are ``#rgb`` or ``#rrggbb`` strings. The ratio is WCAG's ``(L1 + 0.05) / (L2 + 0.05)``
of relative luminances; 4.5 is the AA threshold for normal text.
"""

from __future__ import annotations

import re

AA = 4.5
_HEX_COLOUR = re.compile(r"(?<=color: )#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(foreground: str, background: str) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, background: str, minimum: float = AA) -> str:
    """``colour`` unchanged when it already reaches ``minimum`` on ``background``, else mixed
    step by step toward black (light background) or white (dark one) until it does; the hue is
    kept as far as the contrast allows."""
    if ratio(colour, background) >= minimum:
        return colour
    target = 0.0 if luminance(background) > 0.18 else 1.0
    rgb = _rgb(colour)
    for step in range(1, 21):
        t = step / 20
        mixed = "#" + "".join(f"{round(255 * (c + (target - c) * t)):02x}" for c in rgb)
        if ratio(mixed, background) >= minimum:
            return mixed
    return "#000000" if target == 0.0 else "#ffffff"


def readable_css(css: str, background: str, minimum: float = AA) -> str:
    """Every ``color: #…`` declaration of ``css`` made readable on ``background``."""
    return _HEX_COLOUR.sub(lambda m: readable(m.group(0), background, minimum), css)
