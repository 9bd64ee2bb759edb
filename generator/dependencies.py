"""What every cached result depends on, stated in one place.

A build keeps results between runs (the ``generator.cache`` namespaces below, plus Jinja's
compiled templates on disk), and ``generator.stamp`` decides whether a build may be skipped
altogether. Each is keyed on a digest of everything that can change it:

=================  ==========================================================================
``document``       the file's identity (path, size, mtime, inode), the site settings, the working
                   folder, the code of the document layer (``content.py`` and what it imports
                   from Stride), the versions of its libraries (PyYAML)
``markdown``       the body, the widgets' HTML, what its Liquid may read of the site (see
                   ``build._liquid_site_part``), the settings, the include templates, the .bib
                   and data files, the code of the Markdown layer (``markdown.py``, ``site.py``
                   and what they import) and the versions of its libraries (Python-Markdown,
                   pymdown-extensions, Pygments, python-liquid, pybtex, PyYAML, dateutil, ...)
``page``           the page's template context, the templates, the settings, the asset URLs,
                   the code of the page layer (``site.py``, ``templates.py`` and what they
                   import, and ``build.py``) and the versions of Jinja2, MarkupSafe, Pygments
                   and PyYAML
Jinja bytecode     the template source (Jinja checks it), kept in a folder named for the
                   versions of Jinja2 and MarkupSafe and of Python
plugin entries     whatever key the plugin gives ``ctx.cache``, salted with the plugin's
                   ``name`` and ``version``: bumping ``Plugin.version`` invalidates exactly that
                   plugin's entries
the stamp          the options, the size and mtime of every file of the input folders and of
                   Stride's and the plugins' code, site-packages' mtimes and the installed
                   distributions with their versions (``installed_distributions``)
=================  ==========================================================================

The code of a layer is found, not listed: the Stride modules its entry modules import,
transitively (read from their ``import`` statements, lazy ones inside functions included), so a
new helper module cannot be forgotten (tests/dependencies/test_dependencies.py checks that every
library the code imports is stated). Library versions come from the installed metadata, each
stated library together with what it requires, so an upgrade of any of them rebuilds what it
shapes and nothing else. Every namespace is pruned at the end of a build to the entries that
build used (``Cache.prune_unused``).

Standard library only (``generator.stamp`` uses it before the build's heavy imports).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.layers import INPUT_FOLDERS  # noqa: F401 - the folders generator.stamp scans

# typing.TYPE_CHECKING without importing typing (3 ms of the up-to-date check, which imports
# nothing else of it): type checkers read this name the same way.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Iterable

    from generator.layers import Layers

PACKAGE = Path(__file__).parent  # Stride's own code


@dataclass(frozen=True)
class Layer:
    """One stage whose results are memoised: ``code`` are its entry modules (dotted, under
    ``generator``), counted with everything they import; ``own`` modules count by their own
    bytes only (build.py drives every stage: what it imports is the other layers, keyed on
    their own); ``libraries`` the distributions that shape its output, by their PyPI names."""

    name: str
    code: tuple[str, ...]
    libraries: tuple[str, ...]
    own: tuple[str, ...] = ()


DOCUMENTS = Layer("document", ("content", "config"), ("pyyaml",))
# site.py: the word count and the excerpt are computed with the Markdown and memoised with it.
# pymdown-extensions is loaded by name (Markdown's extension strings), not imported.
MARKDOWN = Layer("markdown", ("markdown", "site", "liquid_data", "layers"),
                 ("markdown", "pymdown-extensions", "pygments", "python-liquid", "pybtex", "latexcodec",
                  "pyyaml", "python-dateutil", "markupsafe"))
# build.py: the page list (page_specs), the feed's absolute links and the page stage itself.
PAGES = Layer("page", ("site", "templates", "layers"), ("jinja2", "markupsafe", "pygments", "pyyaml"), own=("build",))
BYTECODE = Layer("jinja", (), ("jinja2", "markupsafe"))
LAYERS = (DOCUMENTS, MARKDOWN, PAGES, BYTECODE)


# -- library and plugin versions ----------------------------------------------------------

def distribution_version(name: str) -> str:
    """The installed version of distribution ``name`` ("" when it is not installed). The one
    place versions are read (tests replace it to simulate an upgrade); read once per process,
    which is also when the process imported the library it describes."""
    return _installed(name)[0]


@functools.lru_cache(maxsize=None)
def _installed(name: str) -> tuple[str, tuple[str, ...]]:
    """The version and the ``Requires-Dist`` lines of distribution ``name`` (``("", ())`` when it
    is not installed). A ``*.dist-info`` folder (what pip and every wheel install make) is read
    here: its ``METADATA`` is a block of ``Field: value`` lines (the core metadata spec), of which
    two fields are wanted. Anything else (an ``*.egg-info``) is left to ``importlib.metadata``,
    whose import alone (13 ms) and searches (10 ms for the 16 distributions of a build) were
    20 ms of the build's serial start."""
    folders, complete = _metadata_folders()
    folder = folders.get(_normalise(name))
    if folder is None and complete:
        return "", ()  # a requirement for another Python or platform, say
    if folder is not None and folder.endswith(".dist-info"):
        try:
            with open(os.path.join(folder, "METADATA"), "rb") as file:
                fields = _core_metadata(file.read().decode("utf-8", "surrogateescape"))
        except OSError:
            fields = None
        if fields is not None:
            return fields
    return _installed_by_importlib(name)


