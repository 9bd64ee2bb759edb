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

3. Inline patterns not even called on text that cannot hold them. The inline tree processor
calls each of the 17 patterns on each text node through several Python frames (registry lookup,
ancestor check, the prefiltered search): about 1.5 microseconds a pattern, 25 a text node, most
of the inline stage on plain prose. :func:`prefilter` gives the processor a text handler that
tries, in the library's order, only the patterns whose needed characters the text (as it is at
that point) holds; a pattern it does not know is always tried. A match only ever puts a
placeholder (letters, digits, STX/ETX) in place of what it matched, never a needed character,
so a pattern skipped could not have matched.

4. Whitespace normalisation without the regex pass when it has nothing to do. Python-Markdown
blanks lines that hold only spaces with a regex tried at every position of the document; a
line of spaces needs a space before a newline, which a substring test finds far faster.

5. pymdownx.superfences' indentation reading skipped where there is none. Outside a fence it
reads every line's leading spaces, tabs and ``>`` character by character, in Python, to learn
where a fence could start; a line that starts with none of them has no indentation, which one
look at its first character shows.

6. The table of contents' ``[TOC]`` marker looked for only when the text holds it. The TOC
processor joins the text of every element (and again of each of its children) to find a
paragraph that reads ``[TOC]``; one join of the whole tree's text says whether any can.

7. No HTML parser run over a document that holds no HTML. Python-Markdown feeds the whole text
to its HTML parser (Python code per piece of text) to take raw HTML out; the parser acts only
at a ``<`` or a ``&``, so without either the text comes out as it went in.

8. Stashed HTML put back without searching it again when it holds no placeholder. After
serialising, Python-Markdown replaces each placeholder with its stashed HTML (a highlighted
code block, a raw HTML block) and then searches that HTML for placeholders too: a regex pass
over every code block's markup. A placeholder starts with STX, so HTML without one is done; and
the search itself looks for that STX (a literal scan) rather than for the library's alternation
of a ``<p>``-wrapped and a bare placeholder, which the regex engine tries at every position.

