"""What a site made by ``stride init`` or ``stride import`` gets for continuous integration: a
GitHub Pages workflow that checks the site (``stride check --run-code``) and builds it under the
Pages base path, the ``requirements.txt`` that workflow installs, and a ``.gitignore``."""

from __future__ import annotations

from generator import __version__

PAGES_WORKFLOW = """\
# Build this Stride site and publish it with GitHub Pages (Settings -> Pages -> Source: GitHub
# Actions). The build takes its sub-path from configure-pages, so a project site
# (https://user.github.io/repo/) and a user site or custom domain (/) both get working links.
# `stride check --run-code` validates every document and runs the Python blocks of the posts
# that ask for it in their front matter (check_code: python).
name: Publish site

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
          cache: pip
          cache-dependency-path: requirements.txt
      - name: Install Stride
        # requirements.txt names Stride and what the posts' code blocks import.
        run: |
          python -m pip install --upgrade pip
          python -m pip install -r requirements.txt
      - id: pages
        uses: actions/configure-pages@v5
      - name: Check
        run: stride check --run-code --base-url "${{ steps.pages.outputs.base_path }}/"
      - name: Build
        run: stride build --base-url "${{ steps.pages.outputs.base_path }}/"
      - uses: actions/upload-pages-artifact@v3
        if: github.event_name != 'pull_request'
        with:
          path: build

  deploy:
    if: github.event_name != 'pull_request'
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


# What a build leaves in the project that is not the user's to commit.
SITE_GITIGNORE = "build/\n.build.spare/\n.stride-cache/\n__pycache__/\n"


def requirements_text(stride: str | None = None) -> str:
    spec = stride or f"stride=={__version__}"
    return ("# What CI installs (.github/workflows/pages.yml). Point the stride line at where you get\n"
            "# Stride (a package index, a Git URL such as git+https://github.com/OWNER/stride@TAG, or a\n"
            "# wheel); add the packages your posts' Python blocks import (check_code: python).\n"
            f"{spec}\n")
