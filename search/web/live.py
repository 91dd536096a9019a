"""One open `Archive` shared by the server's requests, reopened when the index changes.

`Archive` keeps the searcher, arrays and groups of the commit it opened. An `arshif
index` run while the server runs commits a new generation (a new `_MAIN_N.toc`), then
rewrites `arshif.json` and `groups.json`; a rebuild swaps in a new folder. Each request
compares those files' names, inodes and times with the ones the open archive was read
from (one directory listing), and opens the archive anew when they differ.

Whoosh's searcher is not made for concurrent use, so requests use the archive one at a time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from arshif.indexer.duplicates import GROUPS_FILE
from arshif.indexer.errors import NoIndexError
from arshif.indexer.storage.store import META_FILE
from arshif.search.engine import Archive

_WATCHED = (META_FILE, GROUPS_FILE)

Fingerprint = tuple[object, ...]


def fingerprint(index_dir: Path) -> Fingerprint:
    """What changes whenever a run commits to, or rebuilds, the index at `index_dir`."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return ()
    tocs = tuple(sorted(name for name in names if name.endswith(".toc")))
    stamps = []
    for name in _WATCHED:
        try:
            st = os.stat(index_dir / name)
        except OSError:
            stamps.append(None)
            continue
        stamps.append((st.st_ino, st.st_mtime_ns, st.st_size))
    return (tocs, *stamps)


class LiveArchive:
    """The archive at `index_dir` as last committed."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._archive: Archive | None = None
        self._opened_at: Fingerprint = ()

    @contextmanager
    def use(self) -> Iterator[Archive]:
        """The archive of the latest commit, for this thread alone until the block ends."""
        with self._lock:
            yield self._current()

    def _current(self) -> Archive:
        now = fingerprint(self.index_dir)
        if self._archive is not None and now == self._opened_at:
            return self._archive
        self._drop()
        if not now:
            raise NoIndexError(str(self.index_dir))
        self._archive = Archive(self.index_dir)
        self._opened_at = now
        return self._archive

    def _drop(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None
            self._opened_at = ()

    def close(self) -> None:
        with self._lock:
            self._drop()
