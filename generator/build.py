"""The build: config -> content -> plugins -> Markdown -> templates -> atomic write.

``build_site`` is the one entry point; ``stride build``, ``stride check``, the dev server and the
benchmarks all call it. Content problems raise ``ContentError``/``ContentErrors``; nothing is
written unless the whole site rendered.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import functools
import hashlib
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from markupsafe import Markup

from generator import __version__, stamp
from generator.assets import AssetSet, collect_assets
from generator.cache import DEFAULT_DIR
from generator.config import SiteConfig, load_config
from generator.content import Document, Script, load_documents, read_document, url_key
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator.liquid_data import DATA_FOLDER, data_files, link_tables, load_data, page_variables, site_variables
from generator.markdown import TagHandlers, pygments_css, render_document
from generator.paths import project_files
from generator.plugins import Cache, Plugin, PluginContext, PostResult, discover
from generator.site import (
    PageSpec, RenderedDocument, archive_page, document_pages, feed_page, index_pages, link_posts,
    page_fingerprint, page_meta, sitemap_page, sort_posts, taxonomy_pages, word_count, excerpt,
)
from generator.templates import make_absolute_url, make_asset, make_renderer, make_url
from generator.writer import MARKER, build_lock, check_output, write_atomically

_ATTR_URL = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"]*)"')


@dataclass(frozen=True)
class BuildOptions:
    """``source`` is the project root (holding content/, templates/, assets/). ``cache_dir``
    defaults to ``source/.stride-cache``; ``None`` keeps the cache in memory only."""

    source: Path = Path(".")
    output: Path = Path("build")
    base_url: str | None = None
    drafts: bool = False
    unpublished: bool = False  # also build documents with published: false (Jekyll's --unpublished)
    write: bool = True
    cache_dir: Path | None = DEFAULT_DIR
    strict: bool = False  # warnings count as errors: nothing is written when there is one
    wait: float | None = None  # seconds to wait for another build of ``output`` (writer.wait_seconds)


@dataclass(frozen=True)
class BuildResult:
    pages: int
    data_files: int
    bytes: int
    seconds: float
    output: Path
    warnings: tuple[Diagnostic, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    base_url: str = "/"  # the public sub-path the site was built for (normalised, e.g. "/my-repo/")
    plugin_code: tuple[str, ...] = ()  # where the third-party plugins this build ran live (see stamp)

    def summary(self) -> str:
        verb = "built" if self.output else "checked"
        return (f"{verb} {self.pages} pages, {self.data_files} data files, "
                f"{self.bytes / 1e6:.2f} MB in {self.seconds:.2f} s -> {display_path(self.output)}/")


# Dot-named files under content/static/ (.env, .git/, editor backups) are private unless listed
# under include: in site.yml; these two are always meant for the host.
_PUBLIC_DOTFILES = (".nojekyll", ".well-known")


def published_static(include: tuple[str, ...]) -> Callable[[str, bool], bool]:
    """Which paths under content/static/ (POSIX, relative) are published, for project_files."""
    listed = set(include) | set(_PUBLIC_DOTFILES)

    def admit(rel: str, is_dir: bool) -> bool:
        if not any(part.startswith(".") for part in rel.split("/")):
            return True
        # A listed path is published with everything under it; a folder is walked when it
        # holds a listed path.
        return any(rel == item or rel.startswith(item + "/") or (is_dir and item.startswith(rel + "/"))
                   for item in listed)

    return admit


def _every_file(folder: Path, project: Path) -> list[Path]:
    """Every file under ``folder`` for a memo key, dot-named ones too; a link out of the
    project is an error here as well, so even an unused one is never read."""
    return list(project_files(folder, project, admit=lambda rel, is_dir: True))


def watched_paths(source: Path) -> list[Path]:
    """What the dev server watches: every input of ``build_site``."""
    return [source / "content", source / "templates", source / "assets", Path(__file__).parent / "plugins"]


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """Hash of the code that turns a file into a Document; cached documents die with it."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("content.py", "yamlfile.py", "config.py", "errors.py", "paths.py", "plaintext.py",
                 "plugins/__init__.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


