"""Reading content: posts, pages and drafts with their YAML front matter.

Layout under ``content/``:
  posts/YYYY-MM-DD-slug.md   dated posts (al-folio/Jekyll naming)
  drafts/slug.md             drafts (also: ``draft: true`` in any post); built only with --drafts
  pages/name.md              standalone pages (``permalink:`` may set their URL)
  static/                    copied as-is to the site root (CNAME, favicon, images)
Every problem is reported as ``path:line: message``; all files are checked before giving up,
so one run shows every error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
import copyreg
import functools
import hashlib
from types import MappingProxyType
from typing import Any, Callable, Mapping

from generator.config import SiteConfig
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator.paths import inside_project
from generator.plaintext import reject_control_characters, reject_control_values
from generator.plugins import WidgetDeclaration

# Documents keep read-only mappings and are memoised on disk between builds: teach pickle to
# store a mapping proxy as the dict it wraps.
def _read_only(mapping: dict) -> Mapping[str, Any]:
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))
from generator.yamlfile import load_yaml

MAX_SOURCE_BYTES = 8 * 1024 * 1024  # a Markdown post beyond this is almost surely a mistake
_POST_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# Keys al-folio posts use that Stride understands; anything else is kept in ``extra``.
_KNOWN_KEYS = {
    "layout", "title", "date", "description", "categories", "category", "tags", "scripts",
    "style", "giscus_comments", "related_posts", "draft", "toc", "widgets", "permalink",
    "slug", "image",
}


@dataclass(frozen=True)
class Document:
    """A post or page. ``url`` is site-relative with a trailing slash (``"posts/slug/"``);
    ``body_line`` is the 1-based file line where the Markdown body starts."""

    kind: str  # "post" or "page"
    source: str  # path for messages, relative to the working directory
    slug: str
    url: str
    title: str
    date: datetime | None
    layout: str
    description: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    giscus_comments: bool = False
    related_posts: bool = True
    draft: bool = False
    toc: bool = False
    image: str | None = None
    body: str = ""
    body_line: int = 1
    widgets: tuple[WidgetDeclaration, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @functools.cached_property
    def digest(self) -> str:
        """Digest of every field, computed once (and pickled with the document's cache entry)."""
        return hashlib.blake2b(repr(self).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int]:
    """Split ``---``-delimited front matter. Returns ``(yaml_text or None, body, body_line)``."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    raise ContentError(path, 1, "front matter is not closed", "add a line with '---' after the last key")


def parse_date(value: Any, path: str, line: int) -> datetime:
    """Accept YAML dates/timestamps and Jekyll's text forms (``2023-07-01 15:53:00-0400``).
    The UTC offset is kept when given; otherwise the datetime is naive."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    match = _DATE_TEXT.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if not match:
        raise ContentError(path, line, f"cannot read date {value!r}",
                           "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS+0000")
    year, month, day, hour, minute, second, offset = match.groups()
    tz = None
    if offset:
        if offset == "Z":
            tz = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 23 or minutes > 59:
                raise ContentError(path, line, f"impossible UTC offset {offset!r} in date {value!r}",
                                   "offsets run from -2359 to +2359, e.g. 2023-07-01 15:53:00-0400")
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                        int(second or 0), tzinfo=tz)
    except ValueError as exc:
        raise ContentError(path, line, f"impossible date {value!r}: {exc}",
                           "check the month and day") from None


