"""Checks one ``conv1d`` widget declaration from a post's front matter.

Every problem is a ``ContentError`` at the line of the offending key, with a hint, so the author
reads ``post.md:12: ...`` and never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from generator.errors import ContentError
from generator.plugins import WidgetDeclaration

from stride_conv1d.receptive import (
    LOWEST, SLIDERS, Ranges, Setting, dataset_size, nearest_valid, output_length, valid_settings,
)

DEFAULT_RANGES = {"length": (1, 12), "kernel": (1, 5), "stride": (1, 3), "padding": (0, 2), "dilation": (1, 3)}
DEFAULT_INITIAL = {"length": 8, "kernel": 3, "stride": 1, "padding": 1, "dilation": 1}
# Largest value of each slider: beyond these a row of cells no longer fits a column of text.
MAX_VALUE = {"length": 48, "kernel": 12, "stride": 8, "padding": 12, "dilation": 8}
# About 1.5 MB of JSON: the page fetches the whole data set at once.
MAX_NUMBERS = 400_000
KEYS = ("ranges", "initial")


@dataclass(frozen=True)
class WidgetSpec:
    """A checked declaration: slider ranges and the setting the explorer starts at."""

    id: str
    ranges: Ranges
    initial: Setting


def parse_widget(decl: WidgetDeclaration) -> WidgetSpec:
    unknown = sorted(set(decl.options) - set(KEYS))
    if unknown:
        raise ContentError(decl.path, decl.line_of(unknown[0]), f"unknown conv1d widget key {unknown[0]!r}",
                           "a conv1d widget takes plugin, id, ranges and initial")
    ranges = parse_ranges(decl)
    return WidgetSpec(decl.id, ranges, parse_initial(decl, ranges))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _slider_mapping(decl: WidgetDeclaration, key: str) -> Mapping[str, Any]:
    given = decl.options.get(key)
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ContentError(decl.path, decl.line_of(key), f"'{key}' must be a mapping of slider names",
                           f"e.g. {key}: {{kernel: 3, stride: 2}}")
    bad = sorted(str(name) for name in set(given) - set(SLIDERS))
    if bad:
        raise ContentError(decl.path, decl.line_of(f"{key}.{bad[0]}"), f"unknown slider {bad[0]!r} in {key}",
                           "sliders: " + ", ".join(SLIDERS))
    return given


def parse_ranges(decl: WidgetDeclaration) -> Ranges:
    given = _slider_mapping(decl, "ranges")
    values = {}
    for name in SLIDERS:
        where = decl.line_of(f"ranges.{name}")
        raw = given.get(name, DEFAULT_RANGES[name])
        if _is_int(raw):
            raw = (raw, raw)  # a single value fixes the slider
        if not (isinstance(raw, (list, tuple)) and len(raw) == 2 and all(_is_int(v) for v in raw)):
            raise ContentError(decl.path, where, f"range of {name!r} must be two integers [min, max], not {raw!r}",
                               f"e.g. {name}: {list(DEFAULT_RANGES[name])}")
        low, high = raw
        if low > high:
            raise ContentError(decl.path, where, f"range of {name!r} has min {low} > max {high}",
                               f"write it as [{high}, {low}]")
        if low < LOWEST[name]:
            raise ContentError(decl.path, where, f"{name} cannot go below {LOWEST[name]} (the range starts at {low})",
                               f"torch.nn.Conv1d needs {name} >= {LOWEST[name]}")
        if high > MAX_VALUE[name]:
            raise ContentError(decl.path, where, f"{name} up to {high} is too large to draw (limit {MAX_VALUE[name]})",
                               f"use a maximum of at most {MAX_VALUE[name]}")
        values[name] = (low, high)
    ranges = Ranges(**values)
    size = dataset_size(ranges)
    if size > MAX_NUMBERS:
        raise ContentError(decl.path, decl.line_of("ranges"),
                           f"these ranges would publish about {size:,} numbers (limit {MAX_NUMBERS:,})",
                           "narrow the ranges of kernel, stride, padding or dilation")
    if not valid_settings(ranges).any():
        raise ContentError(decl.path, decl.line_of("ranges"), "torch.nn.Conv1d accepts no setting inside these ranges",
                           "allow longer inputs, more padding or a smaller kernel")
    return ranges


def parse_initial(decl: WidgetDeclaration, ranges: Ranges) -> Setting:
    given = _slider_mapping(decl, "initial")
    values = {}
    for name in SLIDERS:
        low, high = getattr(ranges, name)
        if name not in given:
            values[name] = min(max(DEFAULT_INITIAL[name], low), high)
            continue
        value, where = given[name], decl.line_of(f"initial.{name}")
        if not _is_int(value):
            raise ContentError(decl.path, where, f"initial {name} must be an integer, not {value!r}")
        if not low <= value <= high:
            raise ContentError(decl.path, where, f"initial {name} {value} is outside its range [{low}, {high}]",
                               f"choose a value from {low} to {high} or widen ranges.{name}")
        values[name] = value
    setting = Setting(**values)
    if output_length(setting.length, setting.kernel, setting.stride, setting.padding, setting.dilation) >= 1:
        return setting
    nearest = nearest_valid(ranges, setting)
    if not given:
        return nearest  # the defaults do not fit these ranges: start at the closest setting that works
    span = setting.dilation * (setting.kernel - 1) + 1
    change = ", ".join(f"{name}: {getattr(nearest, name)}" for name in SLIDERS
                       if getattr(nearest, name) != getattr(setting, name))
    raise ContentError(decl.path, decl.line_of("initial"),
                       f"torch.nn.Conv1d rejects the initial setting: the dilated kernel spans {span} cells, "
                       f"longer than the padded input ({setting.length} + 2·{setting.padding} = "
                       f"{setting.length + 2 * setting.padding})",
                       f"the nearest accepted setting changes {change}")
