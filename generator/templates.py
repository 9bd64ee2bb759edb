"""Jinja2 environment and the URL helpers every template and plugin shares.

All internal links go through :func:`make_url` so that a site built with ``--base-url /my-repo/``
works when GitHub Pages serves it from that sub-path. Autoescaping is on and undefined
variables are errors, reported at the template's own line.
"""

from __future__ import annotations

import functools
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import quote

import jinja2
import jinja2.meta
from jinja2 import nodes

from generator.assets import AssetSet
from generator.config import SiteConfig
from generator.errors import ContentError, display_path
from generator.layers import Root
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


# Filters and tests that read an attribute named by an argument: with a computed argument no
# name is known.
_ATTRIBUTE_FILTERS = frozenset({"attr", "map", "selectattr", "rejectattr", "select", "reject", "sort", "groupby",
                                "sum", "unique", "min", "max", "dictsort"})
# Filters that show a whole object (every field of a post in its repr).
_WHOLE_VALUE_FILTERS = frozenset({"pprint", "tojson", "xmlattr", "string"})


def _date_format(value: Any, fmt: str = "%B %-d, %Y") -> str:
    return value.strftime(fmt) if value is not None else ""


class _Environment(jinja2.Environment):
    """A Jinja environment that compiles a template from the tree :meth:`Renderer.names_read`
    parsed of the same source, when it parsed one that is not compiled yet, instead of parsing
    the source a second time (about a fifth of compiling the theme's templates). A tree is taken once:
    the code generator's optimiser may rewrite the tree it compiles."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: dict[str, nodes.Template] = {}  # source -> its tree, read but not compiled

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = self.parsed.pop(source, None)
        return tree if tree is not None else super()._parse(source, name, filename)


@dataclass(frozen=True)
class Renderer:
    """Renders named templates of the template layers (site, plugins, theme) with the site-wide
    globals. ``root`` is the site's ``templates/`` (where a missing template is to be added)."""

    env: jinja2.Environment
    root: Path
    roots: tuple[Root, ...] = ()
    # What each template source reads (_reads_of), kept for the renderer's life: the page
    # templates share base.html and its includes, which names_read parsed again for each.
    _reads: dict[str, tuple[tuple[str, ...], frozenset[str]] | None] = field(
        default_factory=dict, compare=False, repr=False)

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

    def prepare(self, pages: list[str], others: list[str]) -> None:
        """Find the names each of the page templates ``pages`` reads (:meth:`names_read`), then
        compile them and the templates ``others`` (includes), reusing the trees read (see
        ``_Environment``); a tree left over (its template compiled already, or never) is dropped."""
        # An extension may preprocess a source by its template's name, which names_read has not.
        keep = isinstance(self.env, _Environment) and not self.env.extensions
        for name in pages:
            self.names_read(name, keep_trees=keep)
        for name in pages + others:
            self.load(name)
        if keep:
            self.env.parsed.clear()

    def names_read(self, name: str, keep_trees: bool = False) -> frozenset[str] | None:
        """Every attribute or key name that template ``name``, with everything it extends,
        includes or imports, can read of a value in its context: the names after a dot, and
        every string constant (``post["title"]``, ``map(attribute="date.year")``, split at
        dots). A listing page is keyed on these fields of each post it lists, not the whole
        post. None when that cannot be known from the source (a template named by a variable,
        an item or attribute picked by a computed name): the page is then keyed on everything."""
        seen: set[str] = set()
        names: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source = self.env.loader.get_source(self.env, current)[0]
            except Exception:
                return None  # render reports it
            if source not in self._reads:
                self._reads[source] = self._reads_of(source, keep_trees)
            reads = self._reads[source]
            if reads is None:
                return None
            referenced, found = reads
            todo.extend(referenced)
            names |= found
        return frozenset(names)

    def _reads_of(self, source: str, keep_tree: bool = False) -> tuple[tuple[str, ...], frozenset[str]] | None:
        """The templates one template source extends, includes or imports, and the names it
        reads (see names_read); None when either cannot be known. With ``keep_tree`` the tree
        parsed is left for compiling the template (``_Environment``)."""
        try:
            tree = self.env.parse(source)
        except Exception:
            return None  # render reports it
        if keep_tree:  # only asked of an _Environment (Renderer.prepare)
            self.env.parsed[source] = tree
        referenced = tuple(jinja2.meta.find_referenced_templates(tree))
        if None in referenced:
            return None
        names: set[str] = set()
        # Template names ("base.html") are not read of any value.
        loads = {id(node.template) for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                                              nodes.FromImport))}
        for node in tree.find_all((nodes.Getattr, nodes.Const, nodes.Getitem, nodes.Filter, nodes.Test)):
            if id(node) in loads:
                continue
            if isinstance(node, nodes.Getattr):
                names.add(node.attr)
            elif isinstance(node, nodes.Const):
                if isinstance(node.value, str):
                    names.add(node.value)
                    names.update(node.value.split("."))
            elif isinstance(node, nodes.Getitem):
                if not isinstance(node.arg, (nodes.Const, nodes.Slice)):
                    return None
            elif node.name in _ATTRIBUTE_FILTERS and not all(
                    isinstance(arg, nodes.Const) for arg in (*node.args, *(k.value for k in node.kwargs))):
                return None
            elif node.name in _WHOLE_VALUE_FILTERS:
                return None
        return referenced, frozenset(names)

    def prune_bytecode(self) -> None:
        """Delete the compiled templates whose source is gone (renamed or deleted), so the
        bytecode folder holds what the current templates need and no more."""
        cache = self.env.bytecode_cache
        if not isinstance(cache, jinja2.FileSystemBytecodeCache) or self.env.loader is None:
            return
        keep = set()
        for name in self.env.list_templates():
            try:
                _source, filename, _uptodate = self.env.loader.get_source(self.env, name)
            except Exception:
                continue  # unreadable: its bytecode (if any) goes too
            keep.add(cache.pattern % cache.get_cache_key(name, filename))
        for file in Path(cache.directory).glob(cache.pattern % "*"):
            if file.name not in keep:
                file.unlink(missing_ok=True)

    def _template_frame(self, exc: BaseException, name: str) -> tuple[str, int]:
        folders = tuple(str(r.folder.resolve()) for r in self.roots) or (str(self.root.resolve()),)
        found = (str(self.root / name), 0)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename and str(Path(frame.filename).resolve()).startswith(folders):
                found = (frame.filename, frame.lineno or 0)
        return display_path(found[0]), found[1]


