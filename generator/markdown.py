"""Markdown to HTML: Python-Markdown with math, highlighting and the al-folio Liquid tags.

Order of work for one document: Liquid tags -> stash tokens (generator/liquid.py); the kramdown
pre-passes (generator/kramdown.py: extensions, ``{:toc}``, IALs, list nesting); a math pass that
stashes the TeX arithmatex cannot see (kramdown-style inline ``$$..$$``, a ``$$`` block with blank
lines, ``\\[..\\]`` or an environment inside a paragraph); Python-Markdown; the kramdown
post-passes (IAL placement, the TOC, footnote and task-list markup); then the stashed HTML goes
back in. Math output is what MathJax 3 finds with its default delimiters: ``\\(..\\)`` inside
``span.arithmatex``, ``\\[..\\]`` or a bare AMS environment (so ``tags: 'ams'`` numbers it) inside
``div.arithmatex``.

One Markdown instance per thread, reset between documents: building it costs far more than a
small post does to convert.
"""

from __future__ import annotations

import importlib
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from html import escape

import markdown
from markdown.extensions.toc import slugify
from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.util import ClassNotFound

from generator import kramdown, markdown_limits, markdown_shortcuts
from generator.contrast import readable_css
from generator.errors import ContentError, Diagnostic, display_path
from generator.liquid import TOKEN_TEXT, Stash, TagHandlers, expand_tags

__all__ = ["TagHandlers", "RenderedMarkdown", "render_document", "render_markdown", "pygments_css",
           "python_blocks"]


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str  # body HTML
    toc_html: str  # nested <ul> of headings, "" when the body has none
    has_math: bool  # the page needs MathJax
    citations: tuple[str, ...]  # cited keys, in citation order


def _slug(value: str, separator: str) -> str:
    """Heading ids from the words of the heading only, never from a stashed tag's token."""
    return slugify(TOKEN_TEXT.sub("", value), separator)


# def_list, abbr, tilde (~~strike~~) and tasklist give what kramdown's GFM input has; smart
# quotes and symbols come from the kramdown module (cheaper than the bundled smarty), as does the
# rest of kramdown's syntax.
_EXTENSIONS = [
    "tables", "footnotes", "attr_list", "md_in_html", "admonition", "toc", "def_list", "abbr",
    "pymdownx.highlight", "pymdownx.superfences", "pymdownx.arithmatex", "pymdownx.tilde", "pymdownx.tasklist",
    kramdown.typography_extension(),
]
_CONFIG = {
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.highlight": {"css_class": "highlight", "use_pygments": True, "guess_lang": False,
                           "pygments_lang_class": True},
    "pymdownx.tilde": {"subscript": False},  # GFM has ~~strike~~ only
    "toc": {"slugify": _slug, "permalink": "#", "permalink_class": "headerlink", "toc_depth": "1-4"},
    "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
}
_local = threading.local()
markdown_shortcuts.install()


# Environments that are display math by themselves; anything else (matrix, cases, ...) needs
# math mode around it.
_TOP_ENVS = r"(?:equation|align|gather|multline|flalign|alignat|eqnarray|split)\*?"
_WRAPPED_ENV = re.compile(r"\\\[\s*(\\begin\{(" + _TOP_ENVS + r")\}.*?\\end\{\2\})\s*\\\]", re.S)
_MATH = re.compile(
    r"(?<!\\)\$\$(?P<dollar>(?:\\.|[^\\$])+?)\$\$"
    r"|(?<!\\)\\\[(?P<square>.+?)(?<!\\)\\\]"
    r"|\\begin\{(?P<env>[A-Za-z]+\*?)\}.*?\\end\{(?P=env)\}"
    # Inline math arithmatex handles itself (its own smart-dollar rule): matched only so that an
    # environment or bracket inside it is not taken out.
    r"|(?P<inline>(?<!\\)\$(?!\s)(?:\\.|[^\\$])+?(?<!\s)\$|(?<!\\)\\\((?:\\[^)]|[^\\])+?\\\))",
    re.S,
)
# Every alternative of _MATH starts with one of these: scanning for them (a fast character-set
# search) and trying _MATH only there finds the same leftmost match as _MATH.search, which tries
# all five alternatives at every position of the text (a fifth of the Markdown stage's CPU).
_MATH_START = re.compile(r"[$\\]")


