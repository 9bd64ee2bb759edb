"""The dev server on loopback, `stride new`, `stride deploy` against a local bare repository, and
the GitHub Pages workflow."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from generator.build import BuildOptions
from generator.cli import main
from generator.serve import DevServer
from tests.conftest import ROOT, THEME
from tests.contrast import CONTRAST_JS
from tests.mini_project import make_mini_project, override, write


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The mini project with its own copy of the theme's stylesheet, for the CSS edits below."""
    project = make_mini_project(tmp_path / "site")
    override(project, "assets/css/site.css")
    return project


@pytest.fixture
def server(site: Path):
    dev = DevServer(BuildOptions(source=site, output=site / "build"), port=0, log=lambda *a, **k: None).start()
    yield dev
    dev.stop()


def request(dev: DevServer, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", dev.httpd.server_address[1], timeout=10)
    conn.request(method, path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


class Events:
    """Reads the server's Server-Sent Events stream."""

    def __init__(self, dev: DevServer) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", dev.httpd.server_address[1], timeout=20)
        self.conn.request("GET", "/__stride/events")
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        assert self.next()[0] == "hello"

    def next(self) -> tuple[str, dict]:
        event, data = None, None
        while True:
            line = self.response.fp.readline().decode()
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "\n" and event:
                return event, data

    def close(self) -> None:
        self.conn.close()


def test_pages_status_codes_and_mime_types(server: DevServer):
    status, headers, body = request(server, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<script src="/__stride/livereload.js" defer></script></head>' in body
    status, headers, _ = request(server, "/posts/shapes")
    assert status == 301 and headers["Location"] == "/posts/shapes/"
    assert request(server, "/posts/shapes/")[0] == 200
    status, _, body = request(server, "/no/such/page/")
    assert status == 404 and b"Page not found" in body
    assert request(server, "/feed.xml")[1]["Content-Type"] == "application/xml"
    assert request(server, "/__stride/livereload.js")[1]["Content-Type"].startswith("text/javascript")
    build = server.state.output
    css = next(build.glob("assets/css/site.*.css")).relative_to(build).as_posix()
    assert request(server, "/" + css)[1]["Content-Type"].startswith("text/css")
    for suffix, expected in ((".json", "application/json"), (".woff", "font/woff"), (".mjs", "text/javascript"),
                             (".svg", "image/svg+xml")):
        found = next(build.rglob(f"*{suffix}"), None)
        if found is None:
            write(build / f"probe{suffix}", "x")  # the mini site has no such file: serve a probe
            found = build / f"probe{suffix}"
        assert request(server, "/" + found.relative_to(build).as_posix())[1]["Content-Type"].startswith(expected)
    # Nothing was injected into the files on disk.
    assert b"__stride" not in (build / "index.html").read_bytes()
    assert request(server, "/", "HEAD")[0] == 200


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/posts/..%2f..%2f..%2fetc/passwd",
                                  "//etc/passwd", "/%2fetc%2fpasswd", "/posts/%00"])
def test_path_traversal_is_refused(server: DevServer, path: str):
    status, _, body = request(server, path)
    assert status in (403, 404)
    assert b"root:" not in body


def test_symlinks_out_of_the_build_are_refused(server: DevServer, tmp_path: Path):
    secret = write(tmp_path / "secret.txt", "top secret")
    (server.state.output / "leak.txt").symlink_to(secret)
    status, _, body = request(server, "/leak.txt")
    assert status in (403, 404) and b"top secret" not in body


def test_base_url_mounts_the_site_under_the_sub_path(site: Path):
    dev = DevServer(BuildOptions(source=site, output=site / "build", base_url="/my-repo/"), port=0,
                    base_url="/my-repo/", log=lambda *a, **k: None).start()
    try:
        assert dev.url.endswith("/my-repo/")
        status, _, body = request(dev, "/my-repo/posts/shapes/")
        assert status == 200 and b'href="/my-repo/' in body
        assert request(dev, "/posts/shapes/")[0] == 404
        assert request(dev, "/")[0] == 301
        status, headers, _ = request(dev, "/my-repo")
        assert status == 301 and headers["Location"] == "/my-repo/"
    finally:
        dev.stop()


def test_editing_base_url_in_the_settings_remounts_the_site(server: DevServer, site: Path):
    events = Events(server)
    settings = site / "content/site.yml"
    settings.write_text(settings.read_text() + "base_url: /moved/\n")
    assert events.next()[0] == "reload"
    events.close()
    status, _, body = request(server, "/moved/posts/shapes/")
    assert status == 200 and b'href="/moved/' in body
    assert request(server, "/posts/shapes/")[0] == 404


def test_reload_event_after_an_edit_and_the_error_overlay_cycle(server: DevServer, site: Path):
    events = Events(server)
    post = site / "content/posts/2024-01-02-second.md"
    post.write_text(post.read_text() + "\nAn added line.\n")
    event, _ = events.next()
    assert event == "reload"
    status, _, body = request(server, "/posts/second/")
    assert b"An added line." in body  # the reload comes after the rebuild, never before

    good = post.read_text()
    post.write_text(good.replace("title: Second post", "title: ''"))
    event, data = events.next()
    assert event == "error"
    assert any("2024-01-02-second.md:3: missing title" in p for p in data["problems"])
    assert b"An added line." in request(server, "/posts/second/")[2]  # last good site still served

    post.write_text(good)
    event, _ = events.next()
    assert event == "reload"
    events.close()


def test_a_crashing_build_is_reported_and_the_server_keeps_serving(server: DevServer, site: Path, monkeypatch):
    import generator.serve

    def crash(*args, **kwargs):
        raise RuntimeError("plugin exploded")

    events = Events(server)
    monkeypatch.setattr(generator.serve, "build_site", crash)
    post = site / "content/posts/2024-01-02-second.md"
    post.write_text(post.read_text() + "\nMore.\n")
    event, data = events.next()
    assert event == "error" and "RuntimeError: plugin exploded" in data["problems"][0]
    assert request(server, "/posts/second/")[0] == 200
    monkeypatch.undo()
    post.write_text(post.read_text() + "\nAgain.\n")
    assert events.next()[0] == "reload"
    events.close()


def test_ctrl_c_stops_the_cli_server_cleanly(site: Path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "generator", "--source", str(site), "serve", "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "serving http://" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, proc.stderr.read()
        url = line.split()[1]
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/__stride/events")  # an open live-reload stream must not block the exit
        assert conn.getresponse().status == 200
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "Traceback" not in err and "stopped" in err


def _enable_convtranspose(site: Path) -> None:
    settings = site / "content/site.yml"
    settings.write_text(settings.read_text() + "plugins:\n  convtranspose: {}\n")


def test_a_text_edit_does_not_recompute_widget_data(site: Path):
    _enable_convtranspose(site)
    assert main(["--source", str(site), "new", "With explorer", "--date", "2025-01-01", "--widget", "convtranspose"]) == 0
    dev = DevServer(BuildOptions(source=site, output=site / "build"), port=0, log=lambda *a, **k: None).start()
    computed: list[str] = []
    memo = dev.builder.cache.memo

    def recording(namespace, key, compute, *args, **kwargs):
        return memo(namespace, key, lambda: (computed.append(namespace), compute())[1], *args, **kwargs)

    dev.builder.cache.memo = recording
    try:
        events = Events(dev)
        post = site / "content/posts/2025-01-01-with-explorer.md"
        post.write_text(post.read_text() + "\nOne more sentence.\n")
        assert events.next()[0] == "reload"
        events.close()
        assert b"One more sentence." in request(dev, "/posts/with-explorer/")[2]
    finally:
        dev.stop()
    assert "markdown" in computed  # the edited post was rendered again ...
    assert "convtranspose" not in computed  # ... but its explorer's data came from the cache


def test_a_first_template_override_is_seen_although_templates_did_not_exist(server: DevServer, site: Path):
    assert not (site / "templates").exists()
    events = Events(server)
    post = site / "templates" / "post.html"
    post.parent.mkdir()
    post.write_text((THEME / "templates/post.html").read_text().replace("</article>", "<p>first override</p></article>", 1))
    assert events.next()[0] == "reload"
    deadline = time.monotonic() + 10
    while b"first override" not in request(server, "/posts/shapes/")[2] and time.monotonic() < deadline:
        time.sleep(0.1)  # the directory's appearance may be built before the file's
    assert b"first override" in request(server, "/posts/shapes/")[2]
    post.unlink()
    assert events.next()[0] == "reload"
    deadline = time.monotonic() + 10
    while b"first override" in request(server, "/posts/shapes/")[2] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert b"first override" not in request(server, "/posts/shapes/")[2]  # the theme's layout again
    events.close()


def test_css_only_change_sends_a_css_event(server: DevServer, site: Path):
    events = Events(server)
    css = site / "assets/css/site.css"
    css.write_text(css.read_text() + "\n.probe { color: red; }\n")
    assert events.next()[0] == "css"
    events.close()


def test_two_hundred_concurrent_requests(server: DevServer):
    paths = ["/", "/posts/shapes/", "/feed.xml", "/about/", "/tags/maths/", "/missing/"] * 34
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda p: request(server, p)[0], paths[:200]))
    assert len(statuses) == 200
    assert statuses.count(404) == paths[:200].count("/missing/")
    assert all(s in (200, 404) for s in statuses)


