"""The searched fields' postings as numpy arrays, one file per Whoosh segment or group.

Whoosh answers a query by walking posting lists one posting at a time in Python: about
0.7 s for a question on 43,000 articles. The same postings held as arrays let a query be
scored for every article at once (`search.scoring`) in milliseconds. They are the only
postings of these fields: Whoosh indexes the articles' ids, paths and outlets and stores
ids and small values, but writing the searched fields' postings too took most of the
indexing time.

A worker writes one file per segment, named after it (`MAIN_<id>.arr`, so Whoosh deletes
it with the segment); after each run neighbouring segments' files are joined into group
files that replace them (`indexer.storage.postings_groups`). A reader may read a file
whole or a range of its articles ([first, end), on segment bounds). Per field of `FIELDS`:

- `keys`: 64-bit hashes of the field's terms, sorted, so a term is a binary search away
  (the segment is refused at build time in the 2⁻⁶⁴-odds event of two terms colliding);
- `starts`: where each term's postings begin, one entry more than `keys`;
- `docs`, `tfs`: the postings, by term then document (the file's document numbers), and
  each one's term frequency (the weight BM25 reads); `pos_starts`: where each term's
  positions begin (one entry more than `keys`); `positions`: each posting's word
  positions, `tf` of them, posting after posting, for phrases and proximity. These
  three are bit-packed in blocks (`indexer.storage.bitpack`, each as `<name>.widths` and
  `<name>.bits`), delta-encoded first so that their values are small: `docs` as the gap
  from the term's previous posting (a term's first posting: its document), `tfs` less
  one, `positions` as the gap from the posting's previous position (its first: the
  position). A term's documents are decoded from its first posting on; any posting's
  term frequency and positions alone. `starts` and `pos_starts` have the smallest
  unsigned type their values fit (`compact`);
- `lengths`: every document's length in the field, as Whoosh's BM25 would read it
  (`stored_lengths`); `totals`: their exact sum in each of the file's segments, for the
  average length;
- `words`: the field's terms themselves, UTF-8, sorted, for what needs a field's
  vocabulary: words sharing a prefix for did-you-mean (the exact-form field's), and
  wildcards and ranges (each field's); one after another, as `words.utf8` and
  `words.starts` (`indexer.storage.wordlist`).

`segment.ends` gives where each segment's articles end in the file. The files also hold
each article's day, source and category (`indexer.storage.docvalues`) and the texts a
hit shows, compressed (`indexer.storage.texts`).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length, length_to_byte

from arshif.indexer.article import Article
from arshif.indexer.errors import IndexIntegrityError
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.bitpack import Packed, pack
from arshif.indexer.storage.collect import (
    FieldOccurrences,
    SegmentPostings,
    shared_vocabulary,
)
from arshif.indexer.storage.docvalues import (
    DocValues,
    DocValuesCollector,
    doc_values_arrays,
    join_doc_values,
    read_doc_values,
    slice_doc_values,
    stored_values,
)
from arshif.indexer.storage.schema import TEXT_FIELDS
from arshif.indexer.storage.sorted_sets import distinct_and_places, stable_order
from arshif.indexer.storage.texts import Texts, TextsCollector, joined_texts
from arshif.indexer.storage.wordlist import WordList, term_key

FIELDS = TEXT_FIELDS
SUFFIX = ".arr"
SEGMENT_ENDS = "segment.ends"
# Bytes of decoded postings an opened index keeps for all its files together (a budget
# per file grew with the archive: 72 MB, and 224 MB of position starts, at ×10), for its
# terms of `DECODED_MIN_POSTINGS` postings or more asked for last: words recur from
# query to query, and decoding them is most of what the packing costs a query. A term's
# documents and frequencies take 8 bytes a posting, where its positions begin 8 more;
# the scorer keeps a common word's postings put together from every file there too.
DECODED_BYTES = 64 << 20
DECODED_MIN_POSTINGS = 32
# The field whose words did-you-mean reads.
LEXICON_FIELD = "exact"


def postings_path(folder: Path, segment: Segment) -> Path:
    return own_postings_path(folder, segment.segment_id())


def own_postings_path(folder: Path, segment_id: str) -> Path:
    """A segment's own postings file, named as Whoosh names the segment's files
    (`Segment.make_filename`), so that Whoosh deletes it with the segment."""
    return Path(folder) / f"{segment_id}{SUFFIX}"


def field_arrays(
    name: str, terms: list[bytes], keys: np.ndarray, found: FieldOccurrences, doc_count: int
) -> dict[str, np.ndarray]:
    """One field's arrays for a segment of `doc_count` documents, from its occurrences
    (`found.terms` numbering `terms`, in UTF-8, whose keys are `keys`), by document then
    position."""
    by_key = np.argsort(keys, kind="stable")
    keys = keys[by_key]
    if np.any(keys[1:] == keys[:-1]):
        raise ValueError(f"two terms of field {name} share a 64-bit key; re-run the index")
    rank = np.empty(len(terms), np.int64)
    rank[by_key] = np.arange(len(terms))
    ranked = rank[found.terms]
    order = stable_order(ranked, len(terms))  # by term; documents stay ascending
    term_of, doc_of = ranked[order], found.docs[order]
    new_posting = np.ones(len(order), bool)
    new_posting[1:] = (term_of[1:] != term_of[:-1]) | (doc_of[1:] != doc_of[:-1])
    firsts = np.flatnonzero(new_posting)
    tfs = np.diff(np.append(firsts, len(order))).astype(np.int64)
    starts = _starts(np.bincount(term_of[firsts], minlength=len(terms)))
    positions = found.positions[order]
    docs = doc_of[firsts]
    lengths = np.bincount(found.docs, minlength=doc_count).tolist()
    return {
        f"{name}.keys": keys,
        f"{name}.starts": compact(starts),
        **packed_arrays(f"{name}.docs", doc_gaps(starts, docs)),
        **packed_arrays(f"{name}.tfs", tfs - 1),
        f"{name}.pos_starts": compact(_term_pos_starts(starts, tfs)),
        **packed_arrays(f"{name}.positions", position_gaps(tfs, positions)),
        f"{name}.lengths": stored_lengths(lengths),
        f"{name}.totals": np.array([sum(lengths)], np.float64),
        **WordList.of_distinct(terms).arrays(f"{name}.words"),
    }


def compact(values: np.ndarray) -> np.ndarray:
    """Non-negative integers in the smallest unsigned type holding them all.

    >>> compact(np.array([3, 300])).dtype, compact(np.array([], np.int64)).dtype
    (dtype('uint16'), dtype('uint8'))
    """
    top = int(values.max()) if len(values) else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return values.astype(dtype)
    return values.astype(np.uint64)


def packed_arrays(name: str, values: np.ndarray) -> dict[str, np.ndarray]:
    """The two arrays `values` are stored as, bit-packed (`indexer.storage.bitpack`)."""
    widths, bits = pack(values)
    return {f"{name}.widths": widths, f"{name}.bits": bits}


def doc_gaps(starts: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Each posting's document less the one before it of the same term (the first: its
    document), in place.

    >>> doc_gaps(np.array([0, 3, 4]), np.array([2, 5, 9, 4])).tolist()
    [2, 3, 4, 4]
    """
    firsts = starts[:-1][np.diff(starts) > 0]
    return _gaps(docs, firsts)


