"""`stride import JEKYLL_DIR TARGET_DIR` (issue 12 parts 6 and 7): what goes where, what is
reported, what is refused, and the CI workflow the new site gets."""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.config import load_config
from generator.jekyll_config import map_permalink
from tests.importer.corpus import CORPUS, build_subset
from tests.conftest import ROOT, THEME


def tree_state(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, mode, size, mtime and content digest."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        state[path.relative_to(folder).as_posix()] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return state


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The corpus imported once, with what the command printed and the source's state around it."""
    target = tmp_path_factory.mktemp("import") / "site"
    before = tree_state(CORPUS)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["import", str(CORPUS), str(target)])
    return {"code": code, "target": target, "out": out.getvalue(), "err": err.getvalue(),
            "before": before, "after": tree_state(CORPUS)}


def test_import_succeeds_and_never_changes_the_source(run):
    assert run["code"] == 0, run["err"]
    assert run["after"] == run["before"]
    assert len(run["before"]) > 40


def test_documents_are_copied_byte_for_byte_with_their_folders(run):
    target = run["target"]
    pairs = {f"_posts/{p.relative_to(CORPUS / '_posts').as_posix()}":
             f"content/posts/{p.relative_to(CORPUS / '_posts').as_posix()}" for p in (CORPUS / "_posts").rglob("*.md")}
    pairs["_drafts/a-note-on-proximal-operators.md"] = "content/drafts/a-note-on-proximal-operators.md"
    pairs["_pages/publications.md"] = "content/pages/publications.md"
    pairs["_pages/blog-archive.md"] = "content/pages/blog-archive.md"
    pairs["contact.md"] = "content/pages/contact.md"
    assert "content/posts/2023-08-19-Alternating Directions Method of Multipliers.md" in pairs.values()
    assert "content/posts/notes/2022-05-14-liquid-logic.md" in pairs.values()
    assert len(pairs) == 21 + 1 + 3
    for source, copy in pairs.items():
        assert (target / copy).read_bytes() == (CORPUS / source).read_bytes(), copy
    assert not (target / "content" / "pages" / "README.md").exists()  # no front matter: not a page


def test_a_page_at_the_root_url_moves_and_leads_the_navigation(run):
    about = (run["target"] / "content/pages/about.md").read_text()
    original = (CORPUS / "_pages/about.md").read_text()
    assert about == original.replace("permalink: /\n", "permalink: /about/\n") != original
    assert "_pages/about.md:4: warning: permalink / is Stride's list of posts; this page now lives at /about/" \
        in run["out"]


def test_settings_are_mapped_to_site_yml(run):
    target = run["target"]
    settings = yaml.safe_load((target / "content/site.yml").read_text())
    assert settings == {
        "title": "Mara L. Okafor",  # title: blank -> the full name, as al-folio does
        "author": "Mara L. Okafor",
        "description": "Notes on convolution arithmetic, optimisation and the odd numerical surprise.",
        "url": "https://mokafor.github.io",
        "base_url": "/notes/",
        "language": "en",
        "nav": [{"title": "blog", "url": ""}, {"title": "about", "url": "about/"},
                {"title": "archive", "url": "blog-archive/"}, {"title": "publications", "url": "publications/"},
                {"title": "contact", "url": "contact/"}],
        "permalink": "blog/{year}/{slug}/",
        "paginate": 7,
        "feed_entries": 15,
        "bibliography": {"default": "papers"},
    }
    site = load_config(target)  # Stride accepts every key written
    assert site.base_url == "/notes/" and site.default_bibliography == "papers"


def test_includes_are_the_ones_the_documents_use(run):
    includes = run["target"] / "templates/includes"
    imported = sorted(p.relative_to(includes).as_posix() for p in includes.rglob("*") if p.is_file())
    theme = sorted(p.relative_to(THEME / "templates/includes").as_posix()
                   for p in (THEME / "templates/includes").rglob("*") if p.is_file())
    # figure.liquid only through figure.html; snippets/plot-setup.html only through {% include {{ js }} %}
    assert sorted(set(imported) - set(theme)) == ["audio.html", "figure.html", "figure.liquid", "snippets/plot-setup.html",
                                                  "video.html"]
    for name in ("audio.html", "figure.html", "figure.liquid", "video.html"):
        assert (includes / name).read_bytes() == (CORPUS / "_includes" / name).read_bytes()
    assert "2 includes no document uses not imported (the theme's): head.liquid, metadata.liquid" in run["out"]


