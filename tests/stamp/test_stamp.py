"""`stride build` with nothing changed reports "up to date" without building; any change to an
input, an option, the output folder or the stamp itself makes it build for real."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

from generator.cli import main
from tests.mini_project import override, tree_digest, write
from tests.plugins.test_plugins import _enable_tiny, _post_with_widget, tiny_installed  # noqa: F401 (fixture)

INPUTS = ("content", "templates", "assets")


def age(project: Path, seconds: float = 600) -> None:
    """Put every input's mtime well in the past: files saved within the last two seconds are not
    trusted by the check, and a test writes its project moments before building it."""
    then = time.time() - seconds
    for folder in INPUTS:
        for path in (project / folder).rglob("*"):
            os.utime(path, (then, then), follow_symlinks=False)


def build(project: Path, capsys, *extra: str) -> str:
    """Run `stride build`; returns 'up to date' or 'built' from what it printed."""
    assert main(["--source", str(project), "build", *extra]) == 0
    out = capsys.readouterr().out
    assert out.startswith(("up to date:", "built ")), out
    return "up to date" if out.startswith("up to date:") else "built"


@pytest.fixture
def stamped(mini: Path, capsys) -> Path:
    age(mini)
    assert build(mini, capsys) == "built"
    assert build(mini, capsys) == "up to date"
    return mini


def test_nothing_changed_is_up_to_date_and_leaves_the_site_alone(stamped: Path, capsys):
    before = tree_digest(stamped / "build")
    identity = (stamped / "build").stat().st_ino
    assert build(stamped, capsys) == "up to date"
    assert tree_digest(stamped / "build") == before
    assert (stamped / "build").stat().st_ino == identity


def test_nothing_changed_imports_nothing_heavy(stamped: Path):
    """The check runs before the build's imports: a new process that finds the site up to date
    loads neither the memo's SQLite and pickle nor any library of the build itself."""
    import subprocess

    heavy = ("sqlite3", "pickle", "jinja2", "markdown", "yaml", "pygments", "multiprocessing",
             "generator.cache", "generator.build")
    probe = ("import sys\nfrom generator.cli import main\n"
             f"code = main(['--source', {str(stamped)!r}, 'build'])\n"
             f"print(code, [name for name in {heavy!r} if name in sys.modules])\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    # The stamp holds the distributions on sys.path, and this PYTHONPATH may add some (an
    # editable install's egg-info in the checkout): a first run in the same environment stamps
    # the site for it, and the second is then up to date.
    subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert "up to date:" in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_summary_of_an_up_to_date_build(stamped: Path, capsys):
    assert main(["--source", str(stamped), "build"]) == 0
    out = capsys.readouterr().out
    assert "pages" in out and "unchanged since the last build" in out and out.rstrip().endswith("build/")


@pytest.mark.parametrize("change", ["edit post", "new post", "delete post", "edit template", "new asset",
                                    "edit settings", "edit bib"])
def test_a_changed_input_builds_again(stamped: Path, capsys, change: str):
    posts = stamped / "content" / "posts"
    if change == "edit post":
        path = posts / "2024-01-02-second.md"
        path.write_text(path.read_text().replace("Hello", "Goodbye"))
    elif change == "new post":
        path = write(posts / "2024-02-03-third.md", "---\ntitle: Third\ndate: 2024-02-03\n---\nGoodbye.\n")
    elif change == "delete post":
        (posts / "2024-01-02-second.md").unlink()
        path = None
    elif change == "edit template":
        path = override(stamped, "templates/base.html")
        path.write_text(path.read_text().replace("built with", "Goodbye from"))
    elif change == "new asset":
        path = write(stamped / "assets" / "extra.txt", "Goodbye\n")
    elif change == "edit settings":
        path = stamped / "content" / "site.yml"
        path.write_text(path.read_text().replace("title: Mini", "title: Goodbye"))
    else:
        path = stamped / "content" / "bib" / "refs.bib"
        path.write_text(path.read_text().replace("A guide", "Goodbye, a guide"))
    if path is not None:
        then = time.time() - 300  # old enough to be trusted, and not the mtime it had before
        os.utime(path, (then, then))
    assert build(stamped, capsys) == "built"
    site = "".join(p.read_text(errors="replace") for p in (stamped / "build").rglob("*") if p.is_file())
    if change == "delete post":
        assert not (stamped / "build" / "posts" / "second").exists()
    else:
        assert "Goodbye" in site
    assert build(stamped, capsys) == "up to date"  # the new build left a stamp of its own


@pytest.mark.parametrize("options", [["--base-url", "/sub/"], ["--drafts"], ["--output", "elsewhere"]])
def test_other_options_build_again(stamped: Path, capsys, options: list[str]):
    assert build(stamped, capsys, *options) == "built"
    assert build(stamped, capsys, *options) == "up to date"
    assert build(stamped, capsys) == "built"  # the stamp describes the last build only


def test_a_replaced_or_missing_output_builds_again(stamped: Path, capsys):
    digest = tree_digest(stamped / "build")
    (stamped / "build").rename(stamped / "moved")
    assert build(stamped, capsys) == "built"
    assert tree_digest(stamped / "build") == digest
    (stamped / "build" / "index.html").unlink()  # changes the folder itself: not trusted any more
    assert build(stamped, capsys) == "built"
    assert tree_digest(stamped / "build") == digest


def test_an_input_saved_moments_ago_is_not_trusted(stamped: Path, capsys):
    """Two saves within the file system's timestamp granularity can leave the same mtime and
    size, so a build of a just-saved file writes no stamp and the next build checks for real."""
    path = stamped / "content" / "posts" / "2024-01-02-second.md"
    path.write_text(path.read_text().replace("Hello", "Hallo"))
    assert build(stamped, capsys) == "built"
    assert json.loads((stamped / ".stride-cache" / "stamp.json").read_text())["key"] is None
    assert build(stamped, capsys) == "built"


def test_a_symlink_among_the_inputs_turns_the_check_off(stamped: Path, capsys):
    """The file a link points to could change without the link or its folder changing."""
    write(stamped / "assets" / "notes" / "real.txt", "text\n")
    (stamped / "assets" / "linked.txt").symlink_to(Path("notes") / "real.txt")
    age(stamped)
    assert build(stamped, capsys) == "built"
    assert build(stamped, capsys) == "built"


@pytest.mark.parametrize("damage", ["not json", "wrong shape", "other key"])
def test_a_damaged_stamp_means_a_real_build(stamped: Path, capsys, damage: str):
    path = stamped / ".stride-cache" / "stamp.json"
    if damage == "not json":
        path.write_text("{")
    elif damage == "wrong shape":
        path.write_text(json.dumps({"key": "x"}))
    else:
        data = json.loads(path.read_text())
        path.write_text(json.dumps({**data, "key": "0" * 40}))
    assert build(stamped, capsys) == "built"
    assert build(stamped, capsys) == "up to date"


def test_warnings_are_repeated_when_up_to_date(mini: Path, capsys):
    post = mini / "content" / "posts" / "2023-07-01-shapes.md"
    post.write_text(post.read_text().replace("{% bibliography --cited %}", ""))
    age(mini)
    assert main(["--source", str(mini), "build"]) == 0
    first = capsys.readouterr().err
    assert "citations without a {% bibliography %} tag" in first
    assert build(mini, capsys) == "up to date"
    assert main(["--source", str(mini), "build"]) == 0
    assert capsys.readouterr().err == first


def test_editing_a_third_party_plugin_builds_again(mini: Path, capsys, tiny_installed):
    """An editable install changes nothing in site-packages when its code is edited, so the code of
    the plugins a build ran is watched too."""
    _post_with_widget(mini, 3)
    _enable_tiny(mini)
    age(mini)
    module = Path(importlib.util.find_spec("tiny_stride_plugin").origin)
    then = time.time() - 600
    os.utime(module, (then, then))
    assert build(mini, capsys) == "built"  # learns which plugin code to watch
    assert build(mini, capsys) == "built"
    assert build(mini, capsys) == "up to date"
    module.write_text(module.read_text().replace('"hello"', '"howdy"'))
    then = time.time() - 300
    os.utime(module, (then, then))
    sys.modules.pop("tiny_stride_plugin")  # a new `stride build` process would import the new code
    assert build(mini, capsys) == "built"
    assert "howdy 3" in (mini / "build/posts/tiny/index.html").read_text()
