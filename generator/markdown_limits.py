"""Bounds on the Markdown constructs whose cost inside Python-Markdown grows faster than the
text: checked before the library sees a document, so an input under 1 MB fails in a second with
the line to fix instead of running for minutes (issue 15; figures in docs/hardening.md).

Each check starts with a plain ``str.count`` of the construct's marker, far below its limit in
any real post, so an ordinary document pays a few C-speed scans and nothing else.

Measured on a 2-core machine (the figures behind the limits):

- brackets: the link parser scans from every ``[`` for its partner, again after each failed
  try; 4,000 unclosed ``[a`` in one paragraph took 6 s, 2,000 nested pairs 0.8 s, 1,000
  unclosed 0.4 s. Nesting is capped at 100 levels and unclosed ``[`` at 1,000 per document.
- footnotes: each reference looks its note up in a list of all notes, so references times
  notes: 5,000 of each took 2-3 s, 20,000 of each 35 s. Capped at 10,000 references and
  notes together.
- inline math: after each inline match the paragraph's remaining text is copied, so spans
  times paragraph length: 8,000 ``$x$`` in one paragraph 0.2 s, 32,000 4.3 s. Capped at 10,000
  dollar-delimited spans (20,000 ``$``) in one paragraph; the same count over many paragraphs
  is cheap (100,000 spans, 100 per paragraph, build in 6 s). Other inline markup has the same
  cost; a budget of markers times paragraph length covers it (MAX_INLINE_WORK).
"""

from __future__ import annotations

import re
from typing import Callable

MAX_BRACKET_DEPTH = 100
MAX_UNCLOSED_BRACKETS = 1_000
MAX_FOOTNOTE_MARKS = 10_000  # references and notes together
MAX_DOLLARS_PER_PARAGRAPH = 20_000
# Any inline construct (emphasis, code, links, escapes, maths) costs its paragraph's length
# again: 32,000 ``*a*`` in one 128 kB paragraph took 6 s. The sum over paragraphs of inline
# markers times length is capped at about 2 s of that work; a long real post (1,000 paragraphs
# of 2 kB with 100 markers each) comes to a tenth of it. Looked at only in a document this long.
MAX_INLINE_WORK = 2_000_000_000
INLINE_WORK_FROM = 50_000  # characters
_INLINE_MARKERS = "*_`$[~\\"

_BRACKET = re.compile(r"\\.|[\[\]]|\n[ \t>]*(?=\n)")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]+\]")  # a reference or a note's definition
_PARAGRAPH_BREAK = re.compile(r"\n[ \t>]*\n")


def check(text: str, mask: Callable[[str], str]) -> tuple[int, str, str] | None:
    """The first limit ``text`` is over, as (0-based line, message, hint), or None. ``mask(text)``
    blanks out code (same length, newlines kept) so that code never counts; it is only called
    once a plain count is past a limit."""
    masked = ""
    if text.count("[") > MAX_UNCLOSED_BRACKETS:
        masked = mask(text)
        found = _brackets(masked)
        if found is not None:
            return found
    if text.count("[^") > MAX_FOOTNOTE_MARKS:
        masked = masked or mask(text)
        refs = [m.start() for m in _FOOTNOTE_MARK.finditer(masked)]
        if len(refs) > MAX_FOOTNOTE_MARKS:
            return (_line(masked, refs[MAX_FOOTNOTE_MARKS]),
                    f"more than {MAX_FOOTNOTE_MARKS:,} footnote references and notes in one "
                    f"document ({len(refs):,})", "split the post, or keep the notes as a list at its end")
    if text.count("$") > MAX_DOLLARS_PER_PARAGRAPH:
        masked = masked or mask(text)
        for start, block in _paragraphs(masked):
            if block.count("$") > MAX_DOLLARS_PER_PARAGRAPH:
                return (_line(masked, start),
                        f"more than {MAX_DOLLARS_PER_PARAGRAPH // 2:,} inline maths spans in one paragraph",
                        "put blank lines between the paragraphs, or the maths in a $$ display block")
    if len(text) > INLINE_WORK_FROM:
        masked = masked or mask(text)
        work = 0
        for start, block in _paragraphs(masked):
            work += sum(block.count(c) for c in _INLINE_MARKERS) * len(block)
            if work > MAX_INLINE_WORK:
                return (_line(masked, start),
                        "this paragraph makes the document's inline markup (emphasis, code, links, maths) "
                        "too long to render", "put blank lines between the paragraphs of a long text")
    return None


def _brackets(masked: str) -> tuple[int, str, str] | None:
    """Nesting deeper than the limit, or more unclosed ``[`` (within their paragraph) than the
    limit over the whole document, at the line of the bracket that goes over."""
    opened: list[int] = []  # where the brackets open now in this paragraph start
    unclosed = 0
    for m in _BRACKET.finditer(masked + "\n\n"):
        mark = m.group(0)
        if mark == "[":
            opened.append(m.start())
            if len(opened) > MAX_BRACKET_DEPTH:
                return (_line(masked, m.start()), f"more than {MAX_BRACKET_DEPTH} [ brackets open at once (nested or never closed)",
                        "close them sooner, or write \\[ for a literal bracket")
        elif mark == "]":
            if opened:
                opened.pop()
        elif mark[0] == "\n":  # a blank line ends the paragraph: what is still open stays unclosed
            if unclosed + len(opened) > MAX_UNCLOSED_BRACKETS:
                return (_line(masked, opened[MAX_UNCLOSED_BRACKETS - unclosed]),
                        f"more than {MAX_UNCLOSED_BRACKETS:,} [ brackets in this document are never closed",
                        "close them with ], or write \\[ for a literal bracket")
            unclosed += len(opened)
            opened.clear()
    return None


def _paragraphs(masked: str):
    """(start offset, text) of each run of lines between blank ones (blockquote markers count
    as blank)."""
    start = 0
    for m in _PARAGRAPH_BREAK.finditer(masked):
        yield start, masked[start:m.start()]
        start = m.end()
    yield start, masked[start:]


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index)