def test_bibliography_data_media_and_named_scripts_land_where_stride_reads_them(run):
    target = run["target"]
    assert (target / "content/bib/papers.bib").read_bytes() == (CORPUS / "_bibliography/papers.bib").read_bytes()
    for name in ("venues.yml", "coauthors.yml"):
        assert (target / "content/data" / name).read_bytes() == (CORPUS / "_data" / name).read_bytes()
    for rel in ("assets/img/checkerboard.png", "assets/img/prof_pic.png", "assets/pdf/admm-slides.pdf",
                "assets/video/upsampling.mp4", "assets/audio/tone-silence.wav", "assets/json/loss_curve.json",
                "CNAME"):
        assert (target / "content/static" / rel).read_bytes() == (CORPUS / rel).read_bytes(), rel
    # a file Jekyll runs through Liquid (front matter, no tags): published without the front matter
    downloadable = (CORPUS / "assets/bibliography/papers.bib").read_text()
    assert downloadable.startswith("---\n---\n")
    assert (target / "content/static/assets/bibliography/papers.bib").read_text() == downloadable[8:]
    # the ADMM post's classic script becomes a Stride asset; the old theme's code does not come along
    assert (target / "assets/js/histogram.js").read_bytes() == (CORPUS / "assets/js/histogram.js").read_bytes()
    assert not (target / "content/static/assets/js").exists() and not (target / "assets/js/common.js").exists()
    assert not (target / "content/static/assets/css").exists()
    # Stride's theme is not copied: it comes with Stride, so an upgrade restyles the site
    assert not (target / "templates/post.html").exists() and not (target / "assets/css").exists()


def test_what_could_not_be_carried_over_is_reported(run):
    out = run["out"]
    for expected in (
        "_plugins/external-posts.rb: warning: Ruby plugin not imported",
        "_plugins/hide-custom-bibtex.rb: warning: Ruby plugin not imported",
        "_config.yml:99: warning: plugin gem jemoji not mapped",
        "_config.yml:89: warning: plugin gem jekyll-archives not mapped",
        "_layouts/distill.liquid: warning: layout 'distill' not ported (used by 1 document)",
        "_layouts/about.liquid: warning: layout 'about' not ported (used by 1 document)",
        "_posts/2022-07-04-blogpost-layout.md: warning: layout 'blogpost' exists neither in _layouts/ nor in Stride",
        "_config.yml:102: warning: jekyll-scholar settings not mapped: bibliography_template, details_dir",
        "_config.yml:45: warning: giscus not mapped: repo, repo_id, category_id empty",
        "robots.txt: warning: not imported: Stride writes its own robots.txt",
        "_sass: warning: Sass stylesheets not imported",
    ):
        assert expected in out, expected
    unknown = next(line for line in out.splitlines() if "without a Stride equivalent" in line)
    for key in ("enable_darkmode", "email", "footer_text", "third_party_libraries", "navbar_fixed"):
        assert key in unknown
    for mapped in ("baseurl", "permalink", "scholar", "pagination", "markdown", "kramdown", "first_name"):
        assert f" {mapped}," not in unknown and not unknown.endswith(f" {mapped}")
    # gems whose work Stride does itself are not reported as lost
    for gem in ("jekyll-feed", "jekyll-sitemap", "jekyll-scholar", "jekyll-redirect-from"):
        assert f"plugin gem {gem} " not in out


