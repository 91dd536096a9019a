"""Splitting text into words, with offsets into the original text.

Rules:

- a word is a run of letters and digits together with the marks and invisible characters
  written inside Arabic words (harakat, shadda, tatweel, ZWNJ, bidi marks), so يَكْتُبُ and
  عبد‌الله stay one word each;
- a decimal number keeps its separators: 3.5, ٣٫٥ and 1,000 are one token each;
- everything else (spaces, NBSP, punctuation, the Arabic comma ، and question mark ؟)
  separates words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from indexer.analysis import chars as c

_WORD = re.compile(
    rf"\d+(?:[.,{c.ARABIC_DECIMAL_SEPARATOR}{c.ARABIC_THOUSANDS_SEPARATOR}]\d+)+"
    rf"|(?:[^\W_]|[{c.ARABIC_MARKS}{c.INVISIBLE}])+"
)


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) for each word of `text`, offsets into `text`.

    >>> list(words("التَّحالُف، ٣٫٥"))
    [('التَّحالُف', 0, 10), ('٣٫٥', 12, 15)]
    """
    for match in _WORD.finditer(text):
        yield match.group(), match.start(), match.end()


def spans_of(text: str, wanted: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` for which `wanted(word)` holds.

    >>> spans_of("قال إن قال، قالوا", lambda w: w == "قال")
    [(0, 3), (7, 10)]
    """
    return [match.span() for match in _WORD.finditer(text) if wanted(match.group())]