@functools.lru_cache(maxsize=1)
def _metadata_folders() -> tuple[dict[str, str], bool]:
    """Normalised distribution name -> its metadata folder, the first on ``sys.path`` (as
    ``importlib.metadata`` finds it), from one directory listing per folder of ``sys.path``;
    and whether that saw every entry of it (not when one is a zip file, say)."""
    found: dict[str, str] = {}
    complete = True
    for entry in sys.path:
        try:
            listed = _metadata_names(entry)
        except FileNotFoundError:
            continue  # nothing to find there
        except OSError:
            complete = False  # a zip file, an unreadable folder: importlib.metadata looks
            continue
        for folder in listed:
            # Name-Version.dist-info, Name-Version-pyX.Y.egg-info or Name.egg-info
            distribution = _normalise(folder.rsplit(".", 1)[0].partition("-")[0])
            found.setdefault(distribution, os.path.join(entry or ".", folder))
    return found, complete


def _core_metadata(text: str) -> tuple[str, tuple[str, ...]] | None:
    """``Version`` and every ``Requires-Dist`` of a core-metadata header block (field names
    case-insensitive, values stripped, as the email parser ``importlib.metadata`` uses reads
    them); None for anything this does not read exactly so (no version, a folded line).
    ``importlib.metadata`` then reads it."""
    version, wanted = None, []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if not line:
            break  # the body (the long description) follows the first empty line
        key, colon, value = line.partition(":")
        if not colon or line[0] in " \t":
            return None
        key = key.strip().lower()
        if key == "version" and version is None:
            version = value.strip()
        elif key == "requires-dist":
            wanted.append(value.strip())
    return None if version is None else (version, tuple(wanted))


def _installed_by_importlib(name: str) -> tuple[str, tuple[str, ...]]:
    from importlib import metadata  # imported here: neither the stamp nor a build needs it

    try:
        found = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return "", ()
    fields = found.metadata
    wanted = fields.get_all("Requires-Dist")
    if wanted is None:
        wanted = found.requires or []  # an egg-info's requires.txt, or nothing at all
    return fields["Version"], tuple(wanted)


_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@functools.lru_cache(maxsize=None)
def _requirements(name: str) -> tuple[str, ...]:
    """Distributions ``name`` needs at run time (extras left out), normalised."""
    found = []
    for line in _installed(name)[1]:
        match = _REQUIREMENT_NAME.match(line)
        if match and "extra" not in line.partition(";")[2]:
            found.append(_normalise(match.group(0)))
    return tuple(sorted(set(found)))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def libraries(layer: Layer) -> tuple[str, ...]:
    """The layer's libraries and, transitively, what they require."""
    return _with_requirements(layer.libraries)


