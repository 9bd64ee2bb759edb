"""Jekyll's rules for files and front matter, with real Jekyll 4.3.1 as the oracle for URLs:
file names with spaces, capitals and punctuation, ``published: false``, unknown layouts,
``redirect:``, ``_styles:``, ``scripts:`` (classic or module) and URL collisions."""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.cli import main
from generator.content import jekyll_slug
from tests.mini_project import write

# Post file names (after the date) as people write them; Jekyll decides the URL of each.
NAMES = [
    "Alternating Directions Method of Multipliers", "CamelCase", "with_underscore.and.dot",
    "q&a (part 1)", "café über", "a--b  c", "hash#x", "Trailing- ", "plus+comma,semi;eq=at@tilde~bang!",
    "quote'apos", "percent%20x", "colon:x", "Ünïcödé 日本", "-leading",
]
PAGES = ["About Me", "Other Page"]
# Two more posts: categories (Jekyll's :categories is each one lower-cased, not slugified) and a
# front-matter permalink with placeholders.
EXTRA_POSTS = {"2023-02-01-cats.md": "categories: [Sample Posts, ML]",
               "2023-02-02-My Post.md": "permalink: /notes/:year/:title/"}


def _post(title: str, **front: str) -> str:
    lines = [f"title: {title}"] + [f"{key}: {value}" for key, value in front.items()]
    return "---\n" + "\n".join(lines) + "\n---\nBody text.\n"


def _jekyll_urls(tmp: Path, permalink: str | None) -> set[str]:
    """Build the names with real Jekyll; returns the site-relative URLs it wrote."""
    if shutil.which("jekyll") is None:
        pytest.fail("jekyll is missing: apt-get install -y jekyll (.ci/run does)")
    site = tmp / "jekyll"
    write(site / "_config.yml", f"title: t\npermalink: {permalink}\n" if permalink else "title: t\n")
    write(site / "_layouts" / "default.html", "---\n---\n{{ content }}\n")
    (site / "_posts").mkdir()
    for number, name in enumerate(NAMES, 1):
        (site / "_posts" / f"2023-01-{number:02d}-{name}.md").write_text(
            "---\nlayout: default\ntitle: x\n---\nhi\n", encoding="utf-8")
    for name, front in EXTRA_POSTS.items():
        (site / "_posts" / name).write_text(f"---\nlayout: default\ntitle: x\n{front}\n---\nhi\n", encoding="utf-8")
    for name in PAGES:
        (site / f"{name}.md").write_text("---\nlayout: default\ntitle: x\n---\nhi\n", encoding="utf-8")
    done = subprocess.run(["jekyll", "build", "--quiet", "-s", str(site), "-d", str(site / "_site")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {_address(p.relative_to(site / "_site").as_posix()) for p in (site / "_site").rglob("*.html")}


def _address(rel: str) -> str:
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def _stride_urls(mini: Path, permalink: str) -> set[str]:
    shutil.rmtree(mini / "content" / "posts")
    shutil.rmtree(mini / "content" / "pages")
    for number, name in enumerate(NAMES, 1):
        write(mini / "content" / "posts" / f"2023-01-{number:02d}-{name}.md", _post("x"))
    for name, front in EXTRA_POSTS.items():
        key, value = front.split(": ", 1)
        write(mini / "content" / "posts" / name, _post("x", **{key: value}))
    for name in PAGES:
        write(mini / "content" / "pages" / f"{name}.md", _post("x"))
    site = mini / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8").split("nav:")[0] + f"permalink: '{permalink}'\n",
                    encoding="utf-8")
    assert main(["--source", str(mini), "build"]) == 0
    generated = {"", "archive/", "tags/", "categories/", "404.html"}
    found = {_address(p.relative_to(mini / "build").as_posix()) for p in (mini / "build").rglob("*.html")}
    return {u for u in found if u not in generated and not u.startswith(("tags/", "categories/", "page/"))}


def test_post_urls_match_jekyll_with_al_folio_permalink(mini: Path, tmp_path: Path):
    permalink = "/blog/:year/:title/"
    assert _stride_urls(mini, permalink) == _jekyll_urls(tmp_path, permalink)
    jekyll = _jekyll_urls(tmp_path / "again", permalink)
    assert {"blog/2023/Alternating-Directions-Method-of-Multipliers/", "blog/2023/cats/",
            "notes/2023/My-Post/"} <= jekyll


def test_post_urls_match_jekyll_with_its_default_permalink(mini: Path, tmp_path: Path):
    jekyll = _jekyll_urls(tmp_path, None)
    # Jekyll's default ("date") permalink; its pages are NAME.html, Stride's pages NAME/.
    stride = _stride_urls(mini, "/:categories/:year/:month/:day/:title:output_ext")
    assert {u for u in stride if not u.endswith("/")} == {u for u in jekyll if u.endswith(".html")} - \
        {f"{name}.html" for name in PAGES}
    assert "sample posts/ml/2023/02/01/cats.html" in stride
    assert {u for u in stride if u.endswith("/")} == {f"{name}/" for name in PAGES} | {"notes/2023/My-Post/"}
    assert "notes/2023/My-Post/" in jekyll


def test_links_to_a_post_with_spaces_work(mini: Path):
    write(mini / "content" / "posts" / "2023-08-19-Alternating Directions Method of Multipliers.md",
          _post("ADMM", tags="[maths]"))
    write(mini / "content" / "pages" / "About Me.md", _post("Me"))
    assert main(["--source", str(mini), "build"]) == 0
    out = mini / "build"
    assert (out / "posts/Alternating-Directions-Method-of-Multipliers/index.html").is_file()
    assert (out / "About Me/index.html").is_file()
    index = (out / "index.html").read_text()
    assert 'href="/posts/Alternating-Directions-Method-of-Multipliers/"' in index
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/About%20Me/</loc>" in sitemap
    assert unquote("About%20Me/") == "About Me/"


@pytest.mark.parametrize("text, pretty, expected", [
    ("Hello, World!", True, "Hello,-World!"), ("Hello, World!", False, "Hello-World"),
    ("e\u0301t\u00e9", True, "\u00e9t\u00e9"),  # NFD (as macOS stores names) gives the NFC slug
    ("???", True, ""), ("  x  ", True, "x"),
])
def test_jekyll_slug_rule(text: str, pretty: bool, expected: str):
    assert jekyll_slug(text, pretty) == expected


def test_urls_that_differ_only_in_case_are_an_error_naming_both(mini: Path, capsys):
    write(mini / "content" / "posts" / "2030-01-01-Second.md", _post("Second, shouting"))
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"content/posts/2030-01-01-Second\.md:1: URL /posts/Second/ differs only in case from "
                     r"/posts/second/ of \S*content/posts/2024-01-02-second\.md", err), err


