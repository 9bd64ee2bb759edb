"""generator/dependencies.py: the code and libraries each memo layer is keyed on."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys

import pytest

from generator import dependencies
from generator.dependencies import LAYERS, MARKDOWN, PACKAGE, code_files, libraries
from tests.conftest import ROOT

_TOP_IMPORT = re.compile(r"^[ \t]*(?:import[ \t]+([A-Za-z_]\w*)|from[ \t]+([A-Za-z_]\w*)[\w.]*[ \t]+import\b)", re.M)


def _third_party(layer) -> set[str]:
    names = set()
    for file in code_files(layer.code):
        names |= {a or b for a, b in _TOP_IMPORT.findall(file.read_text(encoding="utf-8"))}
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("generator", "__future__")}


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: layer.name)
def test_every_library_a_layer_imports_is_one_its_key_holds(layer):
    providers = importlib.metadata.packages_distributions()
    stated = set(libraries(layer))
    for name in sorted(_third_party(layer)):
        found = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(name, [])}
        assert found & stated, f"{layer.name}: imports {name} ({found or 'not installed'}), not in its libraries"


def test_the_markdown_layer_finds_the_modules_its_entry_modules_import():
    files = {f.relative_to(PACKAGE).as_posix() for f in code_files(MARKDOWN.code)}
    # contrast.py (imported by markdown.py) and errors.py were missing from the old hand-kept
    # list; liquid.py is also imported lazily, inside a function of kramdown.py.
    assert {"markdown.py", "kramdown.py", "liquid.py", "liquid_engine.py", "bibliography.py", "contrast.py",
            "errors.py", "site.py", "markdown_limits.py", "jekyll_filters.py"} <= files
    assert "templates.py" not in files and "build.py" not in files  # pages are another layer


def test_a_version_change_changes_only_the_layers_that_use_the_library(monkeypatch):
    before = {layer.name: dependencies.code_digest(layer) for layer in LAYERS}
    real = dependencies.distribution_version
    monkeypatch.setattr(dependencies, "distribution_version",
                        lambda name: "99.0" if name == "pybtex" else real(name))
    after = {layer.name: dependencies.code_digest(layer) for layer in LAYERS}
    assert [name for name in before if before[name] != after[name]] == ["markdown"]


def test_a_plugin_salt_changes_with_its_version_and_name():
    class One:
        name, version = "one", "1"

    class Bumped:
        name, version = "one", "2"

    class Other:
        name, version = "other", "1"

    salts = {dependencies.plugin_salt(cls()) for cls in (One, Bumped, Other)}
    assert len(salts) == 3 and dependencies.plugin_salt(One()) == dependencies.plugin_salt(One())


def test_a_plugin_salt_changes_when_a_library_it_declares_is_upgraded(monkeypatch):
    class Computes:
        name, version, libraries = "computes", "1", ("numpy",)

    class Plain:
        name, version = "plain", "1"

    before = (dependencies.plugin_salt(Computes()), dependencies.plugin_salt(Plain()))
    real = dependencies.distribution_version
    monkeypatch.setattr(dependencies, "distribution_version",
                        lambda name: "99.0" if name == "numpy" else real(name))
    after = (dependencies.plugin_salt(Computes()), dependencies.plugin_salt(Plain()))
    assert before[0] != after[0] and before[1] == after[1]


def test_the_convtranspose_plugin_declares_numpy():
    from generator.plugins.convtranspose.plugin import ConvTransposePlugin

    assert "numpy" in ConvTransposePlugin.libraries


def test_library_versions_are_read_as_importlib_metadata_reads_them():
    """Every distribution installed here, by the name its metadata gives: the same version and
    Requires-Dist lines from the METADATA reader as from importlib.metadata."""
    seen = set()
    for found in importlib.metadata.distributions():  # in sys.path order: the first one counts
        name = re.sub(r"[-_.]+", "-", found.metadata["Name"]).lower()
        if name in seen:
            continue
        seen.add(name)
        assert dependencies._installed.__wrapped__(name) == dependencies._installed_by_importlib(name), name
    assert len(seen) > 10


def _probe(folder, code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=folder,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{folder}:{ROOT}"})
    return done.stdout.split("\n")


def test_a_dist_info_folder_is_read_without_importlib_metadata(tmp_path):
    dist = tmp_path / "Some_Thing-1.2.post3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: Some_Thing\nversion: 1.2.post3\nRequires-Dist: Markdown (>=3)\n"
        "requires-dist: pyyaml; python_version >= '3'\nRequires-Dist: torch ; extra == 'gpu'\n\n"
        "Version: 9.9 (the long description, not a field)\n")
    lines = _probe(tmp_path, "import sys; from generator import dependencies as d; "
                             "print(d.distribution_version('some.thing')); print(d._requirements('SOME-THING')); "
                             "print(d.distribution_version('nothing-installed-by-this-name')); "
                             "print('importlib.metadata' in sys.modules)")
    assert lines[:4] == ["1.2.post3", "('markdown', 'pyyaml')", "", "False"]


def test_metadata_it_cannot_read_exactly_is_left_to_importlib_metadata(tmp_path):
    """A folded field (a continuation line) is what the reader leaves alone: importlib.metadata's
    answer is taken, whatever it is."""
    dist = tmp_path / "folded-2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: folded\nVersion: 2.0\n"
                                   "Requires-Dist: markdown;\n  python_version >= '3'\n\n")
    lines = _probe(tmp_path, "import sys; from generator import dependencies as d; "
                             "print(d._installed('folded') == d._installed_by_importlib('folded')); "
                             "print('importlib.metadata' in sys.modules); print(d.distribution_version('folded'))")
    assert lines[:3] == ["True", "True", "2.0"]
