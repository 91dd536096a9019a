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
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from arshif.indexer.analysis.analyzer import ArabicAnalyzer, analyze_word
from arshif.indexer.analysis.chartable import TABLE_FROM_LENGTH
from arshif.indexer.analysis.normalize import normalize_chars
from arshif.indexer.analysis.stem import stem_overrides
from arshif.indexer.analysis.tokenize import spans_of, word_at, word_bounds

# A sentence ends at the white space after an end mark, and at line breaks.
_AFTER_END_MARK = re.compile(r"[.!?\u061f\u061b\u06d4]\s+")
_LINE_BREAKS = re.compile(r"\n+")
MAX_CHARS = 240


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
            if word is None:  # a number's separator, or no word: read every word
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


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: the text between the gaps `_gaps` finds."""
    bounds, start = [], 0
    for gap_start, gap_end in _gaps(text):
        if gap_start > start:
            bounds.append((start, gap_start))
        start = gap_end
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _gaps(text: str) -> list[tuple[int, int]]:
    """(start, end) of the white space after each end mark, and of each run of line
    breaks elsewhere, in order. (Each pattern begins with a character to look for, which
    `re` scans for in C: one pattern with both, or a look-behind, is 2–3× slower.)"""
    marks = [(m.start() + 1, m.end()) for m in _AFTER_END_MARK.finditer(text)]
    lines = [m.span() for m in _LINE_BREAKS.finditer(text)]
    if not (marks and lines):
        return marks or lines
    gaps, at = [], 0
    for start, end in lines:
        while at < len(marks) and marks[at][1] <= start:
            gaps.append(marks[at])
            at += 1
        if at < len(marks) and marks[at][0] <= start:
            continue  # part of the white space after a mark
        gaps.append((start, end))
    return gaps + marks[at:]


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
    text: str, spans: list[tuple[int, int]], sentences: list[tuple[int, int]]
) -> int:
    """The sentence with the most distinct matched words, then the most matches, then
    the first; the first sentence when none has a match."""
    starts = [start for start, _ in sentences]
    words_of: dict[int, set[str]] = {}
    counts: dict[int, int] = {}
    for s, e in spans:
        i = bisect_right(starts, s) - 1
        if i >= 0 and s < sentences[i][1]:
            words_of.setdefault(i, set()).add(text[s:e])
            counts[i] = counts.get(i, 0) + 1
    return max(words_of, key=lambda i: (len(words_of[i]), counts[i], -i), default=0)


def make_snippet(text: str, words: QueryWords) -> Snippet:
    """The best sentence (or two short ones) of `text` for the query's words."""
    spans = words.spans(text)
    sentences = _sentences(text)
    if not sentences:
        return Snippet("")
    best = _best_sentence(text, spans, sentences)
    start, end = sentences[best]
    if end - start < MAX_CHARS // 2 and best + 1 < len(sentences):
        end = sentences[best + 1][1]
    first = next((s for s, _ in spans if start <= s < end), start)
    lo, hi = _trim(text, start, end, first)
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    snippet = prefix + text[lo:hi].replace("\n", " ") + suffix
    shift = len(prefix) - lo
    marks = [(s + shift, e + shift) for s, e in spans if lo <= s and e <= hi]
    return Snippet(snippet, marks)
