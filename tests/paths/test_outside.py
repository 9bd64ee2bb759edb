"""Probes: nothing outside the project folder is read or published.

Each probe links (or points) one input at a file outside the project that holds a secret. The
build must fail with exit 1, name the link and where it leads, print no traceback, leave the
previous build/ as it was, and the secret must appear nowhere in build/."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from tests.mini_project import GOOD_POST, override, write
from tests.probekit import built_project, copy_project, published_bytes, stride, tree_digest

SECRET = "sEcReT-0451"
POST = "---\ntitle: Leaked {}\n---\nThe body says " + SECRET + ".\n"
BIB = "@misc{leak,\n  title = {" + SECRET + "},\n  year = {2020}\n}\n"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return built_project(tmp_path_factory.mktemp("outside-good"))


def _outside(tmp: Path) -> Path:
    folder = tmp / "outside"
    write(folder / "secret.md", POST.format("post"))
    write(folder / "secret.txt", SECRET + "\n")
    write(folder / "secret.css", "body { color: red } /* " + SECRET + " */\n")
    write(folder / "secret.bib", BIB)
    write(folder / "post.html", "{% extends 'base.html' %}{% block content %}" + SECRET + "{% endblock %}\n")
    write(folder / "include.html", SECRET + "\n")
    write(folder / "site.yml", f"title: {SECRET}\n")
    write(folder / "pages" / "leak.md", POST.format("page"))
    write(folder / "dir" / "secret.txt", SECRET + "\n")
    return folder


def link(at: Path, target: Path) -> str:
    at.parent.mkdir(parents=True, exist_ok=True)
    if at.is_symlink() or at.exists():
        at.unlink()
    at.symlink_to(target, target_is_directory=target.is_dir())
    return at.as_posix()


def cite_post(project: Path, option: str) -> str:
    write(project / "content" / "posts" / "2030-01-01-cite.md",
          f"---\ntitle: Cite\n---\nSee {{% cite leak --file {option} %}}.\n\n{{% bibliography --file {option} %}}\n")
    return "content/posts/2030-01-01-cite.md"


# Each probe changes the project and returns the text the error must name (the link, relative
# to the project) and the target shown with it (None when the target is not a link's).
PROBES: dict[str, Callable[[Path, Path], tuple[str, str | None]]] = {
    "post file link": lambda p, o: (link(p / "content/posts/2030-01-01-leak.md", o / "secret.md"), "secret.md"),
    "pages folder link": lambda p, o: (link(p / "content/pages/more", o / "pages"), "outside/pages"),
    "static file link": lambda p, o: (link(p / "content/static/passwd", o / "secret.txt"), "secret.txt"),
    "static folder link": lambda p, o: (link(p / "content/static/shared", o / "dir"), "outside/dir"),
    "asset file link": lambda p, o: (link(p / "assets/passwd", o / "secret.txt"), "secret.txt"),
    "asset stylesheet link": lambda p, o: (link(p / "assets/css/extra.css", o / "secret.css"), "secret.css"),
    "asset folder link": lambda p, o: (link(p / "assets/shared", o / "dir"), "outside/dir"),
    "template link": lambda p, o: (link(p / "templates/post.html", o / "post.html"), "post.html"),
    "include link": lambda p, o: (
        link(p / "templates/includes/toc.html", o / "include.html"), "include.html"),
    "bib file link": lambda p, o: (link(p / "content/bib/refs.bib", o / "secret.bib"), "secret.bib"),
    "unused bib file link": lambda p, o: (link(p / "content/bib/other.bib", o / "secret.bib"), "secret.bib"),
    "unused include link": lambda p, o: (link(p / "templates/includes/spare.html", o / "include.html"),
                                         "include.html"),
    "site.yml link": lambda p, o: (link(p / "content/site.yml", o / "site.yml"), "site.yml"),
    "bibliography --file ../..": lambda p, o: (
        cite_post(p, "../../../outside/secret") and "bibliography files must live under content/bib/", None),
    "bibliography --file link/..": lambda p, o: (
        link(p / "content/bib/shelf", o / "dir") and cite_post(p, "shelf/../secret") and "content/bib/shelf",
        "outside"),
    "bibliography --file absolute": lambda p, o: (
        cite_post(p, str(o / "secret")) and "bibliography files must live under content/bib/", None),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_a_path_out_of_the_project_is_an_error(probe: str, good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    outside = _outside(tmp_path)
    before = tree_digest(project / "build")
    named, target = PROBES[probe](project, outside)
    if probe == "include link":  # the toc include is only rendered for posts that ask for it
        write(project / "content" / "posts" / "2030-01-02-toc.md", "---\ntitle: With toc\ntoc: true\n---\n## A\n")
    for command in ("build", "check"):
        done = stride(project, command)
        assert done.code == 1, (command, done.stdout, done.stderr)
        assert not done.traceback, done.stderr
        named_rel = os.path.relpath(named, project) if named.startswith("/") else named
        assert named_rel in done.stderr, done.stderr
        if target is not None:
            assert "outside the project" in done.stderr and target in done.stderr, done.stderr
        assert SECRET not in done.stdout
    assert tree_digest(project / "build") == before
    assert SECRET.encode() not in published_bytes(project / "build")


def test_links_that_stay_inside_the_project_still_work(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    write(project / "shared" / "logo.txt", "a logo\n")
    link(project / "content/static/logo.txt", Path("../../shared/logo.txt"))
    override(project, "assets/css/site.css")
    link(project / "assets/alias.css", Path("css") / "site.css")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    assert (project / "build" / "logo.txt").read_text() == "a logo\n"
    assert any((project / "build" / "assets").glob("alias.*.css"))


def test_dotfiles_under_static_are_private_unless_listed(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    static = project / "content" / "static"
    write(static / ".env", f"KEY={SECRET}\n")
    write(static / ".git" / "config", f"[remote]\n  token = {SECRET}\n")
    write(static / "img" / ".DS_Store", SECRET)
    write(static / ".htaccess", "ErrorDocument 404 /404.html\n")
    write(static / ".well-known" / "security.txt", "Contact: mailto:a@example.org\n")
    write(static / "robots-extra.txt", "plain\n")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    build = project / "build"
    assert SECRET.encode() not in published_bytes(build)
    assert not (build / ".htaccess").exists()  # not listed yet
    assert (build / ".well-known" / "security.txt").is_file()
    assert (build / ".nojekyll").is_file()
    assert (build / "robots-extra.txt").is_file()

    settings = project / "content" / "site.yml"
    settings.write_text(settings.read_text() + "include: [.htaccess]\n")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    assert (build / ".htaccess").read_text() == "ErrorDocument 404 /404.html\n"
    assert SECRET.encode() not in published_bytes(build)


def test_include_must_be_a_list_of_paths(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    settings = project / "content" / "site.yml"
    settings.write_text(settings.read_text() + "include: [../../etc]\n")
    done = stride(project, "build")
    assert done.code == 1 and not done.traceback
    assert "content/site.yml:7: 'include' paths may not contain '..'" in done.stderr


def test_a_bib_url_link_is_only_made_for_web_addresses(good: Path, tmp_path: Path):
    project = copy_project(good, tmp_path / "site")
    write(project / "content" / "bib" / "refs.bib", GOOD_BIB_WITH_URLS)
    write(project / "content" / "posts" / "2030-01-01-links.md",
          "---\ntitle: Links\n---\n{% cite js web doi %}\n\n{% bibliography --cited %}\n")
    done = stride(project, "build")
    assert done.code == 0, done.stderr
    html = (project / "build" / "posts" / "links" / "index.html").read_text()
    assert "javascript:" not in html
    assert 'href="https://example.org/paper"' in html
    assert 'href="https://doi.org/10.1000/xyz"' in html
    assert "Script title" in html  # the entry is listed, only not linked


GOOD_BIB_WITH_URLS = """\
@misc{js, title = {Script title}, url = {javascript:alert(document.domain)}, year = {2020}}
@misc{web, title = {Web title}, url = {https://example.org/paper}, year = {2021}}
@misc{doi, title = {Doi title}, url = {doi:10.1000/xyz}, year = {2022}}
@misc{dumoulin2016guide, title = {Guide}, year = {2016}}
"""


def test_dot_dot_after_a_link_is_judged_where_the_system_goes(tmp_path: Path):
    """``link/../x`` reads as ``x`` beside the link, but the system follows the link first."""
    from generator.errors import ContentError
    from generator.paths import inside_project

    project = tmp_path / "project"
    (project / "content" / "bib").mkdir(parents=True)
    write(tmp_path / "outside" / "x.bib", BIB)
    (tmp_path / "outside" / "shelf").mkdir()
    (project / "content" / "bib" / "shelf").symlink_to(tmp_path / "outside" / "shelf")
    write(project / "content" / "bib" / "x.bib", BIB)  # the file the lexical reading would find
    with pytest.raises(ContentError, match="outside the project folder"):
        inside_project(project / "content" / "bib" / "shelf" / ".." / "x.bib", project)
    assert inside_project(project / "content" / "bib" / "x.bib", project) == (project / "content/bib/x.bib").resolve()
