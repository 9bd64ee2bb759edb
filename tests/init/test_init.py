"""``stride init DIR``: the new site builds and checks as written; a folder with anything in it
is refused, untouched."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from generator.cli import main
from generator.config import load_config
from tests.mini_project import tree_digest, write


def test_init_writes_a_site_that_builds_checks_and_publishes_under_a_sub_path(tmp_path: Path, capsys):
    site = tmp_path / "blog"
    assert main(["init", str(site)]) == 0
    assert "stride serve" in capsys.readouterr().out
    written = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    post = f"content/posts/{date.today().isoformat()}-a-first-explorer.md"
    assert written == sorted([".github/workflows/pages.yml", ".gitignore", "content/pages/about.md",
                              "content/site.yml", post, "requirements.txt"])
    assert "\n# " in (site / "content/site.yml").read_text()  # settings explained in comments
    assert load_config(site).plugins  # the post's widget plugin is enabled
    assert main(["--source", str(site), "check"]) == 0
    assert main(["--source", str(site), "build", "--base-url", "/my-repo/"]) == 0
    html = (site / "build/posts/a-first-explorer/index.html").read_text()
    assert 'data-widget="convtranspose"' in html and 'data-state="loading"' in html
    assert 'src="/my-repo/assets/plugins/convtranspose/main.' in html
    assert (site / "build/about/index.html").is_file()
    workflow = yaml.safe_load((site / ".github/workflows/pages.yml").read_text())
    commands = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
    base = '--base-url "${{ steps.pages.outputs.base_path }}/"'
    assert any(c.startswith("stride check") and base in c for c in commands)
    assert any(c.startswith("stride build") and base in c for c in commands)
    assert not any("pytest" in c for c in commands)
    ignored = (site / ".gitignore").read_text().split()
    assert "build/" in ignored and ".stride-cache/" in ignored


def test_init_into_an_empty_folder_works(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty/content/site.yml").is_file()


def test_init_refuses_a_folder_that_holds_anything(tmp_path: Path, capsys):
    site = tmp_path / "mine"
    write(site / "notes.txt", "my notes\n")
    before = tree_digest(site)
    assert main(["init", str(site)]) == 1
    err = capsys.readouterr().err
    assert "mine: not empty (notes.txt)" in err and "nothing was written" in err, err
    assert tree_digest(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging folder left behind
    write(tmp_path / "file", "x")
    assert main(["init", str(tmp_path / "file")]) == 1
    assert "not a folder" in capsys.readouterr().err
