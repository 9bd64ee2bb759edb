"""``stride deploy``: build the committed site afresh and publish it to the gh-pages branch.

For sites without GitHub Actions (the workflow in .github/workflows/pages.yml is the other way).
What is published is a build made for the deploy, in a private temporary folder, from a copy of
the project's inputs (content/, templates/, assets/) that git does not ignore: a stray file in
build/, a git-ignored ``content/static/.env`` or an uncommitted template never reaches the
public branch. ghp-import writes that folder as one commit on the branch without touching the
working tree, and adds .nojekyll so GitHub Pages serves folders starting with an underscore.

Refusals, each with the exact fix: uncommitted changes in the inputs (``--force`` deploys them
anyway), and local commits on the branch that the remote does not have (ghp-import would
silently reset the branch to the remote's). A CNAME on the published branch is kept, with a
warning, when the site has none.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ghp_import import GhpError, ghp_import

from generator.errors import ContentError, ContentErrors, display_path, errors_of, report
from generator.layers import INPUT_FOLDERS
from generator.paths import inside_project, project_files



class DeployRefused(Exception):
    """A reason not to publish, already worded for the user."""


def _git(source: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=source, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"git {args[0]} failed")
    return done


def _git_paths(source: Path, *args: str) -> list[str]:
    """NUL-separated path output of a git command, relative to ``source``."""
    done = subprocess.run(["git", args[0], "-z", *args[1:]], cwd=source, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return [p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


def uncommitted_inputs(source: Path) -> list[str]:
    """Changed or untracked (not ignored) files under the inputs, from git (empty when clean)."""
    done = _git(source, "status", "--porcelain", "--untracked-files=all", "--", *INPUT_FOLDERS)
    return [line[3:] for line in done.stdout.splitlines() if line.strip()]


def publishable_inputs(source: Path) -> tuple[list[str], list[str]]:
    """(files the deploy build may read, git-ignored files it leaves out), both relative to
    ``source``: tracked and untracked files, never the ones .gitignore names."""
    present = [p for p in _git_paths(source, "ls-files", "--cached", "--others", "--exclude-standard",
                                     "--", *INPUT_FOLDERS) if (source / p).exists() or (source / p).is_symlink()]
    ignored = _git_paths(source, "ls-files", "--others", "--ignored", "--exclude-standard", "--", *INPUT_FOLDERS)
    return sorted(set(present)), sorted(ignored)


def copy_inputs(source: Path, files: list[str], into: Path) -> None:
    """Copy ``files`` into the fresh project ``into``. A link is copied as what it points to,
    after checking it stays inside the project (a link out is an error, as in a build)."""
    for rel in files:
        origin = source / rel
        inside_project(origin, source)
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():  # a linked folder (or a submodule) git lists as one entry
            for file in project_files(origin, source, admit=lambda rel, is_dir: True):
                inner = target / file.relative_to(origin)
                inner.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, inner)
        elif origin.is_file():
            shutil.copy2(origin, target)


def unpushed_commits(source: Path, remote: str, branch: str) -> list[str]:
    """Commits on the local branch that the remote's branch (as last fetched) does not have,
    as "abc1234 subject" lines; ghp-import would reset the local branch past them."""
    local = _git(source, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
    tracking = _git(source, "rev-parse", "--verify", "--quiet", f"refs/remotes/{remote}/{branch}", check=False)
    if local.returncode != 0 or tracking.returncode != 0:
        return []
    done = _git(source, "log", "--format=%h %s", f"refs/remotes/{remote}/{branch}..refs/heads/{branch}")
    return [line for line in done.stdout.splitlines() if line.strip()]


def published_files(source: Path, remote: str, branch: str) -> tuple[str | None, list[str]]:
    """(the tip of the branch as it will be replaced, its files), preferring the remote's copy."""
    for ref in (f"refs/remotes/{remote}/{branch}", f"refs/heads/{branch}"):
        if _git(source, "rev-parse", "--verify", "--quiet", ref, check=False).returncode == 0:
            return ref, _git_paths(source, "ls-tree", "-r", "--name-only", ref)
    return None, []


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--message", default="Publish the site with Stride", help="commit message")
    parser.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    parser.add_argument("--branch", default="gh-pages", help="branch to publish (default: gh-pages)")
    parser.add_argument("--base-url", dest="base_url", default=None, help="sub-path, e.g. /my-repo/ for a project site")
    parser.add_argument("--force", action="store_true",
                        help="deploy even with uncommitted changes in content/, templates/ or assets/")
    parser.add_argument("--no-push", dest="push", action="store_false", help="commit to the branch but do not push")


