"""word_count: the ASCII fast path counts exactly what the regex definition counts."""

import random
import re

from generator.site import word_count

_DEFINITION = re.compile(r"[\w'’-]+")


def _by_definition(html: str) -> int:
    return len(_DEFINITION.findall(re.sub(r"<[^>]+>", " ", html)))


def test_counts_words_outside_tags():
    assert word_count("<p>One two-three <em>don't</em> stop_here.</p>") == 4
    assert word_count('<a href="x y z">link</a>') == 1
    assert word_count("") == 0
    assert word_count("<p>\x1c\x1fa\x0bb\tc</p>") == 3  # separators str.split would also cut at


def test_non_ascii_text_counts_the_same_as_the_definition():
    assert word_count("<p>Café naïve — it’s 3×4</p>") == _by_definition("<p>Café naïve — it’s 3×4</p>") == 5


def test_matches_the_definition_on_random_text():
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(128)] + ["é", "’", "—", "ß", "\u00a0", "٣"]
    for _ in range(2000):
        html = "".join(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        assert word_count(html) == _by_definition(html), repr(html)
