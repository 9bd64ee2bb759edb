"""What a dev-server rebuild reuses for unchanged documents (their Liquid ``page`` variables,
their post_url/link names, their Markdown by the document's digest, their page fingerprints by
the Markdown key) against a build from nothing, after edits that each of those must notice."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.build import BuildOptions, Session, build_site
from generator.cache import Cache
from tests.conftest import build_project
from tests.mini_project import changed_paths, file_states, tree_digest, write

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

    # A post listing every post's title: site.* is made on every build (its digest is in this
    # post's memo key).
    write(mini / "content" / "posts" / "2024-05-01-reader.md", READER.replace(
        "{% post_url 2024-04-01-target %}", "/").replace("{% link _posts/2024-04-01-target.md %}", "/"))
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
        # Its site.posts entry (a body edit leaves the reader's key, made of the front matter).
        assert {Path(s).name for s in seen} == {"2024-01-02-second.md"}
    finally:
        build.page_variables = saved


def test_a_site_whose_liquid_reads_no_site_makes_no_site_variables(mini: Path, tmp_path: Path, monkeypatch):
    """``site.*`` and the post_url/link tables are made on first use (build.SiteContext): a
    dev-server edit of a post whose Liquid reads neither makes neither, and a post that starts
    using them gets them, as a build from nothing does."""
    import generator.build as build

    made: list[str] = []
    real_variables, real_tables = build.site_variables, build.link_tables
    monkeypatch.setattr(build, "site_variables", lambda *args: made.append("site") or real_variables(*args))
    monkeypatch.setattr(build, "link_tables", lambda *args: made.append("links") or real_tables(*args))
    post = mini / "content" / "posts" / "2024-01-02-second.md"
    session, cache = Session(), Cache(tmp_path / "serve-cache")
    options = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")

    def edit(step: str, text: str) -> list[str]:
        """Append ``text`` to the post, rebuild as the server does; what the rebuild made."""
        post.write_text(post.read_text(encoding="utf-8") + text, encoding="utf-8")
        made.clear()
        build_site(options, cache, session=session, changed=[post])
        seen = list(made)
        build_project(mini, tmp_path / f"fresh-{step}")
        fresh, got = tree_digest(tmp_path / f"fresh-{step}"), tree_digest(tmp_path / "serve")
        assert sorted(p for p in fresh.keys() | got.keys() if fresh.get(p) != got.get(p)) == [], step
        return seen

    build_site(options, cache, session=session)
    assert edit("body", "\nMore.\n") == []
    assert "More." in (tmp_path / "serve/posts/second/index.html").read_text(encoding="utf-8")
    assert "site" in edit("reads the site", "\nThere are {{ site.posts | size }} posts.\n")
    assert "There are " in (tmp_path / "serve/posts/second/index.html").read_text(encoding="utf-8")
    assert "links" in edit("post_url", "\nSee [it]({% post_url 2023-07-01-shapes %}).\n")


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


SERVED = """\
---
layout: post
title: "Served"
date: 2024-03-01
tags: [notes]
image: img/served.png
---
Team: {{ site.data.team.lead }}. First paragraph.

