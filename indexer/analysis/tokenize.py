"""Splitting text into words, with offsets into the original text.

Rules:

- a word is a run of letters and digits together with the marks and invisible characters
  written inside Arabic words (harakat, shadda, tatweel, ZWNJ, bidi marks), so يَكْتُبُ and
  عبد‌الله stay one word each;
- a decimal number keeps its separators: 3.5, ٣٫٥ and 1,000 are one token each;
- everything else (spaces, NBSP, punctuation, the Arabic comma ، and question mark ؟)
  separates words.

`_WORD` states the rules. Python's `re` spends ~100 ns a character on its Unicode
classes (the largest cost of a snippet, and a part of indexing), so the words of a longer
text are found with a per-character table instead (`word_bounds`, ~5× faster): only a run
holding a number with separators, or a text with a character the table leaves out (CJK,
emoji), is read by `_WORD` itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

import numpy as np

from arshif.indexer.analysis import chars as c
from arshif.indexer.analysis.chartable import TABLE_FROM_LENGTH, class_table, classify, runs

_SEPARATORS = f".,{c.ARABIC_DECIMAL_SEPARATOR}{c.ARABIC_THOUSANDS_SEPARATOR}"
_WORD = re.compile(
    rf"\d+(?:[{_SEPARATORS}]\d+)+"
    rf"|(?:[^\W_]|[{c.ARABIC_MARKS}{c.INVISIBLE}])+"
)
# A number with separators right before a word character: there, and only there, two
# words touch (3.5م is 3.5 and م); elsewhere something that is no word stands between.
_NUMBER_TOUCHING = re.compile(rf"\d[{_SEPARATORS}]\d+(?=[^\W\d_]|[{c.ARABIC_MARKS}{c.INVISIBLE}])")
# The classes `word_bounds` reads per character, as bits of a `class_table`.
_CLASSES = (rf"[^\W_]|[{c.ARABIC_MARKS}{c.INVISIBLE}]", r"\d", f"[{_SEPARATORS}]")
_WORD_CHAR, _DIGIT, _SEPARATOR = 1, 2, 4
_SEPARATOR_IN_NUMBER = 8  # not a table class: marked per text


def word_bounds(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Starts and ends of the words of `text`, or None where only `_WORD` can tell.

    Words are runs of word characters, save where a separator stands between digits:
    the run it joins is read by `_WORD` (a number may end inside it: "3.5م").
    """
    if len(text) < TABLE_FROM_LENGTH:
        return None
    kinds = classify(text, _CLASSES)
    if kinds is None:
        return None  # a character the table leaves out
    bridges = np.zeros(len(kinds), bool)
    if (kinds & _SEPARATOR).any():
        digit = (kinds & _DIGIT) > 0
        bridges[1:-1] = ((kinds[1:-1] & _SEPARATOR) > 0) & digit[:-2] & digit[2:]
    if not bridges.any():
        return runs(kinds, _WORD_CHAR)
    starts, ends = runs(kinds | (bridges * _SEPARATOR_IN_NUMBER).astype(np.uint8),
                        _WORD_CHAR | _SEPARATOR_IN_NUMBER)  # fmt: skip
    joined = np.add.reduceat(bridges, starts) > 0
    numbers = [
        m.span()
        for start, end in zip(starts[joined].tolist(), ends[joined].tolist(), strict=True)
        for m in _WORD.finditer(text, start, end)
    ]
    all_starts = np.concatenate([starts[~joined], [a for a, _ in numbers]]).astype(np.int64)
    all_ends = np.concatenate([ends[~joined], [b for _, b in numbers]]).astype(np.int64)
    order = np.argsort(all_starts, kind="stable")
    return all_starts[order], all_ends[order]


@cache
def _flags_by_code_point() -> bytes:
    """`_CLASSES`' table as bytes: one character's flags are read fastest from these."""
    return class_table(_CLASSES).tobytes()


def word_at(text: str, at: int) -> tuple[int, int] | None:
    """Start and end of the word of `text` holding the character at `at`, found by
    looking at its neighbours only (a few words of a long text are wanted, not all).
    The text's characters must be known to the tables (`chartable.KNOWN_RANGES`).

    None where `word_bounds` would tell otherwise: the character is no word character,
    or a separator joins a digit at the word's edge to another (3.5: `_WORD` decides).

    >>> text = "قال التَّحالُف إن 3.5 مليون"
    >>> word_at(text, 6), word_at(text, 18), word_at(text, 3)
    ((4, 14), None, None)
    """
    flags = _flags_by_code_point()
    if not flags[ord(text[at])] & _WORD_CHAR:
        return None
    start, end = at, at + 1
    while start and flags[ord(text[start - 1])] & _WORD_CHAR:
        start -= 1
    while end < len(text) and flags[ord(text[end])] & _WORD_CHAR:
        end += 1
    if _joins_digits(text, flags, start - 1) or _joins_digits(text, flags, end):
        return None
    return start, end


def _joins_digits(text: str, flags: bytes, at: int) -> bool:
    """Whether `text[at]` is a separator standing between two digits."""
    if at <= 0 or at + 1 >= len(text) or not flags[ord(text[at])] & _SEPARATOR:
        return False
    return bool(flags[ord(text[at - 1])] & flags[ord(text[at + 1])] & _DIGIT)


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (word, start, end) for each word of `text`, offsets into `text`.

    >>> list(words("التَّحالُف، ٣٫٥"))
    [('التَّحالُف', 0, 10), ('٣٫٥', 12, 15)]
    """
    bounds = word_bounds(text)
    if bounds is None:
        for match in _WORD.finditer(text):
            yield match.group(), match.start(), match.end()
        return
    for start, end in zip(bounds[0].tolist(), bounds[1].tolist(), strict=True):
        yield text[start:end], start, end


def word_list(text: str) -> list[str]:
    """The words of `text`, in order (`words` without the offsets)."""
    bounds = word_bounds(text)
    if bounds is None:
        return _WORD.findall(text)
    starts, ends = bounds[0].tolist(), bounds[1].tolist()
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def words_may_touch(text: str) -> bool:
    """Whether two words of `text` may touch, no separator between them (a number with
    separators followed by a letter or mark: "3.5م"); False means they never do.

    >>> words_may_touch("نمو 3.5م"), words_may_touch("نمو 3.5 مليون")
    (True, False)
    """
    return _NUMBER_TOUCHING.search(text) is not None


def spans_of(text: str, wanted: Callable[[str], bool]) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` for which `wanted(word)` holds; `wanted` is
    asked once per distinct word.

    >>> spans_of("قال إن قال، قالوا", lambda w: w == "قال")
    [(0, 3), (7, 10)]
    """
    bounds = word_bounds(text)
    if bounds is None:
        return [m.span() for m in _WORD.finditer(text) if wanted(m.group())]
    starts, ends = bounds[0].tolist(), bounds[1].tolist()
    found = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    chosen = {word for word in set(found) if wanted(word)}
    if not chosen:
        return []
    return [
        (start, end) for start, end, word in zip(starts, ends, found, strict=True) if word in chosen
    ]
