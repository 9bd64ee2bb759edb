"""BibTeX files (``content/bib/NAME.bib``) turned into plain entries and HTML reference lists.

Parsing is pybtex's job; this module only picks the fields a reference list shows and formats
them. Each file is parsed once per process for a given (path, mtime, size), so a site with many
posts citing the same file pays for it once.
"""

from __future__ import annotations

import codecs
import os
import re
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Mapping

from generator.errors import ContentError
from generator.paths import inside_project
from generator.plaintext import reject_control_characters


@dataclass(frozen=True)
class Link:
    label: str  # "URL", "DOI" or "arXiv"
    href: str


@dataclass(frozen=True)
class Entry:
    """One BibTeX entry reduced to display text (LaTeX decoded, protective braces removed,
    capitalisation exactly as written in the file)."""

    key: str
    authors: tuple[str, ...]
    title: str
    venue: str
    year: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class BibFile:
    path: Path
    entries: Mapping[str, Entry]  # in file order


_CACHE: dict[Path, tuple[tuple[int, int], BibFile]] = {}
_LOCK = threading.Lock()
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_SPACES = re.compile(r"\s+")
_VENUE_FIELDS = ("journal", "booktitle", "publisher", "howpublished", "school", "institution")


def latex_to_text(value: str) -> str:
    """Decode accents and dashes, then drop formatting commands and grouping braces.
    Letter case is never changed: braces in BibTeX only protect case, and we do not re-case."""
    import latexcodec  # noqa: F401  (registers the "ulatex" codec; imported on first use, see load_bib)

    try:
        text = codecs.decode(value, "ulatex")
    except Exception:  # an odd macro must not sink the build; fall back to the raw text
        text = value
    text = _COMMAND.sub("", text).replace("{", "").replace("}", "").replace("~", "\u00a0")
    return _SPACES.sub(" ", text).strip()


def _project_of(path: Path) -> Path:
    """The project folder a bibliography path is written under (``<project>/content/bib/...``),
    found from the path as written, so every caller gets the containment check; a path that
    climbs out with ``..`` or is absolute elsewhere has no such folder and is refused."""
    parts = Path(os.path.abspath(path)).parts
    for index in range(len(parts) - 2, 0, -1):
        if parts[index - 1:index + 1] == ("content", "bib"):
            return Path(*parts[:index - 1])
    raise ContentError(path, 0, "bibliography files must live under content/bib/",
                       "write --file NAME for content/bib/NAME.bib")


def load_bib(path: Path) -> BibFile:
    """Parse ``path`` (memoised on its mtime and size). Raises ContentError for a file outside
    the project's content/bib/ (a symlink out included) or one pybtex rejects, at the line
    pybtex reports (0 when it reports none)."""
    inside_project(path, _project_of(path), "copy the .bib file into content/bib/")
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        hit = _CACHE.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise ContentError(path, line, "the BibTeX file is not UTF-8", "save it as UTF-8") from None
    reject_control_characters(text, path)
    # pybtex (and latexcodec) are imported by the first post that cites: ~20 ms of start-up
    # every other build would pay.
    from pybtex.database import BibliographyDataError, parse_string
    from pybtex.exceptions import PybtexError

    try:
        data = parse_string(text, "bibtex")
    except BibliographyDataError as exc:  # e.g. a repeated key: pybtex gives no line, we find one
        line = _line_of_message_key(text, str(exc))
        raise ContentError(path, line, f"bad BibTeX: {exc}", "each entry needs a unique key") from None
    except PybtexError as exc:
        line = int(getattr(exc, "lineno", 0) or 0)
        raise ContentError(path, line, f"malformed BibTeX: {exc}",
                           "check braces, commas and quotes of the entry around this line") from None
    entries = {key: _entry(key, entry) for key, entry in data.entries.items()}
    bib = BibFile(path, entries)
    with _LOCK:
        _CACHE[path] = (stamp, bib)
    return bib


def _line_of_message_key(text: str, message: str) -> int:
    key = message.rsplit(":", 1)[-1].strip()
    hits = [i for i, line in enumerate(text.splitlines(), 1) if re.match(rf"\s*@\w+\s*[{{(]\s*{re.escape(key)}\s*,", line)]
    return hits[-1] if hits else 0


def _person(person) -> str:
    first = person.first_names + person.middle_names
    last = person.prelast_names + person.last_names
    name = " ".join(first + last)
    if person.lineage_names:
        name += ", " + " ".join(person.lineage_names)
    return latex_to_text(name)


def _entry(key: str, entry) -> Entry:
    fields = {name.lower(): value for name, value in entry.fields.items()}
    authors = tuple(_person(p) for p in entry.persons.get("author", ()))
    if not authors:
        authors = tuple(_person(p) for p in entry.persons.get("editor", ()))
    venue = next((latex_to_text(fields[f]) for f in _VENUE_FIELDS if fields.get(f)), "")
    links: list[Link] = []
    url = _linkable(fields.get("url", ""))
    if url:
        links.append(Link("URL", url))
    if fields.get("doi"):
        doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", fields["doi"].strip(), flags=re.I)
        links.append(Link("DOI", f"https://doi.org/{doi}"))
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if fields.get("eprint") and prefix in ("arxiv", ""):
        links.append(Link("arXiv", f"https://arxiv.org/abs/{fields['eprint'].strip()}"))
    return Entry(key=key, authors=authors, title=latex_to_text(fields.get("title", "")), venue=venue,
                 year=latex_to_text(fields.get("year", "")), links=tuple(links))


def _linkable(url: str) -> str:
    """``url`` when it is safe to put in an href: http(s), or a DOI (made an https link);
    anything else (``javascript:``, ``data:``, ``file:``) is not linked at all."""
    url = url.strip()
    if re.match(r"(?i)^https?://[^\s]+$", url):
        return url
    if re.match(r"(?i)^doi:\s*10\.\S+$", url):
        return "https://doi.org/" + url.split(":", 1)[1].strip()
    return ""


def join_authors(authors: tuple[str, ...]) -> str:
    """"A and B", "A, B, and C"; BibTeX's ``and others`` becomes "et al."."""
    if authors and authors[-1] == "others":
        return (", ".join(authors[:-1]) + " et al.").strip()
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + ", and " + authors[-1]


def entry_html(entry: Entry, number: int) -> str:
    """One ``<li>`` of the reference list; ``number`` is the 1-based citation number."""
    parts = []
    if entry.authors:
        parts.append(f'<span class="ref-authors">{escape(join_authors(entry.authors))}</span>.')
    if entry.title:
        title = escape(entry.title)
        if entry.links and entry.links[0].label == "URL":
            title = f'<a href="{escape(entry.links[0].href)}">{title}</a>'
        parts.append(f'<span class="ref-title">{title}</span>.')
    if entry.venue:
        parts.append(f'<span class="ref-venue">{escape(entry.venue)}</span>,' if entry.year
                     else f'<span class="ref-venue">{escape(entry.venue)}</span>.')
    if entry.year:
        parts.append(f'<span class="ref-year">{escape(entry.year)}</span>.')
    extra = [f'<a href="{escape(link.href)}">{link.label}</a>' for link in entry.links if link.label != "URL"]
    if extra:
        parts.append('<span class="ref-links">' + " ".join(extra) + "</span>")
    return f'<li id="ref-{escape(entry.key)}" value="{number}">' + " ".join(parts) + "</li>"


def bibliography_html(numbered: list[tuple[int, Entry]]) -> str:
    items = "\n".join(entry_html(entry, n) for n, entry in numbered)
    return f'<ol class="bibliography">\n{items}\n</ol>'
