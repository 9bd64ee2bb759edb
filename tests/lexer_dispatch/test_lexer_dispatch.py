"""Pygments' regex lexers trying at each position only the rules its character allows
(generator/lexer_dispatch.py) give the very tokens of the library's rule-by-rule loop."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import RegexLexer
from pygments.lexers import get_all_lexers, get_lexer_by_name

import generator.markdown  # noqa: F401  (installs the shortcuts)
from generator import lexer_dispatch

ROOT = Path(__file__).resolve().parents[2]
DISPATCHING_LOOP = RegexLexer.get_tokens_unprocessed
LIBRARY_LOOP = getattr(DISPATCHING_LOOP, "library_loop", None)
# Languages the sites highlight most, and ones whose rules the reading of first characters must
# get right: (?i) flags (python, sql), verbose patterns and callbacks (html, css, yaml), many states.
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
def dispatch_at_once(monkeypatch):
    """Every state given its table the first time it is entered, so each test goes through them."""
    monkeypatch.setattr(lexer_dispatch, "DISPATCH_AFTER", 1)
    monkeypatch.setattr(lexer_dispatch, "_tables", {})


def _library_tokens(lexer, text: str) -> list:
    """``lexer``'s tokens for ``text`` with the library's own loop in RegexLexer (subclasses that
    override the method and call it, and non-regex lexers delegating to one, included)."""
    RegexLexer.get_tokens_unprocessed = LIBRARY_LOOP
    try:
        return list(lexer.get_tokens(text))
    finally:
        RegexLexer.get_tokens_unprocessed = DISPATCHING_LOOP


def _same_tokens(lexer, text: str) -> bool:
    return list(lexer.get_tokens(text)) == _library_tokens(lexer, text)


def _lexers():
    return [get_lexer_by_name(name) for name in LANGUAGES]


def test_the_dispatching_loop_is_installed_for_this_pygments():
    # Fails after a Pygments upgrade that changed the loop: check the copy against the new
    # loop, then add its hash to REGEX_LEXER_LOOPS.
    assert LIBRARY_LOOP is not None
    rules = get_lexer_by_name("python")._tokens["root"]
    table = lexer_dispatch.dispatch_table(rules)
    # The shortcut only pays if it leaves most rules out: a name tries a handful, not all 56.
    assert len(table) == lexer_dispatch.ASCII and max(len(table[ord(c)]) for c in "vx_ (=\n") < len(rules) // 3


def test_a_state_gets_its_table_once_entered_often_enough(monkeypatch):
    monkeypatch.setattr(lexer_dispatch, "DISPATCH_AFTER", 3)
    rules = get_lexer_by_name("python")._tokens["root"]
    assert [lexer_dispatch._table(rules) is not None for _ in range(5)] == [False, False, True, True, True]


def test_a_loop_it_was_not_checked_against_is_left_alone(monkeypatch):
    monkeypatch.setattr(RegexLexer, "get_tokens_unprocessed", LIBRARY_LOOP)
    monkeypatch.setattr(lexer_dispatch, "REGEX_LEXER_LOOPS", frozenset())
    assert lexer_dispatch.install() is False
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


@pytest.mark.parametrize("pattern, first", [
    ("abc", "a"), ("(?i)k", "Kk"), ("(?i)[ft]r", "FTft"), (r"\d+", "0123456789"), ("x?y", "xy"),
    (r"\bz", "z"), (r"(?<!\.)(a|bc)", "ab"), ("(?:ab)*c", "ac"), (r"(a)\1", "a"),
    (r"(?a)\s", "\t\n\x0b\x0c\r "),
    (r"\s", "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "),  # Unicode \s has the separators below space
    ("[^\\S\n]+", "\t\x0b\x0c\r\x1c\x1d\x1e\x1f "),
    ("(?i)\u212a", "Kk"),  # the Kelvin sign folds to an ASCII letter
    ("\u00e9", ""),  # only ever matches where the character is not ASCII
    ("", None), ("a*", None), (r"\b", None), ("(?=a)", None),  # may match the empty string
    (r"(a)?\1", None), ("(a)?(?(1)b|c)", None),  # what comes after a group that may be empty
])
def test_first_characters_are_read_from_the_regex(pattern, first):
    found = lexer_dispatch.first_chars(re.compile(pattern))
    assert found == (None if first is None else frozenset(first))


def _rules_of_every_regex_lexer():
    for _, aliases, _, _ in get_all_lexers():
        lexer = get_lexer_by_name(aliases[0]) if aliases else None
        if isinstance(lexer, RegexLexer):
            list(lexer.get_tokens("x"))  # makes its states
            yield from (rule for rules in lexer._tokens.values() for rule in rules)


@functools.cache
def _distinct_rules() -> list[re.Pattern]:
    """The regexes of every rule of every regex lexer, each once (made on first use, not while
    pytest collects this file: instantiating every lexer takes seconds)."""
    return list({id(match.__self__): match.__self__ for match, _, _ in _rules_of_every_regex_lexer()
                 if isinstance(getattr(match, "__self__", None), re.Pattern)}.values())


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=ALPHABET + "\u212a\u00e9", max_size=40), chunk=st.integers(0, 99))
def test_no_rule_of_any_lexer_matches_at_a_character_left_out(text, chunk):
    """Soundness, rule by rule: wherever a rule matches, the character there is one the table
    lists it for (or it was left in every list)."""
    for regex in _distinct_rules()[chunk::100]:
        first = lexer_dispatch.first_chars(regex)
        if first is None:
            continue
        for pos in range(len(text) + 1):
            found = regex.match(text, pos)
            if found is not None:
                assert found.end() > pos, regex.pattern
                assert ord(text[pos]) >= lexer_dispatch.ASCII or text[pos] in first, (regex.pattern, text, pos)
