"""Where an index lives, and opening it safely.

An index is a folder holding Whoosh's files, `arshif.json` (format versions, encodings
seen, last update) and `files.json` (what was indexed from which file, for incremental
re-indexing). Both JSON files are replaced atomically, after Whoosh's own commit.

Opening an index unpickles its schema, which can run code: nothing reads an index file
before `_check_not_writable_by_others` has passed, `exists` included (Whoosh's own
`exists_in` unpickles the schema to answer).
"""

from __future__ import annotations

import fcntl
import gc
import grp
import os
import pwd
import re
import stat
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from arshif.indexer.analysis.analyzer import ANALYZER_VERSION, ArabicAnalyzer
from arshif.indexer.errors import (
    IncompatibleIndexError,
    IndexBusyError,
    NoIndexError,
    UnsafeIndexError,
)
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.schema import SCHEMA_VERSION, build_schema

INDEX_ENV = "ARSHIF_INDEX"
META_FILE = "arshif.json"
MANIFEST_FILE = "files.json"
RUN_LOCK_FILE = "arshif.lock"


def default_index_dir() -> Path:
    """`$ARSHIF_INDEX`, else the per-user data directory (`$XDG_DATA_HOME/arshif/index`)."""
    if env := os.environ.get(INDEX_ENV):
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "arshif" / "index"


# Whoosh's table of contents, one per generation: `_MAIN_3.toc`.
_TOC_FILE = re.compile(r"_MAIN_[0-9]+\.toc")


def exists(index_dir: Path) -> bool:
    """Whether `index_dir` holds an index, judged by file names alone (nothing unpickled)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return META_FILE in names and any(_TOC_FILE.fullmatch(name) for name in names)


def _check_not_writable_by_others(index_dir: Path) -> None:
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
    with open(index_dir / RUN_LOCK_FILE, "a") as handle:
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
    """The schema version the index at `index_dir` records (None if it cannot be read);
    only `SCHEMA_VERSION` can be searched."""
    meta = read_json(index_dir / META_FILE, None)
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    return version if isinstance(version, int) else None


def open_index(index_dir: Path) -> Index:
    """Open an existing index, refusing unsafe or incompatible ones with a clear error."""
    recover_interrupted_swap(index_dir)
    if not exists(index_dir):
        raise NoIndexError(str(index_dir))
    _check_not_writable_by_others(index_dir)
    if schema_version(index_dir) != SCHEMA_VERSION:
        raise IncompatibleIndexError(str(index_dir), "written by another version of arshif")
    try:
        ix = whoosh_index.open_dir(str(index_dir))
        analyzer = ix.schema["text"].analyzer
    except Exception as exc:  # an unpicklable schema can fail in many ways
        _close_left_open(exc)
        raise IncompatibleIndexError(str(index_dir), f"its schema cannot be loaded: {exc}") from exc
    if not isinstance(analyzer, ArabicAnalyzer) or analyzer.version != ANALYZER_VERSION:
        raise IncompatibleIndexError(str(index_dir), "built with another analyzer version")
    return ix


def _close_left_open(exc: BaseException) -> None:
    """Close the table-of-contents file Whoosh leaves open when reading it fails, now
    rather than at some later collection (where it would warn about an unclosed file)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        traceback.clear_frames(exc.__traceback__)
        gc.collect()


def create_index(index_dir: Path) -> Index:
    """Create an empty index (replacing any index files already in the folder)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(index_dir, 0o755)
    ix = whoosh_index.create_in(str(index_dir), build_schema())
    write_json(index_dir / MANIFEST_FILE, {})
    write_json(
        index_dir / META_FILE,
        {"schema_version": SCHEMA_VERSION, "analyzer_version": ANALYZER_VERSION},
    )
    return ix
