"""The arshif analyzer: tokenize → normalize → drop stopwords → stem, as one Whoosh analyzer.

- The stages are the pure functions of this package (`words`, `normalize`,
  `is_stopword`, `stems`); this module only strings them together.
- One `ArabicAnalyzer` object is pickled into the index schema, so searching always
  analyzes a query exactly as the archive was analyzed.
- `terms()` is the same pipeline without Whoosh's `Token` objects, for snippets;
  indexing workers analyze each distinct word once, for all three searched fields
  (`indexer.storage.collect`), with `analyze_new_word`: the same analysis without the
  caches, which a caller keeping every word's analysis itself never reads (filling
  them was a third of learning a word).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import NamedTuple

from whoosh.analysis import Analyzer, Token

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stem import stems
from arshif.indexer.analysis.stopwords import is_stopword
from arshif.indexer.analysis.tokenize import word_list, words

# Bump when any rule changes what a text analyzes to: indexes built with another
# version must be rebuilt, never searched with mismatched tokens.
ANALYZER_VERSION = 2


class Term(NamedTuple):
    """One indexed term with its word position and the span of its surface form."""

    text: str
    pos: int
    start: int
    end: int


class WordAnalysis(NamedTuple):
    """What one surface word becomes: shown by `arshif analyze` and `--explain`."""

    normalized: str
    stopword: bool
    terms: tuple[str, ...]  # empty for a stopword or a word that normalizes to nothing


@lru_cache(maxsize=500_000)
def analyze_word(word: str, stemming: bool = True) -> WordAnalysis:
    """The analysis of a surface word, remembered (`_analysis`).

    >>> analyze_word("لداعش"), analyze_word("في").stopword
    (WordAnalysis(normalized='لداعش', stopword=False, terms=('لداعش', 'داعش')), True)
    """
    return _analysis(word, stemming, normalize, stems)


def analyze_new_word(word: str) -> WordAnalysis:
    """`analyze_word(word)`, stemmed, computed without reading or filling any cache.

    >>> analyze_new_word("وللتحالف") == analyze_word("وللتحالف")
    True
    """
    return _analysis(word, True, normalize.__wrapped__, stems.__wrapped__)


def _analysis(
    word: str,
    stemming: bool,
    normalized: Callable[[str], str],
    stemmed: Callable[[str], tuple[str, ...]],
) -> WordAnalysis:
    """The one place a surface word is normalized, stopped and stemmed."""
    norm = normalized(word)
    if not norm or is_stopword(norm):
        return WordAnalysis(norm, bool(norm), ())
    return WordAnalysis(norm, False, stemmed(norm) if stemming else (norm,))


class ArabicAnalyzer(Analyzer):
    """Arabic analysis for one field; `stemming=False` gives the exact-form field.

    >>> [t.text for t in ArabicAnalyzer()("وللتحالف الدَّوْلِيّ في لداعش")]
    ['تحالف', 'دول', 'لداعش', 'داعش']
    """

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming
        self.version = ANALYZER_VERSION

    @property
    def is_morph(self) -> bool:  # Whoosh keeps a separate unstemmed spelling word list
        return self.stemming

    def has_morph(self) -> bool:
        return self.stemming

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ArabicAnalyzer)
            and other.stemming == self.stemming
            and other.version == self.version
        )

    def __hash__(self) -> int:
        return hash((self.stemming, self.version))

    def __repr__(self) -> str:
        return f"ArabicAnalyzer(stemming={self.stemming})"

    def terms(self, text: str, *, stemming: bool | None = None) -> Iterator[Term]:
        """Yield the terms of `text`; alternatives of one word share its position."""
        stem_it = self.stemming if stemming is None else stemming
        pos = 0
        for word, start, end in words(text):
            forms = analyze_word(word, stem_it).terms
            if not forms:
                continue
            for form in forms:
                yield Term(form, pos, start, end)
            pos += 1

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of `text` with its word positions: one document's postings in the
        field, as `terms` gives them, without a tuple per term."""
        found: dict[str, list[int]] = defaultdict(list)
        pos = 0
        for word in word_list(text):
            forms = analyze_word(word, self.stemming).terms
            if forms:
                for form in forms:
                    found[form].append(pos)
                pos += 1
        return found

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        if not tokenize:
            # Wildcard and prefix text: normalized and stemmed as one word, never split.
            norm = normalize(value)
            token.text = stems(norm)[0] if self.stemming and not no_morph else norm
            token.original = value
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        stemming = self.stemming and not no_morph
        for term in self.terms(value, stemming=stemming):
            token.text = term.text
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token
