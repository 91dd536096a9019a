"""Typed errors of the index layer; the CLI turns them into messages and exit codes."""

from __future__ import annotations


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
