"""Searching an opened archive: ranked hits with snippets, filters, sorting and paging.

`Archive` reads the analyzer back from the index it opens; nothing here builds an
analyzer of its own, so a query is always analyzed the way the archive was.

A search runs in this order:

- Arabic operators and field names become the query language's (`search.query`);
- `source:`/`category:`/`date:` clauses are taken out of the query (`search.filters`) and
  joined with the `--from/--to/--source/--category` options;
- the rest is parsed (`search.query`); misspelled words are corrected and the query
  parsed again (`search.correct`), unless `exact` or `fuzzy`;
- each word's other spellings (`search.variants`), a name's spellings in the other script
  (`search.names`) and, with `fuzzy`, the suggested spellings of rare words
  (`search.suggest`) are added to it; batch search (`run_topics`) plans its query alike;
- hits are ranked (or sorted by date) and copies of one story (`groups.json`, written at
  index time) are shown once, with the other copies listed as `similar`;
- the page asked for is cut from those stories; facets count every matching article.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from arshif.indexer.analysis.analyzer import ArabicAnalyzer, analyze_word
from arshif.indexer.analysis.tokenize import words
from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.storage import store
from arshif.indexer.storage.schema import TEXT_FIELDS
from arshif.search.correct import Correction, Corrector, rewrite
from arshif.search.errors import UnknownArticleError, UnsupportedQueryError
from arshif.search.facets import FacetColumns, Facets
from arshif.search.filters import Filters, any_of, combine, split_query
from arshif.search.groups import Groups
from arshif.search.names import NameFinder, Spelling
from arshif.search.query import arabic_syntax, clean_query_text, make_parser, parse_query
from arshif.search.ranking import weighting
from arshif.search.scoring import ArrayIndex, expand_patterns, matching_docs, term_text
from arshif.search.snippets import QueryWords, Snippet, make_snippet
from arshif.search.suggest import Suggester, Suggestion
from arshif.search.unindexed import Unindexed
from arshif.search.variants import Variant, VariantFinder, exact_words, expand

__all__ = ["SORTS", "Archive", "Article", "Filters", "Hit", "SearchResult", "WordReport"]

SORTS = ("relevance", "newest", "oldest")
# Key terms taken from an article for `similar`.
SIMILAR_TERMS = 25


@dataclass
class Hit:
    rank: int
    id: str
    score: float | None  # None when sorted by date
    title: str
    date: dt.date | None
    source: str
    url: str
    path: str
    category: str
    snippet: Snippet
    title_highlights: list[tuple[int, int]] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)


@dataclass
class WordReport:
    """How one query word was analyzed and widened, for `--explain`."""

    word: str
    normalized: str
    stopword: bool
    terms: list[str]
    articles: int
    variants: list[Variant] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    names: list[Spelling] = field(default_factory=list)  # in the other script


@dataclass
class SearchResult:
    query: str
    parsed: wq.Query
    total: int
    page: int
    hits: list[Hit]
    stories: int = 0
    per_page: int = 10
    sort: str = "relevance"
    filters: list[Filters] = field(default_factory=list)
    excluded: list[Filters] = field(default_factory=list)
    facets: Facets | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    words: list[WordReport] = field(default_factory=list)
    fuzzy: bool = False
    corrections: list[Correction] = field(default_factory=list)

    @property
    def corrected(self) -> tuple[str, str] | None:
        """(the query as typed, as searched) when misspelled words were corrected."""
        if not self.corrections:
            return None
        return self.query, rewrite(self.query, self.corrections)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.stories / self.per_page)) if self.stories else 0


@dataclass
class Article:
    """One whole stored article, for `show`."""

    id: str
    title: str
    body: str
    date: dt.date | None
    source: str
    category: str
    url: str
    path: str
    author: str
    encoding: str
    similar: list[str]
    locator: str = ""  # where in `path`: "record at offset 1204", "page 3", "row 17"


class Archive:
    """An opened index: search it, or look articles up by id.

    One thread at a time, like Whoosh's searcher inside it; threads share one by taking
    turns (as `arshif serve` does, `search.web.live`) or open one each."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.ix = store.open_index(self.index_dir)
        self.schema = self.ix.schema  # Whoosh re-reads the TOC for each `ix.schema`
        self.analyzer: ArabicAnalyzer = self.schema["text"].analyzer
        self.parser = make_parser(self.schema)
        self._searcher: Searcher | None = None
        self._groups: Groups | None = None
        self._arrays: ArrayIndex | None = None
        self._columns: FacetColumns | None = None
        self._names: NameFinder | None = None
        self._unindexed: Unindexed | None = None

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._open()
        assert self._searcher is not None
        return self._searcher

    @property
    def arrays(self) -> ArrayIndex:
        if self._arrays is None:
            self._open()
        assert self._arrays is not None
        return self._arrays

    def _open(self, attempts: int = 3) -> None:
        """Open Whoosh's searcher and the postings arrays of the same segments together.
        A run committing in between removes the files of segments it merged: open again."""
        for attempt in range(attempts):
            searcher = self.ix.searcher(weighting=weighting())
            try:
                self._arrays = ArrayIndex(self.index_dir, searcher.reader())
            except FileNotFoundError as exc:
                searcher.close()
                if attempt == attempts - 1:
                    raise DamagedIndexError(exc.filename, "is missing") from exc
                continue
            except BaseException:  # a damaged postings file: no Whoosh file left open
                searcher.close()
                raise
            self._searcher = searcher
            return

    @property
    def columns(self) -> FacetColumns:
        if self._columns is None:
            self._columns = FacetColumns(self.arrays.doc_values, self.arrays.doc_count)
        return self._columns

    @property
    def name_finder(self) -> NameFinder:
        if self._names is None:
            self._names = NameFinder(self.arrays, VariantFinder(self.arrays, self.columns))
        return self._names

    @property
    def unindexed(self) -> Unindexed:
        """Answers to query parts on the fields Whoosh does not index (URLs, dates)."""
        if self._unindexed is None:
            self._unindexed = Unindexed(self.arrays, self.schema)
        return self._unindexed

    @property
    def groups(self) -> Groups:
        if self._groups is None:
            self._groups = Groups(self.index_dir, self.ix.latest_generation())
        return self._groups

    def close(self) -> None:
        self._arrays = None
        self._columns = None
        self._names = None
        self._unindexed = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, text: str) -> wq.Query:
        return parse_query(text, self.schema, self.parser)

    def query_terms(self, parsed: wq.Query) -> set[str]:
        """The analyzed words of a query as they stand in the index (prefixes expanded)."""
        expanded = expand_patterns(parsed, self.arrays)
        return self._held_words(
            [q for q in expanded.leaves() if isinstance(q, wq.Term | wq.Phrase)]
        )

    def _held_words(self, leaves: list[wq.Query]) -> set[str]:
        """The words of these terms and phrases that the archive holds in their field:
        the stemmed fields' (what snippets compare a word's stems with), or the exact
        field's for a query of exact forms alone."""
        fields = {leaf.fieldname for leaf in leaves} & set(TEXT_FIELDS)
        if fields - {"exact"}:
            fields.discard("exact")
        wanted: dict[str, set[str]] = {}
        for leaf in leaves:
            if leaf.fieldname in fields:
                words = leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text]
                wanted.setdefault(leaf.fieldname, set()).update(map(term_text, words))
        held = set()
        for fieldname, words in wanted.items():
            dfs = self.arrays.doc_frequencies(fieldname, words)
            held |= {w for w, df in zip(words, dfs, strict=True) if df}
        return held

    # -- names the archive holds ------------------------------------------------------

    def names(self, fieldname: str) -> list[str]:
        """The distinct values of an ID field (`source`, `category`)."""
        return [b.decode("utf-8") for b in self.searcher.reader().lexicon(fieldname)]

    def _resolve(self, filters: Filters) -> Filters:
        if not (filters.sources or filters.categories):
            return filters
        return filters.resolve(self.names("source"), self.names("category"))

    # -- searching ------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        page: int = 1,
        filters: Filters | None = None,
        sort: str = "relevance",
        facets: bool = False,
        fuzzy: bool = False,
        variants: bool = True,
        exact: bool = False,
        names: bool = True,
    ) -> SearchResult:
        """Search `text`; see the module docstring for the steps. Misspelled words are
        corrected unless `exact` (or `fuzzy`, which searches every suggestion besides);
        `variants` widens words to their other spellings, `names` to the other script."""
        plan = self._plan(text, filters, fuzzy=fuzzy, variants=variants, exact=exact, names=names)
        result = SearchResult(
            text, plan.query, 0, page, [], per_page=limit, sort=sort, filters=plan.include,
            excluded=plan.exclude, suggestions=[s for r in plan.words for s in r.suggestions],
            words=plan.words, fuzzy=fuzzy, corrections=plan.corrections,
        )  # fmt: skip
        if plan.query is wq.NullQuery:
            return result  # only stopwords or punctuation: nothing to look for
        if isinstance(plan.query, wq.Every) and sort == "relevance":
            result.sort = "newest"  # nothing to rank by: latest first
        self._run(result, plan.query, combine(plan.include), any_of(plan.exclude), facets)
        return result

    def _plan(
        self,
        text: str,
        filters: Filters | None,
        *,
        fuzzy: bool = False,
        variants: bool = True,
        exact: bool = False,
        names: bool = True,
        suggest: bool = True,
    ) -> _Plan:
        """What a search looks for: its filters, corrections and widened query (the same
        for interactive and batch search; `suggest`: did-you-mean for the rare words left,
        which batch search does without)."""
        rest, found = split_query(clean_query_text(arabic_syntax(text)))
        include = [self._resolve(f) for f in (filters or Filters(), found.include) if f]
        exclude = [self._resolve(f) for f in found.exclude if f]
        parsed = self.parse(rest) if rest else wq.NullQuery
        reports = self._word_reports(rest, parsed, variants=variants, names=names)
        corrections = [] if exact or fuzzy else self._corrections(reports)
        if corrections:  # as the articles write them only when shown (`suggest`)
            rest = rewrite(rest, corrections, written=suggest)
            parsed = self.parse(rest)
            reports = self._word_reports(rest, parsed, variants=variants, names=names)
        if suggest or fuzzy:
            self._suggest(reports, {c.to.word for c in corrections})
        plan = _Plan(include, exclude, reports, corrections, parsed)
        if parsed is wq.NullQuery:
            if include or exclude:
                plan.query = wq.Every()
            return plan
        alternatives = {
            r.normalized: [v.word for v in r.variants] + [n.word for n in r.names] for r in reports
        }
        if fuzzy:
            for r in reports:
                alternatives.setdefault(r.normalized, [])
                alternatives[r.normalized] += [s.word for s in r.suggestions]
        plan.query = expand(parsed, alternatives, self.arrays)
        return plan

    def _corrections(self, reports: list[WordReport]) -> list[Correction]:
        """The corrections of the query's misspelled words (`search.correct`)."""
        suggester = Suggester(self.arrays)
        rare = [
            r
            for r in reports
            if r.terms and not (r.stopword or r.variants) and r.articles < suggester.little
        ]
        if not rare:
            return []
        corrector = Corrector(suggester)
        held = [r for r in reports if r.terms and r not in rare and not r.stopword]
        corrections = []
        for report in rare:
            others = [r.terms[-1] for r in held + rare if r is not report]
            fix = corrector.correct(report.word, report.normalized, report.terms[-1], others)
            if fix is not None:
                corrections.append(fix)
        return corrections

    def _matches(
        self, final: wq.Query, filter_q: wq.Query | None, mask_q: wq.Query | None, sort: str
    ) -> _Matches:
        """The documents matching, and a way to rank them, over the postings arrays (the
        parts on fields only Whoosh indexes scored by Whoosh and added in)."""
        arrays = self.arrays
        ranking = arrays.scorer(self._scored_by_whoosh).ranking(final)
        if ranking is None:
            raise UnsupportedQueryError(str(final))
        keep = arrays.live[ranking.docs]
        if filter_q is not None:
            keep &= self._whoosh_matches(filter_q)[ranking.docs]
        if mask_q is not None:
            keep &= ~self._whoosh_matches(mask_q)[ranking.docs]
        if sort == "relevance":
            return ranking.subset(keep)
        return _DateOrder(ranking.docs[keep], self.columns.days(), newest=sort == "newest")

    def _by_whoosh(self, q: wq.Query) -> wq.Query:
        """`q` as Whoosh can run it: its URL and date parts answered (`search.unindexed`)."""
        return self.unindexed.answer(q)

    def _whoosh_matches(self, q: wq.Query) -> np.ndarray:
        """Which articles a query on fields only Whoosh indexes matches: a mask."""
        found = self.searcher.docs_for_query(self._by_whoosh(q))
        return matching_docs(found, self.arrays.doc_count)

    def _scored_by_whoosh(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        """The articles matching `q` (on fields only Whoosh indexes: ids, paths, outlets,
        and URLs and dates answered from the arrays) with Whoosh's score of each, by
        document number."""
        top = self.searcher.search(self._by_whoosh(q), limit=None).top_n  # (score, docnum)
        scores = np.array([score for score, _ in top], np.float64)
        docs = np.array([docnum for _, docnum in top], np.int64)
        order = np.argsort(docs)
        return docs[order], scores[order]

    def _run(
        self,
        result: SearchResult,
        final: wq.Query,
        filter_q: wq.Query | None,
        mask_q: wq.Query | None,
        want_facets: bool,
    ) -> None:
        matches = self._matches(final, filter_q, mask_q, result.sort)
        docs = matches.docs
        result.total = len(docs)
        groups = self.groups
        result.stories = groups.count_stories(docs, self.searcher) if groups else len(docs)
        if want_facets:
            result.facets = self.columns.facets(docs)
        if not len(docs):
            return
        wanted = result.page * result.per_page
        depth = wanted * 2 + 10
        while True:
            stories = self._stories(matches.ranked(depth), wanted)
            if len(stories) >= wanted or depth >= len(docs):
                break
            depth *= 4
        first = (result.page - 1) * result.per_page
        ranked = result.sort == "relevance"  # sorted by date, Whoosh's "score" is the date
        words = QueryWords(self.query_terms(final), self.analyzer)
        result.hits = [
            self._hit(
                first + i + 1,
                self.arrays.hit_fields(docnum),
                (score or 0.0) if ranked else None,
                words,
            )
            for i, (docnum, score) in enumerate(stories[first:wanted])
        ]

    def _stories(
        self, ranked: list[tuple[int, float | None]], wanted: int
    ) -> list[tuple[int, float | None]]:
        """The first `wanted` hits in order, each story once: later copies (and repeated
        URLs) dropped. Reads ids and URLs only (kept uncompressed)."""
        seen: set[str] = set()
        out: list[tuple[int, float | None]] = []
        for docnum, score in ranked:
            if len(out) == wanted:
                break
            keys = {"id:" + self.groups.leader(self.arrays.hit_text("id", docnum))}
            if url := self.arrays.hit_text("url", docnum):
                keys.add("url:" + url.strip().rstrip("/").lower())
            if keys & seen:
                continue
            seen |= keys
            out.append((docnum, score))
        return out

    def _word_reports(
        self, rest: str, parsed: wq.Query, *, variants: bool, names: bool
    ) -> list[WordReport]:
        """Each plain query word: its terms and its other spellings."""
        finder = VariantFinder(self.arrays, self.columns)
        suggester = Suggester(self.arrays)
        in_query = set(exact_words(parsed)) if parsed is not wq.NullQuery else set()
        reports = []
        for word, _, _ in words(rest):
            norm, stop, terms = analyze_word(word)
            if not (stop or norm in in_query) or any(r.normalized == norm for r in reports):
                continue  # field names, operators and repeated words
            report = WordReport(
                word=word,
                normalized=norm,
                stopword=stop,
                terms=list(terms),
                articles=suggester.df(norm),
            )
            if not stop and norm in in_query:
                if variants:
                    report.variants = finder.variants(norm)
                if names:
                    report.names = self.name_finder.spellings(norm)
            reports.append(report)
        return reports

    def _suggest(self, reports: list[WordReport], corrected: set[str]) -> None:
        """Did-you-mean for the query words few articles hold and no other spelling
        (nor the corrections just made)."""
        suggester = Suggester(self.arrays)
        for report in reports:
            widened = report.variants or report.names or report.normalized in corrected
            searched = report.terms and not (report.stopword or widened)
            if searched and suggester.matches_little(report.normalized):
                report.suggestions = suggester.suggest(report.normalized)

    def run_topics(
        self, text: str, k: int, *, exact: bool = False, names: bool = True
    ) -> list[tuple[str, float]]:
        """(id, score) of the top `k` articles, for batch evaluation: no snippets, but
        the same corrections and spellings as `search` (and its options)."""
        plan = self._plan(text, None, exact=exact, names=names, suggest=False)
        if plan.query is wq.NullQuery:
            return []
        matches = self._matches(
            plan.query, combine(plan.include), any_of(plan.exclude), "relevance"
        )
        return [
            (self.arrays.hit_text("id", docnum), score or 0.0)
            for docnum, score in matches.ranked(k)
        ]

    def _hit(
        self, rank: int, stored: dict[str, Any], score: float | None, words: QueryWords
    ) -> Hit:
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
            snippet=make_snippet(stored.get("body", ""), words),
            title_highlights=words.spans(title),
            similar=self.groups.copies(stored["id"]),
        )

    # -- lookups ----------------------------------------------------------------------

    def _docnum(self, article_id: str) -> int:
        docnum = self.searcher.document_number(id=article_id)
        if docnum is None:
            raise UnknownArticleError(article_id, self._ids_like(article_id))
        return docnum

    def _ids_like(self, article_id: str, limit: int = 3) -> list[str]:
        """Up to `limit` ids sharing the longest prefix with `article_id`."""
        reader = self.searcher.reader()
        for cut in range(len(article_id) - 1, 2, -1):
            close = []
            for btext in reader.expand_prefix("id", article_id[:cut]):
                close.append(btext.decode("utf-8"))
                if len(close) == limit:
                    break
            if close:
                return close
        return []

    def article(self, article_id: str) -> Article:
        """The whole stored article with this id."""
        docnum = self._docnum(article_id)
        # Whoosh stores the small values only a shown article needs (author, locator …).
        stored = {**self.searcher.stored_fields(docnum), **self.arrays.hit_fields(docnum)}
        date = stored.get("date")
        return Article(
            id=stored["id"],
            title=stored.get("title", ""),
            body=stored.get("body", ""),
            date=date.date() if date else None,
            source=stored.get("source", ""),
            category=stored.get("category", ""),
            url=stored.get("url", ""),
            path=stored.get("path", ""),
            author=stored.get("author", ""),
            encoding=stored.get("encoding", ""),
            similar=self.groups.copies(stored["id"]),
            locator=stored.get("locator", ""),
        )

    def brief(self, article_id: str) -> dict[str, Any] | None:
        """Id, title, date and source of an article (for listing copies); None if gone."""
        docnum = self.searcher.document_number(id=article_id)
        if docnum is None:
            return None
        values = self.arrays.values(docnum)  # its headline alone is decoded, no body
        date = values.get("date")
        return {
            "id": article_id,
            "title": self.arrays.hit_text("title", docnum),
            "date": date.date() if date else None,
            "source": values.get("source", ""),
        }

    def briefs(self, article_ids: list[str]) -> list[dict[str, Any]]:
        """The briefs of those of `article_ids` still in the index."""
        return [b for i in article_ids if (b := self.brief(i)) is not None]

    def copies(self, hits: list[Hit]) -> dict[str, list[dict[str, Any]]]:
        """The briefs of each hit's copies (hit id → briefs), to list them under it."""
        return {hit.id: self.briefs(hit.similar) for hit in hits if hit.similar}

    def similar(self, article_id: str, *, limit: int = 10, page: int = 1) -> SearchResult:
        """The articles most like this one: its key terms (Bo1) searched as one query.

        The article itself and its recorded copies are left out of the ranking.
        """
        docnum = self._docnum(article_id)
        text = f"{self.arrays.hit_text('title', docnum)}\n{self.arrays.hit_text('body', docnum)}"
        counts = {term: len(at) for term, at in self.analyzer.positions(text).items()}
        keys = self.arrays.key_terms("text", counts, SIMILAR_TERMS)
        query: wq.Query = wq.Or([wq.Term("text", term, boost=weight) for term, weight in keys])
        own = [article_id, *self.groups.copies(article_id)]
        mask = wq.Or([wq.Term("id", i) for i in own])
        result = SearchResult(
            article_id, query, 0, page, [], per_page=limit, excluded=[],
        )  # fmt: skip
        if keys:
            self._run(result, query, None, mask, False)
        return result

    # -- the whole archive ------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """What the archive holds: counts, date range, size, encodings, last update."""
        reader = self.searcher.reader()
        live = np.fromiter(reader.all_doc_ids(), np.int64)
        counts = self.columns.facets(live)
        days = self.columns.days()[live]
        days = days[days >= 0]
        manifest = store.read_json(self.index_dir / store.MANIFEST_FILE, {})
        encodings: dict[str, int] = {}
        for entry in manifest.values():
            enc = entry.get("encoding") or "unknown"
            encodings[enc] = encodings.get(enc, 0) + 1
        meta = store.read_json(self.index_dir / store.META_FILE, {})
        groups = self.groups
        return {
            "index": str(self.index_dir),
            "articles": len(live),
            "files": len(manifest),
            "sources": counts.source,
            "categories": counts.category,
            "first_date": dt.date.fromordinal(int(days.min())).isoformat() if len(days) else None,
            "last_date": dt.date.fromordinal(int(days.max())).isoformat() if len(days) else None,
            "undated": len(live) - len(days),
            "months": counts.month,
            "bytes": _folder_bytes(self.index_dir),
            "encodings": dict(sorted(encodings.items(), key=lambda kv: (-kv[1], kv[0]))),
            "groups": len(groups),
            "updated": meta.get("updated"),
        }


@dataclass
class _Plan:
    """A query ready to run: filters, the words' reports, corrections, the final query."""

    include: list[Filters]
    exclude: list[Filters]
    words: list[WordReport]
    corrections: list[Correction]
    query: wq.Query


class _Matches(Protocol):
    """The matching documents of a search and their ranking, cut at a depth."""

    docs: np.ndarray

    def ranked(self, depth: int) -> list[tuple[int, float | None]]: ...


class _DateOrder:
    """Matches by date, newest or oldest first; undated articles last, ties in document
    order."""

    def __init__(self, docs: np.ndarray, days: np.ndarray, *, newest: bool) -> None:
        self.docs = docs
        self.days = days
        self.newest = newest

    def ranked(self, depth: int) -> list[tuple[int, float | None]]:
        days = self.days[self.docs]
        undated = days < 0
        order = np.lexsort((self.docs, -days if self.newest else days, undated))[:depth]
        return [(doc, None) for doc in self.docs[order].tolist()]


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # a file Whoosh removed meanwhile
                total += (Path(root) / name).stat().st_size
    return total
