"""Quality gates over the built example site: valid HTML (Nu HTML Checker) and a strict
Content-Security-Policy in Chromium (no inline styles either). The link check lives in
tests/build/test_build.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, STRICT_CSP

VNU = ROOT / ".cache" / "vnu-26.9.27" / "vnu.jar"


# Marked browser with the Chromium tests: the checker is fetched with npm and runs on Java, which
# the fast loop (-m "not browser") must not need.
@pytest.mark.browser
def test_every_page_is_valid_html(example_build: Path):
    if not VNU.is_file() or shutil.which("java") is None:
        pytest.fail("the Nu HTML Checker is missing: run `bash scripts/ensure-vnu` (make test does)")
    pages = sorted(str(p) for p in example_build.rglob("*.html"))
    assert len(pages) >= 10
    done = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                          capture_output=True, text=True, timeout=240)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    problems = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert problems == []


@pytest.mark.browser
def test_pages_work_under_a_strict_content_security_policy(example_build: Path, static_server, page):
    server = static_server(example_build, headers={"Content-Security-Policy": STRICT_CSP})
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    for rel in ("", "about/", "posts/transposed-convolution/"):
        page.goto(server.url + rel)
        page.wait_for_load_state("networkidle")
        if rel.startswith("posts/"):
            page.wait_for_selector('[data-widget="convtranspose"][data-state="ready"]', timeout=20000)
            page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0",
                                   timeout=20000)
        # The theme toggle is a script feature; it must work without inline handlers.
        before = page.evaluate("document.documentElement.dataset.theme || ''")
        page.locator("[data-theme-toggle]").click()
        assert page.evaluate("document.documentElement.dataset.theme || ''") != before
    assert violations == []
    assert page.errors == []
