"""Fixtures for the conv1d example plugin (tests/plugins/stride_conv1d, docs/plugins.md).

The numerics tests import the plugin's source folder directly; the site tests install it as a
package, the way a plugin author's users would (see test_conv1d_site.py)."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN_PROJECT = Path(__file__).resolve().parent / "stride_conv1d"
if str(PLUGIN_PROJECT) not in sys.path:
    sys.path.insert(0, str(PLUGIN_PROJECT))


@pytest.fixture
def conv1d_entry_point(tmp_path: Path, monkeypatch):
    """Register the source folder's plugin under ``stride.plugins`` for in-process builds: a
    distribution with only metadata, its code found through sys.path (set above)."""
    dist = tmp_path / "entry-points" / "stride_conv1d-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: stride-conv1d\nVersion: 0\n")
    (dist / "entry_points.txt").write_text("[stride.plugins]\nconv1d = stride_conv1d.plugin:Conv1dPlugin\n")
    monkeypatch.syspath_prepend(str(dist.parent))
    importlib.invalidate_caches()


SITE_YML = """\
title: Conv1d test site
author: Tester
url: https://example.org
plugins:
  conv1d: {}
"""


def write_site(root: Path, widget: str, body: str = '{% widget "conv" %}') -> Path:
    """A site with only content/: the settings and one post whose front matter declares
    ``widget`` (YAML lines of one entry under ``widgets:``, after ``plugin`` and ``id``).
    Returns the post's path; its front matter starts on line 1, the widget's options on line 7."""
    (root / "content/posts").mkdir(parents=True, exist_ok=True)
    (root / "content/site.yml").write_text(SITE_YML)
    post = root / "content/posts/2024-05-01-conv1d.md"
    options = textwrap.indent(textwrap.dedent(widget).strip("\n"), "    ") + "\n" if widget.strip() else ""
    post.write_text("---\ntitle: Conv1d\ndate: 2024-05-01\nwidgets:\n  - plugin: conv1d\n    id: conv\n"
                    + options + f"---\nA one-dimensional convolution.\n\n{body}\n")
    return post
