"""Did-you-mean: the archive's own words closest to a query word that matches little.

- A word is worth correcting when it is in fewer than `little` articles (2 in a small
  archive, one in ten thousand articles in a large one), as written and as a stem.
- Candidates are the words of the exact-form field one edit away (a letter deleted,
  inserted, replaced or two swapped: ترانب → ترامب), else two edits away among words
  that share the first two letters (four for a word with the article); a candidate
  must be in at least five times as many articles as the word itself.
- The best come first (the cheapest mistake, `search.typos`, then most articles),
  rivals far rarer than the best are dropped, and each is given in its surface
  spelling, the form most often written in the articles (ة not ه, أ not ا), because
  the index only knows the normalized form.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from arshif.indexer.analysis import chars
from arshif.indexer.analysis.normalize import normalize, normalize_chars
from arshif.indexer.analysis.stem import stems
from arshif.indexer.analysis.stopwords import is_stopword
from arshif.indexer.analysis.tokenize import words
from arshif.search.scoring import ArrayIndex
from arshif.search.typos import cost

EXACT_FIELD = "exact"
STEMMED_FIELD = "text"
# Letters a normalized Arabic word is made of (no ة أ إ آ ى ؤ ئ: normalization removed them).
ALPHABET = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LITTLE_SHARE = 1e-4
MIN_LITTLE = 2
BETTER_BY = 5
MAX_SUGGESTIONS = 3
# A further suggestion must be in at least 1/RIVAL_SHARE as many articles as the best one:
# ترانب suggests ترامب (3,815 articles), not تراب (soil) as well.
RIVAL_SHARE = 10
# Words of the lexicon compared with a word for two-edit suggestions, at most (the
# words sharing its first letters, in byte order).
MAX_SCAN = 5_000
# Longer "words" are no mistyped names (a pasted URL, a run of letters): no suggestions.
MAX_WORD = 20
# Articles read to learn a word's surface spelling.
SURFACE_SAMPLE = 8

_STRIP = re.compile(f"[{chars.ARABIC_MARKS}{chars.INVISIBLE}]")


def edits1(word: str) -> set[str]:
    """Every string one edit from `word` over the normalized Arabic alphabet.

    >>> "ترامب" in edits1("ترانب"), "ترمب" in edits1("ترامب")
    (True, True)
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


@dataclass(frozen=True)
class Candidate:
    """A spelling the archive uses that a typed word may have meant."""

    word: str  # normalized
    df: int
    edits: int
    cost: float  # the edits, a likely mistake (`search.typos`) counting half


@dataclass(frozen=True)
class Suggestion:
    word: str  # the normalized word searched
    df: int
    edits: int
    cost: float
    # The archive's spelling of a normalized word: read from articles, so only when shown.
    spell: Callable[[str], str] = field(default=str, repr=False, compare=False)

    @cached_property
    def surface(self) -> str:
        """The word as the articles write it."""
        return self.spell(self.word)


class Suggester:
    """Suggestions for the words of one opened archive."""

    def __init__(self, frequencies: ArrayIndex) -> None:
        self.frequencies = frequencies
        articles = max(1, frequencies.doc_count)
        self.little = max(MIN_LITTLE, math.ceil(articles * LITTLE_SHARE))

    def df(self, word: str) -> int:
        return self.frequencies.doc_frequency(EXACT_FIELD, word)

    def matches_little(self, word: str) -> bool:
        """Whether few articles have the word, in this form or any form of its stem
        (وللتحالف is rare as written, but التحالف is everywhere)."""
        return self.df(word) < self.little and all(
            self.frequencies.doc_frequency(STEMMED_FIELD, s) < self.little for s in stems(word)
        )

    def candidates(self, word: str, *, two_edits: bool = True) -> list[Candidate]:
        """Every spelling the archive uses often enough to be what the normalized `word`
        meant, cheapest first, then most used (`two_edits`: also those two edits away,
        when none is one edit away)."""
        if not 3 <= len(word) <= MAX_WORD or is_stopword(word):
            return []
        floor = max(1, BETTER_BY * self.df(word))
        edits = sorted(edits1(word))
        dfs = self.frequencies.doc_frequencies(EXACT_FIELD, edits)
        found = {
            w: (1, df)
            for w, df in zip(edits, dfs, strict=True)
            if df >= floor and not is_stopword(w)
        }
        if not found and two_edits and len(word) >= 5:
            # The article is not a distinguishing prefix: read past it.
            prefix = word[:4] if word.startswith("ال") else word[:2]
            close = process.extract(
                word,
                self.frequencies.words_with_prefix(prefix, MAX_SCAN),
                scorer=OSA.distance,
                score_cutoff=2,
                limit=None,
            )
            dfs = self.frequencies.doc_frequencies(EXACT_FIELD, [w for w, _, _ in close])
            for (w, d, _), df in zip(close, dfs, strict=True):
                if df >= floor and not is_stopword(w):
                    found[w] = (d, df)
        ranked = [Candidate(w, df, d, cost(word, w, d)) for w, (d, df) in found.items()]
        return sorted(ranked, key=lambda c: (c.cost, -c.df, c.word))

    def suggest(self, word: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
        """The closest frequent words to the normalized `word`, best first."""
        ranked = self.candidates(word)
        if not ranked:
            return []
        top_df = ranked[0].df
        best = [c for c in ranked if c.df * RIVAL_SHARE >= top_df][:limit]
        return [self.suggestion(c) for c in best]

    def suggestion(self, candidate: Candidate) -> Suggestion:
        c = candidate
        return Suggestion(c.word, c.df, c.edits, c.cost, self.surface)

    def surface(self, word: str) -> str:
        """The spelling the articles most often use for the normalized `word`."""
        forms: Counter[str] = Counter()
        whole = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        for docnum in self.frequencies.docs(EXACT_FIELD, word)[:SURFACE_SAMPLE].tolist():
            title, body = (self.frequencies.hit_text(f, docnum) for f in ("title", "body"))
            forms.update(_written(f"{title}\n{body}", word, whole))
        return forms.most_common(1)[0][0] if forms else word


def _written(text: str, word: str, whole: re.Pattern[str]) -> list[str]:
    """How `text` writes the normalized `word` (marks left out), at each place it does:
    found in the text normalized at once (a regular expression is much faster than
    reading the text word by word), else word by word."""
    normalized = normalize_chars(text)
    if normalized is None:
        plain = (_STRIP.sub("", surface) for surface, _, _ in words(text))
        return [p for p in plain if normalize(p) == word]
    flat, at = normalized
    return [_STRIP.sub("", text[at[m.start()] : at[m.end() - 1] + 1]) for m in whole.finditer(flat)]
