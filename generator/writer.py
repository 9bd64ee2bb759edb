"""Writing the site: stage everything in a sibling directory, then swap it into place.

The previous ``build/`` stays byte-for-byte intact until the new one is complete; on Linux the
swap is a single ``renameat2(RENAME_EXCHANGE)`` so a server reading ``build/`` never sees a
missing directory. Elsewhere it falls back to renames. Two hidden siblings of ``build/`` carry
over between builds: ``.build.spare`` (the tree swapped out, reused as the next staging area)
and ``.build.state.json`` (what each tree holds).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from generator.errors import ContentError, display_path

MARKER = ".nojekyll"  # every Stride build has it; we refuse to replace folders without it
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def overlaps_project(output: Path, source: Path) -> bool:
    """True when ``output`` is the project, holds it, or lies inside an input folder (where the
    next build would read the last one: content/static/site/ doubled the site every build)."""
    out = output.resolve()
    src = source.resolve()
    return out == src or src.is_relative_to(out) or any(
        out.is_relative_to((src / name).resolve()) for name in ("content", "templates", "assets"))


def check_output(output: Path, source: Path) -> None:
    """Refuse outputs that would destroy user files."""
    if overlaps_project(output, source):
        raise ContentError(display_path(output), 0,
                           "the output folder would overwrite or feed the project's own files",
                           "use --output build, or any folder outside content/, templates/ and assets/")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise ContentError(display_path(output), 0, "refusing to replace a folder that is not a Stride build",
                           f"it has no {MARKER}; choose a new or empty --output folder")
    if output.exists() and not output.is_dir():
        raise ContentError(display_path(output), 0, "output path exists and is not a folder")


def write_atomically(output: Path, files: Mapping[str, bytes]) -> bool:
    """Make ``output`` hold exactly ``files`` (POSIX site paths -> bytes). Returns False when it
    already did, in which case nothing on disk changes.

    The new tree is prepared beside ``output`` and swapped in, so ``output`` is always a complete
    build. To keep small edits cheap the tree swapped out is kept as ``.<name>.spare`` and becomes
    the next staging area: only files whose bytes differ are written into it, everything else is
    already there. ``.<name>.state.json`` records what each of the two trees holds (by digest and
    folder inode, so a tree changed or replaced behind our back is not trusted)."""
    parent = output.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    digests = {rel: hashlib.blake2b(data, digest_size=16).hexdigest() for rel, data in files.items()}
    state_path = parent / f".{output.name}.state.json"
    spare = parent / f".{output.name}.spare"
    state = _read_state(state_path)
    current = _trusted(output, state.get("output"))
    if current is not None and _strays(output, current):
        current = None  # something wrote into build/: swap in a clean tree, drop this one
    if current is not None and current == digests:
        return False

    base_files = _trusted(spare, state.get("spare"))
    if base_files is None:
        shutil.rmtree(spare, ignore_errors=True)
        staging, base_files = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent)), {}
    else:
        staging = spare
    # From here on the spare's content is unknown until the swap is done.
    _write_state(state_path, {"output": state.get("output")})
    try:
        try:
            _update_tree(staging, files, digests, base_files)
        except OSError:
            if staging != spare:
                raise
            # e.g. a file where a folder must now be: start from an empty tree instead.
            shutil.rmtree(spare, ignore_errors=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent))
            _update_tree(staging, files, digests, {})
        # The spare's record covers what we wrote, not what someone added since (a file put into
        # build/ would otherwise come back on every other build).
        for stray in _strays(staging, files):
            stray.unlink()
        for folder, _, _ in sorted(os.walk(staging), reverse=True):
            if folder != str(staging) and not os.listdir(folder):
                os.rmdir(folder)
        staging.chmod(0o755)
        if output.exists():
            if not _exchange(staging, output):
                old = parent / f".{output.name}.old-{os.getpid()}"
                shutil.rmtree(old, ignore_errors=True)
                os.rename(output, old)
                os.rename(staging, output)
                os.rename(old, staging)
        else:
            os.rename(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # ``staging`` now holds the previous build (or nothing when there was none).
    new_state: dict = {"output": {"identity": _identity(output), "files": digests}}
    if staging.exists():
        if current is not None:
            if staging != spare:
                shutil.rmtree(spare, ignore_errors=True)
                os.rename(staging, spare)
            new_state["spare"] = {"identity": _identity(spare), "files": current}
        else:
            shutil.rmtree(staging, ignore_errors=True)
    _write_state(state_path, new_state)
    return True


def _update_tree(root: Path, files: Mapping[str, bytes], digests: Mapping[str, str],
                 present: Mapping[str, str]) -> None:
    """Bring ``root`` (holding ``present``) to ``files``: write what differs, drop what is gone."""
    made: set[Path] = {root}
    for rel in sorted(present.keys() - files.keys(), reverse=True):
        target = root / rel
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    for rel in sorted(files):
        if present.get(rel) == digests[rel]:
            continue
        target = root / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if rel in present:
            # A server may be reading the old file; replace it instead of writing into it.
            fresh = target.with_name(f".{target.name}.new")
            fresh.write_bytes(files[rel])
            os.replace(fresh, target)
        else:
            target.write_bytes(files[rel])


def _strays(root: Path, files: Mapping[str, object]) -> list[Path]:
    """Files and links under ``root`` that are not in ``files`` (site paths)."""
    found = []
    for folder, dirs, names in os.walk(root):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = Path(folder, name)
            if path.relative_to(root).as_posix() not in files:
                found.append(path)
    return found


def _trusted(folder: Path, recorded: dict | None) -> dict[str, str] | None:
    """The recorded file digests of ``folder``, or None when the record cannot be trusted."""
    if not recorded:
        return None
    try:
        if folder.is_symlink() or _identity(folder) != recorded.get("identity"):
            return None
    except OSError:
        return None
    files = recorded.get("files")
    return files if isinstance(files, dict) else None


def _identity(folder: Path) -> list[int]:
    """Inode numbers are reused at once; with the change time a recreated folder differs."""
    info = folder.stat()
    return [info.st_dev, info.st_ino, info.st_ctime_ns]


def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(path: Path, state: dict) -> None:
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
    os.replace(fresh, path)
