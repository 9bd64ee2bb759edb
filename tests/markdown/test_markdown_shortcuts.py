"""The speed shortcuts around Python-Markdown (generator/markdown_shortcuts.py) change nothing in
the output: each inline pattern's needed characters are checked against the installed library's
own regex, and whole documents render the same with and without the shortcuts."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import markdown as stride_markdown
from generator.markdown_shortcuts import BLOCK_NEEDS, NEEDS, TABLE_NEEDS, _Prefiltered, memoised_factory

ROOT = Path(__file__).resolve().parents[1]
# Every character some inline pattern looks for, plus letters, digits, spaces and the
# placeholder brackets Python-Markdown puts in the text for stashed nodes.
ALPHABET = "ab1 \n\t*_`$\\()[]^!<>&;#x:/@.~=\"'-\x02\x03"


def _fresh() -> markdown.Markdown:
    return markdown.Markdown(extensions=stride_markdown._EXTENSIONS, extension_configs=stride_markdown._CONFIG,
                             output_format="html")


def test_every_needs_entry_names_a_pattern_of_the_pipeline():
    md = _fresh()
    assert set(NEEDS) <= {p.name for p in md.inlinePatterns._priority}
    assert set(BLOCK_NEEDS) | {"table"} <= {p.name for p in md.parser.blockprocessors._priority}
    for name, (attribute, _) in BLOCK_NEEDS.items():
        assert hasattr(getattr(md.parser.blockprocessors[name], attribute), "search")


@pytest.mark.parametrize("name", sorted(NEEDS))
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=40))
def test_a_pattern_never_matches_text_without_what_it_needs(name, text):
    regex = _fresh().inlinePatterns[name].compiled_re
    if not any(needed in text for needed in NEEDS[name]):
        assert regex.search(text) is None


@pytest.mark.parametrize("name", sorted(BLOCK_NEEDS))
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET + "|:-=", max_size=40))
def test_a_block_regex_never_matches_text_without_what_it_needs(name, text):
    attribute, needs = BLOCK_NEEDS[name]
    regex = getattr(_fresh().parser.blockprocessors[name], attribute)
    if not any(needed in text for needed in needs):
        assert regex.search(text) is None and regex.match(text) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ab \n:-|", max_size=40))
def test_the_table_test_never_passes_a_block_without_a_cell_separator(text):
    table = _fresh().parser.blockprocessors["table"]
    if not any(needed in text for needed in TABLE_NEEDS):
        assert not table.test(None, text)


def test_a_real_table_still_passes_the_table_test():
    table = stride_markdown._md().parser.blockprocessors["table"]
    assert table.test(None, "a | b\n--|--\n1 | 2")


@pytest.mark.parametrize("name,example", [
    ("backtick", "a `b` c"), ("arithmatex-inline", r"a \(x\) b"), ("escape", r"a \* b"),
    ("footnote", "a[^1]"), ("link", "[a](b)"), ("image_link", "![a](b)"), ("html", "a <b> c"),
    ("autolink", "<https://x.y>"), ("entity", "a &amp; b"), ("em_strong", "a *b* c"),
    ("delimiter", "~~a~~"), ("linebreak", "a  \nb"),
])
def test_the_needed_characters_are_what_real_matches_contain(name, example):
    regex = _fresh().inlinePatterns[name].compiled_re
    assert regex.search(example) is not None
    assert any(needed in example for needed in NEEDS[name])


def test_the_pipeline_uses_prefiltered_patterns():
    md = stride_markdown._md()
    assert all(isinstance(md.inlinePatterns[name].compiled_re, _Prefiltered) for name in NEEDS)
    assert all(isinstance(getattr(md.parser.blockprocessors[name], attribute), _Prefiltered)
               for name, (attribute, _) in BLOCK_NEEDS.items())


def _documents() -> list[str]:
    found = sorted((ROOT / "markdown" / "golden").glob("*.md")) + sorted((ROOT / "kramdown" / "cases").glob("*.md"))
    return [path.read_text(encoding="utf-8") for path in found]


def test_documents_render_the_same_without_the_inline_prefilter():
    shortcut = stride_markdown._md()
    plain = _fresh()
    for text in _documents():
        shortcut.reset()
        plain.reset()
        assert shortcut.convert(text) == plain.convert(text)


def test_memoised_factory_returns_one_object_per_distinct_arguments():
    made = []

    def factory(*args, **options):
        made.append((args, options))
        return object()

    make = memoised_factory(factory, 2)
    first = make("python", stripnl=True, hl_lines=[1, 2])
    assert make("python", stripnl=True, hl_lines=[1, 2]) is first
    assert make("python", stripnl=False) is not first
    assert make("python", options={"unhashable": []}) is not make("python", options={"unhashable": []})
    assert made[0] == (("python",), {"stripnl": True, "hl_lines": [1, 2]})  # lists reach the factory as lists
    make("c")  # a third key: the memo starts over rather than grow
    assert make("python", stripnl=True, hl_lines=[1, 2]) is not first


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="ab \n>$\\[](){}^_`\0" , max_size=60), pos=st.integers(0, 60))
def test_math_search_finds_what_the_full_regex_search_finds(text, pos):
    pos = min(pos, len(text))
    fast = stride_markdown._search_math(text, pos)
    slow = stride_markdown._MATH.search(text, pos)
    assert (fast and (fast.span(), fast.groupdict())) == (slow and (slow.span(), slow.groupdict()))


def test_math_search_skips_to_the_delimiters():
    text = r"plain words \alpha then $$x$$ and \begin{align}a\end{align}"
    assert stride_markdown._search_math(text, 0).group("dollar") == "x"
    assert stride_markdown._search_math(text, text.index("and")).group("env") == "align"
    assert stride_markdown._search_math("no math here", 0) is None
