"""The conv1d plugin as its users get it: built as a wheel, installed (not editable) into a fresh
virtualenv next to the Stride under test, used by a site that has only content/, and checked
in Chromium against PyTorch's receptive fields. Also: a site overriding the plugin's files, and
a version bump publishing its data anew."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from generator.cli import main
from tests.conftest import STRICT_CSP
from tests.plugins.conftest import PLUGIN_PROJECT, write_site
from tests.plugins.reference import torch_field, torch_length

WIDGETS = """\
ranges: {length: [1, 12], kernel: [1, 5], stride: [1, 3], padding: [0, 2], dilation: [1, 3]}
initial: {length: 8, kernel: 3, stride: 1, padding: 1, dilation: 1}
"""
PACKAGE_DATA = {"stride_conv1d/assets/main.js", "stride_conv1d/assets/explorer.js", "stride_conv1d/assets/data.js",
                "stride_conv1d/assets/strip.js", "stride_conv1d/assets/conv1d.css",
                "stride_conv1d/templates/widget.html"}


def _run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=240, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def conv1d_wheel(tmp_path_factory) -> Path:
    """The plugin built as a wheel, offline: from a copy of its folder (so the build leaves no
    build/ or egg-info in the checkout), with the test venv's setuptools (no build isolation,
    which would fetch setuptools from PyPI on every run)."""
    work = tmp_path_factory.mktemp("conv1d-wheel")
    project = shutil.copytree(PLUGIN_PROJECT, work / "project", ignore=shutil.ignore_patterns("__pycache__"))
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", work / "dist", project)
    (wheel,) = (work / "dist").glob("stride_conv1d-*.whl")
    return wheel


@pytest.fixture(scope="session")
def conv1d_python(conv1d_wheel, tmp_path_factory) -> Path:
    """The Python of a fresh virtualenv holding only the installed wheel; Stride and its
    dependencies come from the test venv through a .pth file, so nothing is downloaded and the
    Stride under test is the one that runs. Returns the venv's python."""
    venv = tmp_path_factory.mktemp("conv1d-venv") / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    ours = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (purelib / "_stride_under_test.pth").write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in ours))
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", conv1d_wheel)
    where = _run(python, "-c", "import stride_conv1d; print(stride_conv1d.__file__)").stdout.strip()
    assert Path(where).is_relative_to(venv), f"the plugin came from {where}, not the installed wheel"
    return python


@pytest.fixture(scope="session")
def conv1d_site(conv1d_python, tmp_path_factory) -> Path:
    """A site with only content/ that enables the installed plugin, built under /sub/ by the
    venv's Stride (a separate process: it sees the plugin only through its entry point)."""
    root = tmp_path_factory.mktemp("conv1d-site")
    write_site(root, WIDGETS)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _run(conv1d_python, "-m", "generator", "--source", root, "build", "--base-url", "/sub/", cwd=root, env=env)
    return root / "build"


def test_the_wheel_ships_the_front_end_as_package_data(conv1d_wheel):
    names = set(zipfile.ZipFile(conv1d_wheel).namelist())
    assert PACKAGE_DATA <= names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(conv1d_wheel).read(entry_points).decode()
    assert "[stride.plugins]\nconv1d = stride_conv1d.plugin:Conv1dPlugin" in text


def test_the_installed_plugin_is_discovered_through_its_entry_point(conv1d_python):
    probe = ("import inspect; from generator.plugins import discover; "
             "print(inspect.getfile(discover({'conv1d'})['conv1d']))")
    where = Path(_run(conv1d_python, "-c", probe).stdout.strip())
    assert where.is_relative_to(conv1d_python.parents[1]) and where.name == "plugin.py"


def test_an_installed_plugin_publishes_its_data_assets_and_markup(conv1d_site):
    html = (conv1d_site / "posts/conv1d/index.html").read_text()
    (script,) = re.findall(r'<script type="module" src="(/sub/assets/plugins/conv1d/main\.[0-9a-f]+\.js)"', html)
    assert re.search(r'<link rel="stylesheet" href="/sub/assets/plugins/conv1d/conv1d\.[0-9a-f]+\.css"', html)
    main_js = (conv1d_site / script.removeprefix("/sub/")).read_text()
    assert re.search(r'from "\./explorer\.[0-9a-f]+\.js"', main_js)  # imports rewritten to fingerprinted names
    (src,) = re.findall(r'data-src="(/sub/data/conv1d/[0-9a-f]{12}/data\.json)"', html)
    data = json.loads((conv1d_site / src.removeprefix("/sub/")).read_text())
    assert data["ranges"]["length"] == [1, 12] and len(data["settings"]) == 5 * 3 * 3 * 3


def _set(page, root, setting: dict) -> None:
    page.evaluate("""([root, setting]) => {
        const el = document.querySelector(root);
        for (const [name, value] of Object.entries(setting)) {
          const input = el.querySelector(`input[name="${name}"]`);
          input.value = String(value);
          input.dispatchEvent(new Event("input", {bubbles: true}));
        }
    }""", [root, setting])


def _hits(page, root) -> list[tuple[int, int]]:
    """(input position, tap) of every input cell the view highlights."""
    return [tuple(hit) for hit in page.evaluate("""(root) => [...document.querySelectorAll(`${root} [data-role="input"] .c1-hit`)]
        .map((g) => [Number(g.dataset.index), Number(g.dataset.tap)])""", root)]


