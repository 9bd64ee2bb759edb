"""Shortcuts around Python-Markdown's slow spots that leave its output byte for byte the same.

1. Pygments lexers and formatters made once per process instead of once per code block.

pymdownx.highlight looks its lexer up by name (a scan of Pygments' whole lexer table) and builds
a new HTML formatter (which walks the style's every token type to make its CSS classes) for each
fenced block it highlights. For a post with one short block that set-up costs more than the
highlighting itself: about a third of a cold build's Markdown CPU on the benchmark blog.

Both objects are reusable: a lexer keeps only its options, and a formatter only its options and
a cache of the span openers it has written, so the same inputs give byte-identical HTML. They are
memoised on their options; anything unhashable (a highlight setting we never use) is made fresh
as before. :func:`install` swaps the two factories pymdownx.highlight calls for memoised ones.

2. Inline patterns skipped on text that cannot hold them. Python-Markdown runs each of its
(here 17) inline regular expressions over every text node, and most start with an assertion or
an alternation that the regex engine tries at every position of the text. Each pattern here
cannot match without one of a few characters (a link needs ``[``, emphasis ``*`` or ``_``, ...);
a substring test finds their absence far faster than the regex does. :func:`prefilter`
wraps the patterns of one Markdown instance, and block processors' tests the same way;
patterns it does not know are left as they are.
(tests/markdown/test_markdown_shortcuts.py checks each needed-characters entry against the
installed library's own regex.)
"""

from __future__ import annotations

import threading
from typing import Any, Callable

_MAX_FORMATTERS = 256  # formatter options differ per block only by title, line numbers, hl_lines
_installed = threading.Lock()
_done = False


def _key(args: tuple, options: dict[str, Any]) -> tuple | None:
    """A hashable form of a call's arguments (lists as tuples), or None when one cannot be hashed."""
    key = (args, tuple((name, tuple(value) if isinstance(value, list) else value)
                       for name, value in sorted(options.items())))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def memoised_factory(factory: Callable[..., Any], size: int) -> Callable[..., Any]:
    """``factory(*args, **options)`` remembered on its arguments; at most ``size`` kept (the
    memo starts over when full: real sites use a handful of languages and block options)."""
    made: dict[tuple, Any] = {}

    def make(*args: Any, **options: Any) -> Any:
        key = _key(args, options)
        if key is None:
            return factory(*args, **options)
        found = made.get(key)
        if found is None:
            if len(made) >= size:
                made.clear()
            found = made[key] = factory(*args, **options)
        return found

    return make


# Inline pattern name -> substrings one of which any match contains (read off each pattern's
# regex: e.g. backtick is ``(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)` ``, so a match needs a backtick).
NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "arithmatex-inline": ("$", "\\("),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "short_reference": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "delimiter": ("~",),
}


# Block processor name -> (attribute holding its regex, substrings one of which any match
# contains). Their tests search every block with a regex anchored at ``(?:^|\\n)``, tried at
# every position; the table test (no regex) splits the block into cells.
BLOCK_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admonition": ("RE", ("!!!",)),
    "hashheader": ("RE", ("#",)),
    "hr": ("SEARCH_RE", ("-", "_", "*")),
    "deflist": ("RE", (":",)),
    "quote": ("RE", (">",)),
    "footnote": ("RE", ("[^",)),
    "abbr": ("RE", ("*[",)),
    "reference": ("RE", ("]:",)),
}
TABLE_NEEDS = ("|",)  # a table's header row has a cell separator


class _Prefiltered:
    """A compiled pattern whose searches (``finditer``, ``search``, ``match``, ``fullmatch``)
    first check that the text holds one of ``needs``; everything else is the pattern's own."""

    __slots__ = ("_regex", "_needs")

    def __init__(self, regex: Any, needs: tuple[str, ...]) -> None:
        self._regex = regex
        self._needs = needs

    def _possible(self, text: str) -> bool:
        for needed in self._needs:
            if needed in text:
                return True
        return False

    def finditer(self, text: str, *args: Any):
        return self._regex.finditer(text, *args) if self._possible(text) else iter(())

    def search(self, text: str, *args: Any):
        return self._regex.search(text, *args) if self._possible(text) else None

    def match(self, text: str, *args: Any):
        return self._regex.match(text, *args) if self._possible(text) else None

    def fullmatch(self, text: str, *args: Any):
        return self._regex.fullmatch(text, *args) if self._possible(text) else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._regex, name)


def _table_test(test: Callable[[Any, str], bool]) -> Callable[[Any, str], bool]:
    def prefiltered(parent: Any, block: str) -> bool:
        return any(needed in block for needed in TABLE_NEEDS) and test(parent, block)

    prefiltered.prefiltered = True  # type: ignore[attr-defined]
    return prefiltered


def prefilter(md: Any) -> None:
    """Wrap the known inline patterns and block tests of Markdown instance ``md`` (see NEEDS,
    BLOCK_NEEDS); each is set on the instance, the library's classes stay as they are."""
    for name, needs in NEEDS.items():
        if name in md.inlinePatterns:
            pattern = md.inlinePatterns[name]
            if not isinstance(pattern.compiled_re, _Prefiltered):
                pattern.compiled_re = _Prefiltered(pattern.compiled_re, needs)
    blocks = md.parser.blockprocessors
    for name, (attribute, needs) in BLOCK_NEEDS.items():
        if name in blocks:
            processor = blocks[name]
            regex = getattr(processor, attribute, None)
            if regex is not None and not isinstance(regex, _Prefiltered):
                setattr(processor, attribute, _Prefiltered(regex, needs))
    if "table" in blocks and not getattr(blocks["table"].test, "prefiltered", False):
        blocks["table"].test = _table_test(blocks["table"].test)


def install() -> None:
    """Make pymdownx.highlight use memoised lexers and formatters (idempotent)."""
    global _done
    with _installed:
        if _done:
            return
        import pymdownx.highlight as highlight

        if getattr(highlight, "pygments", False):
            highlight.get_lexer_by_name = memoised_factory(highlight.get_lexer_by_name, 64)
            highlight.BlockHtmlFormatter = memoised_factory(highlight.BlockHtmlFormatter, _MAX_FORMATTERS)
            highlight.InlineHtmlFormatter = memoised_factory(highlight.InlineHtmlFormatter, _MAX_FORMATTERS)
        _done = True
