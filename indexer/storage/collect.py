"""A segment's postings in the three searched fields, gathered in bulk with numpy.

Building each article's `{term: positions}` in Python, token by token and field by
field, was the largest part of a worker's time. Here an article costs a list of word
numbers: each distinct surface word is analyzed once per worker (`Vocabulary`: its
exact form and its stems, as term numbers), and a segment's postings are sorted out of
all its articles' word numbers at once when it is written (`SegmentPostings.fields`).

The result is what `ArabicAnalyzer(stemming=True).positions` gives for each article's
text (`text`) and headline (`title`), and `ArabicAnalyzer(stemming=False).positions`
for its text (`exact`): positions count the words that have terms, the headline's terms
are the text's first ones (the text begins with the headline), and a word's exact form
stands where its stems do.

Near-duplicate signatures are made the same way: each word's shingle words are kept as
terms when it is learned (their hashes are their keys as terms, computed once for
both), and a segment's signatures are computed together (`SegmentPostings.signatures`,
`duplicates.signatures`); hashing each article's shingles as strings was a fifth of a
worker's time.
"""

from __future__ import annotations

from array import array
from typing import NamedTuple

import numpy as np

from arshif.indexer.analysis.analyzer import analyze_new_word
from arshif.indexer.analysis.tokenize import word_list, words_may_touch
from arshif.indexer.duplicates import (
    SIGNATURE_BYTES,
    signature,
    signatures,
    word_shingle_words,
)
from arshif.indexer.storage.wordlist import term_key


class Vocabulary(dict[str, int]):
    """Surface words → word numbers, each word analyzed once, when first looked up
    (`__missing__`: a text's words are numbered in one C loop, new ones included);
    terms (exact forms and stems alike) → term numbers. The map is the vocabulary
    itself: a map of its own calling back into the vocabulary was a reference cycle,
    which kept each vocabulary a worker forgot alive until the cycle collector came by
    (~46 MB each, several times while indexing the ×10 archive)."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: dict[str, int] = {}
        self.term_bytes: list[bytes] = []  # each term in UTF-8, as word lists keep it
        self.keys = array("Q")  # per term: its key (`term_key`), computed when asked for
        self.exact = array("i")  # per word: its exact form's term, -1 for no terms
        self.stem_first = array("i")  # per word: where its stems begin in `stems`
        self.stem_count = array("i")  # per word: how many stems it has (0: no terms)
        self.stems = array("i")
        # per word: its shingle words (`duplicates.shingle_words`), as terms
        self.shingle_first = array("i")
        self.shingle_count = array("i")
        self.shingle_terms = array("i")
        self.splits = bytearray()  # per word: 1 if it is more than one shingle word (3.5)

    def numbers_of(self, words: list[str]) -> list[int]:
        """The numbers of `words`, learning the new ones."""
        return list(map(self.__getitem__, words))

    def __missing__(self, word: str) -> int:
        """Analyze a new word; its number."""
        analysis = analyze_new_word(word)
        number = self[word] = len(self.exact)
        pieces = word_shingle_words(word, analysis.normalized)
        self.shingle_first.append(len(self.shingle_terms))
        self.shingle_count.append(len(pieces))
        self.shingle_terms.extend(map(self.term, pieces))
        self.splits.append(len(pieces) > 1)
        self.stem_first.append(len(self.stems))
        self.stem_count.append(len(analysis.terms))
        if not analysis.terms:
            self.exact.append(-1)
            return number
        self.exact.append(self.term(analysis.normalized))
        self.stems.extend(map(self.term, analysis.terms))
        return number

    def term(self, text: str) -> int:
        number = self.terms.get(text)
        if number is None:
            number = self.terms[text] = len(self.term_bytes)
            self.term_bytes.append(text.encode("utf-8"))
        return number

    def term_keys(self) -> np.ndarray:
        """The keys (`term_key`) of all the terms, each computed once."""
        known = self.keys
        if len(known) < len(self.term_bytes):
            known.extend(map(term_key, self.term_bytes[len(known) :]))
        return np.frombuffer(known, np.uint64)


_shared = Vocabulary()


def shared_vocabulary() -> Vocabulary:
    """The vocabulary of this process: a worker's words, kept from segment to segment."""
    return _shared


def forget_words(limit: int) -> None:
    """Forget the shared vocabulary once it holds more than `limit` words: a worker lives
    for the whole run, and it would grow with the archive's."""
    global _shared
    if len(_shared) > limit:
        _shared = Vocabulary()


