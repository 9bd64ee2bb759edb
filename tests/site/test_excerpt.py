"""The automatic excerpt (generator/site.py ``excerpt``): the first paragraph's text. It is found
with string searches, not a regex: these tests hold it to what the regex reading gives."""

from __future__ import annotations

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site import _TAG, excerpt


def _by_regex(html: str, limit: int = 200) -> str:
    """The excerpt as a lazy regex finds the first paragraph and a regex joins its whitespace."""
    match = re.search(r"<p>(.*?)</p>", html, re.S)
    text = re.sub(r"\s+", " ", unescape(_TAG.sub("", match.group(1) if match else ""))).strip()
    text = re.sub(r"\\\(|\\\)", "", text)
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


_PIECES = st.sampled_from([
    "<p>", "</p>", "<p", "p>", "</", "<em>", "</em>", "word", " ", "\n", "\t", "\u00a0", "\u2003", "&amp;",
    "&lt;p&gt;", "\\(", "\\)", "x" * 60, "<div>", "</div>", "<", ">",
])


@settings(max_examples=1000, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=25), limit=st.integers(5, 200))
def test_excerpt_is_the_first_paragraph_as_the_regex_reads_it(pieces, limit):
    html = "".join(pieces)
    assert excerpt(html, limit) == _by_regex(html, limit)


def test_excerpt_examples():
    assert excerpt("<h2>T</h2>\n<p>First  <em>one</em>\n&amp; more.</p>\n<p>Second.</p>") == "First one & more."
    assert excerpt("<p>opened, never closed") == ""
    assert excerpt("<div>no paragraph</div>") == ""
    assert excerpt("<p>" + "word " * 60 + "</p>", 20) == "word word word word…"