def test_the_workflow_builds_with_the_pages_path_and_runs_stride_check(run):
    target = run["target"]
    workflow = yaml.safe_load((target / ".github/workflows/pages.yml").read_text())
    project = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())

    def uses(flow):
        return sorted(s["uses"] for job in flow["jobs"].values() for s in job["steps"] if "uses" in s)

    assert uses(workflow) == uses(project)  # the same actions, at the same versions
    steps = workflow["jobs"]["build"]["steps"]
    commands = [s.get("run", "") for s in steps]
    assert any("pip install -r requirements.txt" in c for c in commands)
    check = commands.index('stride check --run-code --base-url "${{ steps.pages.outputs.base_path }}/"')
    build = commands.index('stride build --base-url "${{ steps.pages.outputs.base_path }}/"')
    pages = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/configure-pages"))
    assert pages < check < build
    assert not any("pytest" in c for c in commands)  # the user's site, not Stride's own test suite
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert next(s for s in steps if "upload-pages-artifact" in s.get("uses", ""))["with"]["path"] == "build"
    assert (target / "requirements.txt").read_text().splitlines()[-1].startswith("stride")
    assert "build/" in (target / ".gitignore").read_text().split()


def test_the_new_site_builds_when_its_documents_do(run, tmp_path: Path):
    """The documents that build today, together, give a working site under the old base path."""
    target = run["target"]
    docs = ["content/posts/2022-01-10-math-display.md", "content/posts/2022-02-20-tables.md",
            "content/posts/2022-04-02-citations.md", "content/pages/publications.md",
            "content/drafts/a-note-on-proximal-operators.md"]
    outcome = build_subset(target, docs, tmp_path, drafts=False)
    assert outcome.files is not None, str(outcome)
    files = outcome.files
    assert "blog/2022/math-display/index.html" in files and "publications/index.html" in files
    assert not any("proximal" in name for name in files)
    html = files["blog/2022/citations/index.html"].decode()
    assert 'id="ref-boyd2011admm"' in html and 'href="/notes/' in html
    assert files["assets/img/checkerboard.png"] == (CORPUS / "assets/img/checkerboard.png").read_bytes()


def test_stride_requirement_option_is_written_for_ci(tmp_path: Path):
    spec = "stride @ git+https://github.com/example/stride@v0.1.0"
    assert main(["import", str(CORPUS), str(tmp_path / "s"), "--stride-requirement", spec]) == 0
    assert (tmp_path / "s" / "requirements.txt").read_text().splitlines()[-1] == spec


# --- refusals -------------------------------------------------------------------------------

