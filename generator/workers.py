"""Forked workers that share a list's work with the build process.

``map_in_workers(function, items)`` is ``function(item) for item in items``, in order, computed
by the build process and by ``cpu_count() - 1`` forked copies of it. The items are cut into
chunks of ``CHUNK`` (0-based, in order) and every process, the build process included, takes
the next chunk nobody has taken yet whenever it is free, so nobody waits while work is left.

Why the build process works too, rather than waiting for a pool of ``cpu_count()`` workers:
each forked worker copies the pages of the heap it touches (reference counts are writes), so
at 4,000 posts a worker rendering pages held 25-30 MB of its own; the results the build
process makes itself are never pickled; and while it waited it only competed for a core with
its workers. A worker inherits ``function`` and ``items`` through the fork, so only results
travel, pickled, through a pipe of its own.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import select
import signal
import threading
from typing import Any, Callable, Iterator

PARALLEL_THRESHOLD = 48  # below this many items, forking costs more than it saves
CHUNK = 8  # items a process takes at a time: few enough that the last ones end together
_PIPE_BYTES = 1 << 20  # a chunk of pages is ~100 KB: the worker need not wait to be read
_F_SETPIPE_SZ = 1031  # linux/fcntl.h
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_LENGTH = 8  # bytes of the length in front of each pickled message
_TICKET = 4  # bytes of a chunk number in the ticket pipe


def map_in_workers(function: Callable[[Any], Any], items: list,
                   meanwhile: Callable[[], None] | None = None) -> Iterator[Any] | None:
    """``function(item) for item in items``, shared with forked workers, yielded in order as
    they are done (the caller works on the first results, writing pages say, while the rest
    are made). Returns None when it does not pay (few items, one core) or is not safe: fork only
    while no other thread may hold a lock (the dev server has threads).

    ``function`` must return a picklable result, or None for an item it could not do; None is
    also what every item of a chunk gets when the worker doing it is lost. The caller then does
    those items itself, so errors are reported exactly as without workers. ``function`` runs in
    this process too, so it must not change anything the caller keeps (workers' changes are
    lost; this process's would not be).

    ``meanwhile`` is called here once the workers have started, before this process takes its
    first chunk: work this process would do anyway later (and only when there are workers)."""
    workers = min(os.cpu_count() or 1, 8) - 1
    if len(items) < PARALLEL_THRESHOLD or workers < 1 or threading.active_count() > 1 or not hasattr(os, "fork"):
        return None
    return _shared(function, items, workers, meanwhile)


def _ticket_pipe(count: int) -> int | None:
    """The read end of a pipe holding the chunk numbers 0 .. count - 1 in order, ``_TICKET``
    bytes each, its write end closed; None if they do not fit in a pipe. Taking a chunk is one
    read of ``_TICKET`` bytes: reads of a pipe are serialised by the kernel and every read asks
    for one whole ticket, so no two processes get the same chunk, and an empty pipe with no
    writer reads as the end. (multiprocessing's shared counter did the same with a semaphore,
    and importing multiprocessing was 15-30 ms before the first fork of every build.)"""
    data = b"".join(chunk.to_bytes(_TICKET, "little") for chunk in range(count))
    read_end, write_end = os.pipe()
    try:
        try:
            fcntl.fcntl(write_end, _F_SETPIPE_SZ, max(len(data), 4096))
        except OSError:
            pass  # not Linux, or over the system's limit: the default size may still do
        os.set_blocking(write_end, False)
        written = os.write(write_end, data)
    except OSError:
        written = -1
    finally:
        os.close(write_end)
    if written != len(data):
        os.close(read_end)
        return None
    return read_end


def _shared(function: Callable[[Any], Any], items: list, workers: int,
            meanwhile: Callable[[], None] | None) -> Iterator[Any]:
    chunks = [range(start, min(start + CHUNK, len(items))) for start in range(0, len(items), CHUNK)]
    tickets = _ticket_pipe(len(chunks))
    if tickets is None:  # more chunks than a pipe holds (hundreds of thousands of items)
        yield from map(function, items)
        return
    # A worker's garbage collector would walk every object it inherited, writing to every page
    # of the parent's heap and so copying it: frozen objects are never walked.
    frozen_before = gc.get_freeze_count()  # the dev server keeps its settled heap frozen
    gc.freeze()
    pids: list[int] = []
    pipes: dict[int, bytearray] = {}  # read end of each worker's pipe -> bytes not yet a message
    done: dict[int, list | None] = {}  # chunk -> its results (None: lost with its worker)

    def take() -> int | None:
        ticket = os.read(tickets, _TICKET)
        return int.from_bytes(ticket, "little") if ticket else None

    def receive(wait: bool) -> None:
        """Read what the workers have sent; with ``wait``, block until one of them sends or ends."""
        ready, _, _ = select.select(list(pipes), [], [], None if wait else 0)
        for fd in ready:
            data = os.read(fd, _PIPE_BYTES)
            if not data:  # the worker is gone: anything it took and did not send is lost
                os.close(fd)
                del pipes[fd]
                continue
            buffer = pipes[fd]
            buffer += data
            while len(buffer) >= _LENGTH:
                end = _LENGTH + int.from_bytes(buffer[:_LENGTH], "little")
                if len(buffer) < end:
                    break  # the rest of this message is still in the pipe
                chunk, results = pickle.loads(buffer[_LENGTH:end])
                done[chunk] = results
                del buffer[:end]

    try:
        for _ in range(workers):
            try:
                read_end, write_end = os.pipe()
            except OSError:
                break
            try:
                pid = os.fork()
            except OSError:
                os.close(read_end)
                os.close(write_end)
                break  # no more workers to be had: the rest of the work is shared by fewer
            if pid == 0:  # the worker, which never leaves this branch (a Ctrl-C here included)
                try:
                    os.close(read_end)
                    for fd in pipes:
                        os.close(fd)  # its siblings' pipes: their ends must close when they do
                    _work(function, items, chunks, take, write_end)
                finally:
                    os._exit(1)
            os.close(write_end)
            pids.append(pid)
            pipes[read_end] = bytearray()
        if meanwhile is not None and pids:
            meanwhile()
        for chunk, indices in enumerate(chunks):
            while chunk not in done:
                mine = take()
                if mine is not None:
                    results = []
                    for index in chunks[mine]:
                        results.append(function(items[index]))
                        if pipes:
                            receive(wait=False)  # a worker whose pipe is full waits for this
                    done[mine] = results
                elif pipes:
                    receive(wait=True)
                else:
                    done[chunk] = None  # taken by a worker that is gone
            results = done.pop(chunk)
            yield from results if results is not None else [None] * len(indices)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)  # finished already, unless the caller stopped early
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        for fd in pipes:
            os.close(fd)
        os.close(tickets)
        if not frozen_before:
            gc.unfreeze()


def _work(function: Callable[[Any], Any], items: list, chunks: list[range],
          take: Callable[[], int | None], out: int) -> None:
    """A worker's life: take chunks until none is left, send each one's results, end. Never
    returns: ``os._exit`` skips the parent's exit handlers and buffered output, inherited."""
    code = 0
    try:
        _die_with_parent()
        try:
            fcntl.fcntl(out, _F_SETPIPE_SZ, _PIPE_BYTES)
        except OSError:
            pass  # a smaller pipe only makes the worker wait for the build process sooner
        # What the pipe had no room for yet. The build process reads the pipe only between its
        # own items, and not at all while it does ``meanwhile``: a worker that waited for it
        # then sat idle for 0.16 s of a 1,000-post reading stage (2.2 MB of documents through
        # a 1 MB pipe). It works on instead and sends what is left whenever there is room.
        unsent = bytearray()
        os.set_blocking(out, False)
        while (chunk := take()) is not None:
            try:
                message = pickle.dumps((chunk, [function(items[index]) for index in chunks[chunk]]),
                                       protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - the caller does these items itself, and reports it
                message = pickle.dumps((chunk, None), protocol=pickle.HIGHEST_PROTOCOL)
            unsent += len(message).to_bytes(_LENGTH, "little")
            unsent += message
            del message
            try:
                del unsent[:os.write(out, unsent)]
            except BlockingIOError:
                pass  # the pipe is full: the next chunk's turn, or the end, sends it
        os.set_blocking(out, True)
        while unsent:
            del unsent[:os.write(out, unsent)]
    except BaseException:  # noqa: BLE001 - Ctrl-C, or the build process gone (a broken pipe)
        code = 1
    os._exit(code)


def _die_with_parent() -> None:
    """End this worker as soon as the build process ends, however it ends (Linux's prctl; the
    process's own symbols include libc's, where find_library would run ldconfig). Elsewhere the
    worker ends at its next send, which fails once nobody holds the pipe's read end."""
    try:
        import ctypes  # here, in the worker: 4-6 ms the build process need not spend before forking

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