_PARALLEL_THRESHOLD = 48  # below this, starting workers costs more than it saves
_FORKED: tuple | None = None  # what forked workers inherit: (function, items)


def _forked_call(index: int) -> Any:
    function, items = _FORKED
    return function(items[index])


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the build process ends, however it ends. A
    worker blocks on the task queue, whose write end its siblings also hold, so a SIGKILLed
    parent would leave it waiting forever (holding the cache file open). Linux delivers SIGKILL
    on the parent's death (prctl); elsewhere, and for a parent that died before that call, a
    thread polls the parent's pid."""
    try:
        # The process's own symbols include libc's: find_library would run ldconfig in a
        # subprocess in every worker (10-15 ms each).
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="stride-parent-watch", daemon=True).start()


def _map_in_workers(function: Callable[[Any], Any], items: list) -> list | None:
    """``[function(item) for item in items]`` computed in forked worker processes on every core.

    The workers inherit ``function`` and ``items`` (and through them the whole build: renderer,
    settings, documents), so only indices go out and only results come back. Returns None when
    it does not pay (few items, one core) or is not safe: fork only while no other thread may
    hold a lock (the dev server has threads). ``function`` returns None for an item it could not
    do; the caller then does that item itself, so errors are reported exactly as without workers.
    """
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < _PARALLEL_THRESHOLD or workers < 2 or threading.active_count() > 1 \
            or "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _FORKED
    _FORKED = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            return list(pool.map(_forked_call, range(len(items)), chunksize=8))
    except (OSError, BrokenProcessPool):
        return None  # no workers to be had: the caller does everything itself
    finally:
        _FORKED = None


def _digested(doc: Document) -> Document:
    doc.digest  # computed before the memo pickles the document, so later builds reuse it
    return doc


def _widget_html(results: list[PostResult]) -> dict[str, str]:
    return {w.id: w.html for r in results for w in r.widgets}


def _blame_layout(problem: Diagnostic, spec: PageSpec) -> Diagnostic:
    """A missing layout template is the post's mistake (its layout: line), not the theme's."""
    item = spec.context.get("doc")
    doc = getattr(item, "doc", None)
    if doc is None or not problem.message.startswith("template not found") or spec.template != f"{doc.layout}.html":
        return problem
    return Diagnostic(doc.source, doc.line_of("layout") if "layout" in doc.key_lines else 1,
                      f"no template for layout {doc.layout!r}",
                      f"add templates/{spec.template}, or use layout: post or layout: page")


def _cache_for(options: BuildOptions) -> Cache:
    if options.cache_dir is None:
        return Cache(None)
    root = options.cache_dir if options.cache_dir.is_absolute() else options.source / options.cache_dir
    return Cache(root)


def _load_plugins(site: SiteConfig) -> dict[str, tuple[Plugin, Any]]:
    """The plugins enabled under ``plugins:`` in site.yml, configured with their options."""
    available = discover(set(site.plugins))
    loaded = {}
    for name in sorted(site.plugins):
        if name not in available:
            known = ", ".join(sorted(set(discover()))) or "none"
            raise ContentError(site.path, site.line_of(f"plugins.{name}"), f"unknown plugin {name!r}",
                               f"installed plugins: {known}")
        plugin = available[name]()
        where = (site.path, site.line_of(f"plugins.{name}"))
        loaded[name] = (plugin, plugin.configure(site.plugins.get(name) or {}, where))
    return loaded


def _plugin_code(plugins: Mapping[str, tuple[Plugin, Any]]) -> tuple[str, ...]:
    """The package folder (or module file) of every third-party plugin in use: the stamp watches
    them, since an editable install changes nothing in site-packages when its code is edited."""
    builtin = Path(__file__).parent
    roots = set()
    for plugin, _ in plugins.values():
        top = sys.modules.get(type(plugin).__module__.split(".")[0])
        where = Path(getattr(top, "__file__", None) or builtin)
        root = where.parent if where.name == "__init__.py" else where
        if not root.is_relative_to(builtin):
            roots.add(str(root))
    return tuple(sorted(roots))


