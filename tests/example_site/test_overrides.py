"""The example site at the repository root holds only its own files: everything else comes from
the theme and the plugins that ship with Stride. What it does hold overrides the theme file by
file, exactly as a user's site would."""

from __future__ import annotations

import re
from pathlib import Path

from generator.layers import THEME
from tests.conftest import ROOT


def test_the_example_site_keeps_only_its_own_files():
    own = sorted(p.relative_to(ROOT / "assets").as_posix() for p in (ROOT / "assets").rglob("*") if p.is_file())
    assert own == ["img/favicon.svg"]
    assert not (ROOT / "assets" / "plugins").exists() and not (ROOT / "assets" / "vendor").exists()


def test_its_favicon_overrides_the_themes(example_build: Path):
    home = (example_build / "index.html").read_text(encoding="utf-8")
    href = re.search(r'<link rel="icon" href="/([^"]+)"', home).group(1)
    published = (example_build / href).read_bytes()
    assert published == (ROOT / "assets" / "img" / "favicon.svg").read_bytes()
    assert published != (THEME / "assets" / "img" / "favicon.svg").read_bytes()
    # The theme's own files are still published next to the override.
    assert re.search(r'href="/assets/css/site\.[0-9a-f]{10}\.css"', home)
