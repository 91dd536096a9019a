"""Typed errors of the index layer; the CLI turns them into messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class ArshifError(Exception):
    """Base class: the message names the problem and what to do about it."""


class NoIndexError(ArshifError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(f'no index at {index_dir}. Run "arshif index FOLDER" first.')


class IncompatibleIndexError(ArshifError):
    def __init__(self, index_dir: str, reason: str) -> None:
        super().__init__(
            f"the index at {index_dir} cannot be used ({reason}). "
            f'Rebuild it with "arshif index --rebuild FOLDER".'
        )


class NewerIndexError(ArshifError):
    """An index written by a later arshif: neither read nor rebuilt (that would lose it)."""

    def __init__(self, index_dir: str, version: int, supported: int) -> None:
        super().__init__(
            f"the index at {index_dir} was written by a newer version of arshif (format "
            f"{version}; this one reads format {supported}). Upgrade arshif "
            f'("pip install --upgrade arshif"), or use another --index folder.'
        )


class DamagedIndexError(ArshifError):
    """A file of the index is missing, truncated, altered or not a file: `what` says which."""

    def __init__(self, path: Path | str, what: str) -> None:
        path = Path(path)
        self.path = path
        self.what = what
        super().__init__(
            f"the index file {path} {what}. Run "
            f'"arshif check --repair --index {path.parent}" to rebuild the index from '
            f"the archive's files."
        )


class UnreadableIndexError(ArshifError):
    def __init__(self, path: str, index_dir: str) -> None:
        super().__init__(
            f"cannot read {path}: permission denied. Give your user access to the index "
            f'with "chmod -R u+rwX {index_dir}" (or run arshif as its owner).'
        )


class DiskFullError(ArshifError):
    def __init__(self, index_dir: str, free_bytes: int) -> None:
        super().__init__(
            f"the disk holding {index_dir} is full ({free_bytes / 1e6:.1f} MB free); "
            f"nothing was changed. Free space and run again."
        )


class IndexWriteError(ArshifError):
    """Writing the index failed for another reason than a full disk (permissions, …)."""

    def __init__(self, index_dir: str, reason: str) -> None:
        super().__init__(
            f"cannot write the index at {index_dir} ({reason}); nothing was changed. "
            f"Make the folder and its files writable by your user, then run again."
        )


class IndexAccessError(ArshifError):
    """An operating-system error reading or writing a file that no check foresaw."""

    def __init__(self, exc: OSError) -> None:
        what = exc.filename or "a file of the index"
        super().__init__(
            f"cannot use {what} ({exc.strerror or exc}). Check that your user may read and "
            f'write it and that its disk is sound; "arshif check" verifies an index.'
        )


class UnsafeIndexError(ArshifError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"refusing to open {path}: it is writable by other users, and opening an index "
            f'runs code stored in it. Run "chmod -R go-w {path}" if you trust it.'
        )


class IndexBusyError(ArshifError):
    def __init__(self, index_dir: str) -> None:
        super().__init__(
            f"another arshif index run is writing to {index_dir}. "
            "Wait for it to finish, then run this again."
        )


class IndexIntegrityError(ArshifError):
    """A commit did not hold the documents it should: never let that pass silently."""
