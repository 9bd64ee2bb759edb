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
a substring test finds their absence far faster than the regex does. :func:`prefilter_inline`
wraps the patterns of one Markdown instance; patterns it does not know are left as they are.
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


class _Prefiltered:
    """A compiled pattern whose ``finditer`` first checks that ``data`` holds one of ``needs``;
    everything else is the pattern's own."""

    __slots__ = ("_regex", "_needs")

    def __init__(self, regex: Any, needs: tuple[str, ...]) -> None:
        self._regex = regex
        self._needs = needs

    def finditer(self, data: str, *args: Any):
        for needed in self._needs:
            if needed in data:
                return self._regex.finditer(data, *args)
        return iter(())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._regex, name)


def prefilter_inline(md: Any) -> None:
    """Wrap the known inline patterns of Markdown instance ``md`` (see NEEDS)."""
    for name, needs in NEEDS.items():
        if name in md.inlinePatterns:
            pattern = md.inlinePatterns[name]
            if not isinstance(pattern.compiled_re, _Prefiltered):
                pattern.compiled_re = _Prefiltered(pattern.compiled_re, needs)


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
