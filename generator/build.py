"""The build: config -> content -> plugins -> Markdown -> templates -> atomic write.

``build_site`` is the one entry point; ``stride build``, ``stride check``, the dev server and the
benchmarks all call it. Content problems raise ``ContentError``/``ContentErrors``; nothing is
written unless the whole site rendered.
"""

from __future__ import annotations

import collections.abc
import contextlib
import datetime as dt
import functools
import hashlib
import os
import re
import stat as stat_mode
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from markupsafe import Markup

from generator import __version__, dependencies, stamp
from generator.assets import AssetSet, collect_assets
from generator.cache import DEFAULT_DIR, SaltedCache
from generator.config import SiteConfig, load_config
from generator.content import Document, Job, Reader, Script, list_jobs, load_documents, read_document, url_key
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator import layers as layering
from generator.layers import Layers, layers_for
from generator.liquid import holds_liquid
from generator.liquid_data import (
    DATA_FOLDER, data_files, link_names, link_tables, load_data, page_variables, site_variables,
)
from generator.liquid import TagHandlers
from generator.paths import project_files
from generator.plugins import Cache, Plugin, PluginContext, PluginImportError, PostResult, discover
from generator.site import (
    Listing, PageSpec, RenderedDocument, page_fingerprint, page_meta, rank_related_ahead, sitemap_page, word_count,
    excerpt,
)
from generator.writer import MARKER, Prestaged, build_lock, check_output, prestage, write_atomically
from generator.workers import map_in_workers

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
        return (f"built {self.pages} pages, {self.data_files} data files, "
                f"{self.bytes / 1e6:.2f} MB in {self.seconds:.2f} s -> {display_path(self.output)}/")


@dataclass(frozen=True)
class _Reading:
    """What a build read: its files (``jobs``, as listed, with no listing problem) and what
    reading each gave, for the options, working folder and parsing inputs it read them under."""

    options: BuildOptions
    cwd: str
    inputs: str  # dependencies.document_inputs of the settings
    jobs: tuple[Job, ...]
    results: tuple["Document | ContentError", ...]
    where: Mapping[str, int]  # absolute path of each job's file -> its index
    folders: Mapping[str, tuple[int, int]]  # absolute folder holding files -> (st_dev, st_ino)


class Session:
    """What one caller running build after build of a site (``stride serve``) keeps between
    them, so that a build told which paths changed since the previous one (``build_site``'s
    ``changed``) re-reads only those files instead of stating and looking up every one.

    Only a plain edit of files the previous build read counts: any other path (a new, removed
    or renamed file, a folder made or replaced, site.yml, data, templates, includes, assets,
    plugins, static files) and every build told nothing make the build list and read everything
    as ``stride build`` does. One build at a time (the dev server's Builder holds a lock)."""

    def __init__(self) -> None:
        self.reading: _Reading | None = None
        # Per stage: (the inputs every entry depends on besides its own objects, {id(object):
        # (object, ..., result)}), as the last build left them (_Build._carried).
        self.carried: dict[str, tuple[str, dict[int, tuple]]] = {}

    def take(self, changed: Iterable[Path] | None, options: BuildOptions) -> "Since | None":
        """What a build starting now may reuse (see :meth:`edited`). The session forgets its
        reading meanwhile: a build that fails before it has read everything leaves none, and the
        next one reads everything again (the files edited for the failed one are not lost)."""
        last, self.reading = self.reading, None
        edited = self.edited(changed, options, last)
        return None if edited is None or last is None else Since(last, edited)

    @staticmethod
    def edited(changed: Iterable[Path] | None, options: BuildOptions,
               last: _Reading | None) -> frozenset[str] | None:
        """The absolute paths of the files ``last`` read among ``changed``, when every path in it
        is either such a file, still a plain file, or a folder that held such files and is still
        the same folder (its events come with the files' own); else None."""
        if changed is None or last is None or last.options != options or last.cwd != os.getcwd():
            return None
        edited = set()
        for path in changed:
            where = os.path.abspath(path)
            try:
                info = os.stat(where, follow_symlinks=False)
            except OSError:
                return None  # gone: a deletion or a rename
            if stat_mode.S_ISDIR(info.st_mode):
                if last.folders.get(where) != (info.st_dev, info.st_ino):
                    return None  # a folder made, moved in or replaced: its files were not reported
            elif where in last.where and stat_mode.S_ISREG(info.st_mode):
                edited.add(where)
            else:
                return None  # a new file, a symlink, or anything that is not a document
        return frozenset(edited)


@dataclass(frozen=True)
class Since:
    """A build's hint: the session's previous reading and the files edited since (absolute)."""

    reading: _Reading
    edited: frozenset[str]


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


def watched_paths(source: Path) -> list[Path]:
    """What the dev server watches: every input of ``build_site`` (content/, the template and
    asset folders of the site and the theme, and the built-in plugins with their front ends)."""
    return [source / "content", *layering.watched_paths(layers_for(source)), dependencies.PACKAGE / "plugins"]


def _folder_identities(files: Iterable[str]) -> dict[str, tuple[int, int]]:
    """(st_dev, st_ino) of each folder holding one of ``files`` (absolute paths), up to the
    content/ folder's subfolders: a folder replaced by another keeps its name, not its inode."""
    found = {}
    for folder in {os.path.dirname(file) for file in files}:
        try:
            info = os.stat(folder, follow_symlinks=False)
        except OSError:
            continue
        found[folder] = (info.st_dev, info.st_ino)
    return found


def _prepare_page_templates(theme: Theme) -> None:
    """Compile every top-level template of the layers (the page templates: a plugin's live in
    its own folder) and find the names each reads, and compile the includes they share, ahead
    of the page stage, whose processes would each do that for each template they use. A broken
    template is left for that stage to report."""
    names = layering.template_files(theme.layers)
    pages = [name for name in names if "/" not in name and not name.startswith(".")]
    theme.renderer.prepare(pages, [name for name in names if name.startswith("includes/")])


def _digested(doc: Document) -> Document:
    doc.digest  # computed before the memo pickles the document, so later builds reuse it
    return doc


def _digested_read(job: Job, site: SiteConfig, parsed: Document | None) -> Document:
    """The document parsed in the read stage's processes, else ``job`` read here (raising its
    ContentError)."""
    return parsed if parsed is not None else _digested(read_document(*job, site))


def _widget_html(results: list[PostResult]) -> dict[str, str]:
    return {w.id: w.html for r in results for w in r.widgets}


