"""Incremental builds against builds from nothing, over seeded random sequences of edits.

The memo and the page fingerprints decide what a rebuild renders again; a dependency they miss
shows up as a stale page somewhere else (a neighbour's link, a tag page, the feed). After every
step, two incremental builds must write exactly the bytes a build without any cache writes:
one long-lived ``Cache`` object reused across builds (what ``stride serve`` does) and a new
``stride build`` process's path through the CLI (memo read back from ``.stride-cache/``).
"""

from __future__ import annotations

import importlib
import random
import re
import sqlite3
import sys
from pathlib import Path

import markdown
import pytest

from generator import dependencies
from generator.build import BuildOptions, build_site
from generator.cache import Cache
from generator.cli import main
from tests.conftest import build_project
from tests.mini_project import install_plugin, override, tree_digest, write

TAGS = ["maths", "convolution", "vision", "notes", "speed"]
STEPS = 10


def _post(title: str, day: int, tags: list[str], body: str) -> str:
    return (f"---\nlayout: post\ntitle: \"{title}\"\ndate: 2024-03-{day:02d}\ntags: [{', '.join(tags)}]\n"
            f"related_posts: true\n---\n{body}\n")


def _posts(project: Path) -> list[Path]:
    return sorted((project / "content" / "posts").glob("*.md"))


def _set_front(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    lines = [line for line in head.splitlines() if not line.startswith(f"{key}:")]
    path.write_text("---\n" + "\n".join(lines + [f"{key}: {value}"]) + "\n---\n" + body, encoding="utf-8")


def _edit(project: Path, rng: random.Random, counter: list[int]) -> str:
    """Apply one random edit; returns what it did (for the failure message)."""
    posts = _posts(project)
    target = rng.choice(posts)
    kind = rng.choice(["body", "title", "tags", "date", "related", "add", "delete", "settings",
                       "template", "override", "override", "bib"])
    if kind == "body":
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"\nAnother sentence, number {rng.randint(0, 999)}, with *emphasis*.\n")
    elif kind == "title":
        _set_front(target, "title", f"\"Retitled {rng.randint(0, 999)}\"")
    elif kind == "tags":
        _set_front(target, "tags", "[" + ", ".join(rng.sample(TAGS, rng.randint(0, 3))) + "]")
    elif kind == "date":
        _set_front(target, "date", f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}")
    elif kind == "related":
        _set_front(target, "related_posts", rng.choice(["true", "false"]))
    elif kind == "add":
        counter[0] += 1
        name = f"2024-03-{rng.randint(1, 28):02d}-added-{counter[0]}.md"
        write(project / "content" / "posts" / name,
              _post(f"Added {counter[0]}", rng.randint(1, 28), rng.sample(TAGS, 2), f"New post {counter[0]}."))
    elif kind == "delete":
        if len(posts) <= 2:
            return "nothing (too few posts to delete one)"
        target.unlink()
    elif kind == "settings":
        site = project / "content" / "site.yml"
        text = re.sub(r"(?m)^paginate:.*\n", "", site.read_text(encoding="utf-8"))
        site.write_text(text + f"paginate: {rng.randint(2, 4)}\n", encoding="utf-8")
    elif kind == "template":
        item = override(project, "templates/includes/post-item.html")
        item.write_text(item.read_text(encoding="utf-8") + f"{{# edit {rng.randint(0, 999)} #}}\n",
                        encoding="utf-8")
    elif kind == "override":
        # A site override appears (a changed copy of a theme file) or goes (the theme's file is
        # used again): the template, the include and the asset each change what pages hold.
        rel = rng.choice(["templates/post.html", "templates/includes/toc.html", "assets/css/site.css",
                          "assets/js/site.js"])
        if (project / rel).exists():
            (project / rel).unlink()
            return f"override {rel} removed"
        copy = override(project, rel)
        marker = f"override {rng.randint(0, 999)}"
        edited = {"templates/post.html": lambda t: t.replace("</article>", f"<p>{marker}</p></article>", 1),
                  "templates/includes/toc.html": lambda t: f"<!-- {marker} -->\n" + t,
                  "assets/css/site.css": lambda t: t + f"\n/* {marker} */\n",
                  "assets/js/site.js": lambda t: t + f"\n// {marker}\n"}[rel]
        copy.write_text(edited(copy.read_text(encoding="utf-8")), encoding="utf-8")
        return f"override {rel} added"
    elif kind == "bib":
        bib = project / "content" / "bib" / "refs.bib"
        bib.write_text(re.sub(r"year    = \{\d+\}", f"year    = {{{rng.randint(2000, 2024)}}}",
                              bib.read_text(encoding="utf-8")), encoding="utf-8")
    return f"{kind} {target.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_match_a_build_from_nothing_after_every_edit(mini: Path, tmp_path: Path, seed: int):
    for day in range(1, 7):
        write(mini / "content" / "posts" / f"2024-03-{day:02d}-seed-{day}.md",
              _post(f"Seed {day}", day, TAGS[day % 5: day % 5 + 2], f"Body of post {day}."))
    rng = random.Random(seed)
    serve_cache = Cache(tmp_path / "serve-cache")
    serve_options = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    counter = [0]
    done: list[str] = []
    for step in range(STEPS + 1):
        if step:
            done.append(_edit(mini, rng, counter))
        build_site(serve_options, serve_cache)
        assert main(["--source", str(mini), "build", "--output", str(tmp_path / "cli")]) == 0
        build_project(mini, tmp_path / f"fresh-{step}")
        fresh = tree_digest(tmp_path / f"fresh-{step}")
        for name in ("serve", "cli"):
            got = tree_digest(tmp_path / name)
            stale = sorted(path for path in fresh.keys() | got.keys() if fresh.get(path) != got.get(path))
            assert not stale, f"{name} build differs after {done}: {stale[:8]}"


