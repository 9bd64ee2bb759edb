"""A minimal project (tiny content only; the theme comes with Stride) for core pipeline tests."""

from __future__ import annotations

import hashlib
import importlib
import textwrap
from pathlib import Path

import pytest

from tests.conftest import override  # noqa: F401  (for the tests of this folder)

GOOD_POST = """\
---
layout: post
title: "Shapes of things"
date: 2023-07-01 15:53:00-0400
description: A post in the al-folio style.
categories: notes
tags: [maths, convolution]
related_posts: true
---
Inline math $a_i * b_i$ and display:

$$
\\sum_{i} x_i^2
$$

An equation we refer to later:

\\begin{equation}
\\label{eq:one}
y = W x
\\end{equation}

See \\eqref{eq:one}, cited as {% cite dumoulin2016guide %}.

{% bibliography --cited %}
"""

SECOND_POST = """\
---
layout: post
title: Second post
date: 2024-01-02
tags: maths
---
Hello *world*.
"""

BIB = """\
@article{dumoulin2016guide,
  title   = {A guide to convolution arithmetic for deep learning},
  author  = {Dumoulin, Vincent and Visin, Francesco},
  journal = {arXiv preprint arXiv:1603.07285},
  year    = {2016}
}
"""

SITE = """\
title: Mini
author: Tester
description: A test site.
url: https://example.org
nav:
  - {title: About, url: about/}
"""

ABOUT = """\
---
layout: page
title: About
permalink: /about/
---
About this site.
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_mini_project(root: Path) -> Path:
    write(root / "content" / "site.yml", SITE)
    write(root / "content" / "posts" / "2023-07-01-shapes.md", GOOD_POST)
    write(root / "content" / "posts" / "2024-01-02-second.md", SECOND_POST)
    write(root / "content" / "pages" / "about.md", ABOUT)
    write(root / "content" / "bib" / "refs.bib", BIB)
    return root


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return make_mini_project(tmp_path / "mini")


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256, for byte-for-byte comparisons."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def install_plugin(site_packages: Path, monkeypatch, module: str, source: str, entry: str) -> None:
    """Install ``source`` as module ``module`` of a distribution whose ``stride.plugins`` entry
    point is ``entry`` (``"name = module:Class"``), on ``sys.path`` for this test."""
    write(site_packages / f"{module}.py", source)
    dist = site_packages / f"{module}-0.1.dist-info"
    write(dist / "METADATA", f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    write(dist / "entry_points.txt", f"[stride.plugins]\n{entry}\n")
    monkeypatch.syspath_prepend(str(site_packages))
    importlib.invalidate_caches()


def file_states(root: Path) -> dict[Path, tuple[int, int, int]]:
    """(mtime_ns, size, inode) of every file and folder under ``root``: what a polling watcher
    compares."""
    states = {}
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        states[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return states


def changed_paths(before: dict[Path, tuple[int, int, int]], after: dict[Path, tuple[int, int, int]]) -> set[Path]:
    """The paths a watcher reports between two :func:`file_states`: every file or folder added,
    removed or modified (a folder is when an entry in it is added, removed or renamed), and for
    each file the folder holding it, as watchdog's native observer reports them."""
    paths = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    return paths | {p.parent for p in paths if not (p.is_dir() if p in after else False)}