def _page_key(fixed: str, template: str, context: Mapping[str, Any], names: frozenset[str] | None) -> str:
    """The memo key of a page: what every page reads (``fixed``), its template, and its context,
    the page's own settings (site.page_meta: plain values) by their repr, in C, and the rest
    (where the posts are) by page_fingerprint, each post by the fields ``names`` can read."""
    rest = {name: value for name, value in context.items() if name != "page"}
    text = fixed + template + "\0" + repr(sorted(context["page"].items())) + "\0" + page_fingerprint(rest, names)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _blame_layout(problem: Diagnostic, spec: PageSpec) -> Diagnostic:
    """A missing layout template is the post's mistake (its layout: line), not the theme's."""
    item = spec.context.get("doc")
    doc = getattr(item, "doc", None)
    if doc is None or not problem.message.startswith("template not found") or spec.template != f"{doc.layout}.html":
        return problem
    return Diagnostic(doc.source, doc.line_of("layout") if "layout" in doc.key_lines else 1,
                      f"no template for layout {doc.layout!r}",
                      f"add templates/{spec.template}, or use layout: post or layout: page")


def cache_for(options: BuildOptions) -> Cache:
    """The memo a build with these options uses (``options.cache_dir``, relative to the
    project; in memory only for ``None``)."""
    if options.cache_dir is None:
        return Cache(None)
    root = options.cache_dir if options.cache_dir.is_absolute() else options.source / options.cache_dir
    return Cache(root)


@dataclass(frozen=True)
class LoadedPlugin:
    """An enabled plugin with its configured options and the salt of its memo entries."""

    name: str
    plugin: Plugin
    options: Any
    salt: str

    def context(self, site: SiteConfig, cache: Cache, theme: "Theme") -> PluginContext:
        """What the plugin's hooks get: its own assets and templates, site overrides applied."""

        def own_asset(path: str) -> str:
            return theme.asset(self.file(theme.layers, path))

        def render(template: str, context: Mapping[str, Any]) -> str:
            return theme.renderer.render(self.file(theme.layers, template, layering.TEMPLATES), context)

        return PluginContext(site, self.options, SaltedCache(cache, self.salt), theme.url, own_asset, render)

    def own_assets(self, result: PostResult, layers: Layers) -> PostResult:
        """``result`` with the scripts and styles the plugin names as its own (``main.js``)
        turned into logical asset names like any other (``plugins/<name>/main.js``)."""
        return replace(result, scripts=tuple(self.file(layers, p) for p in result.scripts),
                       styles=tuple(self.file(layers, p) for p in result.styles))

    def file(self, layers: Layers, path: str, kind: str = layering.ASSETS) -> str:
        """The logical name of the plugin's own asset (or with ``kind="templates"``, template)
        ``path``; a file the plugin does not ship is the plugin's mistake, not the post's, so the
        message points into the plugin's code where it names the file, when it does literally."""
        root = layers.plugin_root(self.name, kind)
        logical = layering.plugin_logical(self.name, path)
        if root is None or root.find(logical) is None:
            expected = root.folder / path if root is not None else Path(f"plugin {self.name}")
            where = _naming_line(sys.modules.get(type(self.plugin).__module__), path) or (expected, 0)
            raise ContentError(*where, f"plugin {self.name!r} names {kind[:-1]} {path!r} it does not ship",
                               f"add {display_path(expected)} to the plugin's package (package data), "
                               "or fix the name")
        return logical


def _naming_line(module: Any, name: str) -> tuple[Path, int] | None:
    """The first line of ``module``'s source holding ``name`` as a string literal, 1-based."""
    source = Path(getattr(module, "__file__", None) or "")
    if source.suffix != ".py":
        return None
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    quoted = (f'"{name}"', f"'{name}'")
    return next(((source, number) for number, line in enumerate(lines, 1) if any(q in line for q in quoted)), None)


def load_plugins(site: SiteConfig) -> dict[str, LoadedPlugin]:
    """The plugins enabled under ``plugins:`` in site.yml, configured with their options. A
    plugin that is not installed, or whose import fails, is an error at its line there."""
    try:
        # No plugins enabled, nothing to look up: the entry-point scan reads every installed
        # distribution's metadata (3-5 ms of the serial start).
        available = discover(set(site.plugins)) if site.plugins else {}
    except PluginImportError as exc:
        error = exc.error
        raise ContentError(site.path, site.line_of(f"plugins.{exc.name}"),
                           f"plugin {exc.name!r} failed to import: {type(error).__name__}: {error}",
                           "fix or reinstall the package that provides it, or remove it from plugins:") from None
    loaded = {}
    for name in sorted(site.plugins):
        where = (site.path, site.line_of(f"plugins.{name}"))
        if name not in available:
            known = ", ".join(sorted(set(discover()))) or "none"
            raise ContentError(*where, f"unknown plugin {name!r}",
                               f"installed plugins: {known}; plugins are found through the stride.plugins entry "
                               "points of installed packages (pip install the plugin's package)")
        plugin = available[name]()
        loaded[name] = LoadedPlugin(name, plugin, plugin.configure(site.plugins.get(name) or {}, where),
                                    dependencies.plugin_salt(plugin))
    return loaded


def _plugin_code(plugins: Mapping[str, LoadedPlugin]) -> tuple[str, ...]:
    """The package folder (or module file) of every third-party plugin in use: the stamp watches
    them, since an editable install changes nothing in site-packages when its code is edited."""
    builtin = Path(__file__).parent
    roots = set()
    for loaded in plugins.values():
        top = sys.modules.get(type(loaded.plugin).__module__.split(".")[0])
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


@dataclass(frozen=True)
class Theme:
    """What every stage after the settings shares: URL helpers, the assets and the renderer."""

    url: Callable[[str], str]
    absolute_url: Callable[[str], str]
    assets: AssetSet
    asset: Callable[[str], str]
    renderer: Any
    layers: Layers  # where templates, includes and assets come from (site, plugins, theme)