def test_requests_during_rebuilds_never_fail(server: DevServer, site: Path):
    """build/ is swapped with a staging folder on every rebuild; requests that land meanwhile
    must still find every page."""
    events = Events(server)
    post = site / "content/posts/2024-01-02-second.md"
    original = post.read_text()
    done = threading.Event()

    rebuilt = [0]

    def edit() -> int:
        deadline = time.monotonic() + 30
        while not done.is_set() and time.monotonic() < deadline:
            post.write_text(original + f"\nEdit {rebuilt[0]}.\n")
            assert events.next()[0] == "reload"
            rebuilt[0] += 1
        return rebuilt[0]

    paths = ["/", "/posts/shapes/", "/posts/second/", "/feed.xml", "/about/"] * 50
    statuses: list[int] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=9) as pool:
        editor = pool.submit(edit)
        time.sleep(0.2)  # the first rebuild is under way
        # Rounds of requests until at least three rebuilds happened while they were answered.
        deadline = time.monotonic() + 30
        while (rebuilt[0] < 3 or not statuses) and time.monotonic() < deadline:
            statuses += pool.map(lambda p: request(server, p)[0], paths)
        done.set()
        rebuilds = editor.result()
    events.close()
    assert rebuilds >= 3
    assert statuses == [200] * len(statuses)


