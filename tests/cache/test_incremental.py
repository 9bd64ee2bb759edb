"""Incremental builds against builds from nothing, over seeded random sequences of edits.

The memo and the page fingerprints decide what a rebuild renders again; a dependency they miss
shows up as a stale page somewhere else (a neighbour's link, a tag page, the feed). After every
step, two incremental builds must write exactly the bytes a build without any cache writes:
one long-lived ``Cache`` object reused across builds (what ``stride serve`` does) and a new
``stride build`` process's path through the CLI (memo read back from ``.stride-cache/``).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from generator.build import BuildOptions, build_site
from generator.cache import Cache
from generator.cli import main
from tests.conftest import build_project
from tests.mini_project import tree_digest, write

TAGS = ["maths", "convolution", "vision", "notes", "speed"]
STEPS = 10


def _post(title: str, day: int, tags: list[str], body: str) -> str:
    return (f"---\nlayout: post\ntitle: \"{title}\"\ndate: 2024-03-{day:02d}\ntags: [{', '.join(tags)}]\n"
            f"related_posts: true\n---\n{body}\n")


def _posts(project: Path) -> list[Path]:
    return sorted((project / "content" / "posts").glob("*.md"))


def _set_front(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    lines = [line for line in head.splitlines() if not line.startswith(f"{key}:")]
    path.write_text("---\n" + "\n".join(lines + [f"{key}: {value}"]) + "\n---\n" + body, encoding="utf-8")


def _edit(project: Path, rng: random.Random, counter: list[int]) -> str:
    """Apply one random edit; returns what it did (for the failure message)."""
    posts = _posts(project)
    target = rng.choice(posts)
    kind = rng.choice(["body", "title", "tags", "date", "related", "add", "delete", "settings",
                       "template", "bib"])
    if kind == "body":
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"\nAnother sentence, number {rng.randint(0, 999)}, with *emphasis*.\n")
    elif kind == "title":
        _set_front(target, "title", f"\"Retitled {rng.randint(0, 999)}\"")
    elif kind == "tags":
        _set_front(target, "tags", "[" + ", ".join(rng.sample(TAGS, rng.randint(0, 3))) + "]")
    elif kind == "date":
        _set_front(target, "date", f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)}")
    elif kind == "related":
        _set_front(target, "related_posts", rng.choice(["true", "false"]))
    elif kind == "add":
        counter[0] += 1
        name = f"2024-03-{rng.randint(1, 28):02d}-added-{counter[0]}.md"
        write(project / "content" / "posts" / name,
              _post(f"Added {counter[0]}", rng.randint(1, 28), rng.sample(TAGS, 2), f"New post {counter[0]}."))
    elif kind == "delete":
        if len(posts) <= 2:
            return "nothing (too few posts to delete one)"
        target.unlink()
    elif kind == "settings":
        site = project / "content" / "site.yml"
        text = re.sub(r"(?m)^paginate:.*\n", "", site.read_text(encoding="utf-8"))
        site.write_text(text + f"paginate: {rng.randint(2, 4)}\n", encoding="utf-8")
    elif kind == "template":
        item = project / "templates" / "includes" / "post-item.html"
        item.write_text(item.read_text(encoding="utf-8") + f"{{# edit {rng.randint(0, 999)} #}}\n",
                        encoding="utf-8")
    elif kind == "bib":
        bib = project / "content" / "bib" / "refs.bib"
        bib.write_text(re.sub(r"year    = \{\d+\}", f"year    = {{{rng.randint(2000, 2024)}}}",
                              bib.read_text(encoding="utf-8")), encoding="utf-8")
    return f"{kind} {target.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_builds_match_a_build_from_nothing_after_every_edit(mini: Path, tmp_path: Path, seed: int):
    for day in range(1, 7):
        write(mini / "content" / "posts" / f"2024-03-{day:02d}-seed-{day}.md",
              _post(f"Seed {day}", day, TAGS[day % 5: day % 5 + 2], f"Body of post {day}."))
    rng = random.Random(seed)
    serve_cache = Cache(tmp_path / "serve-cache")
    serve_options = BuildOptions(source=mini, output=tmp_path / "serve", cache_dir=tmp_path / "serve-cache")
    counter = [0]
    done: list[str] = []
    for step in range(STEPS + 1):
        if step:
            done.append(_edit(mini, rng, counter))
        build_site(serve_options, serve_cache)
        assert main(["--source", str(mini), "build", "--output", str(tmp_path / "cli")]) == 0
        build_project(mini, tmp_path / f"fresh-{step}")
        fresh = tree_digest(tmp_path / f"fresh-{step}")
        for name in ("serve", "cli"):
            got = tree_digest(tmp_path / name)
            stale = sorted(path for path in fresh.keys() | got.keys() if fresh.get(path) != got.get(path))
            assert not stale, f"{name} build differs after {done}: {stale[:8]}"
