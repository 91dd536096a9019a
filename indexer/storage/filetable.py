"""`checksums.json`: the size and CRC32 of each of Whoosh's files, recorded by arshif.

Whoosh's files (table of contents `_MAIN_<gen>.toc`, a segment's `.trm`, `.pst`, `.col`,
…) carry no checksum of their own. A commit records its segments' files here before
the table of contents naming them is written (they never change afterwards), then the
table of contents itself. Opening an index compares sizes, and the checksums of the
smallest files (`store.check_on_open`); `arshif check` compares every checksum.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.storage.checksum import crc32_file, file_size
from arshif.indexer.storage.jsonfiles import read_json, write_json

CHECKSUMS_FILE = "checksums.json"
INDEX_NAME = "MAIN"
# arshif's own files beside a segment's: self-checked (`arrayfile`), not listed here.
ARRAY_SUFFIX = ".arr"


def toc_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


def segment_prefix(segment_id: str) -> str:
    """What a segment's file names start with (its id names the index: `MAIN_x3k…`)."""
    return f"{segment_id}."


def _segment_of(name: str) -> str:
    """The segment a file name would belong to (`segment_prefix`: its id has no dot)."""
    return name.partition(".")[0]


def read_table(folder: Path) -> dict[str, list[int]]:
    """File name → [size, CRC32] (empty when the file is absent)."""
    table = read_json(folder / CHECKSUMS_FILE, {})
    files = table.get("files") if isinstance(table, dict) else None
    if not isinstance(files, dict):
        raise DamagedIndexError(folder / CHECKSUMS_FILE, "is damaged (it lists no files)")
    return files


def segment_files(folder: Path, segment_ids: Iterable[str]) -> list[str]:
    """The names of Whoosh's files of these segments present in `folder`."""
    prefixes = tuple(segment_prefix(i) for i in segment_ids)
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.name.startswith(prefixes)
        and not path.name.endswith((ARRAY_SUFFIX, ARRAY_SUFFIX + ".tmp"))
    )


def record(folder: Path, names: Iterable[str]) -> None:
    """Add these files' sizes and checksums (those already listed are kept: Whoosh never
    rewrites a file), and drop the entries of files that are gone."""
    files = {name: entry for name, entry in read_table(folder).items() if (folder / name).exists()}
    for name in names:
        if name not in files:
            path = folder / name
            files[name] = [file_size(path), crc32_file(path)]
    write_json(folder / CHECKSUMS_FILE, {"files": dict(sorted(files.items()))})


def check_files(
    folder: Path, generation: int, segment_ids: Iterable[str]
) -> tuple[list[DamagedIndexError], list[tuple[Path, int, int]]]:
    """What the table shows of Whoosh's files of this generation without reading them (a
    file missing or of another size, a segment with no file listed), and the (path,
    size, CRC32) of the others, to verify as the caller affords. The table of contents
    counts only once recorded (a run killed right after writing it had not recorded it)."""
    table = read_table(folder)
    problems = []
    ids = list(segment_ids)
    with_files = {_segment_of(name) for name in table}
    for segment_id in ids:
        if segment_id not in with_files:
            problems.append(
                DamagedIndexError(folder / CHECKSUMS_FILE, f"lists no file of segment {segment_id}")
            )
    wanted = set(ids)
    listed = []
    for name, (size, crc) in table.items():
        if not (_segment_of(name) in wanted or name == toc_name(generation)):
            continue
        path = folder / name
        try:
            actual = file_size(path)
        except DamagedIndexError as exc:
            problems.append(exc)
            continue
        if actual != size:
            problems.append(DamagedIndexError(path, f"has {actual} bytes, {size} were written"))
        else:
            listed.append((path, size, crc))
    return problems, listed
