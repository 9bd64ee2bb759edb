"""Probes: output that used to come out silently wrong.

Tags in any script get their own readable page; two terms meeting on one URL are an error;
excerpts are escaped once; control characters are refused at their line; an --output inside
the project's inputs is a usage error."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tests.mini_project import write
from tests.probekit import built_project, copy_project, stride, tree_digest

TAGS = ["עברית", "中文", "Ελληνικά", "Русский", "🚀", "C++", "C#", "Deep Learning", "Café"]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return built_project(tmp_path_factory.mktemp("correct-good"))


def post(project: Path, name: str, front: str, body: str = "Text.\n") -> Path:
    return write(project / "content" / "posts" / f"{name}.md", f"---\n{front}\n---\n{body}")


def test_tags_in_any_script_get_distinct_readable_pages(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    for number, tag in enumerate(TAGS):
        post(project, f"2030-01-{number + 1:02d}-p{number}", f'title: Post {number}\ntags: ["{tag}"]')
    post(project, "2030-02-01-both", 'title: Both\ntags: ["עברית", "中文", "ML", "ml"]')
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    tags = project / "build" / "tags"
    pages = {p.parent.name for p in tags.glob("*/index.html")}
    expected = {"עברית", "中文", "ελληνικά", "русский", "🚀", "cpp", "csharp", "deep-learning", "cafe", "ml",
                "maths", "convolution"}
    assert pages == expected
    hebrew = (tags / "עברית" / "index.html").read_text()
    assert hebrew.count('href="/posts/both/"') == 1  # listed once, not once per tag
    assert hebrew.count('href="/posts/p0/"') == 1
    assert (tags / "ml" / "index.html").read_text().count('href="/posts/both/"') == 1
    # Links are percent-encoded UTF-8, the way browsers send them and Pages serves them.
    both = (project / "build" / "posts" / "both" / "index.html").read_text()
    for slug in ("עברית", "中文"):
        assert f'href="/tags/{quote(slug)}/"' in both
    index = (tags / "index.html").read_text()
    linked = {unquote(m) for m in re.findall(r'href="/tags/([^"]+)/"', index)}
    assert linked == expected


@pytest.mark.parametrize("taxonomy", ["tags", "categories"])
def test_two_terms_on_one_url_are_an_error_naming_both(good: Path, tmp_path: Path, taxonomy: str):
    project = copy_project(good, tmp_path / "site")
    before = tree_digest(project / "build")
    post(project, "2030-01-01-a", f'title: A\n{taxonomy}: ["C++"]')
    post(project, "2030-01-02-b", f"title: B\n{taxonomy}: [Cpp]")
    done = stride(project, "build")
    assert done.code == 1 and not done.traceback, done.stderr
    assert "'C++'" in done.stderr and "'Cpp'" in done.stderr and f"/{taxonomy}/cpp/" in done.stderr
    assert re.search(r"content/posts/2030-01-0[12]-[ab]\.md:3: ", done.stderr), done.stderr
    assert tree_digest(project / "build") == before


def test_an_automatic_excerpt_is_escaped_once(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    post(project, "2030-01-01-att", "title: Phones", "AT&T and <b>bold</b> 1 < 2 \"quoted\".\n")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    build = project / "build"
    for page in (build / "index.html", build / "posts" / "att" / "index.html"):
        text = page.read_text()
        assert "AT&amp;T and bold 1 &lt; 2" in text, page
        assert "&amp;amp;" not in text and "&amp;lt;" not in text, page
    # The feed's <content> is escaped HTML (so &amp;amp; is right there); <summary> is text.
    summary = re.search(r"<summary>(.*?)</summary>", (build / "feed.xml").read_text()).group(1)
    # Straight quotes were curled by the Markdown layer (kramdown's smart quotes), so none is left to escape.
    assert summary == "AT&amp;T and bold 1 &lt; 2 \u201cquoted\u201d."


CONTROL = {
    "NUL in front matter": ("---\ntitle: A\x00B\n---\nBody.\n", 2),
    "NUL in body": ("---\ntitle: Fine\n---\nOne.\n\nTwo \x00 three.\n", 6),
    "escape in body": ("---\ntitle: Fine\n---\nColour \x1b[31mred\n", 4),
    "form feed in front matter": ("---\ntitle: Fine\ndescription: a\x0cb\n---\nx\n", 3),
    "YAML escape for NUL": ('---\ntitle: Fine\ntags: [ok, "bad\\0tag"]\n---\nx\n', 3),
    "YAML escape for ESC": ('---\ntitle: "Colour \\e[31m"\n---\nx\n', 2),
}


@pytest.mark.parametrize("case", sorted(CONTROL))
def test_control_characters_are_refused_at_their_line(good: Path, tmp_path: Path, case: str):
    project = copy_project(good, tmp_path / "site")
    before = tree_digest(project / "build")
    text, line = CONTROL[case]
    (project / "content" / "posts" / "2030-01-01-ctl.md").write_bytes(text.encode())
    for command in ("build", "check"):
        done = stride(project, command)
        assert done.code == 1 and not done.traceback, done.stderr
        assert f"content/posts/2030-01-01-ctl.md:{line}: control character U+00" in done.stderr, done.stderr
    assert tree_digest(project / "build") == before


@pytest.mark.parametrize("where", ["content/site.yml", "content/bib/refs.bib"])
def test_control_characters_in_settings_and_bibliographies(good: Path, tmp_path: Path, where: str):
    project = copy_project(good, tmp_path / "site")
    path = project / where
    path.write_bytes(path.read_bytes() + b"% trailing \x00 byte\n")
    lines = path.read_bytes().count(b"\n")
    done = stride(project, "build")
    assert done.code == 1 and not done.traceback, done.stderr
    assert f"{where}:{lines}: control character U+0000" in done.stderr, done.stderr


def test_tabs_and_windows_line_ends_are_fine(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    (project / "content" / "posts" / "2030-01-01-tabs.md").write_bytes(
        b"---\r\ntitle: Tabs\r\n---\r\n\tcode with a tab\r\n")
    done = stride(project, "build")
    assert done.code == 0, done.stderr


@pytest.mark.parametrize("output", ["content/static/site", "content", "templates/out", "assets/build", "."])
def test_an_output_inside_the_inputs_is_a_usage_error(good: Path, tmp_path: Path, output: str):
    project = copy_project(good, tmp_path / "site")
    before = tree_digest(project)
    for command in ("build", "check"):
        done = stride(project, command, "--output", output)
        assert done.code == 2 and not done.traceback, done.stderr
        assert f"--output {output}" in done.stderr and "inside the project's own files" in done.stderr
    assert tree_digest(project) == before