def _absolutizer(absolute_url: Callable[[str], str]) -> Callable[[str, str], str]:
    """Feed readers show content out of context: make every link in it absolute."""

    def absolutize(html: str, page_url: str) -> str:
        def fix(match: re.Match) -> str:
            url = match.group("url")
            if url.startswith("#"):
                url = absolute_url(page_url) + url
            elif url.startswith("/") and not url.startswith("//"):
                url = _origin(absolute_url) + url
            return f'{match.group("attr")}="{url}"'

        return _ATTR_URL.sub(fix, html)

    return absolutize


def _origin(absolute_url: Callable[[str], str]) -> str:
    """Scheme and host of the site (absolute_url of the root minus the base path)."""
    root = absolute_url("")
    match = re.match(r"^[a-z]+://[^/]+", root)
    return match.group(0) if match else ""


class _Build:
    """One run of the pipeline; holds the per-build values the stages share."""

    def __init__(self, options: BuildOptions, cache: Cache) -> None:
        self.options = options
        self.source = options.source
        self.cache = cache
        self.warnings: list[Diagnostic] = []
        self.problems: list[Diagnostic] = []
        self._digest: str | None = None
        self._site_digest: str | None = None
        self._includes_text: str | None = None
        self.started = dt.datetime.now().astimezone().replace(microsecond=0)
        self.liquid_site: dict[str, Any] = {}
        self.post_urls: dict[str, str] = {}
        self.link_urls: dict[str, str] = {}
        self._markdown_keys: dict[int, tuple[Document, Mapping[str, str], str]] = {}
        self._origins: dict[str, str] = {}  # output path -> what made it, for messages

    def run(self) -> BuildResult:
        started = time.perf_counter()
        site = load_config(self.source, self.options.base_url)
        url = make_url(site.base_url)
        absolute_url = make_absolute_url(site, url)
        assets = collect_assets(self.source / "assets", {"css/pygments.css": pygments_css().encode()})
        asset = make_asset(assets, url)
        renderer = make_renderer(self.source / "templates", site, {
            "url": url, "absolute_url": absolute_url, "asset": asset,
            "generator": f"Stride {__version__}",
        }, bytecode_dir=self.cache.root / "jinja" if self.cache.root else None)
        self.renderer = renderer
        for namespace in ("document", "markdown"):
            self.cache.preload(namespace)  # one query each instead of one per post
        documents = load_documents(self.source, site, self.options.drafts, read=self._reader(site),
                                   unpublished=self.options.unpublished, report_to=self.problems)
        documents = [self._with_known_layout(doc) for doc in documents]
        for doc in documents:
            self.warnings.extend(doc.warnings)
        plugins = _load_plugins(site)
        try:
            data = load_data(self.source)
        except ContentErrors as exc:
            self.problems.extend(exc.diagnostics)
            data = {}
        self.liquid_site = site_variables(site, documents, data, self.started)
        self.post_urls, self.link_urls = link_tables(documents, self.source / "content")

        files: dict[str, bytes] = {}
        data_files: set[str] = set()
        prepared: list[tuple[Document, list[PostResult]]] = []
        for doc in documents:
            try:
                results = self._run_plugins(doc, plugins, site, url, asset)
                for result in results:
                    for gen in result.files:
                        self._add_file(files, gen.path, gen.data, doc.source)
                        data_files.add(gen.path)
                prepared.append((doc, results))
            except ContentError as exc:
                self.problems.append(exc.diagnostic)
            except ContentErrors as exc:
                self.problems.extend(exc.diagnostics)
        self._prerender(prepared, site, url)
        rendered: list[RenderedDocument] = []
        for doc, results in prepared:
            try:
                rendered.append(self._render(doc, results, site, url, asset))
                if doc.style_text:
                    self._add_file(files, _page_stylesheet(doc.style_text), doc.style_text.encode() + b"\n",
                                   doc.source)
            except ContentError as exc:
                self.problems.append(exc.diagnostic)
            except ContentErrors as exc:
                self.problems.extend(exc.diagnostics)
        for name, (plugin, plugin_options) in plugins.items():
            ctx = PluginContext(site, plugin_options, self.cache, url, asset)
            for gen in plugin.on_site(ctx):
                self._add_file(files, gen.path, gen.data, f"plugin {name}")
                data_files.add(gen.path)
        if self.problems:
            raise ContentErrors(list(dict.fromkeys(self.problems)))  # a broken include once, not per post

        posts = sort_posts([d for d in rendered if d.kind == "post"])
        posts = link_posts(posts, site.giscus is not None)
        pages_only = [d for d in rendered if d.kind != "post"]
        specs: list[PageSpec] = []
        specs += document_pages(posts + pages_only, absolute_url)
        specs += index_pages(posts, site.paginate, site.title, site.description)
        specs += taxonomy_pages(posts)
        specs.append(archive_page(posts))
        specs.append(feed_page(posts, site.feed_entries, _absolutizer(absolute_url)))
        listed = [s.context["page"]["url"] for s in specs if s.template in ("index.html", "terms.html", "taxonomy.html", "archive.html")]
        specs.append(sitemap_page(posts + pages_only, listed, absolute_url))
        specs.append(PageSpec("404.html", "404.html", {"page": page_meta("404", "Page not found", "404.html")}))
        specs.append(PageSpec("robots.txt", "robots.txt", {"page": page_meta("robots", "robots", "robots.txt"),
                                                             "sitemap_url": absolute_url("sitemap.xml")}))

        pygments_url = asset("css/pygments.css")
        # Pages whose template context did not change since the last build are not rendered
        # again: after a one-post edit only that post, its neighbours and the lists, tags,
        # feed and sitemap that show it are. Each output has an entry (its key and bytes), so
        # an edit rewrites a dozen entries, not megabytes.
        fixed = self._page_inputs_digest(site, assets)
        self.cache.preload("page")
        previous = {spec.output: self.cache.get("page", spec.output) for spec in specs}
        previous = {output: known for output, known in previous.items() if known is not None}
        current: dict[str, tuple[str, bytes]] = {}
        keyed = []
        for spec in specs:
            context = dict(spec.context)
            context["page"] = {**context["page"], "pygments_css": pygments_url}
            key = hashlib.blake2b((fixed + spec.template + "\0" + page_fingerprint(context)).encode(
                "utf-8", "surrogatepass"), digest_size=20).hexdigest()
            keyed.append((spec, context, key))
        stale = [(spec.template, context) for spec, context, key in keyed
                 if previous.get(spec.output, ("",))[0] != key]
        for template in sorted({template for template, _ in stale}):
            renderer.load(template)  # compiled once here, not once in every worker

        def render(job: tuple[str, dict]) -> bytes | None:
            try:
                return renderer.render(*job).encode("utf-8")
            except ContentError:
                return None

        fresh = iter(_map_in_workers(render, stale) or [None] * len(stale))
        pages = 0
        for spec, context, key in keyed:
            known = previous.get(spec.output)
            if known is not None and known[0] == key:
                data = known[1]
            else:
                data = next(fresh)
                if data is None:
                    try:
                        data = renderer.render(spec.template, context).encode("utf-8")
                    except ContentError as exc:
                        self.problems.append(_blame_layout(exc.diagnostic, spec))
                        continue
            current[spec.output] = (key, data)
            item = getattr(spec.context.get("doc"), "doc", None)
            self._add_file(files, spec.output, data, item.source if item else spec.template)
            pages += spec.output.endswith(".html")
        if self.problems:
            raise ContentErrors(self.problems)
        for output, entry in current.items():
            if output not in previous or previous[output][0] != entry[0]:
                self.cache.store("page", output, entry)

        for public, data in assets.data.items():
            self._add_file(files, public, data, "assets/")
        self._copy_static(files, site)
        files.setdefault(MARKER, b"")
        self._check_case_clashes(files)
        if self.problems:
            raise ContentErrors(self.problems)
        if self.options.strict and self.warnings:
            raise ContentErrors([replace(w, severity="error") for w in dict.fromkeys(self.warnings)])

        if self.options.write:
            for note in check_output(self.options.output, self.source):
                self.warnings.append(Diagnostic(display_path(self.options.output), 0, note, severity="warning"))
            write_atomically(self.options.output, files)
        self.cache.prune("markdown")
        self.cache.prune("document")
        self.cache.prune("page")
        return BuildResult(
            pages=pages,
            data_files=len(data_files),
            bytes=sum(len(v) for v in files.values()),
            seconds=time.perf_counter() - started,
            output=self.options.output,
            warnings=tuple(self.warnings),
            files=files,
            base_url=site.base_url,
            plugin_code=_plugin_code(plugins),
        )

    def _with_known_layout(self, doc: Document) -> Document:
        """Jekyll renders a document whose layout does not exist (with a warning); Stride renders
        it with the post or page layout. Stride's list templates (index, archive, ...) expect
        another context, so they count as unknown too."""
        templates = self.source / "templates"
        name = doc.layout
        if name == doc.kind or (name not in _LIST_TEMPLATES and re.fullmatch(r"[\w.-]+", name)
                                and (templates / f"{name}.html").is_file()):
            return doc
        self.warnings.append(Diagnostic(
            doc.source, doc.line_of("layout"), f"no template for layout {name!r}; rendered with the "
            f"{doc.kind} layout", f"add templates/{name}.html to give it its own, or write layout: {doc.kind}",
            severity="warning"))
        return replace(doc, layout=doc.kind)

    def _check_case_clashes(self, files: Mapping[str, bytes]) -> None:
        """Output paths (or folders) that differ only in case are one file on macOS and Windows:
        a clone or a local preview there would silently lose one of them."""
        seen: dict[str, tuple[str, str]] = {}
        reported: set[tuple[str, str]] = set()
        for path in sorted(files):
            parts = path.split("/")
            for end in range(1, len(parts) + 1):
                prefix = "/".join(parts[:end])
                first, first_file = seen.setdefault(url_key(prefix), (prefix, path))
                if first != prefix:
                    if (first, prefix) not in reported:
                        reported.add((first, prefix))
                        one = (self._origins.get(path, f"content/static/{path}"), prefix)
                        two = (self._origins.get(first_file, f"content/static/{first_file}"), first)
                        if not one[0].startswith("content") and two[0].startswith("content"):
                            one, two = two, one  # blame the user's file rather than a template
                        self.problems.append(Diagnostic(
                            one[0], 0, f"/{one[1]} differs only in case from /{two[1]} (from {two[0]}); "
                            "they are one file on macOS and Windows", "rename one of them"))
                    break

    def _add_file(self, files: dict[str, bytes], path: str, data: bytes, origin: str) -> None:
        path = path.lstrip("/")
        self._origins.setdefault(path, origin)
        if ".." in path.split("/"):
            self.problems.append(Diagnostic(origin, 0, f"refusing to write outside the site: {path}"))
            return
        if path in files and files[path] != data:
            self.problems.append(Diagnostic(origin, 0, f"two different files want the path /{path}",
                                            "rename one of them"))
            return
        files[path] = data

    def _copy_static(self, files: dict[str, bytes], site: SiteConfig) -> None:
        static = self.source / "content" / "static"
        try:
            found = list(project_files(static, self.source, published_static(site.include)))
        except ContentError as exc:
            self.problems.append(exc.diagnostic)
            return
        for file in found:
            rel = file.relative_to(static).as_posix()
            if rel in files:
                self.problems.append(Diagnostic(display_path(file), 0, f"/{rel} is also generated by Stride",
                                                "rename the static file"))
                continue
            files[rel] = file.read_bytes()

    def _run_plugins(self, doc: Document, plugins: dict[str, tuple[Plugin, Any]], site: SiteConfig,
                     url: Callable[[str], str], asset: Callable[[str], str]) -> list[PostResult]:
        by_plugin: dict[str, list] = {}
        for decl in doc.widgets:
            if decl.plugin not in plugins:
                raise ContentError(doc.source, decl.line_of("plugin"), f"unknown widget plugin {decl.plugin!r}",
                                   f"enable it in content/site.yml under plugins: (enabled: "
                                   f"{', '.join(plugins) or 'none'})")
            by_plugin.setdefault(decl.plugin, []).append(decl)
        seen: dict[str, int] = {}
        for decl in doc.widgets:
            if decl.id in seen:
                raise ContentError(doc.source, decl.line_of("id"), f"duplicate widget id {decl.id!r}",
                                   f"first declared on line {seen[decl.id]}; ids must be unique in a post")
            seen[decl.id] = decl.line_of("id")
        results = []
        for name, decls in sorted(by_plugin.items()):
            plugin, plugin_options = plugins[name]
            ctx = PluginContext(site, plugin_options, self.cache, url, asset)
            results.append(plugin.on_post(doc, tuple(decls), ctx))
        return results

    def _reader(self, site: SiteConfig) -> Callable[[Path, str, SiteConfig, Path], Document]:
        """read_document memoised on the file's identity and everything else parsing reads, so an
        unchanged post costs a stat, not a YAML parse."""
        fixed = hashlib.sha256(repr((site, str(Path.cwd()), _code_digest())).encode()).hexdigest()

        def read(file: Path, kind: str, site: SiteConfig, content: Path) -> Document:
            info = file.stat()
            key = hashlib.sha256(repr((fixed, str(file.absolute()), kind, str(content),
                                       info.st_size, info.st_mtime_ns, info.st_ino)).encode()).hexdigest()
            return self.cache.memo("document", key, lambda: _digested(read_document(file, kind, site, content)))

        return read

    def _handlers(self, doc: Document, widgets: Mapping[str, str], site: SiteConfig,
                  url: Callable[[str], str]) -> TagHandlers:
        def widget(widget_id: str, line: int) -> str:
            if widget_id not in widgets:
                known = ", ".join(sorted(widgets)) or "none declared"
                raise ContentError(doc.source, line, f"unknown widget id {widget_id!r}",
                                   f"declare it under widgets: in the front matter (declared: {known})")
            return widgets[widget_id]

        return TagHandlers(
            widget=widget,
            bib_dir=self.source / "content" / "bib",
            default_bib=site.default_bibliography,
            warn=self.warnings.append,
            url=url,
            absolute_url=make_absolute_url(site, url),
            includes=self.source / "templates" / "includes",
            relative_root=Path(doc.source).parent,
            variables={"page": page_variables(doc), "site": self.liquid_site},
            post_urls=self.post_urls,
            link_urls=self.link_urls,
        )

    def _prerender(self, prepared: list[tuple[Document, list[PostResult]]], site: SiteConfig,
                   url: Callable[[str], str]) -> None:
        """Fill the Markdown memo using every core when many documents are new (a cold build).
        The sequential pass that follows finds every result in the memo; a document that fails
        in a worker is simply rendered again there, so its error is reported as without workers."""
        jobs = []
        for doc, results in prepared:
            widgets = _widget_html(results)
            key = self._markdown_key(doc, widgets, site)
            if not self.cache.contains("markdown", key):
                jobs.append((doc, widgets, key))

        def markdown(job: tuple) -> tuple | None:
            doc, widgets, _key = job
            try:
                return self._compute_markdown(doc, self._handlers(doc, widgets, site, url))
            except (ContentError, ContentErrors):
                return None

        for (_doc, _widgets, key), value in zip(jobs, _map_in_workers(markdown, jobs) or []):
            if value is not None:
                self.cache.memo("markdown", key, lambda: value)

    def _render(self, doc: Document, results: list[PostResult], site: SiteConfig,
                url: Callable[[str], str], asset: Callable[[str], str]) -> RenderedDocument:
        widgets = _widget_html(results)
        handlers = self._handlers(doc, widgets, site, url)
        md, words, summary = self._render_markdown(doc, handlers, widgets, site)

        def asset_urls(paths: tuple[str, ...], key: str) -> tuple[str, ...]:
            out = []
            for path in paths:
                try:
                    out.append(asset(path))
                except KeyError:
                    raise ContentError(doc.source, doc.line_of(key), f"no asset {path!r} under assets/",
                                       "paths in scripts:/style: are relative to assets/") from None
            return tuple(out)

        own_scripts = tuple(Script(found, src in doc.module_scripts) for src in doc.scripts
                            if (found := self._page_file(doc, src, "scripts", asset, url)))
        scripts = own_scripts + tuple(Script(src, True) for src in asset_urls(
            tuple(s for r in results for s in r.scripts), "widgets"))  # widget code is ES modules
        styles = tuple(found for path in doc.styles if (found := self._page_file(doc, path, "style", asset, url)))
        styles += asset_urls(tuple(s for r in results for s in r.styles), "widgets")
        if doc.style_text:
            styles += (url(_page_stylesheet(doc.style_text)),)
        context: dict[str, Any] = {}
        for result in results:
            context.update(result.context)
        return RenderedDocument(
            doc=doc,
            html=Markup(md.html),
            toc=Markup(md.toc_html if doc.toc else ""),
            has_math=md.has_math,
            words=words,
            summary=summary,
            scripts=tuple(dict.fromkeys(scripts)),
            styles=tuple(dict.fromkeys(styles)),
            context=context,
        )

    def _page_file(self, doc: Document, path: str, key: str, asset: Callable[[str], str],
                   url: Callable[[str], str]) -> str | None:
        """The URL of a ``scripts:``/``style:`` entry: an http(s) URL as it is (read_document warns
        that it needs the network), a file under assets/ (fingerprinted), else a file under
        content/static/ (published as it is). Anything else is not loaded: silently when the
        post's own Liquid reads ``page.scripts``/``page.style`` (al-folio lists include files
        there), with a warning otherwise."""
        if path.startswith(("http://", "https://", "//")):
            return path
        try:
            return asset(path)
        except KeyError:
            pass
        static = self.source / "content" / "static"
        if (static / path).is_file() and (static / path).resolve().is_relative_to(static.resolve()):
            return url(path)
        if not re.search(rf"\bpage\.{key}\b", doc.body):
            self.warnings.append(Diagnostic(
                doc.source, doc.line_of(key), f"{key}: {path!r} is neither under assets/ nor content/static/; "
                "it is not loaded", "fix the path (relative to assets/), or remove the entry", severity="warning"))
        return None

    def _render_markdown(self, doc: Document, handlers: TagHandlers, widgets: Mapping[str, str],
                         site: SiteConfig) -> Any:
        """Markdown is the slowest stage, so its output is memoised on everything it reads: the
        body, the widgets' HTML, the include templates, the .bib files, the settings and the code
        of the Markdown layer itself. Warnings are replayed from the memo."""
        key = self._markdown_key(doc, widgets, site)
        compute = functools.partial(self._compute_markdown, doc, handlers)
        md, warnings, words, summary = self.cache.memo("markdown", key, compute)
        self.warnings.extend(warnings)
        return md, words, summary

    def _page_inputs_digest(self, site: SiteConfig, assets: AssetSet) -> str:
        """What every page render reads besides its context: templates, settings, asset URLs
        and the code that builds contexts."""
        digest = hashlib.sha256(repr((site, sorted(assets.public.items()), __version__)).encode())
        here = Path(__file__).parent
        files = [here / "site.py", here / "templates.py", Path(__file__)]
        templates = self.source / "templates"
        if templates.is_dir():
            files += _every_file(templates, self.source)
        for file in files:
            digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
        return digest.hexdigest()

    def _markdown_key(self, doc: Document, widgets: Mapping[str, str], site: SiteConfig) -> str:
        # Asked twice per document (prerender, render); documents live as long as the build.
        known = self._markdown_keys.get(id(doc))
        if known is not None and known[0] is doc and known[1] == widgets:
            return known[2]
        key = self._compute_markdown_key(doc, widgets, site)
        self._markdown_keys[id(doc)] = (doc, widgets, key)
        return key

    def _compute_markdown_key(self, doc: Document, widgets: Mapping[str, str], site: SiteConfig) -> str:
        digest = hashlib.sha256()
        for part in (doc.source, str(doc.body_line), doc.body, doc.digest, repr(sorted(widgets.items())),
                     repr(site), self._inputs_digest(), self._liquid_site_part(doc)):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    _SITE_WORDS = ("site", "post_url", "link")
    _CLOCK_WORDS = ("site.time", "'now'", '"now"', "'today'", '"today"')

    def _liquid_site_part(self, doc: Document) -> str:
        """What a document's Liquid may read of the rest of the site (every post's front matter,
        the data files, the build's clock), for its memo key. Only documents (or includes) that
        can reach it pay: any other post's memo survives an edit to a title elsewhere."""
        if "{" not in doc.body:
            return ""
        if self._includes_text is None:
            folder = self.source / "templates" / "includes"
            self._includes_text = "".join(
                p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.rglob("*"))
                if p.is_file()) if folder.is_dir() else ""
        reach = doc.body + (self._includes_text if "include" in doc.body else "")
        part = ""
        if any(word in reach for word in self._SITE_WORDS):
            if self._site_digest is None:
                fixed = {k: v for k, v in self.liquid_site.items() if k != "time"}
                self._site_digest = hashlib.sha256(repr((fixed, sorted(self.post_urls.items()),
                                                         sorted(self.link_urls.items()))).encode(
                    "utf-8", "surrogatepass")).hexdigest()
            part = self._site_digest
        if any(word in reach for word in self._CLOCK_WORDS):
            part += self.started.isoformat()
        return part

    @staticmethod
    def _compute_markdown(doc: Document, handlers: TagHandlers) -> tuple[Any, list[Diagnostic], int, str]:
        warnings: list[Diagnostic] = []
        local = replace(handlers, warn=warnings.append)
        md = render_document(doc.body, path=doc.source, first_line=doc.body_line, tags=local)
        return md, warnings, word_count(md.html), excerpt(md.html)

    def _inputs_digest(self) -> str:
        """Hash of the files every document's Markdown may read (computed once per build)."""
        if self._digest is None:
            digest = hashlib.sha256()
            code = Path(__file__).parent
            # site.py: the word count and excerpt are computed with the Markdown and memoised with it.
            files = [code / name for name in ("markdown.py", "kramdown.py", "liquid.py", "liquid_engine.py",
                                              "jekyll_filters.py", "liquid_data.py", "bibliography.py", "site.py",
                                              "paths.py", "plaintext.py", "markdown_limits.py",
                                              "markdown_shortcuts.py")]
            for folder in (self.source / "templates" / "includes", self.source / "content" / "bib"):
                if folder.is_dir():
                    files += _every_file(folder, self.source)
            files += data_files(self.source.joinpath(*DATA_FOLDER))  # site.data
            for file in files:
                if file.is_file():
                    digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
            self._digest = digest.hexdigest()
        return self._digest


