"""The character-level shortcut of the YAML bounds check: whenever ``within_bounds`` lets a text
skip the event pass, the event pass would have found nothing to refuse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamlfile
from generator.errors import ContentError


def _refused(text: str) -> bool:
    try:
        yamlfile._count_events(yamlfile.loaders()[0], text, "x.yml", 1)
    except ContentError:
        return True
    except Exception:  # a syntax error: the real parse reports it
        return False
    return False


def _nested(kind: str, depth: int) -> str:
    if kind == "flow list":
        return "[" * depth + "x" + "]" * depth
    if kind == "flow mapping":
        return "{a: " * depth + "x" + "}" * depth
    if kind == "block list":
        return "- " * depth + "x\n"
    return "".join(" " * level + "k:\n" for level in range(depth)) + " " * depth + "x\n"


@pytest.mark.parametrize("kind", ["flow list", "flow mapping", "block list", "block mapping"])
def test_nesting_too_deep_is_never_skipped(kind: str):
    for depth in range(1, yamlfile.MAX_DEPTH + 8):
        text = _nested(kind, depth)
        if yamlfile.within_bounds(text):
            assert not _refused(text), (kind, depth)
        if depth > yamlfile.MAX_DEPTH:
            assert _refused(text) and not yamlfile.within_bounds(text), (kind, depth)


def test_many_values_and_aliases_go_through_the_event_pass():
    many = "[" + ",".join("a" for _ in range(yamlfile.MAX_VALUES)) + "]"
    assert _refused(many) and not yamlfile.within_bounds(many)
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert not yamlfile.within_bounds(bomb)
    cycle = "x: &a [*a]\n"
    assert _refused(cycle) and not yamlfile.within_bounds(cycle)


def test_a_typical_front_matter_skips_the_event_pass():
    front = ('title: "Strided convolutions, transposed"\ndate: 2024-05-01\nlayout: post\n'
             "tags: [deep-learning, convolution]\ndescription: how a stride-2 layer grows its input\n"
             "giscus_comments: true\nrelated_posts: false\n")
    assert yamlfile.within_bounds(front)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="[]{}-?:,*& ab\n", max_size=300))
def test_skipping_never_hides_a_refusal(text: str):
    if yamlfile.within_bounds(text):
        assert not _refused(text)
