"""What a new user does, from a wheel: ``pip wheel .``, install that wheel (not editable) into a
fresh virtualenv, ``stride init site && cd site && stride build``; the widget page then comes to
life in Chromium without a single request outside the site. Also: the wheel carries every file
of the theme, of the built-in plugin's front end and of the ``stride init`` skeleton.

pip may reach PyPI for the dependencies; its cache keeps that quick, and ``/opt/wheels`` (where
our machines keep wheels, see the Makefile's PIP_LOCAL) is searched first when it exists."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from bench.installed import LOCAL_WHEELS, clean_env, source_tree

pytestmark = pytest.mark.browser
PACKAGE_DATA = ("generator/theme", "generator/plugins/convtranspose/assets", "generator/skeleton")


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("wheel")
    env = clean_env()
    local = ["--find-links", str(LOCAL_WHEELS)] if LOCAL_WHEELS.is_dir() else []
    source = source_tree(work / "src")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(source)],
         work, env)
    wheel = next((work / "dist").glob("stride-*.whl"))
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    bin_dir = work / "venv" / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *local, str(wheel)], work, env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return {"work": work, "wheel": wheel, "bin": bin_dir, "env": env, "source": source}


def test_the_wheel_carries_the_theme_the_plugin_front_end_and_the_skeleton(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    source = installed["source"]
    for folder in PACKAGE_DATA:
        files = sorted(p.relative_to(source).as_posix() for p in (source / folder).rglob("*") if p.is_file())
        assert files, folder
        missing = [f for f in files if f not in names]
        assert not missing, f"the wheel lacks {len(missing)} files of {folder}: {missing[:5]}"
    for licence in ("generator/theme/assets/vendor/mathjax-3.2.2/LICENSE",
                    "generator/theme/assets/vendor/d3-selection-3.0.1/LICENSE"):
        assert licence in names


def test_init_then_build_from_the_wheel_gives_a_live_widget_and_no_outside_request(
        installed, static_server, page):
    work, env, bin_dir = installed["work"], installed["env"], installed["bin"]
    where = _run([str(bin_dir / "python"), "-c", "import generator; print(generator.__file__)"], work, env)
    assert Path(where.strip()).is_relative_to(work / "venv"), where  # the wheel's copy, not the checkout
    _run([str(bin_dir / "stride"), "init", "site"], work, env)
    site = work / "site"
    _run([str(bin_dir / "stride"), "build"], site, env)
    assert not (site / "templates").exists() and not (site / "assets").exists()  # the theme came with Stride

    server = static_server(site / "build")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.goto(server.url + "posts/a-first-explorer/")
    page.wait_for_function("() => document.querySelector('[data-widget=\"convtranspose\"]')"
                           ".dataset.state === 'ready'", timeout=20000)
    page.locator('[data-grid="output"][data-row="0"][data-col="0"]').first.hover()
    page.wait_for_load_state("networkidle")
    assert any("/assets/plugins/convtranspose/main." in url for url in requests), requests
    assert any("/data/convtranspose/" in url for url in requests), requests
    outside = [url for url in requests if not url.startswith(server.url) and not url.startswith("data:")]
    assert not outside, outside
    assert not failed, failed
    assert not page.errors, page.errors
