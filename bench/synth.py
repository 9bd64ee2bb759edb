"""Seeded synthetic blogs, the same posts written for Stride, Pelican and MkDocs.

Every post has YAML front matter, about 400 words of generated prose in four paragraphs, one
display equation, one fenced Python block and one to three tags from a fixed vocabulary, so the
three generators parse, highlight and template the same amount of text. The same ``seed`` and
``n_posts`` always give byte-identical files.
"""

from __future__ import annotations

import random
import shutil
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("stride", "pelican", "mkdocs")
TAGS = ("convolution", "optimisation", "attention", "probability", "linear-algebra", "vision",
        "language", "compilers", "hardware", "datasets", "evaluation", "reinforcement")
WORDS = ("the a of and to in is that for with as on by this we it be are from at an or which "
         "model layer kernel stride padding gradient tensor matrix input output weight bias loss "
         "batch channel feature image sequence token vector norm step rate training inference "
         "sparse dense linear convolution transposed backward forward shape size memory speed "
         "accuracy error sample noise signal filter window overlap pattern result figure table "
         "equation proof example method approach paper experiment baseline").split()


@dataclass(frozen=True)
class Post:
    slug: str
    title: str
    day: date
    tags: tuple[str, ...]
    summary: str
    body: str  # Markdown without front matter


def posts(n_posts: int, seed: int) -> list[Post]:
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    made = []
    for number in range(n_posts):
        title_words = rng.sample(WORDS[20:], 4)
        title = " ".join(title_words).capitalize() + f" {number}"
        slug = f"post-{number:05d}"
        tags = tuple(sorted(rng.sample(TAGS, rng.randint(1, 3))))
        paragraphs = []
        for _ in range(4):
            words = [rng.choice(WORDS) for _ in range(100)]
            words[0] = words[0].capitalize()
            paragraphs.append(textwrap.fill(" ".join(words) + ".", 96))
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        equation = f"$$\ny_{{i}} = \\sum_{{j=0}}^{{{a}}} w_{{j}} \\, x_{{i + {b} j}}\n$$"
        code = (f"```python\ndef scale(values, factor={a}):\n    return [v * factor + {b} for v in values]\n\n"
                f"print(scale(range({a + b})))\n```")
        body = "\n\n".join([paragraphs[0], paragraphs[1], equation, paragraphs[2], code, paragraphs[3]]) + "\n"
        summary = " ".join(paragraphs[0].split()[:20]) + "."
        made.append(Post(slug, title, start + timedelta(days=number), tags, summary, body))
    return made


def _front_matter(post: Post, extra: str = "") -> str:
    tags = ", ".join(post.tags)
    return (f"---\ntitle: \"{post.title}\"\ndate: {post.day.isoformat()}\n"
            f"tags: [{tags}]\nsummary: \"{post.summary}\"\n{extra}---\n")


def make_site(root: Path, n_posts: int, seed: int, tool: str) -> Path:
    """Write a site for ``tool`` under ``root`` (created, must not exist) and return ``root``."""
    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r}; choose from {TOOLS}")
    root.mkdir(parents=True)
    items = posts(n_posts, seed)
    if tool == "stride":
        shutil.copytree(ROOT / "templates", root / "templates")
        shutil.copytree(ROOT / "assets", root / "assets")
        content = root / "content"
        (content / "posts").mkdir(parents=True)
        (content / "site.yml").write_text(
            "title: Synthetic blog\nauthor: Bench\ndescription: Generated posts.\n"
            "url: https://bench.example\nfeed_entries: 20\npaginate: 10\nplugins: {}\n", encoding="utf-8")
        for post in items:
            text = _front_matter(post).replace("summary:", "description:") + post.body
            (content / "posts" / f"{post.day.isoformat()}-{post.slug}.md").write_text(text, encoding="utf-8")
    elif tool == "pelican":
        (root / "content").mkdir()
        (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
        for post in items:
            text = _front_matter(post, f"slug: {post.slug}\n") + post.body
            (root / "content" / f"{post.day.isoformat()}-{post.slug}.md").write_text(text, encoding="utf-8")
    else:
        docs = root / "docs"
        (docs / "posts").mkdir(parents=True)
        (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        (docs / "index.md").write_text("# Synthetic blog\n\nGenerated posts.\n", encoding="utf-8")
        for post in items:
            text = _front_matter(post) + f"# {post.title}\n\n" + post.body
            (docs / "posts" / f"{post.slug}.md").write_text(text, encoding="utf-8")
    return root


def edit_one_post(root: Path, tool: str, n_posts: int, seed: int) -> Path:
    """Append a sentence to the middle post (the same post for every tool); returns its path."""
    post = posts(n_posts, seed)[n_posts // 2]
    path = {
        "stride": root / "content" / "posts" / f"{post.day.isoformat()}-{post.slug}.md",
        "pelican": root / "content" / f"{post.day.isoformat()}-{post.slug}.md",
        "mkdocs": root / "docs" / "posts" / f"{post.slug}.md",
    }[tool]
    with open(path, "a", encoding="utf-8") as out:
        out.write("\nOne more sentence, added by the benchmark.\n")
    return path


# Pelican: one Atom feed of the 20 newest posts (as Stride and MkDocs here; author feeds off),
# YAML front matter through pelican-yaml-metadata, an XML sitemap through
# pelican-sitemap, Atom feeds for everything, tags and categories, Pygments highlighting and the
# same arithmatex math handling Stride uses; the default theme. Both are namespace plugins.
PELICAN_CONF = '''\
AUTHOR = "Bench"
SITENAME = "Synthetic blog"
SITEURL = "https://bench.example"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = ["pelican.plugins.yaml_metadata", "pelican.plugins.sitemap"]
SITEMAP = {"format": "xml"}
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 20
DEFAULT_PAGINATION = 10
RELATIVE_URLS = False
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.codehilite": {"css_class": "highlight"},
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
        "pymdownx.arithmatex": {"generic": True},
    },
    "output_format": "html5",
}
'''

# MkDocs: the default theme, its built-in sitemap, an RSS feed from page metadata (no git), the
# same Markdown extensions; the search plugin is off because the others build no search index.
MKDOCS_YML = '''\
site_name: Synthetic blog
site_url: https://bench.example/
use_directory_urls: true
theme:
  name: mkdocs
plugins:
  - rss:
      use_git: false
      date_from_meta:
        as_creation: date
      length: 20
markdown_extensions:
  - toc
  - tables
  - fenced_code
  - codehilite:
      css_class: highlight
  - pymdownx.arithmatex:
      generic: true
'''