def test_busy_port_is_a_clear_error(site: Path, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--source", str(site), "serve", "--port", str(port)]) == 1
    assert f"port {port} on 127.0.0.1 is already in use" in capsys.readouterr().err


@pytest.mark.browser
def test_an_open_page_reloads_itself_and_shows_build_errors(server: DevServer, site: Path, page):
    page.goto(server.url + "posts/second/")
    page.wait_for_function("() => window.__strideEvents && window.__strideEvents.includes('hello')")
    post = site / "content/posts/2024-01-02-second.md"
    good = post.read_text()
    post.write_text(good.replace("Hello *world*.", "Hello *reloaded* world."))
    page.wait_for_selector("text=Hello reloaded world.", timeout=10000)
    page.wait_for_function("() => window.__strideEvents && window.__strideEvents.includes('hello')")
    post.write_text(good.replace("title: Second post", "title: ''"))
    overlay = page.locator("#stride-build-error")
    overlay.wait_for(timeout=10000)
    assert "missing title" in overlay.text_content()
    # Readable over the page in both themes (the theme's pre background once made it 1.1:1).
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        texts = page.evaluate(f"() => ({CONTRAST_JS})(document.querySelectorAll('#stride-build-error strong, "
                              f"#stride-build-error pre'))")
        assert len(texts) == 2 and min(t["ratio"] for t in texts) >= 4.5, (scheme, texts)
    post.write_text(good)
    page.wait_for_selector("text=Hello world.", timeout=10000)
    assert page.locator("#stride-build-error").count() == 0
    assert page.errors == []


@pytest.mark.browser
def test_an_open_page_reloads_after_the_server_restarts(site: Path, page):
    options = BuildOptions(source=site, output=site / "build")
    first = DevServer(options, port=0, log=lambda *a, **k: None).start()
    port = first.httpd.server_address[1]
    try:
        page.goto(first.url + "posts/second/")
        page.wait_for_function("() => window.__strideEvents && window.__strideEvents.includes('hello')")
        page.evaluate("() => { window.__before = true; }")
    finally:
        first.stop()
    # e.g. restarted after a plugin edit: the page must not keep showing the old server's site
    second = DevServer(options, port=port, log=lambda *a, **k: None).start()
    try:
        page.wait_for_function("() => window.__before === undefined && window.__strideEvents"
                               " && window.__strideEvents.includes('hello')", timeout=15000)
    finally:
        second.stop()


@pytest.mark.browser
def test_a_css_edit_restyles_the_open_page_without_reloading_it(server: DevServer, site: Path, page):
    page.goto(server.url + "posts/second/")
    page.wait_for_function("() => window.__strideEvents && window.__strideEvents.includes('hello')")
    page.evaluate("() => { window.__notReloaded = true; }")
    css = site / "assets/css/site.css"
    css.write_text(css.read_text() + "\nhtml { --stride-probe: 7; }\n")
    page.wait_for_function("() => getComputedStyle(document.documentElement)"
                           ".getPropertyValue('--stride-probe').trim() === '7'", timeout=10000)
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.errors == []


# Stricter than the theme needs on style-src: the overlay must draw without inline style markup.
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
              "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'")


