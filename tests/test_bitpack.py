"""Postings packed and read back: the bit-packing codec on any integers, and a field's
documents, term frequencies and positions through delta-encoding and packing, at the
edges (nothing, one posting, block boundaries, the largest values)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arshif.indexer.storage import postings
from arshif.indexer.storage.bitpack import BLOCK, MAX_WIDTH, Packed, pack
from arshif.indexer.storage.collect import FieldOccurrences
from arshif.indexer.storage.postings import field_arrays, field_postings
from arshif.indexer.storage.wordlist import WORD_BYTES, WordList, term_key

TOP = (1 << MAX_WIDTH) - 1
EDGE_SIZES = [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 2 * BLOCK + 1]
# A file holds 65,536 articles at most; the collector keeps positions as C ints.
LAST_DOC = (1 << 16) - 1
LAST_POSITION = (1 << 31) - 1


def packed(values: list[int]) -> Packed:
    widths, bits = pack(np.array(values, np.int64))
    return Packed(widths, bits, len(values))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, TOP) | st.integers(0, 3), max_size=3 * BLOCK + 5),
    st.data(),
)
def test_packed_values_read_back_whole_by_index_and_by_slice(values, data):
    stored = packed(values)
    assert stored.all(np.int64).tolist() == values
    if values:
        at = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=20))
        assert stored.take(np.array(at, np.int64)).tolist() == [values[i] for i in at]
    start = data.draw(st.integers(0, len(values)))
    end = data.draw(st.integers(start, len(values)))
    assert stored.slice(start, end).tolist() == values[start:end]


@pytest.mark.parametrize("size", EDGE_SIZES)
@pytest.mark.parametrize("value", [0, 1, TOP])
def test_block_edges_and_largest_values(size, value):
    values = [value] * size
    assert packed(values).all(np.int64).tolist() == values


def test_values_out_of_range_are_refused():
    with pytest.raises(ValueError):
        pack(np.array([TOP + 1]))
    with pytest.raises(ValueError):
        pack(np.array([-1]))


# One document: its terms, each with its positions (sorted, distinct, at least one).
DOCUMENT = st.dictionaries(
    st.sampled_from(["كتاب", "قلم", "b", "a"]),
    st.sets(st.integers(0, LAST_POSITION) | st.integers(0, 40), min_size=1, max_size=6).map(sorted),
    max_size=4,
)


def written(documents: dict[int, dict[str, list[int]]]):
    terms = sorted({term for found in documents.values() for term in found})
    number = {term: n for n, term in enumerate(terms)}
    rows = [
        (number[term], docnum, position)
        for docnum in sorted(documents)
        for term, positions in documents[docnum].items()
        for position in positions
    ]
    columns = [np.array(column, np.int64) for column in zip(*rows, strict=True)] if rows else []
    found = FieldOccurrences(*(columns or [np.zeros(0, np.int64)] * 3))
    keys = np.array([term_key(term) for term in terms], np.uint64)
    words = [term.encode("utf-8") for term in terms]
    return field_postings(field_arrays("text", words, keys, found, LAST_DOC + 1), "text")


def assert_read_back(documents: dict[int, dict[str, list[int]]]) -> None:
    field = written(documents)
    terms = {term for found in documents.values() for term in found}
    for term in terms:
        expected = [(d, documents[d][term]) for d in sorted(documents) if term in documents[d]]
        (at,) = field.find(np.array([term_key(term)], np.uint64)).tolist()
        start, end = field.postings_between(at, 0, LAST_DOC + 1)
        assert field.term_docs(at, start, end).tolist() == [d for d, _ in expected]
        assert field.term_tfs(at, start, end).tolist() == [len(p) for _, p in expected]
        counts, flat = field.positions_of(at, np.arange(start, end))
        assert counts.tolist() == [len(p) for _, p in expected]
        assert flat.tolist() == [x for _, p in expected for x in p]
        half = len(expected) // 2
        if expected:  # any postings alone: their positions without the others'
            some = np.arange(start + half, end)
            assert field.positions_of(at, some)[1].tolist() == [
                x for _, p in expected[half:] for x in p
            ]
    # The whole field, as joining reads it: every term's postings one after another.
    spans = list(pairwise(field.starts.tolist()))
    assert field.all_docs().tolist() == [
        d for t, (a, b) in enumerate(spans) for d in field.term_docs(t, a, b).tolist()
    ]
    assert field.all_tfs().tolist() == [
        f for t, (a, b) in enumerate(spans) for f in field.term_tfs(t, a, b).tolist()
    ]
    assert field.all_positions().tolist() == [
        x for t, (a, b) in enumerate(spans) for x in field.positions_of(t, np.arange(a, b))[1]
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.integers(0, LAST_DOC) | st.integers(0, 3 * BLOCK), DOCUMENT, max_size=3 * BLOCK
    )
)
def test_postings_read_back(documents):
    assert_read_back(documents)


@pytest.mark.parametrize("size", EDGE_SIZES)
def test_one_term_across_block_edges(size):
    documents = {LAST_DOC - n: {"كتاب": [n, LAST_POSITION]} for n in range(size)}
    assert_read_back(documents)


# Words as UTF-8 (no NUL: numpy's byte strings drop trailing ones), some too long to keep.
LETTER = st.characters(min_codepoint=1, exclude_categories=["Cs"])
WORD = st.text(LETTER, max_size=WORD_BYTES // 2 + 2).map(str.encode)


@settings(max_examples=100, deadline=None)
@given(st.lists(WORD), WORD)
def test_word_list_searches_as_fixed_width_words_did(words, word):
    listed = WordList.of(words)
    fixed = np.unique(np.array([w for w in words if len(w) <= WORD_BYTES], f"S{WORD_BYTES}"))
    assert listed.tolist() == fixed.tolist()
    for side in ("left", "right"):
        bound = np.array(word[:WORD_BYTES], f"S{WORD_BYTES}")
        assert listed.bisect(word, side) == int(np.searchsorted(fixed, bound, side=side))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(WORD, max_size=12), max_size=40))
def test_word_lists_united_are_the_list_of_all_their_words(lists):
    """Joining files unites their word lists (`WordList.union`), in batches of lists."""
    united = WordList.union([WordList.of(words) for words in lists])
    assert united.tolist() == WordList.of(w for words in lists for w in words).tolist()
    assert united.starts.dtype == np.uint32


@pytest.mark.parametrize("width", range(1, MAX_WIDTH + 1))
def test_packed_bits_are_the_values_least_significant_bit_first(width):
    """The layout on disk, bit by bit: a block's values one after another, each `width`
    bits, least significant first."""
    values = np.random.default_rng(width).integers(0, 1 << width, BLOCK)
    values[0] = (1 << width) - 1  # the block is exactly `width` wide
    widths, bits = pack(values)
    stream = "".join(format(int(v), f"0{width}b")[::-1] for v in values)
    expected = np.packbits(np.array(list(stream), np.uint8), bitorder="little")
    assert widths.tolist() == [width]
    assert bits[: BLOCK * width // 8].tolist() == expected.tolist()


def test_whole_field_read_in_small_chunks(monkeypatch):
    monkeypatch.setattr(postings, "_UNDO_CHUNK", 3)
    documents = {
        n * 7: {"كتاب": list(range(n % 5 + 1)), "قلم": [n], "a": [LAST_POSITION]}
        for n in range(2 * BLOCK + 3)
    }
    assert_read_back(documents)