# -- library and plugin versions (generator/dependencies.py) ------------------------------

def _stale(fresh: Path, got: Path) -> list[str]:
    want, have = tree_digest(fresh), tree_digest(got)
    return sorted(path for path in want.keys() | have.keys() if want.get(path) != have.get(path))


def _recording(cache: Cache) -> list[str]:
    """Namespaces whose values ``cache`` computes (rather than finds) from now on."""
    computed: list[str] = []
    memo = cache.memo

    def recording(namespace, key, compute, *args, **kwargs):
        return memo(namespace, key, lambda: (computed.append(namespace), compute())[1], *args, **kwargs)

    cache.memo = recording
    return computed


def _upgrade(monkeypatch, tmp_path: Path, distribution: str) -> None:
    """What pip install --upgrade ``distribution`` looks like to a build: a new version for the
    memo keys, and a new ``*.dist-info`` folder on sys.path for the up-to-date check."""
    real = dependencies.distribution_version
    monkeypatch.setattr(dependencies, "distribution_version",
                        lambda name: "99.0" if name == distribution else real(name))
    folder = tmp_path / "upgraded" / f"{distribution}-99.0.dist-info"
    write(folder / "METADATA", f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 99.0\n")
    monkeypatch.syspath_prepend(str(folder.parent))


def test_a_markdown_library_upgrade_rebuilds_the_markdown_and_nothing_else(mini: Path, tmp_path: Path,
                                                                             monkeypatch):
    serve_cache = Cache(tmp_path / "serve-cache")
    serve = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    build_site(serve, serve_cache)
    cli = ["--source", str(mini), "build", "--output", str(tmp_path / "cli")]
    assert main(cli) == 0
    # The "new" Python-Markdown writes its paragraphs differently; before the versions were part
    # of the keys, both incremental builds kept serving the old HTML.
    convert = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert",
                        lambda self, text: convert(self, text).replace("<p>", '<p class="upgraded">'))
    _upgrade(monkeypatch, tmp_path, "markdown")
    computed = _recording(serve_cache)
    build_site(serve, serve_cache)
    assert main(cli) == 0
    build_project(mini, tmp_path / "fresh")
    assert b'<p class="upgraded">' in (tmp_path / "fresh/posts/shapes/index.html").read_bytes()
    for name in ("serve", "cli"):
        assert not _stale(tmp_path / "fresh", tmp_path / name), name
    assert "markdown" in computed and "document" not in computed  # parsing does not use Markdown


