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
