"""`url:` queries answered from the URLs arshif keeps: Whoosh does not index them.

Whoosh's term dictionary of 40,000 URLs took 10 MB of the mixed index, for queries
people rarely type; each article's URL is in the postings files anyway
(`indexer.storage.texts`). The parser still reads `url:` parts on the index's schema;
before Whoosh runs a part, each of its `url:` leaves becomes a `UrlMatches`, the live
articles it matches with Whoosh's score:

- a term (`url:https://…`, quoted or not) matches the articles with exactly that URL,
  scoring its boost, as a term of Whoosh's `ID` field does (weight 1, unscored);
- a prefix, wildcard or range (`url:https://site/economy/*`, `url:[a TO b]`) stands for
  the URLs it would expand to in Whoosh's term dictionary (its own `_btexts`, over
  `UrlLexicon`) and, constant-scored as the parser makes it, scores 1.
"""

from __future__ import annotations

import copy
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.matching import ListMatcher, Matcher, NullMatcher

from arshif.search.errors import UnsupportedQueryError
from arshif.search.scoring import ArrayIndex, term_text

URL_FIELD = "url"


class UrlLexicon:
    """Every article's URL and the distinct URLs sorted as Whoosh's term dictionary held
    them (UTF-8 bytes), with the reader methods its patterns expand over.

    >>> lexicon = UrlLexicon(["https://a.example/1", "", "https://a.example/1"], None)
    >>> lexicon.docs([b"https://a.example/1"]).tolist(), list(lexicon.expand_prefix("url", "x"))
    ([0, 2], [])
    """

    def __init__(self, urls: list[str], schema: Schema | None) -> None:
        self.schema = schema  # `_btexts` reads the field's byte conversion from it
        encoded = [url.encode("utf-8", "surrogatepass") for url in urls]
        self.words: list[bytes] = sorted(set(encoded) - {b""})
        self._number = {word: n for n, word in enumerate(self.words)}
        self.codes = np.fromiter((self._number.get(u, -1) for u in encoded), np.int64, len(urls))

    @classmethod
    def of(cls, arrays: ArrayIndex, schema: Schema) -> UrlLexicon:
        """The URLs of an index's articles, in the reader's numbering."""
        parts = arrays.parts
        urls = [u for p in parts for u in p.texts.raw_texts(URL_FIELD, p.first, p.end)]
        return cls(urls, schema)

    def docs(self, words: list[bytes]) -> np.ndarray:
        """The articles (ascending) whose URL is one of `words`."""
        wanted = [self._number[word] for word in words if word in self._number]
        return np.flatnonzero(np.isin(self.codes, wanted))

    def lexicon(self, fieldname: str) -> Iterator[bytes]:
        return iter(self.words)

    def expand_prefix(self, fieldname: str, prefix: str | bytes) -> Iterator[bytes]:
        start = prefix.encode("utf-8") if isinstance(prefix, str) else prefix
        for word in self.words[bisect_left(self.words, start) :]:
            if not word.startswith(start):
                break
            yield word

    def terms_from(self, fieldname: str, start: bytes) -> Iterator[tuple[str, bytes]]:
        for word in self.words[bisect_left(self.words, start) :]:
            yield fieldname, word


class UrlMatches(wq.Query):
    """A `url:` leaf answered: the articles it matches (ascending, reader numbering),
    each scoring `score`; compared and hashed as the leaf it stands for."""

    def __init__(self, leaf: wq.Query, docs: np.ndarray, score: float) -> None:
        self.leaf, self.docs, self.score = leaf, docs, score
        self.fieldname = URL_FIELD
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"UrlMatches({self.leaf!r}, {len(self.docs)} articles)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UrlMatches) and other.leaf == self.leaf

    def __hash__(self) -> int:
        return hash((UrlMatches, self.leaf))

    def field(self) -> str:
        return URL_FIELD

    def estimate_size(self, ixreader: Any) -> int:
        return len(self.docs)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        """The articles of the searcher's segment (Whoosh asks segment by segment)."""
        parent = searcher.parent() if searcher.parent else None
        offset = parent._offset_for_subsearcher(searcher) if parent else 0
        lo, hi = np.searchsorted(self.docs, [offset, offset + searcher.doc_count_all()])
        found = (self.docs[lo:hi] - offset).tolist()
        return ListMatcher(found, all_weights=self.score) if found else NullMatcher()


def answer_urls(query: wq.Query, lexicon: UrlLexicon, live: np.ndarray) -> wq.Query:
    """`query` with each `url:` leaf replaced by the live articles it matches."""

    def answer(q: wq.Query) -> wq.Query:
        if q.is_leaf():
            return _answered(q, lexicon, live) if q.field() == URL_FIELD else q
        answered = copy.copy(q)  # a copy keeps an OR's coordination `scale`
        if isinstance(q, wq.CompoundQuery):
            answered.subqueries = [answer(sub) for sub in q.subqueries]
        elif isinstance(q, wq.BinaryQuery):
            answered.a, answered.b = answer(q.a), answer(q.b)
        elif isinstance(q, wq.Not):
            answered.query = answer(q.query)
        else:
            raise UnsupportedQueryError(str(q))
        return answered

    return answer(query)


def has_url_part(query: wq.Query) -> bool:
    return URL_FIELD in {leaf.field() for leaf in query.leaves()}


def _answered(q: wq.Query, lexicon: UrlLexicon, live: np.ndarray) -> UrlMatches:
    if isinstance(q, wq.Term):
        docs = lexicon.docs([term_text(q.text).encode("utf-8")])
        score = q.boost
    elif isinstance(q, wq.MultiTerm) and q.constantscore:
        docs, score = lexicon.docs(list(q._btexts(lexicon))), 1.0
    else:
        raise UnsupportedQueryError(str(q))
    return UrlMatches(q, docs[live[docs]], score)
