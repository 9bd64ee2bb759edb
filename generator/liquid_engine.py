"""The Liquid engine of :mod:`generator.liquid`: python-liquid with Jekyll's tags.

python-liquid gives the standard tags, expressions, whitespace control and ``raw``; this module
adds Jekyll's ``include``, ``include_relative``, ``post_url``, ``link`` and ``highlight``,
jekyll-scholar's ``cite``/``nocite``/``bibliography`` and Stride's ``widget``, and an
environment whose errors go into the document's list instead of stopping at the first.
"""

from __future__ import annotations

import contextvars
import difflib
import re
import shlex
from dataclasses import dataclass
from html import escape
from io import StringIO
from pathlib import Path
from typing import Any, Callable, Mapping

from liquid import BoundTemplate, Environment, RenderContext, Undefined
from liquid.ast import Node
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG
from pygments import highlight as pygmentize
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from generator.bibliography import BibFile, bibliography_html, load_bib
from generator.errors import ContentError, ContentErrors, Diagnostic, display_path
from generator.jekyll_filters import FILTERS
from generator.layers import Root
from generator.liquid import INCLUDE_DEPTH, Citations, Stash, TagHandlers

_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
# jekyll-scholar options that take no value; any other option we ignore swallows one value.
_FLAGS = {"--cited", "--cited_in_order", "--remove_duplicates", "--suppress_author", "-A", "--text"}
_KNOWN_TAGS = ("include", "include_relative", "post_url", "link", "highlight", "cite", "nocite",
               "bibliography", "widget", "raw", "comment", "if", "unless", "case", "for", "assign",
               "capture", "cycle", "increment", "decrement", "tablerow", "ifchanged", "include_cached")


# --- one document's run -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Where:
    path: str
    line: int
    column: int
    tag: str  # the tag or output as written, shortened, for messages


class _Run:
    """The state of rendering one document: its handlers, stash, citations, the problems found
    so far and which source text belongs to which file (a token only knows its text)."""

    def __init__(self, path: str, first_line: int, tags: TagHandlers, stash: Stash) -> None:
        self.path = path
        self.tags = tags
        self.stash = stash
        self.citations = Citations()
        self.problems: list[Diagnostic] = []
        self.first_cite_line = 0
        self.chain: list[str] = []
        self.parsing: str | None = None  # the text being parsed now
        self.tag_token = None  # the tag being parsed now
        self._sources: dict[int, tuple[str, int, str]] = {}
        self._warned: set[tuple[str, int, int, str]] = set()

    def register(self, path: str, first_line: int, source: str) -> None:
        # The text is kept in the entry so its id stays unique while the run lives.
        self._sources[id(source)] = (path, first_line, source)

    def where(self, token) -> _Where:
        if token is None or token.start_index < 0 or id(token.source) not in self._sources:
            return _Where(self.path, 0, 0, "")
        path, first_line, source = self._sources[id(token.source)]
        index = min(token.start_index, len(source))
        line_start = source.rfind("\n", 0, index) + 1
        start, tag = _markup_around(source, index)
        if line_start <= start <= index:
            index = start  # point at the tag's opening braces
        return _Where(path, first_line + source.count("\n", 0, index), index - line_start + 1, tag)

    def problem(self, token, message: str, hint: str = "") -> None:
        at = self.where(token)
        self.problems.append(Diagnostic(display_path(at.path), at.line, message, hint, column=at.column))

    def warn(self, token, message: str, hint: str = "") -> None:
        at = self.where(token)
        if (at.path, at.line, at.column, message) in self._warned:
            return
        self._warned.add((at.path, at.line, at.column, message))
        self.tags.warn(Diagnostic(display_path(at.path), at.line, message, hint, severity="warning",
                                  column=at.column))

    def line_of(self, token) -> int:
        return self.where(token).line


_RUN: contextvars.ContextVar[_Run] = contextvars.ContextVar("stride_liquid_run")


def current_handlers() -> TagHandlers:
    """The handlers of the document being rendered (for filters that need the site's URLs)."""
    return _RUN.get().tags


