"""An HTTP server for the preview that a slow or hostile client cannot stall, and that only
answers for its own address.

- Header gate: one thread waits, with a selector, for every new connection's request head
  (up to the blank line). Only a complete head goes to the bounded worker pool; a connection
  that has not sent it within ``header_timeout`` seconds is closed. Hundreds of half-sent
  requests therefore cost a socket each, not a thread, and a normal request is answered at once.
- One request per connection (``Connection: close``), so an idle keep-alive connection never
  holds a worker either; on loopback a new connection costs next to nothing.
- Host/Origin check (:func:`names_this_server`): a page on another site can make the browser
  resolve its own host name to 127.0.0.1 (DNS rebinding) and then read the preview as if it
  were same-origin; its requests still carry that foreign name in ``Host``, so they get 403.
"""

from __future__ import annotations

import io
import ipaddress
import queue
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024  # request line and headers; browsers send well under 8 KiB
_LOCAL_NAMES = ("localhost",)  # and any name under .localhost (RFC 6761 keeps them on this machine)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def names_this_server(authority: str, bound_host: str, bound_port: int,
                      extra_names: frozenset[str] = frozenset()) -> bool:
    """True when ``authority`` (a Host header, or an Origin's host[:port]) names this server:
    a localhost name, the address it is bound to (any IP address when bound to all of them),
    a loopback address, or a name given with --host; the port must be the bound one.
    Addresses cannot be rebound by DNS, names other than these can."""
    split = urlsplit("//" + authority.strip())
    try:
        host, port = split.hostname, split.port
    except ValueError:
        return False
    if not host or (port if port is not None else 80) != bound_port:
        return False
    host = host.rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost") or host in extra_names:
        return True
    address, bound = _ip(host), _ip(bound_host)
    if address is None:
        return False
    return address.is_loopback or address == bound or (bound is not None and bound.is_unspecified)


