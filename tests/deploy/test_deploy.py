"""Probes: `stride deploy` neither leaks nor loses.

Every probe uses real git repositories in a temporary folder: a bare remote and a clone holding
the project. What reaches the public branch is checked file by file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.mini_project import make_mini_project, override, write
from tests.probekit import stride

SECRET = "sk-live-0451-SECRET"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed mini project whose origin is a bare repository at ../remote.git."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-q", str(remote))
    site = make_mini_project(tmp_path / "site")
    git(site, "init", "-q", "-b", "main")
    git(site, "config", "user.email", "t@example.org")
    git(site, "config", "user.name", "Tester")
    git(site, "add", ".")
    git(site, "commit", "-q", "-m", "site")
    git(site, "remote", "add", "origin", str(remote))
    git(site, "push", "-q", "origin", "main")
    return site


def published(repo: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    remote = repo.parent / "remote.git"
    names = [n for n in git(remote, "ls-tree", "-r", "--name-only", branch).split("\n") if n]
    return {n: subprocess.run(["git", "show", f"{branch}:{n}"], cwd=remote, capture_output=True).stdout
            for n in names}


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def test_git_ignored_files_are_never_published(repo: Path):
    static = repo / "content" / "static"
    write(repo / ".gitignore", ".env\nsecrets.json\nassets/private/\n")
    write(static / ".env", f"KEY={SECRET}\n")
    write(static / "secrets.json", f'{{"key": "{SECRET}"}}\n')
    write(repo / "assets" / "private" / "key.txt", SECRET)
    write(static / "public.txt", "hello\n")
    settings = repo / "content" / "site.yml"
    settings.write_text(settings.read_text() + "include: [.env]\n")  # listed, but git-ignored wins
    commit_all(repo, "static files")
    done = stride(repo, "deploy")
    assert done.code == 0, done.stderr
    assert "not published (git-ignored)" in done.stderr and "content/static/secrets.json" in done.stderr
    files = published(repo)
    assert files["public.txt"] == b"hello\n"
    assert not any(SECRET.encode() in data for data in files.values())
    assert not {".env", "secrets.json"} & files.keys()


def test_a_stray_file_in_build_is_not_published(repo: Path):
    assert stride(repo, "build").code == 0
    write(repo / "build" / "stray.txt", SECRET)
    write(repo / "build" / "posts" / "stray.txt", SECRET)
    done = stride(repo, "deploy")
    assert done.code == 0, done.stderr
    files = published(repo)
    assert "stray.txt" not in files and "posts/stray.txt" not in files
    assert {"index.html", ".nojekyll", "feed.xml"} <= files.keys()
    # ... and the deploy left build/ alone (it builds in a folder of its own).
    assert (repo / "build" / "stray.txt").read_text() == SECRET


@pytest.mark.parametrize("change", ["templates/post.html", "assets/css/site.css", "content/site.yml",
                                    "content/posts/2030-01-01-new.md"])
def test_uncommitted_inputs_are_refused_unless_forced(repo: Path, change: str):
    # A theme file edited in the site is a new, uncommitted override.
    path = override(repo, change) if change.startswith(("templates/", "assets/")) else repo / change
    if path.suffix == ".html":
        path.write_text(path.read_text().replace("{% block content %}", "{% block content %}<!-- uncommitted -->", 1))
    elif path.suffix == ".css":
        path.write_text(path.read_text() + "\n/* uncommitted */\n")
    elif path.suffix == ".yml":
        path.write_text(path.read_text() + "language: fr\n")
    else:
        write(path, "---\ntitle: Not committed\n---\nwip\n")
    done = stride(repo, "deploy")
    assert done.code == 1 and not done.traceback, done.stderr
    assert change in done.stderr and "--force" in done.stderr
    assert git(repo.parent / "remote.git", "branch", "--list", "gh-pages") == ""  # nothing published

    done = stride(repo, "deploy", "--force")
    assert done.code == 0, done.stderr
    files = published(repo)
    if change.endswith(".html"):
        assert b"<!-- uncommitted -->" in files["posts/shapes/index.html"]
    elif change.endswith(".md"):
        assert "posts/new/index.html" in files
    elif change.endswith(".yml"):
        assert b'<html lang="fr">' in files["index.html"]
    else:
        assert any(b"/* uncommitted */" in data for name, data in files.items() if name.endswith(".css"))


def _hand_made_pages_commit(repo: Path, cname: str) -> None:
    """A gh-pages branch on the remote with a CNAME set in GitHub's settings page."""
    other = repo.parent / "hand"
    git(repo.parent, "clone", "-q", str(repo.parent / "remote.git"), str(other))
    git(other, "config", "user.email", "t@example.org")
    git(other, "config", "user.name", "Tester")
    git(other, "checkout", "-q", "--orphan", "gh-pages")
    subprocess.run(["git", "rm", "-rqf", "--cached", "."], cwd=other, capture_output=True)  # may be empty
    for child in other.iterdir():
        if child.name != ".git":
            subprocess.run(["rm", "-rf", str(child)], check=True)
    write(other / "CNAME", cname + "\n")
    write(other / "google123.html", "verification\n")
    git(other, "add", "CNAME", "google123.html")
    git(other, "commit", "-q", "-m", "Create CNAME")
    git(other, "push", "-q", "origin", "gh-pages")


