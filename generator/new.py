"""``stride new "Title"``: start a post with front matter the build accepts."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from datetime import date, datetime, time, timezone
from pathlib import Path

import yaml


MAX_SLUG = 60  # characters: a readable URL, and far below the 255-byte file-name limit


def slug_of(title: str) -> str:
    """ASCII, lower case, words joined by '-': ``"Strides & Zeros!"`` -> ``"strides-zeros"``.
    A slug longer than ``MAX_SLUG`` keeps its first whole words (a single longer word is cut)."""
    return _shorten(_words_slug(title))


def _words_slug(title: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _shorten(slug: str) -> str:
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG + 1] else slug[:MAX_SLUG]
    return cut.strip("-")


def post_text(title: str, when: datetime, tags: list[str], widget: str | None = None) -> str:
    """The new post's Markdown; ``when`` is an aware datetime (written to the minute). With
    ``widget`` (a plugin's name), the post declares one widget of that plugin, with the
    plugin's defaults, and places it after the introduction."""
    front = {
        "layout": "post",
        "title": title,
        "date": when.strftime("%Y-%m-%d %H:%M:00%z"),
        "description": "",
        "tags": tags,
        "categories": [],
        "related_posts": True,
    }
    # safe_dump quotes whatever needs quoting (a colon or a '#' in the title, say).
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    if widget:
        text += yaml.safe_dump({"widgets": [{"plugin": widget, "id": "widget-1"}]}, sort_keys=False)
    text += "---\n"
    text += "Write the introduction here. Inline maths: $y = W x$.\n\n"
    if widget:
        text += '{% widget "widget-1" %}\n\n'
    text += "## A first section\n\nDisplay maths:\n\n$$\ny_i = \\sum_j w_{ij} x_j\n$$\n"
    return text


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("title", help="the post's title")
    parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--tags", default="", help="comma-separated tags, e.g. convolution,pytorch")
    parser.add_argument("--widget", metavar="PLUGIN", default=None,
                        help="declare and place a widget of PLUGIN (a plugin enabled in content/site.yml)")


def run(args: argparse.Namespace) -> int:
    title = args.title.strip()
    slug = slug_of(title)
    if not slug:
        print(f"cannot make a file name from the title {args.title!r}: use some letters or digits",
              file=sys.stderr)
        return 1
    try:
        # Today's posts get the current time, so two written on one day list in writing order.
        when = (datetime.combine(date.fromisoformat(args.date), time(9), timezone.utc) if args.date
                else datetime.now(timezone.utc))
    except ValueError:
        print(f"--date {args.date!r} is not a date: write it as YYYY-MM-DD", file=sys.stderr)
        return 1
    tags = [t.strip() for t in args.tags.split(",") if t.strip()]
    folder = Path(args.source) / "content" / "posts"
    target = folder / f"{when.date().isoformat()}-{slug}.md"
    if target.exists():
        print(f"{target}: already exists; choose another title or date (nothing was written)", file=sys.stderr)
        return 1
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
            out.write(post_text(title, when, tags, args.widget))
    except FileExistsError:
        print(f"{target}: already exists; choose another title or date (nothing was written)", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename or target}: cannot write the post: {exc.strerror}", file=sys.stderr)
        return 1
    shortened = " (the title is long: the file name keeps its first words; rename the file to change the URL)" \
        if slug != _words_slug(title) else ""
    print(f"created {target}{shortened}")
    if args.widget and args.widget not in _enabled_plugins(Path(args.source)):
        print(f"note: the post's widget needs plugin {args.widget!r}: enable it in content/site.yml "
              f"(plugins:\n  {args.widget}: {{}})", file=sys.stderr)
    return 0


def _enabled_plugins(source: Path) -> set[str]:
    """The plugins content/site.yml enables (none when it cannot be read: the build will say why)."""
    from generator.config import load_config
    from generator.errors import ContentError

    try:
        return set(load_config(source).plugins)
    except ContentError:
        return set()
