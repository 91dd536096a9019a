"""Readers: turn archive files into `Article` values, whatever their format and encoding.

- `find_files` walks folders for supported files; `read_file` reads one, choosing the
  format by suffix and by sniffing the content, and decompressing `.gz` on the fly.
- Text formats are decoded here first: JSON Lines and TREC files (many articles a file)
  are streamed line by line (`stream`), so memory holds one line or record; the other
  text formats (plain text, HTML, JSON, feeds, CSV) are read whole.
- Binary formats (web archives, Word and OpenDocument files, PDF) are handed the file
  itself: their libraries read the bytes.
- `encoding` turns bytes into text (UTF-8, UTF-16, cp1256, mojibake); `clean` removes
  control characters and scraped page chrome; one module per format builds articles.
- Nothing raises for bad input: what cannot be read becomes a `ReadProblem`, what is
  passed over on purpose (an image in the folder, a revisit record) a `Skipped`, and the
  run goes on.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from arshif.indexer.article import Article, ReadProblem, Skipped
from arshif.indexer.readers.clean import clean_text
from arshif.indexer.readers.csv import read_csv
from arshif.indexer.readers.encoding import Choice, NotTextError, choose, decode
from arshif.indexer.readers.feed import is_feed, read_feed
from arshif.indexer.readers.html import read_html
from arshif.indexer.readers.jsonl import read_json, read_jsonl, read_jsonl_lines
from arshif.indexer.readers.office import read_docx, read_odt
from arshif.indexer.readers.pdf import read_pdf
from arshif.indexer.readers.record import Origin
from arshif.indexer.readers.skips import unsupported_file
from arshif.indexer.readers.stream import (
    HEAD_BYTES,
    STREAM_ERRORS,
    Line,
    open_bytes,
    read_lines,
    stream_error,
)
from arshif.indexer.readers.text import read_text
from arshif.indexer.readers.trec import read_trec, read_trec_lines
from arshif.indexer.readers.warc import read_warc

__all__ = ["SUPPORTED_SUFFIXES", "find_files", "read_file"]

Item = Article | ReadProblem | Skipped
Reader = Callable[[str, Origin], Iterator[Article | ReadProblem]]
LineReader = Callable[[Iterable[Line | ReadProblem], Origin], Iterator[Article | ReadProblem]]
FileReader = Callable[[Path, Origin], Iterator[Item]]

_READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".html": read_html,
    ".htm": read_html,
    ".sgml": read_trec,
    ".sgm": read_trec,
    ".trec": read_trec,
    ".xml": read_trec,
    ".rss": read_feed,
    ".atom": read_feed,
    ".csv": read_csv,
    ".tsv": read_csv,
}
# Binary formats, read by their libraries from the file (a .warc.gz is gzipped per record).
_FILE_READERS: dict[str, FileReader] = {
    ".warc": read_warc,
    ".warc.gz": read_warc,
    ".arc": read_warc,
    ".arc.gz": read_warc,
    ".docx": read_docx,
    ".odt": read_odt,
    ".pdf": read_pdf,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = (
    *_READERS,
    *(suffix + ".gz" for suffix in _READERS),
    *_FILE_READERS,
)
# Formats holding many articles a file, read line by line instead of whole.
_LINE_READERS: dict[Reader, LineReader] = {read_jsonl: read_jsonl_lines, read_trec: read_trec_lines}


def find_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path] | ReadProblem | Skipped]:
    """Yield `(file, root)` for every supported file under `paths`, in sorted order.

    Hidden files and folders, empty files and files of no supported format found in a
    folder are yielded as `Skipped`; each folder is read once (symlink loops end there),
    and a folder that cannot be listed is reported. A file named directly is yielded
    with its parent as root.
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            if _suffix(path):
                yield path, path.parent
            else:
                yield ReadProblem(str(path), f"unsupported file type (expected {_expected()})")
        elif path.is_symlink():
            yield ReadProblem(str(path), "broken symbolic link")
        else:
            yield ReadProblem(str(path), "no such file or folder")


def read_file(path: Path, id_base: str, *, pdf_pages: bool = False) -> Iterator[Item]:
    """Read the articles of one file; what cannot be read is yielded as a ReadProblem,
    records passed over on purpose (in web archives) as `Skipped`.

    Articles without an id of their own are named `id_base`, or `id_base:N` in files
    holding several (N is the line in JSON Lines, the page of a PDF read with
    `pdf_pages`, the record number or offset otherwise).
    """
    suffix = _suffix(path)
    if suffix is None:
        yield ReadProblem(str(path), f"unsupported file type (expected {_expected()})")
        return
    found = False  # an article or a problem: a file yielding neither is a problem too
    for item in _read(path, suffix, id_base, pdf_pages):
        found = found or not isinstance(item, Skipped)
        yield item
    if not found:
        yield ReadProblem(str(path), "no article found in the file")