def test_a_jinja_upgrade_renders_the_pages_again_but_not_the_markdown(mini: Path, tmp_path: Path, monkeypatch):
    serve_cache = Cache(tmp_path / "serve-cache")
    serve = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    build_site(serve, serve_cache)
    before = {key: value for key, value in serve_cache._memory.items() if key[0] == "page"}
    _upgrade(monkeypatch, tmp_path, "jinja2")
    computed = _recording(serve_cache)
    build_site(serve, serve_cache)
    after = {key: value for key, value in serve_cache._memory.items() if key[0] == "page"}
    assert "markdown" not in computed
    assert all(after[key][0] != before[key][0] for key in after)  # every page key changed
    assert not _stale(tmp_path / "serve", tmp_path / "serve")  # (and the site is whole)
    build_project(mini, tmp_path / "fresh")
    assert not _stale(tmp_path / "fresh", tmp_path / "serve")


SCALED_PLUGIN = '''
from generator.plugins import GeneratedFile, Plugin, PostResult, Widget

SCALE = 1
CALLS = []

class ScaledPlugin(Plugin):
    name = "scaled"
    version = "1"
    libraries = ("numpy",)

    def on_post(self, post, declarations, ctx):
        widgets, files = [], []
        for decl in declarations:
            n = decl.options.get("n", 3)
            def compute(n=n):
                CALLS.append(n)
                return ",".join(str(i * SCALE) for i in range(n))
            # Keyed on its input only: the core salts it with the plugin's name and version.
            data = ctx.cache.memo("scaled", f"n={n}", compute)
            files.append(GeneratedFile(f"data/scaled/{decl.id}.txt", data.encode()))
            widgets.append(Widget(decl.id, f'<div class="scaled">{data}</div>'))
        return PostResult(widgets=tuple(widgets), files=tuple(files))
'''


@pytest.fixture
def scaled(mini: Path, tmp_path: Path, monkeypatch):
    """A plugin installed through a real entry point, and a post with one of its widgets."""
    install_plugin(tmp_path / "site-packages", monkeypatch, "scaled_stride_plugin", SCALED_PLUGIN,
                   "scaled = scaled_stride_plugin:ScaledPlugin")
    write(mini / "content/site.yml", (mini / "content/site.yml").read_text() + "plugins:\n  scaled: {}\n")
    write(mini / "content/posts/2024-08-08-scaled.md",
          '---\ntitle: Scaled\nwidgets:\n  - plugin: scaled\n    id: numbers\n    n: 4\n---\n'
          '{% widget "numbers" %}\n')
    yield importlib.import_module("scaled_stride_plugin")
    sys.modules.pop("scaled_stride_plugin", None)


def test_a_plugin_version_bump_recomputes_its_data(mini: Path, tmp_path: Path, monkeypatch, scaled):
    serve_cache = Cache(tmp_path / "serve-cache")
    serve = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    # A new build process each time: its memo read back from disk (the CLI's stamp is left out
    # because a real version bump edits the plugin's code, which the stamp watches).
    disk = BuildOptions(source=mini, output=tmp_path / "disk", cache_dir=tmp_path / "disk-cache")
    build_site(serve, serve_cache)
    build_site(disk, Cache(tmp_path / "disk-cache"))
    assert scaled.CALLS == [4, 4]
    scaled.SCALE = 10  # version 2 computes other data for the same input ...
    real = dependencies.plugin_version
    monkeypatch.setattr(dependencies, "plugin_version",
                        lambda plugin: (plugin.name, "2") if plugin.name == "scaled" else real(plugin))
    build_site(serve, serve_cache)
    build_site(disk, Cache(tmp_path / "disk-cache"))
    build_project(mini, tmp_path / "fresh")
    assert (tmp_path / "fresh/data/scaled/numbers.txt").read_text() == "0,10,20,30"
    for name in ("serve", "disk"):
        assert not _stale(tmp_path / "fresh", tmp_path / name), name
    assert scaled.CALLS == [4, 4, 4, 4, 4]  # ... and both memos computed it again, once each


