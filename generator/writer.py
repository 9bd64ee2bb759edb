"""Writing the site: stage everything in a sibling directory, then swap it into place.

The previous ``build/`` stays byte-for-byte intact until the new one is complete; on Linux the
swap is a single ``renameat2(RENAME_EXCHANGE)`` so a server reading ``build/`` never sees a
missing directory. Elsewhere it falls back to two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


def check_output(output: Path, source: Path) -> None:
    """Refuse outputs that would destroy user files."""
    out = output.resolve()
    src = source.resolve()
    if out == src or src.is_relative_to(out) or out in {(src / n).resolve() for n in ("content", "templates", "assets")}:
        raise ContentError(display_path(output), 0, "the output folder would overwrite the project's own files",
                           "use --output build")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise ContentError(display_path(output), 0, "refusing to replace a folder that is not a Stride build",
                           f"it has no {MARKER}; choose a new or empty --output folder")
    if output.exists() and not output.is_dir():
        raise ContentError(display_path(output), 0, "output path exists and is not a folder")


def write_atomically(output: Path, files: Mapping[str, bytes]) -> None:
    """Write ``files`` (POSIX site paths -> bytes) as the new content of ``output``."""
    parent = output.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent))
    try:
        made: set[Path] = {staging}
        for rel in sorted(files):
            target = staging / rel
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(files[rel])
        staging.chmod(0o755)
        if output.exists():
            if _exchange(staging, output):
                shutil.rmtree(staging)  # now holds the previous build
                return
            old = parent / f".{output.name}.old-{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(output, old)
            os.rename(staging, output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
