"""Watching the project for changes: watchdog's native observer, or polling where that fails.

Saves come in bursts (editors write a temp file, rename it, touch metadata), so changes are
collected until the files have been quiet for ``debounce`` seconds and then handed over in one
call. Output folders, caches and editor scratch files are ignored. A watched folder that does
not exist yet (a site's templates/ or assets/ before its first override) is waited for: its
parent is watched for that one name, and once it appears it is watched like the others.

When the kernel drops events (its inotify queue overflowed: a checkout of thousands of files),
the changes are unknown, and the call gets None instead of paths: the build must then look at
everything, or it would serve stale pages for the files whose events were lost.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

_IGNORED_PARTS = {".git", "__pycache__", ".stride-cache", "node_modules"}
_IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".pyc")


def ignored(path: Path) -> bool:
    name = path.name
    if any(part in _IGNORED_PARTS or part.startswith(".build") for part in path.parts):
        return True
    return name.endswith(_IGNORED_SUFFIXES) or name.startswith((".#", "#")) or name == "4913"


# File systems whose changes inotify does not report when they are made on the other side:
# WSL2's Windows drives (9p, drvfs), network shares, VirtualBox and Docker Desktop folder sharing.
_REMOTE_FILE_SYSTEMS = {"9p", "drvfs", "nfs", "nfs4", "cifs", "smb3", "smbfs", "vboxsf", "fuse.grpcfuse",
                        "fakeowner", "fuse.sshfs", "prl_fs", "vmhgfs", "fuse.vmhgfs-fuse"}


def mount_types(mountinfo: str) -> dict[str, str]:
    """Mount point -> file system type, from the text of /proc/self/mountinfo."""
    found = {}
    for line in mountinfo.splitlines():
        before, _, after = line.partition(" - ")
        fields, rest = before.split(), after.split()
        if len(fields) >= 5 and rest:
            # Spaces and a few other characters are written as octal escapes (\040).
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            found[point] = rest[0]
    return found


def file_system_of(path: Path, mounts: dict[str, str]) -> str:
    """Type of the file system holding ``path``: the one mounted at its longest matching prefix."""
    text = str(path)
    best = max((point for point in mounts
                if text == point or text.startswith(point.rstrip("/") + "/")), key=len, default="/")
    return mounts.get(best, "")


def needs_polling(paths: Iterable[Path], mountinfo: str | None = None) -> bool:
    """Whether any watched folder sits on a file system whose changes inotify may miss."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:  # not Linux: the native observer (FSEvents, ReadDirectoryChangesW) is fine
            return False
    mounts = mount_types(mountinfo)
    return any(file_system_of(p.resolve(), mounts) in _REMOTE_FILE_SYSTEMS for p in paths)


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(raw)
                if not ignored(path):
                    self.watcher.add(path)


class _Appearing(FileSystemEventHandler):
    """On a missing folder's parent: reacts only to that folder coming into being."""

    def __init__(self, watcher: "Watcher") -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw and Path(raw) in self.watcher.missing:
                self.watcher.appeared(Path(raw))


# watchdog (7.1 on) re-adds its watches when the inotify queue overflows and says so in a
# warning of these loggers only; its handlers never hear of the events that were lost.
_OVERFLOW_LOGGER = "watchdog.observers"
_OVERFLOW = re.compile(r"queue overflow", re.IGNORECASE)


class _Overflows(logging.Handler):
    """Tells the watcher when watchdog reports that the kernel dropped events."""

    def __init__(self, watcher: "Watcher") -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if _OVERFLOW.search(record.getMessage()):
            self.watcher.lost()


class Watcher:
    """Calls ``on_change(paths)`` from a background thread after each quiet burst of changes;
    ``on_change(None)`` when some changes were lost (see the module notes)."""

    def __init__(self, paths: Iterable[Path], on_change: Callable[[set[Path] | None], None], *, poll: bool = False,
                 debounce: float = 0.05, interval: float = 0.25) -> None:
        paths = list(paths)
        self.paths = [p for p in paths if p.exists()]
        self.missing = {p for p in paths if not p.exists() and p.parent.is_dir()}
        self.on_change = on_change
        self.debounce = debounce
        self.poll = poll or needs_polling(self.paths)
        self.interval = interval
        self._pending: set[Path] = set()
        self._lost = False  # events were dropped since the last call: changes unknown
        self._overflows: _Overflows | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.observer = None
        self.mode = ""

    def add(self, path: Path) -> None:
        with self._lock:
            self._pending.add(path)
            self._restart_timer()

    def lost(self) -> None:
        """Some changes were not reported: the next call says None (everything may have changed)."""
        with self._lock:
            self._lost = True
            self._restart_timer()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.debounce, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            changed, self._pending = self._pending, set()
            lost, self._lost = self._lost, False
            self._timer = None
        if lost:
            self.on_change(None)
        elif changed:
            self.on_change(changed)

    def start(self) -> "Watcher":
        if not self.poll:
            try:
                self.observer = self._schedule(Observer())
                self.mode = "native"
                self._hear_overflows()
                return self
            except OSError as exc:  # e.g. the inotify watch limit is reached
                print(f"watching with inotify failed ({exc.strerror}); polling instead", file=sys.stderr)
        self.observer = self._schedule(PollingObserver(timeout=self.interval))
        self.mode = "polling"
        return self

    def _schedule(self, observer):
        self._handler = _Collector(self)
        for path in self.paths:
            observer.schedule(self._handler, str(path), recursive=path.is_dir())
        appearing = _Appearing(self)
        for parent in sorted({p.parent for p in self.missing}):
            observer.schedule(appearing, str(parent), recursive=False)
        observer.start()
        return observer

    def appeared(self, path: Path) -> None:
        """``path``, missing so far, was created: watch it from now on and count it as changed
        (a rebuild after the debounce reads whatever was written into it before the watch)."""
        with self._lock:
            if path not in self.missing or not path.is_dir() or self.observer is None:
                return
            self.missing.discard(path)
            self.paths.append(path)
            self.observer.schedule(self._handler, str(path), recursive=True)
        self.add(path)

    def _hear_overflows(self) -> None:
        logger = logging.getLogger(_OVERFLOW_LOGGER)
        if not logger.isEnabledFor(logging.WARNING):
            logger.setLevel(logging.WARNING)  # else the warning is never made
        self._overflows = _Overflows(self)
        logger.addHandler(self._overflows)

    def stop(self) -> None:
        if self._overflows is not None:
            logging.getLogger(_OVERFLOW_LOGGER).removeHandler(self._overflows)
            self._overflows = None
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