@pytest.mark.browser
def test_live_reload_and_overlay_work_under_a_strict_csp_and_never_parse_the_message(
        server: DevServer, page):
    from generator.errors import Diagnostic

    def with_csp(route):
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})

    page.route("**/posts/second/", with_csp)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(server.url + "posts/second/")
    page.wait_for_function("() => window.__strideEvents && window.__strideEvents.includes('hello')")
    hostile = "content/posts/<img src=x onerror=\"window.__pwned=1\">.md"
    server.state.publish("error", [Diagnostic(hostile, 4, "<b>bold</b> is not allowed here")])
    overlay = page.locator("#stride-build-error")
    overlay.wait_for(timeout=10000)
    assert f"{hostile}:4: <b>bold</b> is not allowed here" in overlay.text_content()
    assert overlay.locator("img, b").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert overlay.evaluate("el => getComputedStyle(el).position") == "fixed"
    assert violations == []


def test_new_post_has_a_slug_builds_and_never_overwrites(site: Path, capsys):
    _enable_convtranspose(site)
    assert main(["--source", str(site), "new", "Strides & Zeros: a tour!", "--date", "2025-03-04",
                 "--tags", "convolution, pytorch", "--widget", "convtranspose"]) == 0
    created = site / "content/posts/2025-03-04-strides-zeros-a-tour.md"
    text = created.read_text()
    assert "title: 'Strides & Zeros: a tour!'" in text and "- convolution" in text
    assert '{% widget "widget-1" %}' in text and "plugin: convtranspose" in text
    assert main(["--source", str(site), "build"]) == 0
    assert (site / "build/posts/strides-zeros-a-tour/index.html").is_file()
    before = created.read_text()
    assert main(["--source", str(site), "new", "Strides & Zeros: a tour!", "--date", "2025-03-04"]) == 1
    assert created.read_text() == before
    assert "already exists" in capsys.readouterr().err
    assert main(["--source", str(site), "new", "!!!"]) == 1
    assert "date: 2025-03-04 09:00:00+0000" in before
    from datetime import datetime, timezone

    days = {datetime.now(timezone.utc).date().isoformat()}
    assert main(["--source", str(site), "new", "Written today"]) == 0
    days.add(datetime.now(timezone.utc).date().isoformat())  # in case midnight passed meanwhile
    assert any((site / f"content/posts/{day}-written-today.md").is_file() for day in days)
    assert main(["--source", str(site), "new", "Fine", "--date", "2025-02-30"]) == 1


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_deploy_publishes_exactly_the_build_to_gh_pages(site: Path, tmp_path: Path, capsys):
    remote = tmp_path / "remote.git"
    git("init", "--bare", "-q", str(remote), cwd=tmp_path)
    write(site / "content/static/CNAME", "blog.example.org\n")
    git("init", "-q", "-b", "main", cwd=site)
    git("config", "user.email", "t@example.org", cwd=site)
    git("config", "user.name", "Tester", cwd=site)
    git("add", ".", cwd=site)
    git("commit", "-q", "-m", "site", cwd=site)
    git("remote", "add", "origin", str(remote), cwd=site)

    write(site / "content/posts/2024-09-09-draft.md", "---\ntitle: Unsaved\n---\nwip\n")
    assert main(["--source", str(site), "deploy"]) == 1
    assert "uncommitted changes under content/" in capsys.readouterr().err
    (site / "content/posts/2024-09-09-draft.md").unlink()

    assert main(["--source", str(site), "deploy", "--message", "Publish test"]) == 0
    assert not (site / "build").exists()  # the deploy builds in a folder of its own
    listed = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split())
    assert main(["--source", str(site), "build"]) == 0
    built = {p.relative_to(site / "build").as_posix() for p in (site / "build").rglob("*") if p.is_file()}
    assert listed == built
    assert {"CNAME", ".nojekyll", "index.html"} <= listed
    assert git("log", "-1", "--format=%s", "gh-pages", cwd=remote).strip() == "Publish test"

    # A second clone that saw the first deploy, then another deploy from the first clone: the
    # second clone's next deploy must stack on the newest gh-pages, not be refused as stale.
    git("push", "-q", "origin", "main", cwd=site)
    other = tmp_path / "other"
    git("clone", "-q", "-b", "main", str(remote), str(other), cwd=tmp_path)
    git("config", "user.email", "t@example.org", cwd=other)
    git("config", "user.name", "Tester", cwd=other)
    assert main(["--source", str(site), "deploy", "--message", "Second"]) == 0
    assert main(["--source", str(other), "deploy", "--message", "Third"]) == 0
    history = git("log", "--format=%s", "gh-pages", cwd=remote).split("\n")
    assert history[:3] == ["Third", "Second", "Publish test"]


