"""Listing pages (index, tag and category pages, archive, feed, sitemap) are keyed on the fields
of each listed post that their templates can read (``Renderer.names_read``, ``document_view``):
a body-only edit re-renders the post and its neighbours but no listing, and every edit that
changes something a listing shows (title, date, tags, description, excerpt, reading time, a
post added or removed, a template that starts showing more) still reaches it. After every step
the dev-server build (one Cache held in memory, one Session told what changed as the watcher
would tell it) must equal a build from nothing, byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, Session, build_site
from generator.cache import Cache
from generator.templates import make_renderer
from tests.conftest import build_project
from tests.mini_project import changed_paths, file_states, tree_digest, write

SITE = "title: Lists\nauthor: Tester\nurl: https://example.org\npaginate: 2\nfeed_entries: 2\n"
FIRST = "The opening paragraph of {name}, shown as its excerpt."


def _post(name: str, day: str, tags: str = "[notes]", title: str | None = None, description: str = "",
          body: str = "") -> str:
    extra = f"description: {description}\n" if description else ""
    return (f"---\nlayout: post\ntitle: \"{title or name.title()}\"\ndate: {day}\ntags: {tags}\n{extra}---\n"
            f"{FIRST.format(name=name)}\n\nSecond paragraph.\n{body}")


class Serve:
    """A dev-server loop: one Cache and one Session, builds into ``serve/`` told which paths
    changed since the last build; ``rendered`` are the outputs the last build rendered again
    (the page memo entries it stored)."""

    def __init__(self, site: Path, tmp: Path) -> None:
        self.site, self.tmp, self.steps = site, tmp, 0
        self.session = Session()
        self.states: dict | None = None
        self.cache = Cache(tmp / "serve-cache")
        self.options = BuildOptions(source=site, output=tmp / "serve", cache_dir=tmp / "serve-cache")
        self.rendered: set[str] = set()
        store = self.cache.store

        def recording(namespace: str, key: str, value) -> None:
            if namespace == "page":
                self.rendered.add(key)
            store(namespace, key, value)

        self.cache.store = recording

    def check(self, step: str) -> str:
        """Rebuild, compare with a build from nothing; returns the served home page."""
        self.rendered = set()
        states = file_states(self.site)
        changed = None if self.states is None else changed_paths(self.states, states)
        self.states = states
        build_site(self.options, self.cache, session=self.session, changed=changed)
        self.steps += 1
        fresh = self.tmp / f"fresh-{self.steps}"
        build_project(self.site, fresh)
        want, got = tree_digest(fresh), tree_digest(self.tmp / "serve")
        assert sorted(p for p in want.keys() | got.keys() if want.get(p) != got.get(p)) == [], step
        return self.page("index.html")

    def page(self, rel: str) -> str:
        return (self.tmp / "serve" / rel).read_text(encoding="utf-8")


LISTINGS = ("index.html", "page/2/index.html", "tags/notes/index.html", "tags/index.html", "archive/index.html",
            "feed.xml", "sitemap.xml")


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    site = tmp_path / "lists"
    write(site / "content" / "site.yml", SITE)
    posts = site / "content" / "posts"
    files = {
        "alpha": write(posts / "2024-01-01-alpha.md", _post("alpha", "2024-01-01")),
        "beta": write(posts / "2024-02-01-beta.md", _post("beta", "2024-02-01", "[notes, maths]")),
        "gamma": write(posts / "2024-03-01-gamma.md", _post("gamma", "2024-03-01", description="Gamma told.")),
        "delta": write(posts / "2024-04-01-delta.md", _post("delta", "2024-04-01")),
        "omega": write(posts / "2024-05-01-omega.md", _post("omega", "2024-05-01")),
    }
    # Its excerpt (shown on tags/solo/) changes when a post is added, its file does not.
    write(posts / "2023-12-01-counter.md", "---\nlayout: post\ntitle: Counter\ndate: 2023-12-01\ntags: [solo]\n"
                                           "---\nThere are {{ site.posts | size }} posts.\n")
    return site, files


def test_listings_follow_every_field_they_show(lists, tmp_path: Path):
    site, files = lists
    serve = Serve(site, tmp_path)
    serve.check("start")

    # Body only, past the first paragraph and within the same minute of reading: the post and
    # the posts linking to it (neighbours, related posts: post.html reads their bodies' fields
    # by name for the page's own post) are rendered again, no listing is.
    files["beta"].write_text(_post("beta", "2024-02-01", "[notes, maths]", body="A third paragraph.\n"),
                             encoding="utf-8")
    serve.check("body only")
    assert "posts/beta/index.html" in serve.rendered
    assert {rel for rel in serve.rendered if not rel.startswith("posts/")} == set()
    assert "A third paragraph." in serve.page("posts/beta/index.html")

    files["beta"].write_text(_post("beta", "2024-02-01", "[notes, maths]", title="Beta renamed"),
                             encoding="utf-8")
    serve.check("title")
    assert "Beta renamed" in serve.page("tags/maths/index.html")
    assert {"tags/maths/index.html", "tags/notes/index.html", "archive/index.html"} <= serve.rendered

    # The excerpt comes from the body: a post without a description shows its first paragraph.
    files["omega"].write_text(_post("omega", "2024-05-01").replace("The opening", "A new opening"),
                              encoding="utf-8")
    assert "A new opening paragraph of omega" in serve.check("excerpt")

    files["gamma"].write_text(_post("gamma", "2024-03-01", description="Gamma retold."), encoding="utf-8")
    serve.check("description")
    assert "Gamma retold." in serve.page("tags/notes/index.html")

    # Reading time is shown on every listing: 300 more words make it 2 min.
    files["delta"].write_text(_post("delta", "2024-04-01", body="word " * 300 + "\n"), encoding="utf-8")
    assert "2 min read" in serve.check("reading time")

    # A new date moves alpha from the last index page to the first (and changes neighbours).
    files["alpha"].write_text(_post("alpha", "2024-06-01"), encoding="utf-8")
    assert 'href="/posts/alpha/"' in serve.check("date")

    files["delta"].write_text(_post("delta", "2024-04-01", "[notes, vision]"), encoding="utf-8")
    serve.check("tags")
    assert "Delta" in serve.page("tags/vision/index.html")

    added = write(site / "content" / "posts" / "2024-07-01-zeta.md", _post("zeta", "2024-07-01"))
    assert "Zeta" in serve.check("added")
    assert "There are 7 posts." in serve.page("tags/solo/index.html")
    added.unlink()
    assert "Zeta" not in serve.check("removed")
    files["omega"].unlink()
    serve.check("removed another")


def test_a_body_edit_keeps_the_specs_of_pages_not_showing_the_post(lists, tmp_path: Path, monkeypatch):
    """After an edit that moves no post (site.Listing.updated), the pages that cannot show the
    edited post keep their very spec objects, so their keys are not computed again; an edit
    that adds a term page (every later page moves) still finds the unchanged specs by
    identity. Each step equals a build from nothing (Serve.check)."""
    import generator.build as build

    site, files = lists
    serve = Serve(site, tmp_path)
    serve.check("start")
    files["beta"].write_text(_post("beta", "2024-02-01", "[notes, maths]", body="A third paragraph.\n"),
                             encoding="utf-8")
    serve.check("warm")  # the first build told what changed: it leaves the tables to carry

    def carried() -> dict:
        return {spec.output: spec for spec in serve.session.carried["page-keys"][1]["pages"][0]}

    keyed: list[str] = []  # page keys the served builds computed (not the builds from nothing)
    counting, real_key, real_fresh = [True], build.page_fingerprint, build_project

    def fresh(*args, **kwargs):
        counting[0] = False
        try:
            return real_fresh(*args, **kwargs)
        finally:
            counting[0] = True

    monkeypatch.setattr(build, "page_fingerprint", lambda *args: (counting[0] and keyed.append("key")) or real_key(*args))
    monkeypatch.setattr(sys.modules[__name__], "build_project", fresh)
    before = carried()
    files["beta"].write_text(_post("beta", "2024-02-01", "[notes, maths]", body="A fourth paragraph.\n"),
                             encoding="utf-8")
    serve.check("body")
    after = carried()
    assert after.keys() == before.keys()
    same = {output for output in after if after[output] is before[output]}
    assert {"sitemap.xml", "404.html", "robots.txt", "tags/index.html", "tags/solo/index.html"} <= same
    assert "posts/beta/index.html" not in same and "tags/maths/index.html" not in same
    assert len(keyed) == len(after) - len(same)  # a key for each new spec only

    keyed.clear()
    files["gamma"].write_text(_post("gamma", "2024-03-01", "[notes, zoology]", description="Gamma told."),
                              encoding="utf-8")
    serve.check("new term")
    assert "Gamma" in serve.page("tags/zoology/index.html")
    assert 0 < len(keyed) <= len(carried()) - 2  # 404 and robots.txt found again, later in the list


def test_a_listing_template_that_shows_more_is_followed(lists, tmp_path: Path):
    """A site's own post-item.html that shows each post's whole body (and reads a field by a
    subscript and through a filter): the listings must follow the body from then on."""
    site, files = lists
    serve = Serve(site, tmp_path)
    serve.check("start")
    write(site / "templates" / "includes" / "post-item.html",
          '<li><a href="{{ url(post.url) }}">{{ post.title }}</a> {{ post["words"] }} words'
          '<div>{{ post.html }}</div>{{ [post] | map(attribute="doc.slug") | join }}</li>\n')
    serve.check("template")
    assert {"index.html", "page/2/index.html", "tags/notes/index.html"} <= serve.rendered
    files["gamma"].write_text(_post("gamma", "2024-03-01", description="Gamma told.", body="Late words.\n"),
                              encoding="utf-8")
    serve.check("body shown by the listing")
    assert "Late words." in serve.page("page/2/index.html") and "page/2/index.html" in serve.rendered


def test_names_read_covers_what_templates_can_reach(tmp_path: Path):
    """Attribute names through extends/include/import and string constants split at dots; a
    template or item picked by a computed name gives None (keyed on everything)."""
    from generator.config import SiteConfig

    folder = tmp_path / "templates"
    write(folder / "base.html", "{{ page.title }}{% block body %}{% endblock %}")
    write(folder / "list.html", '{% extends "base.html" %}{% block body %}{% include "item.html" %}'
                                '{{ posts | map(attribute="date.year") | join }}{% endblock %}')
    write(folder / "item.html", "{% for post in posts %}{{ post.summary }}{% endfor %}")
    write(folder / "dynamic.html", "{% include post.layout %}")
    write(folder / "picked.html", "{{ post[name] }}")
    write(folder / "shown.html", "{{ post | pprint }}")
    renderer = make_renderer(folder, SiteConfig(path=tmp_path / "site.yml"), {})
    names = renderer.names_read("list.html")
    assert {"title", "summary", "date", "year"} <= names
    assert "html" not in names and "base" not in names  # template names are not field names
    for name in ("dynamic.html", "picked.html", "shown.html", "missing.html"):
        assert renderer.names_read(name) is None, name


def test_names_read_of_templates_sharing_a_base_are_each_their_own(tmp_path: Path):
    """One renderer answers for every page template (each template's source is parsed once):
    a template gets its base's and includes' names and its own, not a sibling's, and an
    unknowable base makes every template that extends it unknowable, asked first or later."""
    from generator.config import SiteConfig

    folder = tmp_path / "templates"
    write(folder / "base.html", '{{ page.title }}{% include "nav.html" %}{% block body %}{% endblock %}')
    write(folder / "nav.html", "{% for item in nav %}{{ item.url }}{% endfor %}")
    write(folder / "a.html", '{% extends "base.html" %}{% block body %}{{ post.date }}{% endblock %}')
    write(folder / "b.html", '{% extends "base.html" %}{% block body %}{{ post.words }}{% endblock %}')
    write(folder / "c.html", '{% extends "loose.html" %}{% block body %}{{ post.date }}{% endblock %}')
    write(folder / "d.html", '{% extends "loose.html" %}{% block body %}{{ post.words }}{% endblock %}')
    write(folder / "loose.html", "{{ post[name] }}{% block body %}{% endblock %}")
    renderer = make_renderer(folder, SiteConfig(path=tmp_path / "site.yml"), {})
    a, b = renderer.names_read("a.html"), renderer.names_read("b.html")
    assert {"title", "url", "date"} <= a and "words" not in a
    assert {"title", "url", "words"} <= b and "date" not in b
    assert renderer.names_read("a.html") == a  # asked again, from what was parsed
    assert renderer.names_read("c.html") is None and renderer.names_read("d.html") is None
    fresh = make_renderer(folder, SiteConfig(path=tmp_path / "site.yml"), {})
    assert fresh.names_read("b.html") == b


def test_prepare_compiles_from_the_trees_names_read_parsed(tmp_path: Path, monkeypatch):
    """Renderer.prepare parses each template source once (names_read's tree is compiled), and
    the templates it compiled render what templates compiled from scratch render; a template
    whose tree the code generator took is parsed afresh when another renderer compiles it."""
    import jinja2.parser

    from generator.config import SiteConfig

    folder = tmp_path / "templates"
    write(folder / "base.html", '{{ page.title }}{% include "includes/nav.html" %}{% block body %}{% endblock %}')
    write(folder / "includes/nav.html", "{% for item in nav %}<a href='{{ item.url }}'>{{ item.title }}</a>{% endfor %}")
    write(folder / "post.html", '{% extends "base.html" %}{% block body %}{{ 2 * 3 }} {{ post.words }}{% endblock %}')
    write(folder / "list.html", '{% extends "base.html" %}{% block body %}{{ posts | map(attribute="date") | join(",") }}'
                                '{% endblock %}')
    parsed: list[int] = []  # the line each parse starts at
    original = jinja2.parser.Parser.parse

    def counting(self):
        parsed.append(self.stream.current.lineno)
        return original(self)

    monkeypatch.setattr(jinja2.parser.Parser, "parse", counting)
    site = SiteConfig(path=tmp_path / "site.yml")
    renderer = make_renderer(folder, site, {})
    renderer.prepare(["base.html", "post.html", "list.html"], ["includes/nav.html"])
    assert len(parsed) == 4  # base, nav, post, list: each once, for names_read and compiling both
    assert not renderer.env.parsed  # nothing left over
    context = {"page": {"title": "T<"}, "nav": [{"url": "/a", "title": "A&"}], "post": {"words": 7},
               "posts": [{"date": "d1"}, {"date": "d2"}]}
    fresh = make_renderer(folder, site, {})
    for name in ("post.html", "list.html"):
        assert renderer.render(name, context) == fresh.render(name, context)
    assert len(parsed) == 4 + 4  # the fresh renderer parsed what it compiled itself
    assert renderer.names_read("post.html") == fresh.names_read("post.html")
