"""A run's changes, undone when it fails; files no commit refers to, removed.

An indexing run keeps the previous generation whole until it ends: its commits write
new tables of contents without deleting the old one's files, and each JSON file it
will replace is first hard-linked to `<name>.prev` (no data is copied, so this works on
a full disk). A run that fails (disk full, a file it cannot write, an error) removes the
tables of contents it wrote and puts the `.prev` files back: the index is the previous
one, file for file. A run that ends well, and the next run after a killed one, remove
every file the current generation does not use (`sweep`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
from pathlib import Path

from whoosh.index import Index, clean_files

from arshif.indexer.storage import store
from arshif.indexer.storage.postings_groups import recorded_files, replaced_files

PREV_SUFFIX = ".prev"
_TOC_TEMP = re.compile(r"_MAIN_[0-9]+\.toc\..+")


def sweep(ix: Index, index_dir: Path, generation: int | None = None) -> None:
    """Remove the files generation `generation` (the latest by default) does not use:
    other tables of contents, other segments' files, unlisted postings groups, segments'
    own postings a listed group holds, temporary files, `.prev` links. Writes nothing,
    so it works on a full disk."""
    if generation is None:
        generation = ix.latest_generation()
    for path in index_dir.iterdir():
        written = store.toc_generation(path.name)
        if written is not None and written > generation:
            path.unlink()
    clean_files(ix.storage, ix.indexname, generation, ix._segments())
    groups = set(recorded_files(index_dir))
    for path in index_dir.iterdir():
        name = path.name
        stale_group = name.startswith("postings-") and name not in groups
        toc_being_written = _TOC_TEMP.fullmatch(name)  # Whoosh's `_MAIN_3.toc.<time>`
        if stale_group or toc_being_written or name.endswith((".tmp", PREV_SUFFIX)):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                path.unlink()
    for path in replaced_files(index_dir):  # postings a listed group holds now
        path.unlink(missing_ok=True)


def _keep(path: Path, prev: Path) -> None:
    """`prev` holds what `path` holds now: a hard link, or a copy where links are not
    supported (some network and FAT file systems)."""
    try:
        os.link(path, prev)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        shutil.copyfile(path, prev)


class Journal:
    """What one run may have changed in `index_dir`, to undo it if the run fails.

    Starting one removes what a killed run left (its commit, if it made one, stands)."""

    def __init__(self, ix: Index, index_dir: Path) -> None:
        self.ix = ix
        self.index_dir = index_dir
        sweep(ix, index_dir)
        self.generation = ix.latest_generation()
        try:
            for name in store.JSON_FILES:
                _keep(index_dir / name, index_dir / (name + PREV_SUFFIX))
        except BaseException:
            for name in store.JSON_FILES:
                (index_dir / (name + PREV_SUFFIX)).unlink(missing_ok=True)
            raise

    def undo(self) -> None:
        """Put the index back as it was when the run started."""
        for name in store.JSON_FILES:
            os.replace(self.index_dir / (name + PREV_SUFFIX), self.index_dir / name)
        sweep(self.ix, self.index_dir, self.generation)

    def finish(self) -> None:
        """The run ended well: drop what it replaced."""
        sweep(self.ix, self.index_dir)
