"""What a dev-server rebuild reuses for unchanged documents (their Liquid ``page`` variables,
their post_url/link names, their Markdown by the document's digest, their page fingerprints by
the Markdown key) against a build from nothing, after edits that each of those must notice."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.build import BuildOptions, build_site
from generator.cache import Cache
from tests.conftest import build_project
from tests.mini_project import tree_digest, write

# Reads every other post's front matter (site.posts), a post_url and a link: a rebuild that kept
# an old page variable or link name would show the old title or URL here.
READER = """\
---
layout: post
title: "Reader"
date: 2024-05-01
tags: [notes]
---
Titles: {% for post in site.posts %}{{ post.title }} ({{ post.mood }}); {% endfor %}

Target: [t]({% post_url 2024-04-01-target %}) and [l]({% link _posts/2024-04-01-target.md %}).
"""


def _target(title: str, mood: str, body: str = "Body.") -> str:
    return f"---\nlayout: post\ntitle: \"{title}\"\ndate: 2024-04-01\ntags: [notes]\nmood: {mood}\n---\n{body}\n"


def _rebuilds_against_fresh(mini: Path, tmp_path: Path, page: str) -> Callable[[str], str]:
    """``check(step)``: rebuild into ``serve/`` with one memo shared by every call (as the dev
    server does), assert it equals a build from nothing byte for byte, return ``page``."""
    cache = Cache(tmp_path / "serve-cache")
    options = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")

    def check(step: str) -> str:
        build_site(options, cache)
        build_project(mini, tmp_path / f"fresh-{step}")
        fresh, got = tree_digest(tmp_path / f"fresh-{step}"), tree_digest(tmp_path / "serve")
        assert sorted(p for p in fresh.keys() | got.keys() if fresh.get(p) != got.get(p)) == [], step
        return (tmp_path / "serve" / page).read_text(encoding="utf-8")

    return check


def test_serve_rebuilds_match_a_build_from_nothing(mini: Path, tmp_path: Path):
    posts = mini / "content" / "posts"
    write(posts / "2024-05-01-reader.md", READER)
    target = write(posts / "2024-04-01-target.md", _target("First title", "calm"))
    check = _rebuilds_against_fresh(mini, tmp_path, "posts/reader/index.html")

    first = check("start")
    assert "First title (calm)" in first and 'href="/posts/target/"' in first
    target.write_text(_target("Second title", "calm"), encoding="utf-8")
    assert "Second title (calm)" in check("retitled")
    target.write_text(_target("Second title", "stormy"), encoding="utf-8")
    assert "Second title (stormy)" in check("extra key")
    # The same file name with another slug: the post_url and link tables must follow.
    target.write_text(_target("Second title", "stormy").replace("mood:", "slug: moved\nmood:"), encoding="utf-8")
    assert 'href="/posts/moved/"' in check("new slug")
    # A body edit changes the post's HTML (and its word count) but not its front matter: the
    # post, and the listings showing its reading time, must be rendered again.
    target.write_text(_target("Second title", "stormy", "Body. " + "word " * 400).replace(
        "mood:", "slug: moved\nmood:"), encoding="utf-8")
    check("longer body")
    assert "word word" in (tmp_path / "serve" / "posts" / "moved" / "index.html").read_text(encoding="utf-8")


def test_unchanged_documents_keep_their_liquid_variables(mini: Path, tmp_path: Path):
    """The memo for each document object really is reused (else the test above proves little),
    and an edited document gets new variables."""
    import generator.build as build

    seen: list[dict] = []
    real = build.page_variables

    def counting(doc):
        seen.append(doc.source)
        return real(doc)

    cache = Cache(None)
    options = BuildOptions(source=mini, output=tmp_path / "out", cache_dir=None)
    build.page_variables, saved = counting, build.page_variables
    try:
        build_site(options, cache)
        first = len(seen)
        assert first >= 3
        seen.clear()
        build_site(options, cache)
        assert seen == []  # nothing changed: every document's variables reused
        post = mini / "content" / "posts" / "2024-01-02-second.md"
        post.write_text(post.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        build_site(options, cache)
        # Its site.posts entry, and its own page while its Markdown is rendered again.
        assert {Path(s).name for s in seen} == {"2024-01-02-second.md"}
    finally:
        build.page_variables = saved


def test_an_include_that_starts_reading_the_site_is_noticed_by_a_rebuild(mini: Path, tmp_path: Path):
    """Whether a post's Liquid can reach ``site.*`` is remembered per document object, with the
    includes' text in its key: an include that starts listing the posts must make the unchanged
    post that includes it see a post added later."""
    includes = mini / "templates" / "includes"
    # The theme's only include naming the site (giscus.html) is replaced, so that at first no
    # include text can reach site.* and the post's memo key rightly leaves the site out.
    write(includes / "giscus.html", "<!-- no comments here -->\n")
    write(includes / "roll.html", "<p>A fixed note.</p>\n")
    write(mini / "content/posts/2024-05-02-roll.md",
          "---\ntitle: Roll\ndate: 2024-05-02\n---\nBefore {% include roll.html %} after.\n")
    check = _rebuilds_against_fresh(mini, tmp_path, "posts/roll/index.html")

    assert "A fixed note." in check("fixed include")
    write(includes / "roll.html", "<p>{% for post in site.posts %}{{ post.title }}; {% endfor %}</p>\n")
    assert "Roll;" in check("include reads the site")
    write(mini / "content/posts/2024-05-03-late.md", "---\ntitle: Latecomer\ndate: 2024-05-03\n---\nHi.\n")
    assert "Latecomer;" in check("a post added")
