"""The Liquid tags an al-folio post uses, expanded before Markdown sees the text.

Each tag's HTML goes into a :class:`Stash` and the text gets an opaque token instead, so
Markdown cannot escape or re-wrap it; :meth:`Stash.restore` puts the HTML back after rendering
(a token alone in a paragraph replaces the whole ``<p>``). Text inside ``{% raw %}`` is kept as
written. Every error names the real line of the tag in the source file: the body starts at
``first_line`` and lines are counted from there (1-based).
"""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Callable, Mapping

from generator.bibliography import BibFile, Entry, bibliography_html, load_bib
from generator.errors import ContentError, Diagnostic, display_path


@dataclass(frozen=True)
class TagHandlers:
    """What the core lends the tag layer. ``include(path, params, line)`` and
    ``widget(id, line)`` return trusted HTML and raise ContentError themselves; ``bib_dir`` is
    ``content/bib``; ``default_bib`` is the file name used when a tag has no ``--file`` (None:
    the site's only .bib file); ``warn`` receives non-fatal diagnostics; ``url`` (optional)
    maps a site path to its public URL."""

    include: Callable[[str, Mapping[str, str], int], str]
    widget: Callable[[str, int], str]
    bib_dir: Path
    default_bib: str | None
    warn: Callable[[Diagnostic], None]
    # The core's url() helper (applies base_url). When given, the two Liquid output expressions
    # al-folio posts use for links resolve: {{ site.baseurl }} and {{ 'path' | relative_url }}.
    # Every other {{ ... }} is left as written.
    url: Callable[[str], str] | None = None


SUPPORTED = ("include", "widget", "cite", "bibliography", "raw", "comment", "highlight")
_TAG = re.compile(r"\{%-?\s*(?P<name>[A-Za-z_][\w-]*)?(?P<args>.*?)\s*-?%\}", re.S)
TOKEN_TEXT = re.compile(r"stridetok\d+x")
_TOKEN = re.compile(r"<p>\s*stridetok(\d+)x\s*</p>|stridetok(\d+)x")
_TAGS = re.compile(r"<[^>]*>")
_ANCHOR = re.compile(r"</?a\b[^>]*>")
_CODE = re.compile(r"<code\b.*?</code>", re.S)
_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
# jekyll-scholar options that take no value; any other option we ignore swallows one value.
_FLAGS = {"--cited", "--cited_in_order", "--remove_duplicates", "--suppress_author", "-A", "--text"}


class Stash:
    """HTML held out of Markdown's reach, keyed by tokens made of letters and digits only (so
    no Markdown, Pygments or TOC rule changes them). Values may be callables, evaluated at
    restore time: a bibliography must list citations made after it in the text."""

    def __init__(self) -> None:
        self._items: list[str | Callable[[], str]] = []
        self._values: list[str] | None = None

    def put(self, html: str | Callable[[], str]) -> str:
        self._items.append(html)
        return f"stridetok{len(self._items) - 1}x"

    def restore(self, html: str, *, links: bool = True) -> str:
        """Put the stashed HTML back; ``links=False`` drops <a> tags from it (for a table of
        contents, whose entries are links already)."""
        if self._values is None or len(self._values) != len(self._items):
            self._values = [v() if callable(v) else v for v in self._items]
        values = self._values
        # Inside <code> the HTML is shown as text, as Jekyll shows it (Liquid runs before kramdown).
        code = [m.span() for m in _CODE.finditer(html)]

        def put(m: re.Match) -> str:
            value = values[int(m.group(1) or m.group(2))]
            if not links:
                value = _ANCHOR.sub("", value)
            if html.rfind("<", 0, m.start()) > html.rfind(">", 0, m.start()):
                return escape(_TAGS.sub("", value))  # in an attribute (a link's href, say): text only
            inside = any(a <= m.start() < b for a, b in code)
            return escape(value, quote=False) if inside else value

        return _TOKEN.sub(put, html)


