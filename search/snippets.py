"""Snippets: the sentence of an article that best shows why it matched, in its own words.

The article text is analyzed with the index's own analyzer, so a match is found whatever
its surface form (وللتحالف for التحالف), and the highlight covers the original word with
its diacritics and proclitics. Sentences end at . ! ? and the Arabic ؟ ؛ ۔ marks.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from indexer.analysis.analyzer import ArabicAnalyzer, analyze_word
from indexer.analysis.tokenize import spans_of

_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u061b\u06d4])\s+|\n+")
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

    def _matches(self, word: str) -> bool:
        verdict = self._verdicts.get(word)
        if verdict is None:
            verdict = not self.terms.isdisjoint(analyze_word(word, self.stemming).terms)
            self._verdicts[word] = verdict
        return verdict

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of the words of `text` whose analyzed forms are among the terms."""
        return spans_of(text, self._matches)


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            bounds.append((start, m.start()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


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


def make_snippet(text: str, words: QueryWords) -> Snippet:
    """The best sentence (or two short ones) of `text` for the query's words."""
    spans = words.spans(text)
    sentences = _sentences(text)
    if not sentences:
        return Snippet("")
    words_of: list[set[str]] = [set() for _ in sentences]
    counts = [0] * len(sentences)
    starts = [a for a, _ in sentences]
    for s, e in spans:
        i = bisect_right(starts, s) - 1
        if i >= 0 and s < sentences[i][1]:
            words_of[i].add(text[s:e])
            counts[i] += 1
    best = max(range(len(sentences)), key=lambda i: (len(words_of[i]), counts[i], -i))
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
