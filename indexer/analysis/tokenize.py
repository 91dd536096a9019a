"""Splitting text into words, with offsets into the original text.

Rules:

- a word is a run of letters and digits together with the marks and invisible characters
  written inside Arabic words (harakat, shadda, tatweel, ZWNJ, bidi marks), so يَكْتُبُ and
  عبد‌الله stay one word each;
- a decimal number keeps its separators: 3.5, ٣٫٥ and 1,000 are one token each;
- everything else (spaces, NBSP, punctuation, the Arabic comma ، and question mark ؟)
  separates words.

`_WORD` states the rules. Python's `re` spends ~100 ns a character on its Unicode
classes, the largest cost of a snippet, so the words of a longer text are found with a
per-character table over its code points instead (`_word_bounds`); a text in which a
separator stands between digits, or with characters the table leaves out (CJK, emoji),
goes through `_WORD` itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

import numpy as np

from indexer.analysis import chars as c

_SEPARATORS = f".,{c.ARABIC_DECIMAL_SEPARATOR}{c.ARABIC_THOUSANDS_SEPARATOR}"
_WORD = re.compile(
    rf"\d+(?:[{_SEPARATORS}]\d+)+"
    rf"|(?:[^\W_]|[{c.ARABIC_MARKS}{c.INVISIBLE}])+"
)
# Character kinds in `_char_kinds`: bit flags.
_WORD_CHAR, _DIGIT, _SEPARATOR, _KNOWN = 1, 2, 4, 8
# The code points the table knows: scripts and punctuation up to U+2FFF (Latin, Arabic,
# general punctuation, bidi marks) and the presentation forms from U+F900 on.
_TABLE_RANGES = (range(0, 0x3000), range(0xF900, 0x10000))
_TABLE_SIZE = 0x10000
# Shorter texts (queries, headlines) are read by `_WORD`: no table needed.
_TABLE_FROM_LENGTH = 200


@cache
def _char_kinds() -> np.ndarray:
    """Each known code point's kind, read off the very classes `_WORD` uses."""
    kinds = np.zeros(_TABLE_SIZE, np.uint8)
    for codes in _TABLE_RANGES:
        chars = "".join(map(chr, codes))
        kinds[codes.start : codes.stop] = _KNOWN
        for flag, pattern in (
            (_WORD_CHAR, rf"(?:[^\W_]|[{c.ARABIC_MARKS}{c.INVISIBLE}])+"),
            (_DIGIT, r"\d+"),
            (_SEPARATOR, f"[{_SEPARATORS}]+"),
        ):
            for match in re.finditer(pattern, chars):
                kinds[codes.start + match.start() : codes.start + match.end()] |= flag
    return kinds


def _word_bounds(text: str) -> tuple[list[int], list[int]] | None:
    """Starts and ends of the words of `text`, or None where only `_WORD` can tell."""
    if len(text) < _TABLE_FROM_LENGTH:
        return None
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    if int(codes.max()) >= _TABLE_SIZE:
        return None
    kinds = _char_kinds()[codes]
    if kinds.min() < _KNOWN:
        return None  # a character the table leaves out
    if (kinds & _SEPARATOR).any():
        digit = (kinds & _DIGIT) > 0
        if np.any(((kinds[1:-1] & _SEPARATOR) > 0) & digit[:-2] & digit[2:]):
            return None  # a separator between digits may join them into one number
    in_word = np.zeros(len(kinds) + 2, np.uint8)
    in_word[1:-1] = kinds & _WORD_CHAR
    edges = np.flatnonzero(in_word[1:] != in_word[:-1]).tolist()  # start, end, start, …
    return edges[0::2], edges[1::2]


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) for each word of `text`, offsets into `text`.

    >>> list(words("التَّحالُف، ٣٫٥"))
    [('التَّحالُف', 0, 10), ('٣٫٥', 12, 15)]
    """
    bounds = _word_bounds(text)
    if bounds is None:
        for match in _WORD.finditer(text):
            yield match.group(), match.start(), match.end()
        return
    for start, end in zip(*bounds, strict=True):
        yield text[start:end], start, end


def spans_of(text: str, wanted: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` for which `wanted(word)` holds; `wanted` is
    asked once per distinct word.

    >>> spans_of("قال إن قال، قالوا", lambda w: w == "قال")
    [(0, 3), (7, 10)]
    """
    bounds = _word_bounds(text)
    if bounds is None:
        return [m.span() for m in _WORD.finditer(text) if wanted(m.group())]
    starts, ends = bounds
    found = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    chosen = {word for word in set(found) if wanted(word)}
    if not chosen:
        return []
    return [
        (start, end)
        for start, end, word in zip(starts, ends, found, strict=True)
        if word in chosen
    ]
