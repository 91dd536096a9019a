"""Where an index lives, and opening it safely.

An index is a folder holding Whoosh's files, arshif's array files beside each segment
(`.arr`) and its JSON files (`JSON_FILES`): `arshif.json` (format versions, last
update, the generation `files.json` was written for), `files.json` (what was indexed
from which file, for incremental re-indexing), `groups.json`, `postings.json`,
`boilerplate.json` and `checksums.json` (Whoosh's files' checksums, `filetable`). All
are written when the index is created and replaced atomically after that; every one
carries or is listed with a CRC32.

Opening an index checks what is cheap: the JSON files' checksums (`check_json_files`),
every file of the segments present and of its written length, and the checksums of the
smallest (`check_segments`). What it sees is a DamagedIndexError naming the file.

Opening an index unpickles its schema, which can run code: nothing reads an index file
before `check_not_writable_by_others` has passed, `exists` included (Whoosh's own
`exists_in` unpickles the schema to answer).
"""

from __future__ import annotations

import fcntl
import gc
import grp
import json
import os
import pwd
import re
import stat
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from arshif.indexer.analysis.analyzer import ANALYZER_VERSION, ArabicAnalyzer
from arshif.indexer.duplicates import GROUPS_FILE
from arshif.indexer.errors import (
    DamagedIndexError,
    IncompatibleIndexError,
    IndexBusyError,
    NewerIndexError,
    NoIndexError,
    UnreadableIndexError,
    UnsafeIndexError,
)
from arshif.indexer.storage import filetable
from arshif.indexer.storage.arrayfile import verify_arrays
from arshif.indexer.storage.checksum import (
    NOT_A_FILE,
    OPEN_CHECK_BYTES,
    file_size,
    verify_file,
)
from arshif.indexer.storage.jsonfiles import MAGIC as JSON_MAGIC
from arshif.indexer.storage.jsonfiles import read_framed, read_json, write_json
from arshif.indexer.storage.postings_groups import MANIFEST_FILE as POSTINGS_FILE
from arshif.indexer.storage.postings_groups import postings_files, recorded_files
from arshif.indexer.storage.schema import SCHEMA_VERSION, build_schema

INDEX_ENV = "ARSHIF_INDEX"
META_FILE = "arshif.json"
MANIFEST_FILE = "files.json"
# The key of `arshif.json` naming the generation `files.json` was written for: a run
# killed after a commit, before that write, leaves articles of files it does not list.
FILES_GENERATION = "files_generation"
RUN_LOCK_FILE = "arshif.lock"
BOILERPLATE_FILE = "boilerplate.json"
# Written when the index is created, so a missing one is damage, not a young index;
# `arshif.json` last (with a table of contents, it is what makes a folder an index).
JSON_FILES = (
    filetable.CHECKSUMS_FILE,
    MANIFEST_FILE,
    GROUPS_FILE,
    POSTINGS_FILE,
    BOILERPLATE_FILE,
    META_FILE,
)
# Whoosh's write lock, released (not removed) at the end of each commit.
WHOOSH_LOCK_FILE = "MAIN_WRITELOCK"


def default_index_dir() -> Path:
    """`$ARSHIF_INDEX`, else the per-user data directory (`$XDG_DATA_HOME/arshif/index`)."""
    if env := os.environ.get(INDEX_ENV):
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "arshif" / "index"


# Whoosh's table of contents, one per generation: `_MAIN_3.toc`.
_TOC_FILE = re.compile(r"_MAIN_([0-9]+)\.toc")


def toc_generation(name: str) -> int | None:
    """The generation of the table of contents named `name` (None for other files)."""
    match = _TOC_FILE.fullmatch(name)
    return int(match[1]) if match else None


def latest_generation(index_dir: Path) -> int:
    """The generation of the newest table of contents in the folder (-1 for none)."""
    names = os.listdir(index_dir) if index_dir.is_dir() else []
    return max((g for n in names if (g := toc_generation(n)) is not None), default=-1)


def article_count(ix: Index) -> int:
    """The live articles of the index's latest generation, counted from its table of
    contents: Whoosh's `doc_count` opens a reader of every segment (852 of them, a
    quarter of a second, for the 418,624-article archive)."""
    return sum(segment.doc_count() for segment in ix._segments())


