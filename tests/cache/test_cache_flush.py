"""``Cache.flush(namespaces)``: a build writes what its earlier stages made (documents, then
Markdown) while its workers render, and the rest at the end. What one such flush writes is
exactly the entries of those namespaces made so far; the final flush writes the others and the
prune's deletions, and an entry is never written twice."""

from __future__ import annotations

import sqlite3

from generator.cache import DATABASE, Cache


def _stored(root) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with sqlite3.connect(root / DATABASE) as db:
        for namespace, key in db.execute("SELECT namespace, key FROM entry"):
            found.setdefault(namespace, set()).add(key)
    return found


def test_a_flush_of_some_namespaces_writes_those_only_and_the_end_writes_the_rest(tmp_path):
    cache = Cache(tmp_path)
    cache.memo("document", "a", lambda: "doc a")
    cache.memo("markdown", "a", lambda: "<p>a</p>")
    cache.flush(("document",))
    assert _stored(tmp_path) == {"document": {"a"}}

    inserts: list[str] = []
    cache._connection().set_trace_callback(inserts.append)
    cache.memo("document", "b", lambda: "doc b")  # made after the first flush
    cache.flush(("document", "page"))
    assert _stored(tmp_path) == {"document": {"a", "b"}}
    cache.flush()
    assert _stored(tmp_path) == {"document": {"a", "b"}, "markdown": {"a"}}
    written = [q for q in inserts if q.lstrip().upper().startswith("INSERT")]
    assert len(written) == 2 and not any("'a'" in q and "'document'" in q for q in written), written
    cache.close()

    again = Cache(tmp_path)
    assert again.memo("document", "b", lambda: "recomputed") == "doc b"
    assert again.memo("markdown", "a", lambda: "recomputed") == "<p>a</p>"


def test_a_partial_flush_drops_nothing_the_final_one_does(tmp_path):
    first = Cache(tmp_path)
    first.memo("document", "old", lambda: "old")
    first.memo("document", "kept", lambda: "kept")
    first.flush()
    first.close()

    cache = Cache(tmp_path)
    cache.memo("document", "kept", lambda: "recomputed")
    cache.prune_unused()  # "old" was not used by this build: marked for deletion
    cache.memo("markdown", "new", lambda: "new")
    cache.flush(("markdown",))
    assert _stored(tmp_path) == {"document": {"old", "kept"}, "markdown": {"new"}}
    cache.flush()
    assert _stored(tmp_path) == {"document": {"kept"}, "markdown": {"new"}}


def _page_size(root) -> int:
    with sqlite3.connect(root / DATABASE) as db:
        return db.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_memo_has_large_pages_and_an_old_one_keeps_its_own(tmp_path):
    new = tmp_path / "new"
    cache = Cache(new)
    cache.memo("page", "index.html", lambda: ("key", b"x" * 20_000))
    cache.flush()
    cache.close()
    assert _page_size(new) == 65536

    old = tmp_path / "old"
    made = Cache(old)
    made.memo("page", "a.html", lambda: ("key", b"a"))
    made.flush()
    made.close()  # then given the 4 KiB pages of a memo an earlier Stride made
    with sqlite3.connect(old / DATABASE) as db:
        db.execute("PRAGMA page_size = 4096")
        db.execute("VACUUM")
    assert _page_size(old) == 4096
    cache = Cache(old)
    cache.memo("page", "index.html", lambda: ("key", b"y" * 20_000))
    cache.flush()
    cache.close()
    assert _page_size(old) == 4096
    assert Cache(old).memo("page", "index.html", lambda: "recomputed") == ("key", b"y" * 20_000)
