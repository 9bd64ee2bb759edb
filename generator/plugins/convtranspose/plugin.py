"""The convtranspose plugin: checks each widget declaration, precomputes its data, emits its markup.

A declaration (front matter of a post)::

    widgets:
      - plugin: convtranspose
        id: explorer
        ranges: {height: [1, 8], width: [1, 8], kernel: [1, 5], stride: [1, 4],
                 padding: [0, 4], output_padding: [0, 3], dilation: [1, 3]}   # these are the defaults
        initial: {height: 5, width: 5, kernel: 3, stride: 2, padding: 1, output_padding: 1, dilation: 1}

Every problem is a ``path:line`` error at the offending key. The data of one set of ranges is
computed once (``ctx.cache``, keyed on the ranges and the plugin's code) and published under
``data/convtranspose/<key12>/``; widgets with equal ranges share it.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from generator.errors import ContentError
from generator.plugins import GeneratedFile, Plugin, PluginContext, PostResult, Widget, WidgetDeclaration
from generator.plugins.convtranspose.arithmetic import (
    Params, broken_rule, contributions, conv_transpose2d, output_length,
)
from generator.plugins.convtranspose.encoding import (
    FORMAT, PLUGIN_VERSION, axis_path, decode_contributions, decode_near, decode_sample_output, encode,
)
from generator.plugins.convtranspose.precompute import (
    DEFAULT_RANGES, SLIDERS, Cost, Ranges, estimate_cost, nearest_valid, valid_mask,
)
from generator.plugins.convtranspose.static_svg import initial_svg
from generator.plugins.convtranspose.widget import render_widget_html

DEFAULT_INITIAL = {"height": 5, "width": 5, "kernel": 3, "stride": 2, "padding": 1,
                   "output_padding": 1, "dilation": 1}
LOWEST = {"height": 1, "width": 1, "kernel": 1, "stride": 1, "padding": 0, "output_padding": 0, "dilation": 1}
# Bounds that keep a page's data small and a build quick: the 7-D grid is searched whole for the
# nearest valid settings, and every (kernel, stride, padding, output_padding, dilation) is a file.
MAX_COMBINATIONS = 1_000_000
MAX_FILES = 2_000
MAX_LENGTH = 64  # height and width
# Largest value of each other slider: beyond these an axis has thousands of cells, unreadable
# when drawn and costly to compute. Checked before any array is made.
MAX_VALUE = {"kernel": 16, "stride": 16, "padding": 64, "output_padding": 15, "dilation": 16}
# Bounds on the estimated cost (precompute.estimate_cost), so a build stays within seconds and a
# few hundred MB whatever the ranges: about 12 MB of JSON, and the sampled check of the largest
# setting against the Python API within about 8 s. That check lists every output cell (a dict
# entry holding a list, measured at about 4 times the cost of a product) and every product.
MAX_NUMBERS = 6_000_000
MAX_CHECK_WORK = 300_000  # 4 × output cells + products of the largest setting
# All the distinct ranges of a site together: units of about a microsecond of computing on our
# 2-core CI machine (a number of data, or a cell or product of a sampled check, see _work), so
# cold builds finish in well under 30 s however many widgets the posts declare.
MAX_SITE_WORK = 15_000_000
SAMPLE_CHECKS = 24  # files checked against the Python API when data is computed
_CODE = Path(__file__).parent


class ConvTransposePlugin(Plugin):
    name = "convtranspose"
    version = PLUGIN_VERSION
    libraries = ("numpy",)  # the data is computed with NumPy

    def __init__(self) -> None:
        self._work: dict[str, int] = {}  # data key -> estimated work, for every ranges of this build

    def on_post(self, post: Any, declarations: tuple[WidgetDeclaration, ...], ctx: PluginContext) -> PostResult:
        widgets, files = [], {}
        for decl in declarations:
            ranges = parse_ranges(decl)
            initial = parse_initial(decl, ranges)
            key = data_key(ranges)
            if key not in self._work:
                self._work[key] = _work(estimate_cost(ranges))
                total = sum(self._work.values())
                if total > MAX_SITE_WORK:
                    raise ContentError(decl.path, decl.line_of("ranges"),
                                       f"with these ranges the site's {len(self._work)} widget data sets would "
                                       f"take about {total / 1e6:.0f} s to compute (limit {MAX_SITE_WORK / 1e6:.0f} s)",
                                       "narrow the ranges, or give widgets the same ranges so they share data")
            folder = f"data/convtranspose/{key[:12]}"
            data = ctx.cache.memo("convtranspose", key, lambda r=ranges: checked_files(r))
            for rel, blob in data.items():
                files[f"{folder}/{rel}"] = blob
            picture = f"{folder}/initial-" + "-".join(f"{initial[n]}" for n in SLIDERS) + ".svg"
            files[picture] = initial_svg(initial).encode("utf-8")
            html = render_widget_html(decl.id, ctx.url(f"{folder}/manifest.json"),
                                      {name: getattr(ranges, name) for name in SLIDERS}, initial, ctx.url(picture))
            widgets.append(Widget(decl.id, html))
        return PostResult(
            widgets=tuple(widgets),
            files=tuple(GeneratedFile(path, blob) for path, blob in sorted(files.items())),
            scripts=("main.js",),
            styles=("explorer.css",),
        )


def data_key(ranges: Ranges) -> str:
    """Names the data directory: ranges, format, and the code that computes the data."""
    digest = hashlib.sha256(repr((ranges.as_dict(), FORMAT, PLUGIN_VERSION)).encode())
    for name in ("arithmetic.py", "precompute.py", "encoding.py"):
        digest.update((_CODE / name).read_bytes())
    return digest.hexdigest()


def _integer(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def parse_ranges(decl: WidgetDeclaration) -> Ranges:
    unknown = sorted(set(decl.options) - {"ranges", "initial"})
    if unknown:
        raise ContentError(decl.path, decl.line_of(unknown[0]), f"unknown convtranspose widget key {unknown[0]!r}",
                           "a convtranspose widget takes plugin, id, ranges and initial")
    given = _slider_mapping(decl, "ranges", "{kernel: [1, 5], stride: [1, 4]}")
    values = {}
    for name in SLIDERS:
        where = decl.line_of(f"ranges.{name}")
        raw = given.get(name, getattr(DEFAULT_RANGES, name))
        if _integer(raw):
            raw = [raw, raw]
        if not (isinstance(raw, (list, tuple)) and len(raw) == 2 and all(_integer(v) for v in raw)):
            raise ContentError(decl.path, where, f"range of {name!r} must be two integers [min, max], not {raw!r}",
                               f"e.g. {name}: {list(getattr(DEFAULT_RANGES, name))}")
        low, high = int(raw[0]), int(raw[1])
        if low > high:
            raise ContentError(decl.path, where, f"range of {name!r} has min {low} > max {high}",
                               f"write it as [{high}, {low}]")
        if low < LOWEST[name]:
            raise ContentError(decl.path, where, f"{name} cannot go below {LOWEST[name]} (range starts at {low})",
                               f"PyTorch needs {name} >= {LOWEST[name]}")
        if name in ("height", "width") and high > MAX_LENGTH:
            raise ContentError(decl.path, where, f"{name} up to {high} is too large to draw (limit {MAX_LENGTH})",
                               f"use a maximum of at most {MAX_LENGTH}")
        values[name] = (low, high)
    ranges = Ranges(**values)
    combinations, files = ranges.combinations, ranges.axis_files
    if combinations > MAX_COMBINATIONS or files > MAX_FILES:
        raise ContentError(decl.path, decl.line_of("ranges"),
                           f"these ranges give {combinations:,} slider settings and {files:,} data files "
                           f"(limits: {MAX_COMBINATIONS:,} settings, {MAX_FILES:,} files)",
                           "narrow the ranges of kernel, stride, padding, output_padding or dilation")
    for name, most in MAX_VALUE.items():
        high = getattr(ranges, name)[1]
        if high > most:
            raise ContentError(decl.path, decl.line_of(f"ranges.{name}"),
                               f"{name} up to {high} is too large for the explorer (limit {most})",
                               f"use a maximum of at most {most}")
    _check_cost(decl, ranges)
    if not valid_mask(ranges).any():
        raise ContentError(decl.path, decl.line_of("ranges"), "PyTorch accepts no setting inside these ranges",
                           "widen padding or output_padding down to 0, or allow larger inputs")
    return ranges


def _check_cost(decl: WidgetDeclaration, ranges: Ranges) -> None:
    """Refuse ranges whose data would take too much memory or time, before computing any of it."""
    cost = estimate_cost(ranges)
    if cost.numbers > MAX_NUMBERS:
        raise ContentError(decl.path, decl.line_of("ranges"),
                           f"these ranges would make about {cost.numbers * 2 / 1e6:.0f} MB of widget data "
                           f"({cost.numbers:,} numbers; limit {MAX_NUMBERS:,})",
                           "narrow the ranges of height, width, kernel, stride or dilation")
    work = 4 * cost.output_cells + cost.products
    if work > MAX_CHECK_WORK:
        raise ContentError(decl.path, decl.line_of("ranges"),
                           f"the largest setting in these ranges has {cost.output_cells:,} output cells and "
                           f"{cost.products:,} input-kernel products, too many to check and draw "
                           f"(limit: 4 × cells + products ≤ {MAX_CHECK_WORK:,})",
                           "lower the maximum of height, width, kernel, stride or dilation")


def _work(cost: Cost) -> int:
    """Estimated computing of one data set: every published number, plus every output cell
    (weighted 4) and product of the largest setting for each sampled check."""
    return cost.numbers + SAMPLE_CHECKS * (4 * cost.output_cells + cost.products)


def _slider_mapping(decl: WidgetDeclaration, key: str, example: str) -> Mapping:
    """``decl.options[key]`` ({} when absent), checked to map slider names to values."""
    given = decl.options.get(key) or {}
    if not isinstance(given, Mapping):
        raise ContentError(decl.path, decl.line_of(key), f"'{key}' must be a mapping", f"e.g. {key}: {example}")
    bad = sorted(set(given) - set(SLIDERS))
    if bad:
        raise ContentError(decl.path, decl.line_of(f"{key}.{bad[0]}"), f"unknown slider {bad[0]!r} in {key}",
                           "sliders: " + ", ".join(SLIDERS))
    return given


def parse_initial(decl: WidgetDeclaration, ranges: Ranges) -> dict[str, int]:
    given = _slider_mapping(decl, "initial", "{height: 5, width: 5, kernel: 3}")
    setting = {}
    for name in SLIDERS:
        low, high = getattr(ranges, name)
        if name in given:
            value = given[name]
            where = decl.line_of(f"initial.{name}")
            if not _integer(value):
                raise ContentError(decl.path, where, f"initial {name} must be an integer, not {value!r}")
            if not low <= value <= high:
                raise ContentError(decl.path, where, f"initial {name} {value} is outside its range [{low}, {high}]",
                                   f"choose a value from {low} to {high} or widen ranges.{name}")
            setting[name] = int(value)
        else:
            setting[name] = min(max(DEFAULT_INITIAL[name], low), high)
    rule = _rule(setting)
    if rule is not None:
        suggestion = nearest_setting(ranges, setting)
        if given:
            where = decl.line_of("initial")
            fix = ", ".join(f"{k}: {v}" for k, v in suggestion.items() if v != setting[k])
            raise ContentError(decl.path, where, f"PyTorch rejects the initial setting: {rule}",
                               f"the nearest accepted setting changes {fix}")
        setting = suggestion  # no initial given: start from the nearest valid default
    return setting


def _rule(setting: Mapping[str, int]) -> str | None:
    s = setting
    prm = Params((s["height"], s["width"]), (s["kernel"],) * 2, (s["stride"],) * 2, (s["padding"],) * 2,
                 (s["output_padding"],) * 2, (s["dilation"],) * 2)
    broken = broken_rule(prm)
    return broken.message if broken else None


def nearest_setting(ranges: Ranges, setting: Mapping[str, int]) -> dict[str, int]:
    valid = valid_mask(ranges)
    _, nearest = nearest_valid(np.ascontiguousarray(valid))
    index = tuple(setting[name] - getattr(ranges, name)[0] for name in SLIDERS)
    linear = int(nearest[index])
    values = np.unravel_index(linear, valid.shape)
    return {name: int(getattr(ranges, name)[0] + v) for name, v in zip(SLIDERS, values)}


def checked_files(ranges: Ranges) -> dict[str, bytes]:
    """Encode the data and check a seeded sample of it against the Python API, so a bug in the
    vectorised precompute fails the build instead of drawing wrong cells."""
    files = encode(ranges)
    manifest = json.loads(files["manifest.json"])
    rng = random.Random(int(data_key(ranges)[:8], 16))
    for _ in range(SAMPLE_CHECKS):
        s = {name: rng.randint(*getattr(ranges, name)) for name in SLIDERS}
        axis = json.loads(files[axis_path(s["kernel"], s["stride"], s["padding"], s["output_padding"], s["dilation"])])
        shape, kernel = (s["height"], s["width"]), (s["kernel"], s["kernel"])
        args = (s["stride"], s["padding"], s["output_padding"], s["dilation"])
        if _rule(s) is not None:
            near = decode_near(axis, s["height"], s["width"])
            if near is None or _rule(near) is not None:
                raise AssertionError(f"convtranspose data: no valid nearest setting for {s}")
            continue
        if decode_near(axis, s["height"], s["width"]) is not None:
            raise AssertionError(f"convtranspose data: {s} is valid but has a nearest setting")
        if decode_contributions(axis, axis, *shape) != contributions(shape, kernel, *args):
            raise AssertionError(f"convtranspose data: contributions differ from the API at {s}")
        sample = manifest["sample"]
        x = np.outer(sample["u"][:shape[0]], sample["v"][:shape[1]])
        w = np.outer(sample["f"][:kernel[0]], sample["g"][:kernel[1]])
        if not np.array_equal(decode_sample_output(axis, axis, *shape), conv_transpose2d(x, w, *args)):
            raise AssertionError(f"convtranspose data: sample output differs from the API at {s}")
        if [output_length(n, s["kernel"], *args) for n in shape] != [len(axis["yr"][shape[0] - axis["n"][0]]),
                                                                       len(axis["yc"][shape[1] - axis["n"][0]])]:
            raise AssertionError(f"convtranspose data: output shape differs at {s}")
    return files
