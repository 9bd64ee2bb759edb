"""The variables a post's Liquid sees: ``page``, ``site`` (with ``site.posts``, ``site.tags``,
``site.categories``, ``site.data``) and the lookup tables of ``post_url`` and ``link``.

Values are plain dicts, lists, strings and datetimes, shaped like Jekyll's: ``page.url`` and
``post.url`` are site paths with a leading slash and no base URL (``/posts/slug/``),
``site.baseurl`` is the base URL without its trailing slash (``/my-repo``, or empty).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from generator.config import SiteConfig
from generator.content import Document
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator.yamlfile import load_yaml

DATA_FOLDER = ("content", "data")


def with_zone(value: dt.datetime) -> dt.datetime:
    """A naive datetime is taken as UTC (Jekyll's default zone)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def ruby_time(value: dt.datetime) -> str:
    """How Jekyll prints a Time: ``2023-07-04 09:30:00 -0400``."""
    return with_zone(value).strftime("%Y-%m-%d %H:%M:%S %z")


class JekyllTime(dt.datetime):
    """A datetime that prints itself as Jekyll prints a date (``{{ page.date }}``)."""

    @classmethod
    def of(cls, value: dt.datetime | None) -> "JekyllTime | None":
        if value is None:
            return None
        return cls(value.year, value.month, value.day, value.hour, value.minute, value.second,
                   value.microsecond, value.tzinfo)

    def __str__(self) -> str:
        return ruby_time(self)


def page_variables(doc: Document) -> dict[str, Any]:
    """``page``: the front matter as written (extra keys included) plus Jekyll's own fields."""
    page: dict[str, Any] = {key: _plain(value) for key, value in doc.extra.items()}
    stem = Path(doc.source).stem
    page.update({
        "title": doc.title, "date": JekyllTime.of(doc.date), "url": "/" + doc.url, "id": "/" + doc.url.rstrip("/"),
        "slug": doc.slug, "layout": doc.layout, "description": doc.description,
        "tags": list(doc.tags), "categories": list(doc.categories), "path": doc.source,
        "name": Path(doc.source).name, "draft": doc.draft, "toc": doc.toc, "image": doc.image,
        "scripts": list(doc.scripts), "giscus_comments": doc.giscus_comments,
        "related_posts": doc.related_posts, "collection": "posts" if doc.kind == "post" else None,
        "ext": Path(doc.source).suffix, "basename": stem,
    })
    return page


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _newest_first(docs: Iterable[Document]) -> list[Document]:
    dated = sorted((d for d in docs if d.date is not None), key=lambda d: _stamp(d.date), reverse=True)
    return dated + [d for d in docs if d.date is None]


def _stamp(value: dt.datetime) -> float:
    return with_zone(value).timestamp()


def site_variables(site: SiteConfig, documents: list[Document], data: Mapping[str, Any],
                   time: dt.datetime, page_of: Callable[[Document], dict[str, Any]] | None = None) -> dict[str, Any]:
    """``site``: the settings of site.yml, the posts newest first, tags and categories (each a
    list of posts, newest first), pages, data files and the build's start time. ``page_of`` is
    ``page_variables`` or a memo of it (the dev server keeps unchanged documents' variables)."""
    page_variables_of = page_of or page_variables
    posts = [page_variables_of(d) for d in _newest_first([d for d in documents if d.kind == "post"])]
    tags: dict[str, list] = {}
    categories: dict[str, list] = {}
    for post in posts:
        for tag in post["tags"]:
            tags.setdefault(tag, []).append(post)
        for category in post["categories"]:
            categories.setdefault(category, []).append(post)
    return {
        "title": site.title, "author": site.author, "description": site.description, "url": site.url,
        "baseurl": site.base_url.rstrip("/"), "base_url": site.base_url, "lang": site.language,
        "language": site.language, "permalink": site.permalink, "paginate": site.paginate,
        "nav": [{"title": n.title, "url": n.url} for n in site.nav], "plugins": _plain(site.plugins),
        "giscus": _plain(site.giscus) if site.giscus else None, "feed_entries": site.feed_entries,
        "posts": posts, "pages": [page_variables_of(d) for d in documents if d.kind == "page"],
        "tags": tags, "categories": categories, "data": dict(data), "time": JekyllTime.of(time),
    }


def link_tables(documents: list[Document], content: Path,
                names_of: Callable[[Document, Path], tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
                ) -> tuple[dict[str, str], dict[str, str]]:
    """(post_url names, link paths) -> site path. A post is named by its file name without .md,
    also with its sub-folder under posts/; a link by its path from the project, from content/,
    or Jekyll's (``_posts/...``, ``_pages/...``, ``_drafts/...``). ``names_of`` is
    ``link_names`` or a memo of it."""
    post_urls: dict[str, str] = {}
    link_urls: dict[str, str] = {}
    root = content.resolve()
    for doc in documents:
        post_names, link_names_ = (names_of or link_names)(doc, root)
        for name in link_names_:
            link_urls[name] = doc.url
        if post_names:
            post_urls[post_names[0]] = doc.url
            post_urls.setdefault(post_names[1], doc.url)
    return post_urls, link_urls


def link_names(doc: Document, root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The post_url names (the full one, then the bare stem; none for a page) and link paths
    of ``doc``, a file under the resolved content folder ``root``."""
    rel = _plain_relative(doc.source, root)
    if rel is None:
        try:
            rel = Path(doc.source).resolve().relative_to(root).as_posix()
        except ValueError:
            rel = Path(doc.source).name
    folder, _, rest = rel.partition("/")
    links = tuple(sorted({rel, "content/" + rel, f"_{folder}/{rest}" if rest else rel}))
    if doc.kind == "post" and rest:
        return (rest[:-3] if rest.endswith(".md") else rest.rsplit(".", 1)[0], Path(rest).stem), links
    return (), links


def _plain_relative(source: str, root: Path) -> str | None:
    """``source`` relative to the resolved folder ``root`` (POSIX) when it is written under it
    with no symbolic link (nor ``..``) on the way from there, so that resolving it would change
    nothing; else None. Two lstat calls for ``posts/x.md`` where ``resolve`` makes one for every
    folder from ``/`` down (35 ms of a cold 1,000-post build's serial part, 9 ms this way: plain
    strings, no Path objects)."""
    if ".." in source.replace(os.sep, "/").split("/"):
        return None  # abspath would drop "x/.." before a link at x had its say
    start = str(root) + os.sep
    written = os.path.abspath(source)
    if not written.startswith(start):
        return None
    below = written[len(start):].split(os.sep)
    at = str(root)
    for part in below:
        at += os.sep + part
        if os.path.islink(at):
            return None
    return "/".join(below)


def data_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".json"))


def load_data(source: Path) -> dict[str, Any]:
    """``site.data``: every ``content/data/NAME.yml|yaml|json`` as ``site.data.NAME`` (files in
    sub-folders nest: ``data/team/people.yml`` is ``site.data.team.people``)."""
    folder = source.joinpath(*DATA_FOLDER)
    data: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for file in data_files(folder):
        shown = display_path(file)
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Diagnostic(shown, 1, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8"))
            continue
        try:
            if file.suffix == ".json":
                try:
                    value = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ContentError(shown, exc.lineno, f"malformed JSON: {exc.msg}",
                                       "check commas, quotes and brackets") from None
            else:
                value, _ = load_yaml(text, shown)
        except ContentError as exc:
            problems.append(exc.diagnostic)
            continue
        parts = file.relative_to(folder).with_suffix("").parts
        slot = data
        for part in parts[:-1]:
            slot = slot.setdefault(part, {})
        slot[parts[-1]] = value
    if problems:
        raise ContentErrors(problems)
    return data
