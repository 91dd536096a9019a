"""Postings arrays of consecutive segments joined into one file per group.

Workers write segments of 500 articles, and every query word costs a binary search and a
slice per file and field: 87 files for 43,000 articles would make that most of a query's
time. After each indexing run, consecutive segments are joined, at most `GROUP_ARTICLES`
articles to a group, into `postings-<id>.arr` files listed in `postings.json` with the
segments they hold and each one's article count; the segments' own files are deleted
when the run ends well (`indexer.storage.journal`), so no postings stay on disk twice.
Groups are kept as a log-structured merge keeps them (`plan_groups`): a later run joins
its segments with the last groups only while these are not much larger.
A large join is written in two processes, each of its parts (`JOIN_PARTS`: each field's
postings, the articles' values and texts) on its own, then put together
(`arrayfile.concatenate_arrays`).

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
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.base import Segment

from arshif.indexer.duplicates import BANDS, Articles
from arshif.indexer.storage import stops
from arshif.indexer.storage.arrayfile import concatenate_arrays, read_arrays, write_arrays
from arshif.indexer.storage.docvalues import DocValues, read_doc_values
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.postings import (
    JOIN_PARTS,
    SUFFIX,
    PostingsRange,
    merge_part,
    merge_postings,
    own_postings_path,
    postings_path,
)
from arshif.indexer.storage.texts import Texts

# A query pays a binary search and a slice per group, field and word, and decodes a
# rare word's postings once per group: one group for 43,000 articles answers short
# queries ~15% faster than five; on the ×10 archive, groups of 100,000 (five files, not
# nine of 50,000) answer dev questions in 11.8 ms at p50, not 15.4. Joining holds one
# field's postings of the group in memory.
GROUP_ARTICLES = 100_000
# Articles to join from which the parts of the files (`JOIN_PARTS`) are made in two
# processes at once: starting a worker costs a few tenths of a second; joining 41,686
# articles in one process took 3 seconds, while the other core idled. Not for a group
# larger than `PARALLEL_JOIN_MAX`: two processes would hold two fields' postings of it
# (two of 50,000 articles took the ×10 indexing to 683 MB with a third process idle).
PARALLEL_JOIN_ARTICLES = 20_000
PARALLEL_JOIN_MAX = 60_000
# A group is joined with the one before it when it holds at least 1/JOIN_RATIO as many
# articles (`plan_groups`): adding 1% to the ×10 archive joined 4,158 articles with the
# 18,624 of its last group again, a fifth of the run.
JOIN_RATIO = 4
MANIFEST_FILE = "postings.json"
# The part of a large join a worker writes (`_write_joins`).
_WORKER_PART = "exact"


def reader_segments(reader: Any) -> list[tuple[Segment, int]]:
    """The segments a Whoosh reader reads, in order, each with its first document number
    (none for an empty index)."""
    return [
        (segment, offset)
        for sub, offset in reader.leaf_readers()
        if (segment := sub.segment()) is not None
    ]


def plan_groups(
    segments: list[Segment], recorded: Iterable[tuple[str, ...]] = ()
) -> list[list[Segment]]:
    """Consecutive segments in groups of `GROUP_ARTICLES` articles at most, as a
    log-structured merge keeps them: the groups `recorded` (segment ids) stay wherever
    their segments still stand in that order, the other segments are packed greedily,
    and then, from the first, a group is joined with the one before it while it holds at
    least 1/`JOIN_RATIO` as many articles and the two fit. A run adding a few articles
    joins them with the small groups of the last runs only, and the groups' sizes fall
    by `JOIN_RATIO` from one to the next, so they stay few."""
    kept_from = {ids[0]: ids for ids in recorded if ids}
    ids = [s.segment_id() for s in segments]
    packed: list[list[Segment]] = []
    packing = False  # whether the last group is one being packed
    at = 0
    while at < len(segments):
        whole = kept_from.get(ids[at], ())
        if whole and tuple(ids[at : at + len(whole)]) == whole:
            packed.append(segments[at : at + len(whole)])
            packing = False
            at += len(whole)
            continue
        if not packing or _size(packed[-1]) + segments[at].doc_count_all() > GROUP_ARTICLES:
            packed.append([])
            packing = True
        packed[-1].append(segments[at])
        at += 1
    groups: list[list[Segment]] = []
    for group in packed:
        groups.append(group)
        while len(groups) > 1 and _joined(_size(groups[-2]), _size(groups[-1])):
            last = groups.pop()
            groups[-1] = groups[-1] + last
    return groups


def _size(group: list[Segment]) -> int:
    return sum(segment.doc_count_all() for segment in group)


def _joined(before: int, after: int) -> bool:
    """Whether a group of `after` articles is joined with the `before` one preceding it."""
    return before + after <= GROUP_ARTICLES and after * JOIN_RATIO >= before


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


def join_segments(folder: Path, segments: list[Segment], pool: Executor | None = None) -> None:
    """Write the group files `segments` (a reader's, in order) need and list them; what
    they replace (stale groups, the grouped segments' own files) is removed when the run
    ends well (`replaced_files`). A large join shares its work with a worker of `pool`."""
    recorded = _recorded(folder)
    counts = {s.segment_id(): s.doc_count_all() for s in segments}
    standing = [
        ids
        for ids, (name, _) in recorded.items()
        if (folder / name).exists() and all(i in counts for i in ids)
    ]
    manifest = []
    joins: list[_Join] = []
    for group in plan_groups(segments, standing):
        if len(group) < 2:
            own = postings_path(folder, group[0])
            if not own.exists():  # its group lost the segments around it: alone again
                joins.append(_Join(own, postings_files(folder, group), grouped=False))
            continue
        ids = tuple(s.segment_id() for s in group)
        name = recorded.get(ids, ("", []))[0]
        if not name or not (folder / name).exists():
            name = f"postings-{hashlib.sha1(' '.join(ids).encode()).hexdigest()[:16]}{SUFFIX}"
            joins.append(_Join(folder / name, postings_files(folder, group), grouped=True))
        manifest.append({"file": name, "segments": list(ids), "counts": [counts[i] for i in ids]})
    _write_joins(joins, pool)
    write_json(folder / MANIFEST_FILE, manifest)
    # Stale groups and the grouped segments' own files stay until the run ends
    # (`indexer.storage.journal`): a run failing after this point puts the previous
    # `postings.json` back, and needs them.


class _Join(NamedTuple):
    """A file to write, the postings ranges it joins, and whether it is a group's."""

    path: Path
    ranges: list[PostingsRange]
    grouped: bool


def _write_joins(joins: list[_Join], pool: Executor | None) -> None:
    """Write each join's file: whole, in this process, when the joins are small or one
    is large (`PARALLEL_JOIN_MAX`); else each of its parts on its own
    (`write_join_part`), the exact forms' (the largest: most words) in a worker of
    `pool` while this process writes the others, then put together. Two processes, not
    three: this one would otherwise wait, holding what the run read."""
    sizes = [sum(r.end - r.first for r in join.ranges) for join in joins]
    if pool is None or sum(sizes) < PARALLEL_JOIN_ARTICLES or max(sizes) > PARALLEL_JOIN_MAX:
        for join in joins:
            write_arrays(join.path, merge_postings(join.ranges))
            if join.grouped:
                stops.reached("join")
        return
    sent = [
        pool.submit(write_join_part, join_part_path(j.path, _WORKER_PART), j.ranges, _WORKER_PART)
        for j in joins
    ]
    try:
        for join, in_worker in zip(joins, sent, strict=True):
            for part in JOIN_PARTS:
                if part != _WORKER_PART:
                    write_join_part(join_part_path(join.path, part), join.ranges, part)
            in_worker.result()
            parts = [join_part_path(join.path, part) for part in JOIN_PARTS]
            concatenate_arrays(join.path, parts)
            for part in parts:
                part.unlink()
            if join.grouped:
                stops.reached("join")
    finally:
        for future in sent:
            future.cancel()
        for join in joins:
            for part in JOIN_PARTS:
                join_part_path(join.path, part).unlink(missing_ok=True)


def join_part_path(path: Path, part: str) -> Path:
    """Where a part of the join written to `path` is kept until it is put together
    (a `.tmp` file: the next run sweeps away what a killed one left)."""
    return path.with_name(f"{path.name}.{part}.tmp")


def write_join_part(path: Path, ranges: list[PostingsRange], part: str) -> None:
    """Write one of the `JOIN_PARTS` of the join of `ranges` to `path`."""
    write_arrays(path, merge_part(ranges, part))


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


def live_articles(folder: Path, segments: list[Segment]) -> Articles:
    """What `duplicates.write_groups` groups of each live article of an index's
    `segments` (id, signature, URL, day number, document number), read from the
    postings files. (The segments of its table of contents: opening a reader of the ×10
    archive's 852 took a quarter of a second.)"""
    counts = [segment.doc_count_all() for segment in segments]
    offsets = np.cumsum([0, *counts]).tolist()
    live = live_docs(list(zip(segments, offsets[:-1], strict=True)), offsets[-1])
    parts = []
    docnum = 0
    for place in postings_files(folder, segments):
        arrays = read_arrays(place.path)
        texts, values = Texts(arrays), read_doc_values(arrays)
        first, end = place.first, place.end
        kept = np.flatnonzero(live[docnum : docnum + end - first])
        ids = texts.raw_texts("id", first, end)
        signatures = np.ascontiguousarray(values.signatures[first:end]).view("<u8")
        parts.append(
            Articles(
                [ids[at] for at in kept.tolist()],
                signatures.reshape(-1, BANDS)[kept],
                values.url_keys[first:end][kept],
                values.days[first:end][kept].astype(np.int64),
                kept + docnum,
            )
        )
        docnum += end - first
    return Articles.join(parts)


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