def test_a_page_whose_url_differs_from_a_generated_one_only_in_case_is_an_error(mini: Path, capsys):
    assert main(["--source", str(mini), "build"]) == 0
    before = sorted(p.as_posix() for p in (mini / "build").rglob("*"))
    write(mini / "content" / "pages" / "Archive.md", _post("My archive"))
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert "content/pages/Archive.md" in err and "/archive" in err and "differs only in case" in err, err
    assert sorted(p.as_posix() for p in (mini / "build").rglob("*")) == before


def _site_texts(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
            for p in out.rglob("*") if p.suffix in (".html", ".xml")}


def test_unpublished_documents_stay_out_unless_asked_for(mini: Path, capsys):
    write(mini / "content" / "posts" / "2030-05-05-hidden-thoughts.md",
          _post("Hidden thoughts", published="false", tags="[maths]", categories="notes"))
    write(mini / "content" / "pages" / "secret.md", _post("Secret page", published="false"))
    assert main(["--source", str(mini), "build"]) == 0
    out = mini / "build"
    assert not (out / "posts/hidden-thoughts").exists() and not (out / "secret").exists()
    for rel, text in _site_texts(out).items():
        assert "hidden-thoughts" not in text and "Hidden thoughts" not in text, rel
        assert "secret/" not in text, rel
    # --unpublished shows them everywhere, like --drafts; the up-to-date check knows the option
    capsys.readouterr()
    assert main(["--source", str(mini), "build", "--unpublished"]) == 0
    assert "up to date" not in capsys.readouterr().out
    texts = _site_texts(out)
    assert (out / "posts/hidden-thoughts/index.html").is_file() and (out / "secret/index.html").is_file()
    for rel in ("index.html", "tags/maths/index.html", "categories/notes/index.html", "archive/index.html",
                "feed.xml", "sitemap.xml", "posts/shapes/index.html"):
        assert "hidden-thoughts/" in texts[rel], rel
    assert main(["--source", str(mini), "check", "--unpublished"]) == 0


