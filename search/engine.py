"""Searching an opened archive: ranked hits with snippets, filters and sorting.

`Archive` reads the analyzer back from the index it opens; nothing here builds an
analyzer of its own, so a query is always analyzed the way the archive was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.searching import Searcher

from indexer import store
from indexer.analysis.analyzer import ArabicAnalyzer
from search.query import parse_query
from search.ranking import weighting
from search.snippets import Snippet, make_snippet, match_spans


@dataclass(frozen=True)
class Filters:
    """Restrictions on which articles may match, whatever the query says."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def query(self) -> wq.Query | None:
        parts: list[wq.Query] = []
        if self.date_from or self.date_to:
            start = dt.datetime.combine(self.date_from, dt.time.min) if self.date_from else None
            end = dt.datetime.combine(self.date_to, dt.time.max) if self.date_to else None
            parts.append(wq.DateRange("date", start, end))
        if self.sources:
            parts.append(wq.Or([wq.Term("source", s) for s in self.sources]))
        if self.categories:
            parts.append(wq.Or([wq.Term("category", c) for c in self.categories]))
        return wq.And(parts) if parts else None


@dataclass
class Hit:
    rank: int
    id: str
    score: float
    title: str
    date: dt.date | None
    source: str
    url: str
    path: str
    category: str
    snippet: Snippet
    title_highlights: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    parsed: wq.Query
    total: int
    page: int
    hits: list[Hit]


SORTS = ("relevance", "newest", "oldest")


class Archive:
    """An opened index: search it, or look articles up by id."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.ix = store.open_index(self.index_dir)
        self.analyzer: ArabicAnalyzer = self.ix.schema["text"].analyzer
        self._searcher: Searcher | None = None

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self.ix.searcher(weighting=weighting())
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, text: str) -> wq.Query:
        return parse_query(text, self.ix.schema)

    def query_terms(self, parsed: wq.Query) -> set[str]:
        """The analyzed words of a query as they stand in the index (prefixes expanded)."""
        try:
            pairs = parsed.existing_terms(self.searcher.reader(), expand=True)
        except Exception:  # a query type that cannot list its terms simply highlights nothing
            return set()
        return {
            text.decode("utf-8") if isinstance(text, bytes) else text
            for fieldname, text in pairs
            if fieldname in ("text", "title", "exact")
        }

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        page: int = 1,
        filters: Filters | None = None,
        sort: str = "relevance",
    ) -> SearchResult:
        parsed = self.parse(text)
        if parsed is wq.NullQuery:
            return SearchResult(text, parsed, 0, page, [])
        options: dict[str, Any] = {"pagelen": limit}
        if filters and (fq := filters.query()) is not None:
            options["filter"] = fq
        if sort != "relevance":
            options["sortedby"] = "date"
            options["reverse"] = sort == "newest"
        results = self.searcher.search_page(parsed, page, **options)
        terms = self.query_terms(parsed)
        hits = [
            self._hit(results.offset + i + 1, hit.fields(), hit.score or 0.0, terms)
            for i, hit in enumerate(results)
        ]
        return SearchResult(text, parsed, results.total, page, hits)

    def run_topics(self, text: str, k: int) -> list[tuple[str, float]]:
        """(id, score) of the top `k` articles, for batch evaluation: no snippets."""
        parsed = self.parse(text)
        if parsed is wq.NullQuery:
            return []
        results = self.searcher.search(parsed, limit=k)
        return [(hit["id"], hit.score or 0.0) for hit in results]

    def _hit(self, rank: int, stored: dict[str, Any], score: float, terms: set[str]) -> Hit:
        title = stored.get("title", "")
        date = stored.get("date")
        return Hit(
            rank=rank,
            id=stored["id"],
            score=score,
            title=title,
            date=date.date() if date else None,
            source=stored.get("source", ""),
            url=stored.get("url", ""),
            path=stored.get("path", ""),
            category=stored.get("category", ""),
            snippet=make_snippet(stored.get("body", ""), terms, self.analyzer),
            title_highlights=match_spans(title, terms, self.analyzer),
        )