def _markup_around(source: str, index: int) -> tuple[int, str]:
    """Where the ``{% ... %}`` or ``{{ ... }}`` holding ``index`` starts, and its text on one
    line, shortened; (-1, "") when there is none."""
    start = max(source.rfind("{%", 0, index + 2), source.rfind("{{", 0, index + 2))
    if start < 0:
        return -1, ""
    close = "%}" if source.startswith("{%", start) else "}}"
    end = source.find(close, start)
    text = source[start:end + 2] if end >= 0 else source[start:start + 40]
    text = " ".join(text.split())
    return start, text if len(text) <= 60 else text[:57] + "..."


class _Problem(LiquidError):
    """A problem a Stride tag found; ``diagnostic`` (optional) places it in another file."""

    def __init__(self, message: str, hint: str = "", *, token=None, diagnostic: Diagnostic | None = None):
        super().__init__(message, token=token)
        self.hint = hint
        self.diagnostic = diagnostic


class _Undefined(Undefined):
    """Renders empty, as in Jekyll, and says where it was printed."""

    __slots__ = ()

    def __str__(self) -> str:
        run = _RUN.get(None)
        if run is not None:
            what = self.hint.replace(" is undefined", "") if self.hint else self.name
            run.warn(self.token, f"undefined variable {what.strip(chr(39))} renders empty",
                     "check the spelling, or set it in the front matter or content/site.yml")
        return ""


class _Context(RenderContext):
    """An unknown filter passes its input through, as in Jekyll (Liquid's lax filters), with a
    warning: al-folio's own plugin filters (``bust_file_cache``, ...) are not Stride's."""

    def filter(self, name: str, token):  # noqa: A003
        if name not in self.env.filters:
            run = _RUN.get(None)
            if run is not None:
                run.warn(token, f"unknown filter {name!r} is ignored (its input is kept, as Jekyll does)",
                         "Stride has Liquid's standard filters and Jekyll's; see README (Writing posts)")
            return _keep
        return super().filter(name, token)


def _keep(value: Any, *args: Any, **kwargs: Any) -> Any:
    return value


class _Template(BoundTemplate):
    context_class = _Context


class JekyllEnvironment(Environment):
    """A Liquid environment whose errors are collected into the current document's run."""

    template_class = _Template
    # A few bytes of Liquid can ask for unbounded work ({% for i in (1..100000000) %}): these
    # stop it with a path:line error long before the build's 30 s / 500 MB budget. No real post
    # comes near them (al-folio's longest loops walk site.posts).
    loop_iteration_limit = 1_000_000
    output_stream_limit = 8 * 1024 * 1024  # characters one document's Liquid may write
    local_namespace_limit = 8 * 1024 * 1024  # characters held by assign/capture

    def __init__(self) -> None:
        super().__init__(undefined=_Undefined, strict_filters=True)
        # Jekyll 4.3 runs Liquid 4: render, echo, liquid and doc came later, so they are not tags here.
        for name in ("include", "render", "echo", "liquid", "doc"):
            self.tags.pop(name, None)
        for tag in (_Include, _IncludeCached, _IncludeRelative, _PostUrl, _Link, _Highlight, _Cite, _NoCite,
                    _Bibliography, _Widget):
            self.add_tag(tag)
        for name, function in FILTERS.items():
            self.add_filter(name, function)

    def add_tag(self, tag: type[Tag]) -> None:
        """Register ``tag`` so that the run knows which tag is being parsed: an error at the end
        of a tag's expression has no position of its own, the tag has."""
        instance = tag(self)
        parse = instance.get_node

        def get_node(stream):
            run = _RUN.get(None)
            if run is None:
                return parse(stream)
            outer, run.tag_token = run.tag_token, stream.current
            try:
                return parse(stream)
            finally:
                run.tag_token = outer

        instance.get_node = get_node
        self.tags[tag.name] = instance

    def error(self, exc, msg=None, token=None) -> None:
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        run = _RUN.get(None)
        if run is None:
            raise exc
        if isinstance(exc, _Problem) and exc.diagnostic is not None:
            run.problems.append(exc.diagnostic)
            return
        message = str(exc.message)
        if isinstance(exc, _Problem):  # a tag's own message names the tag; the line is enough
            at = run.where(exc.token)
            run.problems.append(Diagnostic(display_path(at.path), at.line, message, exc.hint))
            return
        closing = _NOT_CLOSED.match(message)
        token = exc.token
        if token is None or token.start_index < 0:
            if closing and run.parsing is not None:
                token = _unclosed_opener(run.parsing, closing.group(1)[3:]) or run.tag_token or token
            else:
                token = run.tag_token or token
        at = run.where(token)
        message, hint = _explain(message, at.tag)
        run.problems.append(Diagnostic(display_path(at.path), at.line, message, hint, column=at.column))