def _search_math(masked: str, pos: int) -> re.Match | None:
    """``_MATH.search(masked, pos)``, trying only positions where a delimiter can start."""
    while (start := _MATH_START.search(masked, pos)) is not None:
        found = _MATH.match(masked, start.start())
        if found is not None:
            return found
        pos = start.start() + 1
    return None


_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_IAL = re.compile(r"^[ \t]*\{:\s*([^}]*)\}[ \t]*$")
_NOT_NEWLINE = re.compile(r"[^\n]")


def _extensions() -> list[markdown.extensions.Extension]:
    """``_EXTENSIONS`` made with their ``_CONFIG``, as Python-Markdown makes them from their names
    (each module's ``makeExtension``). Given names, it first lists every installed distribution's
    entry points to look for one registered under that name: about 24 ms in each fresh process
    and each forked worker. Made here, an extension is also never one another package registered
    under the same short name."""
    made = []
    for extension in _EXTENSIONS:
        if isinstance(extension, str):
            module = importlib.import_module(extension if "." in extension else f"markdown.extensions.{extension}")
            extension = module.makeExtension(**_CONFIG.get(extension, {}))
        made.append(extension)
    return made


def prepare() -> None:
    """Make this thread's Markdown engine now (about 50 ms: the extensions and their patterns),
    e.g. while workers read the files, so that the workers forked to render Markdown inherit it
    instead of each making its own."""
    _md()


def _md() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=_extensions(), output_format="html")
        markdown_shortcuts.prefilter(md)
    return md


def render_document(body: str, *, path: str, first_line: int, tags: TagHandlers) -> RenderedMarkdown:
    """Render a post or page body. ``first_line`` is the 1-based line of the body's first line in
    ``path``; errors from tags name real file lines."""
    unclosed = unclosed_display_math(body)
    if unclosed is not None:
        raise ContentError(path, first_line + unclosed, "display math opened with $$ is never closed",
                           "add the closing $$, or write \\$ for a literal dollar sign")
    if "``" in body or "~~" in body:
        lines = body.split("\n")
        for first, last, _, _ in _fenced_blocks(lines):
            if last == len(lines):
                fence = _FENCE.match(lines[first]).group("fence")
                tags.warn(Diagnostic(display_path(path), first_line + first,
                                     "code fence is never closed: the rest of the document is code",
                                     f"add a line {fence} where the code ends", severity="warning"))
    stash = Stash()
    text, citations = expand_tags(body, path=path, first_line=first_line, tags=tags, stash=stash)
    keys = citations.keys  # before rendering: a full bibliography may add uncited entries
    over = markdown_limits.check(text, _mask_code)
    if over is not None:
        # Lines count in the text after Liquid, which keeps the body's lines unless a tag's
        # output spans several.
        raise ContentError(path, first_line + over[0], over[1], over[2])
    return _render(text, stash, keys)


# Regions where $$ is not a math delimiter: HTML comments and {% raw %} blocks.
_COMMENT_OR_RAW = re.compile(r"<!--|\{%-?\s*raw\s*-?%\}")
_RAW_OPEN = re.compile(r"\{%-?\s*raw\s*-?%\}")
_COMMENT = re.compile("<!--")
_RAW_CLOSE = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def _blank_comments_and_raw(body: str) -> str:
    """``body`` with each HTML comment and ``{% raw %}`` block replaced by its newlines (so line
    numbers hold). An opener with no closer after it is left as it is; once one kind has no
    closer, no later opener of that kind can have one, so that kind is no longer searched for:
    one pass, where a lazy regex rescanned to the end from each of 50,000 unclosed openers."""
    if "<!--" not in body and "raw" not in body:
        return body
    pieces, done, pos = [], 0, 0
    opener = _COMMENT_OR_RAW
    while opener is not None and (m := opener.search(body, pos)) is not None:
        if m.group(0) == "<!--":
            end = body.find("-->", m.end())
            end = end + 3 if end >= 0 else -1
        else:
            close = _RAW_CLOSE.search(body, m.end())
            end = close.end() if close else -1
        if end < 0:  # search on for the other kind only (none of it lies before m)
            opener = (_RAW_OPEN if m.group(0) == "<!--" else _COMMENT) if opener is _COMMENT_OR_RAW else None
            pos = m.start() + 1
            continue
        pieces += [body[done:m.start()], "\n" * body.count("\n", m.start(), end)]
        done = pos = end
    return "".join(pieces) + body[done:] if pieces else body


