"""Jekyll's Liquid filters, as Jekyll 4.3 prints them (checked against real ``jekyll build``).

Pure functions of their input, except the URL filters and ``markdownify``, which ask the
document being rendered (see :func:`generator.liquid.current_handlers`) for the site's URL
helpers. Dates: a value may be a ``datetime``, a ``date``, seconds since the epoch, ``"now"``
or text such as ``2023-07-04 09:30:00 -0400``; a date keeps the UTC offset it was written with
(Jekyll converts to the machine's or ``timezone:`` zone; Stride has no such setting).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any, Callable
from urllib.parse import quote, quote_plus

from dateutil import parser as date_parser
from liquid import Undefined
from liquid.filter import with_context

from generator.liquid_data import ruby_time, with_zone

# --- dates ------------------------------------------------------------------------------------


def to_datetime(value: Any) -> dt.datetime | None:
    """The date a filter input stands for, or None when it is not one."""
    if isinstance(value, Undefined) or value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    text = str(value).strip()
    if text in ("now", "today"):
        return dt.datetime.now().astimezone()
    if text.isdigit():
        return dt.datetime.fromtimestamp(int(text), dt.timezone.utc)
    try:
        return date_parser.parse(text)
    except (ValueError, OverflowError):
        return None


def date(value: Any, fmt: Any = None) -> str:
    """strftime with the C library's flags (``%-d``, ``%e``, ``%s`` ...). Not a date: unchanged."""
    when = to_datetime(value)
    if when is None:
        return "" if isinstance(value, Undefined) or value is None else str(value)
    if fmt is None or isinstance(fmt, Undefined) or str(fmt) == "":
        return str(value)
    return when.strftime(str(fmt))


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_words(value: Any, month: str, style: Any, order: Any) -> str:
    when = to_datetime(value)
    if when is None:
        return "" if value is None or isinstance(value, Undefined) else str(value)
    if str(style) != "ordinal":
        return when.strftime(f"%d {month} %Y")
    day = _ordinal(when.day)
    if str(order) == "US":
        return when.strftime(f"{month} ") + day + when.strftime(", %Y")
    return day + when.strftime(f" {month} %Y")


def date_to_string(value: Any, style: Any = None, order: Any = None) -> str:
    """``04 Jul 2023``; ``"ordinal"``: ``4th Jul 2023``; ``"ordinal", "US"``: ``Jul 4th, 2023``."""
    return _date_words(value, "%b", style, order)


def date_to_long_string(value: Any, style: Any = None, order: Any = None) -> str:
    """``04 July 2023`` (and the same ordinal forms as date_to_string)."""
    return _date_words(value, "%B", style, order)


def date_to_xmlschema(value: Any) -> str:
    when = to_datetime(value)
    return "" if when is None else with_zone(when).isoformat(timespec="seconds")


def date_to_rfc822(value: Any) -> str:
    when = to_datetime(value)
    return "" if when is None else with_zone(when).strftime("%a, %d %b %Y %H:%M:%S %z")


# --- text -------------------------------------------------------------------------------------

_SLUG_MODES: dict[str, re.Pattern] = {
    "raw": re.compile(r"\s+"),
    "default": re.compile(r"[\W_]+"),
    "pretty": re.compile(r"[^\w._~!$&'()+,;=@]+|_(?=_)"),
    "ascii": re.compile(r"[^a-zA-Z0-9]+"),
}


def slugify(value: Any, mode: Any = "default", cased: Any = False) -> str:
    """Jekyll's slugify: runs of characters outside the mode's set become one hyphen."""
    text = "" if value is None or isinstance(value, Undefined) else str(value)
    mode = "default" if mode is None or isinstance(mode, Undefined) else str(mode)
    if mode == "none":
        return text
    if mode == "latin":
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        mode = "ascii"
    pattern = _SLUG_MODES.get(mode, _SLUG_MODES["default"])
    if mode == "pretty":
        pattern = re.compile(r"[^\w._~!$&'()+,;=@]+")
    slug = pattern.sub("-", text).strip("-")
    return slug if cased is True else slug.lower()


def xml_escape(value: Any) -> str:
    text = "" if value is None or isinstance(value, Undefined) else str(value)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def cgi_escape(value: Any) -> str:
    return quote_plus(str(value), safe="")


def uri_escape(value: Any) -> str:
    return quote(str(value), safe="!#$&'()*+,/:;=?@[]~%")


def number_of_words(value: Any) -> int:
    return len(str(value).split())


def normalize_whitespace(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


def array_to_sentence_string(value: Any, connector: Any = "and") -> str:
    items = [str(v) for v in _items(value)]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {connector} {items[1]}"
    return ", ".join(items[:-1]) + f", {connector} {items[-1]}"


_SMART = [
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"<<"), "\u00ab"),
    (re.compile(r">>"), "\u00bb"),
]
_OPENING = re.compile(r"(^|[\s(\[{\u2014\u2013-])$")