def _fresh_build(source: Path, files: list[str], work: Path, base_url: str | None) -> Path:
    """Build the copied inputs into ``work/site``; messages name the files as in the project."""
    from generator.build import BuildOptions, build_site

    project = work / "project"
    project.mkdir()
    copy_inputs(source, files, project)
    output = work / "site"
    previous = os.getcwd()
    os.chdir(project)  # so messages say content/posts/x.md, as a build in the project does
    try:
        result = build_site(BuildOptions(source=Path("."), output=output, base_url=base_url, drafts=False,
                                         cache_dir=None))
    finally:
        os.chdir(previous)
    report(result.warnings)
    print(f"built {result.pages} pages, {result.data_files} data files, {result.bytes / 1e6:.2f} MB for the deploy")
    return output


def _publish(source: Path, args: argparse.Namespace, files: list[str]) -> int:
    # ghp-import stacks the new commit on <remote>/<branch> as this clone last saw it: fetch
    # first so a deploy from another clone is not undone. A missing branch (first deploy) or
    # an unreachable remote makes fetch fail: the push then decides.
    _git(source, "fetch", "--quiet", args.remote, args.branch, check=False)
    unpushed = unpushed_commits(source, args.remote, args.branch)
    if unpushed:
        raise DeployRefused(
            f"the local {args.branch} branch has {len(unpushed)} commit(s) that {args.remote} does not: "
            + "; ".join(unpushed[:5]) + (" ..." if len(unpushed) > 5 else "")
            + f"\n(publish them with `git push {args.remote} {args.branch}`, or drop them with "
            f"`git branch -f {args.branch} {args.remote}/{args.branch}`, then deploy again)")
    tip, old_files = published_files(source, args.remote, args.branch)
    with tempfile.TemporaryDirectory(prefix="stride-deploy-") as work:
        output = _fresh_build(source, files, Path(work), args.base_url)
        cname = None
        if tip and "CNAME" in old_files and not (output / "CNAME").exists():
            cname = _git(source, "show", f"{tip}:CNAME").stdout.strip()
            print(f"warning: keeping the CNAME ({cname}) found on {args.branch}; add content/static/CNAME "
                  f"to make it part of the site, or delete it there to stop using the domain", file=sys.stderr)
        built = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()} | {"CNAME"}
        dropped = sorted(set(old_files) - built - {".nojekyll"})
        if dropped:
            print(f"note: {len(dropped)} file(s) on {args.branch} are not in this build and leave the site: "
                  + ", ".join(dropped[:5]) + (" ..." if len(dropped) > 5 else ""), file=sys.stderr)
        previous = os.getcwd()
        try:
            os.chdir(source)  # ghp-import runs git in the working directory
            ghp_import(str(output), mesg=args.message, remote=args.remote, branch=args.branch,
                       push=args.push, nojekyll=True, cname=cname)
        finally:
            os.chdir(previous)
    return 0


def run(args: argparse.Namespace) -> int:
    source = Path(args.source).resolve()
    try:
        dirty = uncommitted_inputs(source)
        files, ignored = publishable_inputs(source)
    except (RuntimeError, FileNotFoundError) as exc:
        print(f"{source}: not a git repository or git is missing ({exc}); deploy needs git", file=sys.stderr)
        return 1
    if dirty and not args.force:
        print("uncommitted changes under content/, templates/ or assets/: " + ", ".join(dirty[:5])
              + (" ..." if len(dirty) > 5 else ""), file=sys.stderr)
        print("commit them first (so the published site matches the repository) or pass --force", file=sys.stderr)
        return 1
    if ignored:
        print("not published (git-ignored): " + ", ".join(ignored[:5]) + (" ..." if len(ignored) > 5 else ""),
              file=sys.stderr)
    try:
        _publish(source, args, files)
    except DeployRefused as exc:
        print(f"deploy refused: {exc}", file=sys.stderr)
        return 1
    except (ContentError, ContentErrors) as exc:
        problems = errors_of(exc)
        report(problems)
        print(f"deploy failed: {len(problems)} problem(s); nothing was published", file=sys.stderr)
        return 1
    except GhpError as exc:
        print(f"deploy failed: {exc.message}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"deploy failed: git exited with {exc.returncode}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    where = f"{args.remote}/{args.branch}" if args.push else f"the local {args.branch} branch"
    print(f"published a fresh build of {display_path(source)} to {where}")
    return 0
