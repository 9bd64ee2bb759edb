"""Static assets: every asset of every layer (``generator.layers``: the site's ``assets/``, each
plugin's, the theme's) is published as ``assets/<dir>/<name>.<hash>.<ext>`` of its logical name.

Fingerprinted names let a host cache forever. Two kinds of files name other assets, and those
references are rewritten to the fingerprinted names:
- ES modules: relative static ``import ... from "./x.js"``, ``export ... from`` and ``import("./x.js")``;
- CSS: relative ``url(...)`` and ``@import``.
A file's hash covers its own bytes *and* the bytes of everything it references, transitively, so a
change deep in a module graph renames every module that imports it (cycles are fine: the hash is
over the reachable set). Files under ``assets/vendor/`` keep their names: each library lives in a
directory named with its exact version, and some (MathJax) compute component paths at run time.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from generator.errors import ContentError, display_path
from generator.layers import Root, resolved

PUBLIC_PREFIX = "assets/"
VENDOR_PREFIX = "vendor/"
_JS_IMPORT = re.compile(
    r"""(?P<head>\bimport\s*\(\s*|\bfrom\s*|\bimport\s+)(?P<q>["'])(?P<spec>\.{1,2}/[^"'\n]+)(?P=q)"""
)
_CSS_URL = re.compile(r"""(?P<head>url\(\s*|@import\s+)(?P<q>["']?)(?P<spec>[^"')\s]+)(?P=q)""")


@dataclass(frozen=True)
class AssetSet:
    """Logical path under assets/ (``"css/main.css"``) -> published bytes and public path."""

    public: Mapping[str, str] = field(default_factory=dict)  # logical -> site-relative public path
    data: Mapping[str, bytes] = field(default_factory=dict)  # public path -> bytes

    def path_of(self, logical: str) -> str | None:
        return self.public.get(logical.lstrip("/").removeprefix("assets/"))


def _references(logical: str, text: str) -> list[tuple[re.Match, str]]:
    pattern = _JS_IMPORT if logical.endswith((".js", ".mjs")) else _CSS_URL
    found = []
    for match in pattern.finditer(text):
        spec = match.group("spec")
        if spec.startswith(("data:", "http:", "https:", "//", "#", "/")):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(logical), spec.split("?")[0].split("#")[0]))
        found.append((match, target))
    return found


def collect_assets(roots: tuple[Root, ...] | Path, generated: Mapping[str, bytes] = {}) -> AssetSet:
    """Read the asset ``roots`` (``Layers.roots("assets")``, first one winning per logical name;
    a bare folder is one site layer) plus ``generated`` logical files such as the Pygments CSS,
    and compute fingerprinted names. Raises ContentError for a reference to a missing asset."""
    if isinstance(roots, Path):
        roots = (Root("site", roots, confine=roots.parent),)
    sources: dict[str, bytes] = {}
    where: dict[str, Path] = {}
    # A link out of the project (ln -s /etc/passwd assets/x) would publish that file: refused.
    for logical, (file, _root) in resolved(roots).items():
        sources[logical] = file.read_bytes()
        where[logical] = file
    sources.update(generated)

    rewritable = {p for p in sources if not p.startswith(VENDOR_PREFIX) and p.endswith((".js", ".mjs", ".css"))}
    edges: dict[str, list[tuple[re.Match, str]]] = {}
    for logical in sorted(rewritable):
        text = sources[logical].decode("utf-8", errors="replace")
        refs = _references(logical, text)
        for match, target in refs:
            if target not in sources:
                line = text.count("\n", 0, match.start()) + 1
                raise ContentError(display_path(where.get(logical, Path(logical))), line,
                                   f"reference to missing asset {match.group('spec')!r}",
                                   "fix the path; it is relative to this file")
        edges[logical] = refs

    def reachable(start: str) -> list[str]:
        seen, stack = {start}, [start]
        while stack:
            for _, target in edges.get(stack.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        return sorted(seen)

    public: dict[str, str] = {}
    for logical in sorted(sources):
        if logical.startswith(VENDOR_PREFIX):
            public[logical] = PUBLIC_PREFIX + logical
            continue
        digest = hashlib.sha256()
        for member in reachable(logical):
            digest.update(member.encode() + b"\0" + sources[member] + b"\0")
        stem, dot, ext = posixpath.basename(logical).rpartition(".")
        name = f"{stem}.{digest.hexdigest()[:10]}.{ext}" if dot else f"{ext}.{digest.hexdigest()[:10]}"
        public[logical] = PUBLIC_PREFIX + posixpath.join(posixpath.dirname(logical), name)

    data: dict[str, bytes] = {}
    for logical, raw in sources.items():
        if logical in edges and edges[logical]:
            text = raw.decode("utf-8")
            own_dir = posixpath.dirname(public[logical])
            pieces, last = [], 0
            for match, target in edges[logical]:
                rel = posixpath.relpath(public[target], own_dir)
                rel = rel if rel.startswith(".") else "./" + rel
                start, end = match.span("spec")
                pieces.append(text[last:start] + rel)
                last = end
            pieces.append(text[last:])
            raw = "".join(pieces).encode("utf-8")
        data[public[logical]] = raw
    return AssetSet(public=dict(sorted(public.items())), data=dict(sorted(data.items())))