class SiteContext:
    """What Liquid in any document may read of the whole site: ``site.*`` (every document's
    front matter, the data files, the build's clock) and the tables of post_url and link.

    Each part is made on first use, from ``variables()`` and ``tables()`` (post_urls,
    link_urls): only documents whose Liquid reads them need them, and after a ``stride serve``
    edit of a post without such Liquid nothing does (at 4,000 posts making them was a tenth of
    the rebuild). The makers must read only inputs fixed for the build."""

    def __init__(self, variables: Callable[[], Mapping[str, Any]],
                 tables: Callable[[], tuple[Mapping[str, str], Mapping[str, str]]]) -> None:
        self._variables = variables
        made: list[tuple[Mapping[str, str], Mapping[str, str]]] = []

        def table(index: int) -> Mapping[str, str]:
            if not made:
                made.append(tables())
            return made[0][index]

        self.post_urls: Mapping[str, str] = _OnDemand(lambda: table(0))
        self.link_urls: Mapping[str, str] = _OnDemand(lambda: table(1))

    @functools.cached_property
    def variables(self) -> Mapping[str, Any]:
        return self._variables()

    @functools.cached_property
    def digest(self) -> str:
        """All of it but the clock, for memo keys (see ``_Build._liquid_site_part``)."""
        fixed = {k: v for k, v in self.variables.items() if k != "time"}
        return hashlib.sha256(repr((fixed, sorted(self.post_urls.items()), sorted(self.link_urls.items()))).encode(
            "utf-8", "surrogatepass")).hexdigest()


class _OnDemand(collections.abc.Mapping):
    """A read-only mapping made by ``make()`` when it is first read."""

    def __init__(self, make: Callable[[], Mapping]) -> None:
        self._make = make
        self._made: Mapping | None = None

    def _table(self) -> Mapping:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, key: Any) -> Any:
        return self._table()[key]

    def __iter__(self) -> Iterator:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


@dataclass(frozen=True)
class Prepared:
    """A document after its plugins ran: their results, and the Markdown inputs they decide."""

    doc: Document
    results: tuple[PostResult, ...]
    widgets: Mapping[str, str]  # widget id -> HTML
    markdown_key: str


