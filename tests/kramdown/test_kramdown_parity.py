"""Differential test: every case in tests/kramdown/cases/ is built by real Jekyll (kramdown, GFM
input, as al-folio configures it) and by Stride, and the two must have the same structure after
normalise() (block tree, classes, text, code, maths). The cases where they knowingly differ are
the ones docs/kramdown.md lists under "Known differences"; the test fails when a listed case
starts to agree as well as when an unlisted one differs, so the list stays exact.

One Jekyll run builds all cases (a session fixture, about 2 s). Without ``jekyll`` on PATH the
test skips, except under CI=true, where the oracle missing is a failure (.ci/run installs it).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.markdown import render_markdown
from .normalise import normalise

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.md"))
DOC = HERE.parents[1] / "docs" / "kramdown.md"

# al-folio's kramdown settings (its _config.yml); the rest are Jekyll 4.3's defaults.
_CONFIG = """\
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


def known_differences() -> dict[str, str]:
    """Case name -> reason, from the "Known differences" table of docs/kramdown.md."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Known differences", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| `([\w-]+)` \| (.+?) \|$", section, re.M)}


@pytest.fixture(scope="session")
def jekyll_html(tmp_path_factory) -> dict[str, str]:
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        if os.environ.get("CI") == "true":
            pytest.fail("jekyll is not installed: .ci/run must apt-get install jekyll (the kramdown oracle)")
        pytest.skip("jekyll is not installed (apt-get install jekyll); the kramdown parity corpus needs it")
    site = tmp_path_factory.mktemp("jekyll-site")
    (site / "_config.yml").write_text(_CONFIG)
    (site / "_layouts").mkdir()
    (site / "_layouts" / "bare.html").write_text("{{ content }}")
    (site / "cases").mkdir()
    for name in CASES:
        body = (HERE / "cases" / f"{name}.md").read_text(encoding="utf-8")
        (site / "cases" / f"{name}.md").write_text(f"---\nlayout: bare\n---\n{body}", encoding="utf-8")
    done = subprocess.run([jekyll, "build", "--quiet", "--source", str(site), "--destination", str(site / "_site")],
                          capture_output=True, text=True, timeout=300, cwd=site)
    assert done.returncode == 0, f"jekyll build failed:\n{done.stdout}\n{done.stderr}"
    return {name: (site / "_site" / "cases" / f"{name}.html").read_text(encoding="utf-8") for name in CASES}


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


def test_known_differences_name_real_cases():
    assert set(known_differences()) <= set(CASES)


def stride_html(name: str) -> str:
    return render_markdown((HERE / "cases" / f"{name}.md").read_text(encoding="utf-8")).html


@pytest.mark.parametrize("name", CASES)
def test_case_matches_kramdown(name, jekyll_html):
    theirs, ours = normalise(jekyll_html[name]), normalise(stride_html(name))
    known = known_differences()
    if name in known:
        assert theirs != ours, f"{name} now renders as kramdown does: remove it from docs/kramdown.md's list"
        return
    diff = "\n".join(difflib.unified_diff(theirs.splitlines(), ours.splitlines(), "jekyll", "stride", lineterm=""))
    assert theirs == ours, f"{name} differs from kramdown:\n{diff}"
