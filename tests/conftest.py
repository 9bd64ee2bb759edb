"""Fixtures shared by the whole suite: the example site built once, a loopback static server,
and a headless Chromium driven by Playwright (Debian's /usr/bin/chromium; Playwright's own
browser download does not work on our machines)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

# The mini project (tests/mini_project.py: make_mini_project, write, tree_digest and its `mini`
# fixture) serves tests in every folder.
pytest_plugins = ("tests.mini_project",)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("STRIDE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("STRIDE_ARTIFACTS", ROOT / "artifacts"))
# The Content-Security-Policy README.md and docs/publishing.md document: everything from the site
# itself, no inline scripts or styles (MathJax's CSS goes into an adopted stylesheet, table
# alignment is by class).
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
              "frame-ancestors 'none'")


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


THEME = ROOT / "generator" / "theme"


def copy_project(dest: Path) -> Path:
    """A private copy of the example project (content, and its templates/ and assets/ overrides
    when it has any; the theme comes with Stride) to build or break."""
    for name in ("content", "templates", "assets"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, symlinks=True)
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def override(project: Path, rel: str) -> Path:
    """Copy the theme's ``rel`` (``"templates/post.html"``, ``"assets/css/site.css"``) into
    ``project`` as a site override, to edit it there; returns the copy."""
    target = project / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(THEME / rel, target)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "site")


def build_project(source: Path, output: Path, **kwargs):
    from generator.build import BuildOptions, build_site

    return build_site(BuildOptions(source=source, output=output, cache_dir=None, **kwargs))


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> Path:
    """The example site built once per session at the root URL; tests must not modify it."""
    out = tmp_path_factory.mktemp("example") / "build"
    build_project(ROOT, out)
    return out


@pytest.fixture(scope="session")
def example_build_subpath(tmp_path_factory) -> Path:
    """The example site built with ``--base-url /my-repo/``."""
    out = tmp_path_factory.mktemp("example-sub") / "build"
    build_project(ROOT, out, base_url="/my-repo/")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extra_headers: dict[str, str] = {}

    def log_message(self, *args) -> None:  # keep pytest output readable
        pass

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()


class StaticServer:
    """Serves ``root`` on a free loopback port, optionally mounted under ``prefix``."""

    def __init__(self, root: Path, prefix: str = "/", headers: dict[str, str] | None = None) -> None:
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        serve_root = root
        if self.prefix != "/":
            # Mount the build under the sub-path the way GitHub Pages does for project sites.
            mount = root.parent / f"{root.name}-mount"
            target = mount / self.prefix.strip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(root.resolve(), target_is_directory=True)
            serve_root = mount
        handler_class = type("Handler", (_QuietHandler,), {"extra_headers": dict(headers or {})})
        handler = functools.partial(handler_class, directory=str(serve_root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def static_server():
    """Factory: ``static_server(build_dir, prefix="/", headers=None)`` returns a running
    StaticServer; ``headers`` are added to every response (e.g. a Content-Security-Policy)."""
    servers: list[StaticServer] = []

    def start(root: Path, prefix: str = "/", headers: dict[str, str] | None = None) -> StaticServer:
        server = StaticServer(root, prefix, headers)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def pytest_collection_modifyitems(config, items) -> None:
    """A test that starts Chromium (it asks for ``browser``, or ``page``, which needs it) must be
    marked ``browser``, or ``pytest -m "not browser"`` would try to launch it."""
    unmarked = [item.nodeid for item in items
                if "browser" in item.fixturenames and item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError("mark these tests @pytest.mark.browser (they start Chromium):\n  "
                                + "\n  ".join(unmarked))


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with playwright_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and uncaught exceptions in ``page.errors``."""
    context = browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda msg: pg.errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
