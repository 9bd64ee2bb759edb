"""Site settings: one YAML file, ``content/site.yml``, loaded into a frozen ``SiteConfig``.

Unknown keys are errors (a typo such as ``base-url`` would otherwise be silently ignored and
the deployed site would break under its sub-path).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from generator.errors import ContentError
from generator.paths import inside_project
from generator.plaintext import reject_control_characters, reject_control_values
from generator.yamlfile import load_yaml

SETTINGS_FILE = Path("content") / "site.yml"


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str  # site-relative path such as "about/", or an absolute http(s) URL


@dataclass(frozen=True)
class SiteConfig:
    path: str  # the settings file, for messages
    title: str = "Stride site"
    author: str = ""
    description: str = ""
    url: str = ""  # scheme and host, e.g. "https://user.github.io" (feeds and OpenGraph need it)
    base_url: str = "/"  # always starts and ends with "/"
    language: str = "en"
    nav: tuple[NavItem, ...] = ()
    permalink: str = "posts/{slug}/"
    paginate: int = 10
    feed_entries: int = 20
    default_bibliography: str | None = None
    giscus: Mapping[str, Any] | None = None
    include: tuple[str, ...] = ()  # dot-named paths under content/static/ to publish anyway
    plugins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Site-wide TeX macros (``math: macros:``), in MathJax's form: name -> body, or
    # name -> (body, number of arguments[, default of the first argument]).
    math_macros: Mapping[str, str | tuple] = field(default_factory=dict)
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    @property
    def math_macros_json(self) -> str:
        """The macros as the JSON MathJax's ``tex.macros`` takes (tuples become arrays)."""
        return json.dumps(dict(self.math_macros), sort_keys=True, ensure_ascii=False)


_GISCUS_REQUIRED = ("repo", "repo_id", "category", "category_id")
_GISCUS_KEYS = frozenset(_GISCUS_REQUIRED) | {
    "mapping", "strict", "reactions_enabled", "input_position", "theme", "lang", "loading",
    "emit_metadata",
}
_KEYS = frozenset({
    "title", "author", "description", "url", "base_url", "language", "nav", "permalink",
    "paginate", "feed_entries", "bibliography", "giscus", "plugins", "math", "include",
})
_MACRO_NAME = re.compile(r"[A-Za-z]+")
_MACRO_PARAMETER = re.compile(r"(?<!\\)#(\d)")


def _math_macros(value: Any, shown: str, line) -> Mapping[str, str | tuple]:
    """Validate ``math: {macros: {name: body | [body, arguments] | [body, arguments, default]}}``."""
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict) or set(value) - {"macros"}:
        raise ContentError(shown, line("math"), "'math' takes only 'macros:'",
                           "e.g. math: {macros: {R: '\\mathbb{R}'}}")
    macros = value.get("macros") or {}
    if not isinstance(macros, dict):
        raise ContentError(shown, line("math.macros"), "'math: macros:' must map macro names to TeX",
                           "e.g. macros: {R: '\\mathbb{R}', norm: ['\\lVert #1 \\rVert', 1]}")
    found: dict[str, str | tuple] = {}
    for name, body in macros.items():
        where = line(f"math.macros.{name}")
        if not isinstance(name, str) or not _MACRO_NAME.fullmatch(name):
            raise ContentError(shown, where, f"math macro name {name!r} must be letters only",
                               "write the name without the backslash: R for \\R")
        arguments, default = 0, None
        if isinstance(body, list) and len(body) in (2, 3):
            body, arguments, *rest = body
            default = rest[0] if rest else None
            if isinstance(arguments, bool) or not isinstance(arguments, int) or not 1 <= arguments <= 9:
                raise ContentError(shown, where, f"macro \\{name}: the number of arguments must be 1 to 9",
                                   "e.g. norm: ['\\lVert #1 \\rVert', 1]")
            if default is not None and not isinstance(default, str):
                raise ContentError(shown, where, f"macro \\{name}: the default argument must be text")
        if not isinstance(body, str):
            raise ContentError(shown, where, f"macro \\{name} must be TeX text or [TeX, arguments]",
                               "quote TeX in single quotes: R: '\\mathbb{R}'")
        used = max((int(n) for n in _MACRO_PARAMETER.findall(body)), default=0)
        if used > arguments:
            raise ContentError(shown, where, f"macro \\{name} uses #{used} but takes {arguments} arguments",
                               f"write [{body!r}, {used}]")
        found[name] = body if not arguments else (body, arguments) if default is None else (body, arguments, default)
    return MappingProxyType(dict(sorted(found.items())))


