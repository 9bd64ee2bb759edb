"""The speed shortcuts around Python-Markdown (generator/markdown_shortcuts.py) change nothing in
the output: each inline pattern's needed characters are checked against the installed library's
own regex, and whole documents render the same with and without the shortcuts."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as etree

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import markdown as stride_markdown
from generator.markdown_shortcuts import (BLOCK_NEEDS, NEEDS, TABLE_NEEDS, _Prefiltered, _readers_of_every_block,
                                          memoised_factory)

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


def test_the_inline_processor_uses_the_prefiltered_handler():
    inline = stride_markdown._md().treeprocessors["inline"]
    assert inline.__dict__.get("_InlineProcessor__handleInline") is not None
    assert "_InlineProcessor__handleInline" not in _fresh().treeprocessors["inline"].__dict__


# Inline markup of every kind, nested and broken, in a few paragraphs and list items: the
# prefiltered inline handler must give the library's own output for each.
def _converted(text: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """``text`` through Stride's instance (shortcuts installed) and through a fresh library
    instance: (HTML, table of contents) from each."""
    shortcut, plain = stride_markdown._md(), _fresh()
    shortcut.reset()
    try:
        return (shortcut.convert(text), shortcut.toc), (plain.convert(text), plain.toc)
    finally:
        shortcut.reset()


_INLINE_PIECES = st.sampled_from([
    "word", " ", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "$", "\\(", "\\)", "\\", "[", "]", "(", ")",
    "[^1]", "![", "<", ">", "&", "&amp;", ";", "~~", "  \n", "x_y", "<b>", "</b>", "<https://a.b>",
    "a@b.c", "[a]: /u\n", "[^1]: note\n", "- ", "1. ", "> ", "# ", "\"", "'", "--", "...", "{: .c}", ":",
])


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_INLINE_PIECES, max_size=30))
def test_inline_markup_renders_the_same_as_without_the_shortcuts(pieces):
    shortcut, library = _converted("".join(pieces))
    assert shortcut == library


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(st.text(alphabet="a \t\r\x02\x03", max_size=8), max_size=8))
def test_whitespace_normalisation_is_the_librarys(lines):
    from markdown.preprocessors import NormalizeWhitespace

    shortcut = stride_markdown._md().preprocessors["normalize_whitespace"]
    assert shortcut.run(list(lines)) == NormalizeWhitespace(_fresh()).run(list(lines))


def test_the_fence_and_toc_shortcuts_are_installed():
    md = stride_markdown._md()
    assert "run" in md.postprocessors["raw_html"].__dict__
    assert "parse_whitespace" in md.preprocessors["fenced_code_block"].__dict__
    assert "replace_marker" in md.treeprocessors["toc"].__dict__


# Lines of block markup: fences (indented, quoted, tabbed, unclosed), headings, the [TOC] marker
# (alone, in a list, in code, in a heading), lists and quotes.
_BLOCK_LINES = st.sampled_from([
    "```", "```python", "~~~", "  ```", "\t```", "> ```", ">```", "> > ```", "    ```", "````", "``` {.py}",
    "code = 1", "\tcode", "  indented", "> quoted", "", "", "# Heading", "## Sub *em*", "### [TOC]",
    "[TOC]", " [TOC] ", "- [TOC]", "> [TOC]", "`[TOC]`", "[TOC] and more", "text", "- item", "1. one",
    "    - nested", "$$", "x^2", "| a | b |", "|---|---|", "{: .cls}", "!!! note", "    body",
    "<div>", "</div>", '<div markdown="1">', "<span>x</span> y", "<!-- c -->", "<hr>", "a <b>c</b>", "<p>p</p>",
    "[a]: /u", "[a]:", "see [a]", "[^1]: note", "text[^1]", "*[HTML]: Hyper Text", "HTML here", "    [a]: /v",
    "<b>", "<span>", '<div markdown="1">\n\n```\ncode\n```\n\n*a* <i>b</i>\n\n</div>', "<div>\n<b>\n</div>",
])


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(_BLOCK_LINES, max_size=16))
def test_block_markup_renders_the_same_as_without_the_shortcuts(lines):
    shortcut, library = _converted("\n".join(lines))
    assert shortcut == library


def test_a_toc_marker_paragraph_still_becomes_the_table_of_contents():
    md = stride_markdown._md()
    md.reset()
    try:
        html = md.convert("# One\n\n[TOC]\n\n## Two\n")
    finally:
        md.reset()
    assert '<div class="toc">' in html and "[TOC]" not in html


def _stashed(md: markdown.Markdown) -> list[str]:
    """The raw HTML blocks a preprocessor stashed, elements (md_in_html) as their markup."""
    return [item if isinstance(item, str) else etree.tostring(item, encoding="unicode")
            for item in md.htmlStash.rawHtmlBlocks]


_HTML_PIECES = st.sampled_from([
    "a", " ", "\t", "\n", "\n\n", "<div>", "</div>", "<p>", "<b>", "</b>", "<hr>", "<br/>", "<!-- c -->", "<!--",
    "-->", "<", ">", "&", "&amp;", "&#35;", ";", "<div markdown=\"1\">", "<pre>", "</pre>", "<?x?>", "<![CDATA[",
    "\x02", "\x03", "`",
])


@settings(max_examples=500, deadline=None)
@given(lines=st.lists(st.lists(_HTML_PIECES, max_size=6).map("".join), max_size=6))
def test_the_html_block_shortcut_returns_what_the_library_does(lines):
    shortcut = stride_markdown._md()
    plain = _fresh()
    shortcut.reset()
    try:
        assert shortcut.preprocessors["html_block"].run(list(lines)) == plain.preprocessors["html_block"].run(list(lines))
        assert _stashed(shortcut) == _stashed(plain)
    finally:
        shortcut.reset()


@settings(max_examples=1000, deadline=None)
@given(stashed=st.lists(st.sampled_from(["<b>x</b>", "<div>d</div>", "", "plain", "<!-- c -->", "<hr>", "REF0", "REF1",
                                         "<p>REF0</p>", "<p>REF1"]),
                        min_size=1, max_size=4),
       # Half wrappers too: "<p>" or "</p>" alone next to a placeholder does not make it wrapped.
       text=st.lists(st.sampled_from(["<p>REF0</p>", "<p>REF1</p>", "REF2", "<p>REF3</p>", "REF9", "<p>a</p>", "\n", " ",
                                      "<p>", "</p>", "REF0", "REF1</p>", "<p>REF2", "p>", "<"]),
                     max_size=8))
def test_stashed_html_goes_back_as_the_library_puts_it(stashed, text):
    from markdown.util import HTML_PLACEHOLDER

    def refs(value: str, below: int = 10) -> str:  # REFn -> the n-th placeholder, if n < below
        return re.sub(r"REF(\d)", lambda m: HTML_PLACEHOLDER % m.group(1) if int(m.group(1)) < below else "x", value)

    out = []
    for md in (stride_markdown._md(), _fresh()):
        md.reset()
        try:
            for index, html in enumerate(stashed):
                md.htmlStash.store(refs(html, index))  # nested placeholders name earlier blocks only
            out.append(md.postprocessors["raw_html"].run(refs("".join(text))))
        finally:
            md.reset()
    assert out[0] == out[1]


@pytest.mark.parametrize("name", sorted(_readers_of_every_block(_fresh())))
@settings(max_examples=300, deadline=None)
@given(block=st.lists(st.sampled_from(["a", " ", "    ", "\n", "[", "]", ":", "^", "*", "\x02", "wzxhzdk:0", "\x03",
                                       "]:", "[^", "*[", "/u", "\t"]), min_size=1, max_size=12).map("".join))
def test_a_block_reader_gives_back_a_block_without_what_it_needs(name, block):
    """What the shortcut relies on, checked on the library's own processor: for a block without
    what it needs, ``test`` is True and ``run`` returns False with the blocks as they were."""
    md = _fresh()
    kind, needed = _readers_of_every_block(md)[name]
    processor = md.parser.blockprocessors[name]
    assert type(processor).__name__ == kind
    md.htmlStash.store(etree.Element("div"))  # a placeholder at a block's start names an element
    if not needed(block):
        blocks = [block, "next"]
        parent = etree.Element("div")
        assert processor.test(parent, block)
        assert processor.run(parent, blocks) is False
        assert blocks == [block, "next"] and len(parent) == 0


def _fenced_blocks_line_by_line(lines: list[str]) -> list[tuple[int, int, str, str]]:
    """Fenced blocks found by trying the fence regex on every line (the reading the faster scan
    of generator/markdown.py, which looks only at lines holding ``` or ~~~, must agree with)."""
    found, i = [], 0
    while i < len(lines):
        m = stride_markdown._FENCE.match(lines[i])
        if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
            fence, j = m.group("fence"), i + 1
            while j < len(lines) and not (lines[j].strip().startswith(fence) and set(lines[j].strip()) == {fence[0]}):
                j += 1
            found.append((i, j, m.group("indent"), m.group("info").strip()))
            i = j + 1
        else:
            i += 1
    return found


@settings(max_examples=1000, deadline=None)
@given(lines=st.lists(st.sampled_from(["```", "~~~", "````", "~~~~", "``` py", "```a`", " ```", "  ~~~ x", "\t```",
                                       "```` ", "x", "", "``", "code ```", "~~~```", "> ```"]), max_size=14))
def test_fence_scan_finds_what_a_line_by_line_scan_finds(lines):
    assert list(stride_markdown._fenced_blocks(lines)) == _fenced_blocks_line_by_line(lines)
