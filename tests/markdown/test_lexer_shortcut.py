"""Pygments' regex lexers with all rules of a state joined into one regex
(generator/markdown_shortcuts.py, 10.) give the very tokens of the library's rule-by-rule loop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import RegexLexer
from pygments.lexers import get_all_lexers, get_lexer_by_name

import generator.markdown  # noqa: F401  (installs the shortcuts)
from generator import markdown_shortcuts

ROOT = Path(__file__).resolve().parents[2]
JOINED_LOOP = RegexLexer.get_tokens_unprocessed
LIBRARY_LOOP = getattr(JOINED_LOOP, "library_loop", None)
# Languages the sites highlight most, and ones whose rules use what the joining must rewrite:
# leading (?i) flags (python, sql), verbose patterns and callbacks (html, css, yaml), many states.
LANGUAGES = ["python", "bash", "javascript", "c", "cpp", "rust", "go", "java", "html", "css", "yaml", "json",
             "toml", "sql", "latex", "markdown", "diff", "ruby", "r", "julia", "console", "ini", "make"]
ALPHABET = "ab_1 \n\t{}()[]<>\"'#/*\\$@%&=;:,.-+!?|`~xX0eEfrubRUB"
SAMPLES = [
    'def f(x, *a, **k):\n    """doc"""\n    return f"{x!r:>4}" + rb"\\d" # c\n@dec\nclass C(B): pass\n',
    'int main(void) { printf("%d\\n", 1); /* c */ return 0x1F; }\n#include <stdio.h>\n',
    '<div class="x" id=\'y\'>&amp; <script>var a = `t${b}`;</script><style>p { color: #fff }</style></div>\n',
    '#!/bin/sh\nfor f in *.md; do echo "$f" | grep -i "a" >> out; done # c\ncat <<EOF\nx\nEOF\n',
    'key: [1, 2.5e3, "s"]\n- a: |\n    text\nSELECT a FROM t WHERE b LIKE \'%x\' -- c\n',
    "\\begin{align} x &= \\frac{1}{2} \\end{align} % c\n---\n+++ b\n@@ -1 +1 @@\n-old\n+new\n",
]


@pytest.fixture(autouse=True)
def join_at_once(monkeypatch):
    """Every state joined the first time it is entered, so each test goes through the joins."""
    monkeypatch.setattr(markdown_shortcuts, "JOIN_AFTER", 1)
    monkeypatch.setattr(markdown_shortcuts, "_scans", {})


def _library_tokens(lexer, text: str) -> list:
    """``lexer``'s tokens for ``text`` with the library's own loop in RegexLexer (subclasses that
    override the method and call it, and non-regex lexers delegating to one, included)."""
    RegexLexer.get_tokens_unprocessed = LIBRARY_LOOP
    try:
        return list(lexer.get_tokens(text))
    finally:
        RegexLexer.get_tokens_unprocessed = JOINED_LOOP


def _same_tokens(lexer, text: str) -> bool:
    return list(lexer.get_tokens(text)) == _library_tokens(lexer, text)


def _lexers():
    return [get_lexer_by_name(name) for name in LANGUAGES]


def test_the_joined_loop_is_installed_for_this_pygments():
    # Fails after a Pygments upgrade that changed the loop: check the copy against the new
    # loop, then add its hash to _REGEX_LEXER_LOOPS.
    assert LIBRARY_LOOP is not None
    lexer = get_lexer_by_name("python")
    assert all(markdown_shortcuts._join_rules(rules) is not None
               for rules in lexer._tokens.values() if len(rules) >= markdown_shortcuts._FEWEST_RULES)


def test_a_state_is_joined_once_entered_often_enough(monkeypatch):
    monkeypatch.setattr(markdown_shortcuts, "JOIN_AFTER", 3)
    rules = get_lexer_by_name("python")._tokens["root"]
    assert [markdown_shortcuts._scan(rules) is not None for _ in range(5)] == [False, False, True, True, True]


def test_a_loop_it_was_not_checked_against_is_left_alone(monkeypatch):
    monkeypatch.setattr(RegexLexer, "get_tokens_unprocessed", LIBRARY_LOOP)
    monkeypatch.setattr(markdown_shortcuts, "_REGEX_LEXER_LOOPS", frozenset())
    assert markdown_shortcuts._install_lexer_scan() is False
    assert RegexLexer.get_tokens_unprocessed is LIBRARY_LOOP


@settings(max_examples=300, deadline=None)
@given(language=st.sampled_from(LANGUAGES), text=st.text(alphabet=ALPHABET, max_size=120))
def test_random_text_lexes_as_the_library_lexes_it(language, text):
    lexer = get_lexer_by_name(language)
    assert _same_tokens(lexer, text)


@pytest.mark.parametrize("lexer", _lexers(), ids=LANGUAGES)
def test_code_lexes_as_the_library_lexes_it(lexer):
    sources = SAMPLES + [path.read_text(encoding="utf-8") for path in sorted((ROOT / "generator").glob("*.py"))[:5]]
    for text in sources:
        assert _same_tokens(lexer, text)


def test_every_regex_lexer_lexes_the_samples_as_the_library_does():
    checked = 0
    for _, aliases, _, _ in get_all_lexers():
        lexer = get_lexer_by_name(aliases[0]) if aliases else None
        if lexer is not None:
            for text in SAMPLES:
                assert _same_tokens(lexer, text), aliases[0]
            checked += isinstance(lexer, RegexLexer)
    assert checked > 300


FILLER = [(re.compile(pattern, re.M).match, None, None) for pattern in ("x", "y", "")]  # the last matches anything


@pytest.mark.parametrize("rules, joinable", [
    ([(re.compile("a", re.M).match, None, None), (re.compile("(?i)b", re.M).match, None, None)] + FILLER, True),
    ([(re.compile("(a)\\1", re.M).match, None, None)] + FILLER, False),  # a numbered backreference
    ([(re.compile("(?P<n>a)", re.M).match, None, None), (re.compile("(?P<n>b)", re.M).match, None, None)] + FILLER,
     False),
    ([(re.compile("a # comment", re.X).match, None, None), (re.compile("b").match, None, None)] + FILLER, True),
    ([(re.compile("a", re.M).match, None, None), (re.compile("b", re.M).match, None, None)], False),  # too few
    ([], False),
])
def test_rules_are_joined_only_when_that_keeps_their_meaning(rules, joinable):
    joined = markdown_shortcuts._join_rules(rules)
    assert (joined is not None) is joinable
    if joined is not None:
        match, marker = joined
        for text in ("a", "B", "b", "ab", "c", ""):
            first = next((index for index, (rule, _, _) in enumerate(rules) if rule(text, 0)), None)
            found = match(text, 0)
            assert (None if found is None else marker[found.lastindex]) == first