def unclosed_display_math(body: str) -> int | None:
    """0-based line of the first ``$$`` with no partner, or None. Code (fenced or inline), HTML
    comments and ``{% raw %}`` blocks are skipped. Without this check an unclosed ``$$`` silently
    turns the rest of the post into literal text."""
    if "$" not in body:
        return None  # no dollar sign, no $$ to pair
    body = _blank_comments_and_raw(body)
    opened: int | None = None
    fence = ""
    lines = body.splitlines()
    # Only a line with $$, `` or ~~ can open, close or contain anything this scan counts.
    for number in [n for n, line in enumerate(lines) if "$$" in line or "``" in line or "~~" in line]:
        line = lines[number]
        marker = _FENCE.match(line)
        if fence:
            if marker and marker.group("fence")[0] == fence[0] and len(marker.group("fence")) >= len(fence):
                fence = ""
            continue
        if marker:
            fence = marker.group("fence")
            continue
        for _ in re.finditer(r"(?<!\\)\$\$", _INLINE_CODE.sub("", line)):
            opened = number if opened is None else None
    return opened


def render_markdown(text: str) -> RenderedMarkdown:
    """Plain Markdown and math, no Liquid tags (excerpts, tests)."""
    return _render(text, Stash(), ())


def _render(text: str, stash: Stash, citations: tuple[str, ...]) -> RenderedMarkdown:
    toc_token, ordered_toc, ials = None, False, []
    if "{:" in text:
        masked = _mask_code(text)
        if "{::" in text:
            text = kramdown.extensions(text, stash, masked)
            masked = _mask_code(text)
        text, toc_token, ordered_toc = kramdown.toc_marker(text, stash, masked)
        text = _ial_after_fences(text)
    if "<<" in text:
        text = kramdown.angled_quotes(text, _mask_code(text))
    lines = text.split("\n")
    if _LIST_ITEM.search(text) or "{:" in text:
        code = _fence_mask(lines)
        in_list = kramdown.reindent_lists(lines, code, stash) if _LIST_ITEM.search(text) else [False] * len(lines)
        if "{:" in text:
            ials = kramdown.block_ials(lines, code, in_list, stash)
        text = "\n".join(lines)
    text = _protect_math(text, stash)
    md = _md()
    md.reset()
    try:
        html = md.convert(text)
        toc = _toc_list(getattr(md, "toc", ""))
        toc_tokens = getattr(md, "toc_tokens", [])
    finally:
        md.reset()  # drop the document's stash and footnotes now, not at the next call
    html = _WRAPPED_ENV.sub(r"\1", html)
    html = align_by_class(html)
    if ials:
        html, renamed = kramdown.attach_block_ials(html, ials)
        if renamed:
            kramdown.rename_toc_ids(toc_tokens, renamed)
            toc = re.sub(r'href="#([^"]*)"', lambda m: f'href="#{renamed.get(m.group(1), m.group(1))}"', toc)
    if toc_token is not None:
        listing = kramdown.toc_html(toc_tokens, ordered_toc, kramdown.no_toc_ids(html))
        html = re.sub(r"<p>\s*" + toc_token + r"\s*</p>", lambda _: listing, html)
    html = kramdown.tasks_as_kramdown(kramdown.footnotes_as_kramdown(html))
    html = stash.restore(html)
    toc = stash.restore(toc, links=False) if toc else ""
    return RenderedMarkdown(html=html, toc_html=toc, has_math='class="arithmatex"' in html,
                            citations=citations)


_LIST_ITEM = re.compile(r"^[ \t>]*(?:[*+-]|\d{1,9}[.)])[ \t]", re.M)


def _fence_mask(lines: list[str]) -> list[bool]:
    """Per line: inside a fenced code block (the fence lines themselves are not)."""
    code = [False] * len(lines)
    for first, last, _, _ in _fenced_blocks(lines):
        code[first + 1:last] = [True] * (min(last, len(lines)) - first - 1)
    return code


_ALIGN_STYLE = re.compile(r'<(t[hd])\b([^>]*?) style="text-align: (left|right|center);"')


def align_by_class(html: str) -> str:
    """Table cells aligned with ``class="align-left|right|center"`` (site.css) instead of the
    ``style`` attribute Python-Markdown writes: a Content-Security-Policy with ``style-src
    'self'`` ignores style attributes, which would lose every column's alignment."""
    return _ALIGN_STYLE.sub(r'<\1\2 class="align-\3"', html) if "text-align" in html else html


