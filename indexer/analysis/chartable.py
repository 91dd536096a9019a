"""Per-character tables over a text's code points, for scanning long texts in numpy.

Python's `re` spends ~100 ns a character on Unicode classes; looking every character up
in a table at once costs a few ns. A table answers, for the code points it knows, which
of a few regular-expression classes each belongs to; the classes are read off the very
patterns they stand for, so the table and the pattern cannot disagree. A text holding a
code point the table does not know (CJK, emoji) is left to the patterns themselves.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

# The code points the tables know: scripts and punctuation up to U+2FFF (Latin, Arabic,
# general punctuation, bidi marks) and the presentation forms from U+F900 on.
KNOWN_RANGES = (range(0, 0x3000), range(0xF900, 0x10000))
TABLE_SIZE = 0x10000
# The flag every known code point carries in a class table.
KNOWN = 0x80
# Shorter texts (queries, headlines) are left to the patterns: a table costs more there.
TABLE_FROM_LENGTH = 200


def code_points(text: str) -> np.ndarray | None:
    """The code points of `text`, one per character (lone surrogates included); None
    if one is beyond the tables."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return None if len(codes) and int(codes.max()) >= TABLE_SIZE else codes


@cache
def class_table(patterns: tuple[str, ...]) -> np.ndarray:
    """Flags per code point: bit i set where the one-character class `patterns[i]`
    matches, and KNOWN for every code point the table knows."""
    assert len(patterns) <= 7
    flags = np.zeros(TABLE_SIZE, np.uint8)
    for codes in KNOWN_RANGES:
        chars = "".join(map(chr, codes))
        flags[codes.start : codes.stop] = KNOWN
        for bit, pattern in enumerate(patterns):
            for match in re.finditer(f"(?:{pattern})+", chars):
                flags[codes.start + match.start() : codes.start + match.end()] |= 1 << bit
    return flags


def classify(text: str, patterns: tuple[str, ...]) -> np.ndarray | None:
    """Each character's flags in `class_table(patterns)`; None if one is not known."""
    codes = code_points(text)
    if codes is None:
        return None
    flags = class_table(patterns)[codes]
    if len(flags) and flags.min() < KNOWN:
        return None
    return flags


def runs(flags: np.ndarray, bit: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the maximal runs of characters whose flags have `bit`.

    >>> [a.tolist() for a in runs(np.array([1, 1, 0, 1], np.uint8), 1)]
    [[0, 3], [2, 4]]
    """
    inside = np.zeros(len(flags) + 2, np.uint8)
    inside[1:-1] = (flags & bit) > 0
    edges = np.flatnonzero(inside[1:] != inside[:-1])  # start, end, start, …
    return edges[0::2], edges[1::2]