def test_a_non_empty_target_is_refused_and_left_alone(tmp_path: Path, capsys):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    assert main(["import", str(CORPUS), str(target)]) == 2
    assert "folder is not empty" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_an_empty_target_folder_is_used(tmp_path: Path):
    target = tmp_path / "empty"
    target.mkdir()
    assert main(["import", str(CORPUS), str(target)]) == 0
    assert (target / "content/site.yml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no staging folder left behind


def test_a_folder_that_is_not_a_jekyll_site_is_refused(tmp_path: Path, capsys):
    plain = tmp_path / "plain"
    (plain / "_posts").mkdir(parents=True)
    assert main(["import", str(plain), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "not a Jekyll site: no _config.yml" in err
    assert not (tmp_path / "out").exists()
    assert main(["import", str(tmp_path / "missing"), str(tmp_path / "out")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_a_target_inside_the_source_is_refused(tmp_path: Path, capsys):
    source = tmp_path / "jekyll"
    shutil.copytree(CORPUS, source)
    before = tree_state(source)
    assert main(["import", str(source), str(source / "stride-site")]) == 2
    assert "is inside the Jekyll site" in capsys.readouterr().err
    assert tree_state(source) == before


def test_a_broken_config_is_a_content_error_with_its_line(tmp_path: Path, capsys):
    source = tmp_path / "jekyll"
    source.mkdir()
    (source / "_config.yml").write_text("title: x\nurl: [unclosed\n")
    assert main(["import", str(source), str(tmp_path / "out")]) == 1
    assert "_config.yml:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_no_half_site(tmp_path: Path, monkeypatch):
    from generator import importer

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", "x")

    monkeypatch.setattr(importer.shutil, "copyfile", broken)
    assert main(["import", str(CORPUS), str(tmp_path / "out")]) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("jekyll,stride", [
    ("/blog/:year/:title/", "blog/{year}/{slug}/"),
    ("/:year/:month/:day/:title/", "{year}/{month}/{day}/{slug}/"),
    ("/posts/:slug/", "posts/{slug}/"),
    ("pretty", None),  # has :categories
    ("/:categories/:title/", None),
    ("/blog/:year/:title.html", None),
    ("/blog/:year/", None),  # no title: every post of a year on one URL
])
def test_permalinks(jekyll: str, stride: str | None):
    assert map_permalink(jekyll) == stride


def test_an_include_outside_includes_is_not_followed(tmp_path: Path, capsys):
    source = tmp_path / "jekyll"
    (source / "_posts").mkdir(parents=True)
    (source / "_includes").mkdir()
    (source / "_config.yml").write_text("title: Tiny\n")
    (source / "_posts/2024-01-01-a.md").write_text("---\ntitle: A\n---\n{% include ../_config.yml %}\n")
    assert main(["import", str(source), str(tmp_path / "out")]) == 0
    assert "_posts/2024-01-01-a.md: warning: includes '../_config.yml', which is outside _includes/" \
        in capsys.readouterr().out
    assert not (tmp_path / "out/templates/_config.yml").exists()
    assert yaml.safe_load((tmp_path / "out/content/site.yml").read_text())["title"] == "Tiny"


def test_a_plain_jekyll_site_imports_into_a_site_that_builds(tmp_path: Path):
    """A minima-style site (default permalinks, a home page listing posts, a root about page)
    becomes a site `stride build` builds as it is, with the pages' Jekyll URLs kept."""
    source = tmp_path / "jekyll"
    (source / "_posts").mkdir(parents=True)
    (source / "_config.yml").write_text("title: Plain\nauthor: Ann Example\nurl: https://ann.example.org\n"
                                        "theme: minima\nplugins: [jekyll-feed]\n")
    (source / "index.md").write_text("---\nlayout: home\n---\n")
    (source / "about.md").write_text("---\nlayout: page\ntitle: About\n---\nWho writes here.\n")
    (source / "_posts/2024-02-03-hello.md").write_text("---\nlayout: post\ntitle: Hello\n---\nFirst *post*.\n")
    target = tmp_path / "site"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["import", str(source), str(target)]) == 0
    printed = out.getvalue()
    assert "index.md:2: warning: not imported: a list of the posts (layout: home)" in printed
    assert "about.md:1: warning: no permalink: Jekyll serves it at /about.html" in printed
    assert "_config.yml:1: warning: permalink (Jekyll's default, date) not mapped" in printed
    assert "theme" in next(line for line in printed.splitlines() if "without a Stride equivalent" in line)
    assert (target / "content/pages/about.md").read_text() == \
        "---\npermalink: /about.html\nlayout: page\ntitle: About\n---\nWho writes here.\n"
    assert not (target / "content/pages/index.md").exists()
    assert main(["--source", str(target), "build"]) == 0
    built = target / "build"
    assert "Who writes here." in (built / "about.html").read_text()
    assert "<em>post</em>" in next(built.rglob("hello/index.html")).read_text()


def test_a_symlink_out_of_the_site_is_not_followed(tmp_path: Path):
    source = tmp_path / "jekyll"
    (source / "assets" / "img").mkdir(parents=True)
    (source / "_config.yml").write_text("title: Links\n")
    secret = tmp_path / "private.txt"
    secret.write_text("not for the web")
    (source / "assets/img/private.txt").symlink_to(secret)
    (source / "assets/img/inside.png").write_bytes(b"\x89PNG")
    (source / "assets/img/alias.png").symlink_to(source / "assets/img/inside.png")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["import", str(source), str(tmp_path / "site")]) == 0
    assert "assets/img/private.txt: warning: not imported: a symlink that leads outside the Jekyll site" \
        in out.getvalue()
    static = tmp_path / "site/content/static/assets/img"
    assert sorted(p.name for p in static.iterdir()) == ["alias.png", "inside.png"]