def _toc_list(toc: str) -> str:
    start = toc.find("<ul>")
    return toc[start:toc.rfind("</ul>") + 5].strip() if start >= 0 and "<li>" in toc else ""


# --- code regions -----------------------------------------------------------------------------

def _fenced_blocks(lines: list[str]):
    """Yield (open_index, close_index or len(lines), indent, info) for every fenced block,
    line indices 0-based; an unclosed fence runs to the end, as in Python-Markdown."""
    # Opening and closing fence lines both hold ``` or ~~~: only those lines are looked at.
    marked = [i for i, line in enumerate(lines) if "```" in line or "~~~" in line]
    k = 0
    while k < len(marked):
        i = marked[k]
        k += 1
        m = _FENCE.match(lines[i])
        if m and not (m.group("fence")[0] == "`" and "`" in m.group("info")):
            fence = m.group("fence")
            j = len(lines)
            while k < len(marked):
                close = lines[marked[k]].strip()
                k += 1
                if close.startswith(fence) and set(close) == {fence[0]}:
                    j = marked[k - 1]
                    break
            yield i, j, m.group("indent"), m.group("info").strip()


def _mask_code(text: str) -> str:
    """``text`` with fenced blocks and inline code spans blanked out (same length, newlines
    kept), so searches for math never look inside code."""
    masked = text
    if "``" in text or "~~" in text:
        lines = text.split("\n")
        lengths = [0, *accumulate(map(len, lines))]  # characters in the first k lines, newlines apart

        def offset(k: int) -> int:  # where line k starts in text
            return lengths[k] + k

        pieces, done = [], 0
        for first, last, _, _ in _fenced_blocks(lines):
            start, end = offset(first), min(offset(min(last + 1, len(lines))), len(text))
            pieces += [text[done:start], _NOT_NEWLINE.sub("\0", text[start:end])]
            done = end
        masked = "".join(pieces) + text[done:] if pieces else text
    if "`" not in masked:
        return masked

    def blank(m: re.Match) -> str:
        code = m.group(0)
        return code if "\n\n" in code or "\0" in code else _NOT_NEWLINE.sub("\0", code)

    return _INLINE_CODE.sub(blank, masked)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """Fenced code blocks tagged ``python`` (or ``py``/``python3``) as (1-based line of the
    block's first code line in ``text``, code with the fence's indentation removed)."""
    lines = text.split("\n")
    found = []
    for first, last, indent, info in _fenced_blocks(lines):
        lang = info.strip("{}. ").split()[0].lstrip(".").lower() if info.strip("{}. ") else ""
        if lang in ("python", "py", "python3"):
            body = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip() for ln in lines[first + 1:last]]
            found.append((first + 2, "\n".join(body) + ("\n" if body else "")))
    return found


# --- pre-passes -------------------------------------------------------------------------------

def _ial_after_fences(text: str) -> str:
    """kramdown puts ``{: .cls}`` on the line after a fenced block; superfences wants it in the
    opening fence (``` {.python .cls}). Move it there and blank the IAL line (line count kept)."""
    if "{:" not in text:
        return text
    lines = text.split("\n")
    changed = False
    for first, last, indent, info in list(_fenced_blocks(lines)):
        if last + 1 < len(lines) and (m := _IAL.match(lines[last + 1])):
            fence = _FENCE.match(lines[first]).group("fence")
            words = info.strip("{}").split() or ["text"]  # superfences reads the first class as the language
            lang = [w if w.startswith((".", "#")) or "=" in w else "." + w for w in words[:1]] + words[1:]
            lines[first] = f"{indent}{fence} {{{' '.join(lang + m.group(1).split())}}}"
            lines[last + 1] = ""
            changed = True
    return "\n".join(lines) if changed else text


_QUOTE = re.compile(r"[ \t>]*")


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end


def _own_lines(text: str, start: int, end: int) -> bool:
    """Nothing but indentation or blockquote markers before ``start`` on its line, nothing
    after ``end`` on its line."""
    line_start, line_end = _line_bounds(text, start, end)
    return not _QUOTE.sub("", text[line_start:start]) and not text[end:line_end].strip()


