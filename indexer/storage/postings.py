"""The searched fields' postings as numpy arrays, one file beside each Whoosh segment.

Whoosh answers a query by walking posting lists one posting at a time in Python: about
0.7 s for a question on 43,000 articles. The same postings held as arrays let a query be
scored for every article at once (`search.scoring`) in milliseconds. They are the only
postings of these fields: Whoosh keeps the articles' ids, dates, outlets and stored
fields, but writing the searched fields' postings too took most of the indexing time.

The file is named after its segment (`MAIN_<id>.arr`), so Whoosh deletes it with the
segment; after each run neighbouring segments' files are also joined into group files
(`indexer.storage.postings_groups`), which hold the same arrays. Per field of `FIELDS`:

- `keys`: 64-bit hashes of the field's terms, sorted, so a term is a binary search away
  (the segment is refused at build time in the 2⁻⁶⁴-odds event of two terms colliding);
- `starts`: where each term's postings begin, one entry more than `keys`;
- `docs`, `weights`: the postings, by term then document (segment document numbers);
- `pos_starts`, `positions`: each posting's word positions, for phrases and proximity;
- `lengths`: every document's length in the field, as Whoosh's BM25 would read it
  (`stored_lengths`); `total`: their exact sum, for the average length;
- `words`: the field's terms themselves, UTF-8, sorted, for what needs a field's
  vocabulary: words sharing a prefix for did-you-mean (the exact-form field's), and
  wildcards and ranges (each field's).

The files also hold each article's day, source and category (`indexer.storage.docvalues`).
"""

from __future__ import annotations

import copy
import hashlib
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length, length_to_byte

from arshif.indexer.analysis.analyzer import article_positions
from arshif.indexer.article import Article
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.docvalues import (
    DocValuesCollector,
    doc_values_arrays,
    join_doc_values,
    joined_hit_texts,
    read_doc_values,
)
from arshif.indexer.storage.schema import TEXT_FIELDS

FIELDS = TEXT_FIELDS
SUFFIX = ".arr"
# The field whose words are kept as strings, and the longest word kept (in UTF-8 bytes:
# 24 Arabic letters, more than any suggestion is ever made for).
LEXICON_FIELD = "exact"
WORD_BYTES = 48
WORD_DTYPE = np.dtype(f"S{WORD_BYTES}")


def term_key(term: str | bytes) -> int:
    """The 64-bit key a term is stored and looked up under."""
    data = term.encode("utf-8") if isinstance(term, str) else term
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def postings_path(folder: Path, segment: Segment) -> Path:
    return Path(folder) / segment.make_filename(SUFFIX)


class _FieldCollector:
    """One field's postings in the order they come (documents ascending per term)."""

    def __init__(self) -> None:
        self.term_ids: dict[str, int] = {}
        self.posting_terms = array("i")
        self.docs = array("i")
        self.weights = array("f")
        self.pos_counts = array("i")
        self.positions = array("i")
        self.lengths: list[int] = []

    def add_document(self, docnum: int, positions: dict[str, list[int]]) -> None:
        """Every term of the next document (`docnum`), with its positions; weights are
        term frequencies."""
        ids = self.term_ids
        self.posting_terms.extend([ids.setdefault(term, len(ids)) for term in positions])
        counts = [len(p) for p in positions.values()]
        self.docs.extend([docnum] * len(counts))
        self.weights.extend(counts)
        self.pos_counts.extend(counts)
        self.positions.extend(chain.from_iterable(positions.values()))
        self.lengths.append(sum(counts))

    def arrays(self, name: str) -> dict[str, np.ndarray]:
        terms = list(self.term_ids)
        keys = np.fromiter((term_key(t) for t in terms), np.uint64, len(terms))
        by_key = np.argsort(keys, kind="stable")
        keys = keys[by_key]
        if np.any(keys[1:] == keys[:-1]):
            raise ValueError(f"two terms of field {name} share a 64-bit key; re-run the index")
        rank = np.empty(len(terms), np.int64)
        rank[by_key] = np.arange(len(terms))
        posting_rank = rank[np.frombuffer(self.posting_terms, np.int32)]
        order = np.argsort(posting_rank, kind="stable")  # by term; documents stay ascending
        pos_counts = np.frombuffer(self.pos_counts, np.int32).astype(np.int64)
        pos_firsts = _starts(pos_counts)[:-1][order]
        pos_counts = pos_counts[order]
        return {
            f"{name}.keys": keys,
            f"{name}.starts": _starts(np.bincount(posting_rank, minlength=len(terms))),
            f"{name}.docs": np.frombuffer(self.docs, np.int32)[order],
            f"{name}.weights": np.frombuffer(self.weights, np.float32)[order],
            f"{name}.pos_starts": _starts(pos_counts),
            f"{name}.positions": np.frombuffer(self.positions, np.int32)[
                range_indexes(pos_firsts, pos_counts)
            ],
            f"{name}.lengths": stored_lengths(self.lengths),
            f"{name}.total": np.array([sum(self.lengths)], np.float64),
            f"{name}.words": word_array(terms),
        }