class _LayeredLoader(jinja2.BaseLoader):
    """Each template from the first layer that holds it (site, plugins, theme), refusing one
    reached through a link out of its layer (the project, for the site's templates/)."""

    def __init__(self, roots: tuple[Root, ...]) -> None:
        self.roots = roots

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple:
        name = "/".join(jinja2.loaders.split_template_path(template))  # refuses ".." pieces
        for root in self.roots:
            path = root.find(name)
            if path is None:
                continue
            if root.confine is not None:
                inside_project(path, root.confine)
            mtime = path.stat().st_mtime_ns
            source = path.read_text(encoding="utf-8")
            return source, str(path), lambda p=path, m=mtime: p.is_file() and p.stat().st_mtime_ns == m
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        """Every template name some layer holds (what ``Renderer.prune_bytecode`` keeps)."""
        from generator.layers import resolved

        return list(resolved(self.roots))


def make_renderer(templates: tuple[Root, ...] | Path, site: SiteConfig, globals_: Mapping[str, Any],
                  bytecode_dir: Path | None = None) -> Renderer:
    """``templates``: the template roots in lookup order (``Layers.roots("templates")``; a bare
    folder is one site layer). ``bytecode_dir`` keeps compiled templates between processes
    (Jinja checks each template's source file, so an edited template is compiled again)."""
    roots = (Root("site", templates, confine=templates.parent),) if isinstance(templates, Path) else templates
    cache = None
    if bytecode_dir is not None:
        bytecode_dir.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir))
    env = _Environment(
        # A renderer lives for one build, so a template cannot change under it: without this
        # Jinja would stat the template file on every page it renders (and every include).
        auto_reload=False,
        bytecode_cache=cache,
        loader=_LayeredLoader(roots),
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = _date_format
    env.globals.update(globals_)
    env.globals["site"] = site
    return Renderer(env, roots[0].folder, roots)