_NOT_CLOSED = re.compile(r"expected tag (end\w+), found (eof|end of expression)")


def _unclosed_opener(source: str, name: str):
    """A token at the last ``{% name %}`` that no ``{% endname %}`` closes (the lexer's end of
    file has no position of its own)."""
    from liquid.token import Token

    stack: list[int] = []
    for m in re.finditer(r"\{%-?\s*(end)?" + re.escape(name) + r"\b", source):
        if m.group(1):
            if stack:
                stack.pop()
        else:
            stack.append(m.start())
    return Token(TOKEN_TAG, name, stack[-1] + 2, source) if stack else None


_RAW_OPEN = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_CLOSE = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def _before_unclosed_raw(run: _Run, source: str) -> str:
    """``source`` up to a ``{% raw %}`` that no ``{% endraw %}`` follows, the problem recorded;
    ``source`` itself when there is none. python-liquid's lexer tries its raw rule from every
    such opener to the end of the text: 50,000 of them (450 kB) ran for minutes before giving
    one error each."""
    if "raw" not in source:
        return source
    last_close = None
    for last_close in _RAW_CLOSE.finditer(source):
        pass
    unclosed = _RAW_OPEN.search(source, last_close.end() if last_close else 0)
    if unclosed is None:
        return source
    from liquid.token import Token

    run.problem(Token(TOKEN_TAG, "raw", unclosed.start() + 2, source), "{% raw %} is never closed",
                "add {% endraw %} where the literal text ends")
    return source[:unclosed.start()]


def _explain(message: str, tag: str) -> tuple[str, str]:
    """python-liquid's message in our words, with the tag and a way out."""
    unknown = re.match(r"unexpected tag '([^']+)'", message)
    if unknown:
        name = unknown.group(1)
        if name.startswith("end"):
            return (f"{{% {name} %}} without a matching {{% {name[3:]} %}}",
                    f"remove it or open the block with {{% {name[3:]} ... %}}")
        return (f"unsupported Liquid tag {{% {name} %}}",
                "supported tags: " + ", ".join(_KNOWN_TAGS) + "; wrap literal text in {% raw %}...{% endraw %}")
    closing = _NOT_CLOSED.match(message)
    if closing:
        opened = closing.group(1)[3:]
        return (f"{{% {opened} %}} is never closed{' in ' + tag if tag else ''}",
                f"add {{% {closing.group(1)} %}} after the block")
    shown = f" in {tag}" if tag else ""
    if message.startswith("unknown filter"):
        return (f"{message}{shown}", "Stride has Liquid's standard filters and Jekyll's; see README (Writing posts)")
    if message.endswith("limit reached"):  # python-liquid's resource limits, set on JekyllEnvironment
        return (f"Liquid {message}{shown} (at most {JekyllEnvironment.loop_iteration_limit:,} loop steps and "
                f"{JekyllEnvironment.output_stream_limit // 2**20} MiB of output per document)",
                "make the loop shorter, or generate that text outside Liquid")
    return f"Liquid syntax error: {message}{shown}", "see the Liquid syntax of this tag"


_ENV: JekyllEnvironment | None = None


def environment() -> JekyllEnvironment:
    global _ENV
    if _ENV is None:
        _ENV = JekyllEnvironment()
    return _ENV


def render(body: str, *, path: str, first_line: int, tags: TagHandlers,
           stash: Stash) -> tuple[str, Citations, int, list[Diagnostic]]:
    """Render ``body`` as Liquid: (text, citations, line of the first citation, problems)."""
    run = _Run(path, first_line, tags, stash)
    token = _RUN.set(run)
    try:
        run.register(path, first_line, body)
        env = environment()
        text = ""
        try:
            run.parsing = body
            template = env.from_string(_before_unclosed_raw(run, body), globals=dict(tags.variables))
            run.parsing = None
            text = template.render()
        except LiquidError as exc:  # the lexer gives up on the whole text
            env.error(exc)
    finally:
        _RUN.reset(token)
    return text, run.citations, run.first_cite_line, run.problems


