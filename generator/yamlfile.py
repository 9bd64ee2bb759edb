"""YAML with line numbers: PyYAML's safe loader, plus the source line of every key.

Errors become ``ContentError`` at the real line of the file (front matter starts below the
opening ``---``, so callers pass ``first_line``). Duplicate keys are an error here, though
PyYAML silently keeps the last one: a duplicated ``title:`` is nearly always a mistake.

The cost of any text is bounded before a node is built: one pass over the parser's events
(cheap, streaming) rejects a document larger than ``MAX_BYTES``, nested deeper than
``MAX_DEPTH``, an alias used inside its own anchor (``x: &a [*a]``, a cycle), and aliases that
expand to more than ``MAX_VALUES`` values (a "billion laughs" bomb: 600 bytes, 387 million
strings); a text whose characters alone rule all of that out (``within_bounds``: most front
matter) skips the pass. Everything after that (the key-line walk, the constructors, every
later use of the data) then touches at most ``MAX_VALUES`` values.

Most front matter (and a small site's settings) is a few ``key: value`` lines of quoted text,
single words, dates, whole numbers and flow lists of words. For such a text
(:func:`plain_mapping`) the result is read off each line with one regular expression: PyYAML's
constructors and resolvers are Python code, about 0.12 ms a post even with libyaml's parser,
against 0.02 ms. Any line outside that shape, and any value PyYAML would read as something else
(``yes``, ``null``, ``0.5``, ``010``), sends the whole text to PyYAML, which is then imported.
tests/yamlfile/ holds the two readings equal on generated texts.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from generator.errors import ContentError


MAX_BYTES = 1024 * 1024  # the settings of a site or a post are kilobytes
MAX_DEPTH = 64  # real settings nest a handful of levels
MAX_VALUES = 100_000  # scalars, lists and mappings, every alias counted as all it stands for


def load_yaml(text: str, path: str, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Parse ``text`` safely. Returns ``(data, key_lines)`` where ``key_lines`` maps dotted key
    paths (``"widgets.0.ranges.kernel"``) to 1-based file lines."""
    _check_bounds(text, path, first_line)
    plain = plain_mapping(text, first_line)
    if plain is not None:
        return plain
    safe, fast = loaders()
    if fast is not None:
        # libyaml is several times faster; on any error the pure-Python parser runs again
        # because its messages name the offending character (a tab, say) and libyaml's do not.
        try:
            return _load(fast, text, path, first_line)
        except ContentError:
            pass
    return _load(safe, text, path, first_line)


# Plain words PyYAML (YAML 1.1) resolves to a bool or to null; any other plain scalar that starts
# with a letter is text. (Numbers, .inf and timestamps start with a digit, a sign or a dot.)
_NOT_TEXT = frozenset("yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
                      "null Null NULL".split())
# Letters, digits and ``_.-`` in runs one space apart: no YAML indicator (``: # , [ ] { } & * ! |
# > ' " % @ `` and ``?``), no tab, nothing to strip.
_WORDS = r"[A-Za-z][A-Za-z0-9_.\-]*(?: [A-Za-z0-9_.\-]+)*"
_PLAIN_LINE = re.compile(
    r"(?P<key>[A-Za-z_][A-Za-z0-9_\-]{0,999}): +(?:"  # YAML's implicit keys end within 1,024 characters
    r'"(?P<double>[^"\\]*)"'  # no escapes: the text is what stands between the quotes
    r"|'(?P<single>[^']*)'"  # no doubled quote
    r"|\[(?P<list> *" + _WORDS + r"(?: *, *" + _WORDS + r")*) *\]"
    r"|(?P<date>\d{4}-\d\d-\d\d)"  # a timestamp, which stays text here (see loaders)
    r"|(?P<int>0|[1-9][0-9]*)"  # decimal only: YAML 1.1 reads 010 as octal and 1_0 as 10
    r"|(?P<empty>\[ *\]|\{ *\})"
    r"|(?P<url>[A-Za-z][A-Za-z0-9+.\-]*://[A-Za-z0-9._~/?=&%+\-]*)"  # a colon, but never one before a space
    r"|(?P<word>" + _WORDS + r")"
    r") *")
