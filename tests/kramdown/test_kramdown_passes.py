"""The kramdown passes around Python-Markdown (generator/kramdown.py), on what the Jekyll corpus
(tests/kramdown/) cannot show: warnings with their line, and Stride's own wrappers."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown import TagHandlers, render_document, render_markdown


def _handlers(warnings: list) -> TagHandlers:
    def refuse(*_args):
        raise AssertionError("no tag expected")

    return TagHandlers(widget=refuse, bib_dir=Path("."), default_bib=None, warn=warnings.append)


def test_unclosed_fence_is_a_warning_at_its_line():
    warnings: list = []
    body = "Intro.\n\n```python\nx = 1\n\nThe rest of the post.\n"
    result = render_document(body, path="content/posts/p.md", first_line=5, tags=_handlers(warnings))
    assert [str(w) for w in warnings] == [
        "content/posts/p.md:7: warning: code fence is never closed: the rest of the document is code "
        "(add a line ``` where the code ends)"]
    assert "The rest of the post." in result.html  # rendered as before, only now the writer is told


def test_closed_fences_and_fences_in_code_give_no_warning():
    warnings: list = []
    body = "~~~~\n```\nnot a fence opener here\n~~~~\n\n```js\nlet a\n```\n"
    render_document(body, path="p.md", first_line=1, tags=_handlers(warnings))
    assert warnings == []


def test_display_maths_with_blank_line_is_one_block_and_keeps_its_label():
    html = render_markdown("$$\n\\begin{align}\na &= b \\label{x}\n\n\\end{align}\n$$\n\nSee \\eqref{x}.").html
    assert html.count('class="arithmatex"') == 1
    assert "$$" not in html and "\\label{x}" in html and "\\eqref{x}" in html


def test_blank_line_inside_inline_dollars_is_not_maths():
    html = render_markdown("costs $$5\n\nand $$ more").html
    assert "arithmatex" not in html


def test_ial_id_replaces_heading_id_and_toc_marker_lists_headings():
    html = render_markdown("* TOC\n{:toc}\n\n## Alpha\n{: #first .lead}\n\n## Beta\n").html
    assert '<h2 class="lead" id="first">' in html or '<h2 id="first" class="lead">' in html
    toc = html[:html.index("</ul>")]
    assert toc.startswith('<ul id="markdown-toc">') and re.findall(r'href="#([^"]+)"', toc) == ["first", "beta"]


def test_toc_marker_in_code_is_text():
    html = render_markdown("```\n* TOC\n{:toc}\n```\n\n## A\n").html
    assert "markdown-toc" not in html and "{:toc}" in html


def test_comment_in_code_is_kept():
    html = render_markdown("`{::comment}x{:/comment}` and {::comment}gone{:/comment} here").html
    assert "{::comment}x{:/comment}" in html and "gone" not in html


def test_list_reindent_keeps_code_inside_items():
    html = render_markdown("- item\n\n  ```\n  indented\n    more\n  ```\n").html
    assert "<li>" in html and "<code>indented\n  more\n</code>" in html  # relative to the fence


def test_typography_leaves_code_maths_and_raw_html_alone():
    html = render_markdown("It's $f'(x)$, `a--b` and \"done\"...\n\n<div>\"raw\" -- kept</div>\n").html
    assert "It\u2019s" in html and "\u201cdone\u201d\u2026" in html
    assert "f'(x)" in html and "<code>a--b</code>" in html
    assert '<div>"raw" -- kept</div>' in html


_LINES = ["- a", "  - b", "   1. c", "1. d", "    code", "> q", "> - r", ">   - s", "{: .x}", "{: #y}", "```",
          "$$", "x = 1", "", "text 'q' -- \"w\"", "* TOC", "{:toc}", "{::comment}", "{:/comment}",
          "{::nomarkdown}", "{:/nomarkdown}", "## H", "| a | b |", "|---|---|", "Term", ": def", "<<g>>"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=14))
def test_any_mix_of_kramdown_syntax_renders_without_leaking_tokens(lines):
    html = render_markdown("\n".join(lines)).html
    assert "stridetok" not in html
