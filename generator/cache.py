"""The build memo: expensive results (parsed documents, rendered Markdown, widget data, the
previous build's pages) kept between builds in ``.stride-cache/cache.sqlite3``.

One SQLite file rather than a file per entry: a cold 1,000-post build used to create some 2,000
small files, and on ext4 creating files right after a ``rm -rf`` (exactly what a clean rebuild
does) costs far more kernel time than rendering them. Writes are queued in memory and land in
one transaction when the build calls :meth:`Cache.flush`.

Everything here is only a cache: an unreadable, locked, corrupt or foreign database, or a value
that cannot be pickled, means the work is done again, never that a build fails.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, Collection

from generator import CACHE_FOLDER

DATABASE = "cache.sqlite3"
DEFAULT_DIR = Path(CACHE_FOLDER)  # relative to the project folder
_SCHEMA_VERSION = 3  # bump to start from an empty database when the layout or its use changes
_MISSING = object()


class Cache:
    """A persistent memo keyed by ``(namespace, key)``; values are pickled.

    Keys must capture every input of the computation. ``root=None`` keeps everything in memory
    (tests, ``stride check``). One instance may be shared by successive builds (``stride serve``),
    which then find values in memory without touching the database.
    """

    _LOCK_TIMEOUT = 5.0  # seconds to wait for another Stride process holding the database

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._memory: dict[tuple[str, str], Any] = {}
        self._used: set[tuple[str, str]] = set()
        # Values to write at the next flush, pickled only then (one at a time, as the database
        # takes them): pickled on arrival, a cold build held a second copy of every page and
        # rendered post until the end of the build.
        self._pending: dict[tuple[str, str], Any] = {}
        self._dropped: set[tuple[str, str]] = set()
        self._preloaded: set[str] = set()
        # Keys known to be in the database, per namespace, once prune has asked: later prunes by
        # the same instance (stride serve) need not scan the table again. Entries another
        # process adds are missed, which only leaves them for a later prune.
        self._stored: dict[str, set[str]] = {}
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._db_pid: int | None = None
        self._broken = root is None

    # -- public API -----------------------------------------------------------------------

    def memo(self, namespace: str, key: str, compute: Callable[[], Any], persist: bool = True) -> Any:
        """Return the cached value for ``(namespace, key)`` or compute and remember it.
        ``persist=False`` keeps it in memory only (for values cheap to recompute in a new process)."""
        slot = (namespace, key)
        with self._lock:
            self._used.add(slot)
            if slot in self._memory:
                return self._memory[slot]
            value = self._load(slot) if persist else _MISSING
        if value is _MISSING:
            value = compute()
            if persist:
                self._queue(slot, value)
        with self._lock:
            self._memory[slot] = value
        return value

    def store(self, namespace: str, key: str, value: Any) -> None:
        """Replace the value of ``(namespace, key)`` (memo returns it from now on)."""
        slot = (namespace, key)
        with self._lock:
            self._used.add(slot)
            self._memory[slot] = value
            self._queue(slot, value)

    def get(self, namespace: str, key: str, default: Any = None) -> Any:
        """The stored value of ``(namespace, key)``, or ``default``; marks the entry as used."""
        slot = (namespace, key)
        with self._lock:
            if slot not in self._memory:
                value = self._load(slot)
                if value is _MISSING:
                    return default
                self._memory[slot] = value
            self._used.add(slot)
            return self._memory[slot]

    def preload(self, namespace: str) -> None:
        """Bring every stored entry of ``namespace`` into memory with one query, for callers
        about to ``get`` most of them (one query instead of one per key). Once per namespace
        and instance: later builds sharing the instance already hold what they made."""
        with self._lock:
            db = self._connection()
            if db is None or namespace in self._preloaded:
                return
            self._preloaded.add(namespace)
            try:
                rows = db.execute("SELECT key, value FROM entry WHERE namespace = ?", (namespace,)).fetchall()
            except sqlite3.Error:
                self._give_up()
                return
            for key, data in rows:
                slot = (namespace, key)
                if slot in self._memory or slot in self._pending:
                    continue
                try:
                    self._memory[slot] = pickle.loads(data)
                except Exception:
                    pass  # damaged: a miss

    def contains(self, namespace: str, key: str) -> bool:
        """Whether ``memo`` would find a stored value (without unpickling it)."""
        slot = (namespace, key)
        with self._lock:
            if slot in self._memory or slot in self._pending:
                return True
            if namespace in self._preloaded:
                return False  # preload brought every stored entry into memory
            db = self._connection()
            if db is None:
                return False
            try:
                row = db.execute("SELECT 1 FROM entry WHERE namespace = ? AND key = ?", slot).fetchone()
            except sqlite3.Error:
                self._give_up()
                return False
            return row is not None

    def prune(self, namespace: str) -> None:
        """Forget entries of ``namespace`` not used since the last prune (e.g. old versions of an
        edited post), so a long ``stride serve`` session or many edits do not grow the cache."""
        with self._lock:
            for slot in [s for s in self._memory if s[0] == namespace and s not in self._used]:
                del self._memory[slot]
            for slot in [s for s in self._pending if s[0] == namespace and s not in self._used]:
                del self._pending[slot]
            self._drop_stored(namespace)
            self._used = {s for s in self._used if s[0] != namespace}

    def _drop_stored(self, namespace: str) -> None:
        """Mark the stored entries of ``namespace`` not used since the last prune for deletion."""
        db = self._connection()
        if db is not None and namespace not in self._stored:
            try:
                rows = db.execute("SELECT key FROM entry WHERE namespace = ?", (namespace,)).fetchall()
                self._stored[namespace] = {key for (key,) in rows}
            except sqlite3.Error:
                self._give_up()
        if db is not None and namespace in self._stored:
            used = self._used
            self._dropped.update(slot for slot in ((namespace, key) for key in self._stored[namespace])
                                 if slot not in used)

    def prune_unused(self) -> None:
        """``prune`` every namespace, those of plugins no longer enabled included: what the
        cache keeps afterwards is exactly what this build used. One pass over the entries in
        memory, not one per namespace (a dev-server rebuild at 4,000 posts spent 30 ms there)."""
        with self._lock:
            db = self._connection()
            namespaces = {ns for ns, _ in self._memory} | {ns for ns, _ in self._pending} | \
                {ns for ns, _ in self._used}
            if db is not None and not self._stored:
                # Every stored key in one pass (prune would otherwise ask once per namespace).
                try:
                    stored: dict[str, set[str]] = {namespace: set() for namespace in namespaces}
                    for namespace, key in db.execute("SELECT namespace, key FROM entry"):
                        stored.setdefault(namespace, set()).add(key)
                    self._stored = stored
                except sqlite3.Error:
                    self._give_up()
            namespaces |= set(self._stored)
            used = self._used
            for slot in [s for s in self._memory if s not in used]:
                del self._memory[slot]
            for slot in [s for s in self._pending if s not in used]:
                del self._pending[slot]
            for namespace in sorted(namespaces):
                self._drop_stored(namespace)
            self._used = set()

    def flush(self, namespaces: Collection[str] | None = None) -> None:
        """Write what this build computed and drop what it pruned, in one transaction. A locked
        or unwritable database loses only the speed-up, never the build. With ``namespaces``,
        only what those hold so far is written (nothing is dropped): a cold build writes what
        its earlier stages made while its workers render, not all of it serially at the end."""
        with self._lock:
            if namespaces is not None:
                pending = {slot: value for slot, value in self._pending.items() if slot[0] in namespaces}
                if not pending:
                    return
                for slot in pending:
                    del self._pending[slot]
                dropped: set[tuple[str, str]] = set()
            elif not self._pending and not self._dropped:
                return
            else:
                pending, dropped = self._pending, self._dropped
                self._pending, self._dropped = {}, set()
            db = self._connection()
            if db is None:
                return
            written: list[tuple[str, str]] = []

            def rows():
                # In key order: each row then lands at the end of the index instead of splitting
                # pages all over it (a cold 1,000-post flush took 84 ms of CPU unsorted, 48 sorted).
                for slot, value in sorted(pending.items(), key=_slot_of):
                    data = _pickled(value)
                    if data is not None:
                        written.append(slot)
                        yield (*slot, data)

            try:
                with db:
                    db.executemany("DELETE FROM entry WHERE namespace = ? AND key = ?", sorted(dropped))
                    db.executemany("INSERT OR REPLACE INTO entry (namespace, key, value) VALUES (?, ?, ?)", rows())
            except sqlite3.OperationalError:
                self._stored.clear()  # not written after all: ask the database next time
                return  # e.g. another build holds the lock: this build's results stay in memory only
            except sqlite3.Error:
                self._give_up()
                return
            for namespace, key in dropped:
                self._stored.get(namespace, set()).discard(key)
            for namespace, key in written:
                if namespace in self._stored:
                    self._stored[namespace].add(key)

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._db_pid == os.getpid():
                self._db.close()
            self._db = None

    # -- storage --------------------------------------------------------------------------

    def _queue(self, slot: tuple[str, str], value: Any) -> None:
        if self._broken:
            return
        self._pending[slot] = value
        self._dropped.discard(slot)

    def _load(self, slot: tuple[str, str]) -> Any:
        if slot in self._pending:
            return self._pending[slot]
        if slot[0] in self._preloaded:
            # Everything stored was brought into memory by preload: not there means not stored
            # (or damaged, or pruned from memory): a miss, without a query per key.
            return _MISSING
        db = self._connection()
        if db is None:
            return _MISSING
        try:
            row = db.execute("SELECT value FROM entry WHERE namespace = ? AND key = ?", slot).fetchone()
        except sqlite3.Error:
            self._give_up()
            return _MISSING
        if row is None:
            return _MISSING
        try:
            return pickle.loads(row[0])
        except Exception:  # a value pickled by other code (or damaged) is only a cache miss
            return _MISSING

    def _connection(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._db is not None and self._db_pid == os.getpid():
            return self._db
        # A forked worker must not share its parent's connection: it opens none at all.
        if self._db is not None:
            return None
        assert self.root is not None
        path = self.root / DATABASE
        for attempt in range(2):
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=self._LOCK_TIMEOUT, check_same_thread=False, isolation_level="DEFERRED")
                # A cache may lose its last transaction in a power cut; it must not cost an fsync
                # per build.
                db.execute("PRAGMA synchronous = OFF")
                # Pages of 64 KiB, for a database made now (an existing one keeps its own): the
                # values are pages of 5-20 KB, which in 4 KiB pages each took a chain of overflow
                # pages. Writing a cold 1,000-post build's 14 MB: 86 -> 51 ms (8 alternating runs),
                # the same file size. With SQLite's default 2 MB of page cache, those pages added
                # 16 MB to the build's peak RSS; 512 KiB of cache leaves it 2 MB below where 4 KiB
                # pages had it, and the writes as fast (the values are written once, in key order).
                db.execute("PRAGMA page_size = 65536")
                db.execute("PRAGMA cache_size = -512")
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != _SCHEMA_VERSION:
                    with db:
                        db.execute("DROP TABLE IF EXISTS entry")
                        # A rowid table, whose index holds only the keys: the values (pages of 10 kB
                        # and more) stay out of the B-tree that inserts rebalance (WITHOUT ROWID
                        # made the 17 MB of a cold 1,000-post build cost twice the CPU to write).
                        db.execute("CREATE TABLE entry (namespace TEXT NOT NULL, key TEXT NOT NULL, "
                                   "value BLOB NOT NULL, PRIMARY KEY (namespace, key))")
                        db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                db.execute("SELECT count(*) FROM entry WHERE namespace = ''").fetchone()
            except sqlite3.OperationalError:
                break  # locked for longer than the timeout, read-only, ...: do without
            except sqlite3.DatabaseError:
                # "file is not a database" and friends: start over once, then do without.
                try:
                    db.close()
                except (sqlite3.Error, UnboundLocalError):
                    pass
                if attempt == 0:
                    path.unlink(missing_ok=True)
                    continue
                break
            except OSError:
                break
            self._db, self._db_pid = db, os.getpid()
            return db
        self._broken = True
        return None

    def _give_up(self) -> None:
        """After a database error mid-build, carry on in memory only."""
        self.close()
        self._broken = True
        self._pending.clear()
        self._dropped.clear()
        self._stored.clear()


class SaltedCache:
    """One plugin's view of a :class:`Cache`: the same methods, with every key salted (by
    ``generator.dependencies.plugin_salt``: the plugin's name and version), so bumping
    ``Plugin.version`` makes every entry of that plugin a miss and two plugins never share one."""

    def __init__(self, cache: Cache, salt: str) -> None:
        self._cache = cache
        self._salt = salt
        self.root = cache.root

    def _key(self, key: str) -> str:
        return hashlib.sha256(f"{self._salt}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()

    def memo(self, namespace: str, key: str, compute: Callable[[], Any], persist: bool = True) -> Any:
        return self._cache.memo(namespace, self._key(key), compute, persist)

    def store(self, namespace: str, key: str, value: Any) -> None:
        self._cache.store(namespace, self._key(key), value)

    def get(self, namespace: str, key: str, default: Any = None) -> Any:
        return self._cache.get(namespace, self._key(key), default)

    def contains(self, namespace: str, key: str) -> bool:
        return self._cache.contains(namespace, self._key(key))


def _slot_of(item: tuple[tuple[str, str], Any]) -> tuple[str, str]:
    return item[0]


def _pickled(value: Any) -> bytes | None:
    """``value`` pickled for the database, or None when it cannot be (only a slower next build)."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # PicklingError, TypeError, RecursionError, a failing __reduce__, ...
        return None