def smartify(value: Any) -> str:
    """Typographic quotes, dashes and ellipses, as kramdown's SmartyPants mode writes them;
    text inside HTML tags is left as it is."""
    out = []
    for part in re.split(r"(<[^>]*>)", str(value)):
        if part.startswith("<"):
            out.append(part)
            continue
        for pattern, symbol in _SMART:
            part = pattern.sub(symbol, part)
        chars = []
        for i, char in enumerate(part):
            before = "".join(chars[-1:]) if chars else (out[-1][-1:] if out and not out[-1].startswith("<") else "")
            opening = _OPENING.search(before) is not None
            if char == '"':
                chars.append("\u201c" if opening else "\u201d")
            elif char == "'":
                chars.append("\u2018" if opening else "\u2019")
            else:
                chars.append(char)
        out.append("".join(chars))
    return "".join(out)


# --- data -------------------------------------------------------------------------------------

def _items(value: Any) -> list:
    if value is None or isinstance(value, Undefined):
        return []
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        return [value]


def _property(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return ruby_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Undefined):
        return None
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return str(value)


def jsonify(value: Any) -> str:
    if isinstance(value, Undefined):
        value = None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def where(value: Any, prop: Any, target: Any = None) -> list:
    """Items whose property equals ``target`` as text, or (for list properties) contains it."""
    wanted = "" if target is None or isinstance(target, Undefined) else str(target)
    found = []
    for item in _items(value):
        got = _property(item, str(prop))
        if isinstance(got, (list, tuple)):
            if wanted in [str(g) for g in got]:
                found.append(item)
        elif ("" if got is None else _text(got)) == wanted:
            found.append(item)
    return found


def _text(value: Any) -> str:
    if value is True or value is False:
        return str(value).lower()
    return str(value)


def group_by(value: Any, prop: Any) -> list[dict]:
    """``[{name, items, size}]`` in order of first appearance."""
    groups: dict[str, list] = {}
    for item in _items(value):
        got = _property(item, str(prop))
        groups.setdefault("" if got is None else _text(got), []).append(item)
    return [{"name": name, "items": items, "size": len(items)} for name, items in groups.items()]


def sort(value: Any, prop: Any = None, nils: Any = "first") -> list:
    """Jekyll's sort: by the item or one of its properties; items without it first (or "last")."""
    items = _items(value)
    if prop is None or isinstance(prop, Undefined):
        return sorted(items, key=_sort_key)
    present = [i for i in items if _property(i, str(prop)) is not None]
    missing = [i for i in items if _property(i, str(prop)) is None]
    present.sort(key=lambda i: _sort_key(_property(i, str(prop))))
    return present + missing if str(nils) == "last" else missing + present


def _sort_key(value: Any) -> tuple:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    if isinstance(value, dt.datetime):
        return (1, with_zone(value).timestamp(), "")
    return (2, 0, str(value))


def push(value: Any, item: Any) -> list:
    return _items(value) + [item]


def pop(value: Any, count: Any = 1) -> list:
    items = _items(value)
    return items[:max(len(items) - int(count), 0)]


def shift(value: Any, count: Any = 1) -> list:
    return _items(value)[int(count):]


def unshift(value: Any, item: Any) -> list:
    return [item] + _items(value)


def to_integer(value: Any) -> int:
    if value is True or value is False:
        return int(value)
    try:
        return int(float(str(value)))
    except ValueError:
        return 0


def inspect(value: Any) -> str:
    return jsonify(value)


# --- filters that evaluate Liquid or ask the site --------------------------------------------

@with_context
def where_exp(value: Any, name: Any, expression: Any, *, context) -> list:
    """Items for which the Liquid condition ``expression`` holds with the item bound to ``name``."""
    test = _condition(context.env, str(expression))
    return [item for item in _items(value) if _holds(test, context, str(name), item)]


@with_context
def find_exp(value: Any, name: Any, expression: Any, *, context) -> Any:
    test = _condition(context.env, str(expression))
    return next((item for item in _items(value) if _holds(test, context, str(name), item)), None)


def _condition(env, expression: str):
    return env.from_string("{% if " + expression + " %}1{% endif %}")


def _holds(test, context, name: str, item: Any) -> bool:
    from io import StringIO

    buffer = StringIO()
    with context.extend({name: item}):
        test.render_with_context(context, buffer, partial=True)
    return buffer.getvalue() == "1"


def _site_filter(helper: str) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        from generator.liquid_engine import current_handlers

        url = getattr(current_handlers(), helper)
        text = "" if value is None or isinstance(value, Undefined) else str(value)
        return url(text) if url is not None else text

    apply.__name__ = helper
    return apply


def markdownify(value: Any) -> str:
    from generator.markdown import render_markdown

    return render_markdown("" if value is None or isinstance(value, Undefined) else str(value)).html


FILTERS: dict[str, Callable[..., Any]] = {
    "date": date, "date_to_string": date_to_string, "date_to_long_string": date_to_long_string,
    "date_to_xmlschema": date_to_xmlschema, "date_to_rfc822": date_to_rfc822,
    "slugify": slugify, "xml_escape": xml_escape, "cgi_escape": cgi_escape, "uri_escape": uri_escape,
    "number_of_words": number_of_words, "normalize_whitespace": normalize_whitespace,
    "array_to_sentence_string": array_to_sentence_string, "smartify": smartify,
    "jsonify": jsonify, "where": where, "where_exp": where_exp, "find_exp": find_exp,
    "group_by": group_by, "sort": sort, "push": push, "pop": pop, "shift": shift, "unshift": unshift,
    "to_integer": to_integer, "inspect": inspect, "markdownify": markdownify,
    "relative_url": _site_filter("url"), "absolute_url": _site_filter("absolute_url"),
}
