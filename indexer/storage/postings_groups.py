"""Postings arrays of consecutive segments joined into one file per group.

Workers write segments of 500 articles, and every query word costs a binary search and a
slice per file and field: 87 files for 43,000 articles would make that most of a query's
time. After each indexing run, consecutive segments are joined, at most `GROUP_ARTICLES`
articles to a group, into `postings-<id>.arr` files listed in `postings.json` with the
segments they hold and each one's article count; the segments' own files are deleted
when the run ends well (`indexer.storage.journal`), so no postings stay on disk twice. A
group holding half that many articles or more is left as it is, and later segments are
grouped after it.

A segment's articles are in its own file while it has one (`postings_path`), else in the
group listing it, after those of the segments listed before it. A reader reads the
consecutive segments of one file as one range of it (`postings_files`). When segments of
a group are merged away (tiny ones, by the writer), the group is read in ranges without
them, and the next join writes its standing segments again; a segment found nowhere (a
reader older than the join that dropped its group) raises FileNotFoundError, and the
reader is opened again. A run killed half-way leaves every segment readable: the
manifest is replaced only once the new groups are written, files deleted only after the
run ends.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment

from arshif.indexer.duplicates import ArticleRow
from arshif.indexer.storage import stops
from arshif.indexer.storage.arrayfile import read_arrays, write_arrays
from arshif.indexer.storage.docvalues import DocValues, read_doc_values, signature_of
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.postings import (
    SUFFIX,
    PostingsRange,
    merge_postings,
    own_postings_path,
    postings_path,
)
from arshif.indexer.storage.texts import Texts

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


def _recorded(folder: Path) -> dict[tuple[str, ...], tuple[str, list[int]]]:
    """The groups `postings.json` lists: segment ids → file name and article counts."""
    manifest = read_json(folder / MANIFEST_FILE, [])
    if not isinstance(manifest, list):
        return {}
    return {
        tuple(entry["segments"]): (entry["file"], entry["counts"])
        for entry in manifest
        if isinstance(entry, dict) and {"segments", "file", "counts"} <= entry.keys()
    }


def _group_places(folder: Path) -> dict[str, tuple[Path, int]]:
    """Where each grouped segment's articles are: its group's file and their first."""
    places = {}
    for ids, (name, counts) in _recorded(folder).items():
        for segment_id, first in zip(ids, np.cumsum([0, *counts]).tolist(), strict=False):
            places[segment_id] = (folder / name, first)
    return places


def _place(folder: Path, segment: Segment, groups: dict[str, tuple[Path, int]]) -> PostingsRange:
    own = postings_path(folder, segment)
    path, first = (own, 0) if own.exists() else groups.get(segment.segment_id(), (own, 0))
    if not path.exists():  # named: the segment's own file, or its listed group's
        raise FileNotFoundError(errno.ENOENT, "no postings file holds the segment", str(path))
    return PostingsRange(path, first, first + segment.doc_count_all())


def postings_files(folder: Path, segments: list[Segment]) -> list[PostingsRange]:
    """The ranges of postings files holding `segments` (a reader's, in order): the
    consecutive segments of one file as one range."""
    groups = _group_places(folder)
    ranges: list[PostingsRange] = []
    for segment in segments:
        place = _place(folder, segment, groups)
        last = ranges[-1] if ranges else None
        if last is not None and last.path == place.path and last.end == place.first:
            ranges[-1] = PostingsRange(last.path, last.first, place.end, last.segments + 1)
        else:
            ranges.append(place)
    return ranges


def join_segments(folder: Path, segments: list[Segment]) -> None:
    """Write the group files `segments` (a reader's, in order) need and list them; what
    they replace (stale groups, the grouped segments' own files) is removed when the run
    ends well (`replaced_files`)."""
    recorded = _recorded(folder)
    # A group of half the largest size or more is left alone: articles added later go
    # to groups of their own, so a run adding a few articles does not join tens of
    # thousands again (a group of more than one file is read in a few more steps).
    counts = {s.segment_id(): s.doc_count_all() for s in segments}
    kept = [
        ids
        for ids, (name, _) in recorded.items()
        if (folder / name).exists()
        and all(i in counts for i in ids)
        and sum(counts[i] for i in ids) >= GROUP_ARTICLES // 2
    ]
    manifest = []
    for group in plan_groups(segments, kept):
        if len(group) < 2:
            own = postings_path(folder, group[0])
            if not own.exists():  # its group lost the segments around it: alone again
                write_arrays(own, merge_postings(postings_files(folder, group)))
            continue
        ids = tuple(s.segment_id() for s in group)
        name = recorded.get(ids, ("", []))[0]
        if not name or not (folder / name).exists():
            name = f"postings-{hashlib.sha1(' '.join(ids).encode()).hexdigest()[:16]}{SUFFIX}"
            write_arrays(folder / name, merge_postings(postings_files(folder, group)))
            stops.reached("join")
        manifest.append({"file": name, "segments": list(ids), "counts": [counts[i] for i in ids]})
    write_json(folder / MANIFEST_FILE, manifest)
    # Stale groups and the grouped segments' own files stay until the run ends
    # (`indexer.storage.journal`): a run failing after this point puts the previous
    # `postings.json` back, and needs them.


def recorded_files(folder: Path) -> list[str]:
    """The group files `postings.json` lists."""
    return sorted({name for name, _ in _recorded(folder).values()})


def replaced_files(folder: Path) -> list[Path]:
    """The own files of segments that a group `postings.json` lists now holds: they are
    on disk twice until removed (`indexer.storage.journal.sweep`)."""
    return [
        own
        for ids, (name, _) in _recorded(folder).items()
        if (folder / name).exists()
        for segment_id in ids
        if (own := own_postings_path(folder, segment_id)).exists()
    ]


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
    docnum = 0
    for place in postings_files(folder, [segment for segment, _ in segments]):
        arrays = read_arrays(place.path)
        texts, values = Texts(arrays), read_doc_values(arrays)
        first, end = place.first, place.end
        ids, urls = texts.raw_texts("id", first, end), texts.raw_texts("url", first, end)
        days = values.days[first:end].tolist()
        for at in range(end - first):
            if live[docnum]:
                yield ids[at], signature_of(values, first + at), urls[at], days[at], docnum
            docnum += 1


def article_ids(folder: Path, segments: list[Segment]) -> Iterator[str]:
    """The id of every article of `segments` (a reader's), deleted ones included."""
    for place in postings_files(folder, segments):
        yield from Texts(read_arrays(place.path)).raw_texts("id", place.first, place.end)


def segment_texts(folder: Path, segment: Segment) -> tuple[Texts, int]:
    """The texts of the file holding a segment's articles, and where its first is."""
    place = _place(folder, segment, _group_places(folder))
    return Texts(read_arrays(place.path)), place.first


def merged_articles(
    folder: Path, segments: list[Segment]
) -> Iterator[tuple[Texts, DocValues, int]]:
    """The texts and values of the live articles of `segments`, in the order Whoosh
    merges them into one segment: each with its file's `Texts` and `DocValues` and its
    document number there. Segments of one group share its file, opened once (and its
    cache of decompressed blocks)."""
    groups = _group_places(folder)
    opened: dict[Path, tuple[Texts, DocValues]] = {}
    for segment in segments:
        place = _place(folder, segment, groups)
        if place.path not in opened:
            arrays = read_arrays(place.path)
            opened[place.path] = Texts(arrays), read_doc_values(arrays)
        for docnum in range(segment.doc_count_all()):
            if not segment.is_deleted(docnum):
                yield *opened[place.path], place.first + docnum
