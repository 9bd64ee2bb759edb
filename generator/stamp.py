"""Up-to-date check: ``stride build`` with nothing changed since the last build does no work.

After every build that wrote the site, a stamp (``.stride-cache/stamp.json``) records what that
build depended on: its options, Stride's own code (with the theme and the built-in plugins' front
ends, which are package data under ``generator/``), the third-party plugins' packages (with their
templates/ and assets/), the installed libraries, and the size and modification time (ns) of every
file under content/ and the site's override folders (``generator.layers.SITE_FOLDERS``: templates/
and assets/); plus the identity of the output folder it wrote. When a new ``stride build`` finds all of that unchanged, the site it
would write is the one already there, so it only says so. The memo in ``generator.cache`` makes a
real rebuild cheap; this check makes "nothing changed" almost free, because it runs before the
build's imports (Markdown, Pygments, Jinja2, NumPy) and reads no content.

Deliberately conservative, since a wrong "up to date" is far worse than a needless rebuild:
- A symlink anywhere in the inputs turns the check off (its target may lie outside the scan).
- A file modified within ``_RACY_NS`` of the scan is not trusted (a second save within the file
  system's timestamp granularity keeps the same mtime), so no stamp is written for that build.
- Libraries count by the modification time of every site-packages folder on ``sys.path`` (pip
  adds and removes a ``*.dist-info`` folder there for every install, upgrade or uninstall) and
  by the names of those folders in every folder on ``sys.path`` (distribution and version).
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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import __version__, dependencies

STAMP_FILE = "stamp.json"
_RACY_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; ext4 and APFS much finer
_FORMAT = 1


@dataclass(frozen=True)
class Scan:
    """What a build with these options depends on, as one digest, taken before the build reads
    anything. ``trustworthy`` is False when the digest may miss a change (see module doc)."""

    key: str
    trustworthy: bool


def scan(source: Path, output: Path, base_url: str | None, drafts: bool,
         plugin_code: tuple[str, ...] = (), unpublished: bool = False) -> Scan | None:
    """Digest of the build's inputs and options; None when they cannot be scanned safely (a
    symlink among the inputs, an unreadable folder). ``plugin_code``: folders or files of
    third-party plugins, watched like Stride's own code."""
    started = time.time_ns()
    digest = hashlib.blake2b(digest_size=20)
    options = [_FORMAT, __version__, sys.version, str(source.resolve()), str(output.resolve()),
               base_url, drafts, list(plugin_code), dependencies.installed_distributions()] + ([True] if unpublished else [])
    digest.update(json.dumps(options).encode())
    newest = 0
    roots = [("code", dependencies.PACKAGE)] + [(name, source / name) for name in dependencies.INPUT_FOLDERS]
    roots += [(f"plugin {number}", Path(root)) for number, root in enumerate(plugin_code)]
    try:
        for label, root in roots:
            # One digest update a root, not one a file: a fifth of the scan at 4,000 posts.
            found = list(_files(root))
            digest.update("".join([f"{label}/{rel}\0{size}\0{mtime}\n" for rel, size, mtime in found]).encode(
                "utf-8", "surrogateescape"))
            newest = max([newest, *(mtime for _, _, mtime in found)])
        for entry in sys.path:
            if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
                digest.update(f"lib {entry}\0{os.stat(entry).st_mtime_ns}\n".encode("utf-8", "surrogateescape"))
    except (_SymlinkFound, OSError):
        return None
    return Scan(digest.hexdigest(), trustworthy=newest < started - _RACY_NS)


def modified_lately(paths: Iterable[str]) -> bool:
    """Whether one of ``paths`` (files) was modified so recently that :func:`scan` would not
    trust a scan taken now (or cannot tell): a build that knows which files it was told changed
    skips scanning the rest, whose digest would only be recorded as untrustworthy."""
    now = time.time_ns()
    for path in paths:
        try:
            if os.stat(path).st_mtime_ns >= now - _RACY_NS:
                return True
        except OSError:
            return True
    return False


class _SymlinkFound(Exception):
    pass


def _files(root: Path):
    """(path relative to root, size, mtime_ns) of every file under ``root``, sorted; bytecode
    caches skipped. A missing root yields nothing (a site may have no assets/); a file root
    yields itself, as ``""``."""
    if root.is_symlink():
        raise _SymlinkFound(root)
    if not root.is_dir():
        if root.is_file():
            info = root.stat()
            yield "", info.st_size, info.st_mtime_ns
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
    """The last build's stamp: what it depended on and what it reported. ``key`` is None when
    that build's inputs could not be trusted; the record then only carries ``plugin_code``."""

    key: str | None
    output: list[int] | None
    pages: int
    data_files: int
    bytes: int
    warnings: tuple[str, ...]
    plugin_code: tuple[str, ...]


def _read(cache_dir: Path) -> Record | None:
    try:
        data = json.loads((cache_dir / STAMP_FILE).read_text(encoding="utf-8"))
        return Record(None if data["key"] is None else str(data["key"]),
                      None if data["output"] is None else [int(n) for n in data["output"]],
                      int(data["pages"]), int(data["data_files"]), int(data["bytes"]),
                      tuple(str(w) for w in data["warnings"]), tuple(str(p) for p in data["plugin_code"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recorded_plugin_code(cache_dir: Path) -> tuple[str, ...]:
    """The third-party plugin code the last build ran (a build scans it before it knows its own
    plugins; if they differ, it writes no usable stamp)."""
    record = _read(cache_dir)
    return record.plugin_code if record else ()


def save(cache_dir: Path, found: Scan | None, output: Path, result) -> None:
    """Record a build that just wrote ``output``: ``result`` is its ``BuildResult``. A build whose
    inputs could not be trusted leaves a record no check accepts. Never fails the build: a stamp
    that cannot be written is no stamp."""
    path = cache_dir / STAMP_FILE
    identity = _output_identity(output)
    usable = found is not None and found.trustworthy and identity is not None
    record = {"key": found.key if usable else None, "output": identity if usable else None,
              "pages": result.pages, "data_files": result.data_files, "bytes": result.bytes,
              "warnings": [str(w) for w in result.warnings], "plugin_code": list(result.plugin_code)}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fresh = path.with_name(path.name + ".new")
        fresh.write_text(json.dumps(record), encoding="utf-8")
        os.replace(fresh, path)
    except OSError:
        try:
            path.unlink(missing_ok=True)  # an old record must not outlive the site it described
        except OSError:
            pass


def up_to_date(cache_dir: Path, source: Path, output: Path, base_url: str | None, drafts: bool,
               unpublished: bool = False) -> Record | None:
    """The last build's record when it still describes ``output`` exactly, else None."""
    record = _read(cache_dir)
    if record is None or record.key is None or record.output != _output_identity(output):
        return None
    found = scan(source, output, base_url, drafts, record.plugin_code, unpublished)
    if found is None or not found.trustworthy or found.key != record.key:
        return None
    return record
