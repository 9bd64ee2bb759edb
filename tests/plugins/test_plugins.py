"""The plugin interface, exercised by a tiny plugin installed through a real entry point."""

from __future__ import annotations

import json
import sqlite3
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.plugins import Cache, discover
from tests.mini_project import install_plugin, write

TINY_PLUGIN = '''
import json
from generator.errors import ContentError
from generator.plugins import GeneratedFile, Plugin, PostResult, Widget

CALLS = []

class TinyPlugin(Plugin):
    name = "tiny"
    version = "1"

    def configure(self, options, where):
        return {"greeting": options.get("greeting", "hello")}

    def on_post(self, post, declarations, ctx):
        widgets, files = [], []
        for decl in declarations:
            n = decl.options.get("n", 1)
            if not isinstance(n, int) or n < 1:
                raise ContentError(decl.path, decl.line_of("n"), f"n must be a positive integer, not {n!r}")
            def compute(n=n):
                CALLS.append(n)
                return [i * i for i in range(n)]
            squares = ctx.cache.memo("tiny", f"squares-{n}", compute)
            data_path = f"data/tiny/{post.slug}-{decl.id}.json"
            files.append(GeneratedFile(data_path, json.dumps(squares).encode()))
            html = f'<div class="tiny" data-src="{ctx.url(data_path)}">{ctx.options["greeting"]} {n}</div>'
            widgets.append(Widget(decl.id, html))
        return PostResult(widgets=tuple(widgets), files=tuple(files), context={"tiny_count": len(widgets)})
'''


@pytest.fixture
def tiny_installed(tmp_path: Path, monkeypatch):
    """Install the plugin as a distribution with a ``stride.plugins`` entry point."""
    install_plugin(tmp_path / "site-packages", monkeypatch, "tiny_stride_plugin", TINY_PLUGIN,
                   "tiny = tiny_stride_plugin:TinyPlugin")
    yield
    sys.modules.pop("tiny_stride_plugin", None)


def test_entry_point_plugins_are_discovered(tiny_installed):
    plugins = discover()
    assert plugins["tiny"].__name__ == "TinyPlugin"
    assert "convtranspose" in plugins


def _post_with_widget(mini: Path, n: object) -> Path:
    return write(mini / "content/posts/2024-08-08-tiny.md", textwrap.dedent(f"""\
        ---
        title: Tiny
        widgets:
          - plugin: tiny
            id: counter
            n: {n}
        ---
        Before.

        {{% widget "counter" %}}

        After.
        """))


def test_widget_html_and_files_reach_the_site(mini: Path, tiny_installed):
    _post_with_widget(mini, 4)
    write(mini / "content/site.yml", (mini / "content/site.yml").read_text() + "plugins:\n  tiny: {greeting: hi}\n")
    assert main(["--source", str(mini), "build", "--base-url", "/sub/"]) == 0
    html = (mini / "build/posts/tiny/index.html").read_text()
    assert '<div class="tiny" data-src="/sub/data/tiny/tiny-counter.json">hi 4</div>' in html
    assert "<p><div" not in html  # a block widget is not wrapped in a paragraph
    assert json.loads((mini / "build/data/tiny/tiny-counter.json").read_text()) == [0, 1, 4, 9]


def _enable_tiny(mini: Path) -> None:
    write(mini / "content/site.yml", (mini / "content/site.yml").read_text() + "plugins:\n  tiny: {}\n")


def test_plugin_errors_carry_the_declaration_line(mini: Path, tiny_installed, capsys):
    _post_with_widget(mini, -2)
    _enable_tiny(mini)
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert "2024-08-08-tiny.md:6: n must be a positive integer, not -2" in err


def test_plugin_cache_survives_between_builds(mini: Path, tiny_installed):
    import tiny_stride_plugin

    _post_with_widget(mini, 5)
    _enable_tiny(mini)
    assert main(["--source", str(mini), "build"]) == 0
    assert tiny_stride_plugin.CALLS == [5]
    assert main(["--source", str(mini), "build"]) == 0
    assert tiny_stride_plugin.CALLS == [5]  # the second build read .stride-cache/
    db = sqlite3.connect(mini / ".stride-cache" / "cache.sqlite3")
    assert db.execute("SELECT count(*) FROM entry WHERE namespace = 'tiny'").fetchone()[0] == 1


def test_a_widget_of_a_plugin_the_site_does_not_enable_is_an_error(mini: Path, tiny_installed, capsys):
    _post_with_widget(mini, 3)
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert "2024-08-08-tiny.md:4: unknown widget plugin 'tiny' (enable it in content/site.yml" in err


