"""Keeping every read inside the project folder.

A symlink under content/, assets/ or templates/ (or a ``--file ../../x`` argument) could make a
build read, and then publish, any file on the machine. Every input path goes through
:func:`inside_project`; folders are walked with :func:`project_files`, which checks each link on
the way and never follows one out of the project or round in a loop.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable, Iterator  # not typing's: the up-to-date check imports this module

from generator.errors import ContentError, display_path
from generator.layers import INPUT_FOLDERS


def _outside(path: Path, root: Path) -> tuple[Path, Path] | None:
    """The first link (as written) on the way from ``root`` to ``path`` whose target is outside
    ``root``, with that target; None when the path stays inside."""
    real_root = root.resolve()
    absolute = path if path.is_absolute() else Path(os.path.abspath(path))
    try:
        rel = Path(os.path.abspath(absolute)).relative_to(os.path.abspath(root))
    except ValueError:
        rel = None
    if rel is None:
        # Not even written under the project (an absolute path, or ``..`` parts).
        target = absolute.resolve()
        return None if target.is_relative_to(real_root) else (path, target)
    current = Path(os.path.abspath(root))
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            target = current.resolve()
            if not target.is_relative_to(real_root):
                return current, target
    # The walk above reads ".." as written; the system applies it after following a link
    # (link/../x), so the resolved path has the last word.
    target = absolute.resolve()
    return None if target.is_relative_to(real_root) else (path, target)


def inside_project(path: Path, root: Path, hint: str = "") -> Path:
    """``path`` resolved (symlinks followed). Raises ContentError naming the link and its target
    when the path, or any link on the way to it, leads outside ``root`` (the project folder)."""
    escape = _outside(path, root)
    if escape is not None:
        link, target = escape
        what = "is a symlink to" if link.is_symlink() else "resolves to"
        raise ContentError(display_path(link), 0, f"{what} {target}, outside the project folder",
                           hint or "copy the file into the project instead of linking to it")
    return path.resolve()


def _not_hidden(rel: str, is_dir: bool) -> bool:
    return not rel.rsplit("/", 1)[-1].startswith(".")


def project_files(folder: Path, root: Path,
                  admit: Callable[[str, bool], bool] = _not_hidden) -> Iterator[Path]:
    """Every file under ``folder`` (sorted, paths as written under ``folder``), following links
    that stay inside ``root`` and raising ContentError for one that leaves it or loops back.
    ``admit(rel, is_dir)`` (``rel`` POSIX, relative to ``folder``) picks what is walked and
    listed; by default names starting with a dot are left out, files and folders alike."""
    if not folder.is_dir():
        return
    inside_project(folder, root)

    def walk(current: Path, above: frozenset[Path]) -> Iterator[Path]:
        # A link to a sibling folder is fine (its files come out twice, under both names);
        # only a link back to a folder on the way down would never end.
        real = current.resolve()
        if real in above:
            raise ContentError(display_path(current), 0, "symlink loop",
                               "remove the link that points back to a parent folder")
        for entry in sorted(current.iterdir()):
            is_dir = entry.is_dir()
            if not admit(entry.relative_to(folder).as_posix(), is_dir):
                continue
            if entry.is_symlink():
                inside_project(entry, root)
            if is_dir:
                yield from walk(entry, above | {real})
            elif entry.is_file():
                yield entry

    yield from walk(folder, frozenset())


def overlaps_project(output: Path, source: Path) -> bool:
    """True when ``output`` is the project, holds it, or lies inside an input folder (where the
    next build would read the last one: content/static/site/ doubled the site every build)."""
    out = output.resolve()
    src = source.resolve()
    return out == src or src.is_relative_to(out) or any(
        out.is_relative_to((src / name).resolve()) for name in INPUT_FOLDERS)
