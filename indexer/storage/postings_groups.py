"""Postings arrays of consecutive segments joined into one file per group.

Workers write segments of 500 articles, and every query word costs a binary search and a
slice per segment and field: 87 segments for 43,000 articles would make that most of a
query's time. After each indexing run, consecutive segments are joined, at most
`GROUP_ARTICLES` articles to a group, into `postings-<id>.arr` files listed with the
segments they cover in `postings.json`; a group holding half that many or more is left
as it is, and later segments are grouped after it. A reader uses a group only while
exactly those segments stand in that order; otherwise it reads the segments' own files,
so a run killed half-way, or a merge of segments, never leaves a wrong answer, only a
slower one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment

from arshif.indexer.duplicates import ArticleRow
from arshif.indexer.storage import stops
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.docvalues import read_doc_values, read_hit_texts, signature_of
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.postings import SUFFIX, merge_postings, postings_path

# A query pays a binary search and a slice per group, field and word: one group for
# 43,000 articles answers short queries ~15% faster than five. Joining holds one field's
# postings in memory (its peak: ~270 MB for 43,450 news articles in one group, ~4 s);
# the last group is joined again after each run that adds articles until it is kept.
GROUP_ARTICLES = 50_000
MANIFEST_FILE = "postings.json"


def reader_segments(reader: Any) -> list[tuple[Segment, int]]:
    """The segments a Whoosh reader reads, in order, each with its first document number
    (none for an empty index)."""
    return [
        (segment, offset)
        for sub, offset in reader.leaf_readers()
        if (segment := sub.segment()) is not None
    ]


def plan_groups(
    segments: list[Segment], kept: Iterable[tuple[str, ...]] = ()
) -> list[list[Segment]]:
    """Consecutive segments, greedily, `GROUP_ARTICLES` articles at most per group; the
    groups in `kept` (segment ids) stay as they are wherever their segments still stand
    in that order."""
    kept_from = {ids[0]: ids for ids in kept if ids}
    ids = [s.segment_id() for s in segments]
    groups: list[list[Segment]] = []
    size = 0
    at = 0
    while at < len(segments):
        whole = kept_from.get(ids[at], ())
        if whole and tuple(ids[at : at + len(whole)]) == whole:
            groups.append(segments[at : at + len(whole)])
            groups.append([])  # what follows starts a group of its own
            size = 0
            at += len(whole)
            continue
        count = segments[at].doc_count_all()
        if not groups or size + count > GROUP_ARTICLES:
            groups.append([])
            size = 0
        groups[-1].append(segments[at])
        size += count
        at += 1
    return [group for group in groups if group]


def _recorded(folder: Path) -> dict[tuple[str, ...], str]:
    manifest = read_json(folder / MANIFEST_FILE, [])
    if not isinstance(manifest, list):
        return {}
    return {
        tuple(entry["segments"]): entry["file"]
        for entry in manifest
        if isinstance(entry, dict) and "segments" in entry and "file" in entry
    }


def join_segments(folder: Path, segments: list[Segment]) -> None:
    """Write the group files `segments` (a reader's, in order) need; drop stale ones."""
    recorded = _recorded(folder)
    # A group of half the largest size or more is left alone: articles added later go
    # to groups of their own, so a run adding a few articles does not join tens of
    # thousands again (a group of more than one file is read in a few more steps).
    counts = {s.segment_id(): s.doc_count_all() for s in segments}
    kept = [
        ids
        for ids, name in recorded.items()
        if (folder / name).exists()
        and all(i in counts for i in ids)
        and sum(counts[i] for i in ids) >= GROUP_ARTICLES // 2
    ]
    manifest = []
    for group in plan_groups(segments, kept):
        if len(group) < 2:
            continue
        ids = tuple(s.segment_id() for s in group)
        name = recorded.get(ids)
        if name is None or not (folder / name).exists():
            name = f"postings-{hashlib.sha1(' '.join(ids).encode()).hexdigest()[:16]}{SUFFIX}"
            paths = [postings_path(folder, s) for s in group]
            write_arrays(folder / name, merge_postings(paths))
            stops.reached("join")
        manifest.append({"file": name, "segments": list(ids)})
    write_json(folder / MANIFEST_FILE, manifest)
    # Stale groups stay until the run ends (`indexer.storage.journal`): a run failing
    # after this point puts the previous `postings.json` back, and needs them.


def recorded_files(folder: Path) -> list[str]:
    """The group files `postings.json` lists."""
    return sorted(set(_recorded(folder).values()))


def postings_files(folder: Path, segments: list[Segment]) -> list[tuple[Path, int]]:
    """The files holding the postings of `segments` (a reader's, in order), each with
    the number of segments it covers: group files where they fit, segment files else."""
    by_first = {ids[0]: (ids, name) for ids, name in _recorded(folder).items() if ids}
    ids_in_order = [s.segment_id() for s in segments]
    files = []
    at = 0
    while at < len(segments):
        ids, name = by_first.get(ids_in_order[at], ((), ""))
        if ids and tuple(ids_in_order[at : at + len(ids)]) == ids and (folder / name).exists():
            files.append((folder / name, len(ids)))
            at += len(ids)
        else:
            files.append((postings_path(folder, segments[at]), 1))
            at += 1
    return files


def live_docs(segments: list[tuple[Segment, int]], doc_count: int) -> np.ndarray:
    """Which of a reader's `doc_count` documents are live, given its `reader_segments`."""
    live = np.ones(doc_count, bool)
    for segment, offset in segments:
        if segment.has_deletions():
            live[[offset + docnum for docnum in segment.deleted_docs()]] = False
    return live


def live_articles(folder: Path, reader: Any) -> Iterator[ArticleRow]:
    """What `duplicates.write_groups` groups of each live article a Whoosh reader sees
    (id, signature, URL, day number, document number), read from the postings files."""
    segments = reader_segments(reader)
    live = live_docs(segments, reader.doc_count_all()).tolist()
    at = 0
    for path, covered in postings_files(folder, [segment for segment, _ in segments]):
        arrays = read_arrays(path)
        texts, values = read_hit_texts(arrays), read_doc_values(arrays)
        first = segments[at][1]
        for docnum, day in enumerate(values.days.tolist()):
            if live[first + docnum]:
                doc_id, url = texts.text("id", docnum), texts.text("url", docnum)
                yield doc_id, signature_of(values, docnum), url, day, first + docnum
        at += covered
