"""Helpers for the al-folio corpus tests: import tests/alfolio_site/ once, build its documents
one at a time (so one document's failure does not hide how the others fare), and read the text
a visitor sees."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from generator.errors import ContentError, ContentErrors, Diagnostic
from tests.conftest import ROOT, build_project

CORPUS = ROOT / "tests" / "alfolio_site"
_POST_URL = re.compile(r"\{%-?\s*post_url\s+(.+?)\s*-?%\}")


@dataclass(frozen=True)
class Outcome:
    """One build: the files it would write (site-relative path -> bytes), or its problems."""

    files: dict[str, bytes] | None
    problems: tuple[Diagnostic, ...] = ()

    def __str__(self) -> str:
        return "\n".join(map(str, self.problems)) or "built"


def documents(site: Path) -> list[str]:
    """Markdown documents of an imported site, as paths relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*.md"))


def build_subset(site: Path, keep: list[str], workdir: Path, drafts: bool = True) -> Outcome:
    """Build a copy of ``site`` that holds only the documents ``keep`` plus the posts they link
    to with {% post_url %} (so a link between posts has its target)."""
    every = documents(site)
    wanted = set(keep)
    for rel in keep:
        for target in _POST_URL.findall((site / rel).read_text(encoding="utf-8")):
            wanted |= {d for d in every if Path(d).stem == target.strip()}
    copy = workdir / "site"
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("*.md"))
    for rel in sorted(wanted):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(site / rel, copy / rel)
    try:
        result = build_project(copy, workdir / "build", drafts=drafts)
    except ContentErrors as exc:
        return Outcome(None, tuple(exc.diagnostics))
    except ContentError as exc:
        return Outcome(None, (exc.diagnostic,))
    return Outcome(dict(result.files))


class _VisibleText(HTMLParser):
    """Text nodes a reader sees, outside code, scripts and styles (code may show Liquid)."""

    _HIDDEN = {"pre", "code", "script", "style", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


def page_of(files: dict[str, bytes], url: str) -> str:
    """The HTML written for a site-relative ``url`` ("blog/2022/x/")."""
    return files[url + "index.html" if url.endswith("/") or not url else url].decode("utf-8")
