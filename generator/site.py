"""Site-wide collections computed from rendered documents: index pages, tag and category pages,
the archive, related posts, the Atom feed and the sitemap.

Everything here is a pure function of its inputs; the order of every list is fixed (newest first,
ties broken by URL) so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from html import unescape
from itertools import chain
from operator import neg
from collections.abc import Mapping  # typing's goes through a slow __instancecheck__ (page_fingerprint)
from typing import Any, Callable, TypeVar

from markupsafe import Markup

from generator.content import Document, Script
from generator.errors import ContentError, ContentErrors, Diagnostic

WORDS_PER_MINUTE = 230
_Dated = TypeVar("_Dated")  # a Document or a RenderedDocument
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[\w'’-]+")
# ASCII text: every byte that cannot be in a word (what _WORD's class excludes below 128)
# becomes a space, and the words are what bytes.split leaves.
_NOT_WORD_BYTE = bytes(c if chr(c).isascii() and re.fullmatch(_WORD, chr(c)) else 32 for c in range(256))


@dataclass(frozen=True)
class Term:
    name: str
    slug: str
    url: str  # site-relative
    count: int = 0


@dataclass(frozen=True)
class RenderedDocument:
    """A document ready for templates (the names follow the theme's template contract)."""

    doc: Document
    html: Markup
    toc: Markup
    has_math: bool
    words: int
    summary: str = ""  # first paragraph as plain text, the description when none is given
    scripts: tuple[Script, ...] = ()  # public URLs, each a classic or a module script
    styles: tuple[str, ...] = ()  # public URLs of stylesheets
    context: Mapping[str, Any] = field(default_factory=dict)  # plugin-provided extras
    tags: tuple[Term, ...] = ()
    categories: tuple[Term, ...] = ()
    related: tuple["RenderedDocument", ...] = ()
    newer: "RenderedDocument | None" = None
    older: "RenderedDocument | None" = None
    comments: bool = False
    # The memo key of the Markdown result ``html``, ``toc``, ``has_math``, ``words`` and ``summary``
    # came from (see build._markdown_key), or "" when unknown: equal keys mean equal results, so
    # the fingerprint hashes the key instead of the whole HTML of every post on every build.
    source_key: str = ""

    @functools.cached_property
    def fingerprint(self) -> str:
        """Digest of everything a template can read from this document, its related posts and
        its neighbours included; equal fingerprints render equally (see page_fingerprint)."""
        parts = [_shallow(self), repr(self.tags), repr(self.categories), repr(self.comments)]
        parts += [_shallow(other) for other in self.related]
        parts += [_shallow(self.newer) if self.newer else "-", _shallow(self.older) if self.older else "-"]
        return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    # Plain attribute access for templates.
    title = property(lambda self: self.doc.title)
    url = property(lambda self: self.doc.url)
    date = property(lambda self: self.doc.date)
    kind = property(lambda self: self.doc.kind)
    description = property(lambda self: self.doc.description or self.summary)
    image = property(lambda self: self.doc.image)
    reading_minutes = property(lambda self: max(1, math.ceil(self.words / WORDS_PER_MINUTE)))
    date_iso = property(lambda self: iso_date(self.doc.date))
    date_display = property(lambda self: display_date(self.doc.date))


_LINK_FIELDS = frozenset({"tags", "categories", "comments", "related", "newer", "older"})  # set by link_posts


def _shallow(doc: "RenderedDocument") -> str:
    # The related and neighbouring documents are the ones link_posts made before linking, so
    # this does not recurse.
    cached = doc.__dict__.get("_shallow")
    if cached is None:
        rendered = ["K" + doc.source_key] if doc.source_key else \
            [doc.html, doc.toc, str(doc.has_math), str(doc.words), doc.summary]
        # The term links are made from the document's tag and category names only (link_posts),
        # which its digest covers: whether they are attached is all that is left to tell.
        text = "\0".join([doc.doc.digest, *rendered, repr(doc.scripts), repr(doc.styles),
                          repr(sorted(doc.context.items())), f"{len(doc.tags)},{len(doc.categories)}"])
        cached = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        object.__setattr__(doc, "_shallow", cached)  # frozen, but a cache of its own fields
    return cached


_PLAIN = frozenset({str, int, float, bool, type(None)})


def page_fingerprint(value: Any, names: frozenset[str] | None = None) -> str:
    """A stable text standing for a template context: documents by their fingerprint, plain data
    by value. Anything else falls back to repr, which at worst makes a page render again.

    With ``names`` (``Renderer.names_read``: every attribute name the template can read) a
    document stands for only those of its fields (``document_view``), so a listing that shows
    titles and dates keeps its key when a listed post's body changes."""
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)  # most leaves: skips the isinstance checks below (Mapping's is slow)
    if kind is RenderedDocument and names is not None:
        return "V" + document_view(value, names)
    if kind is dict:
        return "{" + ",".join(f"{k!r}:{repr(v) if type(v) in _PLAIN else page_fingerprint(v, names)}"
                              for k, v in sorted(value.items())) + "}"
    if kind is list or kind is tuple:  # before the Mapping check, an ABC's (slow)
        return "[" + ",".join(repr(v) if type(v) in _PLAIN else page_fingerprint(v, names) for v in value) + "]"
    if kind is Term or kind is datetime:  # a post's tags and date: what the checks below end in
        return repr(value)
    if isinstance(value, RenderedDocument):
        return "D" + value.fingerprint if names is None else "V" + document_view(value, names)
    if isinstance(value, _FeedPost):
        shown = value.doc.fingerprint if names is None else document_view(value.doc, names)
        return "F" + shown + hashlib.blake2b(value.content.encode(), digest_size=16).hexdigest()
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k!r}:{page_fingerprint(v, names)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(page_fingerprint(v, names) for v in value) + "]"
    return repr(value)


# What a template can read of a RenderedDocument by name: its fields and properties.
_DOCUMENT_NAMES = frozenset(f.name for f in fields(RenderedDocument)) | frozenset(
    name for name, member in vars(RenderedDocument).items()
    if isinstance(member, (property, functools.cached_property)))


@functools.lru_cache(maxsize=64)
def _shown_fields(names: frozenset[str]) -> tuple[str, ...] | None:
    """The fields of a document that a template reading ``names`` can show, or None when it
    can reach more than fields (``__dict__``, the cached digests): then everything counts."""
    if any(name not in _DOCUMENT_NAMES and name.startswith("_") and
           (hasattr(RenderedDocument, name) or name in _DERIVED) for name in names):
        return None
    return tuple(sorted(names & _DOCUMENT_NAMES))


def document_view(doc: "RenderedDocument", names: frozenset[str]) -> str:
    """Digest of the fields of ``doc`` a template reading ``names`` can show, linked documents
    (related, newer, older) by the same fields. Kept on the document for the build: a post
    listed on five pages is digested once."""
    views = doc.__dict__.setdefault("_views", {})
    known = views.get(names)
    if known is None:
        shown = _shown_fields(names)
        if shown is None:
            known = doc.fingerprint
        else:
            parts = [_own_view(doc, shown)]
            for name in shown:
                if name in _LINKED:
                    parts.append(f"{name}={_linked_view(doc, name, names)}")
            known = hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
        views[names] = known
    return known


_LINKED = frozenset({"related", "newer", "older", "fingerprint"})  # what link_posts decides
# Digests of a document's own shown fields by what decides them (its _shallow digest and
# comments flag) and the fields: the same after an edit elsewhere, so a dev-server rebuild
# looks them up instead of reading a dozen fields of every listed post. Bounded by clearing.
_OWN_VIEWS: dict[tuple[str, bool, tuple[str, ...]], str] = {}
_OWN_VIEWS_MAX = 200_000


def _own_view(doc: "RenderedDocument", shown: tuple[str, ...]) -> str:
    key = (_shallow(doc), doc.comments, shown)
    known = _OWN_VIEWS.get(key)
    if known is None:
        # Each template reads another set of fields (post, index, archive, tags, feed), most of
        # them shared: a field's view is made once per document, not once per set (a cold
        # 1,000-post build made 51,000 of them for 15,000 distinct ones, serially).
        made = doc.__dict__.setdefault("_fields", {})
        for name in shown:
            if name not in made and name not in _LINKED:
                made[name] = _field_view(doc, name)
        text = "\0".join(f"{name}={made[name]}" for name in shown if name not in _LINKED)
        known = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        if len(_OWN_VIEWS) >= _OWN_VIEWS_MAX:
            _OWN_VIEWS.clear()
        _OWN_VIEWS[key] = known
    return known


def _field_view(doc: "RenderedDocument", name: str) -> str:
    if name == "html" and doc.source_key:
        return "K" + doc.source_key  # the Markdown memo key: equal keys, equal HTML
    if name == "doc":
        return doc.doc.digest  # every field of the document
    return page_fingerprint(getattr(doc, name))


def _linked_view(doc: "RenderedDocument", name: str, names: frozenset[str]) -> str:
    if name == "fingerprint":
        return doc.fingerprint
    value = getattr(doc, name)
    if value is None:
        return "-"
    if isinstance(value, RenderedDocument):
        return document_view(value, names)
    return "[" + ",".join(document_view(other, names) for other in value) + "]"


_SLUG_MAX_BYTES = 120  # folder names are limited to 255 bytes; keep well clear of it
_SYMBOL_WORDS = {"+": "p", "#": "sharp"}  # C++ -> cpp, C# -> csharp, F# -> fsharp


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """Slug for term URLs, readable in any script: ``"Deep Learning"`` -> ``"deep-learning"``,
    ``"C++"`` -> ``"cpp"``, ``"C#"`` -> ``"csharp"``, ``"Café"`` -> ``"cafe"``,
    ``"Машинное обучение"`` -> ``"машинное-обучение"``, ``"深度学习"`` -> ``"深度学习"``.

    Characters with an ASCII form (Latin letters with accents) become it; other letters, digits,
    combining marks and symbols such as emoji are kept, lower-cased (the URL percent-encodes
    them, as Hugo does); anything else separates words with one ``-``. A name with nothing
    left (``"!!!"``) or too long for a folder name ends in a short hash of itself, so two
    different names never meet by accident."""
    pieces = []
    for char in unicodedata.normalize("NFC", text):
        if char in _SYMBOL_WORDS:
            pieces.append(_SYMBOL_WORDS[char])
            continue
        folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        if folded:
            pieces.append(re.sub(r"[^a-z0-9]+", "-", folded.lower()))
        elif unicodedata.category(char)[0] in "LNM" or unicodedata.category(char) == "So":
            pieces.append(char.lower())
        else:
            pieces.append("-")
    slug = re.sub(r"-{2,}", "-", "".join(pieces)).strip("-")
    tag = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    if not slug:
        return f"term-{tag}"
    if len(slug.encode("utf-8")) > _SLUG_MAX_BYTES:
        slug = slug.encode("utf-8")[:_SLUG_MAX_BYTES - 9].decode("utf-8", "ignore").rstrip("-")
        return f"{slug}-{tag}"
    return slug


def same_term(a: str, b: str) -> bool:
    """Names that differ only in letter case or Unicode form (``ML``/``ml``) are one term."""
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


def iso_date(value: datetime | None) -> str:
    """RFC 3339 timestamp; naive datetimes are taken as UTC so feeds stay valid."""
    if value is None:
        return ""
    return _iso_date(value, value.tzinfo, value.fold)


def display_date(value: datetime | None) -> str:
    """The date as posts show it, e.g. "March 6, 2016"; "" for none."""
    return "" if value is None else _display_date(value, value.tzinfo, value.fold)


# A post's date is shown on every page listing it (about five per post): these answer from a
# table (0.2 µs) instead of formatting again (4-5 µs each). Keyed by the zone and fold too, since
# aware datetimes in different zones compare equal when they name the same instant.
@functools.lru_cache(maxsize=65536)
def _iso_date(value: datetime, tzinfo: Any, fold: int) -> str:
    return (value if tzinfo is not None else value.replace(tzinfo=timezone.utc)).isoformat()


@functools.lru_cache(maxsize=65536)
def _display_date(value: datetime, tzinfo: Any, fold: int) -> str:
    return value.strftime("%B %-d, %Y")


def word_count(html: str) -> int:
    """The runs of word characters (letters, digits, _, ' ’ -) in ``html`` outside its tags."""
    text = _TAG.sub(" ", html)
    if text.isascii():
        # translate + split in C: 35 µs for a 3.5 kB post against findall's 110 (a list of
        # every word), about 6 % of a post's Markdown stage; the same count.
        return len(text.encode("ascii").translate(_NOT_WORD_BYTE).split())
    return len(_WORD.findall(text))


def excerpt(html: str, limit: int = 200) -> str:
    """First paragraph as plain text (entities decoded: templates escape it once), shortened at
    a word boundary."""
    # The first <p> with a </p> after it, as a lazy regex would find it; runs of whitespace made
    # one space by split/join (str.split and the regex \s agree on what whitespace is).
    start = html.find("<p>")
    end = html.find("</p>", start + 3) if start >= 0 else -1
    text = " ".join(unescape(_TAG.sub("", html[start + 3:end] if end >= 0 else "")).split())
    text = re.sub(r"\\\(|\\\)", "", text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def sort_posts(posts: list[_Dated]) -> list[_Dated]:
    """Newest first, ties by URL (documents or rendered ones: both have ``date`` and ``url``)."""
    return sorted(posts, key=lambda p: (-_timestamp(p.date), p.url))


@functools.lru_cache(maxsize=65536)  # the same dates every rebuild; timestamp() is slow on aware datetimes
def _timestamp(value: datetime | None) -> float:
    if value is None:
        return 0.0
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()


def link_posts(posts: list[RenderedDocument], giscus_enabled: bool) -> list[RenderedDocument]:
    """Attach term links, related posts (≤3 sharing the most tags/categories) and newer/older."""
    return _link_all(posts, giscus_enabled)[3]


def _link_all(posts: list[RenderedDocument], giscus_enabled: bool) -> tuple[list, list, tuple, list]:
    """link_posts with its workings: (the posts sorted newest first, each with its term links,
    the related ranks of each (``related_ranks``), the linked posts), all indexed by rank."""
    ordered = sort_posts(posts)
    with_terms = [_with_terms(post, giscus_enabled) for post in ordered]
    ranks = related_ranks(*_related_inputs([post.doc for post in with_terms]))
    return ordered, with_terms, ranks, [_relink(with_terms, ranks, rank) for rank in range(len(with_terms))]


def _related_inputs(ordered: list[Document]) -> tuple[tuple[frozenset, ...], tuple[bool, ...]]:
    """related_ranks' arguments for these posts, newest first."""
    return (tuple(_term_set(doc.tags, doc.categories) for doc in ordered),
            tuple(doc.related_posts for doc in ordered))


def rank_related_ahead(documents: list[Document]) -> None:
    """Work out the related posts of ``documents`` (the build's, before their Markdown) now, for
    link_posts to find memoised: at 1,000 posts that was 15-40 ms of serial work between the
    Markdown and the page stages, and a build process has this done while its workers render.
    The posts are ranked by date and URL, as the rendered ones are."""
    related_ranks(*_related_inputs(sort_posts([doc for doc in documents if doc.kind == "post"])))


def _with_terms(post: RenderedDocument, giscus_enabled: bool) -> RenderedDocument:
    copy = _linked(post, giscus_enabled and post.doc.giscus_comments)
    _shallow(copy)  # before the copies _relink makes, which keep it (each page key needs it)
    return copy


def _relink(with_terms: list[RenderedDocument], ranks: tuple[tuple[int, ...], ...], rank: int) -> RenderedDocument:
    """The post at ``rank`` (newest first) with its related posts and neighbours, which point at
    the plain counterparts in ``with_terms`` (no chains of chains)."""
    return _linked(with_terms[rank], None, tuple(with_terms[other] for other in ranks[rank]),
                   with_terms[rank - 1] if rank > 0 else None,
                   with_terms[rank + 1] if rank < len(with_terms) - 1 else None)


def _linked(post: RenderedDocument, comments: bool | None, related: tuple = (),
            newer: RenderedDocument | None = None, older: RenderedDocument | None = None) -> RenderedDocument:
    """``post`` with its term links and comments flag (``comments`` not None), or else with
    these related posts and neighbours. The copy is kept on ``post`` with what it was made from
    (one copy per post, holding the linked posts, so their ids stand for them): a post that is
    the same object on the next build (build._assembled) gets the same copy back when its links
    are the same, with the digests cached on it."""
    if comments is not None:
        key: tuple = ("terms", comments)
    else:
        key = ("links", tuple(id(other) for other in related), id(newer), id(older))
    known = post.__dict__.get("_linked")
    if known is not None and known[0] == key:
        return known[1]
    if comments is not None:
        copy = _relinked(post, tags=_terms(post.doc.tags, "tags"),
                         categories=_terms(post.doc.categories, "categories"), comments=comments)
    else:
        copy = _relinked(post, related=related, newer=newer, older=older)
    post.__dict__["_linked"] = (key, copy)
    return copy


@functools.lru_cache(maxsize=65536)
def _terms(names: tuple[str, ...], folder: str) -> tuple[Term, ...]:
    """The term links of a post's tags (or categories); the same few tuples every build."""
    return tuple(Term(name, slugify(name), f"{folder}/{slugify(name)}/") for name in names)


@functools.lru_cache(maxsize=65536)
def _term_set(tags: tuple[str, ...], categories: tuple[str, ...]) -> frozenset:
    return frozenset({("t", t) for t in tags} | {("c", c) for c in categories})


_DERIVED = frozenset({"fingerprint", "_shallow", "_views", "_linked", "_fields"})  # caches of RenderedDocument's own fields


def _relinked(post: RenderedDocument, **links: Any) -> RenderedDocument:
    """``dataclasses.replace(post, **links)`` without running ``__init__`` again (3,000 calls a
    build at 1,000 posts, a tenth of a dev-server rebuild). Only fields are copied: the cached
    fingerprints of ``post`` do not describe the copy."""
    assert links.keys() <= _LINK_FIELDS, links.keys()
    # _shallow covers tags and categories but none of the links: it stays true of a copy that
    # only changes the links. So do the views of its own fields (_own_view), which leave the
    # links out: the copy shares the one dict of them, and a post listed both with its links
    # and as another's neighbour has each field's view made once.
    if links.keys() & {"tags", "categories"}:
        dropped = _DERIVED
    else:
        dropped = _DERIVED - {"_shallow", "_fields"}
        post.__dict__.setdefault("_fields", {})
    copy = object.__new__(RenderedDocument)
    copy.__dict__.update({k: v for k, v in post.__dict__.items() if k not in dropped}, **links)
    return copy


@functools.lru_cache(maxsize=2)
def related_ranks(terms_of: tuple[frozenset, ...], wanted: tuple[bool, ...]) -> tuple[tuple[int, ...], ...]:
    """For each post (by rank, newest first) the ranks of up to three others sharing the most
    terms, ties going to the newer; () where ``wanted`` is False. Memoised: an edit that leaves
    every post's terms alone (nearly all of them) reuses the last answer under ``stride serve``."""
    # An inverted index from term to post ranks keeps this linear in the number of shared terms
    # instead of comparing every pair of posts.
    ranks_by_term: dict[tuple[str, str], list[int]] = {}
    for rank, terms in enumerate(terms_of):
        for term in terms:
            ranks_by_term.setdefault(term, []).append(rank)
    # Posts with the same terms have the same ranking, apart from themselves: rank the best four
    # once per distinct set of terms and drop the post itself (it shares every term, so if it is
    # not among those four, four others tie with it and the first three are the answer).
    best_for: dict[frozenset, list[int]] = {}
    result = []
    for index, terms in enumerate(terms_of):
        if not wanted[index]:
            result.append(())
            continue
        if terms not in best_for:
            # Counted and ranked by (-shares, rank) in C (chain, map, zip), not a generator and a
            # key function per candidate: 22 -> 14 ms at 1,000 posts, a serial part of the build.
            shared = Counter(chain.from_iterable([ranks_by_term[term] for term in terms]))
            best_for[terms] = [rank for _, rank in heapq.nsmallest(4, zip(map(neg, shared.values()), shared))]
        result.append(tuple(rank for rank in best_for[terms] if rank != index)[:3])
    return tuple(result)


@dataclass(frozen=True)
class PageSpec:
    """One output file: which template renders it, where it goes, with what context."""

    template: str
    output: str  # site-relative file path, e.g. "posts/slug/index.html"
    context: Mapping[str, Any]


def _output_for(url: str) -> str:
    return url if url.endswith((".html", ".xml", ".txt")) else f"{url}index.html"


def page_meta(kind: str, title: str, url: str, description: str = "", **extra: Any) -> dict[str, Any]:
    meta = {"kind": kind, "title": title, "url": url, "description": description, "math": False,
            "scripts": [], "styles": [], "image": None}
    meta.update(extra)
    return meta


def document_pages(docs: list[RenderedDocument], absolute_url: Callable[[str], str]) -> list[PageSpec]:
    specs = []
    for doc in docs:
        # A redirect: page is only a pointer to its target, whatever its layout.
        template = "redirect.html" if doc.doc.redirect else f"{doc.doc.layout}.html"
        meta = page_meta(doc.kind, doc.title, doc.url, doc.description, math=doc.has_math,
                         scripts=list(doc.scripts), styles=list(doc.styles),
                         image=absolute_url(doc.image) if doc.image else None)
        specs.append(PageSpec(template, _output_for(doc.url), {"page": meta, "doc": doc}))
    return specs


def index_pages(posts: list[RenderedDocument], per_page: int, site_title: str, description: str) -> list[PageSpec]:
    total = max(1, math.ceil(len(posts) / per_page))
    specs = []

    def page_url(number: int) -> str:
        return "" if number == 1 else f"page/{number}/"

    for number in range(1, total + 1):
        chunk = posts[(number - 1) * per_page: number * per_page]
        pagination = {
            "number": number,
            "total": total,
            "prev_url": page_url(number - 1) if number > 1 else None,
            "next_url": page_url(number + 1) if number < total else None,
        }
        title = site_title if number == 1 else f"{site_title} — page {number}"
        specs.append(PageSpec("index.html", _output_for(page_url(number)), {
            "page": page_meta("index", title, page_url(number), description),
            "posts": chunk,
            "pagination": pagination,
        }))
    return specs


def taxonomy_pages(posts: list[RenderedDocument]) -> list[PageSpec]:
    """The tag and category index pages and one page per term. Two different terms whose slugs
    meet (``C++`` and ``Cpp``) are an error naming both: one of them would lose its page."""
    _check_term_listing(posts)
    specs = []
    problems: list[Diagnostic] = []
    for taxonomy, attr, folder in (("tag", "tags", "tags"), ("category", "categories", "categories")):
        groups: dict[str, list[RenderedDocument]] = {}
        names: dict[str, tuple[str, RenderedDocument]] = {}
        for post in posts:
            for term in getattr(post, attr):
                first = names.setdefault(term.slug, (term.name, post))
                if not same_term(first[0], term.name):
                    problems.append(Diagnostic(
                        post.doc.source, post.doc.line_of(attr),
                        f"{taxonomy} {term.name!r} and {taxonomy} {first[0]!r} (in {first[1].doc.source}) "
                        f"would share the page /{folder}/{term.slug}/",
                        "rename one of them; see 'Tag and category URLs' in the README"))
                    continue
                group = groups.setdefault(term.slug, [])
                if not group or group[-1] is not post:  # ML and ml on one post: listed once
                    group.append(post)
        terms = [Term(names[slug][0], slug, f"{folder}/{slug}/", len(groups[slug])) for slug in sorted(groups)]
        label = "Tags" if taxonomy == "tag" else "Categories"
        specs.append(PageSpec("terms.html", f"{folder}/index.html", {
            "page": page_meta("terms", label, f"{folder}/"),
            "taxonomy": taxonomy,
            "terms": terms,
        }))
        for term in terms:
            specs.append(PageSpec("taxonomy.html", f"{term.url}index.html", {
                "page": page_meta("taxonomy", f"{label[:-1] if taxonomy == 'tag' else 'Category'}: {term.name}", term.url),
                "taxonomy": taxonomy,
                "term": term.name,
                "posts": groups[term.slug],
            }))
    if problems:
        raise ContentErrors(problems)
    return specs


# Tag links the term pages may hold in all: each tag or category page lists its posts, each
# with all its tags (templates/includes/post-item.html), so a post adds (tags + categories) x
# tags. A million links is about 36 MB of pages and 5 s; 1,000 posts with 20 tags each use 0.4
# million. Per post, content.MAX_TERMS_PER_POST applies first.
MAX_TERM_LISTING = 1_000_000


def _check_term_listing(posts: list[RenderedDocument]) -> None:
    links = [(len(p.doc.tags) + len(p.doc.categories)) * len(p.doc.tags) for p in posts]
    if sum(links) > MAX_TERM_LISTING:
        worst = max(range(len(posts)), key=links.__getitem__)
        doc = posts[worst].doc
        raise ContentError(doc.source, doc.line_of("tags"),
                           f"the tag and category pages would hold {sum(links):,} tag links in all (limit "
                           f"{MAX_TERM_LISTING:,}): each lists its posts with all their tags",
                           f"give posts fewer tags; this one has {len(doc.tags)}")


def archive_page(posts: list[RenderedDocument]) -> PageSpec:
    years: dict[int, list[RenderedDocument]] = {}
    for post in posts:
        years.setdefault(post.date.year if post.date else 0, []).append(post)
    return PageSpec("archive.html", "archive/index.html", {
        "page": page_meta("archive", "Archive", "archive/"),
        "years": [{"year": year, "posts": years[year]} for year in sorted(years, reverse=True)],
    })


def feed_page(posts: list[RenderedDocument], limit: int, absolutize: Callable[[str, str], str]) -> PageSpec:
    """Atom feed of the newest posts; ``absolutize(html, base)`` makes links in content absolute."""
    newest = posts[:limit]
    entries = [{"doc": post, "content": Markup(absolutize(str(post.html), post.url))} for post in newest]
    updated = max((iso_date(p.date) for p in newest), default="1970-01-01T00:00:00+00:00")
    return PageSpec("feed.xml", "feed.xml", {
        "page": page_meta("feed", "feed", "feed.xml"),
        "posts": [_FeedPost(e["doc"], e["content"]) for e in entries],
        "updated": updated,
    })


@dataclass(frozen=True)
class _FeedPost:
    doc: RenderedDocument
    content: Markup

    def __getattr__(self, name: str) -> Any:
        return getattr(self.doc, name)


def sitemap_page(docs: list[RenderedDocument], other_urls: list[str], absolute_url: Callable[[str], str]) -> PageSpec:
    entries = [{"loc": absolute_url(d.url), "lastmod": d.date.date().isoformat() if d.date else None}
               for d in docs if not d.doc.redirect]  # a redirect is not a page to index
    entries += [{"loc": absolute_url(u), "lastmod": None} for u in other_urls]
    entries.sort(key=lambda e: e["loc"])
    return PageSpec("sitemap.xml", "sitemap.xml", {
        "page": page_meta("sitemap", "sitemap", "sitemap.xml"),
        "entries": entries,
    })


def _shape(doc: RenderedDocument) -> tuple:
    """Every field of a document that decides where the listings put it and what they make of
    it besides the document object itself: its kind, order (date, URL), term pages, related
    posts, comments flag, archive year and sitemap entry. The date by its ISO text, which
    tells apart equal instants written in other zones (their years and days may differ)."""
    d = doc.doc
    return (d.kind, d.date.isoformat() if d.date is not None else None, d.url, d.tags, d.categories,
            d.related_posts, d.giscus_comments, d.redirect)


@dataclass(frozen=True, eq=False)  # compared by identity: its lists are large
class Listing:
    """What ``build.page_specs`` made of its documents (``rendered``, in their order): the posts
    linked (``link_posts``) and the pages of documents, index, terms, archive and feed, kept so
    that the next build of a ``stride serve`` session, given the same documents but for a few
    edited objects whose :func:`_shape` did not change, redoes only the pages that show those.

    Indices: ``slots[i]`` is where ``rendered[i]`` went, its rank among the posts (newest first)
    when >= 0, else ``~j`` for the j-th other document (``pages``). ``posts``, ``with_terms``,
    ``ranks`` and ``post_specs`` are by rank; ``term_ranks`` maps the index of each term page in
    ``taxonomy_specs`` to the ranks of the posts it lists. Every list is the listing's own: an
    update copies before it changes anything."""

    settings: tuple  # (posts per index page, site title, description, feed entries, giscus on)
    rendered: tuple[RenderedDocument, ...]
    slots: tuple[int, ...]
    with_terms: list[RenderedDocument]
    ranks: tuple[tuple[int, ...], ...]
    posts: list[RenderedDocument]
    pages: list[RenderedDocument]
    post_specs: list[PageSpec]
    page_specs: list[PageSpec]
    index_specs: list[PageSpec]
    taxonomy_specs: list[PageSpec]
    term_ranks: Mapping[int, tuple[int, ...]]
    archive: PageSpec
    feed: PageSpec
    referrers: dict = field(default_factory=dict)  # rank -> ranks listing it as related (made once)

    @classmethod
    def make(cls, rendered: list[RenderedDocument], settings: tuple, absolute_url: Callable[[str], str],
             absolutize: Callable[[str, str], str], before: "Listing | None" = None) -> "Listing":
        """Everything from nothing but the document pages of ``before`` made for the same
        (frozen) document objects."""
        paginate, title, description, feed_entries, giscus = settings
        docs = tuple(rendered)
        ordered, with_terms, ranks, posts = _link_all([d for d in docs if d.kind == "post"], giscus)
        pages = [d for d in docs if d.kind != "post"]
        rank_of = {id(post): rank for rank, post in enumerate(ordered)}
        slots, page_count = [], 0
        for doc in docs:
            if doc.kind == "post":
                slots.append(rank_of[id(doc)])
            else:
                slots.append(~page_count)
                page_count += 1
        known = {} if before is None else {id(s.context["doc"]): s for s in before.post_specs + before.page_specs}

        def document_spec(doc: RenderedDocument) -> PageSpec:
            spec = known.get(id(doc))
            return spec if spec is not None and spec.context["doc"] is doc else document_pages([doc], absolute_url)[0]

        taxonomy_specs = taxonomy_pages(posts)
        rank_of = {id(post): rank for rank, post in enumerate(posts)}
        term_ranks = {index: tuple(rank_of[id(post)] for post in spec.context["posts"])
                      for index, spec in enumerate(taxonomy_specs) if spec.template == "taxonomy.html"}
        return cls(settings, docs, tuple(slots), with_terms, ranks, posts, pages,
                   [document_spec(post) for post in posts], [document_spec(page) for page in pages],
                   index_pages(posts, paginate, title, description), taxonomy_specs, term_ranks,
                   archive_page(posts), feed_page(posts, feed_entries, absolutize))

    def updated(self, rendered: list[RenderedDocument], settings: tuple, absolute_url: Callable[[str], str],
                absolutize: Callable[[str, str], str]) -> "Listing | None":
        """This listing for ``rendered``, when it holds the same documents in the same places
        but for objects whose shape is unchanged (else None: make it anew). Only the pages
        that show a changed object are new specs: the changed documents' own, their
        neighbours' and those listing them as related, the index and term pages listing any
        of these, the archive and (when one is among the newest) the feed. Every other spec is
        the very object it was, so its page key is carried over (``build.render_pages``)."""
        if settings != self.settings or len(rendered) != len(self.rendered):
            return None
        changed = [index for index, (new, old) in enumerate(zip(rendered, self.rendered)) if new is not old]
        if any(_shape(rendered[index]) != _shape(self.rendered[index]) for index in changed):
            return None
        if not changed:
            return self
        paginate, _title, _description, feed_entries, giscus = settings
        with_terms, pages, page_specs = list(self.with_terms), list(self.pages), list(self.page_specs)
        moved = []
        for index in changed:
            slot, doc = self.slots[index], rendered[index]
            if slot >= 0:
                with_terms[slot] = _with_terms(doc, giscus)
                moved.append(slot)
            else:
                pages[~slot] = doc
                page_specs[~slot] = document_pages([doc], absolute_url)[0]
        # The same shapes give the same order and related ranks: what links to a moved post is
        # its neighbours and the posts that have it among their related ones.
        referrers = self.referrers or _referrers(self.ranks)
        touched = set(moved)
        for rank in moved:
            touched.update((rank - 1, rank + 1), referrers.get(rank, ()))
        touched &= set(range(len(with_terms)))
        posts, post_specs = list(self.posts), list(self.post_specs)
        for rank in touched:
            posts[rank] = _relink(with_terms, self.ranks, rank)
            post_specs[rank] = document_pages([posts[rank]], absolute_url)[0]
        index_specs = list(self.index_specs)
        for number in {rank // paginate for rank in touched}:
            old = index_specs[number]
            index_specs[number] = PageSpec(old.template, old.output, {
                **old.context, "posts": posts[number * paginate:(number + 1) * paginate]})
        taxonomy_specs = list(self.taxonomy_specs)
        for index, ranks in self.term_ranks.items():
            if not touched.isdisjoint(ranks):
                old = taxonomy_specs[index]
                taxonomy_specs[index] = PageSpec(old.template, old.output, {
                    **old.context, "posts": [posts[rank] for rank in ranks]})
        return Listing(settings, tuple(rendered), self.slots, with_terms, self.ranks, posts, pages, post_specs,
                       page_specs, index_specs, taxonomy_specs, self.term_ranks,
                       archive_page(posts) if touched else self.archive,
                       feed_page(posts, feed_entries, absolutize) if touched and min(touched) < feed_entries
                       else self.feed, referrers)

    def specs(self) -> list[PageSpec]:
        """The pages of documents, then index, terms, archive and feed, in page_specs's order."""
        return [*self.post_specs, *self.page_specs, *self.index_specs, *self.taxonomy_specs, self.archive, self.feed]


def _referrers(ranks: tuple[tuple[int, ...], ...]) -> dict[int, list[int]]:
    """For each rank, the ranks of the posts listing it among their related posts."""
    found: dict[int, list[int]] = {}
    for rank, related in enumerate(ranks):
        for other in related:
            found.setdefault(other, []).append(rank)
    return found