class FieldOccurrences(NamedTuple):
    """Every occurrence of a field's terms in a segment, by document then position:
    term numbers (the vocabulary's), document numbers and word positions."""

    terms: np.ndarray
    docs: np.ndarray
    positions: np.ndarray


class SegmentPostings:
    """The words of a segment's articles, in document order, as word numbers."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._words = array("i")
        self._word_counts = array("q")
        self._title_words = array("q")
        self._signed_alone: dict[int, bytes] = {}  # documents whose words are not their shingles'

    def add(self, title: str, text: str) -> None:
        """The next document: `text` begins with `title` (`Article.text`)."""
        vocabulary = self.vocabulary
        found = vocabulary.numbers_of(word_list(text))
        self._words.extend(found)
        self._word_counts.append(len(found))
        self._title_words.append(len(word_list(title)) if title else 0)
        # A text's shingle words are its words', one word after another, unless a word
        # made of several (3.5) touches the next (3.5م: the shingle words are 3 and 5م).
        if any(map(vocabulary.splits.__getitem__, found)) and words_may_touch(text):
            self._signed_alone[len(self._word_counts) - 1] = signature(text)

    def signatures(self) -> np.ndarray:
        """Each document's near-duplicate signature (`duplicates.signature(text)`), from
        the words analyzed: rows of `SIGNATURE_BYTES`, zeros for none."""
        vocabulary = self.vocabulary
        words = np.frombuffer(self._words, np.int32)
        counts = np.frombuffer(self._word_counts, np.int64)
        shingle_count = np.frombuffer(vocabulary.shingle_count, np.int32)[words]
        shingle_first = np.frombuffer(vocabulary.shingle_first, np.int32)[words].astype(np.int64)
        at = np.repeat(shingle_first - _firsts(shingle_count), shingle_count)
        terms = np.frombuffer(vocabulary.shingle_terms, np.int32)[at + np.arange(len(at))]
        hashes = vocabulary.term_keys()[terms]
        docs = np.repeat(np.repeat(np.arange(len(counts)), counts), shingle_count)
        rows = signatures(hashes, docs, len(counts))
        for doc, alone in self._signed_alone.items():
            rows[doc] = np.frombuffer(alone or bytes(SIGNATURE_BYTES), np.uint8)
        return rows

    def fields(self) -> dict[str, FieldOccurrences]:
        """Each searched field's occurrences (`text`, `title`, `exact`)."""
        vocabulary = self.vocabulary
        words = np.frombuffer(self._words, np.int32)
        counts = np.frombuffer(self._word_counts, np.int64)
        doc_of = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        number_in_doc = np.arange(len(words), dtype=np.int64) - np.repeat(_firsts(counts), counts)
        exact = np.frombuffer(vocabulary.exact, np.int32)[words]
        kept = exact >= 0  # words that have terms: the positions count only these
        before = np.concatenate(([0], np.cumsum(kept, dtype=np.int64)))
        pos = (before[1:] - 1 - before[_firsts(counts)][doc_of])[kept]
        docs = doc_of[kept]
        in_title = (number_in_doc < np.frombuffer(self._title_words, np.int64)[doc_of])[kept]
        kept_words = words[kept]
        stem_count = np.frombuffer(vocabulary.stem_count, np.int32)[kept_words].astype(np.int64)
        stem_first = np.frombuffer(vocabulary.stem_first, np.int32)[kept_words].astype(np.int64)
        # Each word's stems, one word after another: stem_first[w], stem_first[w] + 1, …
        stem_at = np.repeat(stem_first - _firsts(stem_count), stem_count)
        stem_terms = np.frombuffer(vocabulary.stems, np.int32)[stem_at + np.arange(len(stem_at))]
        stem_docs, stem_pos = np.repeat(docs, stem_count), np.repeat(pos, stem_count)
        titled = np.repeat(in_title, stem_count)
        return {
            "text": FieldOccurrences(stem_terms, stem_docs, stem_pos),
            "title": FieldOccurrences(stem_terms[titled], stem_docs[titled], stem_pos[titled]),
            "exact": FieldOccurrences(exact[kept], docs, pos),
        }

    @property
    def count(self) -> int:
        return len(self._word_counts)


def _firsts(counts: np.ndarray) -> np.ndarray:
    """Where each run of `counts` begins."""
    return np.cumsum(counts, dtype=np.int64) - counts
