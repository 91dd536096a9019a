"""Query parts on the fields Whoosh does not index, answered from arshif's arrays.

Whoosh's term dictionary of the mixed set's 40,000 URLs took 10 MB, and its dates, eight
numeric terms an article, another 333,000 postings, while each article's URL and day are
in the postings files anyway (`indexer.storage.texts`, `indexer.storage.docvalues`).
The parser still reads `url:` parts on the index's schema, and `date:` restrictions
become `DateRange` filters (`search.filters`); before Whoosh runs a part of a query,
each leaf on these fields (`UNINDEXED`) becomes an `Answered`, the live articles it
matches with the score Whoosh gave them:

- a URL term (`url:https://…`, quoted or not) matches the articles with exactly that
  URL (its bytes searched for among the URLs', `Texts.find_raw`), scoring its boost, as
  a term of Whoosh's unscored `ID` field does;
- a URL prefix, wildcard or range (`url:https://site/economy/*`, `url:[a TO b]`) stands
  for the URLs it would expand to in Whoosh's term dictionary (its own `_btexts`, over
  `UrlLexicon`, made when a pattern is first asked for) and, constant-scored as the
  parser makes it, scores 1;
- a date range matches the articles dated inside it (an article's date is its day at
  midnight), scoring its boost, as Whoosh's constant-score numeric range does.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.matching import ListMatcher, Matcher, NullMatcher

from arshif.indexer.storage.schema import PARSED_ONLY
from arshif.search.errors import UnsupportedQueryError
from arshif.search.query import rewrite_leaves
from arshif.search.scoring import ArrayIndex, term_text

URL_FIELD, DATE_FIELD = "url", "date"
UNINDEXED = frozenset(PARSED_ONLY)  # {URL_FIELD, DATE_FIELD}


class UrlLexicon:
    """Every article's URL, and the distinct URLs sorted as Whoosh's term dictionary held
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


class Answered(wq.Query):
    """A leaf answered from the arrays: the articles it matches (`matched`: ascending,
    reader numbering), each scoring `score`; compared and hashed as the leaf it stands
    for. (Not `docs`: Whoosh's queries have a `docs` method.)"""

    def __init__(self, leaf: wq.Query, matched: np.ndarray, score: float) -> None:
        self.leaf, self.matched, self.score = leaf, matched, score
        self.fieldname = leaf.field()
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"Answered({self.leaf!r}, {len(self.matched)} articles)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Answered) and other.leaf == self.leaf

    def __hash__(self) -> int:
        return hash((Answered, self.leaf))

    def field(self) -> str:
        return self.fieldname

    def estimate_size(self, ixreader: Any) -> int:
        return len(self.matched)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        """The articles of the searcher's segment (Whoosh asks segment by segment)."""
        parent = searcher.parent() if searcher.parent else None
        offset = parent._offset_for_subsearcher(searcher) if parent else 0
        lo, hi = np.searchsorted(self.matched, [offset, offset + searcher.doc_count_all()])
        found = (self.matched[lo:hi] - offset).tolist()
        return ListMatcher(found, all_weights=self.score) if found else NullMatcher()


def has_unindexed_part(query: wq.Query) -> bool:
    return bool(UNINDEXED & {leaf.field() for leaf in query.leaves()})


class Unindexed:
    """An opened archive's answers to parts on the `UNINDEXED` fields; its URLs are
    sorted when a `url:` pattern is first asked for."""

    def __init__(self, arrays: ArrayIndex, schema: Schema) -> None:
        self.arrays, self.schema = arrays, schema
        self._urls: UrlLexicon | None = None

    @property
    def urls(self) -> UrlLexicon:
        if self._urls is None:
            self._urls = UrlLexicon.of(self.arrays, self.schema)
        return self._urls

    def answer(self, query: wq.Query) -> wq.Query:
        """`query` with each leaf on an `UNINDEXED` field replaced by its `Answered`."""
        if not has_unindexed_part(query):
            return query
        return rewrite_leaves(
            query, lambda leaf: self._answered(leaf) if leaf.field() in UNINDEXED else leaf
        )

    def _answered(self, q: wq.Query) -> Answered:
        if q.field() == URL_FIELD and isinstance(q, wq.Term):
            docs, score = self._with_url(term_text(q.text)), q.boost
        elif q.field() == URL_FIELD and isinstance(q, wq.MultiTerm) and q.constantscore:
            docs, score = self.urls.docs(list(q._btexts(self.urls))), 1.0
        elif isinstance(q, wq.DateRange) and q.constantscore:
            docs, score = self._dated(q), q.boost
        else:
            raise UnsupportedQueryError(str(q))
        return Answered(q, docs[self.arrays.live[docs]], score)

    def _with_url(self, url: str) -> np.ndarray:
        """The articles whose URL is exactly `url`, ascending."""
        found = [
            part.offset + docnum - part.first
            for part in self.arrays.parts
            for docnum in part.texts.find_raw(URL_FIELD, url, part.first, part.end)
        ]
        return np.array(found, np.int64)

    def _dated(self, q: wq.DateRange) -> np.ndarray:
        """The articles whose date (midnight of their day) lies in the range."""
        values = self.arrays.doc_values
        days = values.days if values is not None else np.zeros(0, np.int32)
        inside = days >= 0
        if q.startdate is not None:
            first = _day_at_or_after(q.startdate, excluded=q.startexcl)
            inside &= days >= first
        if q.enddate is not None:
            last = _day_at_or_before(q.enddate, excluded=q.endexcl)
            inside &= days <= last
        return np.flatnonzero(inside)


def _day_at_or_after(moment: dt.datetime, *, excluded: bool) -> int:
    """The first day whose midnight comes at or after `moment` (after, if excluded).

    >>> start = dt.datetime(2018, 3, 1)
    >>> _day_at_or_after(start, excluded=False) - start.toordinal(), _day_at_or_after(
    ...     start, excluded=True) - start.toordinal()
    (0, 1)
    """
    day = moment.toordinal()
    at_midnight = dt.datetime.fromordinal(day) == moment
    return day if at_midnight and not excluded else day + 1


def _day_at_or_before(moment: dt.datetime, *, excluded: bool) -> int:
    """The last day whose midnight comes at or before `moment` (before, if excluded)."""
    day = moment.toordinal()
    at_midnight = dt.datetime.fromordinal(day) == moment
    return day - 1 if at_midnight and excluded else day