def _with_requirements(names: Iterable[str]) -> tuple[str, ...]:
    """Distributions ``names`` and, transitively, what they require, normalised and sorted."""
    seen: set[str] = set()
    todo = [_normalise(n) for n in names]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_requirements(name))
    return tuple(sorted(seen))


def library_versions(layer: Layer) -> tuple[tuple[str, str], ...]:
    return tuple((name, distribution_version(name)) for name in libraries(layer))


def plugin_version(plugin: object) -> tuple[str, str]:
    """A plugin's ``(name, version)``: part of what its ``ctx.cache`` entries are salted with."""
    return str(type(plugin).name), str(type(plugin).version)


def plugin_salt(plugin: object) -> str:
    """What every ``ctx.cache`` entry of ``plugin`` is salted with: its name and version, and the
    installed versions of the libraries it declares (``Plugin.libraries``) and of what those
    require, so upgrading NumPy recomputes a plugin's NumPy results without a version bump."""
    declared = getattr(type(plugin), "libraries", ())
    versions = tuple((name, distribution_version(name)) for name in _with_requirements(declared))
    return _digest(repr(("plugin", plugin_version(plugin), versions)))


# -- Stride's code ------------------------------------------------------------------------

# Both read once per process, as code_files and _code_bytes are: the four layers share most of
# their modules, and each import names several candidates (``generator.site.page_meta``) that
# cost a stat or two to rule out (20 ms of a cold build's serial start before, 7 ms after).
@functools.lru_cache(maxsize=None)
def _module_file(dotted: str) -> Path | None:
    """The file of Stride module ``dotted`` (``"plugins"`` -> ``plugins/__init__.py``)."""
    base = PACKAGE.joinpath(*dotted.split(".")) if dotted else PACKAGE
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?P<modules>generator[\w. \t,]*)", re.M)
_FROM = re.compile(r"^[ \t]*from[ \t]+(?P<module>\.+[\w.]*|generator[\w.]*)[ \t]+import[ \t]+"
                   r"(?P<names>\([^)]*\)|[^\n#]*)", re.M)


@functools.lru_cache(maxsize=None)
def _imported(file: Path) -> frozenset[str]:
    """Stride modules (dotted, relative to ``generator``) that ``file`` imports anywhere, lazy
    imports in functions too. A regular expression, not ``ast``: ten times faster, and a match
    inside a string only adds a file (a needless rebuild, never a stale one)."""
    own = file.relative_to(PACKAGE).with_suffix("").parts
    package = ("generator",) + own[:-1]
    text = file.read_text(encoding="utf-8")
    found: set[str] = set()
    for match in _IMPORT.finditer(text):
        found.update(name.split()[0] for name in match.group("modules").split(",") if name.strip())
    for match in _FROM.finditer(text):
        module = match.group("module")
        if module.startswith("."):
            level = len(module) - len(module.lstrip("."))
            base = ".".join(package[:len(package) - level + 1])
            module = f"{base}.{module.lstrip('.')}".rstrip(".")
        names = re.split(r"[\s,()]+", match.group("names"))
        found.add(module)
        found.update(f"{module}.{name}" for name in names if name.isidentifier() and name != "as")
    return frozenset(name.removeprefix("generator").lstrip(".") for name in found
                     if name == "generator" or name.startswith("generator."))


@functools.lru_cache(maxsize=None)
def code_files(modules: tuple[str, ...]) -> tuple[Path, ...]:
    """The files of ``modules`` and of every Stride module they import, transitively (a
    package's ``__init__.py`` counts for each module in it)."""
    seen: set[Path] = set()
    todo = list(modules)
    while todo:
        dotted = todo.pop()
        parts = dotted.split(".") if dotted else []
        for end in range(len(parts) + 1):  # the packages on the way run too
            file = _module_file(".".join(parts[:end]))
            if file is not None and file not in seen:
                seen.add(file)
                todo.extend(_imported(file))
    return tuple(sorted(seen))


def code_digest(layer: Layer) -> str:
    """Stride's and Python's versions, the layer's code and its libraries' versions."""
    return _digest(repr((__version__, sys.version, _code_bytes(layer.code, layer.own), library_versions(layer))))


