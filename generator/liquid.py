"""Liquid in Jekyll's dialect, run on a post's body before Markdown sees it (as Jekyll does).

This module holds what the Markdown layer shares with the Liquid engine: the handlers the core
lends it (:class:`TagHandlers`), the :class:`Stash` of HTML kept out of Markdown's reach and the
document's :class:`Citations`. The engine itself (python-liquid with Jekyll's tags) is in
:mod:`generator.liquid_engine`, imported on the first body that holds Liquid markup, so a site
of plain Markdown never pays for it; the filters are in :mod:`generator.jekyll_filters`.

HTML made by a tag goes into the stash and the text gets an opaque token instead, so Markdown
cannot escape or re-wrap it; :meth:`Stash.restore` puts it back after rendering (a token alone
in a paragraph replaces the whole ``<p>``). ``{{ ... }}`` output goes into the text as it is,
as in Jekyll.

Problems are collected, not raised one by one: every syntax error and every failing tag of a
document (and of the includes it uses) ends up in one :class:`ContentErrors`, each at
``path:line:col`` of the real file; the body starts at ``first_line`` (1-based). An undefined
variable renders empty, as in Jekyll, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from generator.bibliography import BibFile, Entry
from generator.errors import ContentErrors, Diagnostic, display_path

if TYPE_CHECKING:
    from generator.layers import Root

INCLUDE_DEPTH = 10  # an include chain deeper than this is taken for recursion and stopped


@dataclass(frozen=True)
class TagHandlers:
    """What the core lends the Liquid layer for one document.

    ``widget(id, line)`` returns trusted HTML or raises ContentError; ``bib_dir`` is
    ``content/bib``; ``default_bib`` the file a tag without ``--file`` uses (None: the only
    .bib file); ``warn`` receives non-fatal diagnostics; ``url``/``absolute_url`` map a site path
    to its public URL (``relative_url``/``absolute_url`` filters, ``post_url``, ``link``);
    ``includes`` is where ``{% include %}`` reads: the include roots of the layers in lookup
    order (``Layers.roots("includes")``: the site's ``templates/includes``, then the theme's), or one folder;
    ``relative_root`` the document's own folder (``include_relative``); ``variables`` holds
    ``page`` and ``site``; ``post_urls`` maps a post's file name without ``.md`` (also with
    its sub-folder) to its site path, ``link_urls`` a source path as a ``{% link %}`` writes it
    to the document's site path."""

    widget: Callable[[str, int], str]
    bib_dir: Path
    default_bib: str | None
    warn: Callable[[Diagnostic], None]
    url: Callable[[str], str] | None = None
    absolute_url: Callable[[str], str] | None = None
    includes: tuple[Root, ...] | Path | None = None
    relative_root: Path | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    post_urls: Mapping[str, str] = field(default_factory=dict)
    link_urls: Mapping[str, str] = field(default_factory=dict)


TOKEN_TEXT = re.compile(r"stridetok\d+x")
_TOKEN = re.compile(r"<p>\s*stridetok(\d+)x\s*</p>|stridetok(\d+)x")
_BARE_TOKEN = re.compile(r"stridetok(\d+)x")
_TAGS = re.compile(r"<[^>]*>")
_ANCHOR = re.compile(r"</?a\b[^>]*>")
_CODE = re.compile(r"<code\b.*?</code>", re.S)

