"""`arshif check`: every file of an index verified completely, and its parts compared.

Beyond what opening checks (`store.check_segments`), this reads every byte against its
checksum, then compares the parts: each postings file holds as many articles as the
Whoosh segments it covers, every live article's stored fields are readable and its id is
the one the postings file shows, ids are unique, `files.json` lists every article's
file, and `groups.json` names only articles the index holds. What a killed run leaves,
and the next run redoes, is a note, not damage: files no commit refers to, and a
`files.json` written before the run's commit, lacking its files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from arshif.indexer.duplicates import read_docnums, read_groups
from arshif.indexer.errors import ArshifError, DamagedIndexError
from arshif.indexer.storage import filetable, store
from arshif.indexer.storage.arrayfile import read_arrays
from arshif.indexer.storage.checksum import NOT_A_FILE
from arshif.indexer.storage.docvalues import read_doc_values
from arshif.indexer.storage.postings import PostingsRange, postings_path
from arshif.indexer.storage.postings_groups import (
    postings_files,
    reader_segments,
    recorded_files,
)
from arshif.indexer.storage.texts import Texts


@dataclass
class Finding:
    file: str  # a name in the index folder ("" for the folder itself)
    problem: str


@dataclass
class CheckReport:
    index_dir: str
    articles: int = 0
    files: int = 0
    problems: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems

    def damage(self, exc: DamagedIndexError) -> None:
        self.problems.append(Finding(exc.path.name, exc.what))


def check_index(index_dir: Path) -> CheckReport:
    """Verify the index at `index_dir` completely. An index that cannot be opened at all
    (absent, of another version, writable by others) is an ArshifError, as elsewhere."""
    index_dir = Path(index_dir)
    report = CheckReport(str(index_dir))
    store.recover_interrupted_swap(index_dir)
    try:
        store.check_folder(index_dir)
    except DamagedIndexError as exc:
        report.damage(exc)
        return report
    store.check_not_writable_by_others(index_dir)
    store.check_version(index_dir)
    for exc in store.check_json_files(index_dir):
        report.damage(exc)
    if report.problems:
        return report  # the table of checksums or the version record cannot be trusted
    for lock in (store.RUN_LOCK_FILE, store.WHOOSH_LOCK_FILE):
        if (index_dir / lock).exists() and not (index_dir / lock).is_file():
            report.problems.append(Finding(lock, NOT_A_FILE))
    generation = store.latest_generation(index_dir)
    toc_problems = store.check_segments(index_dir, generation, [], full=True)
    for exc in toc_problems:
        report.damage(exc)
    if toc_problems:
        return report  # the table of contents is not unpickled unless it is sound
    try:
        ix = store.open_index(index_dir)
    except DamagedIndexError:
        ix = whoosh_index.open_dir(str(index_dir))  # what is wrong is listed below
    except ArshifError as exc:
        report.problems.append(Finding(filetable.toc_name(generation), str(exc)))
        return report
    for exc in store.check_segments(index_dir, ix.latest_generation(), ix._segments(), full=True):
        report.damage(exc)
    if not report.problems:
        _compare_parts(ix, index_dir, report)
    _note_unused(ix, index_dir, report)
    report.files = sum(1 for path in index_dir.iterdir() if path.is_file())
    return report


def _compare_parts(ix: Index, index_dir: Path, report: CheckReport) -> None:
    with ix.reader() as reader:
        segments = reader_segments(reader)
        stored_ids = _stored_ids(reader, segments, report)
        report.articles = len(stored_ids)
        paths: dict[int, str] = {}
        at = 0
        for place in _postings_places(index_dir, segments, report):
            group = segments[at : at + place.segments]
            _compare_postings_range(place, group, stored_ids, paths, report)
            at += place.segments
    for doc_id, count in Counter(stored_ids.values()).items():
        if count > 1:
            report.problems.append(Finding("", f'the id "{doc_id}" is held by {count} articles'))
    _compare_records(ix, index_dir, stored_ids, paths, report)


def _stored_ids(reader: Any, segments: list, report: CheckReport) -> dict[int, str]:
    """Each live article's id from Whoosh's stored fields (all of which must be
    readable)."""
    stored: dict[int, str] = {}
    bounds = [(offset, segment) for segment, offset in segments]
    for docnum in reader.all_doc_ids():
        try:
            stored[docnum] = str(reader.stored_fields(docnum)["id"])
        except Exception as exc:  # a damaged stored-fields file fails in many ways
            segment = max((b for b in bounds if b[0] <= docnum), key=lambda b: b[0])[1]
            report.problems.append(
                Finding(
                    f"{segment.segment_id()}.*",
                    f"the stored fields of article number {docnum} cannot be read ({exc!r})",
                )
            )
    return stored


def _postings_places(index_dir: Path, segments: list, report: CheckReport) -> list:
    """The ranges of postings files holding `segments`; none, and a finding, when a
    segment's postings are in no file."""
    try:
        return postings_files(index_dir, [s for s, _ in segments])
    except FileNotFoundError as exc:  # named as opening names it (`store.check_segments`)
        report.problems.append(Finding(Path(exc.filename).name, "is missing"))
        return []