def _read(path: Path, suffix: str, id_base: str, pdf_pages: bool) -> Iterator[Item]:
    if suffix in _FILE_READERS:
        origin = Origin(str(path), _stem(path), id_base, "")
        if suffix == ".pdf":
            yield from read_pdf(path, origin, by_page=pdf_pages)
        else:
            yield from _FILE_READERS[suffix](path, origin)
        return
    try:
        stream = open_bytes(path)
    except OSError as exc:
        yield ReadProblem(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    with stream:
        yield from _read_stream(stream, path, suffix, id_base)


def _read_stream(
    stream: BinaryIO, path: Path, suffix: str, id_base: str
) -> Iterator[Article | ReadProblem]:
    """Choose the encoding and the reader from the file's head, then stream or read it whole."""
    gz = path.name.lower().endswith(".gz")
    try:
        head = stream.read(HEAD_BYTES)
        stream.seek(0)
    except STREAM_ERRORS as exc:
        yield ReadProblem(str(path), stream_error(exc, gz=gz))
        return
    complete = len(head) < HEAD_BYTES
    if complete and not head.strip():
        yield ReadProblem(str(path), "empty file")
        return
    html = suffix in (".html", ".htm")
    try:
        choice = choose(head, complete=complete, html=html)
    except NotTextError:
        yield ReadProblem(str(path), "binary file, not text")
        return
    origin = Origin(str(path), _stem(path), id_base, choice.name)
    line_reader = _LINE_READERS.get(_sniff(_head_text(head, choice), suffix))
    if line_reader is not None:
        lines = _from_first_text(read_lines(stream, choice, str(path), gz=gz))
        if lines is None:
            yield ReadProblem(str(path), "empty file")
        else:
            yield from line_reader(lines, origin)
        return
    loaded = _load(stream, path, html=html, gz=gz)
    if isinstance(loaded, ReadProblem):
        yield loaded
        return
    text, encoding = loaded
    origin = Origin(str(path), origin.stem, id_base, encoding)
    yield from _sniff(text, suffix)(text, origin)


def _head_text(head: bytes, choice: Choice) -> str:
    codec = "utf-8" if choice.utf8_first else choice.codec
    return clean_text(head.decode(codec, errors="replace"))


def _from_first_text(
    lines: Iterator[Line | ReadProblem],
) -> Iterator[Line | ReadProblem] | None:
    """`lines` from the first one with text on (None if there is none): leading blank
    lines are nothing in any format, and a file of blank lines is an empty file."""
    for line in lines:
        if isinstance(line, ReadProblem) or line.text.strip():
            return itertools.chain([line], lines)
    return None


def _load(stream: BinaryIO, path: Path, *, html: bool, gz: bool) -> tuple[str, str] | ReadProblem:
    """The file's text and encoding; the raw bytes are freed before the records are read."""
    try:
        data = stream.read()
    except STREAM_ERRORS as exc:
        return ReadProblem(str(path), stream_error(exc, gz=gz))
    if not data.strip():
        return ReadProblem(str(path), "empty file")
    try:
        text, encoding = decode(data, html=html)
    except NotTextError:
        return ReadProblem(str(path), "binary file, not text")
    text = clean_text(text)
    if not text.strip():
        return ReadProblem(str(path), "empty file")
    return text, encoding


def _sniff(text: str, suffix: str) -> Reader:
    """The reader for `suffix`, corrected by the content: a .txt may hold TREC or HTML,
    an .xml a feed."""
    if suffix == ".xml" and is_feed(text):
        return read_feed
    if suffix == ".txt":
        head = text.lstrip()[:256].lower()
        if head.startswith("<doc>"):
            return read_trec
        if head.startswith(("<!doctype html", "<html")):
            return read_html
    return _READERS[suffix]


def _suffix(path: Path) -> str | None:
    """The format suffix (`.txt` for both `a.txt` and `a.txt.gz`, `.warc.gz` for itself),
    or None if unsupported."""
    name = path.name.lower()
    if suffix := next((s for s in _FILE_READERS if name.endswith(s)), None):
        return suffix
    name = name.removesuffix(".gz")
    return next((suffix for suffix in _READERS if name.endswith(suffix)), None)


def _stem(path: Path) -> str:
    """The file's name without its format suffix (and `.gz`)."""
    name = path.name
    suffix = _suffix(path) or ""
    if name.lower().endswith(".gz") and not suffix.endswith(".gz"):
        name = name[:-3]
    return name[: -len(suffix)] if suffix else name


def _expected() -> str:
    return ", ".join(_READERS) + " (or the same with .gz), " + ", ".join(_FILE_READERS)


def _walk(root: Path) -> Iterator[tuple[Path, Path] | ReadProblem | Skipped]:
    """Depth-first over `root` without recursion, so deep nesting cannot overflow."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        path = stack.pop()
        if path.name.startswith(".") and path != root:
            yield Skipped(str(path), "hidden")
            continue
        if path.is_file():
            yield _found(path, root)
            continue
        if not path.is_dir():
            if _suffix(path) and path.is_symlink():
                yield ReadProblem(str(path), "broken symbolic link")
            continue
        try:
            identity = (path.stat().st_dev, path.stat().st_ino)
            if identity in seen:
                yield ReadProblem(str(path), "folder already read (symbolic link loop?), skipped")
                continue
            seen.add(identity)
            with os.scandir(path) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            yield ReadProblem(str(path), f"cannot read folder: {exc.strerror or exc}")
            continue
        stack.extend(path / name for name in reversed(names))


def _found(path: Path, root: Path) -> tuple[Path, Path] | Skipped:
    """A file met in a folder: to read, or skipped (no supported format, or empty)."""
    if not _suffix(path):
        return unsupported_file(path)
    try:
        empty = path.stat().st_size == 0
    except OSError:
        empty = False  # reading it will say what is wrong
    return Skipped(str(path), "empty") if empty else (path, root)