# --- tag plumbing -----------------------------------------------------------------------------

class _MarkupNode(Node):
    """A Jekyll-style tag: its arguments are kept as written and read at render time (after
    any ``{{ ... }}`` in them is rendered), as Jekyll reads them."""

    __slots__ = ("markup", "markup_token", "handler")

    def __init__(self, token, markup: str, markup_token, handler: Callable[..., str]) -> None:
        super().__init__(token)
        self.markup = markup
        self.markup_token = markup_token
        self.handler = handler
        self.blank = False

    def __str__(self) -> str:
        return f"{{% {self.token.value} {self.markup} %}}"

    def render_to_output(self, context, buffer) -> int:
        run = _RUN.get()
        try:
            if "{{" in self.markup:
                at = run.where(self.markup_token)
                run.register(at.path, at.line, self.markup)
            markup = _render_markup(context, self.markup)
            out = self.handler(run, context, markup, self.token)
        except ContentError as exc:
            raise _Problem(exc.diagnostic.message, token=self.token, diagnostic=exc.diagnostic) from None
        except ContentErrors as exc:
            for diagnostic in exc.diagnostics[1:]:
                run.problems.append(diagnostic)
            first = exc.diagnostics[0]
            raise _Problem(first.message, token=self.token, diagnostic=first) from None
        return buffer.write(out)


def _render_markup(context, markup: str) -> str:
    if "{{" not in markup:
        return markup
    buffer = StringIO()
    context.env.from_string(markup).render_with_context(context, buffer, partial=True)
    return buffer.getvalue()


def _simple_tag(tag_name: str, handler: Callable[..., str]) -> type[Tag]:
    class _Simple(Tag):
        name = tag_name
        block = False

        def parse(self, stream) -> Node:
            token = stream.current
            markup, markup_token = "", token
            if stream.peek.kind == TOKEN_EXPRESSION:
                next(stream)
                markup, markup_token = stream.current.value, stream.current
            return _MarkupNode(token, markup, markup_token, handler)

    _Simple.__name__ = f"_{tag_name.title()}Tag"
    return _Simple


# --- include and include_relative ---------------------------------------------------------------

_TEMPLATES: dict[tuple[str, int, int], tuple[Any, str]] = {}


def _include_tag(relative: bool):
    def include(run: _Run, context, markup: str, token) -> str:
        m = re.match(r"""\s*(?:"([^"]+)"|'([^']+)'|(\S+))""", markup)
        if not m:
            raise _Problem("{% include %} needs a file name", 'write {% include note.html text="..." %}', token=token)
        target = next(g for g in m.groups() if g is not None)
        params = _include_params(context, markup[m.end():], token)
        root = run.tags.relative_root if relative else run.tags.includes
        where = "the post's folder" if relative else "templates/includes/"
        if root is None:
            raise _Problem(f"include file {target!r} not found", f"put it under {where}", token=token)
        file = _include_file(root, target, where, token)
        chain = run.chain + [target]
        if len(chain) > INCLUDE_DEPTH:
            raise _Problem(f"includes nested more than {INCLUDE_DEPTH} deep: " + " -> ".join(chain),
                           "an include that includes itself (directly or through others) never ends",
                           token=token)
        template, source = _parse_include(file, run)
        run.register(str(file), 1, source)
        run.chain = chain
        buffer = StringIO()
        try:
            with context.extend({"include": params}):
                template.render_with_context(context, buffer, partial=True)
        finally:
            run.chain = chain[:-1]
        if file.suffix in (".md", ".markdown"):
            return buffer.getvalue()  # Markdown to be rendered with the post, as Jekyll inlines it
        return run.stash.put(buffer.getvalue())

    return include


def _include_params(context, text: str, token) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for p in _PARAM.finditer(text):
        if p.group(2) is not None or p.group(3) is not None:
            params[p.group(1)] = p.group(2) if p.group(2) is not None else p.group(3)
        else:
            params[p.group(1)] = _value(context, p.group(4))
    leftover = _PARAM.sub("", text).strip()
    if leftover:
        raise _Problem(f"cannot read include parameters {leftover!r}",
                       'parameters are key=value, key="text with spaces" or key=variable', token=token)
    return params