class _Build:
    """One run of the pipeline. ``run`` reads top to bottom: each stage is a method taking and
    returning plain data; the instance holds the options and the memo, collects problems,
    warnings and the origin of every output file (for messages), and keeps two digests it
    computes at most once per build."""

    def __init__(self, options: BuildOptions, cache: Cache, session: Session | None = None,
                 since: Since | None = None) -> None:
        self.options = options
        self.session = session
        # The session's last reading and the files edited since, everything else being as it
        # read it (Session.take); None: list and read everything.
        self.since = since if session is not None else None
        self.source = options.source
        self.cache = cache
        self.warnings: list[Diagnostic] = []
        self.problems: list[Diagnostic] = []
        self._markdown_inputs: str | None = None
        self._page_inputs_digest: str | None = None
        self._includes_text: str | None = None
        self.started = dt.datetime.now().astimezone().replace(microsecond=0)
        self._origins: dict[str, str] = {}  # output path -> what made it, for messages
        self._staged: Prestaged | None = None  # where _add_file writes ahead (open_output)

    def run(self) -> BuildResult:
        started = time.perf_counter()
        site = load_config(self.source, self.options.base_url)
        plugins = load_plugins(site)
        layers = layers_for(self.source, {name: loaded.plugin for name, loaded in plugins.items()})
        ahead: list[Theme] = []
        documents = self.read_documents(site, layers, functools.partial(self._while_reading, site, layers, ahead))
        theme = ahead[0] if ahead else self.load_theme(site, layers)
        liquid = self.site_context(site, documents)
        files: dict[str, bytes] = {}
        prepared, data_files = self.run_plugins(documents, plugins, site, theme, liquid, files)
        markdown = self.render_markdown(prepared, site, theme, liquid)
        rendered = self.assemble_documents(prepared, markdown, theme, files)
        data_files |= self.run_site_plugins(plugins, site, theme, files)
        self.stop_on_problems()
        specs = page_specs(rendered, site, self._carried_absolute_url(site, theme),
                           self._carried("page-specs", self._page_inputs(site, theme)))
        with self.open_output(files) as staged:
            pages = self.render_pages(specs, site, theme, files)
            self.add_assets_and_static(theme.assets, site, files)
            self.write(files, staged)
        self.prune(theme)
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

    def _carried(self, stage: str, inputs: str) -> tuple[dict, dict]:
        """What the session's previous build left for ``stage`` when it ran on the same
        ``inputs`` (else nothing), and the table this build leaves in its place. Entries are
        keyed by the id of the object they were made from and hold that object, so they are
        only taken for the very same object (frozen, made from the same inputs: the memos give
        the same objects back for unchanged documents). Without a session both are empty and
        every stage works as ``stride build`` does; a session's build that was not told what
        changed (so looks everything up in the memo, marking it used for the prune) takes
        nothing, and leaves its tables for the next."""
        if self.session is None:
            return {}, {}
        was, last = self.session.carried.get(stage, ("", {}))
        fresh: dict = {}
        self.session.carried[stage] = (inputs, fresh)
        return (last if was == inputs and self.since is not None else {}), fresh

    # -- the stages, in order -------------------------------------------------------------

    def load_theme(self, site: SiteConfig, layers: Layers) -> Theme:
        from generator.markdown import pygments_css
        from generator.templates import make_absolute_url, make_asset, make_renderer, make_url

        url = make_url(site.base_url)
        absolute_url = make_absolute_url(site, url)
        assets = collect_assets(layers.roots(layering.ASSETS), {"css/pygments.css": pygments_css().encode()})
        asset = make_asset(assets, url)
        renderer = make_renderer(layers.roots(layering.TEMPLATES), site, {
            "url": url, "absolute_url": absolute_url, "asset": asset,
            "generator": f"Stride {__version__}",
        }, bytecode_dir=dependencies.bytecode_folder(self.cache.root) if self.cache.root else None)
        return Theme(url, absolute_url, assets, asset, renderer, layers)

    def _while_reading(self, site: SiteConfig, layers: Layers, ahead: list[Theme]) -> None:
        """What this process does once the reading workers have started: import the Markdown
        and template modules (with Python-Markdown, Pygments and Jinja, ~0.1 s of imports that
        reading needs none of, so they are not imported with this module), load the theme into
        ``ahead``, make the Markdown engine that the Markdown workers forked next inherit, and
        digest what every document's Markdown reads (hashing Stride's code: 10-15 ms that
        run_plugins, between the parallel stages, then need not spend). A theme that fails to
        load is loaded again after the reading, raising its error there."""
        from generator import markdown

        try:
            ahead.append(self.load_theme(site, layers))
        except (ContentError, ContentErrors):
            pass
        markdown.prepare()
        try:
            self._shared_markdown_inputs(site, layers)
        except (ContentError, ContentErrors, OSError):
            pass  # made again in run_plugins, which reports the problem as it always did

    def read_documents(self, site: SiteConfig, layers: Layers,
                       meanwhile: Callable[[], None] | None = None) -> list[Document]:
        """The documents under content/, read on every core when many are new; ``meanwhile`` is
        called once the reading workers have started (never when there are none)."""
        for namespace in ("document", "markdown"):
            self.cache.preload(namespace)  # one query each instead of one per post
        last = self.since.reading if self.since is not None else None
        if last is not None and last.inputs != dependencies.document_inputs(site):
            last = self.since = None  # cannot happen while only documents changed; never trust it
        if last is None:
            jobs, listing = list_jobs(self.source)
            self.problems.extend(listing)
        else:
            jobs, listing = list(last.jobs), []
        read = self._reader(site, last, not listing, meanwhile)
        documents = load_documents(self.source, site, self.options.drafts, read=read,
                                   unpublished=self.options.unpublished, report_to=self.problems, jobs=jobs)
        documents = [self._with_known_layout(doc, layers) for doc in documents]
        for doc in documents:
            self.warnings.extend(doc.warnings)
        return documents

    def site_context(self, site: SiteConfig, documents: list[Document]) -> SiteContext:
        try:
            data = load_data(self.source)
        except ContentErrors as exc:
            self.problems.extend(exc.diagnostics)
            data = {}
        documents = list(documents)  # as they are now: the parts are made later, if at all
        names_of = self._per_document("link-names", lambda doc, root: link_names(doc, root), lambda root: str(root))
        page_of = self._per_document("page-variables", page_variables)
        return SiteContext(lambda: site_variables(site, documents, data, self.started, page_of),
                           lambda: link_tables(documents, self.source / "content", names_of))

    def run_plugins(self, documents: list[Document], plugins: Mapping[str, LoadedPlugin], site: SiteConfig,
                    theme: Theme, liquid: SiteContext, files: dict[str, bytes]) -> tuple[list[Prepared], set[str]]:
        prepared: list[Prepared] = []
        data_files: set[str] = set()
        # A document without widgets runs no plugin: its Prepared is decided by the document
        # object, the inputs all Markdown shares and what its Liquid reads of the site.
        inputs = self._shared_markdown_inputs(site, theme.layers)
        last, fresh = self._carried("prepared", inputs)
        for doc in documents:
            if not doc.widgets:
                part = self._liquid_site_part(doc, liquid, theme.layers)
                known = last.get(id(doc))
                if known is not None and known[0] is doc and known[1] == part:
                    item = known[2]
                else:
                    item = Prepared(doc, (), {}, self._markdown_key(doc, {}, site, part, theme.layers))
                fresh[id(doc)] = (doc, part, item)
                prepared.append(item)
                continue
            try:
                results = self._run_plugins(doc, plugins, site, theme)
            except ContentError as exc:
                self.problems.append(exc.diagnostic)
                continue
            except ContentErrors as exc:
                self.problems.extend(exc.diagnostics)
                continue
            for result in results:
                for gen in result.files:
                    self._add_file(files, gen.path, gen.data, doc.source)
                    data_files.add(gen.path)
            widgets = _widget_html(results)
            part = self._liquid_site_part(doc, liquid, theme.layers)
            prepared.append(Prepared(doc, tuple(results), widgets,
                                     self._markdown_key(doc, widgets, site, part, theme.layers)))
        return prepared, data_files

    def render_markdown(self, prepared: list[Prepared], site: SiteConfig, theme: Theme,
                        liquid: SiteContext) -> list[tuple | None]:
        """Every document's Markdown (html, warnings, words, summary), None where it failed.
        Markdown is the slowest stage, so it is memoised on everything it reads (the key of
        ``Prepared``); when many documents are new (a cold build) the missing ones are rendered
        on every core (``map_in_workers``). A document that fails there is rendered again
        here, so its error is reported as without workers."""
        # The Markdown of a Prepared the previous build also had (run_plugins carried it over:
        # same document, same key) is what that build found.
        last, fresh = self._carried("markdown", "")
        missing = [item for item in prepared if id(item) not in last and
                   not self.cache.contains("markdown", item.markdown_key)]

        def markdown(item: Prepared) -> tuple | None:
            try:
                return self._render_one(item, site, theme, liquid)
            except (ContentError, ContentErrors):
                return None

        def meanwhile() -> None:
            # Once the workers have started on the Markdown, the page templates are compiled (and
            # what they read found) here, for the page stage's processes: this one, and the
            # workers forked then; the related posts are ranked for page_specs; and the documents
            # read are written to the memo (15 ms of pickling and 10 of SQLite at 1,000 posts
            # that the end of the build waited for).
            _prepare_page_templates(theme)
            rank_related_ahead([item.doc for item in prepared])
            self.cache.flush(("document",))

        done = {id(item): value for item, value in zip(missing, map_in_workers(
                    markdown, missing, meanwhile=meanwhile) or []) if value is not None}
        out: list[tuple | None] = []
        for item in prepared:
            known = last.get(id(item))
            if known is not None and known[0] is item:
                fresh[id(item)] = known
                self.warnings.extend(known[1][1])
                out.append(known[1])
                continue
            # The handlers are made only for a document whose Markdown is computed: building them
            # for every memo hit cost a dev-server rebuild as much as the rest of this stage.
            if id(item) in done:
                compute = functools.partial(done.get, id(item))
            else:
                compute = functools.partial(self._render_one, item, site, theme, liquid)
            try:
                value = self.cache.memo("markdown", item.markdown_key, compute)
            except ContentError as exc:
                self.problems.append(exc.diagnostic)
                value = None
            except ContentErrors as exc:
                self.problems.extend(exc.diagnostics)
                value = None
            if value is not None:
                self.warnings.extend(value[1])  # replayed from the memo too
                fresh[id(item)] = (item, value)
            out.append(value)
        return out

    def assemble_documents(self, prepared: list[Prepared], markdown: list[tuple | None], theme: Theme,
                           files: dict[str, bytes]) -> list[RenderedDocument]:
        rendered: list[RenderedDocument] = []
        # What _assemble reads besides the document, its plugins' results and its Markdown.
        urls = hashlib.sha256(repr((theme.url(""), sorted(theme.assets.public.items()))).encode(
            "utf-8", "surrogatepass")).hexdigest()
        last, fresh = self._carried("assembled", urls)
        for item, md in zip(prepared, markdown):
            if md is None:
                continue
            known = last.get(id(item))
            if known is not None and known[0] is item and known[1] is md:
                rendered.append(known[2])  # what _assembled gave for the same objects
            else:
                try:
                    rendered.append(self._assembled(item, md, theme, urls))
                except ContentError as exc:
                    self.problems.append(exc.diagnostic)
                    continue
            if not (item.doc.scripts or item.doc.styles):  # those read files: never carried
                fresh[id(item)] = (item, md, rendered[-1])
            if item.doc.style_text:
                self._add_file(files, _page_stylesheet(item.doc.style_text), item.doc.style_text.encode() + b"\n",
                               item.doc.source)
        return rendered

    def run_site_plugins(self, plugins: Mapping[str, LoadedPlugin], site: SiteConfig, theme: Theme,
                         files: dict[str, bytes]) -> set[str]:
        data_files = set()
        for name, loaded in plugins.items():
            for gen in loaded.plugin.on_site(loaded.context(site, self.cache, theme)):
                self._add_file(files, gen.path, gen.data, f"plugin {name}")
                data_files.add(gen.path)
        return data_files

    def stop_on_problems(self) -> None:
        if self.problems:
            raise ContentErrors(list(dict.fromkeys(self.problems)))  # a broken include once, not per post

    def render_pages(self, specs: list[PageSpec], site: SiteConfig, theme: Theme, files: dict[str, bytes]) -> int:
        """Render every page whose template context changed since the last build: after a
        one-post edit only that post, its neighbours and the lists, tags, feed and sitemap that
        show it are. Each output has a memo entry (its key and bytes), so an edit rewrites a
        dozen entries, not megabytes. Returns the number of HTML pages."""
        renderer = theme.renderer
        pygments_url = theme.asset("css/pygments.css")
        fixed = self._page_inputs(site, theme)
        self.cache.preload("page")
        names: dict[str, frozenset[str] | None] = {}

        def with_page(spec: PageSpec) -> dict:
            context = dict(spec.context)
            context["page"] = {**context["page"], "pygments_css": pygments_url}
            return context

        # What the session's previous build left, by position: its specs, their keys and the
        # memo entry (key, bytes) it found under each key, or None where it rendered the page
        # (looked up again here). A spec it had too (page_specs carries over the specs of every
        # page an edit does not show: the very same objects) has the key it had then. After a
        # body edit the specs are where they were, but for a dozen new ones: only those are
        # looked at, and the lists are copied, not walked in Python (4,400 pages at 4,000 posts).
        last, carried = self._carried("page-keys", fixed + "\0" + pygments_url)
        was_specs, was_keys, was_entries = last.get("pages", ((), (), ()))
        count = len(specs)
        if len(was_specs) == count:
            keys, entries = list(was_keys), list(was_entries)
            moved = [index for index, (spec, old) in enumerate(zip(specs, was_specs)) if spec is not old]
            todo = sorted(set(moved).union(index for index, entry in enumerate(entries) if entry is None))
        else:
            keys, entries, moved, todo = [""] * count, [None] * count, list(range(count)), list(range(count))
        # A spec found elsewhere in the previous list (a new term page moves every page after it).
        where = {id(spec): index for index, spec in enumerate(was_specs)} \
            if len(was_specs) != count or len(moved) > 64 else {}
        contexts: list[dict | None] = [None] * count
        stale = []
        for index in todo:
            spec = specs[index]
            if index < len(was_specs) and was_specs[index] is spec:
                key, entry = was_keys[index], was_entries[index]
            elif (other := where.get(id(spec))) is not None and was_specs[other] is spec:
                key, entry = was_keys[other], was_entries[other]
            else:
                context = contexts[index] = with_page(spec)
                if spec.template not in names:
                    names[spec.template] = self.cache.memo(
                        "template-names", fixed + "\0" + spec.template,
                        functools.partial(renderer.names_read, spec.template), persist=False)
                entry = self.cache.get("page", spec.output)
                # With no page stored at this output (a cold build) it is rendered whatever its
                # key, so the key is made once the workers render (serially before them it was
                # 40 ms of a 1,000-post build); None until then. Made here, not in the workers:
                # the documents' views it leaves on them would copy their memory into each.
                key = _page_key(fixed, spec.template, context, names[spec.template]) if entry is not None else None
            if entry is None and key is not None:
                entry = self.cache.get("page", spec.output)
            if entry is not None and entry[0] != key:
                entry = None  # rendered below; the next build looks up what it stored
            keys[index], entries[index] = key, entry
        outputs = [spec.output for spec in specs]
        previous: dict[str, tuple[str, bytes] | None] = dict(zip(outputs, entries))
        if len(previous) != count:  # two specs for one output (an error below): as the memo has it
            previous = {output: self.cache.get("page", output) for output in outputs}
            todo = range(count)
        for index in todo:  # in order: the loop below takes the rendered pages in this order
            if (previous.get(outputs[index]) or ("",))[0] != keys[index]:
                if contexts[index] is None:
                    contexts[index] = with_page(specs[index])
                stale.append((specs[index].template, contexts[index], outputs[index]))
        keyed = list(zip(specs, contexts, keys))
        carried["pages"] = (list(specs), keys, entries)  # the keys made below are filled in
        for template in sorted({template for template, _, _ in stale}):
            renderer.load(template)  # compiled once here, not once in every process that renders
        staged = self._staged

        def render(job: tuple[str, dict, str]) -> tuple[bytes, str | None] | None:
            """In a worker or this process: the page's bytes, and the digest of what it wrote
            of them into the tree written ahead (a cold build), so the file system's work is
            shared by the cores; None for the caller to render the page again (and report)."""
            template, context, output = job
            try:
                data = renderer.render(template, context).encode("utf-8")
            except ContentError:
                return None
            path = _site_path(output)
            return data, (staged.write_ahead(path, data) if staged is not None and not _outside_site(path) else None)

        # Once the workers have started on the pages, this process writes the assets ahead
        # (add_assets_and_static then finds them written): they were the last serial writes. The
        # Markdown is not written to the memo then: pickling it here copied the pages of the
        # heap the workers share (+7 MB of the build's PSS at 1,000 posts); the end does that.
        write_assets = functools.partial(self._write_assets_ahead, theme.assets)
        fresh = iter(map_in_workers(render, stale, meanwhile=write_assets) or [None] * len(stale))
        pages = 0
        for index, (spec, context, key) in enumerate(keyed):
            known = previous.get(spec.output)
            if known is not None and known[0] == key:
                data, ahead = known[1], None
            else:
                made = next(fresh)
                if made is None:
                    try:
                        made = renderer.render(spec.template, context).encode("utf-8"), None
                    except ContentError as exc:
                        self.problems.append(_blame_layout(exc.diagnostic, spec))
                        continue
                data, ahead = made
                if key is None:
                    key = keys[index] = _page_key(fixed, spec.template, context, names[spec.template])
                self.cache.store("page", spec.output, (key, data))
            item = getattr(spec.context.get("doc"), "doc", None)
            self._add_file(files, spec.output, data, item.source if item else spec.template, ahead)
            pages += spec.output.endswith(".html")
        self.stop_on_problems()
        return pages

    def _carried_absolute_url(self, site: SiteConfig, theme: Theme) -> Callable[[str], str]:
        """``theme.absolute_url``, answering a URL the session's previous build also asked
        about (with the same settings) from that build's answers: the sitemap and the pages
        ask for every document's, 4,000 calls into urllib at 4,000 posts."""
        last, fresh = self._carried("absolute-urls", self._page_inputs(site, theme))
        absolute_url = theme.absolute_url

        def absolute(url: str) -> str:
            known = last.get(url)
            if known is None:
                known = absolute_url(url)
            fresh[url] = known
            return known

        return absolute

    def _page_inputs(self, site: SiteConfig, theme: Theme) -> str:
        """``dependencies.page_inputs``: what every page reads besides its context (once a build)."""
        if self._page_inputs_digest is None:
            self._page_inputs_digest = dependencies.page_inputs(theme.layers, site,
                                                                sorted(theme.assets.public.items()))
        return self._page_inputs_digest

    def _write_assets_ahead(self, assets: AssetSet) -> None:
        """Write the assets into the tree written ahead, if any, before they are added."""
        if self._staged is not None:
            for public, data in assets.data.items():
                path = _site_path(public)
                if not _outside_site(path):
                    self._staged.put(path, data)

    def add_assets_and_static(self, assets: AssetSet, site: SiteConfig, files: dict[str, bytes]) -> None:
        for public, data in assets.data.items():
            self._add_file(files, public, data, "assets/")
        self._copy_static(files, site)
        files.setdefault(MARKER, b"")
        self._check_case_clashes(files)
        self.stop_on_problems()
        if self.options.strict and self.warnings:
            raise ContentErrors([replace(w, severity="error") for w in dict.fromkeys(self.warnings)])

    @contextlib.contextmanager
    def open_output(self, files: Mapping[str, bytes]) -> Iterator[Prestaged | None]:
        """Check the output folder (refused or repaired before the pages are rendered) and, when
        the build starts from nothing, open a tree beside it that every file is written into as
        it is made (``_add_file``): a cold build's thousand page writes then overlap the page
        rendering on every core. ``build/`` itself changes only in :meth:`write`."""
        if not self.options.write:
            yield None
            return
        for note in check_output(self.options.output, self.source):
            self.warnings.append(Diagnostic(display_path(self.options.output), 0, note, severity="warning"))
        staged = prestage(self.options.output)
        if staged is not None:
            for path, data in files.items():
                staged.put(path, data)
        self._staged = staged
        try:
            yield staged
        finally:
            self._staged = None
            if staged is not None:
                staged.discard()  # a failed build leaves no tree behind (write takes it first)

    def write(self, files: Mapping[str, bytes], staged: Prestaged | None) -> None:
        if self.options.write:
            write_atomically(self.options.output, files, staged)

    def prune(self, theme: Theme) -> None:
        """Keep in the memo exactly what this build used (plugin entries too), and only the
        compiled templates of this Jinja and of templates that still exist. Not after a build
        that read only the edited files: it did not look up (so did not mark as used) the memo
        entries of the others, and no template changed. The entries of the old versions of what
        was edited wait for the next whole build's prune."""
        if self.since is not None:
            return
        self.cache.prune_unused()
        if self.cache.root is not None:
            dependencies.prune_bytecode(self.cache.root)
            theme.renderer.prune_bytecode()

    # -- helpers of the stages ------------------------------------------------------------

    def _with_known_layout(self, doc: Document, layers: Layers) -> Document:
        """Jekyll renders a document whose layout does not exist (with a warning); Stride renders
        it with the post or page layout. Stride's list templates (index, archive, ...) expect
        another context, so they count as unknown too."""
        name = doc.layout
        if name == doc.kind or (name not in _LIST_TEMPLATES and re.fullmatch(r"[\w.-]+", name)
                                and layering.has_template(layers, f"{name}.html")):
            return doc
        self.warnings.append(Diagnostic(
            doc.source, doc.line_of("layout"), f"no template for layout {name!r}; rendered with the "
            f"{doc.kind} layout", f"add templates/{name}.html to give it its own, or write layout: {doc.kind}",
            severity="warning"))
        return replace(doc, layout=doc.kind)

    def _check_case_clashes(self, files: Mapping[str, bytes]) -> None:
        """Output paths (or folders) that differ only in case are one file on macOS and Windows:
        a clone or a local preview there would silently lose one of them. The answer depends
        on the paths alone: the same paths as the session's previous build, which found no
        clash, have none."""
        last, fresh = self._carried("case-clashes", "")
        if last.get("clean") == files.keys():
            fresh["clean"] = last["clean"]
            return
        before = len(self.problems)
        self._find_case_clashes(files)
        if len(self.problems) == before:
            fresh["clean"] = set(files)

    def _find_case_clashes(self, files: Mapping[str, bytes]) -> None:
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

    def _add_file(self, files: dict[str, bytes], path: str, data: bytes, origin: str,
                  ahead: str | None = None) -> None:
        """Add ``data`` at ``path`` to the site's files (and to the tree written ahead, if any).
        ``ahead``: the digest of ``data`` when a worker has written it ahead already."""
        path = _site_path(path)
        self._origins.setdefault(path, origin)
        if _outside_site(path):
            self.problems.append(Diagnostic(origin, 0, f"refusing to write outside the site: {path}"))
            return
        if path in files:
            if files[path] != data:
                self.problems.append(Diagnostic(origin, 0, f"two different files want the path /{path}",
                                                "rename one of them"))
            return
        files[path] = data
        if self._staged is not None:
            if ahead is None:
                self._staged.put(path, data)
            else:
                self._staged.written(path, data, ahead)

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

    def _run_plugins(self, doc: Document, plugins: Mapping[str, LoadedPlugin], site: SiteConfig,
                     theme: Theme) -> list[PostResult]:
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
            loaded = plugins[name]
            result = loaded.plugin.on_post(doc, tuple(decls), loaded.context(site, self.cache, theme))
            results.append(loaded.own_assets(result, theme.layers))
        return results

    def _per_document(self, namespace: str, function: Callable[..., Any],
                      extra_key: Callable[..., str] = lambda *args: "") -> Callable[..., Any]:
        """``function(doc, *args)`` remembered in memory for the document object itself. The
        reader returns the very same object for a file whose identity is unchanged (the
        ``document`` memo), so under ``stride serve`` an edit recomputes this for the edited
        document only. The entry holds the document, so its id cannot be reused meanwhile."""

        last, fresh = self._carried(f"per-document {namespace}", "")

        def remembered(doc: Document, *args: Any) -> Any:
            extra = extra_key(*args)
            carried = last.get((id(doc), extra))  # the memo's entry, without the memo's lookup
            if carried is not None and carried[0] is doc:
                fresh[id(doc), extra] = carried
                return carried[1]
            key = f"{id(doc)}\0{extra}"
            known = self.cache.memo(namespace, key, lambda: (doc, function(doc, *args)), persist=False)
            if known[0] is not doc:  # cannot happen while the entry holds it; never trust a stale one
                return function(doc, *args)
            fresh[id(doc), extra] = known
            return known[1]

        return remembered

    def _reader(self, site: SiteConfig, last: _Reading | None = None, remember: bool = False,
                meanwhile: Callable[[], None] | None = None) -> Reader:
        """read_document memoised on the file's identity and everything else parsing reads, so an
        unchanged post costs a stat, not a YAML parse. On a cold build the files missing from the
        memo are parsed on every core (front matter is the bulk of reading 1,000 posts).

        With ``last`` (the session's previous reading, of the same files under the same inputs)
        only the files in ``self.since.edited`` are looked at; every other one is what it read then.
        With ``remember`` the reading is kept in the session for the next build."""
        fixed = dependencies.document_inputs(site)
        cwd = os.getcwd()  # document_inputs holds it too: paths in messages are relative to it

        def key(file: Path, kind: str) -> str | None:
            try:
                info = os.stat(file)
            except OSError:
                return None  # read_document reports it
            return hashlib.sha256(repr((fixed, os.path.join(cwd, file), kind,
                                        info.st_size, info.st_mtime_ns, info.st_ino)).encode()).hexdigest()

        def parse(job: Job) -> Document | None:
            try:
                return _digested_read(job, site, None)
            except ContentError:
                return None  # read again below, so the error is reported as without workers

        def read_all(jobs: list[Job]) -> list[Document | ContentError]:
            done = read_listed(jobs) if last is None else read_edited(jobs)
            if remember and self.session is not None:
                if last is None:
                    where = {os.path.abspath(file): index for index, (file, _) in enumerate(jobs)}
                    folders = _folder_identities(where)
                else:  # the same files in the same folders: checked by Session.edited
                    where, folders = last.where, last.folders
                self.session.reading = _Reading(self.options, cwd, fixed, tuple(jobs), tuple(done), where, folders)
            return done

        def read_edited(jobs: list[Job]) -> list[Document | ContentError]:
            assert last is not None and self.since is not None
            done = list(last.results)
            for where in self.since.edited:
                index = last.where[where]
                done[index] = read_listed([jobs[index]])[0]
            return done

        def read_listed(jobs: list[Job]) -> list[Document | ContentError]:
            keys = [key(*job) for job in jobs]
            missing = [job for job, k in zip(jobs, keys) if k is not None and not self.cache.contains("document", k)]
            parsed = dict(zip(missing, map_in_workers(parse, missing, meanwhile=meanwhile) or []))
            done: list[Document | ContentError] = []
            for job, k in zip(jobs, keys):
                try:
                    compute = functools.partial(_digested_read, job, site, parsed.get(job))
                    done.append(compute() if k is None else self.cache.memo("document", k, compute))
                except ContentError as exc:
                    done.append(exc)
            return done

        return read_all

    def _handlers(self, doc: Document, widgets: Mapping[str, str], site: SiteConfig,
                  theme: Theme, liquid: SiteContext) -> TagHandlers:
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
            url=theme.url,
            absolute_url=theme.absolute_url,
            includes=theme.layers.roots(layering.INCLUDES),
            relative_root=Path(doc.source).parent,
            # Only Liquid reads the variables, and it never runs on a body without its markup: a
            # plain post skips building its ``page`` (a tenth of the time its handlers took).
            variables={"page": page_variables(doc), "site": liquid.variables} if holds_liquid(doc.body) else {},
            post_urls=liquid.post_urls,
            link_urls=liquid.link_urls,
        )

    def _assembled(self, item: Prepared, md: tuple, theme: Theme, urls: str) -> RenderedDocument:
        """``_assemble``, remembered in memory for the document and Markdown objects themselves
        (both the very same objects after an edit elsewhere, from their memos), so an unchanged
        post is the same RenderedDocument on every rebuild and keeps the digests cached on it
        (site._shallow, document_view). Not for a post with its own scripts:/style: entries:
        those may name files under content/static/, which are read from the disk."""
        doc = item.doc
        if doc.scripts or doc.styles:
            return self._assemble(item, md, theme)
        key = "\0".join((str(id(doc)), str(id(md)), item.markdown_key, urls, repr(item.results)))
        known = self.cache.memo("assembled", key, lambda: (doc, md, self._assemble(item, md, theme)),
                                persist=False)
        if known[0] is not doc or known[1] is not md:  # cannot happen while the entry holds both
            return self._assemble(item, md, theme)
        return known[2]

    def _assemble(self, item: Prepared, md: tuple, theme: Theme) -> RenderedDocument:
        """The document with its Markdown, scripts, styles and the plugins' template context."""
        doc, results, asset, url = item.doc, item.results, theme.asset, theme.url
        html, _warnings, words, summary = md

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
            html=Markup(html.html),
            toc=Markup(html.toc_html if doc.toc else ""),
            has_math=html.has_math,
            words=words,
            summary=summary,
            scripts=tuple(dict.fromkeys(scripts)),
            styles=tuple(dict.fromkeys(styles)),
            context=context,
            source_key=item.markdown_key,
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

    def _markdown_key(self, doc: Document, widgets: Mapping[str, str], site: SiteConfig, liquid_part: str,
                      layers: Layers) -> str:
        """Everything a document's Markdown reads (``dependencies.markdown_inputs`` for what all
        documents share; ``liquid_part``, what its Liquid reads of the site: _liquid_site_part)."""
        self._shared_markdown_inputs(site, layers)
        digest = hashlib.sha256()
        # doc.digest covers every field of the document (body, source and body_line included) and
        # is kept with the document's memo entry: the body is not hashed again on every build.
        for part in (doc.digest, repr(sorted(widgets.items())), self._markdown_inputs, liquid_part):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def _shared_markdown_inputs(self, site: SiteConfig, layers: Layers) -> str:
        """What every document's Markdown reads (``dependencies.markdown_inputs``, the settings):
        one repr(site) per build, not per post."""
        if self._markdown_inputs is None:
            self._markdown_inputs = hashlib.sha256(repr((dependencies.markdown_inputs(
                layers, data_files(self.source.joinpath(*DATA_FOLDER))), site)).encode(
                    "utf-8", "surrogatepass")).hexdigest()
        return self._markdown_inputs

    _SITE_WORDS = ("site", "post_url", "link")
    _CLOCK_WORDS = ("site.time", "'now'", '"now"', "'today'", '"today"')

    def _liquid_site_part(self, doc: Document, liquid: SiteContext, layers: Layers) -> str:
        """What a document's Liquid may read of the rest of the site (every post's front matter,
        the data files, the build's clock), for its memo key. Only documents (or includes) that
        can reach it pay: any other post's memo survives an edit to a title elsewhere."""
        if "{" not in doc.body:
            return ""
        if self._includes_text is None:
            self._includes_text = "".join(p.read_text(encoding="utf-8", errors="replace")
                                          for p in dependencies.include_files(layers))
            includes = hashlib.sha256(self._includes_text.encode("utf-8", "surrogatepass")).hexdigest()
            self._reach = self._per_document("liquid-reach", self._liquid_reach, lambda text: includes)
        reads_site, reads_clock = self._reach(doc, self._includes_text)
        return (liquid.digest if reads_site else "") + (self.started.isoformat() if reads_clock else "")

    def _liquid_reach(self, doc: Document, includes_text: str) -> tuple[bool, bool]:
        """Whether the document's Liquid (with the includes, when it includes any) may read the
        rest of the site, and the clock: a text search, remembered per document object."""
        reach = doc.body + (includes_text if "include" in doc.body else "")
        return any(word in reach for word in self._SITE_WORDS), any(word in reach for word in self._CLOCK_WORDS)

    def _render_one(self, item: Prepared, site: SiteConfig, theme: Theme, liquid: SiteContext) -> tuple:
        return self._compute_markdown(item.doc, self._handlers(item.doc, item.widgets, site, theme, liquid))

    @staticmethod
    def _compute_markdown(doc: Document, handlers: TagHandlers) -> tuple[Any, list[Diagnostic], int, str]:
        from generator.markdown import render_document  # see _while_reading

        warnings: list[Diagnostic] = []
        local = replace(handlers, warn=warnings.append)
        md = render_document(doc.body, path=doc.source, first_line=doc.body_line, tags=local)
        return md, warnings, word_count(md.html), excerpt(md.html)


