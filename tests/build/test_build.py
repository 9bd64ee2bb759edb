"""The build end to end on a mini project: output, determinism, base URL, and bad input."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator import workers
from generator.cli import main
from tests.mini_project import override, tree_digest, write


def run_build(project: Path, *extra: str) -> int:
    return main(["--source", str(project), "build", *extra])


def test_build_writes_a_complete_site(mini: Path, capsys):
    assert run_build(mini) == 0
    out = mini / "build"
    for rel in ("index.html", "posts/shapes/index.html", "posts/second/index.html", "about/index.html",
                "tags/maths/index.html", "categories/notes/index.html", "archive/index.html",
                "feed.xml", "sitemap.xml", "robots.txt", "404.html", ".nojekyll"):
        assert (out / rel).is_file(), rel
    summary = capsys.readouterr().out
    assert re.search(r"built \d+ pages, \d+ data files, [\d.]+ MB in [\d.]+ s", summary)
    index = (out / "index.html").read_text()
    assert index.index("Second post") < index.index("Shapes of things")  # newest first
    post = (out / "posts/shapes/index.html").read_text()
    assert 'id="ref-dumoulin2016guide"' in post and "#ref-dumoulin2016guide" in post


def test_two_builds_are_byte_identical(mini: Path, tmp_path: Path):
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "a")]) == 0
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "b")]) == 0
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_check_writes_nothing(mini: Path):
    assert main(["--source", str(mini), "check"]) == 0
    assert not (mini / "build").exists()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)
            if name == "srcset" and value:
                self.links += [part.strip().split()[0] for part in value.split(",") if part.strip()]


def internal_links(build: Path, origin: str):
    """(page, url path) for every same-site link in HTML and CSS."""
    for page in sorted(build.rglob("*")):
        if page.suffix == ".html":
            parser = _Links()
            parser.feed(page.read_text(encoding="utf-8"))
            links = parser.links
        elif page.suffix == ".css":
            links = re.findall(r"url\(\s*['\"]?([^'\")]+)", page.read_text(encoding="utf-8"))
            links = [l if l.startswith(("/", "data:", "http")) else "REL:" + l for l in links]
        else:
            continue
        for link in links:
            if link.startswith(("mailto:", "data:", "#", "javascript:")):
                continue
            if link.startswith("REL:"):
                resolved = (page.parent / link[4:].split("#")[0].split("?")[0]).resolve()
                yield page, "/" + resolved.relative_to(build.resolve()).as_posix(), True
                continue
            parts = urlsplit(link)
            if parts.netloc and parts.netloc != urlsplit(origin).netloc:
                continue
            if not parts.path.startswith("/"):
                yield page, link, False  # relative links in HTML are not allowed: they break under sub-paths
                continue
            yield page, unquote(parts.path), True


@pytest.mark.parametrize("base", ["/", "/my-repo/"])
def test_every_internal_link_resolves_under_the_base_url(mini: Path, base: str):
    assert run_build(mini, "--base-url", base) == 0
    build = mini / "build"
    broken = []
    for page, path, absolute in internal_links(build, "https://example.org"):
        if not absolute:
            broken.append((page.name, path, "relative"))
            continue
        if not path.startswith(base):
            broken.append((page.relative_to(build).as_posix(), path, "outside base"))
            continue
        target = build / path[len(base):]
        if not (target.is_file() or (target / "index.html").is_file()):
            broken.append((page.relative_to(build).as_posix(), path, "missing"))
    assert broken == []


# Each case: (description, how to break the project, expected "file:line: message" fragment).
BAD_INPUTS = [
    ("tab in YAML", "content/posts/2023-07-01-shapes.md",
     lambda t: t.replace("description: A post", "\tdescription: A post"), "2023-07-01-shapes.md:5: invalid YAML"),
    ("front matter not closed", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("tags: maths\n---\n", "tags: maths\n"), "2024-01-02-second.md:1: front matter is not closed"),
    ("missing title", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("title: Second post\n", ""), "2024-01-02-second.md:1: missing title"),
    ("empty title", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("title: Second post", "title: ''"), "2024-01-02-second.md:3: missing title"),
    ("unparseable date", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("date: 2024-01-02", "date: 2024-02-31"), "2024-01-02-second.md:4: impossible date"),
    ("duplicate key", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("tags: maths", "tags: maths\ntitle: Again"), "2024-01-02-second.md:6: duplicate key 'title'"),
    ("tags of the wrong type", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("tags: maths", "tags: {a: 1}"), "2024-01-02-second.md:5: 'tags' must be"),
    ("unknown citation key", "content/posts/2023-07-01-shapes.md",
     lambda t: t.replace("{% cite dumoulin2016guide %}", "{% cite nobody1999 %}"), "2023-07-01-shapes.md:23: unknown citation key"),
    ("include of a missing file", "content/posts/2024-01-02-second.md",
     lambda t: t + "\n{% include nothing/here.html %}\n", "2024-01-02-second.md:9: include file"),
    ("include outside the project", "content/posts/2024-01-02-second.md",
     lambda t: t + "\n{% include ../../etc/passwd %}\n", "2024-01-02-second.md:9: include"),
    ("unknown widget id", "content/posts/2024-01-02-second.md",
     lambda t: t + '\n{% widget "nope" %}\n', "2024-01-02-second.md:9: unknown widget id 'nope'"),
    ("unknown widget plugin", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("tags: maths", "tags: maths\nwidgets:\n  - plugin: nosuch\n    id: w"),
     "2024-01-02-second.md:7: unknown widget plugin 'nosuch'"),
    # Jekyll slugifies 'a b?c' into a-b-c, so only a slug with nothing left is an error.
    ("slug with no letters", "content/posts/2024-01-02-second.md",
     lambda t: t.replace("tags: maths", "tags: maths\nslug: '?? ##'"), "2024-01-02-second.md:6: slug"),
    ("unknown site setting", "content/site.yml",
     lambda t: t + "colour: blue\n", "site.yml:7: unknown setting 'colour'"),
    ("undefined variable in a template", "templates/page.html",
     lambda t: t.replace("</article>", "{{ no_such_variable }}</article>", 1) if "</article>" in t
     else t + "{{ no_such_variable }}", "templates/page.html:"),
]


@pytest.mark.parametrize("name, rel, mutate, expected", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_reports_path_line_and_keeps_the_previous_build(mini: Path, capsys, name, rel, mutate, expected):
    assert run_build(mini) == 0
    before = tree_digest(mini / "build")
    target = override(mini, rel) if rel.startswith("templates/") else mini / rel
    target.write_text(mutate(target.read_text(encoding="utf-8")), encoding="utf-8")
    capsys.readouterr()
    assert run_build(mini) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert "Traceback" not in err
    assert re.search(r"^\S+:\d+: ", err, re.M), err
    assert tree_digest(mini / "build") == before


def test_duplicate_slug_is_reported(mini: Path, capsys):
    write(mini / "content/posts/2024-06-06-shapes.md", "---\ntitle: Another\n---\nbody\n")
    assert run_build(mini) == 1
    err = capsys.readouterr().err
    assert "duplicate URL /posts/shapes/" in err and "2024-06-06-shapes.md" in err


def test_non_utf8_file_names_the_line(mini: Path, capsys):
    (mini / "content/posts/2024-07-07-latin.md").write_bytes(b"---\ntitle: ok\n---\ncaf\xe9\n")
    assert run_build(mini) == 1
    assert "2024-07-07-latin.md:4: not UTF-8 text" in capsys.readouterr().err


def test_refuses_to_replace_a_folder_that_is_not_a_build(mini: Path, tmp_path: Path, capsys):
    precious = tmp_path / "precious"
    write(precious / "thesis.tex", "years of work")
    assert main(["--source", str(mini), "build", "--output", str(precious)]) == 1
    assert (precious / "thesis.tex").read_text() == "years of work"
    assert "not a Stride build" in capsys.readouterr().err


@pytest.mark.parametrize("fixture, base", [("example_build", "/"), ("example_build_subpath", "/my-repo/")])
def test_example_site_has_no_broken_internal_links(request, fixture: str, base: str):
    build: Path = request.getfixturevalue(fixture)
    broken = []
    for page, path, absolute in internal_links(build, "https://stride-example.github.io"):
        rel_page = page.relative_to(build).as_posix()
        if not absolute:
            broken.append((rel_page, path, "relative"))
        elif not path.startswith(base):
            broken.append((rel_page, path, "outside base"))
        else:
            target = build / path[len(base):]
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append((rel_page, path, "missing"))
    assert broken == []


def test_parallel_markdown_gives_the_same_site_and_errors(mini: Path, tmp_path: Path, monkeypatch, capsys):
    """Cold builds read the files, render Markdown, then pages, in forked workers; output and
    messages must not change."""

    for number in range(6):
        write(mini / f"content/posts/2024-03-0{number + 1}-extra-{number}.md",
              f"---\ntitle: Extra {number}\ntags: [maths]\n---\nBody $x_{number}$ with `code`.\n")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 10**9)
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "seq")]) == 0
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    parent, forks, real_fork = os.getpid(), [], os.fork

    def counted_fork():
        pid = real_fork()
        if os.getpid() == parent:
            forks.append(pid)
        return pid

    monkeypatch.setattr(workers.os, "fork", counted_fork)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    # Other tests leave threads behind (servers, the browser driver), which rightly disables
    # forking in a real build; this test forks workers that only render Markdown.
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    shutil.rmtree(mini / ".stride-cache")  # a cold build: nothing memoised
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "par")]) == 0
    # A worker each for reading, Markdown and the page templates; the build process is the other.
    assert len(forks) == 3
    assert tree_digest(tmp_path / "seq") == tree_digest(tmp_path / "par")

    write(mini / "content/posts/2024-03-08-bad-yaml.md", "---\ntitle: Bad\ntags: [open\n---\nBody.\n")
    shutil.rmtree(mini / ".stride-cache")
    capsys.readouterr()
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "par")]) == 1
    in_workers = capsys.readouterr().err
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 10**9)
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "par")]) == 1
    assert "2024-03-08-bad-yaml.md:" in in_workers and in_workers == capsys.readouterr().err
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    (mini / "content/posts/2024-03-08-bad-yaml.md").unlink()

    write(mini / "content/posts/2024-03-09-broken.md", "---\ntitle: Broken\n---\nSee {% cite nobody %}.\n")
    capsys.readouterr()
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "par")]) == 1
    assert "2024-03-09-broken.md:4: unknown citation key 'nobody'" in capsys.readouterr().err

    (mini / "content/posts/2024-03-09-broken.md").unlink()
    post_template = override(mini, "templates/post.html")
    post_template.write_text(post_template.read_text().replace("{% block content %}",
                                                                "{% block content %}{{ no_such_name }}", 1))
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "par")]) == 1
    assert "post.html" in (err := capsys.readouterr().err) and "'no_such_name' is undefined" in err


def test_an_edit_rerenders_only_dependent_pages_and_matches_a_fresh_build(mini: Path, tmp_path: Path, monkeypatch):
    from generator.templates import Renderer

    for number in range(8):
        write(mini / f"content/posts/2022-02-0{number + 1}-filler-{number}.md",
              f"---\ntitle: Filler {number}\ntags: [filler{number}]\n---\nText {number}.\n")
    assert run_build(mini) == 0
    rendered: list[str] = []
    real = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, name, ctx: (rendered.append(ctx["page"]["url"]), real(self, name, ctx))[1])
    assert run_build(mini) == 0
    assert rendered == []  # nothing changed: nothing rendered

    post = mini / "content/posts/2022-02-04-filler-3.md"
    post.write_text(post.read_text().replace("Text 3.", "Text three, edited."))
    assert run_build(mini) == 0
    assert "posts/filler-3/" in rendered and "feed.xml" in rendered and "tags/filler3/" in rendered
    assert "posts/filler-6/" not in rendered and "tags/filler6/" not in rendered and "about/" not in rendered
    assert len(rendered) < 12

    monkeypatch.undo()
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "fresh")]) == 0
    shutil.rmtree(mini / ".stride-cache")
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "nocache")]) == 0
    assert tree_digest(mini / "build") == tree_digest(tmp_path / "nocache") == tree_digest(tmp_path / "fresh")


def test_the_command_skips_teardown_but_loses_no_output(mini: Path, tmp_path: Path):
    """``python -m generator`` ends with os._exit once main returns: the streams must still be
    flushed into a pipe, the exit code kept, and the memo and stamp already on disk."""
    import os
    import subprocess
    import sys
    import time

    def stride(*args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # pipes block-buffered
        return subprocess.run([sys.executable, "-m", "generator", "--source", str(mini), *args],
                              capture_output=True, text=True, timeout=120, env=env)

    past = time.time() - 60  # older than the racy window, so the first build leaves a stamp
    for file in mini.rglob("*"):
        os.utime(file, (past, past))
    out = str(tmp_path / "out")
    first = stride("build", "--output", out)
    assert first.returncode == 0 and first.stdout.startswith("built ") and first.stdout.endswith("\n")
    again = stride("build", "--output", out)
    assert again.returncode == 0 and again.stdout.startswith("up to date"), again.stdout
    write(mini / "content/posts/2024-03-09-broken.md", "---\ntitle: Broken\n---\nSee {% cite nobody %}.\n")
    broken = stride("build", "--output", out)
    assert broken.returncode == 1
    assert "2024-03-09-broken.md:4: unknown citation key 'nobody'" in broken.stderr


def test_forked_workers_inherit_a_frozen_heap_and_the_parent_gets_its_own_back(monkeypatch):
    """A worker's garbage collector must not walk the objects it inherited (walking them writes
    to every page of the parent's heap, which the fork then copies); the parent's collector is
    left as it was found: unfrozen after a build, still frozen under the dev server."""
    import gc

    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    gc.unfreeze()  # another test may have settled a dev server's heap in this process
    counts = list(workers.map_in_workers(lambda _: gc.get_freeze_count(), list(range(64))))
    assert len(counts) == 64 and min(counts) > 0  # every process worked with everything frozen
    assert gc.get_freeze_count() == 0
    gc.freeze()  # as stride serve leaves it after a rebuild
    list(workers.map_in_workers(lambda item: item, list(range(64))))
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_only_the_stride_process_tunes_the_garbage_collector(mini: Path, tmp_path: Path):
    """``stride build`` freezes its imports and collects the young generation less often (a
    build keeps what it makes); a program calling main() keeps its own collector settings."""
    import gc
    import subprocess
    import sys

    before = gc.get_threshold(), gc.get_freeze_count()
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "a")]) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

    probe = ("import gc, sys; from generator import cli; "
             "code = cli.main(sys.argv[1:], one_shot=True); "
             "print(code, gc.get_threshold()[0], gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", probe, "--source", str(mini), "build",
                           "--output", str(tmp_path / "b")], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-3:] == ["0", "10000", "True"]
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def _with_forking_workers(mini: Path, monkeypatch) -> None:
    """Enough posts for the build to fork its workers, and forking allowed in this process
    (other tests leave threads behind, which rightly keeps a real build from forking)."""
    for number in range(6):
        write(mini / f"content/posts/2024-03-0{number + 1}-extra-{number}.md",
              f"---\ntitle: Extra {number}\n---\nBody {number} with *emphasis*.\n")
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)


def test_the_build_process_prepares_the_markdown_engine_while_workers_read(mini: Path, tmp_path: Path, monkeypatch):
    """The Markdown engine is made once, in the build process while the reading workers run,
    and the Markdown workers forked after it use that one (each made its own before)."""
    import os
    import shutil

    from generator import CACHE_FOLDER
    from generator import markdown as markdown_module

    _with_forking_workers(mini, monkeypatch)
    monkeypatch.delattr(markdown_module._local, "md", raising=False)
    log = tmp_path / "engines.log"
    real = markdown_module.markdown.Markdown

    class Logged(real):
        def __init__(self, *args, **kwargs):
            with open(log, "a") as out:
                out.write(f"{os.getpid()}\n")
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(markdown_module.markdown, "Markdown", Logged)
    shutil.rmtree(mini / CACHE_FOLDER, ignore_errors=True)
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "out")]) == 0
    assert log.read_text().split() == [str(os.getpid())]

    waited = []
    results = workers.map_in_workers(lambda item: item * 2, list(range(64)),
                                           meanwhile=lambda: waited.append(os.getpid()))
    assert list(results) == [item * 2 for item in range(64)] and waited == [os.getpid()]


def test_the_build_module_leaves_markdown_and_jinja_for_the_reading_stage():
    """Python-Markdown, Pygments and Jinja (~0.1 s of imports) are not imported with the build
    module: the reading workers fork without them and the build process imports them while
    those workers read (``_Build._while_reading``). Nor is importlib.metadata (13 ms), which
    only a site with plugins needs (library versions are read from the metadata files)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    probe = "import sys, generator.build; print(sorted({'jinja2', 'markdown', 'pygments', 'generator.markdown', " \
            "'generator.templates', 'importlib.metadata'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]"


def test_page_templates_are_compiled_while_the_markdown_workers_run(mini: Path, tmp_path: Path, monkeypatch):
    """The page stage, serial up to its fork, finds every page template and include compiled
    already (a process rendering pages, the build process among them, compiles none)."""
    import shutil

    import jinja2

    import generator.build as build_module
    from generator import CACHE_FOLDER

    _with_forking_workers(mini, monkeypatch)
    stage = ["before pages"]
    compiled: list[tuple[str, str]] = []
    real_compile, real_pages = jinja2.Environment.compile, build_module._Build.render_pages

    def compile_(self, source, name=None, *args, **kwargs):
        compiled.append((stage[0], name))
        return real_compile(self, source, name, *args, **kwargs)

    def render_pages(self, *args, **kwargs):
        stage[0] = "pages"
        return real_pages(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    monkeypatch.setattr(build_module._Build, "render_pages", render_pages)
    shutil.rmtree(mini / CACHE_FOLDER, ignore_errors=True)
    assert main(["--source", str(mini), "build", "--output", str(tmp_path / "out")]) == 0
    assert {name for when, name in compiled} >= {"post.html", "index.html", "feed.xml"}
    assert [name for when, name in compiled if when == "pages"] == []