_LITERALS = {"true": True, "false": False, "nil": None, "null": None}
_VARIABLE = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*$")


def _value(context, text: str) -> Any:
    """An unquoted parameter: a literal, a variable (as in Jekyll), or else the text itself
    (Jekyll refuses ``path=a/b.png``; taking it as written is kinder)."""
    if text in _LITERALS:
        return _LITERALS[text]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    if _VARIABLE.match(text):
        segments: list[Any] = []
        for part in re.findall(r"[^.\[\]]+", text):
            segments.append(int(part) if part.isdigit() else part)
        value = context.get(segments, token=None, default=None)
        return value
    return text


def _include_file(roots: "Path | tuple[Root, ...]", target: str, where: str, token) -> Path:
    """The file ``target`` names: each candidate name (``a.liquid`` falls back to ``a.html`` and
    back) in each root in turn, so the site's includes override the theme's file by file."""
    if isinstance(roots, Path):
        roots = (Root("site", roots),)
    candidates = [target]
    if target.endswith(".liquid"):  # newer al-folio names includes *.liquid
        candidates.append(target[: -len(".liquid")] + ".html")
    elif target.endswith(".html"):
        candidates.append(target[: -len(".html")] + ".liquid")
    for candidate in candidates:
        for root in roots:
            if not candidate.startswith(root.prefix):
                continue
            base = root.folder.resolve()
            file = (base / candidate[len(root.prefix):]).resolve()
            if not file.is_relative_to(base):
                raise _Problem(f"include {target!r} points outside {where}", f"includes must live under {where}",
                               token=token)
            if file.is_file():
                return file
    raise _Problem(f"include file {target!r} not found", f"put it under {where}", token=token)


def _parse_include(file: Path, run: _Run) -> tuple[Any, str]:
    """The parsed include, from a per-process cache keyed on the file's identity. Only a file
    that parsed cleanly is cached, so every document using a broken one reports it."""
    info = file.stat()
    key = (str(file), info.st_mtime_ns, info.st_size)
    known = _TEMPLATES.get(key)
    if known is not None:
        return known
    try:
        source = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _Problem("include is not UTF-8 text", "save it as UTF-8",
                       diagnostic=Diagnostic(display_path(file), 1, f"not UTF-8 text ({exc.reason})",
                                             "save the file as UTF-8")) from None
    run.register(str(file), 1, source)
    before = len(run.problems)
    outer, run.parsing = run.parsing, source
    try:
        template = environment().from_string(_before_unclosed_raw(run, source), name=file.name)
    finally:
        run.parsing = outer
    if len(run.problems) == before:
        _TEMPLATES[key] = (template, source)
    return template, source


# --- post_url and link ------------------------------------------------------------------------

def _post_url(run: _Run, context, markup: str, token) -> str:
    name = markup.strip().strip("\"'")
    if not name:
        raise _Problem("{% post_url %} needs a post's file name", "write {% post_url 2023-07-04-my-post %}",
                       token=token)
    return _target(run, run.tags.post_urls, name, f"{{% post_url {name} %}}: no post {name!r}",
                   "give the file name under content/posts/ without .md", token)


def _link(run: _Run, context, markup: str, token) -> str:
    name = markup.strip().strip("\"'")
    return _target(run, run.tags.link_urls, name, f"{{% link {name} %}}: no document {name!r}",
                   "give the path of a post or page, e.g. content/posts/2023-07-04-x.md", token)


def _target(run: _Run, table: Mapping[str, str], name: str, missing: str, hint: str, token) -> str:
    """The public URL ``table`` gives ``name``; a missing name is an error suggesting close ones."""
    path = table.get(name)
    if path is None:
        close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.6)
        raise _Problem(missing, (f"did you mean {', '.join(close)}? " if close else "") + hint, token=token)
    return _public(run, path)


def _public(run: _Run, path: str) -> str:
    return run.tags.url(path) if run.tags.url is not None else "/" + path.lstrip("/")


# --- highlight --------------------------------------------------------------------------------