class Citations:
    """Citation numbers for one document: 1-based, in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[Path, str], int] = {}
        self.entries: dict[tuple[Path, str], Entry] = {}
        self.listed = False

    def cite(self, bib: BibFile, key: str) -> int:
        slot = (bib.path, key)
        if slot not in self.numbers:
            self.numbers[slot] = len(self.numbers) + 1
            self.entries[slot] = bib.entries[key]
        return self.numbers[slot]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.numbers)


@dataclass
class _Context:
    body: str
    path: str
    first_line: int
    tags: TagHandlers
    stash: Stash
    citations: Citations
    first_cite_line: int = 0

    def line(self, offset: int) -> int:
        return self.first_line + self.body.count("\n", 0, offset)

    def error(self, offset: int, message: str, hint: str = "") -> ContentError:
        return ContentError(self.path, self.line(offset), message, hint)


def expand_tags(body: str, *, path: str, first_line: int, tags: TagHandlers,
                stash: Stash) -> tuple[str, Citations]:
    """Replace every Liquid tag in ``body`` by a stash token (or, for ``raw``, ``comment`` and
    ``highlight``, by plain text). Returns the new text and the document's citations."""
    ctx = _Context(body, path, first_line, tags, stash, Citations())
    out: list[str] = []
    pos = 0
    while True:
        m = _TAG.search(body, pos)
        if m is None:
            out.append(_outputs(body[pos:], tags.url))
            break
        out.append(_outputs(body[pos:m.start()], tags.url))
        name, args = (m.group("name") or ""), m.group("args").strip()
        if name in ("raw", "comment", "highlight"):
            end = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}").search(body, m.end())
            if end is None:
                raise ctx.error(m.start(), f"{{% {name} %}} is never closed",
                                f"add {{% end{name} %}} after the block")
            inner = body[m.end():end.start()]
            if name == "raw":
                out.append(inner)
            elif name == "highlight":
                out.append(_fence(args.split()[0] if args else "", inner))
            pos = end.end()
            continue
        html = _tag_html(ctx, name, args, m.start())
        token = stash.put(html)
        if _alone_on_line(body, m.start(), m.end()) and (callable(html) or _BLOCK_START.match(html)):
            # Block HTML on a line of its own ends the paragraph around it, as in kramdown; the
            # blank lines keep the line's indentation so the block stays inside a list item.
            indent = body[body.rfind("\n", 0, m.start()) + 1:m.start()]
            token = f"\n{indent}{token}\n"
        out.append(token)
        pos = m.end()
    if ctx.citations.numbers and not ctx.citations.listed:
        tags.warn(Diagnostic(display_path(path), ctx.first_cite_line,
                             "citations without a {% bibliography %} tag: their links lead nowhere",
                             "add {% bibliography --cited %} at the end of the post", severity="warning"))
    return "".join(out), ctx.citations


_BASEURL = re.compile(r"\{\{-?\s*site\.baseurl\s*-?\}\}")
_RELATIVE = re.compile(r"""\{\{-?\s*(?:"([^"]*)"|'([^']*)')\s*\|\s*relative_url\s*-?\}\}""")


def _outputs(text: str, url: Callable[[str], str] | None) -> str:
    """Resolve the link expressions we know; leave any other ``{{ ... }}`` untouched."""
    if url is None or "{{" not in text:
        return text
    text = _BASEURL.sub(lambda m: url("/").rstrip("/"), text)
    return _RELATIVE.sub(lambda m: url(m.group(1) if m.group(1) is not None else m.group(2)), text)


_BLOCK_START = re.compile(
    r"\s*<(?:address|article|aside|blockquote|details|div|dl|fieldset|figure|footer|form|h[1-6]|header|hr"
    r"|iframe|nav|ol|p|pre|section|table|ul|video|audio|canvas|script|style|template|!--)\b", re.I)


def _alone_on_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return not text[line_start:start].strip() and not text[end:len(text) if line_end < 0 else line_end].strip()


def _fence(lang: str, code: str) -> str:
    ticks = "`" * max(3, max((len(r) for r in re.findall(r"`+", code)), default=0) + 1)
    return f"{ticks}{lang}\n{code.strip(chr(10))}\n{ticks}"


def _tag_html(ctx: _Context, name: str, args: str, offset: int) -> str | Callable[[], str]:
    if name == "include":
        return _include(ctx, args, offset)
    if name == "widget":
        widget_id = args.strip().strip("\"'")
        if not widget_id:
            raise ctx.error(offset, "{% widget %} needs an id", 'write {% widget "my-id" %}')
        return ctx.tags.widget(widget_id, ctx.line(offset))
    if name == "cite":
        return _cite(ctx, args, offset)
    if name == "bibliography":
        return _bibliography(ctx, args, offset)
    if name.startswith("end") and name[3:] in ("raw", "comment", "highlight"):
        raise ctx.error(offset, f"{{% {name} %}} without a matching {{% {name[3:]} %}}")
    shown = f"{{% {name} %}}" if name else "an empty {% %} tag"
    raise ctx.error(offset, f"unsupported Liquid tag {shown}",
                    "supported tags: " + ", ".join(SUPPORTED) + "; wrap literal text in {% raw %}...{% endraw %}")


