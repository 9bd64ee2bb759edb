"""``stride serve``: build, serve the site as GitHub Pages would, rebuild on save, reload the browser.

The server adds one thing to what it serves: HTML responses get
``<script src="/__stride/livereload.js">`` (an external file, so a strict CSP still works; never
written into build/). That script listens on ``/__stride/events`` (Server-Sent Events) and reloads
the page once a rebuild has finished, swaps stylesheets when only CSS changed, and draws the
error of a failed rebuild over the page until the file is fixed. The previous good site stays
served meanwhile. Everything else is plain static serving from ``build/``, resolved per request
because every build swaps a new folder into place.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import gc
import ipaddress
import json
import mimetypes
import socket
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build import BuildOptions, Session, build_site, cache_for, watched_paths
from generator.cli import output_refused, port_number
from generator.config import load_config, normalize_base_url
from generator.errors import ContentError, ContentErrors, Diagnostic, errors_of
from generator.httpgate import GatedHandler, GatedHTTPServer, request_allowed
from generator.watch import Watcher
from generator.writer import build_lock, settle

RESERVED = "/__stride/"
MAX_PATH = 2048  # longer request paths get 414, like GitHub Pages' front end
WORKERS = 32  # threads answering requests; slow clients wait in the header gate, not here
SETTLE_AFTER = 0.15  # seconds after a build: writer._RACY_NS (0.1 s) later, the folders' times count
MAX_STREAMS = 16  # live-reload streams (open tabs) at once, so pages always have workers
MIME = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".ico": "image/x-icon", ".pdf": "application/pdf", ".bib": "text/plain; charset=utf-8",
}
_INJECT = b'<script src="/__stride/livereload.js" defer></script>'
_CLIENT = (Path(__file__).parent / "livereload.js").read_bytes()


@dataclass
class SiteState:
    """What the server shares between the build thread and request threads."""

    output: Path
    base: str
    version: int = 0
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)  # tells a restarted server apart
    event: str = "reload"  # what the last version needs: "reload" or "css"
    problems: list[Diagnostic] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, event: str, problems: list[Diagnostic]) -> None:
        with self.changed:
            self.version += 1
            self.event = event
            self.problems = problems
            self.changed.notify_all()


class Builder:
    """Runs the one build pipeline (generator.build) for the server, one build at a time, with a
    cache that lives as long as the server so unchanged widget data is never recomputed."""

    def __init__(self, options: BuildOptions, state: SiteState, log=print) -> None:
        self.options = options
        self.state = state
        self.cache = cache_for(options)
        self.session = Session()  # the last build's reading: an edit re-reads the edited files only
        self.lock = threading.Lock()
        self._settling: threading.Timer | None = None
        self.log = log

    def build(self, changed: set[Path] | None = None) -> bool:
        """Build; ``changed`` is what the watcher saw change since the last call (None: unknown,
        as for the first build), handed to the pipeline as its hint (``build_site``)."""
        with self.lock:
            started = time.perf_counter()
            try:
                result = build_site(self.options, self.cache, session=self.session, changed=changed)
            except (ContentError, ContentErrors) as exc:
                problems = errors_of(exc)
                for problem in problems:
                    self.log(str(problem), file=sys.stderr)
                self.log(f"build failed: still serving the last good site ({len(problems)} problem(s))",
                         file=sys.stderr)
                self.state.publish("error", problems)
                return False
            except OSError as exc:
                problem = Diagnostic(str(exc.filename or self.options.output), 1, f"cannot write the site: {exc.strerror}")
                self.log(str(problem), file=sys.stderr)
                self.state.publish("error", [problem])
                return False
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin or template must not stop the server
                self.log(traceback.format_exc(), file=sys.stderr)
                problem = Diagnostic(str(self.options.source), 1,
                                     f"the build crashed ({type(exc).__name__}: {exc}); the traceback is in the terminal")
                self.state.publish("error", [problem])
                return False
            files = {p for p in changed or () if not p.is_dir()}  # folder events come with file events
            if any(p.suffix == ".py" for p in files):
                # Plugin modules are imported once per process; a rebuild would still run the old code.
                self.log("plugin code changed: restart stride serve to run the new code", file=sys.stderr)
            if self.options.base_url is None:
                # base_url in content/site.yml may have been edited: remount the site where it now lives.
                self.state.base = result.base_url
            css_only = bool(files) and all(p.suffix == ".css" for p in files)
            was_broken = bool(self.state.problems)
            self.state.publish("css" if css_only else "reload", [])
            seconds = time.perf_counter() - started
            if changed is None:
                self.log(f"built {result.pages} pages in {seconds:.2f} s")
            else:
                names = sorted({p.name for p in files or changed})
                what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                fixed = "; the build error is fixed" if was_broken else ""
                self.log(f"rebuilt after {what}: {result.pages} pages in {seconds:.2f} s{fixed}")
            settle_heap()  # after the reload went out: the reader does not wait for it
            self._settle_later()
            return True

    def _settle_later(self) -> None:
        """Once the folders just written are old enough to be told apart by their times
        (writer.settle), record them, between builds: else the next rebuild lists every folder
        a whole new tree (the first build, the first edit after it) holds, 0.1 s at 4,000 posts."""
        if self._settling is not None:
            self._settling.cancel()
        self._settling = threading.Timer(SETTLE_AFTER, self._settle)
        self._settling.daemon = True
        self._settling.start()

    def _settle(self) -> None:
        if not self.lock.acquire(blocking=False):
            return  # a build is running: it surveys the trees itself
        try:
            with build_lock(self.options.output, 0):
                settle(self.options.output)
        except (OSError, ContentError):
            pass  # only the next build's speed depends on it (ContentError: another build holds the lock)
        finally:
            self.lock.release()

    def stop(self) -> None:
        if self._settling is not None:
            self._settling.cancel()


def settle_heap() -> None:
    """Collect what the last build left and freeze what survives (the memo, the compiled
    templates, the documents): the next rebuild's garbage collections then scan only its own
    new objects, not the whole memo again. Python's collector otherwise spent 0.05 s of a
    0.4 s rebuild at 1,000 posts and 0.18 s of 1.2 s at 4,000 walking long-lived objects. What
    was frozen is unfrozen first, so garbage made of objects frozen earlier is still collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Handler(GatedHandler):
    server_version = "StrideDevServer"
    protocol_version = "HTTP/1.1"
    state: SiteState  # set on the subclass made per server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        host, port = self.server.server_address[:2]
        if not request_allowed(self.headers, host, port, self.server.host_names):
            # DNS rebinding: a foreign page's requests carry its own name. No site content,
            # no build errors, not even the 404 page.
            return self.send(403, f"Forbidden: this preview answers only as http://{self.server.url_host}:"
                             f"{port}/ or http://localhost:{port}/\n".encode(), MIME[".txt"], head)
        path = urlsplit(self.path).path
        if path == RESERVED + "livereload.js":
            return self.send(200, _CLIENT, MIME[".js"], head)
        if path == RESERVED + "events":
            return self.events(head)
        self.serve_file(path, head)

    # -- static files, the way GitHub Pages answers ---------------------------------------------
    def serve_file(self, raw_path: str, head: bool) -> None:
        if len(raw_path) > MAX_PATH:
            return self.send(414, b"URI Too Long\n", MIME[".txt"], head)
        try:
            self._serve_file(raw_path, head)
        except OSError:
            # A name the file system refuses (too long, say) names no file of the site.
            self.not_found(head)

    def _serve_file(self, raw_path: str, head: bool) -> None:
        base = self.state.base
        if not raw_path.startswith(base):
            # /my-repo -> /my-repo/ as Pages does; / -> the mount point, for convenience.
            if raw_path in ("/", "", base.rstrip("/")) and base != "/":
                return self.redirect(base)
            return self.not_found(head)
        decoded = unquote(raw_path[len(base):])
        parts = decoded.split("/")
        if "\x00" in decoded or any(part in ("..", ".") for part in parts) or decoded.startswith("/") \
                or "\\" in decoded:
            return self.send(403, b"Forbidden\n", MIME[".txt"], head)
        root = self.state.output.resolve()
        target = (root / decoded).resolve() if decoded else root
        if not target.is_relative_to(root):
            return self.send(403, b"Forbidden\n", MIME[".txt"], head)
        if target.is_dir():
            if not raw_path.endswith("/"):
                return self.redirect(raw_path + "/")
            target = target / "index.html"
        elif not target.exists() and target.with_name(target.name + ".html").is_file():
            target = target.with_name(target.name + ".html")  # /about -> about.html, as Pages does
        if not target.is_file() or not target.resolve().is_relative_to(root):
            return self.not_found(head)
        try:
            body = target.read_bytes()
        except OSError:
            return self.not_found(head)
        self.send(200, body, self.mime(target), head)

    def mime(self, path: Path) -> str:
        suffix = path.suffix.lower()
        return MIME.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    def not_found(self, head: bool) -> None:
        page = self.state.output / "404.html"
        body = page.read_bytes() if page.is_file() else b"<!doctype html><title>Not found</title><h1>404</h1>"
        self.send(404, body, MIME[".html"], head)

    def redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, status: int, body: bytes, content_type: str, head: bool = False) -> None:
        if content_type.startswith("text/html"):
            body = inject(body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    # -- Server-Sent Events ---------------------------------------------------------------------
    def events(self, head: bool = False) -> None:
        # Each open tab holds one stream (and one worker) for as long as it is open: bounded, so
        # streams can never take every worker from page requests.
        if not self.server.streams.acquire(blocking=False):
            return self.send(503, b"Too many live-reload streams; close some tabs\n", MIME[".txt"], head)
        try:
            self._stream(head)
        finally:
            self.server.streams.release()

    def _stream(self, head: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "keep-alive")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        state = self.state
        with state.changed:
            seen = state.version
            problems = list(state.problems)
        try:
            # A dropped stream reconnects after a second; "hello" then tells the page whether it
            # missed a rebuild or is talking to a restarted server (either way: reload).
            self.wfile.write(b"retry: 1000\n\n")
            self.emit("hello", {"version": seen, "instance": state.instance})
            if problems:
                self.emit("error", {"version": seen, "problems": [str(p) for p in problems]})
            while not getattr(self.server, "stopping", False):
                with state.changed:
                    state.changed.wait_for(lambda: state.version != seen or getattr(self.server, "stopping", False),
                                           timeout=15)
                    version, event, problems = state.version, state.event, list(state.problems)
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                seen = version
                if event == "error":
                    self.emit("error", {"version": version, "problems": [str(p) for p in problems]})
                else:
                    self.emit(event, {"version": version})
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def emit(self, event: str, data: dict) -> None:
        self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def inject(html: bytes) -> bytes:
    """Add the live-reload script before </head> (or at the end of a fragment)."""
    lower = html.lower()
    at = lower.rfind(b"</head>")
    if at < 0:
        at = lower.rfind(b"</body>")
    if at < 0:
        return html + _INJECT
    return html[:at] + _INJECT + html[at:]


class _Server(GatedHTTPServer):
    stopping = False
    host_names: frozenset[str] = frozenset()  # a --host given as a name is one of ours
    url_host = "127.0.0.1"


class _IPv6Server(_Server):
    address_family = socket.AF_INET6


class DevServer:
    """The whole dev server: first build, HTTP server, watcher. ``start()`` runs it in
    background threads (tests); ``serve_forever()`` blocks (the CLI)."""

    def __init__(self, options: BuildOptions, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                 base_url: str | None = None, log=print) -> None:
        if base_url is not None and options.base_url is None:
            options = dataclasses.replace(options, base_url=base_url)  # links must match the mount
        try:
            configured = load_config(options.source, options.base_url).base_url
        except (ContentError, ContentErrors):
            configured = "/"
        self.state = SiteState(options.output, normalize_base_url(base_url or configured))
        self.builder = Builder(options, self.state, log)
        self.log = log
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        server_class = _IPv6Server if ":" in host else _Server
        self.httpd = server_class((host, port), handler, workers=WORKERS)
        self.httpd.streams = threading.BoundedSemaphore(MAX_STREAMS)
        self.httpd.host_names = frozenset({host.lower()}) if not _is_address(host) else frozenset()
        self.httpd.url_host = f"[{host}]" if ":" in host else host
        self.watcher = Watcher(watched_paths(options.source), self.builder.build, poll=poll)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}{self.state.base}"

    def start(self) -> "DevServer":
        self.builder.build()
        self.watcher.start()
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.builder.build()
        self.watcher.start()
        self.log(f"serving {self.url}  (watching with {self.watcher.mode}; Ctrl-C stops)")
        try:
            self.httpd.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        self.httpd.stopping = True
        with self.state.changed:
            self.state.changed.notify_all()
        self.watcher.stop()
        self.builder.stop()
        if self._thread is not None:
            self.httpd.shutdown()
        self.httpd.server_close()


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--base-url", dest="base_url", default=None, help="serve under this sub-path, e.g. /my-repo/")
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--unpublished", action="store_true", help="include documents with published: false")
    parser.add_argument("--output", type=Path, default=Path("build"), help="output folder (default: build)")
    parser.add_argument("--poll", action="store_true", help="poll for changes instead of using inotify")


def run(args: argparse.Namespace) -> int:
    output = args.output if args.output.is_absolute() else args.source / args.output
    if output_refused(output, args.source):
        return 2
    options = BuildOptions(source=args.source, output=output, base_url=args.base_url, drafts=args.drafts,
                           unpublished=args.unpublished)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host} makes the preview reachable from other machines",
              file=sys.stderr)
    try:
        server = DevServer(options, args.host, args.port, args.poll, args.base_url)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"port {args.port} on {args.host} is already in use: stop the other server, or pass "
                  f"--port 0 to pick a free port", file=sys.stderr)
        else:
            print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
    return 0


__all__ = ["DevServer", "Handler", "configure_parser", "inject", "run"]
