"""Named numpy arrays in one file, memory-mapped when read.

The arrays follow a magic number, each aligned to 8 bytes; a small JSON header naming
each one's dtype, shape and offset comes last, followed by its length. Written last, it
lets a writer put each array down as it is made and forget it (joining postings holds
one field's arrays at a time, not the whole file's). Reading maps the file once and
hands out views, so opening a large index costs no reading and its pages are shared
between processes.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterable
from pathlib import Path

import numpy as np

MAGIC = b"ARSHIFA2"
_LENGTH = struct.Struct("<Q")
_ALIGN = 8


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def write_arrays(path: Path, arrays: Iterable[tuple[str, np.ndarray]]) -> None:
    """Write the (name, array) pairs to `path` as they come (via a temporary file, so a
    reader never sees half)."""
    layout: dict[str, list[object]] = {}
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        out.write(MAGIC)
        for name, array in arrays:
            out.write(b"\0" * (_aligned(out.tell()) - out.tell()))
            layout[name] = [array.dtype.str, list(array.shape), out.tell()]
            out.write(memoryview(np.ascontiguousarray(array)).cast("B"))
        header = json.dumps(layout).encode("utf-8")
        out.write(header + _LENGTH.pack(len(header)))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a file written by `write_arrays`, as read-only views of a mapping."""
    with path.open("rb") as file:
        if file.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not an arshif array file")
        try:
            file.seek(-_LENGTH.size, os.SEEK_END)
            (length,) = _LENGTH.unpack(file.read(_LENGTH.size))
            file.seek(-_LENGTH.size - length, os.SEEK_END)
            layout = json.loads(file.read(length))
        except (OSError, ValueError, struct.error) as error:
            raise ValueError(f"{path} is damaged: its header cannot be read") from error
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    arrays = {}
    for name, (dtype, shape, offset) in layout.items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape))
        arrays[name] = np.frombuffer(mapped, dtype=dt, count=count, offset=offset).reshape(shape)
    return arrays