def test_a_cname_on_the_branch_is_kept_with_a_warning(repo: Path):
    _hand_made_pages_commit(repo, "blog.example.org")
    done = stride(repo, "deploy")
    assert done.code == 0, done.stderr
    assert "keeping the CNAME (blog.example.org)" in done.stderr
    assert "google123.html" in done.stderr  # named as leaving the site
    files = published(repo)
    assert files["CNAME"].strip() == b"blog.example.org"
    assert "google123.html" not in files


def test_the_site_s_own_cname_wins(repo: Path):
    _hand_made_pages_commit(repo, "old.example.org")
    write(repo / "content" / "static" / "CNAME", "new.example.org\n")
    commit_all(repo, "domain")
    done = stride(repo, "deploy")
    assert done.code == 0, done.stderr
    assert "keeping the CNAME" not in done.stderr
    assert published(repo)["CNAME"] == b"new.example.org\n"


def test_local_unpushed_pages_commits_are_not_discarded(repo: Path):
    assert stride(repo, "deploy", "--message", "First").code == 0
    post = repo / "content" / "posts" / "2024-01-02-second.md"
    post.write_text(post.read_text() + "\nMore.\n")
    commit_all(repo, "edit")
    done = stride(repo, "deploy", "--no-push", "--message", "Local only")
    assert done.code == 0, done.stderr
    local_tip = git(repo, "rev-parse", "gh-pages").strip()

    post.write_text(post.read_text() + "\nEven more.\n")
    commit_all(repo, "edit again")
    done = stride(repo, "deploy", "--message", "Would lose the local one")
    assert done.code == 1 and not done.traceback, done.stderr
    assert "Local only" in done.stderr and local_tip[:7] in done.stderr
    assert "git push origin gh-pages" in done.stderr
    assert git(repo, "rev-parse", "gh-pages").strip() == local_tip  # still there

    git(repo, "push", "-q", "origin", "gh-pages")
    done = stride(repo, "deploy", "--message", "Third")
    assert done.code == 0, done.stderr
    history = git(repo.parent / "remote.git", "log", "--format=%s", "gh-pages").split("\n")
    assert history[:3] == ["Third", "Local only", "First"]


def test_a_link_out_of_the_project_fails_the_deploy(repo: Path, tmp_path: Path):
    write(tmp_path / "outside" / "secret.txt", SECRET)
    (repo / "content" / "static").mkdir(exist_ok=True)
    (repo / "content" / "static" / "passwd").symlink_to(tmp_path / "outside" / "secret.txt")
    commit_all(repo, "a link")
    done = stride(repo, "deploy")
    assert done.code == 1 and not done.traceback, done.stderr
    assert "content/static/passwd" in done.stderr and "outside the project" in done.stderr
    assert git(repo.parent / "remote.git", "branch", "--list", "gh-pages") == ""


def test_a_stray_file_in_build_does_not_come_back_on_later_builds(repo: Path):
    """The writer keeps the swapped-out tree as the next staging area; a file someone put into
    build/ used to travel with it and reappear on every other build."""
    post = repo / "content" / "posts" / "2024-01-02-second.md"
    original = post.read_text()
    assert stride(repo, "build").code == 0
    write(repo / "build" / "posts" / "shapes" / "stray.txt", "left here\n")
    write(repo / "build" / "junk" / "deep" / "x.txt", "left here\n")
    for round_ in range(4):
        post.write_text(original + f"\nEdit {round_}.\n")
        done = stride(repo, "build")
        assert done.code == 0, done.stderr
        for tree in (repo / "build", repo / ".build.spare"):
            assert not (tree / "posts" / "shapes" / "stray.txt").exists(), (round_, tree)
            assert not (tree / "junk").exists(), (round_, tree)