# Jekyll's permalink placeholders -> the names of Stride's {...} form. :title is the post's slug
# (Jekyll's "pretty" slugify); :slug the same text slugified plainly (see content.jekyll_slug).
_JEKYLL_PLACEHOLDERS = {"title": "slug", "slug": "plain_slug", "year": "year", "month": "month",
                        "day": "day", "i_month": "i_month", "i_day": "i_day", "short_year": "short_year",
                        "categories": "categories"}
_JEKYLL_PLACEHOLDER = re.compile(r":([a-z_]+)")
PERMALINK_EXAMPLE = {"slug": "s", "plain_slug": "s", "year": "2000", "month": "01", "day": "01",
                     "i_month": "1", "i_day": "1", "short_year": "00", "categories": "c"}


def jekyll_permalink(pattern: str) -> str:
    """Translate Jekyll placeholders (``/blog/:year/:title/``) into Stride's form
    (``/blog/{year}/{slug}/``); ``:output_ext`` is ``.html``. Stride's own form passes through.
    Raises KeyError(name) for a placeholder Stride does not know."""

    def swap(match: re.Match) -> str:
        name = match.group(1)
        if name == "output_ext":
            return ".html"
        if name not in _JEKYLL_PLACEHOLDERS:
            raise KeyError(name)
        return "{" + _JEKYLL_PLACEHOLDERS[name] + "}"

    return _JEKYLL_PLACEHOLDER.sub(swap, pattern)


def normalize_base_url(value: str) -> str:
    """``""``, ``"/"``, ``"my-repo"``, ``"/my-repo"`` and ``"/my-repo/"`` all mean a mount point;
    the result always starts and ends with a slash."""
    parts = [p for p in str(value).strip().split("/") if p]
    return "/" + "".join(f"{p}/" for p in parts)