def _site_path(path: str) -> str:
    return path.lstrip("/")


def _outside_site(path: str) -> bool:
    return ".." in path.split("/")


def page_specs(rendered: list[RenderedDocument], site: SiteConfig, absolute_url: Callable[[str], str],
               carry: tuple[dict, dict] = ({}, {})) -> list[PageSpec]:
    """Every output page of the site: documents, index pages, taxonomies, archive, feed,
    sitemap, 404 and robots.txt, each a template with its context. ``carry`` is (what the
    previous build left, the table to leave this build's in) for the same settings and
    ``absolute_url`` (the caller's token: the page inputs). What is left is the
    ``site.Listing`` (every spec but the last three) and those three: after an edit that
    changes no document's place in the listings (``Listing.updated``: a body edit), only the
    specs showing an edited document are made again, and the sitemap, 404 and robots.txt,
    made of the places alone, are the same objects."""
    settings = (site.paginate, site.title, site.description, site.feed_entries, site.giscus is not None)
    absolutize = _absolutizer(absolute_url)
    last, fresh = carry
    before: Listing | None = last.get("listing")
    listing = before.updated(rendered, settings, absolute_url, absolutize) if before is not None else None
    if listing is not None:
        tail = last["tail"]
    else:
        listing = Listing.make(rendered, settings, absolute_url, absolutize, before)
        listed = [s.context["page"]["url"] for s in (*listing.index_specs, *listing.taxonomy_specs, listing.archive)]
        if "tail" in last:  # 404 and robots.txt read nothing but absolute_url: the same objects
            fixed_pages = last["tail"][1:]
        else:
            fixed_pages = [
                PageSpec("404.html", "404.html", {"page": page_meta("404", "Page not found", "404.html")}),
                PageSpec("robots.txt", "robots.txt", {"page": page_meta("robots", "robots", "robots.txt"),
                                                      "sitemap_url": absolute_url("sitemap.xml")}),
            ]
        tail = [sitemap_page(listing.posts + listing.pages, listed, absolute_url), *fixed_pages]
    fresh["listing"], fresh["tail"] = listing, tail  # only once it all worked
    return listing.specs() + tail


