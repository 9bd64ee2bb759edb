"""A minimal project (the real templates and assets, tiny content) for core pipeline tests."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

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
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "assets", root / "assets")
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
