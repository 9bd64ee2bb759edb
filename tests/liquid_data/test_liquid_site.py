"""What a post's Liquid reads of the rest of the site (site.*, post_url, link, data files) is
right after every kind of edit: those inputs are part of the Markdown memo key."""

from __future__ import annotations

import os
from pathlib import Path

from generator.cli import main
from tests.mini_project import write


def _bump(path: Path) -> None:
    """Move the mtime on, so the up-to-date check cannot mistake the edit for no change."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def test_site_variables_and_data_reach_the_post(mini: Path):
    write(mini / "content" / "data" / "team.yml", "- {name: Ann}\n- {name: Bo}\n")
    write(mini / "content" / "posts" / "2030-03-01-v.md", """\
        ---
        title: Vars
        tags: [maths]
        ---
        {{ page.title }} on {{ site.title }}: {% for p in site.data.team %}{{ p.name }} {% endfor %}
        {{ site.posts | size }} posts, {{ site.tags.maths | size }} about maths, newest {{ site.posts[0].title }}.
        [older]({% post_url 2024-01-02-second %}) [about]({% link content/pages/about.md %})
        """)
    assert main(["--source", str(mini), "build", "--base-url", "/r/"]) == 0
    html = (mini / "build" / "posts" / "v" / "index.html").read_text()
    assert "Vars on Mini: Ann Bo" in html
    assert "3 posts, 3 about maths, newest Vars." in html
    assert 'href="/r/posts/second/"' in html and 'href="/r/about/"' in html
    # site.data is an input: editing it rebuilds the post (memo keys and the up-to-date check).
    write(mini / "content" / "data" / "team.yml", "- {name: Cy}\n")
    assert main(["--source", str(mini), "build", "--base-url", "/r/"]) == 0
    assert "Vars on Mini: Cy " in (mini / "build" / "posts" / "v" / "index.html").read_text()


def test_a_post_listing_the_others_follows_their_edits(mini: Path):
    listing = write(mini / "content" / "posts" / "2030-04-01-list.md", """\
        ---
        title: List
        ---
        {% for p in site.posts %}{% if p.title != page.title %}[{{ p.title }}]({{ p.url | relative_url }}) {% endif %}{% endfor %}
        """)
    plain = mini / "content" / "posts" / "2024-01-02-second.md"
    assert main(["--source", str(mini), "build"]) == 0
    page = mini / "build" / "posts" / "list" / "index.html"
    assert ">Second post</a>" in page.read_text() and ">Shapes of things</a>" in page.read_text()
    plain.write_text(plain.read_text().replace("title: Second post", "title: Renamed"))
    _bump(plain)
    assert main(["--source", str(mini), "build"]) == 0  # same process, memo from .stride-cache/
    assert ">Renamed</a>" in page.read_text() and "Second post" not in page.read_text()
    plain.unlink()
    assert main(["--source", str(mini), "build"]) == 0
    assert "Renamed" not in page.read_text() and ">Shapes of things</a>" in page.read_text()


def _resolved_names(source: str, root: Path, kind: str = "post"):
    """link_names as it was written before its shortcut: every path resolved first."""
    from types import SimpleNamespace

    from generator import liquid_data

    original = liquid_data._plain_relative
    liquid_data._plain_relative = lambda source, root: None
    try:
        return liquid_data.link_names(SimpleNamespace(source=source, kind=kind), root)
    finally:
        liquid_data._plain_relative = original


def test_link_names_see_through_links_and_dots_as_resolving_does(tmp_path: Path, monkeypatch):
    from types import SimpleNamespace

    from generator.liquid_data import link_names

    content = tmp_path / "content"
    write(content / "posts" / "2030-01-01-a.md", "x")
    write(content / "drafts" / "2030-01-02-b.md", "x")
    (content / "posts" / "2030-01-03-linked.md").symlink_to(content / "drafts" / "2030-01-02-b.md")
    (content / "shelf").symlink_to(content / "drafts")
    (content / "drafts" / "deep").mkdir()
    (content / "deep").symlink_to(content / "drafts" / "deep")
    monkeypatch.chdir(tmp_path)
    root = content.resolve()
    sources = ["content/posts/2030-01-01-a.md", str(content / "posts" / "2030-01-01-a.md"),
               "content/posts/2030-01-03-linked.md", "content/shelf/2030-01-02-b.md",
               "content/shelf/../posts/2030-01-01-a.md", "./content/./posts/2030-01-01-a.md",
               "content/deep/../2030-01-02-b.md"]  # the link first, then "..": drafts/, not content/
    for source in sources:
        found = link_names(SimpleNamespace(source=source, kind="post"), root)
        assert found == _resolved_names(source, root), source
    # Through a link, the names are the target's, as resolving gives them.
    linked = link_names(SimpleNamespace(source="content/posts/2030-01-03-linked.md", kind="post"), root)
    assert linked[0] == ("2030-01-02-b", "2030-01-02-b") and "_drafts/2030-01-02-b.md" in linked[1]