_LIST_COMMA = re.compile(r" *, *")


def plain_mapping(text: str, first_line: int = 1) -> tuple[dict[str, Any], dict[str, int]] | None:
    """``load_yaml``'s result for a text of only ``key: value`` lines (and blank ones) whose
    values are quoted text, plain words, a date, a URL or a flow list of plain words (all read
    as text), a decimal integer, or an empty list or mapping; None for any other text (then PyYAML
    reads it)."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), first_line):
        if not line:
            continue
        found = _PLAIN_LINE.fullmatch(line)
        if found is None:
            return None
        key, items, word = found["key"], found["list"], found["word"]
        if key in data or key in _NOT_TEXT or word in _NOT_TEXT:
            return None  # a duplicate key (PyYAML's path reports it), or one that is not text
        lines[key] = number
        if items is not None:
            value: Any = _LIST_COMMA.split(items.strip(" "))
            if not _NOT_TEXT.isdisjoint(value):
                return None
            lines.update((f"{key}.{index}", number) for index in range(len(value)))
        elif found["int"] is not None:
            value = int(found["int"])
        elif found["empty"] is not None:
            value = [] if found["empty"][0] == "[" else {}
        else:
            value = next(part for part in (found["double"], found["single"], found["date"], found["url"], word)
                         if part is not None)
            if not value.isprintable():  # YAML refuses some characters and breaks lines at others
                return None
        data[key] = value
    return (data, lines) if data else None


@functools.cache
def loaders() -> tuple[type, type | None]:
    """(PyYAML's pure-Python safe loader, libyaml's or None), ours. Made on first use: importing
    PyYAML costs 15-25 ms (its reader compiles a class of all of Unicode) that a site whose
    settings and front matter are all plain (see plain_mapping) never needs."""
    import yaml

    # Timestamps stay text: PyYAML would raise a bare ValueError on "2030-02-30" or "25:61",
    # while content.parse_date reads the text itself and names the line.
    class SafeLoader(yaml.SafeLoader):
        pass

    SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_str)
    if not hasattr(yaml, "CSafeLoader"):
        return SafeLoader, None

    class FastLoader(yaml.CSafeLoader):  # type: ignore[name-defined, misc]
        pass

    FastLoader.add_constructor("tag:yaml.org,2002:timestamp", FastLoader.construct_yaml_str)
    return SafeLoader, FastLoader


def _load(loader_class: type, text: str, path: str, first_line: int) -> tuple[Any, dict[str, int]]:
    import yaml

    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        key_lines: dict[str, int] = {}
        if node is not None:
            _walk(node, "", key_lines, path, first_line)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        # An unclosed quote is only noticed at the end of the text; point at where it opened.
        opened = exc.context_mark if "quoted scalar" in (exc.context or "") else None
        mark = opened or exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "cannot parse"
        if opened is not None:
            problem = "unclosed quoted string"
        raise ContentError(path, line, f"invalid YAML: {problem}", _hint(problem)) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, f"invalid YAML: {exc}", "check the quoting near this line") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value a YAML constructor refuses
        raise ContentError(path, first_line, f"invalid YAML value: {exc}", "quote the value to keep it as text") from None
    finally:
        loader.dispose()
    return data, key_lines


def _check_bounds(text: str, path: str, first_line: int) -> None:
    """Raise ContentError when ``text`` is too big, too deep or expands too far (see the module
    docstring). A syntax error stops the check quietly: the real parse reports it with its hint."""
    if len(text) > MAX_BYTES:
        raise ContentError(path, first_line, f"YAML block of {len(text):,} characters is over the limit of "
                           f"{MAX_BYTES:,}", "settings are kilobytes; long text belongs in a page or post body")
    if within_bounds(text):
        return
    import yaml

    safe, fast = loaders()
    try:
        _count_events(fast or safe, text, path, first_line)
    except yaml.YAMLError:
        if fast is None:
            return
        # libyaml stops at its own nesting limit with a bare message; the pure-Python parser
        # (iterative, so it cannot overflow the stack) finds where our limit is crossed.
        try:
            _count_events(safe, text, path, first_line)
        except yaml.YAMLError:
            return


def within_bounds(text: str) -> bool:
    """True when ``text`` cannot break the limits, seen from its characters alone (a post's front
    matter nearly always; the event pass costs more than reading the rest of the post).

    Every level of nesting opens at one of ``[ { - ? :`` (a flow list or mapping, a block list
    entry, an explicit key, the first key of a block mapping), so fewer of them than
    ``MAX_DEPTH`` bound the depth. Without ``*`` there is no alias, and then each value takes
    at least one character (an empty one its indicator: ``a:``, ``-``, ``{a,b}``), so a text of
    under half ``MAX_VALUES`` characters holds fewer values than the limit."""
    if "*" in text or 2 * len(text) + 2 > MAX_VALUES:
        return False
    return sum(text.count(mark) for mark in "[{-?:") < MAX_DEPTH


def _count_events(loader_class: type, text: str, path: str, first_line: int) -> None:
    import yaml

    loader = loader_class(text)
    # One frame per open list or mapping: [anchor or None, values so far including itself].
    open_frames: list[list] = []
    sizes: dict[str, int] = {}  # anchor -> how many values it stands for
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            line = first_line + (event.start_mark.line if event.start_mark else 0)
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(open_frames) >= MAX_DEPTH:
                    raise ContentError(path, line, f"YAML nested more than {MAX_DEPTH} levels deep",
                                       "flatten the structure; settings need only a few levels")
                open_frames.append([event.anchor, 1])
                size = 0
                total += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                anchor, size = open_frames.pop()
                if anchor is not None:
                    sizes[anchor] = size
            elif isinstance(event, yaml.AliasEvent):
                if any(frame[0] == event.anchor for frame in open_frames):
                    raise ContentError(path, line, f"alias *{event.anchor} is used inside its own anchor "
                                       f"&{event.anchor} (a value that contains itself)",
                                       "copy the value out instead of referring to it")
                size = sizes.get(event.anchor, 1)  # an unknown alias is the parser's error to report
                total += size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                total += 1
            else:
                continue
            if open_frames and not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_frames[-1][1] += size
            if total > MAX_VALUES:
                raise ContentError(path, line, f"YAML expands to more than {MAX_VALUES:,} values (an alias "
                                   "counts as everything it repeats)",
                                   "remove repeated *aliases or split the data")
    finally:
        loader.dispose()


def _hint(problem: str) -> str:
    if "'\\t'" in problem or "\\t" in problem:
        return "indent with spaces; YAML does not allow tabs"
    if "could not find expected ':'" in problem or "mapping values are not allowed" in problem:
        return "quote values that contain ': ' and check indentation"
    if "unclosed quoted" in problem or "found unexpected end of stream" in problem:
        return "close the quote opened on this line"
    return "check the indentation and quoting near this line"


def _walk(node: Any, prefix: str, lines: dict[str, int], path: str, first_line: int) -> None:
    """Record the line of every key and list item under PyYAML's ``node``, as dotted paths."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = first_line + key_node.start_mark.line
            if key in seen:
                raise ContentError(
                    path, line, f"duplicate key {key!r} (first set on line {seen[key]})",
                    "keep one of the two",
                )
            seen[key] = line
            dotted = f"{prefix}{key}"
            lines[dotted] = line
            _walk(value_node, dotted + ".", lines, path, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            dotted = f"{prefix}{index}"
            lines[dotted] = first_line + item.start_mark.line
            _walk(item, dotted + ".", lines, path, first_line)