def _whole_block(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a block of its own: on its own lines, with a blank line (or
    the text's edge) before and after; blockquote markers count as blank."""
    if not _own_lines(text, start, end):
        return False
    line_start, line_end = _line_bounds(text, start, end)
    prev = text[:max(line_start - 1, 0)].rsplit("\n", 1)[-1] if line_start else ""
    after = text[line_end + 1:].split("\n", 1)[0] if line_end < len(text) else ""
    return not _QUOTE.sub("", prev).strip() and not _QUOTE.sub("", after).strip()


def _protect_math(text: str, stash: Stash) -> str:
    """Stash math that arithmatex would miss or mangle. A whole-block ``$$``/``\\[``/environment
    is left to arithmatex; inside a paragraph, ``$$..$$`` is inline math (as kramdown reads it)
    unless it stands on lines of its own, ``\\[..\\]`` is display math, and an environment is
    kept bare so MathJax numbers it."""
    if "$" not in text and "\\" not in text:
        return text  # no math delimiter of any kind
    masked = _mask_code(text)
    out, pos, search = [], 0, 0
    while (m := _search_math(masked, search)) is not None:
        start, end = m.span()
        if "\0" in m.group(0):
            search = start + 1  # crosses code: not math, look further on
            continue
        if re.search(r"\n[ \t>]*\n", m.group(0)):
            if m.group("dollar") is None or not _whole_block(masked, start, end):
                search = start + 1  # crosses a paragraph break: not math, look further on
                continue
            # kramdown keeps a $$ block that stands alone as one display, blank lines and all;
            # Python-Markdown would split it into paragraphs, so it is stashed whole.
            tex = re.sub(r"\n[ \t]*>[ \t]?", "\n", text[start + 2:end - 2]).strip()
            out += [text[pos:start], stash.put(f'<div class="arithmatex">\\[\n{escape(tex, quote=False)}\n\\]</div>')]
            pos = search = end
            continue
        search = end
        if m.group("inline") is not None or _whole_block(masked, start, end):
            continue
        if _QUOTE.match(masked, _line_bounds(masked, start, end)[0]).group(0).strip():
            tex_source = re.sub(r"\n[ \t]*>[ \t]?", "\n", text[start:end])  # drop quote markers
        else:
            tex_source = text[start:end]
        if m.group("dollar") is not None:
            tex = tex_source[2:-2]
            display = _own_lines(masked, start, end)
        elif m.group("square") is not None:
            tex, display = tex_source[2:-2], True
        else:
            tex, display = tex_source, None
        if display is None:
            top = re.fullmatch(_TOP_ENVS, m.group("env")) is not None
            inner = escape(tex, quote=False)
            html = '<span class="arithmatex">' + (inner if top else "\\[" + inner + "\\]") + "</span>"
        elif display:
            html = f'<span class="arithmatex">\\[{escape(tex.strip(), quote=False)}\\]</span>'
        else:
            html = f'<span class="arithmatex">\\({escape(tex.strip(), quote=False)}\\)</span>'
        out.append(text[pos:start])
        out.append(stash.put(html))
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- highlighting CSS -------------------------------------------------------------------------

CODE_BACKGROUND = {"light": "#f3f5f7", "dark": "#1f242b"}  # --code-bg of the two themes


def _has_style(name: str) -> bool:
    """Whether Pygments has the style ``name``, built in or from a plugin. Asked by name: listing
    every style (get_all_styles) imports each style module and scans every installed
    distribution's entry points, 60 ms of every build's start."""
    try:
        get_style_by_name(name)
    except ClassNotFound:
        return False
    return True


@lru_cache(maxsize=1)
def pygments_css() -> str:
    """Highlighting CSS: the light style by default; the dark one when the reader prefers dark
    (unless the toggle forced light) or when the toggle sets ``data-theme="dark"`` on <html>."""
    # Neither style reaches WCAG AA (4.5:1) for every token on the theme's code background
    # (--code-bg in assets/css/site.css); such token colours are darkened (lightened) until they do.
    light = readable_css(HtmlFormatter(style="default").get_style_defs(".highlight"), CODE_BACKGROUND["light"])
    dark_style = "github-dark" if _has_style("github-dark") else "monokai"
    dark = HtmlFormatter(style=dark_style)
    auto = readable_css(dark.get_style_defs(':root:not([data-theme="light"]) .highlight'), CODE_BACKGROUND["dark"])
    forced = readable_css(dark.get_style_defs('[data-theme="dark"] .highlight'), CODE_BACKGROUND["dark"])
    indented = "\n".join("  " + line for line in auto.splitlines())
    return (f"/* Pygments 'default' (light) */\n{light}\n\n"
            f"/* Pygments '{dark_style}' (dark) */\n@media (prefers-color-scheme: dark) {{\n{indented}\n}}\n"
            f"{forced}\n")