def test_upgrading_a_library_a_plugin_declares_recomputes_its_data(mini: Path, tmp_path: Path, monkeypatch,
                                                                    scaled):
    cache = Cache(tmp_path / "cache")
    options = BuildOptions(source=mini, output=tmp_path / "out", cache_dir=tmp_path / "cache")
    build_site(options, cache)
    build_site(options, cache)
    assert scaled.CALLS == [4]  # the second build found it in the memo
    real = dependencies.distribution_version
    monkeypatch.setattr(dependencies, "distribution_version",
                        lambda name: "99.0" if name == "numpy" else real(name))
    build_site(options, cache)
    build_site(options, Cache(tmp_path / "cache"))  # and a new process reads the new key back
    assert scaled.CALLS == [4, 4]


def _entries(cache_dir: Path) -> dict[str, int]:
    db = sqlite3.connect(cache_dir / "cache.sqlite3")
    try:
        return dict(db.execute("SELECT namespace, count(*) FROM entry GROUP BY namespace").fetchall())
    finally:
        db.close()


def test_every_namespace_keeps_only_what_the_last_build_used(mini: Path, tmp_path: Path, scaled):
    post = mini / "content/posts/2024-08-08-scaled.md"
    for n in range(2, 12):  # ten edits of the widget's input
        post.write_text(re.sub(r"n: \d+", f"n: {n}", post.read_text()))
        assert main(["--source", str(mini), "build"]) == 0
        assert (mini / "build/data/scaled/numbers.txt").read_text() == ",".join(str(i) for i in range(n))
    entries = _entries(mini / ".stride-cache")
    assert entries["scaled"] == 1  # one data set, not ten
    documents = len(list((mini / "content").rglob("*.md")))
    assert entries["document"] == documents and entries["markdown"] == documents
    pages = [p for p in (mini / "build").rglob("*") if p.is_file() and p.name != ".stride-output"]
    assert entries["page"] <= len(pages)
    # A plugin taken out of site.yml leaves nothing behind either.
    post.unlink()
    site = mini / "content/site.yml"
    site.write_text(site.read_text().replace("plugins:\n  scaled: {}\n", ""))
    assert main(["--source", str(mini), "build"]) == 0
    assert "scaled" not in _entries(mini / ".stride-cache")


def test_compiled_templates_of_an_older_jinja_and_of_deleted_templates_are_removed(mini: Path, tmp_path: Path,
                                                                                   monkeypatch):
    cache_dir = mini / ".stride-cache"
    write(mini / "templates/extra.html", "{{ page.title }}\n")
    options = BuildOptions(source=mini, output=tmp_path / "out")
    build_site(options)
    old = dependencies.bytecode_folder(cache_dir)
    assert len(list(old.iterdir())) >= 2
    (mini / "templates/extra.html").unlink()
    _upgrade(monkeypatch, tmp_path, "jinja2")
    build_site(options)
    new = dependencies.bytecode_folder(cache_dir)
    assert new != old and not old.exists() and [p.name for p in (cache_dir / "jinja").iterdir()] == [new.name]
    names = {p.name for p in new.iterdir()}
    monkeypatch.undo()
    build_site(options)  # and back: extra.html's bytecode does not come back with it
    assert {p.name for p in dependencies.bytecode_folder(cache_dir).iterdir()} == names