class Stash:
    """HTML held out of Markdown's reach, keyed by tokens made of letters and digits only (so
    no Markdown, Pygments or TOC rule changes them). Values may be callables, evaluated at
    restore time: a bibliography must list citations made after it in the text. A value may
    hold tokens itself (an include that cites); they are put back with it."""

    def __init__(self) -> None:
        self._items: list[str | Callable[[], str]] = []
        self._values: list[str] | None = None

    def put(self, html: str | Callable[[], str]) -> str:
        self._items.append(html)
        return f"stridetok{len(self._items) - 1}x"

    def is_block(self, index: int) -> bool:
        value = self._items[index]
        return callable(value) or _BLOCK_START.match(value) is not None

    def _resolved(self) -> list[str]:
        if self._values is None or len(self._values) != len(self._items):
            raw = [v() if callable(v) else v for v in self._items]
            for _ in range(INCLUDE_DEPTH + 2):  # nested tokens, at most as deep as includes go
                if not any("stridetok" in v for v in raw):
                    break
                raw = [_BARE_TOKEN.sub(lambda m: raw[int(m.group(1))], v) if "stridetok" in v else v
                       for v in raw]
            self._values = raw
        return self._values

    def text(self, text: str) -> str:
        """``text`` with every token replaced by its HTML as it is (for code shown as text)."""
        return _BARE_TOKEN.sub(lambda m: self._items[int(m.group(1))] if not callable(
            self._items[int(m.group(1))]) else "", text) if "stridetok" in text else text

    def restore(self, html: str, *, links: bool = True) -> str:
        """Put the stashed HTML back; ``links=False`` drops <a> tags from it (for a table of
        contents, whose entries are links already)."""
        if "stridetok" not in html:
            return html  # no token to put back: most documents, whose stash holds nothing
        values = self._resolved()
        # Inside <code> the HTML is shown as text, as Jekyll shows it (Liquid runs before kramdown).
        code = [m.span() for m in _CODE.finditer(html)]

        def put(m: re.Match) -> str:
            value = values[int(m.group(1) or m.group(2))]
            if not links:
                value = _ANCHOR.sub("", value)
            if html.rfind("<", 0, m.start()) > html.rfind(">", 0, m.start()):
                return escape(_TAGS.sub("", value))  # in an attribute (a link's href, say): text only
            inside = any(a <= m.start() < b for a, b in code)
            return escape(value, quote=False) if inside else value

        return _TOKEN.sub(put, html)


class Citations:
    """Citation numbers for one document: 1-based, in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[Path, str], int] = {}
        self.entries: dict[tuple[Path, str], Entry] = {}
        self.listed = False

    def cite(self, bib: BibFile, key: str) -> int:
        slot = (bib.path, key)
        if slot not in self.numbers:
            self.numbers[slot] = len(self.numbers) + 1
            self.entries[slot] = bib.entries[key]
        return self.numbers[slot]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.numbers)


def holds_liquid(body: str) -> bool:
    """Whether ``body`` has Liquid markup (a tag or an output): only then does Liquid run on it,
    or read the handlers' variables."""
    return "{%" in body or "{{" in body


def expand_tags(body: str, *, path: str, first_line: int, tags: TagHandlers,
                stash: Stash) -> tuple[str, Citations]:
    """Render the Liquid in ``body``: HTML made by tags becomes stash tokens, output goes in as
    text. Returns the new text and the document's citations; raises ContentErrors listing every
    problem of the document."""
    if not holds_liquid(body):
        return body, Citations()  # no Liquid markup: nothing for the engine to do
    from generator.liquid_engine import render

    text, citations, first_cite_line, problems = render(body, path=path, first_line=first_line,
                                                         tags=tags, stash=stash)
    if problems:
        raise ContentErrors(problems)
    if citations.numbers and not citations.listed:
        tags.warn(Diagnostic(display_path(path), first_cite_line,
                             "citations without a {% bibliography %} tag: their links lead nowhere",
                             "add {% bibliography --cited %} at the end of the post", severity="warning"))
    return _blocks_apart(text, stash), citations


_ALONE = re.compile(r"^([ \t]*)stridetok(\d+)x[ \t]*$", re.M)
_BLOCK_START = re.compile(
    r"\s*<(?:address|article|aside|blockquote|details|div|dl|fieldset|figure|footer|form|h[1-6]|header|hr"
    r"|iframe|nav|ol|p|pre|section|table|ul|video|audio|canvas|script|style|template|!--)\b", re.I)


def _blocks_apart(text: str, stash: Stash) -> str:
    """Block HTML on a line of its own ends the paragraph around it, as in kramdown; the blank
    lines keep the line's indentation so the block stays inside a list item."""
    if "stridetok" not in text:
        return text

    def apart(m: re.Match) -> str:
        if not stash.is_block(int(m.group(2))):
            return m.group(0)
        indent = m.group(1)
        return f"{indent}\n{indent}stridetok{m.group(2)}x\n"

    return _ALONE.sub(apart, text)
