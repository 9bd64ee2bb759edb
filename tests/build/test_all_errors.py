"""One build reports every problem of every file, and --strict makes warnings errors; in both
cases the previous build/ is left as it was."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from tests.mini_project import tree_digest, write

BROKEN = {
    "2030-01-01-one.md": "---\ntitle: One\n---\nText {% youtube x %}\n\nSee {% cite nobody1999 %}.\n",
    "2030-01-02-two.md": "---\ntitle: Two\n---\n{% include nowhere.html %}\n\n[x]({% post_url 2020-01-01-gone %})\n",
    "2030-01-03-three.md": "---\ntitle: Three\n---\n{% widget \"nope\" %}\n{% for t in page.tags %}\n",
    "2030-01-04-four.md": "---\ntitle: [unclosed\n---\nBody.\n",  # front matter: does not hide the others
}


def test_three_broken_posts_two_errors_each_and_a_bad_front_matter_all_reported(mini: Path, capsys):
    assert main(["--source", str(mini), "build"]) == 0
    before = tree_digest(mini / "build")
    capsys.readouterr()
    for name, text in BROKEN.items():
        write(mini / "content" / "posts" / name, text)

    assert main(["--source", str(mini), "build"]) == 1

    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith(str(mini / "content" / "posts"))
             or line.startswith("content/posts/")]
    assert len(lines) == 7, err
    expected = [
        ("2030-01-01-one.md:4:6: unsupported Liquid tag {% youtube %}"),
        ("2030-01-01-one.md:6: unknown citation key 'nobody1999'"),
        ("2030-01-02-two.md:4: include file 'nowhere.html' not found"),
        ("2030-01-02-two.md:6: {% post_url 2020-01-01-gone %}: no post '2020-01-01-gone'"),
        ("2030-01-03-three.md:4: unknown widget id 'nope'"),
        ("2030-01-03-three.md:5:1: {% for %} is never closed"),
        ("2030-01-04-four.md:2: "),
    ]
    for wanted in expected:
        assert any(wanted in line and line.rstrip().endswith(")") for line in lines), (wanted, err)
    assert "build failed: 7 problems; the previous build/ is unchanged" in err
    assert tree_digest(mini / "build") == before


def test_strict_turns_an_undefined_variable_into_an_error(mini: Path, capsys):
    assert main(["--source", str(mini), "build"]) == 0
    before = tree_digest(mini / "build")
    write(mini / "content" / "posts" / "2030-02-01-u.md", "---\ntitle: U\n---\nHello {{ page.nmae }}.\n")
    capsys.readouterr()

    assert main(["--source", str(mini), "check", "--strict"]) == 1
    assert "2030-02-01-u.md:4:7: undefined variable page.nmae renders empty" in capsys.readouterr().err
    assert main(["--source", str(mini), "build", "--strict"]) == 1
    assert tree_digest(mini / "build") == before

    assert main(["--source", str(mini), "build"]) == 0  # without --strict: a warning, and Jekyll's empty text
    out = capsys.readouterr()
    assert "2030-02-01-u.md:4:7: warning: undefined variable page.nmae" in out.err
    assert "<p>Hello .</p>" in (mini / "build" / "posts" / "u" / "index.html").read_text()


def test_a_broken_include_used_by_two_posts_is_reported_once(mini: Path, capsys):
    write(mini / "templates" / "includes" / "box.html", "<div>\n{% if include.x %}\n</div>\n")
    for name in ("2030-05-01-a.md", "2030-05-02-b.md"):
        write(mini / "content" / "posts" / name, "---\ntitle: Box\n---\n{% include box.html x=1 %}\n")
    assert main(["--source", str(mini), "build"]) == 1
    err = capsys.readouterr().err
    assert err.count("templates/includes/box.html:2:1: {% if %} is never closed") == 1, err
    assert "build failed: 1 problem;" in err
