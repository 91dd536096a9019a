"""Snippets: the sentence of an article that best shows why it matched, in its own words.

The article text is analyzed with the index's own analyzer, so a match is found whatever
its surface form (وللتحالف for التحالف), and the highlight covers the original word with
its diacritics and proclitics. Sentences end at . ! ? and the Arabic ؟ ؛ ۔ marks.

Analyzing every word of every hit costs ~0.5 µs a distinct word, the largest part of a
short query's time. But a word's terms are pieces of its normalized form (the stemmer
only cuts affixes off, or replaces a form it overrides), so only the words in which the
normalized text holds a term, or an overridden form of one, need analyzing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from indexer.analysis.analyzer import ArabicAnalyzer, analyze_word
from indexer.analysis.chartable import TABLE_FROM_LENGTH, classify, runs
from indexer.analysis.normalize import normalize_chars
from indexer.analysis.stem import stem_overrides
from indexer.analysis.tokenize import spans_of, word_at, word_bounds

_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u061b\u06d4])\s+|\n+")
MAX_CHARS = 240
# `_SENTENCE_END`'s classes, for `_sentence_gaps` to read from a table in longer texts.
_SENTENCE_CLASSES = (r"\s", r"\n", r"[.!?\u061f\u061b\u06d4]")
_SPACE, _NEWLINE, _END_MARK = 1, 2, 4


@dataclass(frozen=True)
class Snippet:
    """Text plus the (start, end) spans of matched words within it."""

    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


class QueryWords:
    """Finds a query's `terms` in texts by analyzing their words; each surface word's
    verdict is remembered, since the hits of one query share most of their words."""

    def __init__(self, terms: set[str], analyzer: ArabicAnalyzer) -> None:
        self.terms = terms
        self.stemming = analyzer.stemming
        self._verdicts: dict[str, bool] = {}
        overridden = {form for form, stem in stem_overrides().items() if stem in terms}
        self._pieces = sorted(terms | overridden)

    def _matches(self, word: str) -> bool:
        verdict = self._verdicts.get(word)
        if verdict is None:
            verdict = not self.terms.isdisjoint(analyze_word(word, self.stemming).terms)
            self._verdicts[word] = verdict
        return verdict

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of the words of `text` whose analyzed forms are among the terms."""
        candidates = self._candidates(text)
        if candidates is None:
            return spans_of(text, self._matches)
        return [(s, e) for s, e in candidates if self._matches(text[s:e])]

    def _candidates(self, text: str) -> list[tuple[int, int]] | None:
        """The words of `text` whose normalized form holds a piece of a term, in order;
        None when the text is short, or cannot be normalized character by character."""
        normalized = normalize_chars(text) if len(text) >= TABLE_FROM_LENGTH else None
        if normalized is None:
            return None
        flat, where = normalized
        found = []
        for piece in self._pieces:
            at = flat.find(piece)
            while at >= 0:
                found.append(at)
                at = flat.find(piece, at + 1)
        candidates: list[tuple[int, int]] = []
        for at in where[sorted(set(found))].tolist():
            if candidates and at < candidates[-1][1]:
                continue  # in the word found last
            word = word_at(text, at)
            if word is None:  # a number's separator: only reading every word can tell
                return _words_holding(text, where[found])
            candidates.append(word)
        return candidates


def _words_holding(text: str, chars: np.ndarray) -> list[tuple[int, int]]:
    """The words of `text` (all found by `word_bounds`) holding the characters at `chars`."""
    bounds = word_bounds(text)
    assert bounds is not None  # `normalize_chars` read every character
    starts, ends = bounds
    hit = np.unique(np.searchsorted(starts, chars, side="right") - 1)
    hit = hit[hit >= 0]
    return list(zip(starts[hit].tolist(), ends[hit].tolist(), strict=True))


def _sentences(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the sentences: the text between the matches of `_SENTENCE_END`."""
    flags = classify(text, _SENTENCE_CLASSES) if len(text) >= TABLE_FROM_LENGTH else None
    if flags is not None:
        gap_starts, gap_ends = _sentence_gaps(flags)
    else:
        gaps = [m.span() for m in _SENTENCE_END.finditer(text)]
        gap_starts = np.array([start for start, _ in gaps], np.int64)
        gap_ends = np.array([end for _, end in gaps], np.int64)
    starts = np.concatenate([[0], gap_ends])
    ends = np.concatenate([gap_starts, [len(text)]])
    kept = starts < ends
    return starts[kept], ends[kept]


def _sentence_gaps(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What `_SENTENCE_END.finditer` finds, from the characters' classes: each run of
    white space after an end mark, and each run of newlines elsewhere (starts, ends)."""
    space_starts, space_ends = runs(flags, _SPACE)
    after_mark = np.zeros(len(space_starts), bool)
    has_before = space_starts > 0
    after_mark[has_before] = (flags[space_starts[has_before] - 1] & _END_MARK) > 0
    line_starts, line_ends = runs(flags, _NEWLINE)
    within = np.searchsorted(space_starts, line_starts, side="right") - 1
    alone = ~after_mark[within]  # a newline is white space: `within` is never -1
    starts = np.concatenate([space_starts[after_mark], line_starts[alone]])
    ends = np.concatenate([space_ends[after_mark], line_ends[alone]])
    order = np.argsort(starts, kind="stable")
    return starts[order], ends[order]


def _trim(text: str, start: int, end: int, focus: int) -> tuple[int, int]:
    """Narrow [start, end) to MAX_CHARS around `focus`, at word boundaries."""
    if end - start <= MAX_CHARS:
        return start, end
    lo = max(start, min(focus - MAX_CHARS // 3, end - MAX_CHARS))
    hi = min(end, lo + MAX_CHARS)
    if lo > start:
        space = text.find(" ", lo)
        lo = space + 1 if 0 <= space < hi else lo
    if hi < end:
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    return lo, hi


def _best_sentence(
    text: str, spans: list[tuple[int, int]], starts: np.ndarray, ends: np.ndarray
) -> int:
    """The sentence with the most distinct matched words, then the most matches, then
    the first; the first sentence when none has a match."""
    at = np.searchsorted(starts, [s for s, _ in spans], side="right") - 1
    words_of: dict[int, set[str]] = {}
    counts: dict[int, int] = {}
    for (s, e), i in zip(spans, at.tolist(), strict=True):
        if i >= 0 and s < ends[i]:
            words_of.setdefault(i, set()).add(text[s:e])
            counts[i] = counts.get(i, 0) + 1
    return max(words_of, key=lambda i: (len(words_of[i]), counts[i], -i), default=0)


def make_snippet(text: str, words: QueryWords) -> Snippet:
    """The best sentence (or two short ones) of `text` for the query's words."""
    spans = words.spans(text)
    starts, ends = _sentences(text)
    if not len(starts):
        return Snippet("")
    best = _best_sentence(text, spans, starts, ends)
    start, end = int(starts[best]), int(ends[best])
    if end - start < MAX_CHARS // 2 and best + 1 < len(starts):
        end = int(ends[best + 1])
    first = next((s for s, _ in spans if start <= s < end), start)
    lo, hi = _trim(text, start, end, first)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    snippet = prefix + text[lo:hi].replace("\n", " ") + suffix
    shift = len(prefix) - lo
    marks = [(s + shift, e + shift) for s, e in spans if lo <= s and e <= hi]
    return Snippet(snippet, marks)
