"""Probe inputs too big, too odd or too repetitive to keep in git, made on the probe's copy of
the project just before it runs (``generate: <name>`` in expect.yml; dashes become underscores)."""

from __future__ import annotations

from pathlib import Path

POST = "content/posts/2030-01-01-hostile.md"


def _post(project: Path, front_matter: str, body: str = "Body.\n") -> None:
    (project / POST).write_text(f"---\ntitle: Hostile\n{front_matter}---\n{body}", encoding="utf-8")


def alias_bomb_text(levels: int = 9) -> str:
    """The classic "billion laughs": each level is a list of nine aliases of the level below, so
    nine levels expand to 9^9 (387 million) strings from about 600 bytes."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def alias_bomb_front_matter(project: Path) -> None:
    _post(project, "extra:\n" + "".join(f"  {line}\n" for line in alias_bomb_text().splitlines()))


def alias_bomb_site(project: Path) -> None:
    site = project / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "bomb:\n" +
                    "".join(f"  {line}\n" for line in alias_bomb_text().splitlines()), encoding="utf-8")


def deep_flow_nesting(project: Path) -> None:
    _post(project, "deep: " + "[" * 5000 + "]" * 5000 + "\n")


def deep_block_nesting(project: Path) -> None:
    """300 indented levels (block style), about 90 kB."""
    _post(project, "nest:\n" + "".join(f"{'  ' * (depth + 1)}k{depth}:\n" for depth in range(300))
          + "  " * 301 + "leaf: 1\n")


def deep_mapping_nesting(project: Path) -> None:
    """3,000 levels of flow mappings, {a: {a: ...}}."""
    _post(project, "deep: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")


def many_values_site(project: Path) -> None:
    """About 1 MB of site.yml: a list of 250,000 one-character values."""
    site = project / "content" / "site.yml"
    site.write_text(site.read_text(encoding="utf-8") + "many:\n" + "- a\n" * 250_000, encoding="utf-8")


def huge_front_matter(project: Path) -> None:
    """2 MB of front matter in one quoted string: bigger than any real post's settings."""
    _post(project, 'description: "' + "x" * (2 * 1024 * 1024) + '"\n')


# Markdown, Liquid and tag inputs under 1 MB that once ran past 60 s (issue 15), and the
# largest of each kind the limits accept (docs/hardening.md, "Bounded cost").

def _tags(count: int, prefix: str = "t") -> str:
    return "tags: [" + ", ".join(f"{prefix}{n}" for n in range(count)) + "]\n"


def many_tags(project: Path) -> None:
    """5,000 tags on one post (about 40 kB)."""
    _post(project, _tags(5000))


def tags_at_the_limit(project: Path) -> None:
    _post(project, _tags(500))


def tags_spread_over_posts(project: Path) -> None:
    """Ten posts, each with 500 tags of its own (5,000 tag pages, about 45 kB)."""
    for number in range(10):
        (project / f"content/posts/2030-01-1{number}-hostile{number}.md").write_text(
            f"---\ntitle: Hostile {number}\n{_tags(500, f'p{number}t')}---\nBody.\n", encoding="utf-8")


def _footnotes(count: int) -> str:
    return " ".join(f"a[^{n}]" for n in range(count)) + "\n\n" + "".join(f"[^{n}]: n\n" for n in range(count))


def many_footnotes(project: Path) -> None:
    """20,000 footnote references and their notes (about 440 kB)."""
    _post(project, "", _footnotes(20_000))


def footnotes_at_the_limit(project: Path) -> None:
    _post(project, "", _footnotes(5_000))


def inline_math_one_paragraph(project: Path) -> None:
    """100,000 inline ``$x$`` spans in one paragraph (400 kB)."""
    _post(project, "", " ".join(["$x$"] * 100_000) + "\n")


def many_inline_math(project: Path) -> None:
    """100,000 inline ``$x$`` spans, 100 to a paragraph (400 kB)."""
    _post(project, "", "\n\n".join(" ".join(["$x$"] * 100) for _ in range(1000)) + "\n")


def emphasis_one_paragraph(project: Path) -> None:
    """100,000 ``*a*`` in one paragraph (400 kB)."""
    _post(project, "", " ".join(["*a*"] * 100_000) + "\n")


def nested_brackets(project: Path) -> None:
    """100,000 nested ``[`` ... ``]`` pairs (200 kB)."""
    _post(project, "", "[" * 100_000 + "]" * 100_000 + "\n")


def unclosed_raw_tags(project: Path) -> None:
    """50,000 ``{% raw %}`` with no ``{% endraw %}`` (450 kB)."""
    _post(project, "", "{% raw %}" * 50_000 + "\n")


def many_raw_blocks(project: Path) -> None:
    """25,000 closed ``{% raw %}`` blocks: 50,000 tags (575 kB)."""
    _post(project, "", "".join("{% raw %}x{% endraw %}\n" for _ in range(25_000)))


# Ordinary mistakes too big or too odd for git (they name 2030-01-01-bad.md, as the stored
# mistakes do).

def huge_post(project: Path) -> None:
    """A 50 MB post: over the size limit for one file."""
    with open(project / "content/posts/2030-01-01-bad.md", "w", encoding="utf-8") as out:
        out.write("---\ntitle: Huge\n---\n")
        line = "All work and no play makes a very long post. " * 20 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            out.write(line)


def symlink_loop(project: Path) -> None:
    """A folder link under content/posts/ that points back at its parent."""
    posts = project / "content" / "posts"
    (posts / "loop").mkdir()
    (posts / "loop" / "again").symlink_to("..", target_is_directory=True)