@pytest.mark.browser
def test_hovering_an_output_lights_its_receptive_field(conv1d_site, static_server, page, artifacts_dir):
    server = static_server(conv1d_site, "/sub/", headers={"Content-Security-Policy": STRICT_CSP})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url + "posts/conv1d/")
    root = '[data-widget="conv1d"]'
    page.wait_for_selector(f'{root}[data-state="ready"]', timeout=15_000)
    data = page.evaluate(f"fetch(document.querySelector('{root}').dataset.src).then((r) => r.json())")
    x_all, w_all = torch.tensor(data["x"], dtype=torch.float64), torch.tensor(data["w"], dtype=torch.float64)

    for n, k, s, p, d in [(8, 3, 1, 1, 1), (11, 3, 2, 2, 2), (5, 4, 3, 0, 1), (12, 5, 1, 2, 3), (1, 1, 1, 2, 1)]:
        _set(page, root, {"length": n, "kernel": k, "stride": s, "padding": p, "dilation": d})
        expected_fields = torch_field(n, k, s, p, d)
        y = F.conv1d(x_all[:n].reshape(1, 1, n), w_all[:k].reshape(1, 1, k), stride=s, padding=p, dilation=d)
        y = y.reshape(-1).to(torch.int64).tolist()
        cells = page.locator(f'{root} [data-role="output"] .c1-cell')
        assert cells.count() == torch_length(n, k, s, p, d) == len(y)
        for i, field in enumerate(expected_fields):
            page.hover(f'{root} [data-role="output"] .c1-cell[data-index="{i}"]')
            assert sorted(_hits(page, root)) == sorted(field), (n, k, s, p, d, i)
            assert page.locator(f'{root} [data-role="output"] .c1-cell[data-index="{i}"] text').text_content() \
                == str(y[i])
            assert page.locator(f'{root} [data-role="readout"]').text_content().endswith(f"= {y[i]}")
            taps = page.evaluate(f"""[...document.querySelectorAll('{root} [data-role="kernel"] .c1-cell')]
                .map((g) => Number(g.dataset.tap))""")
            assert sorted(taps) == list(range(k))
        if (n, k, s, p, d) == (11, 3, 2, 2, 2):
            page.locator(root).screenshot(path=str(artifacts_dir / "conv1d-plugin.png"))

    # Keyboard: focusing an output does what hovering does.
    _set(page, root, {"length": 9, "kernel": 2, "stride": 2, "padding": 0, "dilation": 3})
    page.focus(f'{root} [data-role="output"] .c1-cell[data-index="2"]')
    assert sorted(_hits(page, root)) == sorted(torch_field(9, 2, 2, 0, 3)[2])

    # A setting PyTorch refuses: the reason, and no outputs.
    assert torch_length(2, 5, 1, 0, 2) is None
    _set(page, root, {"length": 2, "kernel": 5, "stride": 1, "padding": 0, "dilation": 2})
    assert page.get_attribute(root, "data-valid") == "false"
    assert "the dilated kernel spans 9 cells" in page.locator(f'{root} [data-role="problem"]').text_content()
    assert page.locator(f'{root} [data-role="output"] .c1-cell').count() == 0

    assert page.errors == []
    outside = [url for url in requests if not url.startswith(server.url)]
    assert outside == [], f"requests outside the site: {outside}"


# -- the site side of the resource layers, in-process (the plugin's source through an entry point)


def test_a_site_overrides_the_plugins_asset_and_template_file_by_file(tmp_path: Path, conv1d_entry_point):
    write_site(tmp_path, "")
    override_css = tmp_path / "assets/plugins/conv1d/conv1d.css"
    override_css.parent.mkdir(parents=True)
    override_css.write_text(".c1-widget { border: 3px solid rebeccapurple; }\n")
    template = (PLUGIN_PROJECT / "stride_conv1d/templates/widget.html").read_text()
    override_html = tmp_path / "templates/plugins/conv1d/widget.html"
    override_html.parent.mkdir(parents=True)
    override_html.write_text(template.replace("needs JavaScript.", "needs JavaScript, says this site."))
    assert main(["--source", str(tmp_path), "build"]) == 0
    html = (tmp_path / "build/posts/conv1d/index.html").read_text()
    assert "needs JavaScript, says this site." in html
    (css,) = re.findall(r'href="/(assets/plugins/conv1d/conv1d\.[0-9a-f]+\.css)"', html)
    assert (tmp_path / "build" / css).read_text() == override_css.read_text()
    (script,) = re.findall(r'src="/(assets/plugins/conv1d/main\.[0-9a-f]+\.js)"', html)
    shipped = (PLUGIN_PROJECT / "stride_conv1d/assets/main.js").read_text()
    assert (tmp_path / "build" / script).read_text().splitlines()[0] == shipped.splitlines()[0]  # not overridden


def test_a_version_bump_publishes_the_data_under_a_new_name(tmp_path: Path, conv1d_entry_point, monkeypatch):
    from stride_conv1d.plugin import Conv1dPlugin

    write_site(tmp_path, "")
    assert main(["--source", str(tmp_path), "build"]) == 0
    before = sorted(p.parent.name for p in (tmp_path / "build/data/conv1d").glob("*/data.json"))
    monkeypatch.setattr(Conv1dPlugin, "version", Conv1dPlugin.version + "-next")
    assert main(["--source", str(tmp_path), "build"]) == 0
    after = sorted(p.parent.name for p in (tmp_path / "build/data/conv1d").glob("*/data.json"))
    assert len(before) == len(after) == 1 and before != after
