"""CRC32 (zlib) of files and byte ranges, and how much opening an index verifies.

Every file arshif writes carries or is listed with a CRC32 of its contents. Opening an
index checks what is cheap: headers, lengths, and the checksums of files small enough
to read at once; `arshif check` (`indexer.storage.verify`) reads every byte.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path

from arshif.indexer.errors import DamagedIndexError, UnreadableIndexError

# Files up to this size are verified in full each time an index is opened (a few
# milliseconds); larger ones by their header and length only.
FULL_CHECK_BYTES = 1 << 20
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