def exists(index_dir: Path) -> bool:
    """Whether `index_dir` holds an index, judged by file names alone (nothing unpickled)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return META_FILE in names and any(_TOC_FILE.fullmatch(name) for name in names)


def check_not_writable_by_others(index_dir: Path) -> None:
    """Refuse a folder, or a file in it, that another user could write to.

    Group write is allowed only for a user's private group (named after the user and
    holding nobody else): with the usual umask 002 of such systems, every file arshif
    writes is group-writable, and refusing those would refuse the user's own index.
    """
    for path in (index_dir, *index_dir.iterdir()):
        st = path.stat()
        if st.st_mode & stat.S_IWOTH or (
            st.st_mode & stat.S_IWGRP and not _private_group(st.st_uid, st.st_gid)
        ):
            raise UnsafeIndexError(str(index_dir))


def _private_group(uid: int, gid: int) -> bool:
    """Whether group `gid` is the user-private group of `uid` (its only possible member)."""
    try:
        user, group = pwd.getpwuid(uid), grp.getgrgid(gid)
    except KeyError:
        return False
    return (
        user.pw_gid == gid
        and group.gr_name == user.pw_name
        and not (set(group.gr_mem) - {user.pw_name})
    )


@contextmanager
def run_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's run lock for a whole `arshif index` run, or raise IndexBusyError.

    Whoosh's own write lock is released at each commit; this one is not, so a second run
    cannot slip in between two commits of the first, nor two first runs race to create.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = index_dir / RUN_LOCK_FILE
    try:
        handle = open(lock, "a")  # noqa: SIM115 (closed by the `with` below)
    except IsADirectoryError as exc:
        raise DamagedIndexError(lock, NOT_A_FILE) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexBusyError(str(index_dir)) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def swapped_out(index_dir: Path) -> Path:
    """Where a rebuild moves the previous index while putting the new one in place."""
    return index_dir.with_name(index_dir.name + ".old")


def recover_interrupted_swap(index_dir: Path) -> None:
    """Put the previous index back if a rebuild was killed between its two renames."""
    old = swapped_out(index_dir)
    if not index_dir.exists() and exists(old):
        os.replace(old, index_dir)


def schema_version(index_dir: Path) -> int | None:
    """The schema version the index at `index_dir` records (None if none); only
    `SCHEMA_VERSION` can be searched. Versions before 10 wrote `arshif.json` as
    plain JSON, with no header: it is read as such, to recognize them."""
    path = index_dir / META_FILE
    try:
        legacy = not path.read_bytes().startswith(JSON_MAGIC)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        legacy = False
    try:
        meta = json.loads(path.read_bytes()) if legacy else read_json(path, None)
    except ValueError as exc:
        raise DamagedIndexError(path, "is damaged (it has no arshif header)") from exc
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    return version if isinstance(version, int) else None


def check_version(index_dir: Path) -> None:
    """Refuse an index of a newer arshif, or of an older one, naming the remedy."""
    version = schema_version(index_dir)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise NewerIndexError(str(index_dir), version, SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise IncompatibleIndexError(str(index_dir), "written by another version of arshif")


def has_index_files(index_dir: Path) -> bool:
    """Whether `arshif.json` or a table of contents is there: an index, if damaged."""
    return (index_dir / META_FILE).exists() or latest_generation(index_dir) >= 0


def check_folder(index_dir: Path) -> None:
    """The index folder is a readable folder holding an index; else a typed error. A
    folder with arshif's files but no table of contents lost it: damaged, not absent."""
    if index_dir.exists() and not index_dir.is_dir():
        raise DamagedIndexError(index_dir, "is not a folder")
    if index_dir.is_dir() and not os.access(index_dir, os.R_OK | os.X_OK):
        raise UnreadableIndexError(str(index_dir), str(index_dir))
    if exists(index_dir):
        return
    if (index_dir / META_FILE).exists():
        raise DamagedIndexError(index_dir / _recorded_toc(index_dir), "is missing")
    if has_index_files(index_dir):
        raise DamagedIndexError(index_dir / META_FILE, "is missing")
    raise NoIndexError(str(index_dir))


