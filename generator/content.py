"""Reading content: posts, pages and drafts with their YAML front matter.

Layout under ``content/``:
  posts/YYYY-MM-DD-slug.md   dated posts (al-folio/Jekyll naming; the slug is Jekyll's :title of the
                             name, see jekyll_slug, so spaces and capitals are fine)
  drafts/slug.md             drafts (also: ``draft: true`` in any post); built only with --drafts
                             (``published: false`` in any document: built only with --unpublished)
  pages/name.md              standalone pages (``permalink:`` may set their URL)
  static/                    copied as-is to the site root (CNAME, favicon, images)
Every problem is reported as ``path:line: message``; all files are checked before giving up,
so one run shows every error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
import copyreg
import functools
import os
import hashlib
from types import MappingProxyType
from typing import Any, Callable, Mapping

from generator.config import SiteConfig, jekyll_permalink
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator.paths import inside_project
from generator.plaintext import reject_control_characters, reject_control_values

# Documents keep read-only mappings and are memoised on disk between builds: teach pickle to
# store a mapping proxy as the dict it wraps.
def _read_only(mapping: dict) -> Mapping[str, Any]:
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))
from generator.yamlfile import load_yaml

MAX_SOURCE_BYTES = 8 * 1024 * 1024  # a Markdown post beyond this is almost surely a mistake
_POST_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
# Characters of a page's file name that would break its URL (Jekyll publishes them and the link breaks).
_UNSAFE_IN_URL = re.compile(r"[?#%\\\x00-\x1f\x7f]")
_EXTERNAL_SCRIPT = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""", re.I)
_DATE_TEXT = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
# Keys al-folio posts use that Stride understands; anything else is kept in ``extra``.
_KNOWN_KEYS = {
    "layout", "title", "date", "description", "categories", "category", "tags", "scripts",
    "style", "giscus_comments", "related_posts", "draft", "toc", "widgets", "permalink",
    "slug", "image", "published", "redirect", "redirect_to", "_styles",
}


@dataclass(frozen=True)
class Script:
    """A ``scripts:`` entry: ``src`` as written (a path, or an http(s) URL) and whether it loads
    as an ES module (``.mjs``, or ``{src: ..., type: module}``) or as a classic deferred script."""

    src: str
    module: bool = False


def jekyll_slug(text: str, pretty: bool = True) -> str:
    """The slug Jekyll 4 makes of a file name or ``slug:`` for a post's URL (``Utils.slugify``
    with ``cased: true``): every run of characters other than letters, marks, decimal digits and,
    in ``pretty`` mode (the ``:title`` placeholder), ``._~!$&'()+,;=@`` becomes one ``-``; one
    leading and one trailing ``-`` are dropped; case is kept. Text is NFC-normalised first so a
    name typed on macOS (NFD) gives the same URL as elsewhere."""
    keep = "._~!$&'()+,;=@" if pretty else ""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in keep or unicodedata.category(char)[0] in "LM" or unicodedata.category(char) == "Nd":
            out.append(char)
        elif not out or out[-1] != "-":  # "-" itself is never kept, so runs merge into one
            out.append("-")
    slug = "".join(out)
    slug = slug[1:] if slug.startswith("-") else slug
    return slug[:-1] if slug.endswith("-") else slug


def url_key(url: str) -> str:
    """What two URLs must differ in to be two files on every host: case-insensitive and
    normalisation-insensitive file systems (macOS, Windows) treat ``About/`` and ``about/`` as one."""
    return unicodedata.normalize("NFC", url).casefold()


