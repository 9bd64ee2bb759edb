"""Resource layers (generator/layers.py): site overrides, plugin front ends shipped in the
plugin's package, the theme that comes with Stride; a plugin installed through a real entry
point with its own templates/ and assets/."""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from pathlib import Path

import pytest

from generator.cli import main
from generator.layers import THEME, asset_files, include_files, layers_for, template_files
from tests.mini_project import override, write

SHELF_PLUGIN = '''
from generator.plugins import Plugin, PostResult, Widget


class ShelfPlugin(Plugin):
    name = "shelf"
    version = "1"

    def configure(self, options, where):
        return dict(options)

    def on_post(self, post, declarations, ctx):
        widgets = tuple(Widget(d.id, ctx.render("widget.html", {"label": d.options.get("label", ""),
                                                                "data": ctx.asset("data/books.json")}))
                        for d in declarations)
        return PostResult(widgets=widgets, scripts=(ctx.options.get("script", "main.js"),),
                          styles=("shelf.css",))
'''


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch) -> Path:
    """The "shelf" plugin installed as a distribution whose package carries its front end;
    returns the package folder."""
    site_dir = tmp_path / "site-packages"
    package = site_dir / "shelf_plugin"
    write(package / "__init__.py", SHELF_PLUGIN)
    write(package / "templates" / "widget.html",
          '<div class="shelf" data-books="{{ data }}">{{ label }}</div>\n')
    write(package / "assets" / "main.js", 'import { books } from "./lib/books.js";\nbooks();\n')
    write(package / "assets" / "lib" / "books.js",
          'import { select } from "../../../vendor/d3-selection-3.0.1/d3-selection.js";\n'
          'export function books() { return select; }\n')
    write(package / "assets" / "shelf.css", ".shelf { color: var(--fg); }\n")
    write(package / "assets" / "data" / "books.json", "[1, 2]\n")
    dist = site_dir / "shelf_plugin-0.1.dist-info"
    write(dist / "METADATA", "Metadata-Version: 2.1\nName: shelf-plugin\nVersion: 0.1\n")
    write(dist / "entry_points.txt", "[stride.plugins]\nshelf = shelf_plugin:ShelfPlugin\n")
    monkeypatch.syspath_prepend(str(site_dir))
    importlib.invalidate_caches()
    yield package
    sys.modules.pop("shelf_plugin", None)


def _shelf_site(mini: Path, options: str = "{}", label: str = "Tom & Jerry <3") -> None:
    write(mini / "content/site.yml", (mini / "content/site.yml").read_text() + f"plugins:\n  shelf: {options}\n")
    write(mini / "content/posts/2024-08-08-books.md", textwrap.dedent(f"""\
        ---
        title: Books
        widgets:
          - plugin: shelf
            id: mine
            label: "{label}"
        ---
        {{% widget "mine" %}}
        """))


def test_a_site_with_only_content_builds_with_the_theme(mini: Path):
    assert not (mini / "templates").exists() and not (mini / "assets").exists()
    assert main(["--source", str(mini), "build"]) == 0
    build = mini / "build"
    css = list((build / "assets/css").glob("site.*.css"))
    assert len(css) == 1 and css[0].read_bytes() == (THEME / "assets/css/site.css").read_bytes()
    assert (build / "assets/vendor/mathjax-3.2.2/es5/startup.js").is_file()
    html = (build / "posts/shapes/index.html").read_text()
    assert f'href="/{css[0].relative_to(build).as_posix()}"' in html


def test_a_site_override_replaces_one_theme_file_and_nothing_else(mini: Path):
    post = override(mini, "templates/post.html")
    post.write_text(post.read_text().replace("</article>", '<p class="mine">override</p></article>', 1))
    css = override(mini, "assets/css/site.css")
    css.write_text(".overridden { color: red; }\n")
    assert main(["--source", str(mini), "build"]) == 0
    build = mini / "build"
    assert '<p class="mine">override</p>' in (build / "posts/shapes/index.html").read_text()
    assert "mine" not in (build / "about/index.html").read_text()  # page.html still the theme's
    published = list((build / "assets/css").glob("site.*.css"))
    assert [p.read_text() for p in published] == [".overridden { color: red; }\n"]
    js = list((build / "assets/js").glob("theme-init.*.js"))
    assert [p.read_bytes() for p in js] == [(THEME / "assets/js/theme-init.js").read_bytes()]


