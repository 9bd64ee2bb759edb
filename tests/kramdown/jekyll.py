"""Build the corpus cases with real Jekyll: one run for all of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

# al-folio's kramdown settings (its _config.yml); the rest are Jekyll 4.3's defaults.
CONFIG = """\
markdown: kramdown
highlighter: rouge
kramdown:
  input: GFM
  syntax_highlighter_opts:
    css_class: highlight
    span:
      line_numbers: false
    block:
      line_numbers: false
      start_line: 1
"""


def build_with_jekyll(jekyll: str, cases: Path, site: Path) -> dict[str, str]:
    """Case name -> the HTML Jekyll makes of ``cases/NAME.md``, built in the empty folder ``site``."""
    names = sorted(p.stem for p in cases.glob("*.md"))
    (site / "_config.yml").write_text(CONFIG)
    (site / "_layouts").mkdir()
    (site / "_layouts" / "bare.html").write_text("{{ content }}")
    (site / "cases").mkdir()
    for name in names:
        body = (cases / f"{name}.md").read_text(encoding="utf-8")
        (site / "cases" / f"{name}.md").write_text(f"---\nlayout: bare\n---\n{body}", encoding="utf-8")
    done = subprocess.run([jekyll, "build", "--quiet", "--source", str(site), "--destination", str(site / "_site")],
                          capture_output=True, text=True, timeout=300, cwd=site)
    if done.returncode != 0:
        raise RuntimeError(f"jekyll build failed:\n{done.stdout}\n{done.stderr}")
    return {name: (site / "_site" / "cases" / f"{name}.html").read_text(encoding="utf-8") for name in names}