_LIST_TEMPLATES = frozenset({"base", "index", "archive", "taxonomy", "terms", "404", "redirect"})


def _page_stylesheet(css: str) -> str:
    """Where a page's ``_styles:`` CSS is published: named by its content, so identical blocks
    share one file and a host may cache it forever."""
    return f"assets/page-styles/{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"


def build_site(options: BuildOptions, cache: Cache | None = None) -> BuildResult:
    """Build (or with ``write=False`` only check) the site. Raises ContentError(s) on bad input."""
    if not options.write:
        return _build_site(options, cache)
    # One build of an output folder at a time, from reading the memo to saving the stamp.
    with build_lock(options.output, options.wait):
        return _build_site(options, cache)


def _build_site(options: BuildOptions, cache: Cache | None) -> BuildResult:
    cache = cache or _cache_for(options)
    keep_stamp = options.write and cache.root is not None
    if keep_stamp:
        # Scanned before anything is read, so an edit made during the build counts as a change.
        plugin_code = stamp.recorded_plugin_code(cache.root)
        inputs = stamp.scan(options.source, options.output, options.base_url, options.drafts, plugin_code,
                            options.unpublished)
    try:
        result = _Build(options, cache).run()
    finally:
        # Also after a content error: the posts that did render need not be rendered again.
        cache.flush()
    if keep_stamp:
        stamp.save(cache.root, inputs if plugin_code == result.plugin_code else None, options.output, result)
    return result