def _terms(value: Any, key: str, path: str, line: int) -> tuple[str, ...]:
    """``categories``/``tags`` may be a list or a space-separated string (Jekyll's rule)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(dict.fromkeys(value.split()))
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    raise ContentError(path, line, f"{key!r} must be a list of words or a space-separated string",
                       f"e.g. {key}: [ml, convolution]")


def _asset_list(value: Any, key: str, path: str, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(path, line, f"{key!r} must be a path or a list of paths under assets/")
    return tuple(v.lstrip("/").removeprefix("assets/") for v in value)


def _flag(data: dict, key: str, default: bool, path: str, line: int) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ContentError(path, line, f"{key!r} must be true or false, not {value!r}")
    return value


def _widgets(value: Any, path: str, lines: Mapping[str, int]) -> tuple[WidgetDeclaration, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ContentError(path, lines.get("widgets", 1), "'widgets' must be a list",
                           "each entry: - plugin: NAME\n    id: NAME")
    found = []
    for index, entry in enumerate(value):
        where = lines.get(f"widgets.{index}", lines.get("widgets", 1))
        if not isinstance(entry, dict):
            raise ContentError(path, where, "each widget must be a mapping with 'plugin' and 'id'")
        plugin, widget_id = entry.get("plugin"), entry.get("id")
        if not isinstance(plugin, str) or not plugin:
            raise ContentError(path, where, "widget entry has no 'plugin'", "e.g. plugin: convtranspose")
        if not isinstance(widget_id, (str, int)) or not str(widget_id):
            raise ContentError(path, where, "widget entry has no 'id'", "e.g. id: explorer")
        prefix = f"widgets.{index}."
        key_lines = {k[len(prefix):]: v for k, v in lines.items() if k.startswith(prefix)}
        options = {k: v for k, v in entry.items() if k not in ("plugin", "id")}
        found.append(WidgetDeclaration(plugin, str(widget_id), MappingProxyType(options), path, where,
                                       MappingProxyType(key_lines)))
    return tuple(found)


def read_document(file: Path, kind: str, site: SiteConfig, content_root: Path) -> Document:
    """Parse one Markdown file. ``kind`` is "post" or "page"; drafts are posts."""
    path = display_path(file)
    try:
        size = file.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise ContentError(path, 1, f"file is {size / 1e6:.0f} MB; posts are limited to "
                               f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB",
                               "move large data to content/static/ and link to it")
        raw = file.read_bytes()
    except OSError as exc:
        raise ContentError(path, 1, f"cannot read file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(path, line, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                           "save the file as UTF-8") from None
    text = text.replace("\r\n", "\n")
    reject_control_characters(text, path)
    yaml_text, body, body_line = split_front_matter(text, path)
    if yaml_text is None:
        raise ContentError(path, 1, "no front matter", "start the file with '---', a title: line and '---'")
    data, lines = load_yaml(yaml_text, path, first_line=2)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ContentError(path, 2, "front matter must be a mapping of key: value",
                           "write one 'key: value' per line, e.g. title: My post")
    data = {str(k): v for k, v in data.items()}
    reject_control_values(data, lines, path)

    def line(key: str) -> int:
        return lines.get(key, 2)

    title = data.get("title")
    if title is None or not str(title).strip():
        raise ContentError(path, line("title") if "title" in data else 1, "missing title",
                           "add a line such as: title: My first post")
    if not isinstance(title, (str, int, float)):
        raise ContentError(path, line("title"), "'title' must be text")

    stem = file.stem
    date_value = None
    if kind == "post":
        name_match = _POST_NAME.match(stem)
        in_drafts = file.parent.name == "drafts"
        if name_match:
            stem = name_match.group(4)
            if "date" not in data:
                date_value = parse_date("-".join(name_match.groups()[:3]), path, 1)
        elif not in_drafts:
            raise ContentError(path, 1, "post file name must start with its date",
                               f"rename it to YYYY-MM-DD-{stem}.md")
        if "date" in data:
            date_value = parse_date(data["date"], path, line("date"))
        elif date_value is None:
            date_value = datetime(1970, 1, 1)  # an undated draft sorts last
    elif "date" in data:
        date_value = parse_date(data["date"], path, line("date"))

    slug = str(data.get("slug", stem))
    if not _SAFE_SLUG.match(slug):
        raise ContentError(path, line("slug") if "slug" in data else 1,
                           f"slug {slug!r} has characters that are unsafe in URLs",
                           "use letters, digits, '-', '_' and '.' only")
    if "permalink" in data:
        url = str(data["permalink"]).strip("/")
        if ".." in url.split("/") or not re.fullmatch(r"[A-Za-z0-9._/-]*", url):
            raise ContentError(path, line("permalink"), f"permalink {data['permalink']!r} is not a safe path")
        url = url + "/" if url and not url.endswith(".html") else url
    elif kind == "post":
        assert date_value is not None
        url = site.permalink.format(slug=slug, year=f"{date_value.year:04d}",
                                    month=f"{date_value.month:02d}", day=f"{date_value.day:02d}")
    else:
        url = f"{slug}/"

    categories = _terms(data.get("categories", data.get("category")), "categories", path,
                        line("categories") if "categories" in data else line("category"))
    toc = data.get("toc", False)
    description = data.get("description") or ""
    if not isinstance(description, (str, int, float)):
        raise ContentError(path, line("description"), "'description' must be text")
    image = data.get("image")
    return Document(
        kind=kind,
        source=path,
        slug=slug,
        url=url,
        title=str(title).strip(),
        date=date_value,
        layout=str(data.get("layout") or kind),
        description=str(description).strip(),
        categories=categories,
        tags=_terms(data.get("tags"), "tags", path, line("tags")),
        scripts=_asset_list(data.get("scripts"), "scripts", path, line("scripts")),
        styles=_asset_list(data.get("style"), "style", path, line("style")),
        giscus_comments=_flag(data, "giscus_comments", False, path, line("giscus_comments")),
        related_posts=_flag(data, "related_posts", True, path, line("related_posts")),
        draft=_flag(data, "draft", file.parent.name == "drafts", path, line("draft")),
        toc=bool(toc),
        image=str(image) if image else None,
        body=body,
        body_line=body_line,
        widgets=_widgets(data.get("widgets"), path, lines),
        extra=MappingProxyType({k: v for k, v in data.items() if k not in _KNOWN_KEYS}),
        key_lines=MappingProxyType(lines),
    )


def _markdown_files(folder: Path, project: Path) -> list[Path]:
    """Markdown files under ``folder``, sorted; symlink loops and links out of ``project`` are
    reported, not followed."""
    if not folder.is_dir():
        return []
    found: list[Path] = []
    inside_project(folder, project)
    seen_dirs: set[Path] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        real = current.resolve()
        if real in seen_dirs:
            raise ContentError(display_path(current), 1, "symlink loop in content/",
                               "remove the link that points back to a parent folder")
        seen_dirs.add(real)
        for entry in sorted(current.iterdir()):
            if entry.name.startswith((".", "_")) and entry.name != "_posts":
                continue
            if entry.is_symlink():
                inside_project(entry, project)
            if entry.is_dir():
                stack.append(entry)
            elif entry.suffix.lower() in (".md", ".markdown"):
                found.append(entry)
    return sorted(found)


Reader = Callable[[Path, str, SiteConfig, Path], Document]


def load_documents(source: Path, site: SiteConfig, drafts: bool = False,
                   read: Reader = read_document) -> list[Document]:
    """All posts and pages; drafts only when ``drafts``. Raises ContentErrors listing every problem.
    ``read`` parses one file (the build passes a memoised :func:`read_document`)."""
    content = source / "content"
    problems: list[Diagnostic] = []
    documents: list[Document] = []
    groups = (("post", content / "posts"), ("post", content / "drafts"), ("page", content / "pages"))
    for kind, folder in groups:
        try:
            files = _markdown_files(folder, source)
        except ContentError as exc:
            problems.append(exc.diagnostic)
            continue
        for file in files:
            try:
                doc = read(file, kind, site, content)
            except ContentError as exc:
                problems.append(exc.diagnostic)
                continue
            if doc.draft and not drafts:
                continue
            documents.append(doc)
    seen: dict[str, Document] = {}
    for doc in documents:
        if doc.url in seen:
            other = seen[doc.url]
            problems.append(Diagnostic(doc.source, doc.line_of("slug") if "slug" in doc.key_lines else 1,
                                       f"duplicate URL /{doc.url} (also used by {other.source})",
                                       "rename one of the files or set a different slug:"))
        seen[doc.url] = doc
    if problems:
        raise ContentErrors(problems)
    return documents
