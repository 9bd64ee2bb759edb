"""Seeded synthetic blogs, the same posts written for Stride, Pelican, MkDocs, Hugo and Jekyll.

Every post has YAML front matter, about 400 words of generated prose in four paragraphs, one
display equation, one fenced Python block and one to three tags from a fixed vocabulary, so the
generators parse, highlight and template the same amount of text. Hugo and Jekyll get the
site Stride builds: the same posts, a paginated index (10 a page), one page per tag, a 20-entry
feed, a sitemap, highlighted code and ``$$`` maths passed through for MathJax. The same ``seed`` and
``n_posts`` always give byte-identical files.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("stride", "pelican", "mkdocs", "hugo", "jekyll")
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
        # Content only: the theme ships with Stride (generator/theme/), as for any new site.
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
    elif tool == "hugo":
        _write_tree(root, HUGO_FILES)
        (root / "content" / "posts").mkdir(parents=True)
        for post in items:
            text = _front_matter(post, f"slug: {post.slug}\n") + post.body
            (root / "content" / "posts" / f"{post.day.isoformat()}-{post.slug}.md").write_text(text, encoding="utf-8")
    elif tool == "jekyll":
        _write_tree(root, JEKYLL_FILES)
        (root / "_posts").mkdir()
        for post in items:
            text = _front_matter(post, f"slug: {post.slug}\n") + post.body
            (root / "_posts" / f"{post.day.isoformat()}-{post.slug}.md").write_text(text, encoding="utf-8")
    else:
        docs = root / "docs"
        (docs / "posts").mkdir(parents=True)
        (root / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
        (docs / "index.md").write_text("# Synthetic blog\n\nGenerated posts.\n", encoding="utf-8")
        for post in items:
            text = _front_matter(post) + f"# {post.title}\n\n" + post.body
            (docs / "posts" / f"{post.slug}.md").write_text(text, encoding="utf-8")
    return root


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def edit_one_post(root: Path, tool: str, n_posts: int, seed: int) -> Path:
    """Append a sentence to the middle post (the same post for every tool); returns its path."""
    post = posts(n_posts, seed)[n_posts // 2]
    path = {
        "stride": root / "content" / "posts" / f"{post.day.isoformat()}-{post.slug}.md",
        "pelican": root / "content" / f"{post.day.isoformat()}-{post.slug}.md",
        "mkdocs": root / "docs" / "posts" / f"{post.slug}.md",
        "hugo": root / "content" / "posts" / f"{post.day.isoformat()}-{post.slug}.md",
        "jekyll": root / "_posts" / f"{post.day.isoformat()}-{post.slug}.md",
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


# Hugo: posts at /posts/<slug>/, a home page paginated by 10, one page per tag (its default
# taxonomy pages), an RSS feed of the 20 newest, its built-in sitemap, Chroma highlighting with
# classes, and $$ blocks passed through untouched (goldmark's passthrough extension) for MathJax.
HUGO_FILES = {
    "hugo.toml": """\
baseURL = "https://bench.example/"
title = "Synthetic blog"
disableKinds = ["section"]
[params]
  description = "Generated posts."
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[permalinks]
  posts = "/posts/:slug/"
[services.rss]
  limit = 20
[markup.highlight]
  noClasses = false
[markup.goldmark.extensions.passthrough]
  enable = true
  [markup.goldmark.extensions.passthrough.delimiters]
    block = [["$$", "$$"]]
    inline = [["\\\\(", "\\\\)"]]
""",
    "layouts/baseof.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
</head><body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "layouts/home.html": """\
{{ define "main" }}{{ $pager := .Paginate (where site.RegularPages "Section" "posts") }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></article>{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
{{ end }}
""",
    "layouts/single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02" }}</time>
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>{{ end }}
""",
    "layouts/list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
""",
    "layouts/_markup/render-passthrough.html": """\
{{ if eq .Type "block" }}<div class="math">\\[{{ .Inner }}\\]</div>{{ else }}<span class="math">\\({{ .Inner }}\\)</span>{{ end }}
""",
}

# Jekyll 4.3 as Debian ships it: kramdown (GFM input) with Rouge highlighting and MathJax maths,
# jekyll-paginate (10 a page), jekyll-archives (one page per tag), jekyll-feed (20 entries) and
# jekyll-sitemap; posts at /posts/<slug>/.
JEKYLL_FILES = {
    "_config.yml": """\
title: Synthetic blog
description: Generated posts.
url: https://bench.example
permalink: /posts/:slug/
markdown: kramdown
kramdown:
  input: GFM
  math_engine: mathjax
  syntax_highlighter: rouge
plugins: [jekyll-feed, jekyll-sitemap, jekyll-paginate, jekyll-archives]
paginate: 10
paginate_path: /page/:num/
feed:
  posts_limit: 20
jekyll-archives:
  enabled: [tags]
  layout: tag
  permalinks:
    tag: /tags/:name/
defaults:
  - scope: {path: "", type: posts}
    values: {layout: post}
exclude: [build, .jekyll-cache]
""",
    "_layouts/default.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }} | {{ site.title }}</title>
<meta name="description" content="{{ page.summary | default: site.description }}">
{% feed_meta %}</head><body><header><a href="{{ '/' | relative_url }}">{{ site.title }}</a></header>
<main>{{ content }}</main></body></html>
""",
    "_layouts/post.html": """\
---
layout: default
---
<article><h1>{{ page.title }}</h1><time>{{ page.date | date: "%Y-%m-%d" }}</time>
<ul>{% for tag in page.tags %}<li><a href="{{ '/tags/' | append: tag | append: '/' | relative_url }}">{{ tag }}</a></li>{% endfor %}</ul>
{{ content }}</article>
""",
    "_layouts/tag.html": """\
---
layout: default
---
<h1>{{ page.title }}</h1><ul>{% for post in page.posts %}
<li><a href="{{ post.url | relative_url }}">{{ post.title }}</a></li>{% endfor %}</ul>
""",
    "index.html": """\
---
layout: default
title: Home
---
{% for post in paginator.posts %}<article><h2><a href="{{ post.url | relative_url }}">{{ post.title }}</a></h2>
<time>{{ post.date | date: "%Y-%m-%d" }}</time><p>{{ post.summary }}</p></article>{% endfor %}
{% if paginator.previous_page %}<a href="{{ paginator.previous_page_path | relative_url }}">Newer</a>{% endif %}
{% if paginator.next_page %}<a href="{{ paginator.next_page_path | relative_url }}">Older</a>{% endif %}
""",
}
