"""Differential test: every case in tests/kramdown/cases/ is built by real Jekyll (kramdown, GFM
input, as al-folio configures it) and by Stride, and the two must have the same structure after
normalise() (block tree, classes, text, code, maths). The cases where they knowingly differ are
the ones docs/kramdown.md lists under "Known differences"; the test fails when a listed case
starts to agree as well as when an unlisted one differs, so the list stays exact.

One Jekyll run builds all cases (a session fixture, about 2 s; see jekyll.py). Without
``jekyll`` on PATH the test skips, except under CI=true, where the oracle missing is a failure (.ci/run installs it).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.markdown import render_markdown
from .jekyll import build_with_jekyll
from .normalise import normalise

HERE = Path(__file__).parent
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.md"))
DOC = HERE.parents[1] / "docs" / "kramdown.md"

def known_differences() -> dict[str, str]:
    """Case name -> reason, from the "Known differences" table of docs/kramdown.md."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Known differences", 1)[1].split("\n## ", 1)[0]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| `([\w-]+)` \| (.+?) \|$", section, re.M)}


def find_jekyll() -> str:
    """Path of ``jekyll``; a skip when it is missing, a failure when it is missing on CI."""
    jekyll = shutil.which("jekyll")
    if jekyll is None:
        if os.environ.get("CI") == "true":
            pytest.fail("jekyll is not installed: .ci/run must apt-get install jekyll (the kramdown oracle)")
        pytest.skip("jekyll is not installed (apt-get install jekyll); the kramdown parity corpus needs it")
    return jekyll


@pytest.fixture(scope="session")
def jekyll_html(tmp_path_factory) -> dict[str, str]:
    return build_with_jekyll(find_jekyll(), HERE / "cases", tmp_path_factory.mktemp("jekyll-site"))


def test_missing_jekyll_skips_locally_and_fails_on_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="jekyll is not installed"):
        find_jekyll()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must apt-get install jekyll"):
        find_jekyll()


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