Second paragraph.
"""


def test_rebuilds_told_what_changed_match_a_build_from_nothing(mini: Path, tmp_path: Path, monkeypatch):
    """The dev server's builds get the watcher's change set (``build_site(session=, changed=)``):
    a plain edit of a post looks at that file only, anything else lists and reads everything.
    After every step of a sequence of edits the served tree must equal a build from nothing,
    byte for byte; ``check`` returns whether the build listed the content folders (no hint
    taken) and the files it parsed."""
    import generator.build as build

    posts = mini / "content" / "posts"
    write(mini / "content" / "data" / "team.yml", "lead: Ada\n")
    served = write(posts / "2024-03-01-served.md", SERVED)
    second = posts / "2024-01-02-second.md"
    read: list[str] = []
    listed: list[Path] = []
    real_read, real_list = build.read_document, build.list_jobs

    def counting(file, kind, site):
        read.append(Path(file).name)
        return real_read(file, kind, site)

    def listing(source):
        listed.append(source)
        return real_list(source)

    monkeypatch.setattr(build, "read_document", counting)
    monkeypatch.setattr(build, "list_jobs", listing)
    session, cache = Session(), Cache(tmp_path / "serve-cache")
    options = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    states: dict | None = None

    def check(step: str, also: frozenset[Path] = frozenset()) -> tuple[bool, list[str]]:
        """Rebuild as the server does (``also``: paths the watcher saw that came and went
        between two steps), compare with a fresh build."""
        nonlocal states
        now = file_states(mini)
        changed = None if states is None else changed_paths(states, now) | also
        states = now
        read.clear()
        listed.clear()
        build_site(options, cache, session=session, changed=changed)
        parsed = (bool(listed), list(read))
        build_project(mini, tmp_path / f"fresh-{step}")
        fresh, got = tree_digest(tmp_path / f"fresh-{step}"), tree_digest(tmp_path / "serve")
        assert sorted(p for p in fresh.keys() | got.keys() if fresh.get(p) != got.get(p)) == [], step
        return parsed

    def page(rel: str) -> str:
        return (tmp_path / "serve" / rel).read_text(encoding="utf-8")

    assert check("start")[0]
    served.write_text(SERVED.replace("Second paragraph.", "Second paragraph, longer now."), encoding="utf-8")
    assert check("body") == (False, ["2024-03-01-served.md"])
    assert "longer now" in page("posts/served/index.html")
    # A page's body: the listings keep their places, the page (and the nav it is in) follow.
    about = mini / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("About this site.", "About this site, edited."),
                     encoding="utf-8")
    assert check("page body") == (False, ["about.md"])
    assert "About this site, edited." in page("about/index.html")
    second.write_text(second.read_text(encoding="utf-8").replace("Second post", "Second, renamed"),
                      encoding="utf-8")
    assert check("title") == (False, ["2024-01-02-second.md"])
    assert "Second, renamed" in page("index.html") and "Second, renamed" in page("posts/served/index.html")
    served.write_text(SERVED.replace("[notes]", "[notes, fresh]").replace("2024-03-01", "2022-03-01"),
                      encoding="utf-8")
    assert check("tags and date") == (False, ["2024-03-01-served.md"])
    assert "Served" in page("tags/fresh/index.html")
    added = write(posts / "2024-06-01-added.md", "---\ntitle: Added\ndate: 2024-06-01\n---\nNew.\n")
    assert check("new post") == (True, ["2024-06-01-added.md"])
    added.rename(posts / "2024-06-02-moved.md")
    assert check("renamed")[0]
    assert "Added" in page("posts/moved/index.html") and not (tmp_path / "serve/posts/added").exists()
    (posts / "2024-06-02-moved.md").unlink()
    assert check("deleted")[0]
    assert "Added" not in page("index.html")
    write(mini / "content" / "data" / "team.yml", "lead: Grace\n")
    assert check("data")[0]
    assert "Team: Grace." in page("posts/served/index.html")
    write(mini / "templates" / "includes" / "post-item.html",
          '<li><a href="{{ url(post.url) }}">{{ post.title }}</a> [{{ post.words }}]</li>\n')
    assert check("template")[0]
    assert "Served</a> [" in page("index.html")
    # A template every post's page uses (its key, not only the listings', must follow it).
    theme_post = Path(build.__file__).parent / "theme" / "templates" / "post.html"
    write(mini / "templates" / "post.html", theme_post.read_text(encoding="utf-8").replace(
        "{% endblock %}", "<!-- own post.html -->{% endblock %}", 1))
    assert check("post template")[0]
    assert "own post.html" in page("posts/served/index.html")
    # The bibliography the first post cites from: its Markdown (memoised with every .bib file
    # in its key) must be rendered again.
    bib = mini / "content" / "bib" / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("A guide to", "The guide to"), encoding="utf-8")
    assert check("bibliography")[0]
    assert "The guide to convolution" in page("posts/shapes/index.html")
    # The site's address is in every page's absolute URLs (the served post's image among them).
    (mini / "content" / "site.yml").write_text(
        (mini / "content" / "site.yml").read_text(encoding="utf-8").replace("title:", "title: New", 1)
        .replace("https://example.org", "https://moved.example"), encoding="utf-8")
    assert check("settings")[0]
    assert "https://moved.example/img/served.png" in page("posts/served/index.html")
    # An atomic save (a new file renamed over the post): the watcher saw the temporary name too.
    fresh = posts / ".served.md.partial"
    fresh.write_text(SERVED.replace("First paragraph.", "First paragraph, saved atomically."), encoding="utf-8")
    fresh.replace(served)
    assert check("atomic save", frozenset({fresh}))[0]
    assert "saved atomically" in page("posts/served/index.html")
    # After all that, a plain edit is again read alone: the hint is taken, not ignored.
    served.write_text(SERVED.replace("First paragraph.", "First paragraph, last edit."), encoding="utf-8")
    assert check("last edit") == (False, ["2024-03-01-served.md"])
    assert "last edit" in page("posts/served/index.html")
