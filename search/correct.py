"""Correcting, by default, the query words the archive does not use.

A web search engine fixes `طفوان دماء تتسحيل` without being asked; so does this:

- which words: plain Arabic words of the query (names in Latin letters, numbers and
  words with digits are never corrected) that few articles hold, as written and as a
  stem (`Suggester.matches_little`), and that have no other spellings (`search.variants`);
- only a likely mistake is corrected: one of the kinds of `search.typos` (a swap, a
  neighbouring key, a dropped or doubled letter, a confusion of written Arabic), at most
  `MAX_COST`; a word further from every spelling of the archive is more often a name or
  term it lacks than a typo, and gets a did-you-mean instead;
- a word no article holds takes its best candidate; a word some articles hold (a rare
  spelling, or a typo the archive repeats) only one that is in `FAR_MORE` times as many
  articles *and* shares articles with the other query words, so that a rare word of a
  well-formed question, which finds what it asks for, stays as typed;
- the best candidate (`Suggester.candidates`: one edit away, or two) weighs how often the
  archive uses it (log of its articles), how well it fits the other query words (log of
  the articles holding it together with one of them) and how likely the mistake is
  (`search.typos`): `score`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from arshif.indexer.storage.sorted_sets import members
from arshif.search.suggest import Candidate, Suggester, Suggestion

# A held word is corrected only to a spelling in this many times as many articles.
FAR_MORE = 100
# The costliest mistake corrected without asking (`search.typos`: a likely one).
MAX_COST = 0.5
# Weights of `score`: fit with the other words, and the cost of the mistake.
FIT_WEIGHT = 1.0
COST_WEIGHT = 2.0
EXACT_FIELD = "exact"
STEMMED_FIELD = "text"


@dataclass(frozen=True)
class Correction:
    typed: str  # the word as typed
    normalized: str
    to: Suggestion


def correctable(normalized: str) -> bool:
    """Arabic letters only: names in Latin letters and numbers are never corrected.

    >>> correctable("طفوان"), correctable("trump"), correctable("2018"), correctable("ف16")
    (True, False, False, False)
    """
    return bool(normalized) and all("\u0621" <= ch <= "\u064a" for ch in normalized)


def score(candidate: Candidate, fit: int) -> float:
    """Higher is likelier: frequent in the archive, found beside the other query words,
    reached by a likely mistake."""
    return math.log(candidate.df) + FIT_WEIGHT * math.log1p(fit) - COST_WEIGHT * candidate.cost


class Corrector:
    """Chooses corrections for the words of one query over an opened archive."""

    def __init__(self, suggester: Suggester) -> None:
        self.suggester = suggester
        self.arrays = suggester.frequencies

    def context(self, stems: Iterable[str]) -> list[np.ndarray]:
        """The articles of each other query word (by its barest stem), deleted ones too:
        `fit` counts articles of the live side. Filtering a common word's articles took
        a pass over them per query word, a third of a question's planning at ×10."""
        return [self.arrays.term_postings(STEMMED_FIELD, s)[0] for s in stems]

    def fit(self, docs: np.ndarray, context: list[np.ndarray]) -> int:
        """Articles of `docs` (live ones) holding one of the other query words, summed
        over them."""
        return sum(shared(docs, other) for other in context)

    def correct(
        self, typed: str, normalized: str, stem: str, others: list[str]
    ) -> Correction | None:
        """The correction of one query word (`stem`: its barest stem; `others`: the other
        query words' barest stems), or None to search it as typed."""
        suggester = self.suggester
        if not correctable(normalized) or suggester.df(normalized) >= suggester.little:
            return None
        held = suggester.df(normalized)
        # As written in no article, its stem in many: a rare inflection (وللتحالف), or a
        # typo whose stem is another word (الطارات: طار). Only the other query words tell.
        inflection = not suggester.matches_little(normalized)
        if inflection and (held or not others):
            return None
        candidates = [
            c
            for c in suggester.candidates(normalized, two_edits=MAX_COST >= 2)
            if c.cost <= MAX_COST and not (held and c.df < FAR_MORE * held)
        ]
        if not candidates:  # the other words' articles are read only to weigh some
            return None
        context = self.context(others)
        floor = self.fit(self.arrays.docs(STEMMED_FIELD, stem), context) if inflection else 0
        best: tuple[float, Candidate] | None = None
        for candidate in candidates:
            fit = self.fit(self.arrays.docs(EXACT_FIELD, candidate.word), context)
            if (held and not fit) or fit < floor or (inflection and fit == floor):
                continue
            value = score(candidate, fit)
            if best is None or value > best[0]:
                best = (value, candidate)
        if best is None:
            return None
        return Correction(typed, normalized, self.suggester.suggestion(best[1]))


def shared(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two ascending arrays of distinct values share: the shorter looked
    up in the longer, so a rare word costs little beside a common one.

    >>> shared(np.array([2, 5, 9]), np.array([1, 2, 3, 9, 12]))
    2
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return int(np.count_nonzero(members(small, large)))


def rewrite(text: str, corrections: Iterable[Correction], *, written: bool = True) -> str:
    """`text` with each corrected word, wherever it stands whole, in its surface spelling
    (else, not `written`, as normalized: the same search, without reading articles).

    >>> from arshif.search.suggest import Suggestion
    >>> fix = Correction("طفوان", "طفوان", Suggestion("طوفان", 9, 1, 0.5, lambda w: "طُوفان"))
    >>> rewrite("طفوان دماء title:طفوان", [fix])
    'طُوفان دماء title:طُوفان'
    >>> rewrite("طفوان دماء", [fix], written=False)
    'طوفان دماء'
    """
    for c in corrections:
        spelling = c.to.surface if written else c.to.word
        text = re.sub(rf"(?<!\w){re.escape(c.typed)}(?!\w)", spelling, text)
    return text
