"""Pygments' regex lexers, trying at each position only the rules that can match its character.

Pygments' ``RegexLexer`` tries the rules of the current state one after another, a Python loop
step and a regex call each, until one matches: about 40 tries per token of Python code, most of
a code block's highlighting CPU. Most rules cannot match at most positions: ``(def)(\\s+)``
needs a ``d``, a number a digit. :func:`first_chars` reads, from a rule's parsed regex (the
structure Python's own regex compiler works from), the ASCII characters a match can begin
with; a state's table lists, for each ASCII character (code 0-127), its rules that can begin
with it, in the state's order. At a position holding that character the loop tries only those:
the first of them that matches is the first of all the rules that matches, since the others
cannot. Rules that can match the empty string, that :func:`first_chars` cannot read, or that
are not plain regular expressions are in every list; a non-ASCII character and the end of the
text are tried against all rules.

The table costs a parse of each rule's pattern (8 ms for Python's root state of 56 rules, no
compilation), made once the lexer has entered the state ``DISPATCH_AFTER`` times in the
process. Lexing the benchmark's 1,000 short Python blocks: 0.36 s with the library's loop,
0.18 s with the rules of a state joined into one regex (this module's predecessor, which also
spent 40 ms compiling that regex in each process), 0.07 s this way.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

# The library loop this copy reproduces: sha256 of ``inspect.getsource`` of
# ``RegexLexer.get_tokens_unprocessed`` in the Pygments versions checked against it. Any other
# source (a Pygments that changed its loop) leaves the library's own in place.
REGEX_LEXER_LOOPS = frozenset({
    "dda6229f98c72106e727537e3b57432b79b38517f8900671f3800d248e3867fe",  # Pygments 2.21.0
})
# A state entered fewer times than this in the process is lexed trying every rule: a language
# met in one short block never pays for parsing its rules (0.1-0.2 ms a rule).
DISPATCH_AFTER = 20
ASCII = 128  # characters with a list of their own: codes 0 .. ASCII - 1
_tables: dict[int, list] = {}  # id of a state's rule list -> [the list, times entered, its table]

try:  # Python's regex parser, private but stable since 3.11; without it every rule is tried
    from re import _constants as _sre
    from re import _compiler as _sre_compiler
    from re import _parser as _sre_parser
except ImportError:  # pragma: no cover - a Python that moved them
    _sre = _sre_compiler = _sre_parser = None

_ALL = frozenset(map(chr, range(ASCII)))


class _Unreadable(Exception):
    """A regex construct whose first characters are not worked out here (a backreference)."""


def first_chars(regex: re.Pattern) -> frozenset[str] | None:
    """The ASCII characters a match of ``regex`` can begin with, or None when it can also match
    the empty string (so anywhere, whatever the character) or cannot be read. A superset is
    always safe (a rule tried in vain); a missing character never is."""
    if _sre_parser is None or not isinstance(regex.pattern, str):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pygments compiled it already: its warnings were shown
            parsed = _sre_parser.parse(regex.pattern, regex.flags)
        first, empty = _sequence(parsed.data, parsed.state.flags)
    except (_Unreadable, re.error, RecursionError, TypeError, ValueError):
        return None
    return None if empty else frozenset(first)


def _sequence(items: list, flags: int) -> tuple[set[str], bool]:
    """(first characters, can match empty) of the parsed items matched one after another."""
    first: set[str] = set()
    for op, argument in items:
        chars, empty = _item(op, argument, flags)
        first |= chars
        if not empty:
            return first, False
    return first, True


def _item(op: Any, argument: Any, flags: int) -> tuple[set[str], bool]:
    c = _sre
    if op is c.LITERAL or op is c.IN:
        if flags & re.IGNORECASE:  # case folding has Unicode exceptions: let the engine say
            return set(_matched_by_engine(op, argument, flags)), False
        return set(_literal(argument) if op is c.LITERAL else _in(argument, flags)), False
    if op is c.NOT_LITERAL:
        return set(_ALL - _literal(argument)), False  # under IGNORECASE a superset: safe
    if op is c.ANY:
        return set(_ALL if flags & re.DOTALL else _ALL - {"\n"}), False
    if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
        return set(), True  # anchors and lookarounds take no character
    if op is c.BRANCH:
        first, empty = set(), False
        for alternative in argument[1]:
            chars, can = _sequence(alternative.data, flags)
            first |= chars
            empty = empty or can
        return first, empty
    if op is c.SUBPATTERN:
        _, added, removed, pattern = argument
        return _sequence(pattern.data, (flags | added) & ~removed)
    if op is c.ATOMIC_GROUP:
        return _sequence(argument.data, flags)
    if op is c.MAX_REPEAT or op is c.MIN_REPEAT or op is c.POSSESSIVE_REPEAT:
        least, _, pattern = argument
        first, empty = _sequence(pattern.data, flags)
        return first, empty or least == 0
    raise _Unreadable(op)  # GROUPREF, GROUPREF_EXISTS and anything a later Python adds


def _literal(code: int) -> frozenset[str]:
    return frozenset({chr(code)}) if code < ASCII else frozenset()


_CATEGORIES: dict[tuple[Any, int], frozenset[str]] = {}


def _in(items: list, flags: int) -> frozenset[str]:
    """The ASCII characters of a character class (``[...]``, ``\\d`` and the like)."""
    c = _sre
    chars: set[str] = set()
    negated = False
    for op, argument in items:
        if op is c.NEGATE:
            negated = True
        elif op is c.LITERAL:
            chars |= _literal(argument)
        elif op is c.RANGE:
            low, high = argument
            chars.update(map(chr, range(low, min(high, ASCII - 1) + 1)))
        elif op is c.CATEGORY:
            key = (argument, flags & re.ASCII)
            if key not in _CATEGORIES:
                _CATEGORIES[key] = _matched_by_engine(c.IN, [(op, argument)], flags & re.ASCII or re.UNICODE)
            chars |= _CATEGORIES[key]
        else:
            raise _Unreadable(op)
    return _ALL - chars if negated else frozenset(chars)


def _matched_by_engine(op: Any, argument: Any, flags: int) -> frozenset[str]:
    """The ASCII characters the one-character pattern ``(op, argument)`` matches under
    ``flags``, asked of the regex engine itself (it compiles parsed patterns too)."""
    pattern = _sre_parser.SubPattern(_sre_parser.State(), [(op, argument)])
    pattern.state.flags = flags
    match = _sre_compiler.compile(pattern, flags).match
    return frozenset(char for char in _ALL if match(char))


def dispatch_table(rules: list) -> list[tuple]:
    """For each ASCII code, the rules of ``rules`` (a state's, Pygments' ``(match, action,
    new_state)`` triples) that can match at a position holding that character, in order."""
    firsts = [first_chars(match.__self__)
              if getattr(match, "__name__", "") == "match" and isinstance(getattr(match, "__self__", None), re.Pattern)
              else None for match, _, _ in rules]
    shared: dict[tuple, tuple] = {}  # most characters share a list (all the letters of names)
    table = []
    for code in range(ASCII):
        char = chr(code)
        candidates = tuple(rule for rule, first in zip(rules, firsts) if first is None or char in first)
        table.append(shared.setdefault(candidates, candidates))
    return table


def _table(rules: list) -> list[tuple] | None:
    """:func:`dispatch_table` of a state once the lexer has entered it ``DISPATCH_AFTER`` times
    (tables live as long as their lexer class); None before that."""
    found = _tables.get(id(rules))
    if found is None or found[0] is not rules:
        found = _tables[id(rules)] = [rules, 0, None]
    if found[1] < DISPATCH_AFTER:
        found[1] += 1
        if found[1] == DISPATCH_AFTER:
            found[2] = dispatch_table(rules)
    return found[2]


def change_state(stack: list, change: Any) -> None:
    """Apply a rule's state change to ``stack`` (state names, the current one last) in place, with
    Pygments' meanings: a tuple of names to enter in turn, where "#pop" leaves the current state
    (never the bottom one) and "#push" enters it again; "#push" alone; or an int ``n``, the
    stack cut to ``stack[:n]`` but never below its bottom state."""
    if isinstance(change, tuple):
        for name in change:
            if name != "#pop":
                stack.append(stack[-1] if name == "#push" else name)
            elif len(stack) > 1:
                stack.pop()
    elif isinstance(change, int):
        del stack[1 if abs(change) >= len(stack) else change:]
    elif change == "#push":
        stack.append(stack[-1])
    else:
        raise AssertionError(f"a lexer rule changes state to {change!r}, which Pygments does not define")


def dispatching_loop(library_loop: Callable[..., Any]) -> Callable[..., Any]:
    """A ``RegexLexer.get_tokens_unprocessed`` yielding what ``library_loop`` yields: at each
    position the first rule of the current state that matches (among those its character allows,
    once the state has a table) makes a token, or a callback's tokens, and may change state;
    where none matches, a line end goes back to the root state as whitespace and any other
    character is an error token of its own."""
    from pygments.token import Error, Whitespace, _TokenType

    def get_tokens_unprocessed(self, text, stack=("root",)):
        table = self._tokens
        stack = list(stack)
        rules = table[stack[-1]]
        by_char = _table(rules)
        pos = 0
        end = len(text)
        while True:
            rule = match = None
            candidates = rules
            if by_char is not None and pos < end and (code := ord(text[pos])) < ASCII:
                candidates = by_char[code]
            for candidate in candidates:
                match = candidate[0](text, pos)
                if match:
                    rule = candidate
                    break
            if rule is None:
                if pos >= end:
                    return
                if text[pos] == "\n":
                    stack = ["root"]
                    rules = table["root"]
                    by_char = _table(rules)
                    yield pos, Whitespace, "\n"
                else:
                    yield pos, Error, text[pos]
                pos += 1
                continue
            _, action, change = rule
            if action is not None:
                if type(action) is _TokenType:
                    yield pos, action, match.group()
                else:
                    yield from action(self, match)
            pos = match.end()
            if change is not None:
                change_state(stack, change)
                rules = table[stack[-1]]
                by_char = _table(rules)

    get_tokens_unprocessed.__doc__ = library_loop.__doc__
    get_tokens_unprocessed.library_loop = library_loop  # type: ignore[attr-defined]
    return get_tokens_unprocessed


def install() -> bool:
    """Give Pygments' RegexLexer the dispatching loop when its own loop is one this copy was
    checked against; True when installed."""
    import hashlib
    import inspect

    from pygments.lexer import RegexLexer

    loop = RegexLexer.get_tokens_unprocessed
    if hasattr(loop, "library_loop"):
        return True
    try:
        source = inspect.getsource(loop)
    except (OSError, TypeError):
        return False
    if hashlib.sha256(source.encode()).hexdigest() not in REGEX_LEXER_LOOPS:
        return False
    RegexLexer.get_tokens_unprocessed = dispatching_loop(loop)
    return True
