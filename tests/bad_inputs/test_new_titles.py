"""``stride new`` with hostile titles: each makes a post that builds, or refuses clearly."""

from __future__ import annotations

from pathlib import Path

from generator.new import MAX_SLUG, slug_of
from tests.bad_inputs.harness import record, run_limited, stride_command

TITLES = {
    "seventy-words": (" ".join(f"word{i}" for i in range(70)), "word0-word1-word2-word3-word4-word5-word6-word7-word8-word9"),
    "one-huge-word": ("x" * 300, "x" * MAX_SLUG),
    "path-like": ("../../etc/passwd", "etc-passwd"),
    "front-matter-breaker": ("---\ntitle: injected\n---", "title-injected"),
    "quotes-and-colons": ("'Zero': \"padding\" # not a comment", "zero-padding-not-a-comment"),
}


def test_long_slugs_keep_whole_words():
    assert slug_of("Strides & Zeros!") == "strides-zeros"
    assert slug_of("a" * 59 + " bcd") == "a" * 59  # the word that would cross the limit goes
    assert len(slug_of(" ".join(["transposed"] * 50))) <= MAX_SLUG


def test_hostile_titles_make_posts_that_build(fresh_project: Path):
    for day, (name, (title, slug)) in enumerate(sorted(TITLES.items()), start=1):
        made = run_limited(stride_command("new", title, "--date", f"2030-01-{day:02d}"), fresh_project, 30)
        post = fresh_project / "content" / "posts" / f"2030-01-{day:02d}-{slug}.md"
        record(f"new-title-{name} (new)", built=made.returncode == 0 and post.is_file(), traceback=made.traceback)
        assert made.returncode == 0 and post.is_file(), made.output
    built = run_limited(stride_command("build"), fresh_project, 60)
    assert built.returncode == 0 and not built.traceback, built.output
    for title, slug in TITLES.values():
        assert (fresh_project / "build" / slug / "index.html").is_file() or \
            any((fresh_project / "build").rglob(f"{slug}/index.html")), slug


def test_a_title_without_letters_is_refused(fresh_project: Path):
    made = run_limited(stride_command("new", "🙂 🙂 !!!"), fresh_project, 30)
    record("new-title-no-letters (new)", clear_error=made.returncode == 1 and not made.traceback,
           traceback=made.traceback)
    assert made.returncode == 1 and "cannot make a file name from the title" in made.stderr