@functools.lru_cache(maxsize=None)
def _code_bytes(modules: tuple[str, ...], own: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for file in sorted(set(code_files(modules)) | {_module_file(name) for name in own}):
        digest.update(file.relative_to(PACKAGE).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


# -- the project's files ------------------------------------------------------------------
# Templates, includes and assets come from the resource layers (site, plugins, theme) as the
# lookup resolves them: an override appearing or going changes which file a name means, and so
# the key (the file's path is hashed with its bytes).

def template_files(layers: "Layers") -> list[Path]:
    """Every file the page templates may read (includes too), every layer's."""
    from generator import layers as layering

    return list(layering.template_files(layers).values())


def include_files(layers: "Layers") -> list[Path]:
    """The files ``{% include %}`` may read from a post's Liquid, every layer's."""
    from generator import layers as layering

    return list(layering.include_files(layers).values())


def bib_files(source: Path) -> list[Path]:
    return _every_file(source / "content" / "bib", source)


def _every_file(folder: Path, project: Path) -> list[Path]:
    """Every file under ``folder`` (dot-named ones too), sorted; a link out of the project is an
    error here as well, so even an unused one is never read."""
    if not folder.is_dir():
        return []
    from generator.paths import project_files  # imported here: the stamp needs none of it

    return sorted(project_files(folder, project, admit=lambda rel, is_dir: True))


def _files_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(str(file).encode("utf-8", "surrogateescape") + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


# -- the keys -----------------------------------------------------------------------------

def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def document_inputs(site: object) -> str:
    """What parsing any file reads besides the file itself: the settings, the working folder
    (paths in messages) and the document layer."""
    return _digest(repr((site, str(Path.cwd()), code_digest(DOCUMENTS))))


def markdown_inputs(layers: "Layers", data: list[Path]) -> str:
    """What every document's Markdown may read besides its own body and widgets: the include
    templates, the .bib files, the data files (``site.data``) and the Markdown layer."""
    files = include_files(layers) + bib_files(layers.project) + data
    return _digest(repr((code_digest(MARKDOWN), _files_digest(files))))


def page_inputs(layers: "Layers", site: object, public_assets: list[tuple[str, str]]) -> str:
    """What every page render reads besides its context: templates, settings, asset URLs and
    the page layer."""
    return _digest(repr((code_digest(PAGES), site, public_assets, _files_digest(template_files(layers)))))


def bytecode_folder(cache_root: Path) -> Path:
    """Where Jinja keeps compiled templates: a folder per Jinja/MarkupSafe/Python, so an upgrade
    never loads code compiled by the old one (``prune_bytecode`` removes the others)."""
    return cache_root / "jinja" / code_digest(BYTECODE)[:16]


def prune_bytecode(cache_root: Path) -> None:
    """Remove the compiled templates of other library versions."""
    keep = bytecode_folder(cache_root)
    parent = keep.parent
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        if entry != keep:
            _remove(entry)


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            for child in path.iterdir():
                _remove(child)
            path.rmdir()
        else:
            path.unlink()
    except OSError:
        pass  # only a cache


def installed_distributions() -> list[str]:
    """What the up-to-date check compares for libraries: the ``*.dist-info`` / ``*.egg-info``
    folders (named for distribution and version) in every folder on ``sys.path``, so any
    install, upgrade or removal, of the libraries above or any other, counts as a change. One
    directory listing per folder: ``importlib.metadata`` alone takes longer to import than the
    whole check."""
    found = []
    for entry in sys.path:
        try:
            found += [f"{entry}/{name}" for name in _metadata_names(entry)]
        except OSError:
            continue  # a zip file, a missing folder
    return sorted(found)


def _metadata_names(entry: str) -> list[str]:
    """The ``*.dist-info`` and ``*.egg-info`` names in folder ``entry`` of ``sys.path``, sorted;
    OSError when it cannot be listed."""
    with os.scandir(entry or ".") as names:
        return sorted(n.name for n in names if n.name.endswith((".dist-info", ".egg-info")))