def request_allowed(headers, bound_host: str, bound_port: int,
                    extra_names: frozenset[str] = frozenset()) -> bool:
    """The Host header (required) and the Origin header (when sent) both name this server."""
    host = headers.get("Host")
    if not host or not names_this_server(host, bound_host, bound_port, extra_names):
        return False
    origin = headers.get("Origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and names_this_server(parts.netloc, bound_host, bound_port, extra_names)


class _HeaderGate(threading.Thread):
    """Holds new connections until their request head is complete, then hands them on."""

    def __init__(self, dispatch, timeout: float, limit: int) -> None:
        super().__init__(name="stride-http-gate", daemon=True)
        self.dispatch = dispatch
        self.timeout = timeout
        self.limit = limit
        self.selector = selectors.DefaultSelector()
        self.wake_read, self.wake_write = socket.socketpair()
        self.wake_read.setblocking(False)
        self.wake_write.setblocking(False)
        self.selector.register(self.wake_read, selectors.EVENT_READ)
        self.incoming: queue.SimpleQueue = queue.SimpleQueue()
        self.pending: dict[socket.socket, tuple[bytearray, float, object]] = {}  # oldest first
        self.stopping = False

    def add(self, sock: socket.socket, address) -> None:
        self.incoming.put((sock, address))
        self._wake()

    def stop(self) -> None:
        self.stopping = True
        self._wake()

    def _wake(self) -> None:
        try:
            self.wake_write.send(b"\0")
        except OSError:
            pass  # the wake-up buffer is full: the gate is awake anyway

    def run(self) -> None:
        try:
            while not self.stopping:
                for key, _ in self.selector.select(timeout=min(0.25, self.timeout)):
                    if key.fileobj is self.wake_read:
                        self._admit()
                    else:
                        self._read(key.fileobj)
                self._expire()
        finally:
            for sock in list(self.pending):
                self._drop(sock)
            self.selector.close()
            self.wake_read.close()
            self.wake_write.close()

    def _admit(self) -> None:
        try:
            while self.wake_read.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                sock, address = self.incoming.get_nowait()
            except queue.Empty:
                return
            if len(self.pending) >= self.limit:
                self._drop(next(iter(self.pending)))  # the oldest waiter makes room
            sock.setblocking(False)
            self.pending[sock] = (bytearray(), time.monotonic() + self.timeout, address)
            self.selector.register(sock, selectors.EVENT_READ)

    def _read(self, sock: socket.socket) -> None:
        head, _, address = self.pending[sock]
        try:
            data = sock.recv(MAX_HEAD_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            return self._drop(sock)
        # Only the new bytes (and three before them) can complete the blank line.
        start = max(0, len(head) - 3)
        head += data
        if b"\r\n\r\n" in head[start:] or b"\n\n" in head[start:]:
            self.selector.unregister(sock)
            del self.pending[sock]
            sock.setblocking(True)
            self.dispatch(sock, address, bytes(head))
        elif len(head) > MAX_HEAD_BYTES:
            self._drop(sock, b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n"
                             b"Content-Length: 0\r\n\r\n")

    def _expire(self) -> None:
        now = time.monotonic()
        for sock, (_, deadline, _) in list(self.pending.items()):
            if deadline > now:
                break  # in arrival order, so every later one is younger
            self._drop(sock, b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")

    def _drop(self, sock: socket.socket, reply: bytes = b"") -> None:
        if self.pending.pop(sock, None) is not None:
            self.selector.unregister(sock)
        try:
            if reply:
                sock.send(reply)
        except OSError:
            pass
        sock.close()


class _Replay(io.RawIOBase):
    """A connection's bytes as a file: first the request head the gate already read, then the
    socket itself."""

    def __init__(self, head: bytes, sock: socket.socket) -> None:
        self.head = memoryview(head)
        self.sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        return self.sock.recv_into(buffer)


class GatedHTTPServer(HTTPServer):
    """HTTPServer with the header gate and a pool of ``workers`` threads; pair it with a
    handler derived from :class:`GatedHandler`."""

    # socketserver's default of 5 makes a burst of connections wait for SYN retries (1 s each).
    request_queue_size = 1024

    def __init__(self, address, handler, workers: int = 32, header_timeout: float = 5.0,
                 max_waiting: int = 4096) -> None:
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stride-http")
        self.heads: dict[socket.socket, bytes] = {}
        self.heads_lock = threading.Lock()
        self.gate = _HeaderGate(self._dispatch, header_timeout, max_waiting)
        super().__init__(address, handler)  # on a busy port this closes the server and raises
        self.gate.start()

    def process_request(self, request, client_address) -> None:
        self.gate.add(request, client_address)

    def _dispatch(self, sock: socket.socket, address, head: bytes) -> None:
        with self.heads_lock:
            self.heads[sock] = head
        try:
            self.pool.submit(self._work, sock, address)
        except RuntimeError:  # the pool is shut down: the server is stopping
            self.take_head(sock)
            sock.close()

    def _work(self, sock: socket.socket, address) -> None:
        try:
            self.finish_request(sock, address)
        except Exception:  # noqa: BLE001 - as socketserver does: log and close this connection
            self.handle_error(sock, address)
        finally:
            self.take_head(sock)
            self.shutdown_request(sock)

    def take_head(self, sock: socket.socket) -> bytes:
        with self.heads_lock:
            return self.heads.pop(sock, b"")

    def server_close(self) -> None:
        super().server_close()
        if self.gate.is_alive():
            self.gate.stop()
        else:
            self.gate.selector.close()
            self.gate.wake_read.close()
            self.gate.wake_write.close()
        self.pool.shutdown(wait=False, cancel_futures=True)


class GatedHandler(BaseHTTPRequestHandler):
    """Reads the head the gate collected, answers one request and closes the connection."""

    timeout = 30  # seconds per read or write once a worker has the connection

    def setup(self) -> None:
        super().setup()
        head = self.server.take_head(self.request)
        if head:
            self.rfile = io.BufferedReader(_Replay(head, self.request))

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()

    def end_headers(self) -> None:
        if not any(line.lower().startswith(b"connection:") for line in getattr(self, "_headers_buffer", [])):
            self.send_header("Connection", "close")
        super().end_headers()
