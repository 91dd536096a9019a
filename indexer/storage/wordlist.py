"""A field's words, sorted, as UTF-8 bytes one after another with where each begins.

Did-you-mean, wildcards and ranges read a field's vocabulary in byte order: a binary
search finds where a prefix or a bound falls, a slice gives the words from there. Held
as fixed-width byte strings every word took `WORD_BYTES` bytes (11 MB for the 240,000
exact forms of the mixed set); one after another, each takes its own length.

In a postings file, for a field's words: `<name>.utf8`, the words one after another,
and `<name>.starts`, where each begins, then the end (the smallest unsigned type).

Joining files unites their word lists as fixed-width rows (`WordList.union`): each list
is sorted already, so a stable sort of the rows (numpy's timsort) merges them, without a
Python object per word (a third of a join's time). UTF-8 words hold no NUL byte, so a
row's length is its count of non-zero bytes.

>>> words = WordList.of([b"ba", b"a", b"ba"])
>>> len(words), words.bisect(b"b"), words[1:2]
(2, 1, [b'ba'])
>>> WordList.union([words, WordList.of([b"c", b"a"])]).tolist()
[b'a', b'ba', b'c']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import islice, pairwise

import numpy as np

# The longest word kept, in UTF-8 bytes (24 Arabic letters, more than any suggestion is
# ever made for); a bound longer than this is cut to it, as the words are.
WORD_BYTES = 48
# A word as a row of `WORD_BYTES` bytes, NUL-padded: rows sort as their words do.
_ROW = np.dtype(f"S{WORD_BYTES}")
# Word lists united at a time: the rows of a join's hundreds of lists at once would take
# 48 bytes for every word of every list.
_UNION_BATCH = 8


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

    @classmethod
    def union(cls, lists: Iterable[WordList]) -> WordList:
        """The words of all `lists`, sorted, each once (`lists` read a batch at a time:
        a join maps a batch of files at a time)."""
        united = np.zeros(0, _ROW)
        remaining = iter(lists)
        while batch := list(islice(remaining, _UNION_BATCH)):
            rows = np.zeros(len(united) + sum(map(len, batch)), _ROW)
            rows[: len(united)] = united
            at = len(united)
            for words in batch:
                words._write_rows(rows[at : at + len(words)])
                at += len(words)
            rows.sort(kind="stable")  # in place: a join holds the rows once
            united = rows[np.concatenate(([True], rows[1:] != rows[:-1]))] if len(rows) else rows
            del rows
        return cls._of_rows(united)

    def _write_rows(self, rows: np.ndarray) -> None:
        """Write the words into `rows` (as many `_ROW`s, zeroed)."""
        starts = self.starts.astype(np.int64)
        lengths = np.diff(starts)
        row_starts = np.arange(len(lengths), dtype=np.int64) * WORD_BYTES
        at = np.arange(starts[-1]) + np.repeat(row_starts - starts[:-1], lengths)
        rows.view(np.uint8)[at] = self.utf8

    @classmethod
    def _of_rows(cls, rows: np.ndarray) -> WordList:
        """The words of sorted, distinct `_ROW`s."""
        table = rows.view(np.uint8).reshape(len(rows), WORD_BYTES)
        lengths = np.count_nonzero(table, axis=1)
        utf8 = table[np.arange(WORD_BYTES) < lengths[:, None]]
        return cls(utf8, _smallest(np.concatenate(([0], np.cumsum(lengths)))))

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