def _compare_postings_range(
    place: PostingsRange,
    group: list,
    stored_ids: dict[int, str],
    paths: dict[int, str],
    report: CheckReport,
) -> None:
    """A postings file's range holds its segments' articles, with the ids Whoosh stored;
    the live articles' paths are gathered in `paths`."""
    arrays = read_arrays(place.path)
    texts, values = Texts(arrays), read_doc_values(arrays)
    expected = sum(segment.doc_count_all() for segment, _ in group)
    held = min(place.end, len(values.days)) - place.first
    if held != expected:
        report.problems.append(
            Finding(place.path.name, f"holds {held} articles of its segments' {expected}")
        )
        return
    first = group[0][1]
    for docnum in range(expected):
        stored = stored_ids.get(first + docnum)
        if stored is None:
            continue  # deleted
        shown = texts.id(place.first + docnum)
        if shown != stored:
            report.problems.append(
                Finding(place.path.name, f'shows article "{stored}" as "{shown}"')
            )
            return
        paths[first + docnum] = texts.text("path", place.first + docnum)


def _compare_records(
    ix: Index,
    index_dir: Path,
    stored_ids: dict[int, str],
    paths: dict[int, str],
    report: CheckReport,
) -> None:
    """`files.json` lists each article's file; `groups.json` only held articles."""
    manifest = store.read_json(index_dir / store.MANIFEST_FILE, {})
    # Written for an earlier commit, it lacks the files of a run killed after its commit.
    meta = store.read_json(index_dir / store.META_FILE, {})
    behind = meta.get(store.FILES_GENERATION) != ix.latest_generation()
    for path, count in sorted(Counter(paths.values()).items()):
        if path not in manifest:
            problem = f"does not list {path}, which holds {count} of its articles"
            if behind:
                problem += " (left by a killed run: the next index run reads the file again)"
            (report.notes if behind else report.problems).append(
                Finding(store.MANIFEST_FILE, problem)
            )
    held = set(stored_ids.values())
    for ids in read_groups(index_dir):
        if missing := [i for i in ids if i not in held]:
            report.problems.append(
                Finding("groups.json", f'names articles the index lacks: "{missing[0]}"')
            )
            break
    docnums = read_docnums(index_dir, ix.latest_generation())
    if docnums is None and held:
        report.notes.append(
            Finding("groups.json", "records another generation (the next index run redoes it)")
        )


def _note_unused(ix: Index, index_dir: Path, report: CheckReport) -> None:
    """Files of no segment of this generation: left by a killed run, removed by the next."""
    used = {filetable.toc_name(ix.latest_generation()), *store.JSON_FILES}
    used |= {store.RUN_LOCK_FILE, store.WHOOSH_LOCK_FILE, *recorded_files(index_dir)}
    segments = ix._segments()
    prefixes = tuple(filetable.segment_prefix(s.segment_id()) for s in segments)
    used |= {postings_path(index_dir, s).name for s in segments}
    for path in sorted(index_dir.iterdir()):
        if path.name not in used and not path.name.startswith(prefixes):
            report.notes.append(
                Finding(path.name, "is used by no commit (the next index run removes it)")
            )
