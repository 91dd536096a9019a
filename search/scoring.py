"""Scoring a query for every article at once, over the postings arrays (`indexer.storage.postings`).

The scores are Whoosh's own, computed in numpy instead of posting by posting: each term
adds its BM25F score in its field (`search.ranking`), times its boost. OR adds up what
matches; AND needs every part; AND NOT removes; AND MAYBE (`+a b`) adds the second part
where it matches; a NOT part removes what it matches from its group; a phrase matches
where its words stand in order, each at most `slop` positions after the one before, and
scores the sum of its words' scores. On a 43,000-article archive a question takes
milliseconds instead of the best part of a second.

An OR with a coordination `scale` gets Whoosh's coordination bonus. REQUIRE matches where
both parts do, scored by the first. Wildcards, prefixes and ranges over the searched fields
become their words, read from the arrays' word lists, as Whoosh expands them (one word: that
term; several: an OR of them). Parts on the other fields (`id:`, `source:`, `date:` …), whose
postings Whoosh holds, are scored by Whoosh and added in. Other query types are reported as
unsupported (`None`).
"""

from __future__ import annotations

import copy
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.classify import Bo1Model

from arshif.indexer.storage.arrayfile import read_arrays
from arshif.indexer.storage.docvalues import (
    join_doc_values,
    read_doc_values,
    slice_doc_values,
    stored_values,
)
from arshif.indexer.storage.postings import (
    DECODED_BYTES,
    FIELDS,
    LEXICON_FIELD,
    SEGMENT_ENDS,
    DecodedPostings,
    FieldPostings,
    postings_of,
    segments_within,
)
from arshif.indexer.storage.postings_groups import live_docs, postings_files, reader_segments
from arshif.indexer.storage.sorted_sets import members, positions_in
from arshif.indexer.storage.texts import Texts
from arshif.indexer.storage.wordlist import WORD_BYTES, term_key
from arshif.search.query import rewrite_leaves
from arshif.search.ranking import BM25_B, BM25_K1
from arshif.search.topk import Ranking

# Scores of a query part by Whoosh: the matching documents (ascending) and their scores.
WhooshScores = Callable[[wq.Query], tuple[np.ndarray, np.ndarray]]

# An OR's postings are sorted when fewer than one in this many of the archive's articles
# (cost follows them), else marked over the archive in one pass (cheaper than sorting:
# half as long for one in eight, of 43,450 or 418,624 articles; as long for one in 16).
SPARSE_SHARE = 16
# A term's postings read from every file are kept with the decoded postings, for terms
# of this many postings or more: words recur from question to question, and a common
# word's postings, decoded from each file and put together, are most of a question's
# cost in a large archive.
RECENT_MIN_POSTINGS = 256
# A document list is looked up through a table over the archive (`ArrayIndex.places`)
# when the documents looked up are more than one in this many of its entries: writing
# the list's places into the table and back costs ~1.5 ns an entry, a binary search
# 15-25 ns a document (its size against the archive's was the test: checking a round
# of 200 documents' phrases wrote a common word's whole list twice, ×10 archive).
TABLE_SHARE = 16
# Document number and position packed in one int64: positions stay below 2**32.
_STRIDE = np.int64(1 << 32)
# Document frequencies an opened index remembers at most (then forgets them all): the
# corrections ask for hundreds of candidate spellings of each rare word, nearly all once
# (all the dev questions in one process: 340,000 words, some 50 MB).
DOC_FREQUENCIES_KEPT = 100_000


@dataclass
class _Part:
    """A range [first, end) of one postings file's articles (a segment's, or consecutive
    segments' of a group) and where it starts in the reader's numbering."""

    offset: int
    first: int
    end: int
    fields: dict[str, FieldPostings]
    texts: Texts
    segment_ends: np.ndarray

    def total(self, fieldname: str) -> float:
        """The field's exact length summed over the range's articles."""
        inside = segments_within(self.segment_ends, self.first, self.end)
        return float(self.fields[fieldname].totals[inside].sum())


@dataclass
class Scores:
    """A query part's score for every document, which documents it matched, and how many
    of its terms matched in each (for coordination)."""

    scores: np.ndarray
    matched: np.ndarray
    terms: np.ndarray


@dataclass
class Matched:
    """A query's result: the documents it matched (ascending) and the score of each."""

    docs: np.ndarray
    scores: np.ndarray


