"""The plugin interface: how code outside the core adds data and widgets to posts.

A plugin is a subclass of :class:`Plugin`, registered through the ``stride.plugins``
entry-point group (the core names no plugin; even Stride's own ``convtranspose`` is found
there) and enabled under ``plugins:`` in ``content/site.yml``. The core calls its hooks in this
order, once per build:

1. ``configure(options, where)`` — right after the site settings are loaded, with the mapping
   under ``plugins: {<name>: ...}`` in ``content/site.yml`` (``{}`` when absent). Validate and
   return the options in whatever frozen form the plugin likes; raise ``ContentError`` with
   ``where`` (the settings file and line) for bad values.
2. ``on_post(post, declarations, ctx)`` — for every post or page whose front matter lists
   ``widgets:`` entries with ``plugin: <name>``, after front matter is parsed and *before* its
   Markdown is rendered. ``declarations`` holds only this plugin's entries, each with the file
   and line it came from. Return a :class:`PostResult`: the HTML of each widget (placed in the
   body by ``{% widget "id" %}`` or an include), the files to publish, the module scripts and
   stylesheets the page must load (the plugin's own assets), and extra template context.
3. ``on_site(ctx)`` — once, after every post has been handled: files that belong to the site as a
   whole. Optional.

A plugin's front end is part of its package. Files under ``templates/`` and ``assets/`` next to
the module defining the plugin class (package data: list them under
``[tool.setuptools.package-data]``, so a wheel carries them) are the plugin's own:

- asset ``assets/main.js`` of plugin ``x`` is published fingerprinted as
  ``assets/plugins/x/main.<hash>.js``; ``PostResult.scripts``/``.styles`` and ``ctx.asset(path)``
  name assets relative to the plugin's ``assets/`` folder (``"main.js"``). Relative imports
  between its modules work as usual; ``../../vendor/...`` from the folder's top reaches the
  theme's vendored libraries (logical names form one namespace: the plugin's folder is
  ``plugins/x/``). A name the plugin does not ship is an error that blames the plugin;
- template ``templates/widget.html`` is rendered by ``ctx.render("widget.html", context)``
  (Jinja2, autoescaped, the site-wide globals ``url``, ``asset``, ``site`` available); it is
  ``plugins/x/widget.html`` to Jinja, so other templates may include it by that name;
- a site overrides any of them file by file: ``assets/plugins/x/main.js`` and
  ``templates/plugins/x/widget.html`` in the project win over the package's files
  (``generator/layers.py`` has the lookup order: site, plugins, theme).

Rules that keep builds correct and reproducible: hooks never write to disk (return files
instead, the core writes ``build/`` atomically), never mutate their arguments or global state,
and return the same output for the same input. Expensive work goes through ``ctx.cache`` so that
a rebuild with unchanged inputs is cheap: key it on the inputs of the work; the core salts every
key with the plugin's ``name`` and ``version`` (``generator.dependencies``), so bump ``version``
whenever the output for the same input changes, and drops the entries a build did not use. Bad input is reported by raising
``generator.errors.ContentError(path, line, message, hint)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from generator.cache import Cache, SaltedCache  # re-exported: ctx.cache is part of the plugin interface
from generator.content import WidgetDeclaration  # re-exported: on_post receives them
from generator.errors import ContentError

if TYPE_CHECKING:  # imported for annotations only
    from generator.config import SiteConfig
    from generator.content import Document


@dataclass(frozen=True)
class GeneratedFile:
    """A file for the published site. ``path`` is POSIX, relative to the site root."""

    path: str
    data: bytes


@dataclass(frozen=True)
class Widget:
    """Widget markup for ``{% widget "id" %}``. ``html`` is trusted: the plugin escapes its own values."""

    id: str
    html: str


@dataclass(frozen=True)
class PostResult:
    widgets: tuple[Widget, ...] = ()
    files: tuple[GeneratedFile, ...] = ()
    scripts: tuple[str, ...] = ()  # the plugin's own assets ("main.js"), loaded as <script type="module">
    styles: tuple[str, ...] = ()  # the plugin's own assets ("explorer.css"), loaded as stylesheets
    context: Mapping[str, Any] = field(default_factory=dict)


def _no_templates(template: str, context: Mapping[str, Any]) -> str:
    raise ContentError("plugin", 0, f"no template renderer for {template!r} in this context")


@dataclass(frozen=True)
class PluginContext:
    """What the core hands a plugin hook. ``url(path)`` turns a site-relative path into the
    public URL (it applies ``base_url``); ``asset(path)`` returns the fingerprinted public URL of
    the plugin's own asset ``path`` (relative to its package's ``assets/`` folder, a site override
    applied); ``render(template, context)`` renders the plugin's own template ``template``
    (relative to its package's ``templates/`` folder, a site override applied) with ``context``
    and returns the HTML, autoescaped. Both raise ContentError, blaming the plugin, for a file
    the plugin does not ship."""

    site: "SiteConfig"
    options: Any
    cache: "Cache | SaltedCache"  # the build's memo, keys salted with the plugin's name and version
    url: Callable[[str], str]
    asset: Callable[[str], str]
    render: Callable[[str, Mapping[str, Any]], str] = _no_templates


class Plugin:
    """Base class for plugins; override the hooks you need."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"  # bump whenever output for the same input changes
    # Distributions (PyPI names) whose results the plugin caches, e.g. ("numpy",): their installed
    # versions, and those of what they require, are part of every ctx.cache key of the plugin.
    libraries: ClassVar[tuple[str, ...]] = ()

    def configure(self, options: Mapping[str, Any], where: tuple[str, int]) -> Any:
        if options:
            key = next(iter(options))
            raise ContentError(where[0], where[1], f"plugin {self.name!r} takes no option {key!r}")
        return {}

    def on_post(
        self, post: "Document", declarations: tuple[WidgetDeclaration, ...], ctx: PluginContext
    ) -> PostResult:
        return PostResult()

    def on_site(self, ctx: PluginContext) -> tuple[GeneratedFile, ...]:
        return ()


class PluginImportError(Exception):
    """Plugin ``name``'s entry point could not be loaded; ``error`` is what its import raised."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__(f"{name}: {error}")
        self.name = name
        self.error = error


def discover(names: "set[str] | None" = None) -> dict[str, type[Plugin]]:
    """The plugins of the ``stride.plugins`` entry-point group (Stride's own ``convtranspose``
    is registered there too, in pyproject.toml). With ``names``, only those are imported, so a
    site pays for the plugins it enables and nothing else; one of them that fails to import
    raises :class:`PluginImportError`. Without ``names`` (listing what is installed), a broken
    plugin is left out."""
    from importlib.metadata import entry_points  # 13 ms of imports: only for a site with plugins

    found: dict[str, type[Plugin]] = {}
    for ep in entry_points(group="stride.plugins"):
        if names is not None and ep.name not in names:
            continue
        try:
            cls = ep.load()
        except Exception as exc:
            if names is None:
                continue
            raise PluginImportError(ep.name, exc) from exc
        if isinstance(cls, type) and issubclass(cls, Plugin):
            found.setdefault(cls.name or ep.name, cls)
    return dict(sorted(found.items()))
