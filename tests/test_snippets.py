"""Snippets: the fast paths (per-character tables, normalized-text search) must find
exactly what reading the text word by word finds."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.analysis.analyzer import ArabicAnalyzer, analyze_word
from arshif.indexer.analysis.tokenize import spans_of, words
from arshif.search import snippets
from arshif.search.snippets import QueryWords, make_snippet

ANALYZER = ArabicAnalyzer()

# Words, marks and separators of news text: hamza forms, harakat, tatweel, NBSP, numbers.
_PLAIN = [
    *"قالإنداعشوَّ ـ،.3٫5٣\n",
    "التحالف", "وللتحالف", "الدَّوْلِيّ", "مسئول", "مسؤول", "قواعد", "قاعدة", "سوريا",
    "السوريين", "لداعش", "\u00a0", "\u200c", "3.5مليون", "؟ ", ". ", "! ", "Istanbul",
]  # fmt: skip
# Characters whose normalization depends on their neighbours, or is several characters:
# combining hamza, presentation forms, a vowelled hamza, a combining accent, capital
# sigma, dotted capital I, the ellipsis, an emoji.
_TRICKY = ["\u0654", "و\u0654", "ﻻ", "ﺍﻟﻌﺮﺑﻴﺔ", "أَ", "e\u0301", "ΟΔΟΣ", "İ", "…", "\U0001f600"]
_PIECES = [*_PLAIN, *_TRICKY]
_TEXT = st.one_of(
    st.lists(st.sampled_from(_PLAIN), max_size=120),
    st.lists(st.sampled_from(_PLAIN), min_size=60, max_size=150),
    st.lists(st.sampled_from(_PLAIN), min_size=60, max_size=150)
    .flatmap(lambda plain: st.tuples(st.just(plain), st.sampled_from(_TRICKY), st.integers(0, 120)))
    .map(lambda t: [*t[0][: t[2]], t[1], *t[0][t[2] :]]),
).map("".join)


def _reference_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    return [
        (start, end)
        for word, start, end in words(text)
        if not terms.isdisjoint(analyze_word(word).terms)
    ]


@given(_TEXT, st.data())
def test_query_words_find_what_word_by_word_reading_finds(text: str, data) -> None:
    own = sorted({term for word, _, _ in words(text) for term in analyze_word(word).terms})
    terms = set(data.draw(st.lists(st.sampled_from(own or ["تحالف"]), max_size=4)))
    terms |= set(data.draw(st.lists(st.sampled_from(["تحالف", "قاعد", "مسءول", "سور"]))))
    assert QueryWords(terms, ANALYZER).spans(text) == _reference_spans(text, terms)


# The rule in one pattern: white space after an end mark, or line breaks, end a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u061b\u06d4])\s+|\n+")


_SPACES = [" ", "\t", "\r\n", "\n\n", "۔", "؛"]


@given(st.lists(st.sampled_from([*_PIECES, *_SPACES]), max_size=150).map("".join))
def test_sentences_end_where_the_pattern_says(text: str) -> None:
    expected, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if m.start() > start:
            expected.append((start, m.start()))
        start = m.end()
    if start < len(text):
        expected.append((start, len(text)))
    assert snippets._sentences(text) == expected


def test_a_long_article_highlights_every_surface_form() -> None:
    body = (
        "أعلن التحالف الدولي اليوم عن خطة جديدة. "
        + "وقال مسؤول إن الدول الأعضاء ستجتمع الأسبوع المقبل لبحث الخطة. " * 5
        + "وللتحالف قواعد في المنطقة، والتَّحالُف يراجع عملياته ضد داعش."
    )
    words_found = QueryWords({"تحالف"}, ANALYZER)
    spans = words_found.spans(body)
    assert [body[s:e] for s, e in spans] == ["التحالف", "وللتحالف", "والتَّحالُف"]
    assert spans == spans_of(body, lambda w: "تحالف" in analyze_word(w).terms)
    snippet = make_snippet(body, words_found)
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["وللتحالف", "والتَّحالُف"]
