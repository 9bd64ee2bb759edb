"""Jinja2 environment and the URL helpers every template and plugin shares.

All internal links go through :func:`make_url` so that a site built with ``--base-url /my-repo/``
works when GitHub Pages serves it from that sub-path. Autoescaping is on and undefined
variables are errors, reported at the template's own line.
"""

from __future__ import annotations

import functools
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from generator.assets import AssetSet
from generator.config import SiteConfig
from generator.errors import ContentError, display_path
from generator.paths import inside_project

_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^#")


def make_url(base_url: str) -> Callable[[str], str]:
    """``url("posts/x/")`` -> ``"/my-repo/posts/x/"``. External URLs and fragments pass through."""

    @functools.lru_cache(maxsize=65536)  # templates ask for the same few thousand URLs every build
    def url(path: str = "") -> str:
        path = str(path)
        if _EXTERNAL.match(path):
            return path
        return base_url + quote(path.lstrip("/"), safe="/#?=&%.-_~")

    return url


def make_absolute_url(site: SiteConfig, url: Callable[[str], str]) -> Callable[[str], str]:
    def absolute_url(path: str = "") -> str:
        local = url(path)
        return local if _EXTERNAL.match(local) else site.url + local

    return absolute_url


def make_asset(assets: AssetSet, url: Callable[[str], str]) -> Callable[[str], str]:
    def asset(path: str) -> str:
        public = assets.path_of(path)
        if public is None:
            raise KeyError(f"no asset {path!r} under assets/")
        return url(public)

    return asset


def _date_format(value: Any, fmt: str = "%B %-d, %Y") -> str:
    return value.strftime(fmt) if value is not None else ""


@dataclass(frozen=True)
class Renderer:
    """Renders named templates from ``templates/`` with the site-wide globals."""

    env: jinja2.Environment
    root: Path

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except ContentError:
            raise
        except jinja2.TemplateSyntaxError as exc:
            raise ContentError(exc.filename or self.root / name, exc.lineno, f"template syntax error: {exc.message}") from None
        except jinja2.TemplateNotFound as exc:
            raise ContentError(self.root / name, 1, f"template not found: {exc.name}",
                               f"add {exc.name} under templates/") from None
        except Exception as exc:  # undefined variables, bad filters, errors in helpers
            path, line = self._template_frame(exc, name)
            message = str(exc) if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
            raise ContentError(path, line, f"template error: {message}",
                               "check the variable names this template uses") from None

    def load(self, name: str) -> None:
        """Compile ``name`` now (e.g. before forking workers that all render it). A broken or
        missing template is left for ``render`` to report."""
        try:
            self.env.get_template(name)
        except Exception:
            pass

    def _template_frame(self, exc: BaseException, name: str) -> tuple[str, int]:
        root = str(self.root.resolve())
        found = (str(self.root / name), 0)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
                found = (frame.filename, frame.lineno or 0)
        return display_path(found[0]), found[1]


class _ProjectLoader(jinja2.FileSystemLoader):
    """Templates from one folder, refusing any reached through a link out of the project."""

    def __init__(self, folder: Path, project: Path) -> None:
        super().__init__(str(folder))
        self.project = project

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple:
        source, filename, uptodate = super().get_source(environment, template)
        inside_project(Path(filename), self.project)
        return source, filename, uptodate


def make_renderer(templates_dir: Path, site: SiteConfig, globals_: Mapping[str, Any],
                  bytecode_dir: Path | None = None) -> Renderer:
    """``bytecode_dir`` keeps compiled templates between processes (Jinja checks each
    template's modification time, so an edited template is compiled again)."""
    cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    env = jinja2.Environment(
        # A renderer lives for one build, so a template cannot change under it: without this
        # Jinja would stat the template file on every page it renders (and every include).
        auto_reload=False,
        bytecode_cache=cache,
        loader=_ProjectLoader(templates_dir, templates_dir.parent),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date_format
    env.globals.update(globals_)
    env.globals["site"] = site
    return Renderer(env, templates_dir)


def safe(html: str) -> Markup:
    """Mark HTML produced by our own Markdown pipeline as trusted for autoescaping."""
    return Markup(html)