9. Block processors that say yes to every block, only to give it back. Five of them (link
references, footnote and abbreviation definitions, Markdown inside HTML, superfences' indented
code) pass every block through their ``test`` and look at it in ``run``, which returns False
(the block put back as it was) unless the block holds what they read: a ``]:``, a ``[^``, a
``*[``, a placeholder at its start, four spaces at its start. Their tests say no at once to a
block without it; the parser then moves on to the next processor, as it does after such a run.

10. Pygments' regex lexers try at each position only the rules that can match its character
(generator/lexer_dispatch.py). Installed only over the library loop it copies.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any, Callable

from generator import lexer_dispatch

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


def _readers_of_every_block(md: Any) -> dict[str, tuple[str, Callable[[str], bool]]]:
    """Block processor name -> (its class, which returns True from ``test`` for every block, and
    a test of what ``run`` needs in the block to do anything but put it back; see 9. above)."""
    from markdown.util import STX

    indent = " " * md.tab_length
    return {
        "reference": ("ReferenceProcessor", lambda block: "]:" in block),
        "footnote": ("FootnoteBlockProcessor", lambda block: "[^" in block),
        "abbr": ("AbbrBlockprocessor", lambda block: "*[" in block),
        "markdown_block": ("MarkdownInHtmlProcessor", lambda block: block.startswith(STX)),
        "code": ("SuperFencesCodeBlockProcessor", lambda block: block.startswith(indent)),
    }


def _block_needs_test(test: Callable[[Any, str], bool], needed: Callable[[str], bool]) -> Callable[[Any, str], bool]:
    def prefiltered(parent: Any, block: str) -> bool:
        return needed(block) and test(parent, block)

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
    for name, (kind, needed) in _readers_of_every_block(md).items():
        processor = blocks[name] if name in blocks else None
        if type(processor).__name__ == kind and not getattr(processor.test, "prefiltered", False):
            processor.test = _block_needs_test(processor.test, needed)
    if "inline" in md.treeprocessors:
        _prefilter_inline(md, md.treeprocessors["inline"])
    if "normalize_whitespace" in md.preprocessors:
        _prefilter_whitespace(md.preprocessors["normalize_whitespace"])
    if "fenced_code_block" in md.preprocessors:
        _prefilter_fence_indent(md.preprocessors["fenced_code_block"])
    if "toc" in md.treeprocessors:
        _prefilter_toc_marker(md.treeprocessors["toc"])
    if "html_block" in md.preprocessors:
        _prefilter_html_block(md.preprocessors["html_block"])
    if "raw_html" in md.postprocessors:
        _prefilter_raw_html(md, md.postprocessors["raw_html"])


def _prefilter_inline(md: Any, inline: Any) -> None:
    """Give the inline processor ``inline`` a text handler that skips patterns which cannot match
    (see 3. above). Left alone if this version of the library has no per-pattern step to call."""
    apply = getattr(inline, "_InlineProcessor__applyPattern", None)
    if apply is None or getattr(inline, "_stride_prefiltered", False):
        return
    from markdown.util import AtomicString

    known = {id(md.inlinePatterns[name]): needs for name, needs in NEEDS.items() if name in md.inlinePatterns}
    # (pattern, needed substrings or None for "always try"), in the registry's priority order.
    table = tuple((pattern, known.get(id(pattern))) for pattern in md.inlinePatterns)
    # Any needed substring of any pattern: one search tells plain text (most of a post) from text
    # some pattern might match. None when a pattern is unknown (it is always tried).
    anything = None if any(needs is None for _, needs in table) else re.compile(
        "|".join(sorted({re.escape(needed) for _, needs in table for needed in needs})))

    def handle_inline(data: str, patternIndex: int = 0) -> str:
        if isinstance(data, AtomicString) or (anything is not None and anything.search(data) is None):
            return data
        for index in range(patternIndex, len(table)):
            pattern, needs = table[index]
            if needs is not None:
                for needed in needs:
                    if needed in data:
                        break
                else:
                    continue  # cannot match: the library's call would return the text unchanged
            start = 0
            matched = True
            while matched:  # the library stays on a pattern while it matches
                data, matched, start = apply(pattern, data, index, start)
        return data

    inline._InlineProcessor__handleInline = handle_inline  # what the processor and its patterns call
    inline._stride_prefiltered = True


_SPACES_LINE = re.compile(r"(?<=\n) +\n")  # Python-Markdown's own pattern for a line of spaces


def _prefilter_whitespace(normalize: Any) -> None:
    """Python-Markdown's whitespace normalisation (see 4. above), same steps in the same order,
    its one regex run only when the text holds a space before a newline."""
    if getattr(normalize, "_stride_prefiltered", False):
        return
    from markdown.util import ETX, STX

    tab_length = normalize.md.tab_length

    def run(lines: list[str]) -> list[str]:
        source = "\n".join(lines).replace(STX, "").replace(ETX, "")
        source = (source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n").expandtabs(tab_length)
        if " \n" in source:
            source = _SPACES_LINE.sub("\n", source)
        return source.split("\n")

    normalize.run = run
    normalize._stride_prefiltered = True


def install() -> None:
    """Make pymdownx.highlight use memoised lexers and formatters, and Pygments' regex lexers
    try only the rules a position's character allows (idempotent)."""
    global _done
    with _installed:
        if _done:
            return
        import pymdownx.highlight as highlight

        if getattr(highlight, "pygments", False):
            highlight.get_lexer_by_name = memoised_factory(highlight.get_lexer_by_name, 64)
            highlight.BlockHtmlFormatter = memoised_factory(highlight.BlockHtmlFormatter, _MAX_FORMATTERS)
            highlight.InlineHtmlFormatter = memoised_factory(highlight.InlineHtmlFormatter, _MAX_FORMATTERS)
            lexer_dispatch.install()
        _done = True


def _prefilter_fence_indent(fences: Any) -> None:
    """superfences' ``parse_whitespace`` (see 5. above): the library's own for a line that starts
    with indentation or ``>``, its result (no indentation) set directly for any other line."""
    read = getattr(fences, "parse_whitespace", None)
    prefix = getattr(sys.modules.get(type(fences).__module__), "PREFIX_CHARS", None)
    if read is None or prefix is None or getattr(fences, "_stride_prefiltered", False):
        return
    starts = frozenset(prefix)

    def parse_whitespace(line: str) -> str:
        if line[:1] in starts:
            return read(line)
        fences.ws_len = 0
        fences.ws_virtual_len = 0
        return ""

    fences.parse_whitespace = parse_whitespace
    fences._stride_prefiltered = True


def _prefilter_toc_marker(toc: Any) -> None:
    """The TOC processor's ``replace_marker`` (see 6. above), run only on a tree whose text holds
    the marker: a paragraph it replaces reads exactly the marker, so the marker is in that text."""
    replace = getattr(toc, "replace_marker", None)
    if replace is None or getattr(toc, "_stride_prefiltered", False):
        return

    def replace_marker(root: Any, elem: Any) -> None:
        if toc.marker and toc.marker in "".join(root.itertext()):
            replace(root, elem)

    toc.replace_marker = replace_marker
    toc._stride_prefiltered = True


def _prefilter_html_block(html_block: Any) -> None:
    """The raw-HTML preprocessor (see 7. above) only on text that holds ``<`` or ``&``; other text
    goes through as the library returns it (joined and split again on newlines)."""
    extract = getattr(html_block, "run", None)
    if extract is None or getattr(html_block, "_stride_prefiltered", False):
        return

    def run(lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if "<" in source or "&" in source:
            return extract(lines)
        return source.split("\n")

    html_block.run = run
    html_block._stride_prefiltered = True


def _prefilter_raw_html(md: Any, raw: Any) -> None:
    """The raw-HTML postprocessor (see 8. above): each placeholder (``<p>``-wrapped or bare) gives
    way to its stashed HTML, in a paragraph if it was wrapped in one and is not block-level
    itself, and that HTML is searched for placeholders only when it holds an STX. Left alone
    when the processor is not the library's own (a subclass may read placeholders otherwise)."""
    from markdown.postprocessors import RawHtmlPostprocessor
    from markdown.util import HTML_PLACEHOLDER, STX

    if type(raw).run is not RawHtmlPostprocessor.run or getattr(raw, "_stride_prefiltered", False):
        return
    # The library searches for "<p>" placeholder "</p>" | placeholder: an alternation the regex
    # engine tries at every position (25 microseconds over a post's 3.5 KB). Searched for from
    # its STX instead (a fast literal scan, 2 microseconds), a placeholder is wrapped when "<p>"
    # comes just before it and "</p>" just after, which is where the library's first
    # alternative would have matched, leftmost.
    placeholder = re.compile(HTML_PLACEHOLDER % r"([0-9]+)" + "(</p>)?")

    def put_back(text: str) -> str:
        stash = md.htmlStash
        pieces, done = [], 0
        for m in placeholder.finditer(text):
            start = m.start()
            wrapped = m.group(2) is not None and start - 3 >= done and text.startswith("<p>", start - 3)
            end = m.end() if wrapped else m.end(1) + 1  # the bare placeholder ends at its ETX
            if wrapped:
                start -= 3
            key = int(m.group(1))
            if key >= stash.html_counter:
                continue  # left as it is, as the library leaves it
            html = raw.stash_to_string(stash.rawHtmlBlocks[key])
            if wrapped and not raw.isblocklevel(html):
                html = f"<p>{html}</p>"
            pieces += [text[done:start], put_back(html) if STX in html else html]
            done = end
        return "".join(pieces) + text[done:] if pieces else text

    def run(text: str) -> str:
        return put_back(text) if md.htmlStash.html_counter else text

    raw.run = run
    raw._stride_prefiltered = True
