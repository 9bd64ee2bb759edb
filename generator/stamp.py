"""Up-to-date check: ``stride build`` with nothing changed since the last build does no work.

After every build that wrote the site, a stamp (``.stride-cache/stamp.json``) records what that
build depended on: its options, Stride's own code, the installed libraries, and the size and
modification time (ns) of every file under content/, templates/ and assets/; plus the identity of
the output folder it wrote. When a new ``stride build`` finds all of that unchanged, the site it
would write is the one already there, so it only says so. The memo in ``generator.cache`` makes a
real rebuild cheap; this check makes "nothing changed" almost free, because it runs before the
build's imports (Markdown, Pygments, Jinja2, NumPy) and reads no content.

Deliberately conservative, since a wrong "up to date" is far worse than a needless rebuild:
- A symlink anywhere in the inputs turns the check off (its target may lie outside the scan).
- A file modified within ``_RACY_NS`` of the scan is not trusted (a second save within the file
  system's timestamp granularity keeps the same mtime), so no stamp is written for that build.
- Libraries count by the modification time of every site-packages folder on ``sys.path``: pip
  adds and removes a ``*.dist-info`` folder there for every install, upgrade or uninstall.
- Files inside the output folder are trusted the way ``generator.writer`` trusts them (by the
  folder's identity): hand edits in build/ are not looked for.

Standard library only: the CLI imports this module before anything heavy.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator import __version__

STAMP_FILE = "stamp.json"
_INPUT_FOLDERS = ("content", "templates", "assets")
_RACY_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; ext4 and APFS much finer
_FORMAT = 1


@dataclass(frozen=True)
class Scan:
    """What a build with these options depends on, as one digest, taken before the build reads
    anything. ``trustworthy`` is False when the digest may miss a change (see module doc)."""

    key: str
    trustworthy: bool


def scan(source: Path, output: Path, base_url: str | None, drafts: bool) -> Scan | None:
    """Digest of the build's inputs and options; None when they cannot be scanned safely (a
    symlink among the inputs, an unreadable folder)."""
    started = time.time_ns()
    digest = hashlib.blake2b(digest_size=20)
    options = [_FORMAT, __version__, sys.version, str(source.resolve()), str(output.resolve()),
               base_url, drafts]
    digest.update(json.dumps(options).encode())
    newest = 0
    try:
        for label, root in [("code", Path(__file__).parent)] + [(name, source / name) for name in _INPUT_FOLDERS]:
            for rel, size, mtime in _files(root):
                digest.update(f"{label}/{rel}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
                newest = max(newest, mtime)
        for entry in sys.path:
            if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
                digest.update(f"lib {entry}\0{os.stat(entry).st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    except (_SymlinkFound, OSError):
        return None
    return Scan(digest.hexdigest(), trustworthy=newest < started - _RACY_NS)


class _SymlinkFound(Exception):
    pass


def _files(root: Path):
    """(path relative to root, size, mtime_ns) of every file under ``root``, sorted; bytecode
    caches skipped. A missing root yields nothing (a site may have no assets/)."""
    if not root.is_dir():
        if root.is_symlink():
            raise _SymlinkFound(root)
        return
    stack = [("", str(root))]
    found = []
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    raise _SymlinkFound(entry.path)
                if entry.is_dir():
                    if entry.name != "__pycache__":
                        stack.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    info = entry.stat()
                    found.append((prefix + entry.name, info.st_size, info.st_mtime_ns))
    found.sort()
    yield from found


def _output_identity(output: Path) -> list[int] | None:
    try:
        info = output.stat()
    except OSError:
        return None
    return [info.st_dev, info.st_ino, info.st_ctime_ns]


@dataclass(frozen=True)
class Record:
    """The last build's stamp: what it depended on and what it reported."""

    key: str
    output: list[int]
    pages: int
    data_files: int
    bytes: int
    warnings: tuple[str, ...]


def save(cache_dir: Path, found: Scan | None, output: Path, pages: int, data_files: int, size: int,
         warnings: list[str]) -> None:
    """Record a build that just wrote ``output``; forget the old record when this build's inputs
    could not be trusted. Never fails the build: a stamp that cannot be written is no stamp."""
    path = cache_dir / STAMP_FILE
    identity = _output_identity(output)
    try:
        if found is None or not found.trustworthy or identity is None:
            path.unlink(missing_ok=True)
            return
        cache_dir.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(path.name + ".new")
        fresh.write_text(json.dumps({"key": found.key, "output": identity, "pages": pages,
                                     "data_files": data_files, "bytes": size, "warnings": warnings}),
                         encoding="utf-8")
        os.replace(fresh, path)
    except OSError:
        pass


def up_to_date(cache_dir: Path, source: Path, output: Path, base_url: str | None, drafts: bool) -> Record | None:
    """The last build's record when it still describes ``output`` exactly, else None."""
    try:
        data = json.loads((cache_dir / STAMP_FILE).read_text(encoding="utf-8"))
        record = Record(str(data["key"]), list(data["output"]), int(data["pages"]), int(data["data_files"]),
                        int(data["bytes"]), tuple(str(w) for w in data["warnings"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.output != _output_identity(output):
        return None
    found = scan(source, output, base_url, drafts)
    if found is None or not found.trustworthy or found.key != record.key:
        return None
    return record
