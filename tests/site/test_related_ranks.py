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
