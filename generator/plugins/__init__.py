"""The plugin interface: how code outside the core adds data and widgets to posts.

A plugin is a subclass of :class:`Plugin`, registered either as a built-in (``BUILTINS``) or
through the ``stride.plugins`` entry-point group. The core calls its hooks in this order,
once per build:

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
a rebuild with unchanged inputs is cheap. Bad input is reported by raising
``generator.errors.ContentError(path, line, message, hint)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Mapping

from generator.cache import Cache  # re-exported: ctx.cache is part of the plugin interface
from generator.errors import ContentError

if TYPE_CHECKING:  # imported for annotations only: the core depends on plugins, not the reverse
    from generator.config import SiteConfig
    from generator.content import Document


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
    cache: Cache
    url: Callable[[str], str]
    asset: Callable[[str], str]
    render: Callable[[str, Mapping[str, Any]], str] = _no_templates


class Plugin:
    """Base class for plugins; override the hooks you need."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"  # bump whenever output for the same input changes

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


def builtin_plugins() -> dict[str, type[Plugin]]:
    try:
        from generator.plugins.convtranspose.plugin import ConvTransposePlugin
    except ImportError:  # a checkout without the plugin still builds sites that do not use it
        return {}
    return {ConvTransposePlugin.name: ConvTransposePlugin}


def discover(names: "set[str] | None" = None) -> dict[str, type[Plugin]]:
    """Built-ins plus everything in the ``stride.plugins`` entry-point group (built-ins win).
    With ``names``, only those are imported: a site pays for the plugins it enables, nothing
    else (the built-in one imports NumPy)."""
    found: dict[str, type[Plugin]] = {}
    for ep in entry_points(group="stride.plugins"):
        if names is not None and ep.name not in names:
            continue
        try:
            cls = ep.load()
        except Exception:  # a broken third-party plugin must not break sites that do not use it
            continue
        if isinstance(cls, type) and issubclass(cls, Plugin):
            found.setdefault(cls.name or ep.name, cls)
    if names is None or names & BUILTIN_NAMES:
        found.update(builtin_plugins())
    return dict(sorted(found.items()))


BUILTIN_NAMES = frozenset({"convtranspose"})
