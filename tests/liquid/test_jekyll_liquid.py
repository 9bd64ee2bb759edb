"""Liquid as Jekyll runs it: standard tags, Jekyll's filters (expected strings are what jekyll
4.3.1 printed for the same input), includes written in Liquid, post_url/link, site.data, and
every error of a document reported at once."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from generator.errors import ContentErrors
from generator.liquid import Stash, TagHandlers, expand_tags
from generator.markdown import render_document

JULY = dt.datetime(2023, 7, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
POSTS = [{"title": "Second", "url": "/posts/second/", "tags": ["b"]},
         {"title": "First post", "url": "/posts/first-post/", "tags": ["a", "b"]}]


def handlers(tmp_path: Path, warnings: list | None = None, **extra) -> TagHandlers:
    options = dict(
        widget=lambda widget_id, line: f'<div class="widget" id="{widget_id}"></div>',
        bib_dir=tmp_path / "bib", default_bib=None,
        warn=(warnings if warnings is not None else []).append,
        url=lambda path: "/my-repo/" + path.lstrip("/"),
        absolute_url=lambda path: "https://example.org/my-repo/" + path.lstrip("/"),
        includes=tmp_path / "includes",
        variables={"page": {"title": "T", "date": JULY, "tags": ["x", "y"]},
                   "site": {"baseurl": "/my-repo", "url": "https://example.org", "posts": POSTS,
                            "data": {"team": {"people": [{"name": "Ann"}, {"name": "Bo"}]}}}},
        post_urls={"2023-07-04-first-post": "posts/first-post/"},
        link_urls={"_posts/2023-07-04-first-post.md": "posts/first-post/",
                   "content/posts/2023-07-04-first-post.md": "posts/first-post/"},
    )
    options.update(extra)
    (tmp_path / "includes").mkdir(exist_ok=True)
    return TagHandlers(**options)


def liquid(text: str, tmp_path: Path, warnings: list | None = None, **extra) -> str:
    stash = Stash()
    out, _ = expand_tags(text, path="content/posts/p.md", first_line=1,
                         tags=handlers(tmp_path, warnings, **extra), stash=stash)
    return stash.restore(out)


# Input -> what `jekyll build` 4.3.1 wrote for it (a Jekyll site with baseurl /my-repo and
# url https://example.org, recorded on this machine).
JEKYLL = [
    ('{{ t | date: "%-d %B %Y" }}', "4 July 2023"),
    ("{{ t | date_to_string }}", "04 Jul 2023"),
    ('{{ t | date_to_string: "ordinal", "US" }}', "Jul 4th, 2023"),
    ('{{ t | date_to_string: "ordinal" }}', "4th Jul 2023"),
    ("{{ t | date_to_long_string }}", "04 July 2023"),
    ('{{ t | date_to_long_string: "ordinal" }}', "4th July 2023"),
    ('{{ "2024-03-01" | date: "%b %-d, %Y %H:%M" }}', "Mar 1, 2024 00:00"),
    ('{{ "2023-07-04T09:30:00Z" | date_to_xmlschema }}', "2023-07-04T09:30:00+00:00"),
    ('{{ "Hello, World! Ünïcode_ and  spaces--x" | slugify }}', "hello-world-ünïcode-and-spaces-x"),
    ('{{ "Hello, World! Ünïcode_ and  spaces--x" | slugify: "pretty" }}', "hello,-world!-ünïcode_-and-spaces-x"),
    ('{{ "Hello, World! Ünïcode_ x.y" | slugify: "raw" }}', "hello,-world!-ünïcode_-x.y"),
    ('{{ "Hello, World! Ünïcode_ x.y" | slugify: "ascii" }}', "hello-world-n-code-x-y"),
    ('{{ "Hello, World! Ünïcode_ x.y" | slugify: "latin" }}', "hello-world-unicode-x-y"),
    ('{{ "  The_Quick  Brown: fox?  " | slugify }}', "the-quick-brown-fox"),
    ('{{ "C++ & Python 3.11" | slugify }}', "c-python-3-11"),
    ("{{ \"it's 'single' 1990's\" | smartify }}", "it’s ‘single’ 1990’s"),
    ('{{ "a,b,c" | split: "," | array_to_sentence_string }}', "a, b, and c"),
    ('{{ "a,b" | split: "," | array_to_sentence_string }}', "a and b"),
    ('{{ "a" | split: "," | array_to_sentence_string }}', "a"),
    ('{{ "a,b,c" | split: "," | array_to_sentence_string: "or" }}', "a, b, or c"),
    ('{{ "a,b" | split: "," | jsonify }}', '["a","b"]'),
    ("{{ page.foo | jsonify }}", "null"),
    ("{{ '<a href=\"x\">&amp; it' | append: \"'s\" | xml_escape }}", "&lt;a href=&quot;x&quot;&gt;&amp;amp; it&apos;s"),
    ('{{ "a b&c=d/é?" | cgi_escape }}', "a+b%26c%3Dd%2F%C3%A9%3F"),
    ('{{ "a b&c=d/é?[x]" | uri_escape }}', "a%20b&c=d/%C3%A9?[x]"),
    ('{{ "one two  three\n four" | number_of_words }}', "4"),
    ('{{ "<p>Hi <b>there</b></p><script>x</script>" | strip_html }}', "Hi there"),
    ('{{ "/assets/x.png" | relative_url }}', "/my-repo/assets/x.png"),
    ('{{ "assets/x.png" | relative_url }}', "/my-repo/assets/x.png"),
    ('{{ "/assets/x.png" | absolute_url }}', "https://example.org/my-repo/assets/x.png"),
    ('{% assign w = site.posts | where: "title", "Second" %}{{ w | map: "title" | join: "," }}', "Second"),
    ("{% assign w = site.posts | where_exp: \"p\", \"p.title contains 'First'\" %}{{ w | map: \"title\" | join: \",\" }}",
     "First post"),
    ('{% assign g = site.posts | group_by: "title" %}{% for x in g %}{{ x.name }}:{{ x.size }};{% endfor %}',
     "Second:1;First post:1;"),
    ('{% assign s = site.posts | sort: "title" %}{{ s | map: "title" | join: "," }}', "First post,Second"),
    ('{{ "c,a,B" | split: "," | sort | join: "," }}', "B,a,c"),
    ("{% post_url 2023-07-04-first-post %}", "/my-repo/posts/first-post/"),
    ("{{ site.baseurl }}|{{ site.url }}", "/my-repo|https://example.org"),
    ("{% for i in (1..6) limit:2 offset:1 %}{{ i }}{% endfor %}|{% for i in (1..3) reversed %}{{ i }}{% endfor %}",
     "23|321"),
    ('{% for i in (1..3) %}{% cycle "a", "b" %}{% endfor %}|{% increment c %}{% increment c %}', "aba|01"),
]


@pytest.mark.parametrize("source, expected", JEKYLL, ids=[s[:40] for s, _ in JEKYLL])
def test_filters_print_what_jekyll_prints(source, expected, tmp_path):
    text = '{% assign t = "2023-07-04 09:30:00 -0400" %}' + source
    assert liquid(text, tmp_path) == expected


def test_standard_tags(tmp_path):
    text = textwrap.dedent("""\
        {% assign n = page.tags | size %}{% capture who %}{{ page.title | upcase }}{% endcapture %}
        {% if n > 2 %}many{% elsif n == 2 %}two{% else %}few{% endif %} {% unless page.draft %}live{% endunless %}
        {% case page.title %}{% when "T" %}tee{% else %}other{% endcase %} {{ who }}
        {% comment %}not {{ shown }}{% endcomment %}{% raw %}{{ kept }}{% endraw %}
        {% for p in site.data.team.people %}{{ p.name }}{% unless forloop.last %}, {% endunless %}{% endfor %}
        {{ page.date | date: "%Y-%m-%d" }} {{ page.date | date_to_rfc822 }}
        {% tablerow t in page.tags %}{{ t }}{% endtablerow %}{% decrement d %}""")
    assert liquid(text, tmp_path).split("\n") == [
        "", "two live", "tee T", "{{ kept }}", "Ann, Bo", "2023-07-04 Tue, 04 Jul 2023 09:30:00 -0400",
        '<tr class="row1">', '<td class="col1">x</td><td class="col2">y</td></tr>', "-1"]  # as jekyll prints it


def test_tags_jekyll_does_not_have_are_errors(tmp_path):
    """Jekyll 4.3 runs Liquid 4, without render/echo; a post using them would not build there."""
    with pytest.raises(ContentErrors) as info:
        liquid("{% echo 'x' %}", tmp_path)
    assert "unsupported Liquid tag {% echo %}" in str(info.value)


def test_highlight_has_jekylls_markup(tmp_path):
    """The markup jekyll 4.3.1 writes for {% highlight python linenos %} (Rouge and Pygments
    share the token class names)."""
    out = liquid("{% highlight python linenos %}\ndef f(x):\n    return x + 1\n{% endhighlight %}", tmp_path)
    assert out.strip("\n") == (
        '<figure class="highlight"><pre><code class="language-python" data-lang="python"><table class="rouge-table">'
        '<tbody><tr><td class="gutter gl"><pre class="lineno">1\n2\n</pre></td><td class="code"><pre>'
        '<span class="k">def</span> <span class="nf">f</span><span class="p">(</span><span class="n">x</span>'
        '<span class="p">):</span>\n    <span class="k">return</span> <span class="n">x</span> <span class="o">+</span>'
        ' <span class="mi">1</span>\n</pre></td></tr></tbody></table></code></pre></figure>')
    # Jekyll strips the blank lines around the code, names the class after the language with
    # "+" as "-" and keeps it in data-lang.
    cpp = liquid("{% highlight C++ linenos %}\n\nint x;\n\nx = 1;\n\n{% endhighlight %}", tmp_path)
    assert '<code class="language-c--" data-lang="c++">' in cpp and '<pre class="lineno">1\n2\n3\n</pre>' in cpp
    plain = liquid("{% highlight python %}\na = 1\n{% endhighlight %}", tmp_path)
    assert plain.strip("\n") == ('<figure class="highlight"><pre><code class="language-python" data-lang="python">'
                     '<span class="n">a</span> <span class="o">=</span> <span class="mi">1</span></code></pre></figure>')


FIGURE = """\
{%- comment -%} A figure include in the style of al-folio's, written for this test. {%- endcomment -%}
{%- assign src = include.path | relative_url -%}
{%- capture alt -%}{% if include.alt %}{{ include.alt }}{% else %}{{ include.caption | strip_html }}{% endif %}{%- endcapture -%}
<figure{% if include.class %} class="{{ include.class }}"{% endif %}>
  <img src="{{ src | bust_file_cache }}" alt="{{ alt }}"{% if include['max-width'] %} style="max-width: {{ include.max-width }}"{% endif %}{% if include.zoomable %} data-zoomable{% endif %} loading="{{ include.loading | default: 'lazy' }}">
  {%- if include.caption %}<figcaption>{{ include.caption }}</figcaption>{% endif %}