def test_the_listings_resolve_each_name_to_its_first_layer(mini: Path):
    override(mini, "templates/includes/toc.html")
    write(mini / "templates/includes/extra.html", "<p>extra</p>\n")
    layers = layers_for(mini)
    includes = include_files(layers)
    assert includes["toc.html"] == mini / "templates/includes/toc.html"
    assert includes["post-item.html"] == THEME / "templates/includes/post-item.html"
    assert includes["extra.html"] == mini / "templates/includes/extra.html"
    templates = template_files(layers)
    assert templates["includes/toc.html"] == mini / "templates/includes/toc.html"
    assert templates["base.html"] == THEME / "templates/base.html"
    assert asset_files(layers)["css/site.css"][0] == THEME / "assets/css/site.css"


def test_a_liquid_include_falls_back_to_the_theme_and_a_site_include_wins(mini: Path):
    write(mini / "content/posts/2024-05-05-inc.md",
          "---\ntitle: Inc\n---\n{% include toc-note.html %}\n")
    assert main(["--source", str(mini), "build"]) == 1  # not in any layer yet
    write(mini / "templates/includes/toc-note.html", "<p>site include</p>\n")
    assert main(["--source", str(mini), "build"]) == 0
    assert "<p>site include</p>" in (mini / "build/posts/inc/index.html").read_text()


def test_a_plugin_ships_its_templates_and_assets(mini: Path, shelf: Path):
    _shelf_site(mini)
    assert main(["--source", str(mini), "build", "--base-url", "/sub/"]) == 0
    build = mini / "build"
    html = (build / "posts/books/index.html").read_text()
    # ctx.render: the plugin's own template, autoescaped; ctx.asset: its own fingerprinted file
    found = re.search(r'<div class="shelf" data-books="/sub/(assets/plugins/shelf/data/books\.[0-9a-f]{10}\.json)">'
                      r"Tom &amp; Jerry &lt;3</div>", html)
    assert found, html
    assert (build / found.group(1)).read_text() == "[1, 2]\n"
    script = re.search(r'<script type="module" src="/sub/(assets/plugins/shelf/main\.[0-9a-f]{10}\.js)">', html)
    style = re.search(r'<link rel="stylesheet" href="/sub/(assets/plugins/shelf/shelf\.[0-9a-f]{10}\.css)">', html)
    assert script and style, html
    main_js = (build / script.group(1)).read_text()
    lib = re.search(r'from "\./(lib/books\.[0-9a-f]{10}\.js)"', main_js)
    assert lib, main_js
    # the plugin's module reaches the theme's vendored D3 through the one namespace of names
    assert 'from "../../../vendor/d3-selection-3.0.1/d3-selection.js"' in \
        (build / "assets/plugins/shelf" / lib.group(1)).read_text()


def test_the_site_overrides_a_plugin_template_and_asset(mini: Path, shelf: Path):
    _shelf_site(mini)
    write(mini / "templates/plugins/shelf/widget.html", '<span class="own">{{ label }}</span>\n')
    write(mini / "assets/plugins/shelf/shelf.css", ".shelf { color: green; }\n")
    assert main(["--source", str(mini), "build"]) == 0
    build = mini / "build"
    html = (build / "posts/books/index.html").read_text()
    assert '<span class="own">Tom &amp; Jerry &lt;3</span>' in html
    assert [p.read_text() for p in (build / "assets/plugins/shelf").glob("shelf.*.css")] == \
        [".shelf { color: green; }\n"]


def test_a_plugin_naming_an_asset_it_does_not_ship_is_the_plugins_error(mini: Path, shelf: Path, capsys):
    _shelf_site(mini, "{script: missing.js}")
    write(mini / "assets/plugins/shelf/missing.js", "// a site file does not make the plugin ship it\n")
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert "plugin 'shelf' names asset 'missing.js' it does not ship" in err, err
    assert "shelf_plugin/assets/missing.js" in err and "books.md" not in err, err


def test_a_missing_asset_the_plugin_names_in_its_code_points_at_that_line(mini: Path, shelf: Path, capsys):
    _shelf_site(mini)
    (shelf / "assets/shelf.css").unlink()
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(SHELF_PLUGIN.splitlines(), 1) if '"shelf.css"' in text)
    assert f"shelf_plugin/__init__.py:{line}: plugin 'shelf' names asset 'shelf.css' it does not ship" in err, err
    assert "shelf_plugin/assets/shelf.css" in err and "Traceback" not in err, err