@dataclass(frozen=True)
class WidgetDeclaration:
    """One entry of a post's ``widgets:`` front-matter list.

    ``options`` is the entry without ``plugin`` and ``id``; ``key_lines`` maps each key of the
    entry (dotted for nested keys, e.g. ``"ranges.kernel"``) to its 1-based line in ``path``.
    """

    plugin: str
    id: str
    options: Mapping[str, Any]
    path: str
    line: int
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        """Line of ``key`` (or of its nearest parent key), falling back to the entry's line."""
        while key:
            if key in self.key_lines:
                return self.key_lines[key]
            key = key.rpartition(".")[0]
        return self.line


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
    scripts: tuple[str, ...] = ()  # paths (or http(s) URLs) as written, leading "/" dropped
    module_scripts: tuple[str, ...] = ()  # those of ``scripts`` that load as ES modules
    styles: tuple[str, ...] = ()
    style_text: str = ""  # al-folio's ``_styles:``: CSS published as a stylesheet of this page
    giscus_comments: bool = False
    related_posts: bool = True
    draft: bool = False
    published: bool = True  # ``published: false``: built only with --unpublished
    redirect: str | None = None  # ``redirect:``: the page only sends the reader there
    toc: bool = False
    image: str | None = None
    body: str = ""
    body_line: int = 1
    widgets: tuple[WidgetDeclaration, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()  # found while reading; the build reports them

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


# Each term gets a page listing its posts, each shown with all its tags, so a post's tags cost
# its tag count squared in output: 1,000 tags on one post made 36 MB in 5 s, 5,000 ran past
# 150 s. Real posts carry a handful. The site-wide bound is in site.taxonomy_pages.
MAX_TERMS_PER_POST = 500


def _terms(value: Any, key: str, path: str, line: int) -> tuple[str, ...]:
    """``categories``/``tags`` may be a list or a space-separated string (Jekyll's rule)."""
    if value is None:
        return ()
    if isinstance(value, str):
        terms = tuple(dict.fromkeys(value.split()))
    elif isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        terms = tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    else:
        raise ContentError(path, line, f"{key!r} must be a list of words or a space-separated string",
                           f"e.g. {key}: [ml, convolution]")
    if len(terms) > MAX_TERMS_PER_POST:
        raise ContentError(path, line, f"{len(terms):,} {key} on one post is over the limit of {MAX_TERMS_PER_POST}",
                           "each of them gets a page listing the post with all its tags; keep the few "
                           "that readers browse by")
    return terms


def _asset_list(value: Any, key: str, path: str, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(path, line, f"{key!r} must be a path or a list of paths under assets/")
    return tuple(v if _is_remote(v) else v.lstrip("/") for v in value)


def _is_remote(src: str) -> bool:
    return src.startswith(("http://", "https://", "//"))


def _scripts(value: Any, path: str, line: int) -> tuple[Script, ...]:
    """``scripts:`` entries: a path (classic script; ``.mjs`` is a module) or
    ``{src: PATH, type: module}``."""
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    found = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("src"), str) and set(entry) <= {"src", "type"} \
                and entry.get("type", "text/javascript") in ("module", "text/javascript", "classic"):
            src, module = entry["src"], entry.get("type") == "module"
        elif isinstance(entry, str):
            src, module = entry, entry.split("?")[0].endswith(".mjs")
        else:
            raise ContentError(path, line, f"'scripts' entry {entry!r} is not a path or {{src, type}}",
                               "e.g. scripts: [js/tool.js, {src: js/app.js, type: module}]")
        found.append(Script(src if _is_remote(src) else src.lstrip("/"), module))
    return tuple(found)


def _redirect(data: dict, path: str, line: int) -> str | None:
    key = "redirect" if "redirect" in data else "redirect_to"
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, list) and len(value) == 1:  # jekyll-redirect-from allows a one-item list
        value = value[0]
    remote = isinstance(value, str) and value.startswith(("http://", "https://"))
    if not isinstance(value, str) or re.search(r"[\\\s\x00-\x1f\x7f]", value) \
            or (not remote and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//", value)):
        raise ContentError(path, line, f"{key}: {value!r} is not a page of this site or an http(s) URL",
                           "e.g. redirect: /about/ or redirect: https://example.org/")
    return value


def _external_scripts(body: str, path: str, first_line: int) -> tuple[Diagnostic, ...]:
    """A ``<script src="https://...">`` in the body builds, but the page then needs the network."""
    return tuple(
        Diagnostic(path, first_line + body.count("\n", 0, match.start()),
                   f"script {match.group(1)} is loaded from another site; this page will not "
                   "work offline", "copy the file under assets/ and load it from there", severity="warning")
        for match in _EXTERNAL_SCRIPT.finditer(body))


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
            raise ContentError(path, where, "widget entry has no 'plugin'",
                               "name the plugin that draws it, as listed under plugins: in content/site.yml")
        if not isinstance(widget_id, (str, int)) or not str(widget_id):
            raise ContentError(path, where, "widget entry has no 'id'", "e.g. id: explorer")
        prefix = f"widgets.{index}."
        key_lines = {k[len(prefix):]: v for k, v in lines.items() if k.startswith(prefix)}
        options = {k: v for k, v in entry.items() if k not in ("plugin", "id")}
        found.append(WidgetDeclaration(plugin, str(widget_id), MappingProxyType(options), path, where,
                                       MappingProxyType(key_lines)))
    return tuple(found)


def read_document(file: Path, kind: str, site: SiteConfig) -> Document:
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

    categories = _terms(data.get("categories", data.get("category")), "categories", path,
                        line("categories") if "categories" in data else line("category"))
    raw_slug = unicodedata.normalize("NFC", str(data["slug"]) if "slug" in data else stem)
    slug_line = line("slug") if "slug" in data else 1
    if kind == "post" or "slug" in data:
        # Jekyll's :title: the file name after the date (or slug:), slugified, case kept.
        slug = jekyll_slug(raw_slug)
        if not slug:
            raise ContentError(path, slug_line, f"slug {raw_slug!r} has no letters or digits",
                               "rename the file or set slug: to a few words")
    else:
        # Jekyll publishes a page under its file name as it is (spaces and capitals included).
        slug = raw_slug
        if _UNSAFE_IN_URL.search(slug):
            raise ContentError(path, slug_line, f"slug {slug!r} has characters that are unsafe in URLs",
                               "rename the file without ?, #, % and \\, or set slug:")
    values = {"slug": slug, "plain_slug": jekyll_slug(raw_slug, pretty=False) or slug,
              "categories": "/".join(dict.fromkeys(c.lower() for c in categories))}
    if date_value is not None:
        values.update(year=f"{date_value.year:04d}", month=f"{date_value.month:02d}", day=f"{date_value.day:02d}",
                      i_month=str(date_value.month), i_day=str(date_value.day),
                      short_year=f"{date_value.year % 100:02d}")
    if "permalink" in data:
        raw = str(data["permalink"])
        try:
            url = _expand(jekyll_permalink(raw), values).rstrip("/")  # the slash goes back on below
        except (KeyError, IndexError, ValueError):
            raise ContentError(path, line("permalink"), f"permalink {raw!r} uses a placeholder this document "
                               "has no value for", "pages have no date; use a plain path such as /about/") from None
        if ".." in url.split("/") or _UNSAFE_IN_URL.search(url) or " " in url:
            raise ContentError(path, line("permalink"), f"permalink {raw!r} is not a safe path",
                               "use letters, digits, '-', '_', '.' and '/'")
        url = url + "/" if url and not url.endswith(".html") else url
    elif kind == "post":
        assert date_value is not None
        url = _expand(site.permalink, values)
    else:
        url = f"{slug}/"

    toc = data.get("toc", False)
    description = data.get("description") or ""
    if not isinstance(description, (str, int, float)):
        raise ContentError(path, line("description"), "'description' must be text")
    image = data.get("image")
    scripts = _scripts(data.get("scripts"), path, line("scripts"))
    styles = _asset_list(data.get("style"), "style", path, line("style"))
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
        scripts=tuple(script.src for script in scripts),
        module_scripts=tuple(script.src for script in scripts if script.module),
        styles=styles,
        style_text=_style_text(data.get("_styles"), path, line("_styles")),
        giscus_comments=_flag(data, "giscus_comments", False, path, line("giscus_comments")),
        related_posts=_flag(data, "related_posts", True, path, line("related_posts")),
        draft=_flag(data, "draft", file.parent.name == "drafts", path, line("draft")),
        published=_flag(data, "published", True, path, line("published")),
        redirect=_redirect(data, path, line("redirect") if "redirect" in data else line("redirect_to")),
        toc=bool(toc),
        image=str(image) if image else None,
        body=body,
        body_line=body_line,
        widgets=_widgets(data.get("widgets"), path, lines),
        extra=MappingProxyType({k: v for k, v in data.items() if k not in _KNOWN_KEYS}),
        key_lines=MappingProxyType(lines),
        warnings=_external_scripts(body, path, body_line) + tuple(
            Diagnostic(path, line("scripts"), f"script {script.src} is loaded from another site; "
                       "this page will not work offline", "copy the file under assets/ and list that path",
                       severity="warning")
            for script in scripts if _is_remote(script.src)) + tuple(
            Diagnostic(path, line("style"), f"stylesheet {href} is loaded from another site; this page will "
                       "not look right offline", "copy the file under assets/ and list that path",
                       severity="warning")
            for href in styles if _is_remote(href)),
    )


