from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from generator.config import load_config, normalize_base_url
from generator.content import load_documents, parse_date, read_document
from generator.errors import ContentError, ContentErrors
from tests.mini_project import write


@pytest.mark.parametrize("raw, expected", [
    ("", "/"), ("/", "/"), ("my-repo", "/my-repo/"), ("/my-repo", "/my-repo/"),
    ("/a/b/", "/a/b/"), ("//x//", "/x/"),
])
def test_base_url_is_normalised(raw, expected):
    assert normalize_base_url(raw) == expected


def test_jekyll_date_keeps_its_offset():
    value = parse_date("2023-07-01 15:53:00-0400", "p.md", 3)
    assert value == datetime(2023, 7, 1, 15, 53, tzinfo=timezone(timedelta(hours=-4)))
    assert value.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize("bad", ["2023-02-30", "July 4th", "2023-07-01 25:00", "2023-07-01 10:00 +9900"])
def test_bad_dates_name_the_line(bad):
    with pytest.raises(ContentError) as info:
        parse_date(bad, "p.md", 7)
    assert str(info.value).startswith("p.md:7: ")


def test_al_folio_front_matter_is_understood(mini: Path):
    site = load_config(mini)
    doc = read_document(mini / "content/posts/2023-07-01-shapes.md", "post", site)
    assert doc.slug == "shapes" and doc.url == "posts/shapes/"
    assert doc.categories == ("notes",) and doc.tags == ("maths", "convolution")
    assert doc.date.utcoffset() == timedelta(hours=-4)
    assert doc.body_line == 10  # the line after the closing ---
    assert doc.related_posts is True and doc.layout == "post"


def test_unknown_front_matter_keys_are_kept_in_extra(mini: Path):
    write(mini / "content/posts/2024-05-05-extra.md", "---\ntitle: X\nfeatured: true\nauthors: [a]\n---\nbody\n")
    site = load_config(mini)
    doc = read_document(mini / "content/posts/2024-05-05-extra.md", "post", site)
    assert dict(doc.extra) == {"featured": True, "authors": ["a"]}


def test_unknown_site_setting_names_key_and_line(mini: Path):
    write(mini / "content/site.yml", "title: X\nbase-url: /oops/\n")
    with pytest.raises(ContentError) as info:
        load_config(mini)
    assert "site.yml:2: unknown setting 'base-url'" in str(info.value)


def test_drafts_are_excluded_unless_asked(mini: Path):
    write(mini / "content/drafts/idea.md", "---\ntitle: Idea\n---\nnot yet\n")
    write(mini / "content/posts/2024-03-03-wip.md", "---\ntitle: WIP\ndraft: true\n---\nbody\n")
    site = load_config(mini)
    urls = {d.url for d in load_documents(mini, site)}
    assert "posts/idea/" not in urls and "posts/wip/" not in urls
    urls = {d.url for d in load_documents(mini, site, drafts=True)}
    assert {"posts/idea/", "posts/wip/"} <= urls


def test_all_problems_are_reported_together(mini: Path):
    write(mini / "content/posts/2024-03-03-a.md", "---\ntitle: [unclosed\n---\n")
    write(mini / "content/posts/2024-03-04-b.md", "---\ndate: 2024-03-04\n---\n")
    with pytest.raises(ContentErrors) as info:
        load_documents(mini, load_config(mini))
    text = str(info.value)
    assert "2024-03-03-a.md:" in text and "2024-03-04-b.md:1: missing title" in text


def test_related_posts_match_a_pairwise_ranking(tmp_path: Path):
    """link_posts ranks through an inverted index and shares work between posts with equal
    terms; the result must equal the obvious pairwise ranking (most shared terms, then newest)."""
    import random

    from generator.config import SiteConfig
    from generator.site import RenderedDocument, link_posts, sort_posts

    rng = random.Random(3)
    site = SiteConfig(path="site.yml")
    docs = []
    for number in range(60):
        tags = rng.sample(["a", "b", "c", "d", "e"], rng.randint(0, 3))
        category = rng.choice(["x", "y", ""])
        path = write(tmp_path / f"content/posts/2024-01-{number % 28 + 1:02d}-p{number}.md",
                     f"---\ntitle: P{number}\ntags: {tags}\ncategories: {category!r}\n---\nbody\n")
        docs.append(RenderedDocument(read_document(path, "post", site), "", "", False, 1))
    ordered = sort_posts(docs)
    linked = link_posts(docs, giscus_enabled=False)
    for index, post in enumerate(linked):
        mine = {("t", t) for t in post.doc.tags} | {("c", c) for c in post.doc.categories}
        scored = []
        for rank, other in enumerate(ordered):
            theirs = {("t", t) for t in other.doc.tags} | {("c", c) for c in other.doc.categories}
            if rank != index and mine & theirs:
                scored.append((-len(mine & theirs), rank, other.url))
        assert [r.url for r in post.related] == [url for _, _, url in sorted(scored)[:3]]