def load_config(source: Path, base_url: str | None = None) -> SiteConfig:
    """Read ``source/content/site.yml`` (missing file -> defaults). ``base_url`` overrides the file."""
    path = source / SETTINGS_FILE
    shown = str(path)
    data: Any = {}
    lines: dict[str, int] = {}
    if path.is_file():
        inside_project(path, source)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ContentError(shown, 1, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from None
        reject_control_characters(text, shown)
        data, lines = load_yaml(text, shown)
        data = {} if data is None else data
    if not isinstance(data, dict):
        raise ContentError(shown, 1, "site settings must be a mapping of key: value")
    reject_control_values(data, lines, shown)

    def line(key: str) -> int:
        return lines.get(key, 1)

    def text_value(key: str, default: str) -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, (str, int, float)):
            raise ContentError(shown, line(key), f"{key!r} must be text")
        return str(value)

    for key in sorted(data, key=str):
        if key not in _KEYS:
            raise ContentError(
                shown, line(str(key)), f"unknown setting {key!r}",
                "known settings: " + ", ".join(sorted(_KEYS)),
            )

    nav = []
    raw_nav = data.get("nav") or []
    if not isinstance(raw_nav, list):
        raise ContentError(shown, line("nav"), "'nav' must be a list of {title, url}")
    for index, item in enumerate(raw_nav):
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise ContentError(
                shown, line(f"nav.{index}"), "each nav entry needs exactly 'title' and 'url'",
                "e.g. - {title: About, url: about/}",
            )
        nav.append(NavItem(str(item["title"]), str(item["url"])))

    def positive_int(key: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ContentError(shown, line(key), f"{key!r} must be a whole number ≥ 1, not {value!r}")
        return value

    try:
        permalink = jekyll_permalink(text_value("permalink", "posts/{slug}/"))
    except KeyError as exc:
        raise ContentError(shown, line("permalink"), f"permalink placeholder :{exc.args[0]} is not supported",
                           "use :year, :month, :day, :i_month, :i_day, :short_year, :title, :slug, "
                           ":categories, :output_ext") from None
    if "{slug}" not in permalink and "{plain_slug}" not in permalink:
        raise ContentError(shown, line("permalink"), "'permalink' must contain {slug} (or Jekyll's :title)",
                           "e.g. posts/{slug}/ or /blog/:year/:title/")
    try:
        permalink.format(**PERMALINK_EXAMPLE)
    except (KeyError, IndexError, ValueError):
        raise ContentError(shown, line("permalink"), "'permalink' may only use "
                           + ", ".join("{" + k + "}" for k in PERMALINK_EXAMPLE)) from None

    bib = data.get("bibliography") or {}
    if not isinstance(bib, dict) or set(bib) - {"default"}:
        raise ContentError(shown, line("bibliography"), "'bibliography' takes only 'default: NAME'",
                           "NAME is a file content/bib/NAME.bib")

    giscus = data.get("giscus")
    if giscus is not None:
        if not isinstance(giscus, dict):
            raise ContentError(shown, line("giscus"), "'giscus' must be a mapping")
        for key in giscus:
            if key not in _GISCUS_KEYS:
                raise ContentError(shown, line(f"giscus.{key}"), f"unknown giscus setting {key!r}",
                                   "known: " + ", ".join(sorted(_GISCUS_KEYS)))
        missing = [k for k in _GISCUS_REQUIRED if not giscus.get(k)]
        if missing:
            raise ContentError(shown, line("giscus"), "giscus needs " + ", ".join(missing),
                               "copy them from the giscus configuration page of your repository")
        giscus = MappingProxyType({str(k): v for k, v in giscus.items()})

    # Only the plugins listed are on (and imported): the core names none of its own.
    plugins = data.get("plugins") or {}
    if not isinstance(plugins, dict) or any(not isinstance(v, (dict, type(None))) for v in plugins.values()):
        raise ContentError(shown, line("plugins"), "'plugins' must map plugin names to option mappings")

    include = data.get("include") or []
    if not isinstance(include, list) or not all(isinstance(i, str) and i.strip("/") for i in include):
        raise ContentError(shown, line("include"), "'include' must be a list of paths under content/static/",
                           "e.g. include: [.htaccess]")
    if any(".." in i.split("/") for i in include):
        raise ContentError(shown, line("include"), "'include' paths may not contain '..'",
                           "they name files under content/static/")

    url = text_value("url", "").rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise ContentError(shown, line("url"), f"'url' must start with https:// (got {url!r})",
                           "e.g. https://user.github.io")
    return SiteConfig(
        path=shown,
        title=text_value("title", "Stride site"),
        author=text_value("author", ""),
        description=text_value("description", ""),
        url=url,
        base_url=normalize_base_url(base_url if base_url is not None else text_value("base_url", "/")),
        language=text_value("language", "en"),
        nav=tuple(nav),
        permalink=permalink.strip("/") + ("" if permalink.endswith(".html") else "/"),
        paginate=positive_int("paginate", 10),
        feed_entries=positive_int("feed_entries", 20),
        default_bibliography=bib.get("default"),
        giscus=giscus,
        include=tuple(sorted({i.strip("/") for i in include})),
        plugins=MappingProxyType({str(k): MappingProxyType(dict(v or {})) for k, v in plugins.items()}),
        math_macros=_math_macros(data.get("math"), shown, line),
        key_lines=MappingProxyType(lines),
    )