def test_cache_keeps_values_between_instances_only_after_flush(tmp_path: Path):
    cache = Cache(tmp_path)
    assert cache.memo("ns", "k", lambda: [1, 2]) == [1, 2]
    assert not Cache(tmp_path).contains("ns", "k")  # queued, not written yet
    cache.flush()
    again = Cache(tmp_path)
    assert again.contains("ns", "k")
    assert again.memo("ns", "k", lambda: pytest.fail("recomputed a stored value")) == [1, 2]


def test_cache_prune_drops_stored_entries_not_used_by_the_last_build(tmp_path: Path):
    first = Cache(tmp_path)
    first.memo("ns", "old", lambda: 1)
    first.memo("ns", "kept", lambda: 2)
    first.memo("other", "x", lambda: 3)
    first.flush()
    second = Cache(tmp_path)
    second.memo("ns", "kept", lambda: 0)
    second.prune("ns")
    second.flush()
    third = Cache(tmp_path)
    assert [third.contains("ns", "old"), third.contains("ns", "kept"), third.contains("other", "x")] == \
        [False, True, True]


def test_one_instance_prunes_across_builds_what_it_stored_itself(tmp_path: Path):
    """stride serve keeps one Cache for every rebuild: an entry written by an earlier rebuild and
    unused by the latest is dropped from the database too."""
    cache = Cache(tmp_path)
    cache.memo("ns", "v1", lambda: 1)
    cache.prune("ns")
    cache.flush()
    cache.memo("ns", "v2", lambda: 2)  # the post was edited: a new key
    cache.prune("ns")
    cache.flush()
    cache.memo("ns", "v3", lambda: 3)
    cache.prune("ns")
    cache.flush()
    fresh = Cache(tmp_path)
    assert [fresh.contains("ns", key) for key in ("v1", "v2", "v3")] == [False, False, True]


def test_cache_recovers_from_a_corrupt_entry_and_a_corrupt_database(tmp_path: Path):
    cache = Cache(tmp_path)
    cache.memo("ns", "k", lambda: [1, 2])
    cache.flush()
    cache.close()
    db = sqlite3.connect(tmp_path / "cache.sqlite3")
    with db:
        db.execute("UPDATE entry SET value = ? WHERE key = 'k'", (b"garbage",))
    db.close()
    assert Cache(tmp_path).memo("ns", "k", lambda: [3]) == [3]

    (tmp_path / "cache.sqlite3").write_bytes(b"not a database at all" * 100)
    damaged = Cache(tmp_path)
    assert damaged.memo("ns", "k", lambda: [4]) == [4]
    damaged.flush()
    assert Cache(tmp_path).memo("ns", "k", lambda: [5]) == [4]  # started a fresh database


def test_a_locked_cache_costs_speed_not_the_build(tmp_path: Path):
    Cache(tmp_path).memo("ns", "warm", lambda: 1)  # creates the database
    holder = sqlite3.connect(tmp_path / "cache.sqlite3")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cache = Cache(tmp_path)
        cache._LOCK_TIMEOUT = 0
        assert cache.memo("ns", "k", lambda: [6]) == [6]
        cache.flush()
    finally:
        holder.rollback()
        holder.close()


def test_cache_preload_and_get_read_a_namespace_in_one_go(tmp_path: Path):
    first = Cache(tmp_path)
    for key in "abc":
        first.store("page", key, (key, key.encode()))
    first.store("other", "a", 1)
    first.flush()
    second = Cache(tmp_path)
    second.preload("page")
    assert second.get("page", "b") == ("b", b"b")
    assert second.get("page", "zz", "missing") == "missing"
    second.prune("page")  # only "b" was used
    second.flush()
    third = Cache(tmp_path)
    assert [third.get("page", key) for key in "abc"] == [None, ("b", b"b"), None]
    assert third.get("other", "a") == 1


def test_a_plugin_that_fails_to_import_is_an_error_at_its_plugins_line(mini: Path, tmp_path: Path, monkeypatch,
                                                                       capsys):
    install_plugin(tmp_path / "broken-site-packages", monkeypatch, "broken_stride_plugin",
                   "raise RuntimeError('needs libfoo 2')\n", "broken = broken_stride_plugin:Broken")
    assert "broken" not in discover()  # listing what is installed skips it ...
    site = mini / "content/site.yml"
    line = len(site.read_text().splitlines()) + 2
    write(site, site.read_text() + "plugins:\n  broken: {}\n")
    assert main(["--source", str(mini), "build"]) == 1  # ... enabling it shows why it is broken
    err = capsys.readouterr().err
    assert f"site.yml:{line}: plugin 'broken' failed to import: RuntimeError: needs libfoo 2" in err
    assert "unknown plugin" not in err
