"""Named numpy arrays in one file, memory-mapped when read, with a CRC32 of the whole.

Layout: the magic number `ARSHIFA3` (format and version), the arrays each aligned to 8
bytes, a small JSON header naming each one's dtype, shape and offset, then a trailer:
the header's length, the CRC32 of every byte before the checksum, and an end mark.
Written last, the header lets a writer put each array down as it is made and forget it
(joining postings holds one field's arrays at a time, not the whole file's). Reading
maps the file once and hands out views, so opening a large index costs no reading and
its pages are shared between processes. Files written apart (a join's parts, made in
several processes) are put together by copying their bytes (`concatenate_arrays`), each
checked against its checksum on the way.

Reading checks the magic number, the trailer and that every array lies inside the
file; `verify_arrays` checks every byte against the checksum (opening an index does for
its smallest files, `arshif check` for all).
"""

from __future__ import annotations

import errno
import json
import math
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.storage.atomic import replacing
from arshif.indexer.storage.checksum import crc32_file, file_size

MAGIC = b"ARSHIFA3"
END = b"ARSE"
_TRAILER = struct.Struct("<QI4s")  # header length, CRC32, end mark
_CRC_AT = 8  # the CRC32 covers every byte before it: all but the trailer's last 8
_ALIGN = 8
_COPY_BLOCK = 1 << 20


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


class _ChecksummedWriter:
    """A binary file that keeps the CRC32 of what was written to it."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.crc = 0
        self.position = 0

    def write(self, data: bytes | memoryview) -> None:
        self.out.write(data)
        self.crc = zlib.crc32(data, self.crc)
        self.position += len(data)


def write_arrays(path: Path, arrays: Iterable[tuple[str, np.ndarray]]) -> None:
    """Write the (name, array) pairs to `path` as they come (via a temporary file, so a
    reader never sees half)."""
    layout: dict[str, list[object]] = {}
    with replacing(path) as file:
        out = _ChecksummedWriter(file)
        out.write(MAGIC)
        for name, array in arrays:
            out.write(b"\0" * (_aligned(out.position) - out.position))
            layout[name] = [array.dtype.str, list(array.shape), out.position]
            out.write(memoryview(np.ascontiguousarray(array)).cast("B"))
        _finish(out, layout)


def _finish(out: _ChecksummedWriter, layout: dict[str, list[object]]) -> None:
    """The header and the trailer, whose CRC32 covers every byte before it."""
    header = json.dumps(layout).encode("utf-8")
    out.write(header + _TRAILER.pack(len(header), 0, END)[:_CRC_AT])
    out.out.write(_TRAILER.pack(0, out.crc, END)[_CRC_AT:])


def concatenate_arrays(path: Path, parts: Iterable[Path]) -> None:
    """Write the arrays of the files `parts` (each from `write_arrays`, no name in two)
    to `path` as one file, copying their bytes a block at a time: a join made in
    several processes is put together without mapping what they wrote."""
    layout: dict[str, list[object]] = {}
    with replacing(path) as file:
        out = _ChecksummedWriter(file)
        out.write(MAGIC)
        for part in parts:
            size = file_size(part)
            part_layout, crc, data_end = _layout(part, size)
            out.write(b"\0" * (_aligned(out.position) - out.position))
            shift = out.position - len(MAGIC)
            for name, (dtype, shape, offset) in part_layout.items():
                if name in layout:
                    raise ValueError(f"{part} holds {name} again")
                layout[name] = [dtype, shape, offset + shift]
            with part.open("rb") as source:
                part_crc = zlib.crc32(source.read(len(MAGIC)))
                for block in _blocks(source, data_end - len(MAGIC)):
                    out.write(block)
                    part_crc = zlib.crc32(block, part_crc)
                for block in _blocks(source, size - _CRC_AT - data_end):
                    part_crc = zlib.crc32(block, part_crc)
            if part_crc != crc:  # damaged since it was written: not copied on
                raise DamagedIndexError(part, "is damaged (its checksum does not match)")
        _finish(out, layout)


def _blocks(source: BinaryIO, count: int) -> Iterator[bytes]:
    """The next `count` bytes of `source`, a block at a time."""
    while count > 0:
        block = source.read(min(count, _COPY_BLOCK))
        if not block:
            raise DamagedIndexError(Path(source.name), "is truncated")
        yield block
        count -= len(block)


def _layout(path: Path, size: int) -> tuple[dict[str, list], int, int]:
    """The header of the array file `path`, its stored CRC32 and where the header begins
    (where the arrays end), after the cheap checks."""
    if size < len(MAGIC) + _TRAILER.size:
        raise DamagedIndexError(path, f"is truncated ({size} bytes)")
    with path.open("rb") as file:
        if file.read(len(MAGIC)) != MAGIC:
            raise DamagedIndexError(path, "is not an arshif array file of this version")
        file.seek(size - _TRAILER.size)
        length, crc, end = _TRAILER.unpack(file.read(_TRAILER.size))
        if end != END or length > size - len(MAGIC) - _TRAILER.size:
            raise DamagedIndexError(path, "is truncated or damaged (its trailer is wrong)")
        file.seek(size - _TRAILER.size - length)
        try:
            layout = json.loads(file.read(length))
        except ValueError as exc:
            raise DamagedIndexError(path, "is damaged (its header cannot be read)") from exc
    header_at = size - _TRAILER.size - length
    try:
        for dtype, shape, offset in layout.values():
            end = offset + np.dtype(dtype).itemsize * math.prod(shape)
            if offset < len(MAGIC) or end > header_at:
                raise DamagedIndexError(path, "is damaged (an array lies outside it)")
    except (TypeError, ValueError, AttributeError) as exc:
        raise DamagedIndexError(path, "is damaged (its header is wrong)") from exc
    return layout, crc, header_at


def verify_arrays(path: Path) -> None:
    """Check every byte of an array file against its checksum (DamagedIndexError if not)."""
    size = file_size(path)
    _, crc, _ = _layout(path, size)
    if crc32_file(path, size - _CRC_AT) != crc:
        raise DamagedIndexError(path, "is damaged (its checksum does not match)")


def read_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a file written by `write_arrays`, as read-only views of a mapping.

    A missing file is a FileNotFoundError (a commit may have just removed it: the caller
    decides); any other damage the cheap checks see is a DamagedIndexError."""
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(errno.ENOENT, "No such file", str(path))
    layout, _, _ = _layout(path, file_size(path))
    mapped = np.memmap(path, dtype=np.uint8, mode="r")
    arrays = {}
    for name, (dtype, shape, offset) in layout.items():
        dt = np.dtype(dtype)
        count = math.prod(shape)
        arrays[name] = np.frombuffer(mapped, dtype=dt, count=count, offset=offset).reshape(shape)
    return arrays
