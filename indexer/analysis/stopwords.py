"""Arabic stopwords: function words that carry no topic, dropped on both sides.

The list ships as package data (`stopwords.txt`) in ordinary spelling and is normalized
with the analyzer's own `normalize`, so a hamza or alef variant of a listed word
(إلى / الى, على / علي) is a stopword too.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from arshif.indexer.analysis.normalize import normalize


@cache
def stopwords() -> frozenset[str]:
    """The normalized stopword set.

    >>> {"في", "الي", "هل"} <= stopwords()
    True
    """
    text = resources.files(__package__).joinpath("stopwords.txt").read_text("utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(normalize(w) for w in words if w and not w.startswith("#"))


def is_stopword(normalized_word: str) -> bool:
    """Whether a normalized word is a stopword."""
    return normalized_word in stopwords()
