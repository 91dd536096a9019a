"""Spelling variants of transliterated names: ترامب = ترمب, بوتين = بوتن.

Arabic writes foreign names with or without long vowels, and archives hold both
spellings hundreds of times. Two words are taken for spellings of one name when:

- shape: one is the other with one or two long vowels (ا و ي) inserted inside the word,
  never replaced (قال/قيل are two words) and never first or last (a final ا or ي is an
  ending: شخصيا/شخصا); both have four letters or more (يكون/يكن is grammar);
- frequency: both are in at least one article in two thousand (one in a small archive);
- names: both are bare words (no article, no proclitic or ending whose removal leaves
  a frequent word: كتابها is كتاب + ها) that almost never take the definite article
  (الترامب is not written; الكاتب is);
- house style: outlets spell a name their own way, so the two spellings come from
  different outlets (their distributions over sources differ by a total variation of
  0.6 or more: ترمب is Al Arabiya's, ترامب everyone else's), while words that merely
  share a skeleton (طالبت/طلبت) are used by every outlet alike.

On news_ant this keeps 17 pairs of bare words, among them ترامب/ترمب, بوتين/بوتن,
نتانياهو/نتنياهو, تشيلسي/تشلسي, جيرمان/جرمان, زاخاروفا/زخاروفا; four are verb/noun pairs
of one root (استلام/استلم, تحميل/تحمل), close enough in meaning to search together.

A query word is then searched as itself *or* its variants, every spelling weighted as
their combined document frequency would be (BM25's idf), so an article ranks the same
whichever spelling it uses.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh import query as wq

from arshif.indexer.analysis.stem import stem
from arshif.indexer.analysis.stopwords import is_stopword
from arshif.search.facets import FacetColumns
from arshif.search.scoring import ArrayIndex, term_text

LONG_VOWELS = "اوي"
ARTICLE = "ال"
MAX_VOWEL_EDITS = 2
MIN_LETTERS = 4
MIN_SKELETON = 3
# Share of a word's articles in which it may carry the definite article and still be a name.
ARTICLE_RATIO = 0.05
# How different (total variation over sources) two spellings' outlets must be.
MIN_STYLE_DISTANCE = 0.6
# A spelling is frequent when at least this share of the archive's articles use it
# (and at least one): 21 articles in 41,686.
MIN_DF_SHARE = 5e-4
# Article prefixes (as the stemmer strips them), proclitics and endings of a word that
# is not bare.
ARTICLE_PREFIXES = ("وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "بال", "كال", "فال")
ARTICLE_PREFIXES += ("لل", "ال")
PROCLITICS = "وفبلكس"
ENDINGS = ("هما", "هم", "ها", "وا", "ه", "ي", "ا")

EXACT_FIELD = "exact"
STEMMED_FIELDS = ("text", "title")


def skeleton(word: str) -> str:
    """The word without the long vowels after its first letter.

    >>> skeleton("ترامب"), skeleton("بوتين"), skeleton("اوباما")
    ('ترمب', 'بتن', 'ابم')
    """
    return word[:1] + "".join(ch for ch in word[1:] if ch not in LONG_VOWELS)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(1, len(word) - 1) if word[i] in LONG_VOWELS}


def _insertions(word: str) -> set[str]:
    return {word[:i] + v + word[i:] for i in range(1, len(word)) for v in LONG_VOWELS}


def vowel_edits(word: str, depth: int = MAX_VOWEL_EDITS) -> set[str]:
    """Words made from `word` by inserting, or by deleting, up to `depth` long vowels
    inside it (never first or last, never one vowel for another).

    >>> "ترامب" in vowel_edits("ترمب"), "بوتن" in vowel_edits("بوتين")
    (True, True)
    >>> "قيل" in vowel_edits("قال"), "شخص" in vowel_edits("شخصا")
    (False, False)
    """
    found: set[str] = set()
    for step in (_deletions, _insertions):
        frontier = {word}
        for _ in range(depth):
            frontier = {w for f in frontier for w in step(f)}
            found |= frontier
    return found - {word}


@dataclass(frozen=True)
class Variant:
    word: str
    df: int


class VariantFinder:
    """Finds, in an opened archive, the other spellings of a normalized query word."""

    def __init__(self, frequencies: ArrayIndex, columns: FacetColumns) -> None:
        self.frequencies = frequencies
        self.columns = columns
        self.articles = max(1, frequencies.doc_count)
        self.min_df = max(1, math.ceil(self.articles * MIN_DF_SHARE))

    def df(self, word: str, fieldname: str = EXACT_FIELD) -> int:
        return self.frequencies.doc_frequency(fieldname, word)

    def _is_bare(self, word: str) -> bool:
        """No article, proclitic or ending: nothing comes off leaving a frequent word."""
        if word.startswith(ARTICLE_PREFIXES):
            return False
        if word[0] in PROCLITICS and self.df(word[1:]) >= self.min_df:
            return False
        return not any(
            word.endswith(end)
            and len(word) - len(end) >= MIN_SKELETON
            and self.df(word[: -len(end)]) >= self.min_df
            for end in ENDINGS
        )

    def _is_name(self, word: str, df: int, article_ratio: float = ARTICLE_RATIO) -> bool:
        return self.df(ARTICLE + word) <= article_ratio * df

    def _sources(self, word: str) -> Counter[str]:
        return self.columns.counts("source", self.frequencies.docs(EXACT_FIELD, word))

    def _style_distance(self, a: Counter[str], b: Counter[str]) -> float:
        """Total variation distance between two words' distributions over sources."""
        ta, tb = sum(a.values()) or 1, sum(b.values()) or 1
        return 0.5 * sum(abs(a[s] / ta - b[s] / tb) for s in a.keys() | b.keys())

    def name_df(
        self, word: str, min_skeleton: int = MIN_SKELETON, article_ratio: float = ARTICLE_RATIO
    ) -> int:
        """The word's document frequency if it can be a spelling of a name, else 0
        (`min_skeleton`: letters it needs besides its long vowels; `article_ratio`: share
        of its articles in which it may take the definite article)."""
        if (
            len(word) < MIN_LETTERS
            or len(skeleton(word)) < min_skeleton
            or not "\u0621" <= word[0] <= "\u064a"
            or is_stopword(word)
        ):
            return 0
        df = self.df(word)
        if (
            df < self.min_df
            or not self._is_bare(word)
            or not self._is_name(word, df, article_ratio)
        ):
            return 0
        return df

    def _prefetch(self, words: Iterable[str]) -> None:
        """Look up, in one pass, every frequency `name_df` will ask about `words`."""
        needed = []
        for w in words:
            needed += [w, w[1:], ARTICLE + w]
            needed += [w[: -len(end)] for end in ENDINGS if w.endswith(end)]
        self.frequencies.doc_frequencies(EXACT_FIELD, needed)

    def variants(self, word: str) -> list[Variant]:
        """Other spellings of `word`, most frequent first; none for ordinary words."""
        if not self.name_df(word):
            return []
        # Most edits are no word at all: only the frequent ones are examined further.
        edits = list(vowel_edits(word))
        dfs = self.frequencies.doc_frequencies(EXACT_FIELD, edits)
        frequent = [w for w, df in zip(edits, dfs, strict=True) if df >= self.min_df]
        self._prefetch(frequent)
        own_sources: Counter[str] | None = None
        found = []
        for other in frequent:
            df_other = self.name_df(other)
            if not df_other:
                continue
            own_sources = own_sources or self._sources(word)
            distance = self._style_distance(own_sources, self._sources(other))
            if distance >= MIN_STYLE_DISTANCE:
                found.append(Variant(other, df_other))
        return sorted(found, key=lambda v: (-v.df, v.word))