def _expand(pattern: str, values: Mapping[str, str]) -> str:
    """Fill a permalink; empty parts (no categories) leave no empty path segment, as in Jekyll."""
    url = pattern.format(**values)
    return re.sub(r"/{2,}", "/", url).lstrip("/")


def _style_text(value: Any, path: str, line: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContentError(path, line, "'_styles' must be CSS text",
                           "write it as a block: _styles: >  then the CSS indented below")
    return value.strip()


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
        # scandir's entries know their type from the listing: no stat per file (a blog has
        # thousands, and the dev server lists them on every rebuild).
        with os.scandir(current) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        for entry in entries:
            name = entry.name
            if name.startswith((".", "_")) and name != "_posts":
                continue
            path = current / name
            if entry.is_symlink():
                inside_project(path, project)
                is_dir = path.is_dir()  # Path's rules for a broken or looping link: not a folder
            else:
                is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir:
                stack.append(path)
            elif name.lower().endswith((".md", ".markdown")):
                found.append(path)
    return sorted(found)


def url_collisions(documents: list[Document]) -> list[Diagnostic]:
    """Two documents on one URL, or on URLs that differ only in case or Unicode normalisation
    (one file on macOS and Windows, so one page would silently replace the other)."""
    problems = []
    seen: dict[str, Document] = {}
    for doc in documents:
        other = seen.get(url_key(doc.url))
        where = doc.line_of("permalink") if "permalink" in doc.key_lines else \
            doc.line_of("slug") if "slug" in doc.key_lines else 1
        if other is None:
            seen[url_key(doc.url)] = doc
        elif other.url == doc.url:
            problems.append(Diagnostic(doc.source, where, f"duplicate URL /{doc.url} (also used by {other.source})",
                                       "rename one of the files or set a different slug:"))
        else:
            problems.append(Diagnostic(doc.source, where, f"URL /{doc.url} differs only in case from /{other.url} "
                                       f"of {other.source}; they are one file on macOS and Windows",
                                       "rename one of the files or set a different slug:"))
    return problems


Job = tuple[Path, str]  # (file, kind): what to read, kind "post" or "page"
Reader = Callable[[list[Job]], list["Document | ContentError"]]  # one result per job, in order


def read_each(site: SiteConfig) -> Reader:
    """The plain reader: :func:`read_document` on each file in turn, its error in the file's place."""

    def read_all(jobs: list[Job]) -> list[Document | ContentError]:
        done: list[Document | ContentError] = []
        for file, kind in jobs:
            try:
                done.append(read_document(file, kind, site))
            except ContentError as exc:
                done.append(exc)
        return done

    return read_all


def list_jobs(source: Path) -> tuple[list[Job], list[Diagnostic]]:
    """Every Markdown file of the project's posts, drafts and pages with its kind, in reading
    order, and the problems met listing them (a symlink loop, a link out of the project)."""
    content = source / "content"
    jobs: list[Job] = []
    problems: list[Diagnostic] = []
    for kind, folder in (("post", content / "posts"), ("post", content / "drafts"), ("page", content / "pages")):
        try:
            jobs += [(file, kind) for file in _markdown_files(folder, source)]
        except ContentError as exc:
            problems.append(exc.diagnostic)
    return jobs, problems


def load_documents(source: Path, site: SiteConfig, drafts: bool = False,
                   read: Reader | None = None, unpublished: bool = False,
                   report_to: list[Diagnostic] | None = None, jobs: list[Job] | None = None) -> list[Document]:
    """All posts and pages; drafts only when ``drafts``, ``published: false`` documents only
    when ``unpublished`` (Jekyll's --unpublished). Raises ContentErrors listing every problem,
    or with ``report_to`` appends them there and returns the documents that did load (so the build
    can go on to report the other files' problems in the same run). ``read`` parses all the
    files at once (the build passes one that is memoised and uses every core; by default it is
    :func:`read_each`). ``jobs`` is the files to read when the caller listed them already (see
    :func:`list_jobs`; its problems are then the caller's to report)."""
    read = read or read_each(site)
    if jobs is None:
        jobs, problems = list_jobs(source)
    else:
        problems = []
    documents: list[Document] = []
    for doc in read(jobs):
        if isinstance(doc, ContentError):
            problems.append(doc.diagnostic)
        elif (drafts or not doc.draft) and (unpublished or doc.published):
            documents.append(doc)
    problems += url_collisions(documents)
    if problems and report_to is None:
        raise ContentErrors(problems)
    if report_to is not None:
        report_to.extend(problems)
    return documents
