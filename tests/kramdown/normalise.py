"""Reduce an HTML fragment to the structure a reader sees, so that kramdown's output (through
Jekyll) and Stride's can be compared line by line.

What is kept: the element tree, each element's classes (sorted), the text (whitespace runs
collapsed), ``alt`` of images, ``checked`` of checkboxes, code blocks (language and text) and
maths (inline or display, and the TeX). What is dropped, and why (docs/kramdown.md lists it too):

- ``id``, ``href`` and every other attribute (a table cell's ``text-align`` style counts as
  the ``align-*`` class Stride writes instead): kramdown and Python-Markdown slug headings
  differently (``auto_ids`` vs the toc extension), and footnote anchors are named differently;
  neither changes what the page shows;
- the ``a.headerlink`` permalink Stride adds to every heading (a deliberate feature);
- the classes Rouge puts on every code span (``language-plaintext highlighter-rouge``);
- highlighter markup: Rouge and Pygments wrap code in different ``div``/``span`` trees, so a
  code block becomes one node with its language (Rouge's ``plaintext`` and
  Pygments' ``text`` count as none), its
  extra classes and its plain text;
- maths delimiters: kramdown writes ``\\(..\\)``/``\\[..\\]`` as bare text and leaves ``$..$``
  for MathJax (al-folio's MathJax config has ``$`` as an inline delimiter); Stride wraps maths
  in ``.arithmatex``. Both become one maths node, found with the delimiters MathJax uses.
  A display block holding only an AMS environment is the environment either way
  (``\\[\\begin{equation}..\\]`` and a bare ``\\begin{equation}`` typeset the same), and a
  paragraph holding only one display equation is that equation.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source"}
BLOCK = {"p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "table", "thead", "tbody",
         "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "code-block", "math"}
HIGHLIGHT_CLASSES = {"highlight", "highlighter-rouge"}


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self) -> list[str]:
        found = (self.attrs.get("class") or "").split()
        # A table cell's alignment is what a reader sees: kramdown writes it as a style, Stride as
        # an align-* class (a strict Content-Security-Policy ignores style attributes).
        align = re.search(r"text-align:\s*(left|right|center)", self.attrs.get("style") or "")
        return found + [f"align-{align.group(1)}"] if align else found


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _text(node) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text(child) for child in node.children)


_TOP_ENV = r"(?:equation|align|gather|multline|flalign|alignat|eqnarray)\*?"
_MATH = re.compile(  # never across a tag: maths lives in one text run
    r"\\\[(?P<display>[^<]+?)\\\]"
    r"|\\\((?P<inline>[^<]+?)\\\)"
    r"|(?<!\\)\$\$(?P<ddollar>[^<]+?)\$\$"
    r"|(?<![\\$])\$(?![\s$])(?P<dollar>(?:\\.|[^\\$<])+?)(?<!\s)\$"
    r"|(?P<env>\\begin\{(?P<name>" + _TOP_ENV + r")\}[^<]*?\\end\{(?P=name)\})",
    re.S)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _math_pieces(text: str) -> list[str]:
    """Text with the maths MathJax would typeset turned into ``<math ...>`` markers."""
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(text[pos:m.start()])
        if m.group("inline") is not None or m.group("dollar") is not None:
            kind, tex = "inline", m.group("inline") if m.group("inline") is not None else m.group("dollar")
        else:
            kind = "display"
            tex = next(g for g in m.group("display", "ddollar", "env") if g is not None)
        tex = _squash(tex)
        env = re.fullmatch(r"(\\begin\{(" + _TOP_ENV + r")\}.*\\end\{\2\})", tex)
        if env:
            kind, tex = "display", env.group(1)
        out.append(f"\n<math {kind}>{tex}</math>\n")
        pos = m.end()
    out.append(text[pos:])
    return out


def _render(node, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node.replace("<", "&lt;"))
        return
    classes = node.classes
    if node.tag == "a" and "headerlink" in classes:
        return
    if "arithmatex" in classes:
        out.append(_text(node))  # maths is found in the text, as MathJax finds it
        return
    if node.tag == "pre" or (node.tag == "div" and HIGHLIGHT_CLASSES & set(classes)):
        out.append(_code_block(node))
        return
    if node.tag == "root":
        for child in node.children:
            _render(child, out)
        return
    if node.tag == "code":  # Rouge marks every code span; Pygments leaves spans alone
        classes = [c for c in classes if c not in ("highlighter-rouge", "language-plaintext")]
    extra = "".join(f".{c}" for c in sorted(classes))
    if node.tag == "img":
        extra += f' alt="{node.attrs.get("alt", "")}"'
    if node.tag == "input":
        extra += f' type={node.attrs.get("type")}' + (" checked" if "checked" in node.attrs else "")
    sep = "\n" if node.tag in BLOCK else ""
    out.append(f"{sep}<{node.tag}{extra}>{sep}")
    if node.tag not in VOID:
        for child in node.children:
            _render(child, out)
        out.append(f"{sep}</{node.tag}>{sep}")


def _code_block(node: _Node) -> str:
    """One node for a highlighted or plain code block, whatever wraps it."""
    classes, lang = set(), ""
    pre = node
    while pre.tag != "pre":
        classes |= set(pre.classes)
        inner = [c for c in pre.children if isinstance(c, _Node)]
        if not inner:
            break
        pre = inner[0]
    classes |= set(pre.classes)
    for child in pre.children:
        if isinstance(child, _Node):
            classes |= set(child.classes)
    for c in sorted(classes):
        if c.startswith("language-") and c not in ("language-plaintext", "language-text"):  # "none"
            lang = c[len("language-"):]
    kept = sorted(c for c in classes - HIGHLIGHT_CLASSES if not c.startswith("language-"))
    text = _text(pre).strip("\n").replace("<", "&lt;")
    marks = "".join(f".{c}" for c in kept)
    return f"\n<code-block lang={lang or '-'}{marks}>\n{text}\n</code-block>\n"


def normalise(html: str) -> str:
    """The comparable form of ``html``: one block tag per line, text with whitespace collapsed."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    out: list[str] = []
    _render(tree.root, out)
    flat = "".join(out)
    # Code blocks keep their lines; everything else is squashed.
    parts = re.split(r"(\n<code-block[^>]*>\n.*?\n</code-block>\n)", flat, flags=re.S)
    lines: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:
            lines.append(part.strip("\n"))
            continue
        for piece in _math_pieces(part):
            for line in piece.split("\n"):
                line = _squash(line)
                if line:
                    lines.append(line)
    # A paragraph holding nothing but one display equation is that equation: kramdown wraps a
    # bare \begin{equation} in <p>, Stride does not, and MathJax typesets both as one display.
    text = "\n".join(lines)
    return re.sub(r"<p>\n(<math display>[^\n]*</math>)\n</p>", r"\1", text)
