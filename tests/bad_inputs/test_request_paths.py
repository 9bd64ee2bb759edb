"""Hostile request paths against the real dev server (``stride serve`` in a subprocess): every
one gets a proper HTTP answer (before, a 300-character path got an empty reply: the file
system's "name too long" escaped the handler), and the server keeps serving afterwards."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.bad_inputs.harness import record

PATHS = {
    "long-name-300": ("/" + "a" * 300, 404),
    "long-name-in-folder": ("/posts/" + "b" * 300 + "/index.html", 404),
    "long-encoded-name": ("/" + "%41" * 300, 404),
    "many-short-parts": ("/" + "x/" * 900, 404),
    "path-over-2048": ("/" + "c" * 3000, 414),
    "encoded-nul": ("/index%00.html", 403),
    "encoded-dot-dot": ("/%2e%2e/%2e%2e/etc/passwd", 403),
}


@pytest.fixture(scope="module")
def dev_server(hostile_good_project: Path, tmp_path_factory):
    import shutil

    project = tmp_path_factory.mktemp("paths") / "site"
    shutil.copytree(hostile_good_project, project, symlinks=True)
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0", "--poll"], cwd=project,
                               env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ""
    while "serving " not in line:
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
        line = process.stdout.readline()
    port = int(re.search(r":(\d+)/", line).group(1))
    yield port, process
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert "Traceback" not in err, err


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.mark.parametrize("name", sorted(PATHS))
def test_a_hostile_path_gets_a_proper_answer(dev_server, name: str):
    port, _ = dev_server
    path, expected = PATHS[name]
    try:
        status, _ = get(port, path)
    except (http.client.HTTPException, ConnectionError) as exc:
        record(f"request-{name} (serve)", traceback=True)
        pytest.fail(f"{name}: no proper HTTP answer ({type(exc).__name__}: {exc})")
    record(f"request-{name} (serve)", clear_error=status == expected)
    assert status == expected
    assert get(port, "/")[0] == 200  # and the server still answers


def test_an_overlong_request_line_gets_414(dev_server):
    port, _ = dev_server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /" + b"d" * 70_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        reply = sock.recv(200)
    record("request-line-70k (serve)", clear_error=reply.startswith(b"HTTP/1.") and b" 414 " in reply[:20])
    assert reply.startswith(b"HTTP/1.") and b" 414 " in reply[:20]
    assert get(port, "/")[0] == 200