</figure>
"""

VIDEO = """\
<video src="{{ include.path | relative_url }}"{% if include.controls %} controls{% endif %}{% if include.autoplay %} autoplay{% endif %}></video>
"""


def test_liquid_includes_render_with_params_of_every_kind(tmp_path):
    h = handlers(tmp_path)
    (tmp_path / "includes" / "figure.liquid").write_text(FIGURE)
    (tmp_path / "includes" / "video.html").write_text(VIDEO)
    (tmp_path / "includes" / "script.html").write_text('<script src="{{ include.src }}"></script>\n')
    body = textwrap.dedent("""\
        {% assign img = "assets/img/a.png" %}
        <div class="row">
        {% include figure.liquid path=img class="img-fluid rounded" zoomable=true max-width="50%" caption="A <b>bold</b> cap" %}
        </div>

        {% include video.html path='assets/v.mp4' controls=true %}

        {% for js in page.scripts %}{% include {{ js }} src="x.js" %}{% endfor %}
        """)
    h = TagHandlers(**{**h.__dict__, "variables": {**h.variables, "page": {"scripts": ["script.html"]}}})
    html = render_document(body, path="content/posts/p.md", first_line=1, tags=h).html
    assert ('<figure class="img-fluid rounded">\n  <img src="/my-repo/assets/img/a.png" alt="A bold cap" '
            'style="max-width: 50%" data-zoomable loading="lazy"><figcaption>A <b>bold</b> cap</figcaption>\n</figure>') in html
    assert '<video src="/my-repo/assets/v.mp4" controls></video>' in html
    assert '<script src="x.js"></script>' in html
    assert "<p><figure" not in html and "&lt;" not in html


def test_link_and_include_relative(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "snippet.md").write_text("*{{ page.title }}*")
    out = liquid("{% link _posts/2023-07-04-first-post.md %} {% include_relative snippet.md %}", tmp_path,
                 relative_root=tmp_path / "posts")
    assert out == "/my-repo/posts/first-post/ *T*"
    h = handlers(tmp_path, relative_root=tmp_path / "posts")
    html = render_document("Inline {% include_relative snippet.md %}.", path="p.md", first_line=1, tags=h).html
    assert html == "<p>Inline <em>T</em>.</p>"  # included Markdown is rendered with the post


def test_undefined_renders_empty_with_a_warning_at_its_place(tmp_path):
    warnings: list = []
    out = liquid("a\nb {{ page.nope }} c {% if page.nope %}x{% endif %}", tmp_path, warnings)
    assert out == "a\nb  c "
    assert [str(w) for w in warnings] == [
        "content/posts/p.md:2:3: warning: undefined variable page.nope renders empty "
        "(check the spelling, or set it in the front matter or content/site.yml)"]


def test_unknown_filter_keeps_its_input_with_a_warning(tmp_path):
    """al-folio's figure include pipes through its own plugin's filter; Jekyll ignores a filter
    it does not know, and so does Stride, saying so."""
    warnings: list = []
    out = liquid('<img src="{{ "a.png" | relative_url | bust_file_cache }}">', tmp_path, warnings)
    assert out == '<img src="/my-repo/a.png">'
    assert [(w.line, w.column, w.severity) for w in warnings] == [(1, 11, "warning")]
    assert "unknown filter 'bust_file_cache' is ignored" in warnings[0].message


def test_dates_print_as_jekyll_prints_them(tmp_path):
    from generator.liquid_data import JekyllTime

    out = liquid("{{ page.date }}", tmp_path, variables={"page": {"date": JekyllTime.of(JULY)}})
    assert out == "2023-07-04 09:30:00 -0400"


def test_every_error_of_a_document_is_reported(tmp_path):
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "broken.html").write_text("ok\n{{ include.x | }}\n")
    (tmp_path / "includes" / "loop.html").write_text("{% include loop.html %}")
    body = textwrap.dedent("""\
        Intro {% youtube abc %}
        {% post_url 2020-01-01-missing %}
        {% include broken.html x=1 %}
        {% include nowhere.html %}
        {% include loop.html %}
        {% for x in (1..3) %}
        """)
    with pytest.raises(ContentErrors) as info:
        liquid(body, tmp_path)
    lines = [str(d) for d in info.value.diagnostics]
    assert any(line.startswith("content/posts/p.md:1:7: unsupported Liquid tag {% youtube %}") for line in lines)
    assert any(line.startswith("content/posts/p.md:2: {% post_url 2020-01-01-missing %}: no post") for line in lines)
    assert any(line.startswith("content/posts/p.md:4: include file 'nowhere.html' not found") for line in lines)
    assert any(line.startswith("content/posts/p.md:6:1: {% for %} is never closed") for line in lines)
    assert any("includes/broken.html:2:1: Liquid syntax error" in line and "{{ include.x | }}" in line
               for line in lines)
    chain = " -> ".join(["loop.html"] * 11)
    assert any("includes/loop.html:1: includes nested more than 10 deep: " + chain in line for line in lines)
    assert len(lines) == 6


@pytest.mark.skipif(shutil.which("jekyll") is None, reason="needs jekyll (apt-get install jekyll)")
def test_against_real_jekyll(tmp_path):
    """The same Liquid through `jekyll build` and through Stride gives the same text."""
    site = tmp_path / "jk"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("baseurl: /my-repo\nurl: https://example.org\ntimezone: UTC\n")
    skip = ("post_url", "site.posts", "site.baseurl", '"now"', "date_to_string", "date_to_long_string")
    cases = [(s, e) for s, e in JEKYLL if not any(word in s for word in skip)]
    lines = ['{% assign t = "2023-07-04 09:30:00 -0400" %}' + s for s, _ in cases]
    (site / "out.html").write_text("---\nlayout: null\n---\n" + "\n".join(f"{i}|{line}|" for i, line in enumerate(lines)))
    done = subprocess.run(["jekyll", "build", "-s", str(site), "-d", str(site / "_site")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    theirs = (site / "_site" / "out.html").read_text()
    ours = "\n".join(f"{i}|{liquid(line, tmp_path)}|" for i, line in enumerate(lines))
    assert ours == theirs.strip("\n")