def _idf(df: int, articles: int) -> float:
    # Whoosh's own idf (WeightingModel.idf), so boosts compose with BM25F's scores.
    return math.log(articles / (df + 1)) + 1


def expand(
    query: wq.Query, alternatives: dict[str, Iterable[str]], frequencies: ArrayIndex
) -> wq.Query:
    """Search each word in `alternatives` as itself or any of its alternatives.

    Terms are replaced in every searched field (the stemmed fields take the stems), each
    boosted so that it weighs as the words' combined document frequency would.
    """
    articles = max(1, frequencies.doc_count)
    replacements: dict[tuple[str, str], list[str]] = {}
    for word, others in alternatives.items():
        others = [o for o in others if o != word]
        if not others:
            continue
        replacements[(EXACT_FIELD, word)] = [word, *others]
        own = stem(word)
        stems = [own] + [s for o in others if (s := stem(o)) != own]
        if len(stems) > 1:
            for fieldname in STEMMED_FIELDS:
                replacements[(fieldname, own)] = list(dict.fromkeys(stems))
    if not replacements:
        return query

    def rewrite(q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Term) and (q.fieldname, q.text) in replacements:
            texts = replacements[(q.fieldname, q.text)]
            dfs = frequencies.doc_frequencies(q.fieldname, texts)
            combined = _idf(sum(dfs), articles)
            return wq.Or(
                [
                    wq.Term(q.fieldname, t, boost=q.boost * combined / _idf(df, articles))
                    for t, df in zip(texts, dfs, strict=True)
                ]
            )
        if isinstance(q, wq.CompoundQuery):
            # `apply` would rebuild an Or without its coordination `scale`: copy instead.
            new = copy.copy(q)
            new.subqueries = [rewrite(s) for s in q.subqueries]
            return new
        return q.apply(rewrite)

    return rewrite(query)


def exact_words(query: wq.Query) -> list[str]:
    """The normalized, unstemmed words of a query's plain terms, in query order."""
    words: list[str] = []
    for leaf in query.leaves():
        if isinstance(leaf, wq.Term) and leaf.fieldname == EXACT_FIELD:
            text = term_text(leaf.text)
            if text not in words:
                words.append(text)
    return words
