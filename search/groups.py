"""Copies of one story, as recorded at index time in the index folder's `groups.json`.

Reading the file is all searching does: results show the first-ranked copy of a story
with "+N similar", and the others are hidden from the ranking.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh.searching import Searcher

from arshif.indexer.duplicates import read_docnums, read_groups


class Groups:
    """Article id → the ids of its story's copies (leader first)."""

    def __init__(self, index_dir: Path, generation: int | None = None) -> None:
        self._members: dict[str, list[str]] = {}
        groups = read_groups(index_dir)
        for ids in groups:
            for doc_id in ids:
                self._members[doc_id] = ids
        self._docnum_leader: dict[int, str] | None = None
        self._story_numbers: np.ndarray | None = None
        recorded = read_docnums(index_dir, generation) if generation is not None else None
        if recorded is not None and len(recorded) == len(groups):
            self._docnum_leader = {
                docnum: ids[0]
                for ids, docnums in zip(groups, recorded, strict=True)
                for docnum in docnums
            }

    def __bool__(self) -> bool:
        return bool(self._members)

    def __len__(self) -> int:
        return len({ids[0] for ids in self._members.values()})

    def leader(self, doc_id: str) -> str:
        ids = self._members.get(doc_id)
        return ids[0] if ids else doc_id

    def copies(self, doc_id: str) -> list[str]:
        """The other articles of `doc_id`'s story, earliest first."""
        return [i for i in self._members.get(doc_id, ()) if i != doc_id]

    def docnum_leaders(self, searcher: Searcher) -> dict[int, str]:
        """Document number → leader id, for the grouped articles present in the index.

        Read from groups.json when it was written for this index generation; looked up
        id by id otherwise (seconds on an index of many segments).
        """
        if self._docnum_leader is None:
            reader = searcher.reader()
            found: dict[int, str] = {}
            for doc_id, ids in self._members.items():
                if not reader.doc_frequency("id", doc_id):
                    continue  # groups.json may predate a deletion
                for docnum in reader.postings("id", doc_id).all_ids():
                    if not reader.is_deleted(docnum):
                        found[docnum] = ids[0]
            self._docnum_leader = found
        return self._docnum_leader

    def story_numbers(self, searcher: Searcher) -> np.ndarray:
        """Per document number, its story's number; -1 for an article without copies."""
        if self._story_numbers is None:
            numbers = np.full(searcher.doc_count_all(), -1, np.int64)
            stories: dict[str, int] = {}
            for docnum, leader in self.docnum_leaders(searcher).items():
                numbers[docnum] = stories.setdefault(leader, len(stories))
            self._story_numbers = numbers
        return self._story_numbers

    def count_stories(self, docnums: np.ndarray, searcher: Searcher) -> int:
        """How many stories `docnums` hold once copies count as one."""
        if not self._members:
            return len(docnums)
        numbers = self.story_numbers(searcher)[docnums]
        grouped = numbers[numbers >= 0]
        # Counted over the story numbers, not sorted (np.unique): a common word's
        # matches on the ×10 archive are a hundred thousand articles.
        return len(docnums) - len(grouped) + int(np.count_nonzero(np.bincount(grouped)))
