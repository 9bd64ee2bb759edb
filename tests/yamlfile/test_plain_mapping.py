"""The line-by-line reading of plain front matter (``yamlfile.plain_mapping``): whatever it reads,
PyYAML reads the same, to the type of every value and the line of every key; whatever it declines,
``load_yaml`` still reads through PyYAML."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import yamlfile
from generator.errors import ContentError


def _pyyaml(text: str, first_line: int = 2):
    """PyYAML's reading of ``text`` (libyaml's parser, as load_yaml uses it), or the error."""
    try:
        safe, fast = yamlfile.loaders()
        return yamlfile._load(fast or safe, text, "post.md", first_line)
    except ContentError as exc:
        return exc.diagnostic


def _typed(value):
    """``value`` with the type of everything in it spelled out, so "1" and 1 (or True) differ."""
    if isinstance(value, dict):
        return {repr(key): _typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return (type(value).__name__, value)


FRONT_MATTER = (
    'title: "Why the transposed convolution is a gradient"\n'
    "date: 2024-05-17\n"
    "layout: post\n"
    "tags: [deep learning, convolution, tutorial]\n"
    "description: 'Zeros between the inputs, a flipped kernel: what it computes'\n"
    "\n"
)
SETTINGS = "title: Synthetic blog\nurl: https://bench.example\nfeed_entries: 20\npaginate: 10\nplugins: {}\n"


def test_a_small_sites_settings_need_no_pyyaml():
    found = yamlfile.plain_mapping(SETTINGS, 1)
    assert found is not None and _typed(found[0]) == _typed(_pyyaml(SETTINGS, 1)[0])


def test_plain_front_matter_is_read_as_pyyaml_reads_it():
    found = yamlfile.plain_mapping(FRONT_MATTER, 2)
    assert found is not None
    assert _typed(found[0]) == _typed(_pyyaml(FRONT_MATTER)[0])
    assert found[1] == {"title": 2, "date": 3, "layout": 4, "tags": 5, "tags.0": 5, "tags.1": 5, "tags.2": 5,
                        "description": 6}


@pytest.mark.parametrize("line", [
    "giscus_comments: false",  # a bool
    "related: yes", "image: null", "toc: On",
    "ratio: 0.5", "when: 12:30", "mode: 010", "count: 1_000", "count: +1", "count: -1",  # 010 is octal
    "data: {a: b}", "tags: [[a]]", "x: [ , ]",
    "tags: [a, yes]", "tags: [a, ]", "url: https://x.org/#top", "url: https://x.org/a b", "url: a:b", "tags: [1, 2]",
    "title: a # comment", "title: a: b", "title: 'it''s'", 'title: "a\\tb"',
    "title:", "title:  ", "yes: x", "<<: x", "title: x\r",
    "title: -x", "title: ~", "  title: x", "\ttitle: x", "- x", "title: |", "title: &a x",
    "title: \"a\u2028b\"",  # a line break inside, to YAML
    "title: a\u00a0b",
    "k" * 1001 + ": x",  # longer than YAML lets an implicit key be
])
def test_anything_else_is_left_to_pyyaml(line):
    text = f"layout: post\n{line}\n"
    assert yamlfile.plain_mapping(text, 2) is None
    reference = _pyyaml(text)
    if isinstance(reference, tuple):
        assert _typed(yamlfile.load_yaml(text, "post.md", 2)) == _typed(reference)
    else:
        with pytest.raises(ContentError):
            yamlfile.load_yaml(text, "post.md", 2)


def test_a_duplicate_key_is_still_reported_by_pyyaml():
    with pytest.raises(ContentError, match="duplicate key 'title'"):
        yamlfile.load_yaml('title: "a"\ntitle: "b"\n', "post.md", 2)


def test_numbers_and_empty_collections_are_read_as_pyyaml_reads_them():
    text = "paginate: 10\nfirst: 0\nplugins: {}\ntags: [ ]\nyear: 2024\n"
    found = yamlfile.plain_mapping(text, 1)
    assert found is not None and _typed(found[0]) == _typed(_pyyaml(text, 1)[0]) and found[1] == _pyyaml(text, 1)[1]
    assert found[0] == {"paginate": 10, "first": 0, "plugins": {}, "tags": [], "year": 2024}


PIECES = ["title", "tags", "yes", "no", "on", "null", "x", "Deep Learning", "a-b", "e.g.", "2024-05-17",
          "2024-5-7", "12", "0", "07", "1_0", "{}", "{ }", "https://", "http://x.org/a?b=1", "/", "a:b", "0.5", ".inf", "~", "", " ", "  ", ":", ": ", " #", "#", ",", "[", "]", "{", "}",
          "'", '"', "''", "\\", "-", "- ", "&a", "*a", "!", "|", ">", "?", "%", "@", "`", "\t", "é", "\u2028",
          "\x85", "\x07", "\ufeff"]
VALUES = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@settings(max_examples=600, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from(["title", "date", "tags", "layout", "yes", "a_b", "x-y", "title"]),
                                VALUES, st.sampled_from(["", '"', "'", "[]"])), max_size=6),
       blank=st.booleans())
def test_whatever_it_reads_pyyaml_reads_the_same(lines, blank):
    parts = []
    for key, value, wrap in lines:
        shown = f"[{value}]" if wrap == "[]" else f"{wrap}{value}{wrap}"
        parts.append(f"{key}: {shown}")
    text = ("\n\n" if blank else "\n").join(parts) + "\n"
    found = yamlfile.plain_mapping(text, 2)
    if found is not None:
        reference = _pyyaml(text)
        assert isinstance(reference, tuple), (text, reference)
        assert _typed(found[0]) == _typed(reference[0]) and found[1] == reference[1], text
