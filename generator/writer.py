"""Writing the site: stage everything in a sibling directory, then swap it into place.

The previous ``build/`` stays byte-for-byte intact until the new one is complete; on Linux the
swap is a single ``renameat2(RENAME_EXCHANGE)`` so a server reading ``build/`` never sees a
missing directory. Elsewhere it falls back to renames. Two hidden siblings of ``build/`` carry
over between builds: ``.build.spare`` (the tree swapped out, reused as the next staging area)
and ``.build.state.json`` (what each tree holds).

One build at a time: ``build_lock`` holds an advisory lock (``flock``) on ``.build.lock``, the
third sibling, for a whole build (memo, stamp and swap included), so two ``stride build`` or a
build beside ``stride serve`` take turns instead of mixing their trees. Whatever an interrupted
or older Stride left (a staging folder, a half-done fallback swap, a build without its marker)
is recognised under that lock and repaired or explained.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

from generator.errors import ContentError, display_path
from generator.paths import overlaps_project

MARKER = ".nojekyll"  # every Stride build has it; we refuse to replace folders without it
WAIT_ENV = "STRIDE_BUILD_WAIT"  # seconds a build waits for another one of the same folder
DEFAULT_WAIT = 60.0
# Stride's pages name it in <meta name="generator">: how a build that lost its marker (an older
# Stride, or one interrupted before this version) is told apart from a user's folder.
_STRIDE_PAGE = re.compile(rb'<meta name="generator" content="Stride[ "]')
# (lock file, thread) -> [fd, depth]: re-entrant within a thread; another thread of the same
# process opens its own descriptor and waits like another process (flock locks belong to the
# open file, not to the process).
_HELD: dict[tuple[str, int], list] = {}


def _forget_locks() -> None:
    """In a forked child (a build's worker): close the inherited lock descriptors, so only the
    build itself holds the lock (closing, unlike LOCK_UN, leaves the parent's lock in place)."""
    for fd, _ in _HELD.values():
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_locks)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the platform cannot."""
    # ctypes is imported here, not at the top: "nothing changed" builds import this module and
    # never swap. The process's own symbols include libc's; find_library would run ldconfig in
    # a subprocess on every swap (5-8 ms, each dev-server rebuild included).
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def wait_seconds(given: float | None = None) -> float:
    """How long a build waits for the lock: ``given``, else $STRIDE_BUILD_WAIT, else 60 s."""
    if given is not None:
        return given
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        raise ContentError(WAIT_ENV, 0, f"{WAIT_ENV}={os.environ[WAIT_ENV]!r} is not a number of seconds",
                           f"e.g. {WAIT_ENV}=120") from None


@contextlib.contextmanager
def build_lock(output: Path, wait: float | None = None,
               say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of ``output`` (``.<name>.lock`` beside it) for the ``with`` block. When
    another process holds it, say so once and wait up to ``wait`` seconds (``wait_seconds``),
    then raise ContentError. Re-entrant in one thread. The lock dies with its holder (the kernel
    drops an ``flock`` when the last descriptor closes), so a killed build never leaves it stuck."""
    wait = wait_seconds(wait)
    parent = output.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    path = parent / f".{output.name}.lock"
    slot = (str(path), threading.get_ident())
    held = _HELD.get(slot)
    if held is not None:
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        if not _try_lock(fd):
            holder = _holder(fd)
            (say or _stderr)(f"waiting for another build of {display_path(output)}/"
                             f"{f' (pid {holder})' if holder else ''}…")
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    raise ContentError(display_path(output), 0,
                                       f"another build of this folder{f' (pid {holder})' if holder else ''} "
                                       f"is still running after {wait:g} s",
                                       f"let it finish or stop it; {WAIT_ENV}=SECONDS or --wait SECONDS "
                                       "waits longer")
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        _HELD[slot] = [fd, 1]
        try:
            yield
        finally:
            del _HELD[slot]
    finally:
        os.close(fd)  # releases the lock


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def check_output(output: Path, source: Path) -> list[str]:
    """Refuse outputs that would destroy user files; repair what an interrupted or older Stride
    left beside or in ``output``. Returns notes on what was repaired (for warnings). Call it
    holding ``build_lock(output)``: the leftovers it clears could otherwise be another build's."""
    if overlaps_project(output, source):
        raise ContentError(display_path(output), 0,
                           "the output folder would overwrite or feed the project's own files",
                           "use --output build, or any folder outside content/, templates/ and assets/")
    notes = _clear_leftovers(output)
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise ContentError(display_path(output), 0, "output path exists and is not a folder",
                           f"remove it (rm {display_path(output)}) or choose another --output")
    if output.is_dir() and not (output / MARKER).exists() and any(output.iterdir()):
        if not _made_by_stride(output):
            raise ContentError(display_path(output), 0, "refusing to replace a folder that is not a Stride build",
                               f"it has no {MARKER} and no page made by Stride; choose a new or empty --output "
                               f"folder, or delete it if it is an old site: rm -r {display_path(output)}")
        notes.append(f"{display_path(output)}/ has no {MARKER} (left by an older or interrupted Stride): "
                     "replaced by a complete build")
    return notes


def _made_by_stride(output: Path) -> bool:
    """A Stride build lacking its marker: the state file names this very folder, or its home
    page says Stride made it."""
    state = _read_state(output.absolute().parent / f".{output.name}.state.json")
    if _trusted(output, state.get("output")) is not None:
        return True
    try:
        with open(output / "index.html", "rb") as page:
            return _STRIDE_PAGE.search(page.read(65536)) is not None
    except OSError:
        return False


def _clear_leftovers(output: Path) -> list[str]:
    """Remove staging folders of killed builds; put back a previous build that a crash in the
    middle of the rename fallback left as ``.<name>.old-<pid>``."""
    parent = output.absolute().parent
    notes = []
    olds = sorted(parent.glob(f".{output.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    if olds and not output.exists() and (olds[0] / MARKER).exists():
        os.rename(olds[0], output)
        notes.append(f"restored {display_path(output)}/ from {olds[0].name}, left by an interrupted build")
        olds = olds[1:]
    for stale in olds + list(parent.glob(f".{output.name}.staging-*")):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
    return notes


class Prestaged:
    """A fresh staging tree that a build fills while it still renders (``put`` as each file is
    made), so the disk work of a cold build overlaps the rendering instead of following it.
    ``write_atomically(..., staged=)`` completes it and swaps it in; until then ``build/`` is
    untouched. Writing ahead is best effort: after a file that cannot be written here nothing
    more is, and write_atomically writes everything as it would have, reporting the error."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.digests: dict[str, str] = {}  # site path -> digest of what the tree holds
        self._written: dict[str, bytes] = {}  # site path -> the very bytes object put there
        self._folders = {os.fspath(root)}
        self._failed = False
        self._taken = False

    def put(self, rel: str, data: bytes) -> None:
        """Write ``data`` at site path ``rel`` (POSIX, already checked to stay inside the site).
        The very bytes object put there before is not written again."""
        if self._failed or self._taken or self._written.get(rel) is data:
            return
        digest = self.write_ahead(rel, data)
        if digest is None:
            self._failed = True
        else:
            self.written(rel, data, digest)

    def write_ahead(self, rel: str, data: bytes) -> str | None:
        """Write ``data`` at site path ``rel`` without recording it: the digest of what is now
        there, or None when it could not be written. A forked worker writes the pages it renders
        this way, so the file system's work (a cold build's thousand folders and files, slow on
        some disks) is shared by every core; the build process then records each page with
        :meth:`written`, or writes it again with :meth:`put` when the worker could not."""
        if self._failed or self._taken:
            return None
        target = os.path.join(self.root, *rel.split("/"))
        folder = os.path.dirname(target)
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)  # another worker may make it at the same time
                self._folders.add(folder)
            with open(target, "wb") as out:
                out.write(data)
        except OSError:
            return None
        return _digest(data)

    def written(self, rel: str, data: bytes, digest: str) -> None:
        """Record that ``rel`` holds ``data`` (of ``digest``), written by :meth:`write_ahead`."""
        if self._failed or self._taken:
            return
        self.digests[rel] = digest
        self._written[rel] = data

    def digest_of(self, rel: str, data: bytes) -> str:
        """The digest of ``data``, known already when it is what was put at ``rel``."""
        return self.digests[rel] if self._written.get(rel) is data else _digest(data)

    def take(self) -> tuple[Path, dict[str, str]] | None:
        """The tree and what it holds, handed over to the writer; None when writing ahead failed."""
        if self._failed or self._taken:
            return None
        self._taken = True
        return self.root, self.digests

    def discard(self) -> None:
        """Remove the tree unless the writer took it."""
        if not self._taken:
            self._taken = True
            shutil.rmtree(self.root, ignore_errors=True)


def prestage(output: Path) -> Prestaged | None:
    """A tree to fill ahead of :func:`write_atomically` when it would start from an empty one
    (no trusted build or spare to update: a first or cold build). An incremental build writes a
    handful of files into the spare at the end instead, and gets None. Hold ``build_lock``."""
    parent = output.absolute().parent
    state = _read_state(parent / f".{output.name}.state.json")
    if _trusted(output, state.get("output")) is not None or \
            _trusted(parent / f".{output.name}.spare", state.get("spare")) is not None:
        return None
    parent.mkdir(parents=True, exist_ok=True)
    return Prestaged(Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent)))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def write_atomically(output: Path, files: Mapping[str, bytes], staged: Prestaged | None = None) -> bool:
    """Make ``output`` hold exactly ``files`` (POSIX site paths -> bytes). Returns False when it
    already did, in which case nothing on disk changes. ``staged`` is a tree :func:`prestage`
    gave and the build filled ahead; it is used when the new tree starts from nothing, else
    removed.

    The new tree is prepared beside ``output`` and swapped in, so ``output`` is always a complete
    build. To keep small edits cheap the tree swapped out is kept as ``.<name>.spare`` and becomes
    the next staging area: only files whose bytes differ are written into it, everything else is
    already there. ``.<name>.state.json`` records what each of the two trees holds (by digest and
    folder inode, so a tree changed or replaced behind our back is not trusted), and the
    modification time of each of their folders: only a folder whose time moved since (a file
    added, removed or renamed in it by hand) is listed again, not the whole tree."""
    parent = output.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    try:
        return _write_atomically(output, files, staged)
    finally:
        if staged is not None:
            staged.discard()


def _write_atomically(output: Path, files: Mapping[str, bytes], staged: Prestaged | None) -> bool:
    parent = output.absolute().parent
    state_path = parent / f".{output.name}.state.json"
    digests = _digests(str(state_path), files, staged)
    spare = parent / f".{output.name}.spare"
    state = _read_state(state_path)
    current = _trusted(output, state.get("output"))
    output_folders: dict[str, int] = {}
    if current is not None and current == digests:
        # Nothing to write only if build/ still holds exactly that: look.
        survey = _survey(output, current, state["output"].get("folders"))
        if not survey.extra and not survey.missing:
            return False
        current = None  # something wrote into build/: swap in a clean tree, drop this one
    elif current is not None:
        # build/ is swapped out and becomes the spare with its record: the next write surveys
        # it as the spare before writing into it (and repairs whatever was done to it by
        # hand), so it need not be surveyed now too (4,000 folder stats at 4,000 posts).
        recorded = state["output"].get("folders")
        output_folders = dict(recorded) if isinstance(recorded, dict) else {}

    base_files = _trusted(spare, state.get("spare"))
    staging = spare
    survey = None
    if base_files is not None:
        survey = _survey(spare, base_files, state["spare"].get("folders"))
        base_files = _repaired(spare, base_files, survey)
    if base_files is None:
        shutil.rmtree(spare, ignore_errors=True)
        taken = staged.take() if staged is not None else None
        staging, base_files = taken or (Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent)), {})
        survey = None
    # From here on the spare's content is unknown until the swap is done.
    _write_state(state_path, {"output": state.get("output")})
    try:
        try:
            touched = _update_tree(staging, files, digests, base_files)
        except OSError:
            if staging != spare:
                raise
            # e.g. a file where a folder must now be: start from an empty tree instead.
            shutil.rmtree(spare, ignore_errors=True)
            staging, survey = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=parent)), None
            touched = _update_tree(staging, files, digests, {})
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
    folders = {} if survey is None else {folder: when for folder, when in survey.folders.items()
                                         if folder not in touched}
    new_state: dict = {"output": {"identity": _identity(output), "files": digests,
                                  "folders": _folder_times(_folders_of(files), folders)}}
    if staging.exists():
        if current is not None:
            if staging != spare:
                shutil.rmtree(spare, ignore_errors=True)
                os.rename(staging, spare)
            new_state["spare"] = {"identity": _identity(spare), "files": current, "folders": output_folders}
        else:
            shutil.rmtree(staging, ignore_errors=True)
    _write_state(state_path, new_state)
    return True


def settle(output: Path) -> bool:
    """Record the times of the folders of ``output`` and of its spare that the last write could
    not trust yet (written within ``_RACY_NS``, or never read), once they can be: the next write
    then stats those folders instead of listing each one (4,000 listings at 4,000 posts, after
    a write that made a whole tree). Only a tree the survey finds exactly as recorded has its
    times recorded; anything else is left for the next write to find and repair. Returns whether
    the record changed. Hold ``build_lock``."""
    parent = output.absolute().parent
    state_path = parent / f".{output.name}.state.json"
    state = _read_state(state_path)
    changed = False
    for name, tree in (("output", output), ("spare", parent / f".{output.name}.spare")):
        record = state.get(name)
        files = _trusted(tree, record)
        times = record.get("folders") if files is not None else None
        if not isinstance(times, dict) or _UNSURE not in times.values():
            continue
        survey = _survey(tree, files, times)
        if survey.extra or survey.missing:
            continue
        record["folders"] = survey.folders
        changed = True
    if changed:
        _write_state(state_path, state)
    return changed


# The digests of the files the last few writes were given, by state file: a rebuild that hands
# in the very same bytes object for a path (a page its memo kept) reuses its digest instead of
# hashing the whole site again (65 MB at 4,000 posts).
_LAST_DIGESTS: dict[str, tuple[dict[str, bytes], dict[str, str]]] = {}
_LAST_DIGESTS_KEPT = 4


def _digests(key: str, files: Mapping[str, bytes], staged: Prestaged | None = None) -> dict[str, str]:
    last_files, last = _LAST_DIGESTS.pop(key, ({}, {}))
    fresh = staged.digest_of if staged is not None else lambda rel, data: _digest(data)
    digests = {rel: last[rel] if last_files.get(rel) is data else fresh(rel, data) for rel, data in files.items()}
    _LAST_DIGESTS[key] = (dict(files), digests)
    while len(_LAST_DIGESTS) > _LAST_DIGESTS_KEPT:
        del _LAST_DIGESTS[next(iter(_LAST_DIGESTS))]
    return digests


def _update_tree(root: Path, files: Mapping[str, bytes], digests: Mapping[str, str],
                 present: Mapping[str, str]) -> set[str]:
    """Bring ``root`` (holding ``present``) to ``files``: write what differs, drop what is gone.
    Returns the folders (site paths, "" for the top) whose entries changed."""
    made: set[Path] = {root}
    touched: set[str] = set()
    for rel in sorted(present.keys() - files.keys(), reverse=True):
        target = root / rel
        target.unlink(missing_ok=True)
        touched.add(rel.rpartition("/")[0])
        folder = target.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
            touched.add(folder.relative_to(root).as_posix() if folder != root else "")
    for rel in sorted(files):
        if present.get(rel) == digests[rel]:
            continue
        target = root / rel
        folder = rel.rpartition("/")[0]
        touched.add(folder)
        if target.parent not in made:
            if not target.parent.is_dir():
                while folder:  # the folders made, and the one each is made in
                    folder = folder.rpartition("/")[0]
                    touched.add(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        if rel in present:
            # A server may be reading the old file; replace it instead of writing into it.
            fresh = target.with_name(f".{target.name}.new")
            fresh.write_bytes(files[rel])
            os.replace(fresh, target)
        else:
            target.write_bytes(files[rel])
    return touched


# A folder whose time is this close to when it was read may change again within the same tick
# of the file system's clock (1-10 ms; whole seconds on some): it is listed again next time.
_RACY_NS = 100_000_000
_RACY_COARSE_NS = 2_000_000_000  # times in whole milliseconds or seconds: a coarse clock
_UNSURE = -1  # a recorded folder time that never matches


# The last few answers of _folders_of by the paths asked about: a rebuild that writes the same
# paths as the last one (an edit) asks three times about the same 4,000-odd paths.
_FOLDERS_KNOWN: dict[tuple[str, ...], dict[str, set[str]]] = {}
_FOLDERS_KEPT = 4


def _folders_of(files: Iterable[str]) -> dict[str, set[str]]:
    """Every folder (site path, "" for the top) the files need, with the names of the files and
    folders directly in it (shared with later calls for the same paths: not to be changed)."""
    paths = tuple(sorted(files))
    known = _FOLDERS_KNOWN.pop(paths, None)
    if known is None:
        known = _list_folders(paths)
    _FOLDERS_KNOWN[paths] = known
    while len(_FOLDERS_KNOWN) > _FOLDERS_KEPT:
        del _FOLDERS_KNOWN[next(iter(_FOLDERS_KNOWN))]
    return known


def _list_folders(files: Iterable[str]) -> dict[str, set[str]]:
    entries: dict[str, set[str]] = {"": set()}
    for rel in files:
        folder, _, name = rel.rpartition("/")
        while True:
            known = folder in entries
            entries.setdefault(folder, set()).add(name)
            if known or not folder:
                break
            folder, _, name = folder.rpartition("/")
    return entries


def _folder_times(wanted: Iterable[str], known: Mapping[str, int]) -> dict[str, int]:
    """The recorded time of each folder: ``known`` where read and not written since, else
    ``_UNSURE`` (a folder just written changed too recently to tell a later change by its time;
    the next survey lists it and reads its time)."""
    return {folder: known.get(folder, _UNSURE) for folder in wanted}


def _sure_time(mtime: int, now: int) -> int:
    racy = _RACY_COARSE_NS if mtime % 1_000_000 == 0 else _RACY_NS
    return mtime if now - mtime > racy else _UNSURE


@dataclass(frozen=True)
class _Survey:
    """How a tree differs from its record: entries that should not be there (site paths),
    recorded files or folders that are gone, and the times of its folders as read now."""

    extra: tuple[str, ...]
    missing: frozenset[str]
    folders: dict[str, int]


def _survey(root: Path, recorded: Mapping[str, str], times: Mapping[str, int] | None) -> _Survey:
    """Compare ``root`` with the files its record says it holds. Only folders whose time differs
    from ``times`` (all of them without one) are listed: adding, removing or renaming an entry
    changes its folder's time, so the others hold what they held when last read. A symbolic
    link is always extra (the tree is ours alone)."""
    top = os.fspath(root)
    wanted = _folders_of(recorded)
    times = times if isinstance(times, dict) else {}
    extra: list[str] = []
    missing: set[str] = set()
    folders: dict[str, int] = {}
    now = time.time_ns()
    for folder, names in wanted.items():
        path = os.path.join(top, folder)
        prefix = folder + "/" if folder else ""
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            info = None
        if info is None or not stat.S_ISDIR(info.st_mode):
            missing.update(prefix + name for name in names)
            continue
        if times.get(folder) == info.st_mtime_ns:
            folders[folder] = info.st_mtime_ns
            continue
        found = set()
        with os.scandir(path) as listing:
            for entry in listing:
                rel = prefix + entry.name
                found.add(entry.name)
                if entry.is_symlink() or entry.name not in names:
                    extra.append(rel)
                elif entry.is_dir(follow_symlinks=False) != (rel in wanted):
                    extra.append(rel)  # a folder where a file should be, or the other way
                    found.discard(entry.name)
        missing.update(prefix + name for name in names - found)
        folders[folder] = _sure_time(info.st_mtime_ns, now)
    return _Survey(tuple(extra), frozenset(missing), folders)


def _repaired(root: Path, recorded: dict[str, str], survey: _Survey) -> dict[str, str] | None:
    """What ``root`` holds once the survey's extra entries are removed (a file put into build/
    by hand, or half written by a killed build, would otherwise come back with the spare): the
    record without the files found missing. None when the tree cannot be repaired."""
    if not survey.extra and not survey.missing:
        return recorded
    top = os.fspath(root)
    try:
        for rel in survey.extra:
            path = os.path.join(top, rel)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
    except OSError:
        return None
    gone = set(survey.missing)
    # A folder that lost an entry changed: forget its time, it is listed next time.
    for rel in (*survey.extra, *gone):
        survey.folders.pop(rel.rpartition("/")[0], None)
    # Inside a folder found extra, or missing, every recorded file is gone.
    holders = tuple(rel + "/" for rel in (*survey.extra, *gone))
    return {rel: digest for rel, digest in recorded.items() if rel not in gone and not rel.startswith(holders)}


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