def stored_lengths(lengths: list[int]) -> np.ndarray:
    """Document lengths as Whoosh keeps them (one byte each, exact only when short), so
    that BM25 scores stay Whoosh's.

    >>> stored_lengths([0, 3, 1000]).tolist()
    [0.0, 3.0, 1032.0]
    """
    return np.array([byte_to_length(length_to_byte(n)) for n in lengths], np.float32)


def word_array(words: Iterable[str]) -> np.ndarray:
    """`words` as sorted, distinct UTF-8 byte strings (the longest left out).

    >>> word_array(["ترامب", "ب", "ترامب"]).tolist() == ["ب".encode(), "ترامب".encode()]
    True
    """
    encoded = [b for w in words if len(b := w.encode("utf-8")) <= WORD_BYTES]
    return distinct_sorted(np.array(encoded, WORD_DTYPE))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """`values` sorted, each once: `np.unique` without its hash table, which took
    twenty times as long on the words of a 43,000-article group. Sorts `values` in place
    (no second copy of a group's words in memory).

    >>> distinct_sorted(np.array([b"b", b"a", b"b"], WORD_DTYPE)).tolist()
    [b'a', b'b']
    """
    values.sort()
    if not len(values):
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))


def range_indexes(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes of the ranges [start, start + count), one after another: gathers the
    positions of many postings in one step.

    >>> range_indexes(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - _starts(counts)[:-1], counts)
    return offsets + np.arange(total, dtype=np.int64)


class _NoPostings(Positions):
    """A searched field's format in the worker's schema: Whoosh writes no postings for
    it (pooling, sorting and writing them posting by posting was most of the indexing
    time); the arrays hold them instead."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        return iter(())


class PostingsBuilder:
    """Collects the searched fields' postings of one segment, article by article."""

    def __init__(self) -> None:
        self._fields = {name: _FieldCollector() for name in FIELDS}
        self.doc_values = DocValuesCollector()

    def unindexed_schema(self, schema: Schema) -> Schema:
        """A copy of `schema` whose searched fields Whoosh stores (the headline) but
        does not index (the index's own schema is untouched: queries parse with it)."""
        unindexed = copy.copy(schema)
        unindexed._fields = dict(schema._fields)
        for name in self._fields:
            searched = copy.copy(schema[name])
            searched.format = _NoPostings()
            unindexed._fields[name] = searched
        return unindexed

    def add(self, docnum: int, fields: Mapping[str, Any]) -> None:
        """Add the next article, given as Whoosh's document fields (`article_fields`)."""
        found = article_positions(fields.get("title", ""), fields.get("text", ""))
        for name, collector in self._fields.items():
            collector.add_document(docnum, getattr(found, name))
        self.doc_values.add(fields)

    def write(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = self.doc_values.arrays()
        for name, collector in self._fields.items():
            arrays.update(collector.arrays(name))
        write_arrays(path, arrays.items())


def write_segment_postings(folder: Path, segment: Segment, reader: Any) -> None:
    """Write the arrays of a segment Whoosh wrote by itself (a merge of small segments),
    analyzing its articles again from their stored headline and body."""
    builder = PostingsBuilder()
    for docnum in range(segment.doc_count_all()):
        stored = reader.stored_fields(docnum)
        title, body = stored.get("title", ""), stored.get("body", "")
        text = Article(stored.get("id", ""), title, body).text
        builder.add(docnum, {**stored, "text": text})
    builder.write(postings_path(folder, segment))


@dataclass
class FieldPostings:
    """One field of one postings file (a segment's or a group's), as stored."""

    keys: np.ndarray
    starts: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    pos_starts: np.ndarray
    positions: np.ndarray
    lengths: np.ndarray
    total: np.ndarray
    words: np.ndarray

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's term number in this field, or -1 where the field lacks it."""
        if not len(self.keys):
            return np.full(len(keys), -1, np.int64)
        at = np.searchsorted(self.keys, keys)
        at[at == len(self.keys)] = 0
        return np.where(self.keys[at] == keys, at, -1)


def read_segment_postings(folder: Path, segment: Segment) -> dict[str, FieldPostings]:
    return read_postings(postings_path(folder, segment))


def read_postings(path: Path) -> dict[str, FieldPostings]:
    return postings_of(read_arrays(path))


def postings_of(arrays: dict[str, np.ndarray]) -> dict[str, FieldPostings]:
    """The fields' postings among the arrays of one postings file."""
    return {
        name: FieldPostings(
            **{
                part: arrays[key]
                for part in FieldPostings.__dataclass_fields__
                if (key := f"{name}.{part}") in arrays
            }
        )
        for name in FIELDS
    }


def merge_postings(paths: list[Path]) -> Iterator[tuple[str, np.ndarray]]:
    """One set of arrays for the postings files of consecutive segments: documents
    renumbered as a reader sees them (each segment's after the one before), each term's
    postings joined in segment order.

    The arrays come one at a time, for `write_arrays` to write as they come: memory holds
    one field's postings at most (not the whole result), the files are read one at a
    time, and each segment's postings are copied straight to their place.
    """
    fields = {name: [] for name in FIELDS}  # per field: (keys, counts) of every file
    lengths: dict[str, list[np.ndarray]] = {name: [] for name in FIELDS}
    for path in paths:
        for name, postings in read_postings(path).items():
            fields[name].append((np.array(postings.keys), np.diff(postings.starts)))
            lengths[name].append(np.array(postings.lengths))
    offsets = np.cumsum([0] + [len(part) for part in lengths[FIELDS[0]]]).tolist()
    for name in FIELDS:
        per_file = fields.pop(name)  # forgotten once the field is written
        keys = np.unique(np.concatenate([k for k, _ in per_file]))
        total = np.zeros(len(keys), np.int64)
        firsts = []  # per file: where each of its terms' postings go in the result
        for part_keys, counts in per_file:
            terms = np.searchsorted(keys, part_keys)
            total[terms] += counts
            firsts.append((terms, counts))
        starts = _starts(total)
        yield f"{name}.keys", keys
        yield f"{name}.starts", starts
        filled = starts[:-1].copy()
        docs = np.empty(int(starts[-1]), np.int32)
        weights = np.empty(int(starts[-1]), np.float32)
        pos_counts = np.empty(int(starts[-1]), np.int32)
        placed = []  # per file: where its terms' postings begin in the result
        for (terms, counts), offset, path in zip(firsts, offsets[:-1], paths, strict=True):
            postings = read_postings(path)[name]
            first = filled[terms]
            placed.append(first)
            place = range_indexes(first, counts)
            filled[terms] += counts
            docs[place] = postings.docs + offset
            weights[place] = postings.weights
            pos_counts[place] = np.diff(postings.pos_starts)
        yield f"{name}.docs", docs
        yield f"{name}.weights", weights
        del docs, weights
        pos_starts = _starts(pos_counts)
        del pos_counts
        positions = np.empty(int(pos_starts[-1]), np.int32)
        for (_, counts), first, path in zip(firsts, placed, paths, strict=True):
            postings = read_postings(path)[name]
            place = range_indexes(first, counts)
            positions[range_indexes(pos_starts[place], np.diff(postings.pos_starts))] = (
                postings.positions
            )
        yield f"{name}.pos_starts", pos_starts
        yield f"{name}.positions", positions
        yield f"{name}.lengths", np.concatenate(lengths[name])
        del pos_starts, positions
        fields_of = [read_postings(path)[name] for path in paths]
        yield f"{name}.words", distinct_sorted(np.concatenate([f.words for f in fields_of]))
        yield f"{name}.total", np.sum([f.total for f in fields_of], axis=0)
        del fields_of
    joined = join_doc_values(read_doc_values(read_arrays(path)) for path in paths)
    yield from doc_values_arrays(joined).items()
    yield from joined_hit_texts(paths)