class ArrayIndex:
    """The postings arrays of every segment an index reader sees, in its numbering, with
    which documents are live, each document's field lengths, and the article values and
    hit texts kept beside them (`indexer.storage.docvalues`; not the near-duplicate
    signatures, which searching never reads)."""

    def __init__(self, folder: Path, reader: Any) -> None:
        self.parts: list[_Part] = []
        self.doc_count = reader.doc_count_all()
        segments = reader_segments(reader)
        self.live = live_docs(segments, self.doc_count)
        offset = 0
        doc_values = []
        decoded = DecodedPostings(DECODED_BYTES)  # one budget for all the files
        for place in postings_files(folder, [segment for segment, _ in segments]):
            arrays = read_arrays(place.path)
            fields, texts = postings_of(arrays, decoded), Texts(arrays)
            ends = arrays[SEGMENT_ENDS]
            self.parts.append(_Part(offset, place.first, place.end, fields, texts, ends))
            values = slice_doc_values(read_doc_values(arrays), place.first, place.end)
            # Joined, the signatures were a copy of 128 bytes an article (54 MB at ×10).
            doc_values.append(replace(values, signatures=values.signatures[:0]))
            offset += place.end - place.first
        self._part_offsets = [part.offset for part in self.parts]
        # Every article's day, source and category, in the reader's numbering.
        self.doc_values = join_doc_values(doc_values) if doc_values else None
        self.lengths = {
            name: np.concatenate(
                [p.fields[name].lengths[p.first : p.end] for p in self.parts]
            ).astype(np.float64)
            if self.parts
            else np.zeros(0)
            for name in FIELDS
        }
        # Every field's length summed over the articles (deleted ones too, as Whoosh).
        self.total_length = {name: sum(p.total(name) for p in self.parts) for name in FIELDS}
        self.average_length = {
            name: (total / self.doc_count if self.doc_count else 0) or 1
            for name, total in self.total_length.items()
        }
        self._doc_frequencies: dict[tuple[str, str], int] = {}
        self._norms: dict[tuple[str, float, float], np.ndarray] = {}
        # Also a word's postings across the files (`term_postings`), by ("term", field, word).
        self._decoded = decoded
        # Every document's place in the list being looked up (`places`), else -1.
        self._table = np.full(self.doc_count, -1, np.int32)

    def places(self, found: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """Where each of `docs` stands in `found` (ascending, distinct), -1 where it is
        not: a binary search each, or for many documents one pass over `found` and one
        over `docs` through a table over the archive, left as it was found."""
        if len(docs) * TABLE_SHARE < len(found):
            return positions_in(found, docs)
        table = self._table
        table[found] = np.arange(len(found), dtype=np.int32)
        try:
            return table[docs].astype(np.int64)
        finally:
            table[found] = -1

    def length_norms(self, fieldname: str, k1: float, b: float) -> np.ndarray:
        """BM25's length normalization of every document in `fieldname`, computed once
        per opened index: k1 · (1 − b + b · length / average length)."""
        key = (fieldname, k1, b)
        norms = self._norms.get(key)
        if norms is None:
            lengths = self.lengths[fieldname]
            norms = self._norms[key] = k1 * ((1 - b) + b * lengths / self.average_length[fieldname])
        return norms

    def _texts(self, docnum: int) -> tuple[Texts, int]:
        part = self.parts[bisect_right(self._part_offsets, docnum) - 1]
        return part.texts, docnum - part.offset + part.first

    def hit_text(self, name: str, docnum: int) -> str:
        """One of an article's `HIT_FIELDS` texts ("" for none)."""
        texts, at = self._texts(docnum)
        return texts.text(name, at)

    def hit_fields(self, docnum: int) -> dict[str, Any]:
        """What a search hit shows of an article: id, title, body, url, path, date (a
        datetime), source and category, as Whoosh's stored fields would hold them (empty
        values left out)."""
        texts, at = self._texts(docnum)
        fields: dict[str, Any] = {name: text for name, text in texts.fields(at).items() if text}
        return {**fields, **self.values(docnum)}

    def values(self, docnum: int) -> dict[str, Any]:
        """An article's date (a datetime), source and category (empty ones left out)."""
        assert self.doc_values is not None  # an article is in some part
        return stored_values(self.doc_values, docnum)

    def scorer(self, by_whoosh: WhooshScores | None = None) -> QueryScorer:
        return QueryScorer(self, by_whoosh)

    def locate(self, fieldname: str, words: Iterable[str]) -> dict[str, _TermPostings]:
        """Where each word's postings are in every segment: one binary search per segment
        for all the words together."""
        words = list(dict.fromkeys(words))
        keys = np.fromiter((term_key(w) for w in words), np.uint64, len(words))
        found = {w: _TermPostings() for w in words}
        postings_of = [found[w] for w in words]
        for part in self.parts:
            postings = part.fields[fieldname]
            at = postings.find(keys)
            for i in np.flatnonzero(at >= 0).tolist():
                term = int(at[i])
                a, b = postings.postings_between(term, part.first, part.end)
                if a < b:
                    postings_of[i].add(part, postings, term, a, b)
        return found

    def doc_frequencies(self, fieldname: str, words: Iterable[str]) -> list[int]:
        """How many articles hold each word in `fieldname`, as Whoosh counts them (deleted
        articles too, until their segment is merged). Remembered per opened index, up to
        `DOC_FREQUENCIES_KEPT` words."""
        words = list(words)
        cache = self._doc_frequencies
        if len(cache) > DOC_FREQUENCIES_KEPT:
            cache.clear()
        missing = [w for w in dict.fromkeys(words) if (fieldname, w) not in cache]
        if missing:
            for word, postings in self.locate(fieldname, missing).items():
                cache[(fieldname, word)] = postings.df
        return [cache[(fieldname, w)] for w in words]

    def docs(self, fieldname: str, word: str) -> np.ndarray:
        """The live articles holding `word` in `fieldname`, by document number."""
        docs, _ = self.term_postings(fieldname, word)
        return docs[self.live[docs]]

    def term_postings(
        self, fieldname: str, word: str, located: _TermPostings | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding `word` in `fieldname` (ascending, deleted ones too) and
        its frequency in each, read from every file (`located`: where, when known); a
        common word's kept for the next queries."""
        key = ("term", fieldname, word)
        found = self._decoded.get(key)
        if found is None:
            located = located or self.locate(fieldname, [word])[word]
            found = located.docs_and_weights()
            if len(found[0]) >= RECENT_MIN_POSTINGS:
                found = found[0].astype(np.int32), found[1].astype(np.float32)
                self._decoded.put(key, found)
        return found[0], found[1]

    def doc_frequency(self, fieldname: str, word: str) -> int:
        return self.doc_frequencies(fieldname, [word])[0]

    def words_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """The first `limit` words of the exact-form field starting with `prefix`, in
        byte order, each once."""
        if len(prefix.encode("utf-8")) > WORD_BYTES:
            return []  # no word that long is kept
        high = prefix + _AFTER_EVERY_WORD
        return self.words_between(LEXICON_FIELD, prefix, high, closed=False, limit=limit)

    def key_terms(
        self, fieldname: str, counts: Mapping[str, int], number: int
    ) -> list[tuple[str, float]]:
        """The `number` terms of a text that best tell it from the rest of the archive,
        with their weights (`counts`: each term's frequency in the text): Whoosh's
        `key_terms_from_text` with the Bo1 model, normalized, over the arrays."""
        top_total = sum(counts.values())
        model = Bo1Model(self.doc_count, self.total_length[fieldname])
        found = self.locate(fieldname, counts)
        scored = [
            (model.score(counts[word], postings.frequency(), top_total), word)
            for word, postings in found.items()
            if postings.df
        ]
        if not scored:
            return []
        norm = model.normalizer(max(score for score, _ in scored), top_total)
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(word, score / norm) for score, word in scored[:number]]

    def words_between(
        self,
        fieldname: str,
        low: str | None,
        high: str | None,
        *,
        closed: bool = True,
        limit: int | None = None,
    ) -> list[str]:
        """The words of `fieldname` from `low` to `high` in byte order (either end open
        when None; `high` itself included when `closed`), each once; the first `limit`
        only, when given (each part then contributes no more)."""
        found = []
        for part in self.parts:  # a part's words: its file's (a range's, and more)
            words = part.fields[fieldname].words
            start = 0 if low is None else words.bisect(low.encode("utf-8"))
            end = len(words)
            if high is not None:
                end = words.bisect(high.encode("utf-8"), side="right" if closed else "left")
            if limit is not None:
                end = min(end, start + limit)
            found.extend(words[start:end])
        united = sorted(set(found))[:limit]
        return [w.decode("utf-8") for w in united]

    def pattern_words(self, q: wq.MultiTerm) -> list[str] | None:
        """The words a prefix, wildcard, regular expression or term range stands for in
        its field, as Whoosh's `_btexts` lists them; None for another kind of query."""
        fieldname = q.fieldname
        if isinstance(q, wq.Prefix):
            return self.words_between(fieldname, q.text, q.text + _AFTER_EVERY_WORD, closed=False)
        if isinstance(q, wq.PatternQuery):
            prefix = q._find_prefix(q.text)
            words = self.words_between(
                fieldname, prefix or None, prefix + _AFTER_EVERY_WORD if prefix else None
            )
            pattern = re.compile(q._get_pattern())
            return [w for w in words if pattern.match(w)]
        if isinstance(q, wq.TermRange):
            words = self.words_between(fieldname, q.start, q.end, closed=not q.endexcl)
            if q.startexcl and words and words[0] == q.start:
                words = words[1:]
            return words
        return None


class _TermPostings:
    """One term's postings across the parts: global document numbers and weights."""

    def __init__(self) -> None:
        # Per part holding the term: the part, its field, the term there, its postings.
        self.ranges: list[tuple[_Part, FieldPostings, int, int, int]] = []
        self.df = 0

    def add(self, part: _Part, postings: FieldPostings, term: int, start: int, end: int) -> None:
        self.ranges.append((part, postings, term, start, end))
        self.df += end - start

    def frequency(self) -> float:
        """The term's weights summed over its postings (Whoosh's collection frequency)."""
        return sum(float(p.term_tfs(t, a, b).sum()) for _, p, t, a, b in self.ranges)

    def docs_and_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """The term's documents in the reader's numbering (ascending) and its frequency
        in each, every part's written straight into its place."""
        docs = np.empty(self.df, np.int64)
        weights = np.empty(self.df)
        at = 0
        for part, p, t, a, b in self.ranges:
            own_docs, tfs = p.term_postings(t, a, b)
            np.add(own_docs, part.offset - part.first, out=docs[at : at + b - a], dtype=np.int64)
            weights[at : at + b - a] = tfs
            at += b - a
        return docs, weights

    def position_keys(self, among: np.ndarray) -> np.ndarray:
        """Every (document, position) of the term in the documents `among` (sorted, each
        holding the term), packed and sorted."""
        out = []
        for part, p, term, a, b in self.ranges:
            bounds = [part.offset, part.offset + part.end - part.first]
            lo, hi = np.searchsorted(among, bounds).tolist()
            if lo == hi:
                continue  # none of `among` in this part: its postings are not decoded
            docs = among[lo:hi]
            own = docs - part.offset + part.first
            at = a + np.searchsorted(p.term_docs(term, a, b), own)
            counts, positions = p.positions_of(term, at)
            out.append(np.repeat(docs, counts) * _STRIDE + positions)
        return np.concatenate(out) if out else np.zeros(0, np.int64)


class QueryScorer:
    """Scores queries against an `ArrayIndex`; term statistics cached per scorer.

    `by_whoosh` scores the parts of a query on fields the arrays do not hold; without it,
    such a query is unsupported."""

    def __init__(
        self,
        index: ArrayIndex,
        by_whoosh: WhooshScores | None = None,
        k1: float = BM25_K1,
        b: float = BM25_B,
    ) -> None:
        self.index = index
        self.by_whoosh = by_whoosh
        self.k1 = k1
        self.b = b
        self._terms: dict[tuple[str, str], _TermPostings] = {}
        self._scored: dict[tuple[str, str | bytes], tuple[np.ndarray, np.ndarray]] = {}
        self._by_whoosh: dict[wq.Query, tuple[np.ndarray, np.ndarray]] = {}

    def score(self, query: wq.Query) -> Matched | None:
        """The query's matches and their scores, or None when it has an unsupported part.

        An OR of terms and phrases (most questions) is added up over the documents its
        postings hold, so it costs what it matches; other queries are scored for every
        document of the archive at once."""
        query = self._prepared(query)
        return None if query is None else self._score(query)

    def ranking(self, query: wq.Query) -> Ranking | None:
        """The query's matches, ranked on demand (`search.topk`): the same matches and,
        for the best, the same scores as `score`, but an OR's phrases are checked only
        where they can change the best. None when the query has an unsupported part."""
        query = self._prepared(query)
        if query is None:
            return None
        leaves = _or_leaves(query)
        if leaves is not None and not _coordinates(query):
            return self._lazy_or(leaves)
        found = self._score(query)
        return Ranking(found.docs, found.scores)

    def _prepared(self, query: wq.Query) -> wq.Query | None:
        """`query` with its patterns expanded and its words found, or None when it has an
        unsupported part."""
        query = expand_patterns(query, self.index)
        if not _supported(query, whoosh=self.by_whoosh is not None):
            return None
        self._locate(query)
        return query

    def _score(self, query: wq.Query) -> Matched:
        leaves = _or_leaves(query)
        if leaves is not None:
            return self._sparse_or(query, leaves)
        if _coordinates(query):  # most queries: their own scores, nothing to add them to
            found = self._coordinated(query)
        else:
            found = self._empty()
            self._add(query, found, 1.0)
        docs = np.flatnonzero(found.matched)
        return Matched(docs, found.scores[docs])

    def _sparse_or(self, q: wq.Or, leaves: list[_Leaf]) -> Matched:
        """An OR of terms and phrases (`leaves`), scored as `_add` and `_coordinated`
        score it (the same additions in the same order), over its postings only."""
        parts = [self._or_part(leaf) for leaf, _ in leaves]
        counts = [
            np.full(len(found), len(leaf.words) if isinstance(leaf, wq.Phrase) else 1)
            for (leaf, _), (found, _) in zip(leaves, parts, strict=True)
        ]
        matched, at, size = self._united([found for found, _ in parts])
        values = [scores * weight for (_, scores), (_, weight) in zip(parts, leaves, strict=True)]
        scores = np.bincount(at, np.concatenate([np.zeros(0), *values]), size)
        if _coordinates(q):
            terms, scale = float(self._term_matchers(q)), q.scale
            if terms in (0, scale):
                return Matched(matched, np.zeros(len(matched)))
            count = np.bincount(at, np.concatenate([np.zeros(0), *counts]), size)
            scores = (scores + (count - 1) / (terms - scale) ** 2) * (terms - 1) / terms
        if size != len(matched):
            scores = scores[matched]
        return Matched(matched, scores)

    def _lazy_or(self, leaves: list[_Leaf]) -> Ranking:
        """An OR of terms and phrases (`leaves`) without coordination, as `_sparse_or`
        scores it, but a phrase one of whose words is a term of the OR (in its field)
        checked only where `Ranking` asks: its articles are among the terms' matches."""
        terms = {(s.fieldname, term_text(s.text)) for s, _ in leaves if isinstance(s, wq.Term)}
        lazy, parts = [], []
        for sub, weight in leaves:
            if isinstance(sub, wq.Phrase) and any(
                (sub.fieldname, term_text(w)) in terms for w in sub.words
            ):
                found, scores = self._phrase_candidates(sub)
                lazy.append(sub)
            else:
                found, scores = self._or_part(sub)
                lazy.append(None)
            parts.append((found, scores * weight))
        sure = [part for part, phrase in zip(parts, lazy, strict=True) if phrase is None]
        matched, at, size = self._united([found for found, _ in sure])
        scores = np.bincount(at, np.concatenate([np.zeros(0), *(v for _, v in sure)]), size)
        if size != len(matched):
            scores = scores[matched]
        bonus = np.zeros(len(matched))
        for (found, values), phrase in zip(parts, lazy, strict=True):
            if phrase is not None:
                bonus[np.searchsorted(matched, found)] += values

        def exact(docs: np.ndarray) -> np.ndarray:
            """The parts' values added in the OR's order, as `_sparse_or` adds them."""
            total = np.zeros(len(docs))
            for (found, values), phrase in zip(parts, lazy, strict=True):
                at = self.index.places(found, docs)
                hit = at >= 0
                if not hit.any():
                    continue  # adding nothing leaves the sums as they are
                if phrase is not None:
                    hit[hit] = self._phrase_holds(phrase, docs[hit])
                total += np.where(hit, values[at], 0.0)
            return total

        return Ranking(matched, scores, bonus, exact)

    def _or_part(self, sub: wq.Term | wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(sub, wq.Term):
            return self._term(sub.fieldname, sub.text)
        return self._phrase(sub)

    def _united(self, docs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
        """The documents any of `docs` holds (ascending), each posting's place among
        them, and the size of the numbering those places are in (the matches', or the
        archive's when counting over it is cheaper than sorting)."""
        postings = np.concatenate([np.zeros(0, np.int64), *docs])
        if len(postings) * SPARSE_SHARE < self.index.doc_count:  # few: sort them
            matched, at = np.unique(postings, return_inverse=True)
            return matched, at, len(matched)
        size = self.index.doc_count  # many: mark them in place, in one pass
        held = np.zeros(size, bool)  # 5× faster to make and read than np.bincount's counts
        held[postings] = True
        return np.flatnonzero(held), postings, size

    # -- the query tree ---------------------------------------------------------------

    def _empty(self, matched: bool = False) -> Scores:
        n = self.index.doc_count
        return Scores(np.zeros(n), np.full(n, matched), np.zeros(n, np.int32))

    def _add(self, q: wq.Query, into: Scores, boost: float) -> None:
        """Add `q`'s scores (times `boost`), matches and matching terms into `into`."""
        if _elsewhere(q):
            docs, values = self._whoosh_part(q)
            into.scores[docs] += values * boost
            into.matched[docs] = True
            into.terms[docs] += 1
            return
        if q is wq.NullQuery:
            return
        if isinstance(q, wq.Term | wq.Phrase):
            docs, values = (
                self._term(q.fieldname, q.text) if isinstance(q, wq.Term) else self._phrase(q)
            )
            into.scores[docs] += values * (boost * q.boost)
            into.matched[docs] = True
            into.terms[docs] += len(q.words) if isinstance(q, wq.Phrase) else 1
            return
        if isinstance(q, wq.Every):  # filters alone: every article, unscored
            into.matched[:] = True
            return
        if isinstance(q, wq.Not):  # alone: every article without it
            excluded = self._empty()
            self._add(q.query, excluded, 1.0)
            into.matched |= ~excluded.matched
            return
        if isinstance(q, wq.Or | wq.And) and _excludes(q):
            self._add_excluding(q, into, boost)
            return
        if isinstance(q, wq.Or) and len(q.subqueries) == 1:  # Whoosh skips the Or itself
            self._add(q.subqueries[0], into, boost)
            return
        if isinstance(q, wq.Or) and not q.scale:
            for sub in q.subqueries:
                self._add(sub, into, boost * q.boost)
            return
        part = self._coordinated(q) if isinstance(q, wq.Or) else self._intersected(q)
        matched = np.flatnonzero(part.matched)
        into.scores[matched] += part.scores[matched] * boost
        into.matched[matched] = True
        into.terms[matched] += part.terms[matched]

    def _add_excluding(self, q: wq.Or | wq.And, into: Scores, boost: float) -> None:
        """A group with NOT parts: what the other parts match, less what any NOT part
        matches (`a b -c`: a or b, never c). Whoosh would match every article without c."""
        positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        found = self._empty(matched=not positives)
        if positives:
            kept = copy.copy(q)
            kept.subqueries = positives
            self._add(kept, found, 1.0)
        for sub in q.subqueries:
            if isinstance(sub, wq.Not):
                excluded = self._empty()
                self._add(sub.query, excluded, 1.0)
                found.matched &= ~excluded.matched
        keep = found.matched
        into.scores[keep] += found.scores[keep] * boost
        into.matched |= keep
        into.terms[keep] += found.terms[keep]

    def _coordinated(self, q: wq.Or) -> Scores:
        """An OR with a coordination `scale`: Whoosh's CoordMatcher ("SQR") formula,
        (score + (matching − 1) / (terms − scale)²) · (terms − 1) / terms, where `terms`
        counts the query's terms the archive holds. (Whoosh counts those of the article's
        segment still unread, so late articles of a segment could score 0.)"""
        found = self._empty()
        for sub in q.subqueries:
            self._add(sub, found, q.boost)
        terms = float(self._term_matchers(q))
        scale = q.scale
        if terms in (0, scale):
            found.scores[:] = 0.0
            return found
        matched = np.flatnonzero(found.matched)
        scores, count = found.scores[matched], found.terms[matched]
        found.scores = np.zeros(len(found.scores))
        found.scores[matched] = (scores + (count - 1) / (terms - scale) ** 2) * (terms - 1) / terms
        return found

    def _intersected(self, q: wq.Query) -> Scores:
        """AND (every part matches, scores add up), AND NOT (the first part's score),
        AND MAYBE (the first part's matches, the second's score added where it matches)
        or REQUIRE (where both match, the first part's score)."""
        if isinstance(q, wq.Require):
            found = self._empty()
            self._add(q.a, found, q.boost)
            required = self._empty()
            self._add(q.b, required, 1.0)
            found.matched &= required.matched
        elif isinstance(q, wq.AndMaybe):
            found = self._empty()
            self._add(q.a, found, q.boost)
            bonus = self._empty()
            self._add(q.b, bonus, q.boost)
            found.scores += np.where(bonus.matched, bonus.scores, 0.0)
            found.terms += np.where(bonus.matched, bonus.terms, 0)
        elif isinstance(q, wq.AndNot):
            found = self._empty()
            self._add(q.a, found, q.boost)
            dropped = self._empty()
            self._add(q.b, dropped, 1.0)
            found.matched &= ~dropped.matched
        else:
            found = self._empty(matched=True)
            for sub in q.subqueries:
                part = self._empty()
                self._add(sub, part, q.boost)
                found.scores += part.scores
                found.terms += part.terms
                found.matched &= part.matched
        found.scores = np.where(found.matched, found.scores, 0.0)
        found.terms = np.where(found.matched, found.terms, 0)
        return found

    def _term_matchers(self, q: wq.Query) -> int:
        """How many term matchers Whoosh builds for `q`: one per term the archive holds,
        a phrase's words only when it holds them all."""
        if _elsewhere(q):
            return int(len(self._whoosh_part(q)[0]) > 0)
        if isinstance(q, wq.Term):
            return int(self._postings(q.fieldname, q.text).df > 0)
        if isinstance(q, wq.Phrase):
            words = [self._postings(q.fieldname, w) for w in q.words]
            return len(words) if all(w.df for w in words) else 0
        return sum(self._term_matchers(sub) for sub in q.children())

    def _whoosh_part(self, q: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        found = self._by_whoosh.get(q)
        if found is None:
            assert self.by_whoosh is not None  # `_supported` made sure
            found = self._by_whoosh[q] = self.by_whoosh(q)
        return found

    def _locate(self, query: wq.Query) -> None:
        """Find every word of the query in one pass over the segments per field."""
        wanted: dict[str, set[str]] = {}
        for leaf in query.leaves():
            if isinstance(leaf, wq.Term | wq.Phrase) and leaf.fieldname in FIELDS:
                words = leaf.words if isinstance(leaf, wq.Phrase) else [leaf.text]
                wanted.setdefault(leaf.fieldname, set()).update(term_text(w) for w in words)
        for fieldname, words in wanted.items():
            missing = [w for w in words if (fieldname, w) not in self._terms]
            for word, postings in self.index.locate(fieldname, missing).items():
                self._terms[(fieldname, word)] = postings

    def _postings(self, fieldname: str, text: str | bytes) -> _TermPostings:
        word = term_text(text)
        if (fieldname, word) not in self._terms:
            self._terms.update(
                ((fieldname, w), p) for w, p in self.index.locate(fieldname, [word]).items()
            )
        return self._terms[(fieldname, word)]

    def _term(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a term and its BM25 score in each (Whoosh's formula)."""
        found = self._scored.get((fieldname, text))
        if found is None:
            found = self._scored[(fieldname, text)] = self._bm25(fieldname, text)
        return found

    def _bm25(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        postings = self._postings(fieldname, text)
        docs, frequencies = self.index.term_postings(fieldname, term_text(text), postings)
        if not len(docs):
            return docs, frequencies
        index = self.index
        idf = math.log(index.doc_count / (postings.df + 1)) + 1
        # idf · (tf · (k1 + 1)) / (tf + norm), in place: a common word's postings at ×10
        # made five arrays of them.
        scores = frequencies.astype(np.float64)
        divisor = index.length_norms(fieldname, self.k1, self.b)[docs]
        divisor += scores
        scores *= self.k1 + 1
        scores *= idf
        scores /= divisor
        return docs, scores

    def _phrase(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Documents where the words stand in order, each 1..slop positions after the last,
        scored as the sum of the words' own scores."""
        among, scores = self._phrase_candidates(q)
        holds = self._phrase_holds(q, among) if len(among) else np.zeros(0, bool)
        return among[holds], scores[holds]

    def _phrase_candidates(self, q: wq.Phrase) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding every word of the phrase, and the phrase's score in each
        if its words stand in order there (the sum of the words' own scores)."""
        words = [self._postings(q.fieldname, w) for w in q.words]
        if not words or any(not w.df for w in words):
            return np.zeros(0, np.int64), np.zeros(0)
        among, total = self._term(q.fieldname, q.words[0])
        total = total.astype(np.float64)  # 0 + the first word's score, as summed before
        for w in q.words[1:]:
            docs, values = self._term(q.fieldname, w)
            at = self.index.places(docs, among)
            held = at >= 0
            among, total = among[held], total[held] + values[at[held]]
        return among, total

    def _phrase_holds(self, q: wq.Phrase, among: np.ndarray) -> np.ndarray:
        """Where in `among` (ascending, each holding every word) the words stand in order:
        a mask. Positions are read only there."""
        words = [self._postings(q.fieldname, w) for w in q.words]
        starts = ends = words[0].position_keys(among)
        for word in words[1:]:
            keys = word.position_keys(among)
            found_starts, found_ends = [], []
            for delta in range(1, max(1, q.slop) + 1):
                wanted = ends + delta
                at = np.searchsorted(keys, wanted)
                hit = at < len(keys)
                hit[hit] = keys[at[hit]] == wanted[hit]
                found_starts.append(starts[hit])
                found_ends.append(wanted[hit])
            starts, ends = np.concatenate(found_starts), np.concatenate(found_ends)
            if not len(starts):
                break
        return members(among, np.unique(starts // _STRIDE))


# A term or phrase an OR adds up, and what its scores are multiplied by.
_Leaf = tuple[wq.Term | wq.Phrase, float]


def _or_leaves(q: wq.Query, boost: float = 1.0) -> list[_Leaf] | None:
    """The terms and phrases (of the searched fields) an OR adds up, with the ORs
    without coordination inside it (a word's other spellings) flattened, each with the
    weight `_add` gives it: its boost times its ORs', multiplied in the same order
    (Whoosh skips a lone part's OR, and its boost). None when it holds another part."""
    if not isinstance(q, wq.Or) or q.minmatch:
        return None
    inner = boost * q.boost if len(q.subqueries) > 1 else boost
    leaves: list[_Leaf] = []
    for sub in q.subqueries:
        if isinstance(sub, wq.Term | wq.Phrase) and sub.fieldname in FIELDS:
            leaves.append((sub, inner * sub.boost))
            continue
        nested = _or_leaves(sub, inner) if isinstance(sub, wq.Or) and not sub.scale else None
        if nested is None:
            return None
        leaves.extend(nested)
    return leaves


def _excludes(q: wq.Query) -> bool:
    return any(isinstance(s, wq.Not) for s in q.subqueries)


def _coordinates(q: wq.Query) -> bool:
    """Whether `_add` scores `q` by `_coordinated` (an OR of several parts, scaled)."""
    return isinstance(q, wq.Or) and bool(q.scale) and len(q.subqueries) != 1 and not _excludes(q)


def term_text(text: str | bytes) -> str:
    """A query term's text as a string (Whoosh holds str or UTF-8 bytes)."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


def expand_patterns(query: wq.Query, index: ArrayIndex) -> wq.Query:
    """`query` with its prefixes, wildcards and ranges over the searched fields replaced
    by the words they stand for, as Whoosh's matcher takes them: one word is that term
    (its boost not applied), several an OR of them with the pattern's boost, none
    nothing."""

    def expand(q: wq.Query) -> wq.Query:
        if not (isinstance(q, wq.MultiTerm) and q.fieldname in FIELDS):
            return q
        words = index.pattern_words(q)
        if words is None:
            return q
        if len(words) > 1:
            return wq.Or([wq.Term(q.fieldname, w) for w in words], boost=q.boost)
        return wq.Term(q.fieldname, words[0]) if words else wq.NullQuery

    if not any(isinstance(leaf, wq.MultiTerm) for leaf in query.leaves()):
        return query
    return rewrite_leaves(query, expand)


# The last code point: a prefix followed by it sorts after every word with that prefix.
_AFTER_EVERY_WORD = "\U0010ffff"


def _leaf_fields(q: wq.Query) -> set[str | None]:
    return {leaf.field() for leaf in q.leaves()} if not q.is_leaf() else {q.field()}


def _elsewhere(q: wq.Query) -> bool:
    """Whether `q` is a part on fields whose postings only Whoosh holds (ids, dates,
    outlets …): a query Whoosh scores whole."""
    fields = _leaf_fields(q)
    return bool(fields) and None not in fields and not fields & set(FIELDS)


def _supported(q: wq.Query, *, whoosh: bool) -> bool:
    if _elsewhere(q):
        return whoosh
    if q is wq.NullQuery:
        return True
    if isinstance(q, wq.Every):
        return not q.fieldname or q.fieldname == "*"
    if isinstance(q, wq.Term | wq.Phrase):
        return q.fieldname in FIELDS
    if isinstance(q, wq.Or):
        return not q.minmatch and all(_supported(s, whoosh=whoosh) for s in q.subqueries)
    if isinstance(q, wq.And | wq.AndNot | wq.AndMaybe | wq.Require | wq.Not):
        return all(_supported(s, whoosh=whoosh) for s in q.children())
    return False


def matching_docs(docnums: Iterable[int], doc_count: int) -> np.ndarray:
    """A boolean mask of `doc_count` documents, set at `docnums`."""
    mask = np.zeros(doc_count, bool)
    mask[np.fromiter(docnums, np.int64)] = True
    return mask