def _include(ctx: _Context, args: str, offset: int) -> str:
    m = re.match(r"""\s*(?:"([^"]+)"|'([^']+)'|(\S+))""", args)
    if not m:
        raise ctx.error(offset, "{% include %} needs a file name", "write {% include note.html text=\"...\" %}")
    target = m.group(1) or m.group(2) or m.group(3)
    rest = args[m.end():]
    params: dict[str, str] = {}
    for p in _PARAM.finditer(rest):
        value = p.group(2) if p.group(2) is not None else p.group(3) if p.group(3) is not None else p.group(4)
        params[p.group(1)] = value
    leftover = _PARAM.sub("", rest).strip()
    if leftover:
        raise ctx.error(offset, f"cannot read include parameters {leftover!r}",
                        'parameters are key=value or key="value with spaces"')
    return ctx.tags.include(target, params, ctx.line(offset))


def _options(ctx: _Context, tag: str, args: str, offset: int) -> tuple[list[str], str | None, set[str]]:
    """Split tag arguments into positional words, the ``--file`` value and the flags we honour;
    warn about every other option."""
    try:
        words = shlex.split(args)
    except ValueError as exc:
        raise ctx.error(offset, f"cannot read the arguments of {{% {tag} %}}: {exc}", "check the quotes") from None
    positional: list[str] = []
    file: str | None = None
    flags: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("--file", "-f"):
            if i + 1 >= len(words):
                raise ctx.error(offset, f"{word} needs a file name", f"e.g. {{% {tag} ... --file papers %}}")
            file, i = words[i + 1], i + 2
            continue
        if word in ("--cited", "--cited_in_order"):
            flags.add("cited")
        elif word.startswith("-"):
            ignored = word
            if word not in _FLAGS and "=" not in word and i + 1 < len(words) and not words[i + 1].startswith("-"):
                ignored += " " + words[i + 1]
                i += 1
            ctx.tags.warn(Diagnostic(display_path(ctx.path), ctx.line(offset),
                                     f"option {ignored!r} of {{% {tag} %}} is ignored",
                                     "Stride reads --file and --cited; numbered references are always used",
                                     severity="warning"))
        else:
            positional.append(word)
        i += 1
    return positional, file, flags


def _bib_file(ctx: _Context, name: str | None, offset: int) -> BibFile:
    folder = ctx.tags.bib_dir
    available = sorted(p.stem for p in folder.glob("*.bib")) if folder.is_dir() else []
    if name is None:
        name = ctx.tags.default_bib
    if name is None:
        if len(available) != 1:
            hint = ("set 'bibliography: {default: NAME}' in the site settings or add --file NAME"
                    if available else f"put a BibTeX file under {display_path(folder)}/")
            what = f"{len(available)} .bib files" if available else "no .bib file"
            raise ctx.error(offset, f"which bibliography? there is {what} and no --file", hint)
        name = available[0]
    name = name[:-4] if name.endswith(".bib") else name
    path = folder / f"{name}.bib"
    if not path.is_file():
        listed = ", ".join(available) or "none"
        raise ctx.error(offset, f"bibliography file {display_path(path)} not found",
                        f"files under {display_path(folder)}/: {listed}")
    return load_bib(path)


def _cite(ctx: _Context, args: str, offset: int) -> str:
    keys, file, _ = _options(ctx, "cite", args, offset)
    if not keys:
        raise ctx.error(offset, "{% cite %} needs at least one key", "write {% cite key1 key2 %}")
    bib = _bib_file(ctx, file, offset)
    links = []
    for key in dict.fromkeys(keys):
        if key not in bib.entries:
            close = difflib.get_close_matches(key, list(bib.entries), n=3, cutoff=0.6)
            hint = (f"did you mean {', '.join(repr(c) for c in close)}? " if close else "") + \
                f"keys come from {display_path(bib.path)}"
            raise ctx.error(offset, f"unknown citation key {key!r}", hint)
        number = ctx.citations.cite(bib, key)
        links.append(f'<a href="#ref-{escape(key)}">{number}</a>')
    if not ctx.first_cite_line:
        ctx.first_cite_line = ctx.line(offset)
    return '<span class="citation">[' + ", ".join(links) + "]</span>"


def _bibliography(ctx: _Context, args: str, offset: int) -> Callable[[], str]:
    extra, file, flags = _options(ctx, "bibliography", args, offset)
    if extra:
        raise ctx.error(offset, f"unexpected argument {extra[0]!r} in {{% bibliography %}}",
                        "write {% bibliography --cited %} or {% bibliography --cited --file NAME %}")
    bib = _bib_file(ctx, file, offset)
    ctx.citations.listed = True
    citations = ctx.citations

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

    return render
