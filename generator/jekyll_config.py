"""Jekyll's ``_config.yml`` as Stride's ``content/site.yml``: the keys that have a Stride setting
are mapped; every other key, value and plugin gem gets a note saying it was not.

Pure functions: they read the parsed configuration and append to a list of notes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

import yaml

from generator.config import normalize_base_url
from generator.errors import Diagnostic

# Plugin gems whose job Stride does itself, with what replaces them.
_BUILT_IN_GEMS = {
    "jekyll-feed": "Stride writes feed.xml",
    "jekyll-sitemap": "Stride writes sitemap.xml",
    "jekyll-scholar": "{% cite %} and {% bibliography %} read content/bib/",
    "jekyll-paginate": "the post list is paginated (paginate: in site.yml)",
    "jekyll-paginate-v2": "the post list is paginated (paginate: in site.yml)",
    "jekyll-redirect-from": "redirect: in front matter",
    "jekyll-toc": "toc: in front matter",
}
# _config.yml keys that only steer Jekyll's own build and mean nothing for a Stride site.
_JEKYLL_BUILD_KEYS = {
    "markdown", "highlighter", "kramdown", "include", "exclude", "keep_files", "incremental",
    "safe", "source", "destination", "plugins_dir", "layouts_dir", "data_dir", "includes_dir",
    "sass", "encoding", "future", "unpublished", "show_drafts", "limit_posts", "lsi", "excerpt_separator",
    "timezone", "strict_front_matter", "liquid", "webrick", "port", "host", "livereload", "defaults",
    "gems", "whitelist", "imagemagick", "jekyll-minifier", "jekyll-archives", "jekyll_get_json",
}


def map_config(config: Mapping[str, Any], lines: Mapping[str, int], path: str,
               nav_pages: list[dict[str, Any]], notes: list[Diagnostic]) -> dict[str, Any]:
    """site.yml settings for the keys of ``_config.yml`` that have a Stride equivalent; a note
    for every key or value that does not (pure apart from appending to ``notes``)."""
    used: set[str] = set()

    def note(key: str, message: str, hint: str = "") -> None:
        notes.append(Diagnostic(path, lines.get(key, 1), message, hint, "warning"))

    def text(key: str) -> str:
        used.add(key)
        value = config.get(key)
        return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""

    site: dict[str, Any] = {}
    name = " ".join(t for t in (text("first_name"), text("middle_name"), text("last_name")) if t)
    title = text("title")
    site["title"] = title if title and title != "blank" else (name or "My site")
    author = config.get("author")
    used.add("author")
    if isinstance(author, dict):
        author = author.get("name")
    site["author"] = str(author).strip() if isinstance(author, str) and author.strip() else name
    if text("description"):
        site["description"] = " ".join(text("description").split())
    url = text("url").rstrip("/")
    if url.startswith(("http://", "https://")):
        site["url"] = url
    elif url:
        note("url", f"url {url!r} not mapped: Stride wants https://host", "set url: in content/site.yml")
    site["base_url"] = normalize_base_url(text("baseurl"))
    if text("lang"):
        site["language"] = text("lang")

    nav = [{"title": "blog" if config.get("blog_nav_title") is None else text("blog_nav_title"), "url": ""}]
    used.add("blog_nav_title")
    head = [n for n in nav_pages if "order" not in n]
    rest = sorted((n for n in nav_pages if "order" in n), key=lambda n: (_number(n["order"]), n["title"]))
    nav += [{"title": n["title"], "url": n["url"]} for n in head + rest]
    site["nav"] = nav

    permalink = config.get("permalink")
    used.add("permalink")
    mapped = map_permalink(str(permalink if permalink is not None else "date"))
    if mapped is None:
        shown = repr(permalink) if permalink is not None else "(Jekyll's default, date)"
        note("permalink", f"permalink {shown} not mapped: Stride's post URLs may use "
             "{year}, {month}, {day} and {slug} (Jekyll's :year, :month, :day, :title)",
             "posts get posts/{slug}/; set permalink: in content/site.yml")
    else:
        site["permalink"] = mapped

    per_page = config.get("paginate")
    used.update({"paginate", "pagination", "paginate_path"})
    pagination = config.get("pagination")
    if isinstance(pagination, dict) and pagination.get("enabled", True):
        per_page = pagination.get("per_page", per_page)
        extra = sorted(set(pagination) - {"enabled", "per_page", "permalink"})
        if pagination.get("permalink") not in (None, "/page/:num/"):
            extra.append("permalink")
        if extra:
            note("pagination", "pagination settings not mapped: " + ", ".join(extra))
    if isinstance(per_page, int) and not isinstance(per_page, bool) and per_page >= 1:
        site["paginate"] = per_page

    feed = config.get("feed")
    used.add("feed")
    if isinstance(feed, dict) and isinstance(feed.get("posts_limit"), int) and feed["posts_limit"] >= 1:
        site["feed_entries"] = feed["posts_limit"]

    scholar = config.get("scholar")
    used.add("scholar")
    if isinstance(scholar, dict):
        bibliography = scholar.get("bibliography")
        if isinstance(bibliography, str) and bibliography.strip():
            site["bibliography"] = {"default": Path(bibliography.strip()).name.removesuffix(".bib")}
        ignored = sorted(set(scholar) - {"bibliography", "source"})
        if ignored:
            note("scholar", "jekyll-scholar settings not mapped: " + ", ".join(ignored),
                 "Stride prints one numbered style; {% bibliography %} takes --file and --cited")

    giscus = config.get("giscus")
    used.add("giscus")
    if isinstance(giscus, dict):
        required = ("repo", "repo_id", "category", "category_id")
        known = set(required) | {"mapping", "strict", "reactions_enabled", "input_position", "theme",
                                 "lang", "loading", "emit_metadata"}
        missing = [k for k in required if not giscus.get(k)]
        if missing:
            note("giscus", "giscus not mapped: " + ", ".join(missing) + " empty",
                 "fill them in and add a giscus: section to content/site.yml")
        else:
            site["giscus"] = {str(k): v for k, v in giscus.items() if k in known}

    gems = config.get("plugins", config.get("gems")) or []
    used.update({"plugins", "gems", "collections", "exclude"})
    for index, gem in enumerate(gems if isinstance(gems, list) else []):
        gem = str(gem)
        where = f"plugins.{index}" if "plugins" in config else f"gems.{index}"
        if gem not in _BUILT_IN_GEMS:
            notes.append(Diagnostic(path, lines.get(where, lines.get("plugins", 1)),
                                    f"plugin gem {gem} not mapped: Stride runs no Ruby", "", "warning"))

    unknown = sorted(k for k in map(str, config) if k not in used and k not in _JEKYLL_BUILD_KEYS)
    if unknown:
        notes.append(Diagnostic(path, 0, f"{len(unknown)} setting{'s' if len(unknown) != 1 else ''} "
                                "without a Stride equivalent, not mapped: " + ", ".join(unknown),
                                "templates can read content/site.yml keys only; add what you need "
                                "to the templates by hand", "warning"))
    return site


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 99.0


PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_PERMALINK_TOKENS = {":year": "{year}", ":month": "{month}", ":day": "{day}", ":title": "{slug}", ":slug": "{slug}"}


def map_permalink(value: str) -> str | None:
    """Jekyll's post permalink as Stride's pattern (``/blog/:year/:title/`` -> ``blog/{year}/{slug}/``),
    or None when it uses something Stride's patterns cannot say (categories, extensions, ...)."""
    pattern = PERMALINK_STYLES.get(value.strip(), value.strip())
    if not pattern.endswith("/"):
        return None
    out = []
    for segment in [s for s in pattern.split("/") if s]:
        replaced = re.sub(r":[a-z_]+", lambda m: _PERMALINK_TOKENS.get(m.group(0), "\0"), segment)
        if "\0" in replaced or not re.fullmatch(r"[A-Za-z0-9._{}-]+", replaced):
            return None
        out.append(replaced)
    result = "/".join(out) + "/"
    return result if "{slug}" in result else None


def settings_text(settings: Mapping[str, Any], config_name: str) -> str:
    header = (f"# Site settings, imported from the Jekyll site's {config_name} by `stride import`.\n"
              "# Every key is checked by `stride build`; the README lists them all.\n")
    body = yaml.safe_dump(dict(settings), sort_keys=False, allow_unicode=True, width=100)
    return header + body