def position_gaps(tfs: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Each position less the one before it in the same posting (the first: itself),
    given each posting's number of positions, in place.

    >>> position_gaps(np.array([2, 1]), np.array([3, 7, 5])).tolist()
    [3, 4, 5]
    """
    return _gaps(positions, _starts(tfs)[:-1][tfs > 0])


def _gaps(values: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Each value less the one before it, the values at `firsts` as they are, in place:
    `values` becomes the gaps, a chunk at a time from the end. (A group's postings are
    millions; their gaps copied in 64 bits were the largest array a join held.)"""
    kept = values[firsts]
    for end in range(len(values), 1, -_GAPS_CHUNK):
        start = max(end - _GAPS_CHUNK, 1)
        values[start:end] -= values[start - 1 : end - 1]
    values[firsts] = kept
    return values


def undo_gaps(counts: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """The values `position_gaps` (or `doc_gaps`) made `gaps` of, given how many each
    posting (term) has.

    >>> undo_gaps(np.array([2, 1]), np.array([3, 4, 5])).tolist()
    [3, 7, 5]
    """
    if not len(gaps):
        return gaps.astype(np.int64)
    summed = np.cumsum(gaps, dtype=np.int64)
    firsts = _starts(counts)[:-1][counts > 0]
    base = summed[firsts] - gaps[firsts]
    return summed - np.repeat(base, counts[counts > 0])


# Values turned into gaps at a time (`_gaps`): bounds the copy of what they are made from.
_GAPS_CHUNK = 1 << 20
# Values whose gaps are undone at a time when a whole field is read (joining): bounds the
# 64-bit temporaries to a few MB, where the 8 million positions of a group took 250 MB.
_UNDO_CHUNK = 1 << 20


def _undo_all_gaps(packed: Packed, bounds: np.ndarray) -> np.ndarray:
    """Every value of `packed`, whose gaps restart at each of `bounds` (a posting's
    positions, a term's documents; `bounds` ends with the count), as uint32."""
    out = np.empty(packed.count, np.uint32)
    step = max(1, len(bounds) * _UNDO_CHUNK // max(packed.count, 1))
    for at in range(0, len(bounds) - 1, step):
        part = bounds[at : at + step + 1]
        a, b = int(part[0]), int(part[-1])
        out[a:b] = undo_gaps(np.diff(part), packed.slice(a, b))
    return out


def _term_pos_starts(starts: np.ndarray, tfs: np.ndarray) -> np.ndarray:
    """Where each term's positions begin, given where its postings do and their tfs."""
    return _starts(tfs)[starts]


def stored_lengths(lengths: list[int]) -> np.ndarray:
    """Document lengths as Whoosh keeps them (one byte each, exact only when short), so
    that BM25 scores stay Whoosh's.

    >>> stored_lengths([0, 3, 1000]).tolist()
    [0.0, 3.0, 1032.0]
    """
    return np.array([byte_to_length(length_to_byte(n)) for n in lengths], np.float32)


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
        self.words = SegmentPostings(shared_vocabulary())
        self.doc_values = DocValuesCollector()
        self.texts = TextsCollector()

    def unindexed_schema(self, schema: Schema) -> Schema:
        """A copy of `schema` whose searched fields Whoosh stores (the headline) but
        does not index (the index's own schema is untouched: queries parse with it)."""
        unindexed = copy.copy(schema)
        unindexed._fields = dict(schema._fields)
        for name in FIELDS:
            searched = copy.copy(schema[name])
            searched.format = _NoPostings()
            unindexed._fields[name] = searched
        return unindexed

    def add(self, fields: Mapping[str, Any]) -> None:
        """Add the next article, given as Whoosh's document fields (`article_fields`)."""
        self.words.add(fields.get("title", ""), fields.get("text", ""))
        self.doc_values.add(fields)
        self.texts.add(fields)

    def write(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = self.doc_values.arrays(self.words.signatures())
        arrays[SEGMENT_ENDS] = np.array([self.texts.count], np.int64)
        arrays.update(self.texts.arrays())
        vocabulary = self.words.vocabulary
        for name, found in self.words.fields().items():
            used, local = distinct_and_places(found.terms, len(vocabulary.term_bytes))
            terms = list(map(vocabulary.term_bytes.__getitem__, used.tolist()))
            local_found = FieldOccurrences(local.reshape(-1), found.docs, found.positions)
            keys = vocabulary.term_keys()[used]
            arrays.update(field_arrays(name, terms, keys, local_found, self.texts.count))
        write_arrays(path, arrays.items())


def write_segment_postings(
    folder: Path,
    segment: Segment,
    reader: Any,
    sources: Iterable[tuple[Texts, DocValues, int]],
) -> None:
    """Write the arrays of a segment Whoosh wrote by itself (a merge of small segments),
    analyzing its articles again: `sources` gives each article's texts and values (the
    merged segments' `Texts`, `DocValues` and document number, in the new segment's
    order), Whoosh's stored fields the rest."""
    builder = PostingsBuilder()
    for docnum, (texts, values, source) in enumerate(sources):
        shown = texts.fields(source)
        text = Article(shown["id"], shown["title"], shown["body"]).text
        stored = {**reader.stored_fields(docnum), **stored_values(values, source)}
        builder.add({**stored, **shown, "text": text})
    if builder.texts.count != segment.doc_count_all():
        raise IndexIntegrityError(
            f"merging small segments into {segment.segment_id()} found texts for "
            f"{builder.texts.count} of its {segment.doc_count_all()} articles; nothing was "
            "committed, run again with --rebuild"
        )
    builder.write(postings_path(folder, segment))


@dataclass
class FieldPostings:
    """One field of one postings file (a segment's or a group's), as stored: `docs`,
    `tfs` and `positions` packed and delta-encoded, read through the methods."""

    keys: np.ndarray
    starts: np.ndarray
    docs: Packed
    tfs: Packed
    pos_starts: np.ndarray
    positions: Packed
    lengths: np.ndarray
    totals: np.ndarray
    words: WordList
    _decoded: DecodedPostings = field(
        default_factory=lambda: DecodedPostings(DECODED_BYTES), repr=False
    )

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's term number in this field, or -1 where the field lacks it."""
        if not len(self.keys):
            return np.full(len(keys), -1, np.int64)
        at = np.searchsorted(self.keys, keys)
        at[at == len(self.keys)] = 0
        return np.where(self.keys[at] == keys, at, -1)

    def postings_between(self, term: int, first: int, end: int) -> tuple[int, int]:
        """Where the term's postings in documents [first, end) are (all, for the whole
        file)."""
        a, b = self.starts[term : term + 2].tolist()
        if first == 0 and end >= len(self.lengths):
            return a, b
        lo, hi = np.searchsorted(self.term_docs(term, a, b), [first, end]).tolist()
        return a + lo, a + hi

    def term_docs(self, term: int, start: int, end: int) -> np.ndarray:
        """The documents of the term's postings [start, end) (indexes among all the
        field's postings)."""
        return self.term_postings(term, start, end)[0]

    def term_tfs(self, term: int, start: int, end: int) -> np.ndarray:
        """The term frequencies of the term's postings [start, end)."""
        return self.term_postings(term, start, end)[1]

    def term_postings(self, term: int, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """`term_docs` and `term_tfs` at once: a term with few postings is not kept
        decoded, and asking for each apart decoded it twice."""
        first = int(self.starts[term])
        docs, tfs = self._term_postings(term)
        return docs[start - first : end - first], tfs[start - first : end - first]

    def _term_postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """The term's documents (decoded from its first posting on) and frequencies."""
        # The store may be shared by every field of an opened index's files, all living
        # as long as it: a field's id() names it there.
        key = (id(self), "postings", term)
        found = self._decoded.get(key)
        if found is None:
            a, b = self.starts[term : term + 2].tolist()
            found = np.cumsum(self.docs.slice(a, b)), self.tfs.slice(a, b) + 1
            if b - a >= DECODED_MIN_POSTINGS:
                self._decoded.put(key, (found[0].astype(np.int32), found[1].astype(np.int32)))
        return found[0], found[1]

    def positions_of(self, term: int, postings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of some of a term's postings (indexes among the field's
        postings, ascending): how many each has, and all of them one posting after
        another."""
        among = postings - int(self.starts[term])
        firsts = self._position_starts(term)[among]
        counts = self._term_postings(term)[1][among].astype(np.int64)
        gaps = self.positions.take(range_indexes(firsts, counts))
        return counts, undo_gaps(counts, gaps)

    def all_docs(self) -> np.ndarray:
        """Every posting's document, term after term (joining reads the whole field)."""
        return _undo_all_gaps(self.docs, self.starts.astype(np.int64))

    def all_tfs(self) -> np.ndarray:
        return self.tfs.all() + 1

    def all_positions(self) -> np.ndarray:
        return _undo_all_gaps(self.positions, _starts(self.all_tfs()))

    def _position_starts(self, term: int) -> np.ndarray:
        """Where each of the term's postings' positions begin (its tfs summed), kept
        beside its decoded postings for the terms phrases asked for last."""
        key = (id(self), "positions", term)
        found = self._decoded.get(key)
        if found is None:
            a, b = self.starts[term : term + 2].tolist()
            found = (int(self.pos_starts[term]) + _starts(self.term_tfs(term, a, b)),)
            if b - a >= DECODED_MIN_POSTINGS:
                self._decoded.put(key, found)
        return found[0]


class DecodedPostings:
    """Arrays decoded from postings files (a term's documents and frequencies, where its
    positions begin), by key; the least recently asked for dropped past `capacity`
    bytes. One store serves every file of an opened index, so that what it holds does
    not grow with the number of files."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held = 0
        self._arrays: OrderedDict[Hashable, tuple[np.ndarray, ...]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[np.ndarray, ...] | None:
        found = self._arrays.get(key)
        if found is not None:
            self._arrays.move_to_end(key)
        return found

    def put(self, key: Hashable, arrays: tuple[np.ndarray, ...]) -> None:
        for values in arrays:
            values.flags.writeable = False  # shared by the queries that read it
        self._arrays[key] = arrays
        self.held += sum(a.nbytes for a in arrays)
        while self.held > self.capacity and len(self._arrays) > 1:
            _, dropped = self._arrays.popitem(last=False)
            self.held -= sum(a.nbytes for a in dropped)


_NOT_STORED_AS_IS = ("docs", "tfs", "positions", "words")
_STORED_PARTS = [
    name
    for name in FieldPostings.__dataclass_fields__
    if not name.startswith("_") and name not in _NOT_STORED_AS_IS
]


def postings_of(
    arrays: dict[str, np.ndarray], decoded: DecodedPostings | None = None
) -> dict[str, FieldPostings]:
    """The fields' postings among the arrays of one postings file, keeping what they
    decode in `decoded` (an opened index's, shared by its files) or a store of their own."""
    kept = DecodedPostings(DECODED_BYTES) if decoded is None else decoded
    return {name: field_postings(arrays, name, kept) for name in FIELDS}


def field_postings(
    arrays: dict[str, np.ndarray], name: str, decoded: DecodedPostings | None = None
) -> FieldPostings:
    """The field `name` among the arrays of one postings file."""
    stored = {part: arrays[f"{name}.{part}"] for part in _STORED_PARTS}
    counts = {
        "docs": int(stored["starts"][-1]),
        "tfs": int(stored["starts"][-1]),
        "positions": int(stored["pos_starts"][-1]),
    }
    packed = {
        part: Packed(arrays[f"{name}.{part}.widths"], arrays[f"{name}.{part}.bits"], count)
        for part, count in counts.items()
    }
    words = WordList(arrays[f"{name}.words.utf8"], arrays[f"{name}.words.starts"])
    shared = {} if decoded is None else {"_decoded": decoded}
    return FieldPostings(**stored, **packed, words=words, **shared)


@dataclass(frozen=True)
class PostingsRange:
    """The articles [first, end) of one postings file: one or more of its segments."""

    path: Path
    first: int
    end: int
    segments: int = 1


class _Slice:
    """One field's postings in a range [first, end) of a file, documents numbered from
    the range's first (what `merge_postings` joins): each part decoded when first read,
    so that each pass of the join decodes only what it uses."""

    def __init__(self, arrays: dict[str, np.ndarray], name: str, first: int, end: int):
        self.field = field_postings(arrays, name)
        self.first, self.end = first, end
        self.whole = first == 0 and end == len(self.field.lengths)
        self.totals = self.field.totals[segments_within(arrays[SEGMENT_ENDS], first, end)]
        self.lengths = self.field.lengths[first:end]

    @cached_property
    def _all_counts(self) -> np.ndarray:
        return np.diff(self.field.starts.astype(np.int64))

    @cached_property
    def _keep(self) -> np.ndarray:
        """Which of the file's postings are in the range."""
        docs = self.field.all_docs()
        return (docs >= self.first) & (docs < self.end)

    @cached_property
    def _kept(self) -> np.ndarray:
        """How many postings of each of the file's terms are in the range."""
        counts = self._all_counts
        term_of = np.repeat(np.arange(len(counts)), counts)
        return np.bincount(term_of[self._keep], minlength=len(counts))

    @property
    def keys(self) -> np.ndarray:
        return self.field.keys if self.whole else self.field.keys[self._kept > 0]

    @property
    def counts(self) -> np.ndarray:
        return self._all_counts if self.whole else self._kept[self._kept > 0]

    @property
    def docs(self) -> np.ndarray:
        docs = self.field.all_docs()
        return docs if self.whole else docs[self._keep] - self.first

    @property
    def tfs(self) -> np.ndarray:
        tfs = self.field.all_tfs()
        return tfs if self.whole else tfs[self._keep]

    @property
    def position_gaps(self) -> np.ndarray:
        """The positions as stored (`position_gaps`): they restart at each posting, so a
        joined file keeps them as they are, whatever the posting's new place."""
        gaps = self.field.positions.all()
        if self.whole:
            return gaps
        tfs = self.field.all_tfs().astype(np.int64)
        return gaps[range_indexes(_starts(tfs)[:-1][self._keep], tfs[self._keep])]

    @property
    def words(self) -> WordList:
        if self.whole:
            return self.field.words
        held = set(self.keys.tolist())
        return WordList.of_distinct(w for w in self.field.words.tolist() if term_key(w) in held)


def segments_within(ends: np.ndarray, first: int, end: int) -> np.ndarray:
    """Which of a file's segments (given where each ends) lie in [first, end): a mask
    (an empty segment on a bound counts in both ranges; its totals are nothing).

    >>> segments_within(np.array([2, 2, 5]), 0, 2).tolist()
    [True, True, False]
    """
    firsts = np.concatenate(([0], ends[:-1]))
    return (firsts >= first) & (ends <= end)


# The parts of a joined file, in the order written: each field's postings, then the
# articles' values and texts. Each part is made alone (`merge_part`), so a large join
# can make them in several processes at once.
JOIN_PARTS = (*FIELDS, "articles")


def merge_postings(ranges: list[PostingsRange]) -> Iterator[tuple[str, np.ndarray]]:
    """One set of arrays for consecutive ranges of postings files (consecutive segments):
    documents renumbered as a reader sees them (each range's after the one before), each
    term's postings joined in order.

    The arrays come one at a time, for `write_arrays` to write as they come: memory holds
    one field's postings at most (not the whole result), the files are read one at a
    time, and each range's postings are copied straight to their place.
    """
    for part in JOIN_PARTS:
        yield from merge_part(ranges, part)


def merge_part(ranges: list[PostingsRange], part: str) -> Iterator[tuple[str, np.ndarray]]:
    """The arrays of one of the `JOIN_PARTS` of `merge_postings(ranges)`."""
    offsets = np.cumsum([0] + [r.end - r.first for r in ranges]).tolist()
    if part == "articles":
        yield from _merge_articles(ranges, offsets)
    else:
        yield from _merge_field(ranges, offsets, part)


def _merge_field(
    ranges: list[PostingsRange], offsets: list[int], name: str
) -> Iterator[tuple[str, np.ndarray]]:
    def sliced() -> Iterator[_Slice]:
        for r in ranges:
            yield _Slice(read_arrays(r.path), name, r.first, r.end)

    per_range = [(s.keys.copy(), s.counts.copy()) for s in sliced()]
    keys = np.unique(np.concatenate([k for k, _ in per_range]))
    total = np.zeros(len(keys), np.int64)
    firsts = []  # per range: its terms' numbers in the result, and posting counts
    for part_keys, counts in per_range:
        terms = np.searchsorted(keys, part_keys)
        total[terms] += counts
        firsts.append((terms, counts))
    del per_range
    starts = _starts(total)
    yield f"{name}.keys", keys
    yield f"{name}.starts", compact(starts)
    filled = starts[:-1].copy()
    # 32 bits: a group's documents, tfs and positions fit, in half the memory.
    docs = np.empty(int(starts[-1]), np.int32)
    tfs = np.empty(int(starts[-1]), np.int32)
    placed = []  # per range: where its terms' postings begin in the result
    for (terms, counts), offset, part in zip(firsts, offsets[:-1], sliced(), strict=True):
        first = filled[terms]
        placed.append(first)
        place = range_indexes(first, counts)
        filled[terms] += counts
        docs[place] = part.docs.astype(np.int64) + offset
        tfs[place] = part.tfs
    yield from packed_arrays(f"{name}.docs", doc_gaps(starts, docs)).items()
    del docs
    tfs -= 1  # stored less one, without a copy
    yield from packed_arrays(f"{name}.tfs", tfs).items()
    tfs += 1
    # Where each posting's positions begin, in 32 bits while they fit (a group's are
    # tens of millions): with the positions, the largest arrays a join holds.
    wide = tfs.sum(dtype=np.int64) >= 1 << 32
    pos_starts = np.zeros(len(tfs) + 1, np.int64 if wide else np.uint32)
    np.cumsum(tfs if wide else tfs.view(np.uint32), dtype=pos_starts.dtype, out=pos_starts[1:])
    del tfs
    yield f"{name}.pos_starts", compact(pos_starts[starts])
    gaps = np.empty(int(pos_starts[-1]), np.uint32)
    for (_, counts), first, part in zip(firsts, placed, sliced(), strict=True):
        place = range_indexes(first, counts)
        part_tfs = part.tfs.astype(np.int64)
        gaps[range_indexes(pos_starts[place], part_tfs)] = part.position_gaps
    del pos_starts, firsts, placed, filled  # before the word lists are united
    yield from packed_arrays(f"{name}.positions", gaps).items()
    del gaps
    lengths, totals = [], []

    def words() -> Iterator[WordList]:
        """Each range's words, its lengths and totals kept."""
        for part in sliced():
            lengths.append(np.array(part.lengths))
            totals.append(np.array(part.totals))
            yield part.words

    words_arrays = WordList.union(words()).arrays(f"{name}.words")
    yield f"{name}.lengths", np.concatenate(lengths)
    yield from words_arrays.items()
    yield f"{name}.totals", np.concatenate(totals)


def _merge_articles(
    ranges: list[PostingsRange], offsets: list[int]
) -> Iterator[tuple[str, np.ndarray]]:
    ends = []
    for r, offset in zip(ranges, offsets, strict=False):
        own = read_arrays(r.path)[SEGMENT_ENDS]
        ends.append(own[segments_within(own, r.first, r.end)] - r.first + offset)
    yield SEGMENT_ENDS, np.concatenate(ends).astype(np.int64)
    joined = join_doc_values(
        slice_doc_values(read_doc_values(read_arrays(r.path)), r.first, r.end) for r in ranges
    )
    yield from doc_values_arrays(joined).items()
    yield from joined_texts([(r.path, r.first, r.end) for r in ranges])
