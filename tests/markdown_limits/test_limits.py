"""The per-document bounds on constructs Python-Markdown handles in more than linear time
(generator/markdown_limits.py): real text far past ordinary use still renders, code never
counts, and what goes over names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ContentError
from generator.markdown import TagHandlers, render_document
from generator.markdown_limits import (MAX_BRACKET_DEPTH, MAX_DOLLARS_PER_PARAGRAPH, MAX_FOOTNOTE_MARKS,
                                       MAX_UNCLOSED_BRACKETS, MAX_INLINE_WORK)


def render(body: str):
    handlers = TagHandlers(widget=lambda i, line: "", bib_dir=Path("."), default_bib=None, warn=lambda d: None)
    return render_document(body, path="p.md", first_line=10, tags=handlers)


def refusal(body: str) -> ContentError:
    with pytest.raises(ContentError) as caught:
        render(body)
    return caught.value


def test_many_links_and_balanced_brackets_render():
    body = "\n\n".join(f"[link {n}](https://example.org/{n}) and [x][y] [[a]]" for n in range(800))
    html = render(body).html
    assert html.count("<a href=") == 800


def test_nesting_past_the_limit_names_its_line():
    deep = "[" * (MAX_BRACKET_DEPTH + 1) + "]" * (MAX_BRACKET_DEPTH + 1)
    err = refusal("Intro.\n\n" + "[a] " * 1000 + "\n\n" + deep + "\n")
    assert err.diagnostic.line == 14 and "brackets open at once" in err.diagnostic.message


def test_nesting_at_the_limit_renders():
    deep = "[" * MAX_BRACKET_DEPTH + "x" + "]" * MAX_BRACKET_DEPTH
    assert "x" in render((deep + " ") * 20 + "\n").html


def test_unclosed_brackets_count_over_the_document():
    paragraph = "[a " * 10
    body = "\n\n".join([paragraph] * (MAX_UNCLOSED_BRACKETS // 10 + 1))
    err = refusal(body)
    assert "never closed" in err.diagnostic.message
    assert err.diagnostic.line == 10 + 2 * (MAX_UNCLOSED_BRACKETS // 10)  # the paragraph that goes over
    assert render("\n\n".join([paragraph] * (MAX_UNCLOSED_BRACKETS // 10))).html.count("[a") == MAX_UNCLOSED_BRACKETS


def test_brackets_in_code_or_escaped_do_not_count():
    code = "```python\n" + "x = [" * 3000 + "\n```\n"
    escaped = "\\[" * 3000
    html = render(code + "\n" + escaped + "\n" + "`" + "[" * 2000 + "`\n").html
    assert "language-python" in html and "<code>" + "[" * 2000 + "</code>" in html


def test_footnotes_past_the_limit():
    count = MAX_FOOTNOTE_MARKS // 2 + 1
    body = " ".join(f"a[^{n}]" for n in range(count)) + "\n\n" + "".join(f"[^{n}]: n\n" for n in range(count))
    err = refusal(body)
    assert "footnote references and notes" in err.diagnostic.message


def test_footnotes_at_a_real_posts_scale_render():
    body = " ".join(f"a[^{n}]" for n in range(300)) + "\n\n" + "".join(f"[^{n}]: note {n}\n" for n in range(300))
    assert render(body).html.count('<a class="footnote" href="#fn:') == 300


def test_inline_math_per_paragraph():
    spans = MAX_DOLLARS_PER_PARAGRAPH // 2
    over = refusal("Intro.\n\n" + " ".join(["$x$"] * (spans + 1)) + "\n")
    assert over.diagnostic.line == 12 and "inline maths spans in one paragraph" in over.diagnostic.message
    many = "\n\n".join(" ".join(["$x$"] * 100) for _ in range(spans // 100 + 5))
    assert render(many).has_math  # as many spans spread over paragraphs are fine


def test_dollars_in_code_do_not_count():
    code = "```\n" + "$ " * (MAX_DOLLARS_PER_PARAGRAPH + 1) + "\n```\n"
    assert "$ $" in render(code).html


def test_inline_markup_work_is_bounded_over_the_document():
    paragraph = " ".join(["*a*"] * 5000)  # 10,000 markers in 20 kB
    per_paragraph = 10_000 * len(paragraph)
    fits = MAX_INLINE_WORK // per_paragraph
    err = refusal("\n\n".join([paragraph] * (fits + 1)))
    assert err.diagnostic.line == 10 + 2 * fits and "inline markup" in err.diagnostic.message
    assert render("\n\n".join([paragraph] * fits)).html.count("<em>a</em>") == 5000 * fits
