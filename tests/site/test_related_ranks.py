"""related_ranks against its definition: for each post, the (up to) three others sharing the
most tags and categories, ties going to the newer (lower rank), none sharing nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site import related_ranks

_TERMS = st.frozensets(st.tuples(st.sampled_from("tc"), st.sampled_from("abcdef")), max_size=4)


def _by_definition(terms_of, wanted):
    result = []
    for index, terms in enumerate(terms_of):
        if not wanted[index]:
            result.append(())
            continue
        others = [(-len(terms & other), rank) for rank, other in enumerate(terms_of)
                  if rank != index and terms & other]
        result.append(tuple(rank for _, rank in sorted(others)[:3]))
    return tuple(result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_TERMS, st.booleans()), max_size=30))
def test_related_ranks_are_the_best_three_by_shared_terms_then_newest(posts):
    terms_of = tuple(terms for terms, _ in posts)
    wanted = tuple(want for _, want in posts)
    related_ranks.cache_clear()
    assert related_ranks(terms_of, wanted) == _by_definition(terms_of, wanted)


def test_ranking_ahead_from_the_documents_is_what_linking_the_rendered_posts_finds():
    """The build ranks the related posts from the documents while its Markdown workers run:
    linking the rendered posts later must ask related_ranks the very same question (a memo
    hit), whatever order the documents come in."""
    import random
    from datetime import datetime, timedelta

    from markupsafe import Markup

    from generator.content import Document
    from generator.site import RenderedDocument, _link_all, rank_related_ahead

    rng = random.Random(5)
    docs = [Document(kind="post" if n % 9 else "page", source=f"content/{n}.md", slug=f"p{n}", url=f"p{n}/",
                     title=f"Post {n}", date=datetime(2024, 1, 1) + timedelta(days=rng.randrange(20)),
                     layout="post", tags=tuple(rng.sample("abcdef", rng.randrange(3))),
                     categories=tuple(rng.sample("xy", rng.randrange(2))), related_posts=bool(n % 4))
            for n in range(60)]
    rng.shuffle(docs)
    rendered = [RenderedDocument(doc, Markup(""), Markup(""), False, 0) for doc in docs if doc.kind == "post"]
    related_ranks.cache_clear()
    rank_related_ahead(docs)
    assert related_ranks.cache_info().misses == 1
    _link_all(rendered, False)
    assert related_ranks.cache_info().hits == 1 and related_ranks.cache_info().misses == 1
