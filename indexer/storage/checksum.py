"""CRC32 (zlib) of files and byte ranges, and how much opening an index verifies.

Every file arshif writes carries or is listed with a CRC32 of its contents. Opening an
index checks what is cheap: headers, lengths, and the checksums of its smallest files
(`OPEN_CHECK_BYTES` in all); `arshif check` (`indexer.storage.verify`) reads every byte.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

from arshif.indexer.errors import DamagedIndexError, UnreadableIndexError

# Opening an index verifies the checksums of its smallest files, up to this many bytes
# in all (~2 ms); the others by their length, and array files by their header when read.
OPEN_CHECK_BYTES = 2 << 20
NOT_A_FILE = "is not a file (a folder is in its place)"
_CHUNK = 1 << 20


def crc32_file(path: Path, length: int | None = None) -> int:
    """The CRC32 of the first `length` bytes of `path` (all of it by default)."""
    crc = 0
    with path.open("rb") as file:
        left = length
        while left is None or left > 0:
            chunk = file.read(_CHUNK if left is None else min(_CHUNK, left))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            if left is not None:
                left -= len(chunk)
    return crc


def file_size(path: Path) -> int:
    """The size of the regular file `path`; a missing file, a folder in its place or an
    unreadable one is a typed error naming it."""
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise DamagedIndexError(path, "is missing") from exc
    except PermissionError as exc:
        raise UnreadableIndexError(str(path), str(path.parent)) from exc
    if not stat.S_ISREG(st.st_mode):
        raise DamagedIndexError(path, NOT_A_FILE)
    if not os.access(path, os.R_OK):
        raise UnreadableIndexError(str(path), str(path.parent))
    return st.st_size


def verify_file(path: Path, crc: int) -> None:
    """Check every byte of `path` against the CRC32 recorded for it."""
    if crc32_file(path) != crc:
        raise DamagedIndexError(path, "is damaged (its checksum does not match)")
