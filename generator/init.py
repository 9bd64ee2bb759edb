"""``stride init DIR``: a new site that builds, previews and deploys.

What it writes comes from two places: the files under ``generator/skeleton/`` (package data:
``content/site.yml`` with comments, one post with a widget, an about page), and what every new
site shares with ``stride import`` (``site_ci.py``: the GitHub Pages workflow that checks and
builds the site under the Pages base path, ``requirements.txt``, ``.gitignore``). The theme is
not copied: it ships with Stride. A skeleton file named ``YYYY-MM-DD-...`` is dated today.

DIR must be new or empty, so nothing of the user's is ever overwritten; the site is assembled in
a temporary sibling and renamed into place, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from generator.errors import display_path
from generator.importer import ImportPlan, write_site
from generator.site_ci import PAGES_WORKFLOW, SITE_GITIGNORE, requirements_text

SKELETON = Path(__file__).resolve().parent / "skeleton"
DATE_PLACEHOLDER = "YYYY-MM-DD"


def site_files(today: date) -> dict[str, bytes]:
    """Path (POSIX, relative to the new site) -> bytes of every file ``stride init`` writes."""
    files: dict[str, bytes] = {}
    for file in sorted(SKELETON.rglob("*")):
        if file.is_file() and "__pycache__" not in file.parts:
            rel = file.relative_to(SKELETON).as_posix().replace(DATE_PLACEHOLDER, today.isoformat())
            files[rel] = file.read_bytes()
    files[".github/workflows/pages.yml"] = PAGES_WORKFLOW.encode("utf-8")
    files["requirements.txt"] = requirements_text().encode("utf-8")
    files[".gitignore"] = SITE_GITIGNORE.encode("utf-8")
    return files


def refusal(target: Path) -> str | None:
    """Why ``target`` cannot receive a new site, or None when it can (absent or empty)."""
    if not target.exists():
        return None
    if not target.is_dir():
        return f"{display_path(target)}: exists and is not a folder; choose a new folder (nothing was written)"
    entries = sorted(p.name for p in target.iterdir())
    if entries:
        shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        return (f"{display_path(target)}: not empty ({shown}); choose a new or empty folder, "
                "so that nothing there is overwritten (nothing was written)")
    return None


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, metavar="DIR", help="new (or empty) folder for the site")


def run(args: argparse.Namespace) -> int:
    target: Path = args.directory
    problem = refusal(target)
    if problem:
        print(f"stride init: {problem}", file=sys.stderr)
        return 1
    try:
        # Assembled and checked (site.yml must load) the way an import is, then renamed into place.
        write_site(ImportPlan(written=site_files(date.today())), target)
    except OSError as exc:
        print(f"{exc.filename or display_path(target)}: cannot write the site: {exc.strerror}", file=sys.stderr)
        return 1
    where = display_path(target)
    print(f"created a new Stride site in {where}/\n"
          f"next: cd {where} && stride serve   (preview at http://127.0.0.1:8000/, rebuilt on every save)\n"
          f"publish: push to GitHub and choose Settings -> Pages -> Source: GitHub Actions "
          f"(.github/workflows/pages.yml checks and builds the site); requirements.txt says how CI gets Stride")
    return 0