class _HighlightNode(Node):
    __slots__ = ("lang", "linenos", "block")

    def __init__(self, token, lang: str, linenos: bool, block) -> None:
        super().__init__(token)
        self.lang, self.linenos, self.block = lang, linenos, block
        self.blank = False

    def __str__(self) -> str:
        return f"{{% highlight {self.lang} %}}"

    def render_to_output(self, context, buffer) -> int:
        run = _RUN.get()
        inner = StringIO()
        self.block.render(context, inner)
        code = re.sub(r"\A[\r\n]+|[\r\n]+\Z", "", run.stash.text(inner.getvalue()))
        return buffer.write(run.stash.put(highlight_html(self.lang, code, self.linenos)))


class _Highlight(Tag):
    name = "highlight"
    end = "endhighlight"

    def parse(self, stream) -> Node:
        token = stream.current
        markup = ""
        if stream.peek.kind == TOKEN_EXPRESSION:
            next(stream)
            markup = stream.current.value
        words = markup.split()
        if not words:
            raise LiquidError("{% highlight %} needs a language, e.g. {% highlight python %}", token=token)
        linenos = any(w == "linenos" or w.startswith("linenos=") for w in words[1:])
        next(stream)
        block = get_parser(self.env).parse_block(stream, (self.end, TOKEN_EOF))
        stream.expect(TOKEN_TAG, value=self.end)
        return _HighlightNode(token, words[0], linenos, block)


_WHITESPACE_SPAN = re.compile(r'<span class="w">(\s*)</span>')  # Rouge leaves blanks bare


def highlight_html(lang: str, code: str, linenos: bool) -> str:
    """Pygments' tokens in the markup Jekyll's highlight tag writes (Rouge's class names are
    Pygments' short names); with ``linenos``, Jekyll's two-cell table."""
    try:
        lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False, ensurenl=False)
    tokens = _WHITESPACE_SPAN.sub(r"\1", pygmentize(code, lexer, HtmlFormatter(nowrap=True))).rstrip("\n")
    lang = lang.lower()
    head = (f'<figure class="highlight"><pre><code class="language-{escape(lang.replace("+", "-"))}" '
            f'data-lang="{escape(lang)}">')
    if not linenos:
        return f"{head}{tokens}</code></pre></figure>"
    count = code.count("\n") + 1
    numbers = "".join(f"{n}\n" for n in range(1, count + 1))
    return (f'{head}<table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">{numbers}'
            f'</pre></td><td class="code"><pre>{tokens}\n</pre></td></tr></tbody></table></code></pre></figure>')


# --- widget, cite, bibliography ---------------------------------------------------------------

def _widget(run: _Run, context, markup: str, token) -> str:
    widget_id = markup.strip().strip("\"'")
    if not widget_id:
        raise _Problem("{% widget %} needs an id", 'write {% widget "my-id" %}', token=token)
    return run.stash.put(run.tags.widget(widget_id, run.line_of(token)))


def _options(run: _Run, tag: str, args: str, token) -> tuple[list[str], str | None, set[str], list[str]]:
    """Split tag arguments into positional words, the ``--file`` value, the flags we honour and
    the locators (``-l 42``); warn about every other option."""
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise _Problem(f"cannot read the arguments of {{% {tag} %}}: {exc}", "check the quotes", token=token) from None
    positional: list[str] = []
    file: str | None = None
    flags: set[str] = set()
    locators: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("--file", "-f", "--locator", "-l", "--label", "-L"):
            if i + 1 >= len(words):
                raise _Problem(f"{word} needs a value", f"e.g. {{% {tag} key {word} value %}}", token=token)
            value = words[i + 1]
            if word in ("--file", "-f"):
                file = value
            elif word in ("--locator", "-l"):
                locators.append(value)
            else:
                flags.add("label:" + value)
            i += 2
            continue
        if word in ("--cited", "--cited_in_order"):
            flags.add("cited")
        elif word.startswith("-"):
            ignored = word
            if word not in _FLAGS and "=" not in word and i + 1 < len(words) and not words[i + 1].startswith("-"):
                ignored += " " + words[i + 1]
                i += 1
            run.warn(token, f"option {ignored!r} of {{% {tag} %}} is ignored",
                     "Stride reads --file, --cited and -l/-L; numbered references are always used")
        else:
            positional.append(word)
        i += 1
    return positional, file, flags, locators