_LIST_TEMPLATES = frozenset({"base", "index", "archive", "taxonomy", "terms", "404", "redirect"})


def _page_stylesheet(css: str) -> str:
    """Where a page's ``_styles:`` CSS is published: named by its content, so identical blocks
    share one file and a host may cache it forever."""
    return f"assets/page-styles/{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"


def build_site(options: BuildOptions, cache: Cache | None = None, *, session: Session | None = None,
               changed: Iterable[Path] | None = None) -> BuildResult:
    """Build (or with ``write=False`` only check) the site. Raises ContentError(s) on bad input.

    ``session`` (kept by a caller that builds the same site again and again, ``stride serve``)
    with ``changed``, the paths reported changed since the session's previous build (the
    watcher's set), lets the build re-read only those files when they are all plain edits of
    files read before (``Session.edited``); the output is the same as without them."""
    if not options.write:
        return _build_site(options, cache, session, changed)
    # One build of an output folder at a time, from reading the memo to saving the stamp.
    with build_lock(options.output, options.wait):
        return _build_site(options, cache, session, changed)


def _build_site(options: BuildOptions, cache: Cache | None, session: Session | None = None,
                changed: Iterable[Path] | None = None) -> BuildResult:
    cache = cache or cache_for(options)
    since = session.take(changed, options) if session is not None else None
    keep_stamp = options.write and cache.root is not None
    if keep_stamp:
        # Scanned before anything is read, so an edit made during the build counts as a change.
        plugin_code = stamp.recorded_plugin_code(cache.root)
        if since is not None and stamp.modified_lately(since.edited):
            inputs = None  # the scan would find that file too new to trust (stamp._RACY_NS): skip it
        else:
            inputs = stamp.scan(options.source, options.output, options.base_url, options.drafts, plugin_code,
                                options.unpublished)
    try:
        result = _Build(options, cache, session, since).run()
    finally:
        # Also after a content error: the posts that did render need not be rendered again.
        cache.flush()
    if keep_stamp:
        stamp.save(cache.root, inputs if plugin_code == result.plugin_code else None, options.output, result)
    return result
