"""After ``Cache.preload(namespace)`` every stored entry of it is in memory, so a miss in that
namespace is answered without a database query (a cold build asks for 2,000 missing keys)."""

from __future__ import annotations

from generator.cache import Cache


def _queries(cache: Cache) -> list[str]:
    seen: list[str] = []
    cache._connection().set_trace_callback(seen.append)
    return seen


def test_a_miss_after_preload_asks_the_database_nothing(tmp_path):
    first = Cache(tmp_path)
    first.memo("markdown", "kept", lambda: "stored value")
    first.flush()
    first.close()

    cache = Cache(tmp_path)
    cache.preload("markdown")
    seen = _queries(cache)
    assert cache.memo("markdown", "kept", lambda: "recomputed") == "stored value"
    assert not cache.contains("markdown", "new")
    assert cache.get("markdown", "new", "default") == "default"
    assert cache.memo("markdown", "new", lambda: "computed") == "computed"
    assert not [q for q in seen if q.lstrip().upper().startswith("SELECT")]
    # A namespace that was not preloaded is still looked up key by key.
    assert cache.memo("document", "other", lambda: "computed") == "computed"
    assert [q for q in seen if "SELECT" in q.upper()]


def test_entries_computed_after_preload_are_stored(tmp_path):
    cache = Cache(tmp_path)
    cache.preload("page")
    cache.memo("page", "a", lambda: b"bytes")
    cache.flush()
    cache.close()
    again = Cache(tmp_path)
    assert again.memo("page", "a", lambda: b"recomputed") == b"bytes"


def test_a_value_that_cannot_be_pickled_is_kept_in_memory_only(tmp_path):
    cache = Cache(tmp_path)
    unpicklable = lambda: None  # noqa: E731
    assert cache.memo("plugin", "f", lambda: unpicklable) is unpicklable
    cache.memo("plugin", "ok", lambda: [1, 2])
    cache.flush()  # must not raise
    cache.close()
    again = Cache(tmp_path)
    assert again.memo("plugin", "f", lambda: "recomputed") == "recomputed"
    assert again.memo("plugin", "ok", lambda: "recomputed") == [1, 2]
