"""``stride deploy``: build, then publish build/ to the gh-pages branch with ghp-import.

For sites without GitHub Actions (the workflow in .github/workflows/pages.yml is the other way).
ghp-import writes the folder as a single commit on the branch without touching the working tree,
keeps CNAME (copied from content/static/ by the build) and adds .nojekyll so GitHub Pages serves
folders whose names start with an underscore.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ghp_import import GhpError, ghp_import

from generator.cli import _build


def uncommitted_content(source: Path) -> list[str]:
    """Changed or untracked files under content/, from git (empty when clean)."""
    done = subprocess.run(["git", "status", "--porcelain", "--", "content"], cwd=source,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or "git status failed")
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--message", default="Publish the site with Stride", help="commit message")
    parser.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch to publish (default: gh-pages)")
    parser.add_argument("--base-url", dest="base_url", default=None, help="sub-path, e.g. /my-repo/ for a project site")
    parser.add_argument("--output", type=Path, default=Path("build"), help="build folder (default: build)")
    parser.add_argument("--force", action="store_true", help="deploy even with uncommitted changes in content/")
    parser.add_argument("--no-push", dest="push", action="store_false", help="commit to the branch but do not push")


def run(args: argparse.Namespace) -> int:
    source = Path(args.source).resolve()
    try:
        dirty = uncommitted_content(source)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"{source}: not a git repository or git is missing ({exc}); deploy needs git", file=sys.stderr)
        return 1
    if dirty and not args.force:
        print("uncommitted changes under content/: " + ", ".join(dirty[:5]) + (" ..." if len(dirty) > 5 else ""),
              file=sys.stderr)
        print("commit them first (so the published site matches the repository) or pass --force", file=sys.stderr)
        return 1
    args.drafts = False
    args.source = source
    if _build(args, write=True) != 0:
        return 1
    output = args.output if args.output.is_absolute() else source / args.output
    previous = os.getcwd()
    try:
        os.chdir(source)  # ghp-import runs git in the working directory
        # ghp-import stacks the new commit on <remote>/<branch> as this clone last saw it; after a
        # deploy from another clone that ref is stale and the push would be refused. A missing
        # branch (first deploy) or an unreachable remote makes fetch fail: the push then decides.
        subprocess.run(["git", "fetch", "--quiet", args.remote, args.branch], capture_output=True)
        ghp_import(str(output), mesg=args.message, remote=args.remote, branch=args.branch,
                   push=args.push, nojekyll=True)
    except GhpError as exc:
        print(f"deploy failed: {exc.message}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"deploy failed: git exited with {exc.returncode}", file=sys.stderr)
        return 1
    finally:
        os.chdir(previous)
    where = f"{args.remote}/{args.branch}" if args.push else f"the local {args.branch} branch"
    print(f"published {output} to {where}")
    return 0
