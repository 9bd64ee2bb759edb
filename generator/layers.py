"""Resource layers: where a build finds its templates, includes and assets, file by file.

Three layers, looked up in this order (the order of MkDocs' ``custom_dir`` and Hugo's layouts):

1. the **site**: ``<project>/templates/`` and ``<project>/assets/``, which override any file below;
2. each enabled **plugin**: the ``templates/`` and ``assets/`` folders inside the plugin's Python
   package (package data, found with ``importlib.resources``, so a wheel and an editable
   checkout behave alike);
3. the **theme**: ``generator/theme/templates/`` and ``generator/theme/assets/``, Stride's own.

Every file has one *logical name*, shared by all layers: theme asset ``css/site.css`` is
overridden by the site's ``assets/css/site.css``; asset ``main.js`` of plugin ``x`` is
``plugins/x/main.js`` (published under ``assets/plugins/x/``, overridden by the site's
``assets/plugins/x/main.js``); template ``widget.html`` of plugin ``x`` is ``plugins/x/widget.html``
to Jinja (overridden by ``templates/plugins/x/widget.html``); includes are the templates under
``includes/``. The first layer holding a logical name wins.

Plain data and listings only (standard library, no Jinja): ``assets.py``, ``templates.py``, the
Liquid includes, the memo keys in ``build.py`` and ``stamp.py`` all ask here which files exist.
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Iterator, Mapping  # not typing's (3 ms): see generator.paths

THEME = Path(__file__).resolve().parent / "theme"
TEMPLATES = "templates"
ASSETS = "assets"
INCLUDES = "includes"
SITE_FOLDERS = (TEMPLATES, ASSETS)  # a project's override folders
INPUT_FOLDERS = ("content", *SITE_FOLDERS)  # what a build reads of a project (site.yml is in content/)
PLUGIN_PREFIX = "plugins/"


@dataclass(frozen=True)
class Root:
    """One folder of one layer: the file ``folder/rel`` has the logical name ``prefix + rel``.

    ``confine`` is the folder no link under ``folder`` may lead out of: the project for the site
    layer (a symlink to /etc/passwd must not be published), the package itself for the others.
    ``layer`` names the layer in messages (``"site"``, ``"plugin 'x'"``, ``"theme"``)."""

    layer: str
    folder: Path
    prefix: str = ""
    confine: Path | None = None

    def find(self, logical: str) -> Path | None:
        """The file this root holds under ``logical``, or None (also for names that climb out)."""
        if not logical.startswith(self.prefix):
            return None
        rel = posixpath.normpath(logical[len(self.prefix):])
        if rel.startswith(("../", "/")) or rel in ("..", "."):
            return None
        path = self.folder / rel
        return path if path.is_file() else None


@dataclass(frozen=True)
class PluginPackage:
    """An enabled plugin's name and the folder of its Python package (None: it ships no files)."""

    name: str
    folder: Path | None


@dataclass(frozen=True)
class Layers:
    """The layers of one build: the project folder, the enabled plugins (sorted by name) and the
    theme folder."""

    project: Path
    plugins: tuple[PluginPackage, ...] = ()
    theme: Path = THEME

    def roots(self, kind: str) -> tuple[Root, ...]:
        """The roots of ``kind`` (``"templates"``, ``"assets"`` or ``"includes"``), in lookup order."""
        below = (TEMPLATES, INCLUDES) if kind == INCLUDES else (kind,)
        found = [Root("site", self.project.joinpath(*below), confine=self.project)]
        for plugin in self.plugins:
            if plugin.folder is not None:
                found.append(Root(f"plugin {plugin.name!r}", plugin.folder.joinpath(*below),
                                  f"{PLUGIN_PREFIX}{plugin.name}/", confine=plugin.folder))
        found.append(Root("theme", self.theme.joinpath(*below), confine=self.theme))
        return tuple(found)

    def plugin_root(self, name: str, kind: str) -> Root | None:
        """The root of plugin ``name``'s own ``kind`` folder (what it ships, without overrides)."""
        return next((r for r in self.roots(kind) if r.layer == f"plugin {name!r}"), None)

    def folders(self) -> list[Path]:
        """Every template and asset folder of every layer (for the dev server to watch)."""
        return [root.folder for kind in (TEMPLATES, ASSETS) for root in self.roots(kind)]


def plugin_logical(plugin: str, path: str) -> str:
    """Logical name of plugin ``plugin``'s own asset or template ``path`` (``main.js``)."""
    return f"{PLUGIN_PREFIX}{plugin}/{path.lstrip('/')}"


def package_folder(cls: type) -> Path | None:
    """The folder of the package that defines ``cls`` (a plugin class), or None for a class in a
    top-level module or a package that is not a folder on disk (a zip import)."""
    module = sys.modules.get(cls.__module__)
    package = getattr(module, "__package__", None) or ""
    if not package:
        return None
    import importlib.resources  # here: the stamp check imports this module and needs none of it

    try:
        found = importlib.resources.files(package)
    except (ModuleNotFoundError, TypeError):
        return None
    return found if isinstance(found, Path) else None


def layers_for(project: Path, plugins: Mapping[str, object] = {}) -> Layers:
    """The layers of a build of ``project`` with ``plugins`` (name -> plugin instance or class)."""
    packages = tuple(PluginPackage(name, package_folder(p if isinstance(p, type) else type(p)))
                     for name, p in sorted(plugins.items()))
    return Layers(project, packages)


def _walk(root: Root, admit_hidden: bool) -> Iterator[tuple[str, Path]]:
    # Imported here: paths.py brings errors.py, which the stamp check (standard library, before
    # the build's imports) never needs.
    from generator.paths import project_files

    if not root.folder.is_dir():
        return
    admit = (lambda rel, is_dir: True) if admit_hidden else \
        (lambda rel, is_dir: not rel.rsplit("/", 1)[-1].startswith("."))
    for file in project_files(root.folder, root.confine or root.folder, admit=admit):
        yield root.prefix + file.relative_to(root.folder).as_posix(), file


def resolved(roots: Iterable[Root], hidden: bool = False) -> dict[str, tuple[Path, Root]]:
    """Logical name -> (file, root) of every file the roots hold, the first root winning, sorted
    by name. ``hidden``: also dot-named files (a memo key must see every file a lookup might
    read). Raises ContentError for a link out of a root's ``confine`` folder."""
    found: dict[str, tuple[Path, Root]] = {}
    for root in roots:
        for logical, file in _walk(root, hidden):
            found.setdefault(logical, (file, root))
    return dict(sorted(found.items()))


def template_files(layers: Layers) -> dict[str, Path]:
    """Logical name -> file of every template (includes too) the build may render."""
    return {name: file for name, (file, _) in resolved(layers.roots(TEMPLATES), hidden=True).items()}


def include_files(layers: Layers) -> dict[str, Path]:
    """Logical name (relative to ``includes/``) -> file of every Liquid include."""
    return {name: file for name, (file, _) in resolved(layers.roots(INCLUDES), hidden=True).items()}


def asset_files(layers: Layers) -> dict[str, tuple[Path, Root]]:
    """Logical name -> (file, root) of every asset to publish (dot-named files left out)."""
    return resolved(layers.roots(ASSETS))


def has_template(layers: Layers, name: str) -> bool:
    """Whether some layer holds the template ``name`` (``"post.html"``)."""
    return any(root.find(name) is not None for root in layers.roots(TEMPLATES))


def watched_paths(layers: Layers) -> list[Path]:
    """What the dev server watches besides content/: every template and asset folder."""
    return layers.folders()