def test_the_pages_workflow_uses_the_official_actions_and_the_base_path():
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = {s["uses"].split("@")[0] for s in steps if "uses" in s}
    assert {"actions/checkout", "actions/setup-python", "actions/configure-pages",
            "actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    build = next(s for s in steps if s.get("name") == "Build")
    assert '--base-url "${{ steps.pages.outputs.base_path }}/"' in build["run"]
    names = [s.get("name") for s in workflow["jobs"]["build"]["steps"]]
    assert names.index("Test") < names.index("Build")
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_watch_ignores_scratch_files():
    from generator.watch import ignored

    assert ignored(Path("content/posts/.#x.md")) and ignored(Path("content/posts/x.md.swp"))
    assert ignored(Path("build/.build.spare/index.html")) and not ignored(Path("content/posts/x.md"))


def _polled_changes(tmp_path: Path, name: str, make_watcher) -> list[set[Path]]:
    """Start a watcher on a fresh content/ folder, check it polls, save ``name`` there and
    return what the watcher reported within 5 s."""
    seen: list[set[Path]] = []
    folder = tmp_path / "content"
    folder.mkdir()
    watcher = make_watcher(folder, seen.append).start()
    try:
        assert watcher.mode == "polling"
        write(folder / name, "x")
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
    return seen


def test_polling_watcher_sees_changes(tmp_path: Path):
    from generator.watch import Watcher

    seen = _polled_changes(tmp_path, "a.md", lambda folder, report: Watcher([folder], report, poll=True,
                                                                            interval=0.05))
    assert seen and any(p.name == "a.md" for p in seen[0])


def test_watcher_falls_back_to_polling_when_inotify_fails(tmp_path: Path, monkeypatch, capsys):
    import errno

    import generator.watch
    from generator.watch import Watcher

    class NoInotify(generator.watch.Observer):
        def schedule(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(generator.watch, "Observer", NoInotify)
    seen = _polled_changes(tmp_path, "b.md", lambda folder, report: Watcher([folder], report, interval=0.05))
    assert seen and any(p.name == "b.md" for p in seen[0])
    assert "polling instead" in capsys.readouterr().err


def test_a_burst_of_saves_is_one_rebuild(tmp_path: Path):
    from generator.watch import Watcher

    seen: list[set[Path]] = []
    folder = tmp_path / "content"
    folder.mkdir()
    watcher = Watcher([folder], seen.append, debounce=0.3).start()
    try:
        for i in range(5):  # an editor's temp-file-and-rename dance, several files at once
            write(folder / f"tmp{i}.md~", "x")
            write(folder / f"post{i}.md", "x")
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.6)  # a second call, if any, would come within the debounce window
    finally:
        watcher.stop()
    assert len(seen) == 1
    assert {p.name for p in seen[0] if p.is_file()} == {f"post{i}.md" for i in range(5)}


def test_folders_on_shared_file_systems_are_polled(tmp_path: Path):
    from generator.watch import needs_polling

    folder = (tmp_path / "my site" / "content").resolve()
    folder.mkdir(parents=True)
    escaped = str(folder.parent).replace(" ", "\\040")
    local = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    shared = local + f"90 22 0:52 / {escaped} rw,noatime - 9p drvfs rw,dirsync,aname=drvfs\n"
    nested = shared + f"91 90 8:2 / {escaped}/content rw - ext4 /dev/sdb1 rw\n"
    assert not needs_polling([folder], local)
    assert needs_polling([folder], shared)
    assert not needs_polling([folder], nested)  # the innermost mount decides
    assert not needs_polling([tmp_path / "elsewhere"], shared)


def test_deploy_outside_a_git_repository_says_so(site: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["--source", str(site), "deploy"]) == 1
    assert "not a git repository" in capsys.readouterr().err
    assert not (site / "build").exists()  # nothing was built for nothing


def test_new_post_with_a_widget_of_a_plugin_the_site_does_not_enable_says_so(site: Path, capsys):
    assert main(["--source", str(site), "new", "Other widget", "--date", "2025-03-05", "--widget", "pooling"]) == 0
    text = (site / "content/posts/2025-03-05-other-widget.md").read_text()
    assert "plugin: pooling" in text and '{% widget "widget-1" %}' in text
    assert "enable it in content/site.yml" in capsys.readouterr().err


_QUEUE_LIMIT = Path("/proc/sys/fs/inotify/max_queued_events")


def test_changes_the_kernel_dropped_make_the_watcher_report_everything_unknown(tmp_path: Path):
    """A burst larger than the inotify queue (a checkout of thousands of files) loses events:
    the watcher must then say None (read everything), not the paths that happened to get
    through, or the dev server's next build trusts its reading of the files whose events were
    lost and serves them stale."""
    import os
    import subprocess
    import sys

    from generator.watch import Watcher

    if not os.access(_QUEUE_LIMIT, os.W_OK):
        pytest.skip("needs a writable fs.inotify.max_queued_events (Linux, root) to make the kernel drop events")
    folder = tmp_path / "content"
    folder.mkdir()
    seen: list[set[Path] | None] = []
    limit = _QUEUE_LIMIT.read_text()
    _QUEUE_LIMIT.write_text("16")  # read when the watcher's inotify instance is made, in start()
    try:
        watcher = Watcher([folder], seen.append).start()
    finally:
        _QUEUE_LIMIT.write_text(limit)
    try:
        assert watcher.mode == "native"
        # Written by another process, so the burst outruns the watcher's reading thread.
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path\n"
                        "for i in range(2000): Path(sys.argv[1], f'p{i}.md').write_text('x')", str(folder)],
                       check=True)
        deadline = time.monotonic() + 10
        while None not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
    assert None in seen
