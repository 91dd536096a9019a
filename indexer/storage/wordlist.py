"""A field's words, sorted, as UTF-8 bytes one after another with where each begins.

Did-you-mean, wildcards and ranges read a field's vocabulary in byte order: a binary
search finds where a prefix or a bound falls, a slice gives the words from there. Held
as fixed-width byte strings every word took `WORD_BYTES` bytes (11 MB for the 240,000
exact forms of the mixed set); one after another, each takes its own length.

In a postings file, for a field's words: `<name>.utf8`, the words one after another,
and `<name>.starts`, where each begins, then the end (the smallest unsigned type).

>>> words = WordList.of([b"ba", b"a", b"ba"])
>>> len(words), words.bisect(b"b"), words[1:2]
(2, 1, [b'ba'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import pairwise

import numpy as np

# The longest word kept, in UTF-8 bytes (24 Arabic letters, more than any suggestion is
# ever made for); a bound longer than this is cut to it, as the words are.
WORD_BYTES = 48


def term_key(term: str | bytes) -> int:
    """The 64-bit key (BLAKE2b) a term is stored and looked up under, and a shingle
    word hashed under (`duplicates`): a word's is computed once for both."""
    data = term.encode("utf-8") if isinstance(term, str) else term
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def _smallest(values: np.ndarray) -> np.ndarray:
    top = int(values[-1]) if len(values) else 0
    return values.astype(np.uint32 if top < 1 << 32 else np.uint64)


class WordList:
    """Sorted, distinct words (bytes), read by index, slice or binary search."""

    def __init__(self, utf8: np.ndarray, starts: np.ndarray) -> None:
        self.utf8 = utf8
        self.starts = starts

    @classmethod
    def of(cls, words: Iterable[bytes]) -> WordList:
        """`words` sorted, each once, the longer than `WORD_BYTES` left out."""
        return cls.of_distinct(set(words))

    @classmethod
    def of_distinct(cls, words: Iterable[bytes]) -> WordList:
        """`words` (none given twice) sorted, the longer than `WORD_BYTES` left out: a
        segment's terms are distinct, and a set of them cost a third of the sorting."""
        kept = sorted(words)
        if kept and max(map(len, kept)) > WORD_BYTES:
            kept = [w for w in kept if len(w) <= WORD_BYTES]
        lengths = np.fromiter(map(len, kept), np.int64, len(kept))
        starts = np.concatenate(([0], np.cumsum(lengths)))
        return cls(np.frombuffer(b"".join(kept), np.uint8), _smallest(starts))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        return {f"{name}.utf8": self.utf8, f"{name}.starts": self.starts}

    def __len__(self) -> int:
        return len(self.starts) - 1

    def word(self, index: int) -> bytes:
        a, b = self.starts[index : index + 2].tolist()
        return self.utf8[a:b].tobytes()

    def __getitem__(self, part: slice) -> list[bytes]:
        """The words of a slice (a step of one)."""
        first, end, _ = part.indices(len(self))
        if end <= first:
            return []
        bounds = self.starts[first : end + 1].tolist()
        data = self.utf8[bounds[0] : bounds[-1]].tobytes()
        base = bounds[0]
        return [data[a - base : b - base] for a, b in pairwise(bounds)]

    def tolist(self) -> list[bytes]:
        return self[:]

    def bisect(self, word: bytes, side: str = "left") -> int:
        """Where `word` (cut to `WORD_BYTES`) would go among the words, before equal
        ones (`side="left"`) or after them, as `np.searchsorted` places it."""
        word = word[:WORD_BYTES]
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            here = self.word(mid)
            if here < word or (side == "right" and here == word):
                lo = mid + 1
            else:
                hi = mid
        return lo
