"""Named numpy arrays in one file, memory-mapped when read.

A small JSON header names each array's dtype, shape and offset; the data follows,
each array aligned to 8 bytes. Reading maps the file once and hands out views, so
opening a large index costs no reading and its pages are shared between processes.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np

MAGIC = b"ARSHIFA1"
_LENGTH = struct.Struct("<Q")
_ALIGN = 8


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` to `path` (via a temporary file, so a reader never sees half)."""
    layout: dict[str, list[object]] = {}
    offset = 0
    for name, array in arrays.items():
        layout[name] = [array.dtype.str, list(array.shape), offset]
        offset = _aligned(offset + array.nbytes)
    header = json.dumps(layout).encode("utf-8")
    start = _aligned(len(MAGIC) + _LENGTH.size + len(header))
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        out.write(MAGIC + _LENGTH.pack(len(header)) + header)
        out.write(b"\0" * (start - out.tell()))
        for array in arrays.values():
            out.write(memoryview(np.ascontiguousarray(array)).cast("B"))
            out.write(b"\0" * (start + _aligned(out.tell() - start) - out.tell()))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a file written by `write_arrays`, as read-only views of a mapping."""
    with path.open("rb") as file:
        head = file.read(len(MAGIC) + _LENGTH.size)
        if head[: len(MAGIC)] != MAGIC:
            raise ValueError(f"{path} is not an arshif array file")
        (length,) = _LENGTH.unpack(head[len(MAGIC) :])
        layout = json.loads(file.read(length))
    start = _aligned(len(MAGIC) + _LENGTH.size + length)
    if path.stat().st_size == start:  # nothing but empty arrays: mmap refuses 0 bytes
        return {name: np.zeros(shape, dtype) for name, (dtype, shape, _) in layout.items()}
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    arrays = {}
    for name, (dtype, shape, offset) in layout.items():
        dt = np.dtype(dtype)
        count = int(np.prod(shape))
        arrays[name] = np.frombuffer(
            mapped, dtype=dt, count=count, offset=start + offset
        ).reshape(shape)
    return arrays