def _bib_file(run: _Run, name: str | None, token) -> BibFile:
    folder = run.tags.bib_dir
    available = sorted(p.stem for p in folder.glob("*.bib")) if folder.is_dir() else []
    if name is None:
        name = run.tags.default_bib
    if name is None:
        if len(available) != 1:
            hint = ("set 'bibliography: {default: NAME}' in the site settings or add --file NAME"
                    if available else f"put a BibTeX file under {display_path(folder)}/")
            what = f"{len(available)} .bib files" if available else "no .bib file"
            raise _Problem(f"which bibliography? there is {what} and no --file", hint, token=token)
        name = available[0]
    name = name[:-4] if name.endswith(".bib") else name
    path = folder / f"{name}.bib"
    if not path.is_file():
        listed = ", ".join(available) or "none"
        raise _Problem(f"bibliography file {display_path(path)} not found",
                       f"files under {display_path(folder)}/: {listed}", token=token)
    return load_bib(path)


def _cite_keys(run: _Run, tag: str, markup: str, token) -> tuple[list[tuple[str, int]], list[str], set[str]]:
    keys, file, flags, locators = _options(run, tag, markup, token)
    if not keys:
        raise _Problem(f"{{% {tag} %}} needs at least one key", f"write {{% {tag} key1 key2 %}}", token=token)
    bib = _bib_file(run, file, token)
    numbered = []
    unknown = []
    for key in dict.fromkeys(keys):
        if key not in bib.entries:
            close = difflib.get_close_matches(key, list(bib.entries), n=3, cutoff=0.6)
            unknown.append((key, (f"did you mean {', '.join(repr(c) for c in close)}? " if close else "") +
                            f"keys come from {display_path(bib.path)}"))
            continue
        numbered.append((key, run.citations.cite(bib, key)))
    for key, hint in unknown[1:]:
        run.problem(token, f"unknown citation key {key!r}", hint)
    if unknown:
        raise _Problem(f"unknown citation key {unknown[0][0]!r}", unknown[0][1], token=token)
    if not run.first_cite_line:
        run.first_cite_line = run.line_of(token)
    return numbered, locators, flags


def _cite(run: _Run, context, markup: str, token) -> str:
    numbered, locators, flags = _cite_keys(run, "cite", markup, token)
    label = next((f[6:] for f in flags if f.startswith("label:")), "p.")
    label = {"page": "p.", "pages": "pp."}.get(label, label)
    links = []
    for i, (key, number) in enumerate(numbered):
        text = str(number) + (f", {label} {locators[i]}" if i < len(locators) else "")
        links.append(f'<a href="#ref-{escape(key)}">{escape(text, quote=False)}</a>')
    return run.stash.put('<span class="citation">[' + ", ".join(links) + "]</span>")


def _nocite(run: _Run, context, markup: str, token) -> str:
    _cite_keys(run, "nocite", markup, token)
    return ""


def _bibliography(run: _Run, context, markup: str, token) -> str:
    extra, file, flags, _ = _options(run, "bibliography", markup, token)
    if extra:
        raise _Problem(f"unexpected argument {extra[0]!r} in {{% bibliography %}}",
                       "write {% bibliography --cited %} or {% bibliography --cited --file NAME %}", token=token)
    bib = _bib_file(run, file, token)
    citations = run.citations
    citations.listed = True

    def render() -> str:
        # Cited entries in citation order; without --cited, the rest of the file follows.
        numbered = sorted((n, citations.entries[slot]) for slot, n in citations.numbers.items()
                          if slot[0] == bib.path)
        if "cited" not in flags:
            for key, entry in bib.entries.items():
                if (bib.path, key) not in citations.numbers:
                    numbered.append((len(citations.numbers) + 1, entry))
                    citations.numbers[(bib.path, key)] = len(citations.numbers) + 1
        return bibliography_html(numbered)

    return run.stash.put(render)


_Include = _simple_tag("include", _include_tag(relative=False))
_IncludeCached = _simple_tag("include_cached", _include_tag(relative=False))  # jekyll-include-cache
_IncludeRelative = _simple_tag("include_relative", _include_tag(relative=True))
_PostUrl = _simple_tag("post_url", _post_url)
_Link = _simple_tag("link", _link)
_Cite = _simple_tag("cite", _cite)
_NoCite = _simple_tag("nocite", _nocite)
_Bibliography = _simple_tag("bibliography", _bibliography)
_Widget = _simple_tag("widget", _widget)