def _recorded_toc(index_dir: Path) -> str:
    """The name of the newest table of contents `checksums.json` lists (a guess else)."""
    try:
        names = filetable.read_table(index_dir)
    except DamagedIndexError:
        names = {}
    generations = [g for n in names if (g := toc_generation(n)) is not None]
    return filetable.toc_name(max(generations, default=1))


def check_json_files(index_dir: Path) -> list[DamagedIndexError]:
    """Each of arshif's JSON files present, of its recorded length and checksum."""
    problems = []
    for name in JSON_FILES:
        try:
            file_size(index_dir / name)
            read_framed(index_dir / name)
        except DamagedIndexError as exc:
            problems.append(exc)
        except FileNotFoundError:  # gone since its size was read
            problems.append(DamagedIndexError(index_dir / name, "is missing"))
    return problems


def check_segments(
    index_dir: Path, generation: int, segments: list, *, full: bool = False
) -> list[DamagedIndexError]:
    """The damage to the files of this generation's `segments` the cheap checks see:
    every file present and of its written length, and the checksums of the smallest
    (`OPEN_CHECK_BYTES` in all; every file's with `full`)."""
    problems, listed = filetable.check_files(
        index_dir, generation, [s.segment_id() for s in segments]
    )
    to_verify = [(size, path, partial(verify_file, crc=crc)) for path, size, crc in listed]
    arrays: set[Path] = set()
    if segments:
        arrays = {index_dir / name for name in recorded_files(index_dir)}
        try:
            arrays |= {place.path for place in postings_files(index_dir, segments)}
        except FileNotFoundError as exc:
            if (missing := Path(exc.filename)) not in arrays:  # a group's: named below
                problems.append(DamagedIndexError(missing, "is missing"))
    for path in sorted(arrays):
        try:
            to_verify.append((file_size(path), path, verify_arrays))
        except DamagedIndexError as exc:
            problems.append(exc)
    budget = float("inf") if full else OPEN_CHECK_BYTES
    for size, path, verify in sorted(to_verify, key=lambda item: item[0]):
        if size > budget:
            break
        budget -= size
        try:
            verify(path)
        except DamagedIndexError as exc:
            problems.append(exc)
    return problems


def open_index(index_dir: Path) -> Index:
    """Open an existing index, refusing unsafe, incompatible or damaged ones with a clear
    error."""
    recover_interrupted_swap(index_dir)
    check_folder(index_dir)
    check_not_writable_by_others(index_dir)
    check_version(index_dir)
    if problems := check_json_files(index_dir):
        raise problems[0]
    # The table of contents is verified in full before its schema is unpickled.
    if problems := check_segments(index_dir, latest_generation(index_dir), [], full=True):
        raise problems[0]
    try:
        ix = whoosh_index.open_dir(str(index_dir))
        analyzer = ix.schema["text"].analyzer
    except Exception as exc:  # an unpicklable schema can fail in many ways
        close_left_open(exc)
        raise IncompatibleIndexError(str(index_dir), f"its schema cannot be loaded: {exc}") from exc
    if not isinstance(analyzer, ArabicAnalyzer) or analyzer.version != ANALYZER_VERSION:
        raise IncompatibleIndexError(str(index_dir), "built with another analyzer version")
    if problems := check_segments(index_dir, ix.latest_generation(), ix._segments()):
        raise problems[0]
    return ix


def close_left_open(exc: BaseException) -> None:
    """Close the files Whoosh leaves open when reading or writing fails (the table of
    contents, a failed run's segment files), now rather than at some later collection
    (where each would warn about an unclosed file)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(exc.__traceback__)
        gc.collect()


def create_index(index_dir: Path) -> Index:
    """Create an empty index (replacing any index files already in the folder)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(index_dir, 0o755)
    try:
        ix = whoosh_index.create_in(str(index_dir), build_schema())
    except BaseException as exc:  # a full disk: the table of contents is left open
        close_left_open(exc)
        raise
    empty: dict[str, object] = {
        filetable.CHECKSUMS_FILE: {"files": {}},
        POSTINGS_FILE: [],
        META_FILE: {"schema_version": SCHEMA_VERSION, "analyzer_version": ANALYZER_VERSION},
    }
    for name in JSON_FILES:
        write_json(index_dir / name, empty.get(name, {}))
    filetable.record(index_dir, [filetable.toc_name(ix.latest_generation())])
    return ix
