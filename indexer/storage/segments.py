"""Building index segments in worker processes, so indexing uses every core.

Each task analyzes one batch of articles and writes it as a complete, independent Whoosh
segment; the parent process adds finished segments to the index at commit time (as
Whoosh's own multi-segment writer does), after checking each holds every article sent.

The searched fields' postings are written as arrays (`indexer.storage.postings`), from one
analysis of each article's text; Whoosh stores those fields but does not index them.

Unlike `writer(procs=N)`, nothing here can lose an article silently: a failing or killed
worker raises in the parent, and then nothing is committed.

Whoosh's segment writer zlib-compresses every posting block and copies each segment into
one compound file: not worth the CPU for this index's size, both are turned off.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec.base import Segment
from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import Index, open_dir
from whoosh.writing import SegmentWriter

from arshif.indexer.analysis.analyzer import analyze_word
from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.stem import stems
from arshif.indexer.article import Article
from arshif.indexer.storage.collect import forget_words
from arshif.indexer.storage.postings import PostingsBuilder, postings_path
from arshif.indexer.storage.schema import article_fields, whoosh_fields

# Articles per segment: a worker holds a batch's postings in memory, so this bounds its
# memory; the postings arrays of small segments are joined after each run
# (`indexer.storage.postings_groups`), so queries do not pay for their number.
SEGMENT_ARTICLES = 500
POOL_LIMIT_MB = 512
# Words an indexing worker keeps analyzed between segments, as word and term numbers
# (`collect.Vocabulary`, ~0.3 KB each); and entries it lets the analyzer's caches hold
# (~0.5 KB each), which the vocabulary does not use (it analyzes a word once anyway)
# but shingling a word with marks does (`duplicates.shingle_words`).
WORKER_VOCABULARY = 200_000
WORKER_WORD_CACHE = 30_000


class SegmentBuilder(SegmentWriter):
    """A lock-free segment writer for one batch; its segment is committed by the parent."""

    def __init__(self, ix: Index) -> None:
        super().__init__(
            ix, _lk=False, codec=W3Codec(compression=0), limitmb=POOL_LIMIT_MB, compound=False
        )
        self.arrays = PostingsBuilder()
        self.schema = self.arrays.unindexed_schema(self.schema)

    def add_document(self, **fields: Any) -> None:
        self.arrays.add(fields)
        super().add_document(**whoosh_fields(fields, self.schema))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        # Whoosh's own flush reads each posting's field length back from disk; the
        # fields it still indexes here (ids, paths, dates, outlets) are not scored, so
        # their lengths are all 0 and none are passed.
        self.fieldwriter.add_postings(self.schema, None, self.pool.iter_postings())
        self.fieldwriter.close()
        self.arrays.write(postings_path(self.storage.folder, self.get_segment()))

    def finish(self) -> Segment:
        """Write the segment's files and return it, ready for the parent's commit."""
        return self._finalize_segment()


_open_indexes: dict[str, Index] = {}


def build_segment(index_dir: str, articles: list[Article]) -> tuple[Segment, int]:
    """Analyze and write `articles` as one segment; return it with its document count."""
    ix = _open_indexes.get(index_dir)
    if ix is None:
        ix = _open_indexes[index_dir] = open_dir(index_dir)
    builder = SegmentBuilder(ix)
    try:
        for article in articles:
            builder.add_document(**article_fields(article))
        return builder.finish(), builder.doc_count()
    except BaseException:
        builder.cancel()
        raise
    finally:
        _bound_word_caches()


def _bound_word_caches() -> None:
    """Forget the words analyzed so far once they are many: a worker lives for the whole
    run, and the caches (sized for searching) would grow with the archive's vocabulary."""
    forget_words(WORKER_VOCABULARY)
    caches = (analyze_word, normalize, stems)
    if any(cached.cache_info().currsize > WORKER_WORD_CACHE for cached in caches):
        for cached in caches:
            cached.cache_clear()
