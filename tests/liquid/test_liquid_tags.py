"""Jekyll's Liquid tags: include, widget, raw, cite/bibliography, and the errors they raise,
each at the real line of the tag in the source file. Includes are real files rendered as Liquid."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

from generator.bibliography import load_bib
from generator.errors import ContentErrors
from generator.markdown import TagHandlers, render_document

PAPERS = r"""
@article{dumoulin2016guide,
  title   = {A guide to convolution arithmetic for deep learning},
  author  = {Dumoulin, Vincent and Visin, Francesco},
  journal = {arXiv preprint arXiv:1603.07285},
  year    = {2016},
  eprint  = {1603.07285},
  archivePrefix = {arXiv}
}

@inproceedings{zeiler2010deconv,
  title     = {{Deconvolutional} networks for {CNN}s: the {ConvTranspose} view},
  author    = {Zeiler, Matthew D. and Krishnan, Dilip and Taylor, Graham W. and Fergus, Rob},
  booktitle = {Proc. {CVPR}},
  year      = {2010},
  doi       = {10.1109/CVPR.2010.5539957}
}

@misc{odena2016checkerboard,
  title        = {Deconvolution and checkerboard artifacts},
  author       = {Odena, Augustus and Dumoulin, Vincent and Olah, Chris},
  howpublished = {Distill},
  year         = {2016},
  url          = {https://distill.pub/2016/deconv-checkerboard/}
}
"""

OTHER = r"""
@book{goodfellow2016deep,
  title     = {Deep Learning},
  author    = {Goodfellow, Ian and Bengio, Yoshua and Courville, Aaron},
  publisher = {MIT Press},
  year      = {2016}
}
"""


class Recorder:
    def __init__(self) -> None:
        self.widgets: list[tuple[str, int]] = []
        self.warnings = []

    def widget(self, widget_id, line):
        self.widgets.append((widget_id, line))
        return f'<div class="widget" id="{widget_id}"></div>'


ASIDE = '<aside data-path="{name}">{{{{ include.text }}}}</aside>'


@pytest.fixture
def bib_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "bib"
    folder.mkdir(parents=True)
    (folder / "papers.bib").write_text(PAPERS)
    includes = tmp_path / "templates" / "includes"
    (includes / "figures").mkdir(parents=True)
    for name in ("note.html", "a.html", "b.html", "c.html", "x.html"):
        (includes / name).write_text(ASIDE.format(name=name))
    return folder


def include_file(bib_dir: Path, name: str, text: str) -> None:
    (bib_dir.parent.parent / "templates" / "includes" / name).write_text(text)


def render(body: str, bib_dir: Path, *, first_line: int = 1, default: str | None = None, rec=None, **extra):
    rec = rec or Recorder()
    tags = TagHandlers(widget=rec.widget, bib_dir=bib_dir, default_bib=default, warn=rec.warnings.append,
                       includes=bib_dir.parent.parent / "templates" / "includes", **extra)
    return render_document(textwrap.dedent(body), path="content/posts/p.md", first_line=first_line, tags=tags), rec


class _Error:
    def __init__(self, errors: ContentErrors) -> None:
        self.errors = errors.diagnostics
        self.diagnostic = errors.diagnostics[0]


def error_of(body: str, bib_dir: Path, **kwargs) -> _Error:
    with pytest.raises(ContentErrors) as info:
        render(body, bib_dir, **kwargs)
    return _Error(info.value)


# --- include, widget, raw -------------------------------------------------------------------

def test_include_paths_params_and_lines(bib_dir):
    body = """\
    Intro.

    {% include note.html text="An included *note*." %}

    Inline {% include 'figures/fig.html' path=assets/img/a.png zoomable=true caption='a b' %} here.
    """
    include_file(bib_dir, "figures/fig.html", '<aside data-path="figures/fig.html">{{ include.text }}</aside>'
                 '{% if include.zoomable == true %}<img src="{{ include.path }}" alt="{{ include.caption }}">{% endif %}')
    result, rec = render(body, bib_dir, first_line=12)
    assert '<img src="assets/img/a.png" alt="a b">' in result.html  # zoomable=true is the boolean true
    # A tag alone on its line is block HTML, not wrapped in <p>, and Markdown does not touch it.
    assert '\n<aside data-path="note.html">An included *note*.</aside>\n' in result.html
    assert "<p><aside" not in result.html
    assert '<p>Inline <aside data-path="figures/fig.html"></aside><img' in result.html


def test_widget_quoted_or_not(bib_dir):
    result, rec = render('{% widget "explorer" %}\n\n{% widget other %}\n', bib_dir, first_line=7)
    assert rec.widgets == [("explorer", 7), ("other", 9)]
    assert result.html.count('<div class="widget"') == 2 and "<p>" not in result.html


def test_raw_keeps_tags_as_text(bib_dir):
    result, rec = render("{% raw %}Use {% include x.html %} and {{ page.title }}.{% endraw %} {{ site.title }}",
                         bib_dir, variables={"site": {"title": "Mine"}})
    assert "Use {% include x.html %} and {{ page.title }}. Mine" in result.html


def test_comment_and_highlight_blocks(bib_dir):
    body = "{% comment %}hidden {% include x.html %}{% endcomment %}Shown.\n\n" \
           "{% highlight python %}\ndef f():\n    return 1\n{% endhighlight %}\n"
    result, rec = render(body, bib_dir)
    assert "hidden" not in result.html and "aside" not in result.html
    assert '<span class="k">def</span>' in result.html


def test_unknown_tag_error_names_tag_and_line(bib_dir):
    err = error_of("One.\n\nTwo {% youtube abc %}\n", bib_dir, first_line=20)
    assert err.diagnostic.line == 22
    assert "{% youtube %}" in err.diagnostic.message
    assert "include" in err.diagnostic.hint and "cite" in err.diagnostic.hint


def test_unclosed_raw_is_an_error(bib_dir):
    err = error_of("a\n{% raw %}never closed\n", bib_dir, first_line=5)
    assert err.diagnostic.line == 6 and "endraw" in err.diagnostic.hint


# --- citations ------------------------------------------------------------------------------

def test_cite_numbers_in_citation_order_with_anchors(bib_dir):
    body = """\
    First {% cite zeiler2010deconv %}, then {% cite dumoulin2016guide zeiler2010deconv %}.

    {% bibliography --cited %}
    """
    result, rec = render(body, bib_dir)
    assert result.citations == ("zeiler2010deconv", "dumoulin2016guide")
    assert '[<a href="#ref-zeiler2010deconv">1</a>]' in result.html
    assert '[<a href="#ref-dumoulin2016guide">2</a>, <a href="#ref-zeiler2010deconv">1</a>]' in result.html
    items = re.findall(r'<li id="ref-([\w]+)" value="(\d)">', result.html)
    assert items == [("zeiler2010deconv", "1"), ("dumoulin2016guide", "2")]  # cited only, in order
    assert "odena2016checkerboard" not in result.html
    assert "<p><ol" not in result.html and rec.warnings == []


def test_bibliography_formats_fields_and_keeps_capitalisation(bib_dir):
    body = "{% cite zeiler2010deconv dumoulin2016guide odena2016checkerboard %}\n\n{% bibliography --cited %}\n"
    html = render(body, bib_dir)[0].html
    zeiler = re.search(r'<li id="ref-zeiler2010deconv".*?</li>', html).group(0)
    assert "Deconvolutional networks for CNNs: the ConvTranspose view" in zeiler  # braces gone, case kept
    assert "Matthew D. Zeiler, Dilip Krishnan, Graham W. Taylor, and Rob Fergus" in zeiler
    assert "Proc. CVPR" in zeiler and "2010" in zeiler
    assert 'href="https://doi.org/10.1109/CVPR.2010.5539957"' in zeiler
    guide = re.search(r'<li id="ref-dumoulin2016guide".*?</li>', html).group(0)
    assert "A guide to convolution arithmetic for deep learning" in guide
    assert 'href="https://arxiv.org/abs/1603.07285"' in guide
    odena = re.search(r'<li id="ref-odena2016checkerboard".*?</li>', html).group(0)
    assert '<a href="https://distill.pub/2016/deconv-checkerboard/">Deconvolution and checkerboard artifacts</a>' in odena
    assert "Distill" in odena


def test_bibliography_before_citations_still_lists_them(bib_dir):
    html = render("{% bibliography --cited %}\n\nLater {% cite odena2016checkerboard %}.\n", bib_dir)[0].html
    assert html.index('id="ref-odena2016checkerboard"') < html.index('href="#ref-odena2016checkerboard"')


def test_bibliography_without_cited_lists_the_rest_after(bib_dir):
    html = render("{% cite odena2016checkerboard %}\n\n{% bibliography %}\n", bib_dir)[0].html
    ids = re.findall(r'<li id="ref-(\w+)" value="(\d)"', html)
    assert ids == [("odena2016checkerboard", "1"), ("dumoulin2016guide", "2"), ("zeiler2010deconv", "3")]


def test_unknown_key_error_at_tag_line_with_close_matches(bib_dir):
    body = "Intro.\n\nMore text.\nSee {% cite dumolin2016guide %}.\n"
    err = error_of(body, bib_dir, first_line=9)
    assert err.diagnostic.path == "content/posts/p.md"
    assert err.diagnostic.line == 12
    assert "unknown citation key 'dumolin2016guide'" in err.diagnostic.message
    assert "dumoulin2016guide" in err.diagnostic.hint and "papers.bib" in err.diagnostic.hint


def test_file_option_and_default(bib_dir):
    (bib_dir / "other.bib").write_text(OTHER)
    result, _ = render("{% cite goodfellow2016deep --file other %}\n\n{% bibliography --cited --file other %}\n",
                       bib_dir)
    assert 'id="ref-goodfellow2016deep"' in result.html and "MIT Press" in result.html
    # Two files and neither --file nor a default: the tag's line and a way out.
    err = error_of("x\n{% cite goodfellow2016deep %}\n", bib_dir, first_line=3)
    assert err.diagnostic.line == 4 and "bibliography" in err.diagnostic.hint and "--file" in err.diagnostic.hint
    result, _ = render("{% cite goodfellow2016deep %}\n\n{% bibliography --cited %}", bib_dir, default="other")
    assert 'id="ref-goodfellow2016deep"' in result.html


def test_missing_bib_file(bib_dir):
    err = error_of("a\n\nb {% cite x --file nowhere %}\n", bib_dir, first_line=4)
    assert err.diagnostic.line == 6
    assert "nowhere.bib not found" in err.diagnostic.message and "papers" in err.diagnostic.hint


def test_malformed_bib_reports_bib_path_and_line(bib_dir):
    (bib_dir / "papers.bib").write_text(PAPERS + "\n@article{broken,\n  title = {Unclosed,\n  year = 2020\n")
    err = error_of("{% cite dumoulin2016guide %}", bib_dir)
    assert err.diagnostic.path.endswith("content/bib/papers.bib")
    assert err.diagnostic.line >= PAPERS.count("\n") + 2
    assert "malformed BibTeX" in err.diagnostic.message


def test_repeated_key_is_an_error_at_its_line(bib_dir):
    (bib_dir / "papers.bib").write_text(PAPERS + "\n@misc{odena2016checkerboard,\n  title = {Again}\n}\n")
    err = error_of("{% cite dumoulin2016guide %}", bib_dir)
    assert err.diagnostic.path.endswith("papers.bib")
    assert err.diagnostic.line == PAPERS.count("\n") + 2 and "odena2016checkerboard" in err.diagnostic.message


def test_ignored_options_warn_at_their_line(bib_dir):
    body = "Text {% cite dumoulin2016guide -T my_template %}\n\n{% bibliography --cited --query @*[year=2016] %}\n"
    result, rec = render(body, bib_dir, first_line=30)
    assert '[<a href="#ref-dumoulin2016guide">1</a>]' in result.html
    assert [(w.line, w.severity) for w in rec.warnings] == [(30, "warning"), (32, "warning")]
    assert "-T my_template" in rec.warnings[0].message and "--query" in rec.warnings[1].message


def test_citation_without_bibliography_warns(bib_dir):
    _, rec = render("\n\nSee {% cite dumoulin2016guide %}.", bib_dir, first_line=5)
    assert [(w.line, w.severity) for w in rec.warnings] == [(7, "warning")]


def test_bib_file_is_reparsed_when_it_changes(bib_dir):
    path = bib_dir / "papers.bib"
    first = load_bib(path)
    assert load_bib(path) is first  # cached
    path.write_text(OTHER)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert list(load_bib(path).entries) == ["goodfellow2016deep"]


def test_tags_inside_code_show_their_output_as_text(bib_dir):
    """Jekyll runs Liquid before kramdown, so in code the include's HTML is visible source."""
    body = "```html\n{% include a.html %}\n```\n\nInline `{% include b.html %}` and live {% include c.html %}.\n"
    html = render(body, bib_dir)[0].html
    assert "&lt;aside data-path=&quot;a.html&quot;&gt;" in html or '&lt;aside data-path="a.html"&gt;' in html
    assert '<code>&lt;aside data-path="b.html"&gt;&lt;/aside&gt;</code>' in html
    assert 'live <aside data-path="c.html"></aside>.' in html


def test_whitespace_control_markers(bib_dir):
    result, rec = render("{%- include a.html -%}\n", bib_dir)
    assert result.html.startswith('<aside data-path="a.html">')


def test_link_expressions_use_the_core_url_helper(bib_dir):
    body = ("![a]({{ site.baseurl }}/assets/img/a.png) [b]({{ 'blog/' | relative_url }}) "
            "{{ page.title }} {% raw %}{{ site.baseurl }}{% endraw %}")
    html = render(body, bib_dir, url=lambda path: "/my-repo/" + path.lstrip("/"),
                  variables={"site": {"baseurl": "/my-repo"}, "page": {"title": "Shapes"}})[0].html
    assert 'src="/my-repo/assets/img/a.png"' in html and 'href="/my-repo/blog/"' in html
    assert "Shapes" in html and "{{ page.title }}" not in html  # every expression is Liquid now
    assert html.count("{{ site.baseurl }}") == 1  # raw keeps it


def test_toc_entries_hold_no_nested_links(bib_dir):
    result, _ = render("## Background {% cite dumoulin2016guide %}\n\n{% bibliography --cited %}\n", bib_dir)
    assert '<h2 id="background">' in result.html and 'href="#ref-dumoulin2016guide"' in result.html
    entry = re.search(r"<li>(.*?)</li>", result.toc_html, re.S).group(1)
    assert entry.count("<a ") == 1 and "[1]" in entry


def test_include_inside_a_link_target_is_text(bib_dir):
    include_file(bib_dir, "url.html", "https://example.org/?a=1&b=2")
    html = render("[site]({% include url.html %})", bib_dir)[0].html
    assert html == '<p><a href="https://example.org/?a=1&amp;b=2">site</a></p>'


def test_and_others_and_non_utf8_bib(bib_dir):
    (bib_dir / "many.bib").write_text("@misc{big, title={Big}, author={Smith, Ann and Lee, Bo and others}, year=2020}\n")
    html = render("{% cite big --file many %}\n\n{% bibliography --cited --file many %}", bib_dir)[0].html
    assert "Ann Smith, Bo Lee et al." in html
    (bib_dir / "latin1.bib").write_bytes("@misc{x,\n  title={Caf\u00e9}\n}\n".encode("latin-1"))
    err = error_of("{% cite x --file latin1 %}", bib_dir)
    assert err.diagnostic.path.endswith("latin1.bib") and err.diagnostic.line == 2
    assert "UTF-8" in err.diagnostic.message


def test_block_include_on_its_own_line_ends_the_paragraph(bib_dir):
    include_file(bib_dir, "fig.html", '<figure><img src="a.png"></figure>')
    include_file(bib_dir, "icon.html", '<i class="icon"></i>')
    html = render("Text\n{% include fig.html %}\nMore\n{% include icon.html %}\nEnd", bib_dir)[0].html
    assert html == ('<p>Text</p>\n<figure><img src="a.png"></figure>\n'
                    '<p>More\n<i class="icon"></i>\nEnd</p>')