def test_published_must_be_true_or_false(mini: Path, capsys):
    write(mini / "content" / "posts" / "2030-05-05-x.md", _post("X", published="maybe"))
    assert main(["--source", str(mini), "build"]) == 1
    assert "content/posts/2030-05-05-x.md:3: 'published' must be true or false" in capsys.readouterr().err


def test_an_unknown_layout_warns_and_renders_with_the_post_layout(mini: Path, capsys):
    write(mini / "content" / "posts" / "2030-01-01-distill.md", _post("Distill style", layout="distill"))
    write(mini / "content" / "pages" / "listing.md", _post("A listing", layout="archive"))
    assert main(["--source", str(mini), "build"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"content/posts/2030-01-01-distill\.md:3: warning: no template for layout 'distill'; "
                     r"rendered with the post layout \(", err), err
    assert "content/pages/listing.md:3: warning: no template for layout 'archive'; rendered with the page layout" in err
    post = (mini / "build" / "posts/distill/index.html").read_text()
    assert '<article class="post h-entry">' in post and "Body text." in post
    assert '<article class="page">' in (mini / "build" / "listing/index.html").read_text()


def test_redirect_pages(mini: Path):
    write(mini / "content" / "pages" / "old.md", _post("Old", redirect="/about/"))
    write(mini / "content" / "pages" / "paper.md", _post("Paper", redirect="/assets/pdf/paper.pdf"))
    write(mini / "content" / "posts" / "2030-01-01-elsewhere.md",
          _post("Elsewhere", redirect="https://example.com/post?id=1"))
    assert main(["--source", str(mini), "build", "--base-url", "/my-repo/"]) == 0
    out = mini / "build"
    old = (out / "old/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/my-repo/about/">' in old
    assert '<link rel="canonical" href="https://example.org/my-repo/about/">' in old
    assert '<a href="/my-repo/about/">' in old and "Body text." not in old
    assert 'url=/my-repo/assets/pdf/paper.pdf"' in (out / "paper/index.html").read_text()
    away = (out / "posts/elsewhere/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=https://example.com/post?id=1">' in away
    assert '<a href="https://example.com/post?id=1">' in away
    sitemap = (out / "sitemap.xml").read_text()
    assert "old/" not in sitemap and "posts/elsewhere/" not in sitemap and "about/" in sitemap


STYLED = """\
---
title: Styled
_styles: >
  .fake-img { background: #bbb; margin-bottom: 12px; }
  .caption { font-size: 0.9em; }
---
<div class="fake-img">x</div>
"""


def test_styles_front_matter_becomes_a_linked_stylesheet(mini: Path):
    write(mini / "content" / "posts" / "2030-01-01-styled.md", STYLED)
    write(mini / "content" / "posts" / "2030-01-02-styled-too.md", STYLED.replace("Styled", "Styled too"))
    assert main(["--source", str(mini), "build", "--base-url", "/my-repo/"]) == 0
    out = mini / "build"
    html = (out / "posts/styled/index.html").read_text()
    links = re.findall(r'<link rel="stylesheet" href="/my-repo/(assets/page-styles/[0-9a-f]{16}\.css)">', html)
    assert len(links) == 1 and "<style" not in html and ".fake-img" not in html
    css = (out / links[0]).read_text()
    assert ".fake-img { background: #bbb; margin-bottom: 12px; }" in css and ".caption" in css
    # the same CSS is one file, linked from both pages; a page without _styles links none
    assert links[0] in (out / "posts/styled-too/index.html").read_text()
    assert len(list((out / "assets/page-styles").iterdir())) == 1
    assert "page-styles" not in (out / "posts/second/index.html").read_text()


SCRIPTED = """\
---
title: Scripted
scripts:
  - js/tool.js
  - js/app.mjs
  - {src: js/widget.js, type: module}
  - /media/legacy.js
  - missing/nowhere.js
style: media/extra.css
---
Body.
"""


def test_scripts_load_classic_or_module_from_assets_or_static(mini: Path, capsys):
    for name in ("tool.js", "app.mjs", "widget.js"):
        write(mini / "assets" / "js" / name, "window.loaded = (window.loaded || []).concat([1]);\n")
    write(mini / "content" / "static" / "media" / "legacy.js", "var legacy = 1;\n")
    write(mini / "content" / "static" / "media" / "extra.css", "p { color: red; }\n")
    write(mini / "content" / "posts" / "2030-01-01-scripted.md", SCRIPTED)
    assert main(["--source", str(mini), "build"]) == 0
    html = (mini / "build" / "posts/scripted/index.html").read_text()
    assert re.search(r'<script defer src="/assets/js/tool\.[0-9a-f]{10}\.js"></script>', html)
    assert re.search(r'<script type="module" src="/assets/js/app\.[0-9a-f]{10}\.mjs"></script>', html)
    assert re.search(r'<script type="module" src="/assets/js/widget\.[0-9a-f]{10}\.js"></script>', html)
    assert '<script defer src="/media/legacy.js"></script>' in html
    assert '<link rel="stylesheet" href="/media/extra.css">' in html
    assert "nowhere" not in html
    err = capsys.readouterr().err
    assert ("content/posts/2030-01-01-scripted.md:3: warning: scripts: 'missing/nowhere.js' is neither under "
            "assets/ nor content/static/") in err, err


def test_scripts_used_by_the_posts_own_liquid_are_not_an_error(mini: Path, capsys):
    write(mini / "templates" / "includes" / "chart.html", "<p>chart include</p>\n")
    write(mini / "content" / "posts" / "2030-01-01-liquid.md", textwrap.dedent("""\
        ---
        title: Liquid scripts
        scripts: chart.html
        ---
        {% include chart.html %} uses page.scripts in its Liquid.
        """))
    assert main(["--source", str(mini), "build"]) == 0
    assert "chart.html" not in capsys.readouterr().err
    html = (mini / "build/posts/liquid/index.html").read_text()
    assert "<p>chart include</p>" in html and 'src="chart' not in html and "/chart.html" not in html


def test_external_scripts_build_with_an_offline_warning(mini: Path, capsys):
    write(mini / "content" / "posts" / "2030-01-01-cdn.md", textwrap.dedent("""\
        ---
        title: CDN
        scripts: https://cdn.example.org/lib.js
        style: https://cdn.example.org/lib.css
        ---
        Text.

        <script src="https://cdn.example.org/plot.js"></script>
        """))
    assert main(["--source", str(mini), "build"]) == 0
    err = capsys.readouterr().err
    assert ("content/posts/2030-01-01-cdn.md:8: warning: script https://cdn.example.org/plot.js is loaded "
            "from another site; this page will not work offline") in err, err
    assert "content/posts/2030-01-01-cdn.md:3: warning: script https://cdn.example.org/lib.js" in err
    assert "content/posts/2030-01-01-cdn.md:4: warning: stylesheet https://cdn.example.org/lib.css" in err
    html = (mini / "build/posts/cdn/index.html").read_text()
    assert '<script defer src="https://cdn.example.org/lib.js"></script>' in html
    assert '<script src="https://cdn.example.org/plot.js"></script>' in html
    assert '<link rel="stylesheet" href="https://cdn.example.org/lib.css">' in html


@pytest.mark.browser
def test_a_classic_script_runs_in_sloppy_mode(mini: Path, static_server, page):
    # Assigning an undeclared name throws in a module (strict mode); a classic script may.
    write(mini / "assets" / "js" / "tool.js", "counter = 41; counter += 1; document.body.dataset.tool = counter;\n")
    write(mini / "content" / "posts" / "2030-01-01-tool.md", _post("Tool", scripts="js/tool.js"))
    assert main(["--source", str(mini), "build"]) == 0
    server = static_server(mini / "build")
    page.goto(server.url + "posts/tool/")
    page.wait_for_function("() => document.body.dataset.tool === '42'", timeout=10000)
    assert page.errors == []
