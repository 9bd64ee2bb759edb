"""Probes: the dev server answers only for its own address, and slow clients cannot stall it.

DNS rebinding: a page on another site makes its own host name resolve to 127.0.0.1 and reads
the preview; its requests carry that name in Host (and its origin in Origin), so they get 403.
Slowloris: hundreds of connections that never finish their request line must not keep a normal
request from being answered within a second. All sockets are on loopback; every loop is bounded."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from pathlib import Path

import pytest

from generator.build import BuildOptions
from generator.serve import WORKERS, DevServer
from tests.mini_project import make_mini_project


@pytest.fixture
def dev(tmp_path: Path):
    site = make_mini_project(tmp_path / "site")
    server = DevServer(BuildOptions(source=site, output=site / "build"), port=0, log=lambda *a, **k: None).start()
    yield server
    server.stop()


def port_of(dev: DevServer) -> int:
    return dev.httpd.server_address[1]


def get(dev: DevServer, path: str = "/", headers: dict[str, str] | None = None, host: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port_of(dev), timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}",
                                  "preview.localhost:{port}", "[::1]:{port}"])
def test_the_own_address_and_localhost_names_are_served(dev: DevServer, host: str):
    status, body = get(dev, "/", host=host.format(port=port_of(dev)))
    assert status == 200 and b"<html" in body


@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example", "127.0.0.1.nip.io:{port}",
                                  "localhost:1", "localhost.evil.example:{port}", "", "127.0.0.1:{port}@evil"])
@pytest.mark.parametrize("path", ["/", "/posts/shapes/", "/missing/", "/__stride/events", "/__stride/livereload.js"])
def test_foreign_host_names_get_403_and_nothing_of_the_site(dev: DevServer, host: str, path: str):
    status, body = get(dev, path, host=host.format(port=port_of(dev)))
    assert status == 403
    assert b"<html" not in body.lower() and b"event:" not in body and b"EventSource" not in body


def test_a_request_without_host_gets_403(dev: DevServer):
    with socket.create_connection(("127.0.0.1", port_of(dev)), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 403") or reply.startswith(b"HTTP/1.1 403")


@pytest.mark.parametrize("origin, status", [
    ("http://evil.example", 403), ("http://localhost.evil.example:{port}", 403), ("null", 403),
    ("http://localhost:1", 403), ("http://localhost:{port}", 200), ("http://127.0.0.1:{port}", 200),
])
def test_origin_must_name_the_server_too(dev: DevServer, origin: str, status: int):
    port = port_of(dev)
    got, _ = get(dev, "/", headers={"Origin": origin.format(port=port)}, host=f"127.0.0.1:{port}")
    assert got == status


def _half_open(port: int, count: int, partial: bytes) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if partial:
            sock.sendall(partial)
        sockets.append(sock)
    return sockets


@pytest.mark.parametrize("partial", [b"GET /posts/shapes/ HT", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", b""])
def test_three_hundred_half_open_connections_do_not_stall_a_normal_request(dev: DevServer, partial: bytes):
    port = port_of(dev)
    threads_before = threading.active_count()
    sockets = _half_open(port, 300, partial)
    try:
        time.sleep(0.3)  # the server has seen them all
        for _ in range(5):
            started = time.monotonic()
            status, body = get(dev, "/", host=f"127.0.0.1:{port}")
            assert status == 200 and b"<html" in body
            assert time.monotonic() - started < 1.0
        # The half-open connections cost sockets, not threads.
        assert threading.active_count() <= threads_before + WORKERS
        # ... and the server gives up on them after its header timeout.
        closed = 0
        deadline = time.monotonic() + 15
        for sock in sockets:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                while sock.recv(4096):
                    pass
                closed += 1
            except (TimeoutError, ConnectionResetError):
                pass
        assert closed == len(sockets)
    finally:
        for sock in sockets:
            sock.close()


def test_an_endless_header_is_cut_off(dev: DevServer):
    with socket.create_connection(("127.0.0.1", port_of(dev)), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ")
        reply = b""
        try:
            for _ in range(100):  # 100 x 1 KiB > the 64 KiB limit
                sock.sendall(b"a" * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except ConnectionResetError:
            pass
    assert reply.startswith(b"HTTP/1.1 431") or reply == b""
