"""Large files read piece by piece: bytes in, numbered, decoded, cleaned lines out.

- The encoding is chosen once, from the file's first 64 KB (`encoding.choose`); each line
  is then decoded on its own, so memory holds one line, never the whole file.
- In an ASCII-compatible file every line is tried as strict UTF-8 first; a line that is
  not UTF-8 is decoded with the file's code page, or, in a file that began as UTF-8, with
  the code page detected on that line (archives glued together from several tools), and
  that choice then sticks for the rest of the file.
- Lines are cleaned like whole files (`clean_text`) and numbered as an editor numbers
  them (a lone CR ends a line too). A read or gzip error mid-file ends the file with a
  problem naming the line it stopped in; what came before is kept.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from arshif.indexer.article import ReadProblem
from arshif.indexer.readers.clean import clean_text
from arshif.indexer.readers.encoding import Choice, detect_codepage, repair_mojibake

HEAD_BYTES = 64 * 1024
# A longer line is no article: it is reported and skipped, so memory stays bounded.
MAX_LINE_BYTES = 32 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024

STREAM_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class Line:
    """One line of text, without its line end, and the encoding that decoded it."""

    number: int
    text: str
    encoding: str


class _TooLong:
    """Marks a raw line longer than MAX_LINE_BYTES, skipped unread."""


_TOO_LONG = _TooLong()


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes as a stream, decompressed on the fly for `.gz` (raises OSError)."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # the caller closes it


def stream_error(exc: BaseException, *, gz: bool) -> str:
    """The message for an error met while reading a file's bytes."""
    if gz and not (isinstance(exc, OSError) and exc.errno is not None):
        return f"cannot decompress gzip file: {exc}"
    return f"cannot read file: {getattr(exc, 'strerror', None) or exc}"


def read_lines(
    stream: BinaryIO, choice: Choice, path: str, *, gz: bool = False
) -> Iterator[Line | ReadProblem]:
    """Every line of `stream` (positioned at its start), decoded as `choice` says.

    >>> import io
    >>> from indexer.readers.encoding import choose
    >>> data = "خبر\\r\\n".encode("cp1256") + "عاجل\\n".encode()
    >>> [line.text for line in read_lines(io.BytesIO(data), choose(data, complete=True), "a")]
    ['خبر', 'عاجل']
    """
    number = 0
    # The code page for lines that are not UTF-8 (None: detect it on the first such line).
    fallback = None if choice.utf8_first and choice.codec == "utf-8" else choice.codec
    raw_lines = _raw_lines(stream) if choice.ascii_compatible else _text_lines(stream, choice)
    try:
        for raw in raw_lines:
            if raw is _TOO_LONG:
                number += 1
                yield ReadProblem(path, f"line longer than {_mb(MAX_LINE_BYTES)}, skipped", number)
                continue
            if isinstance(raw, str):
                text, encoding = raw, choice.name
            else:
                text, encoding, fallback = _decode_line(raw, choice, fallback)
            pieces = clean_text(text).split("\n")
            if len(pieces) > 1 and not pieces[-1]:
                pieces.pop()  # the line's own end
            for piece in pieces:
                number += 1
                yield Line(number, piece, encoding)
    except STREAM_ERRORS as exc:
        yield ReadProblem(path, stream_error(exc, gz=gz), number + 1)  # the line it stopped in


def _decode_line(raw: bytes, choice: Choice, fallback: str | None) -> tuple[str, str, str | None]:
    """(text, encoding, fallback code page from now on) for one raw line."""
    if raw.isascii():
        return raw.decode("ascii"), choice.name, fallback
    if choice.utf8_first:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return (repair_mojibake(text) if choice.repair else text), "utf-8", fallback
    if fallback is None:
        fallback = detect_codepage(raw)
    text = raw.decode(fallback, errors="replace")
    if choice.repair:
        text = repair_mojibake(text)
    return text, choice.name if fallback == choice.codec else fallback, fallback


def _raw_lines(stream: BinaryIO) -> Iterator[bytes | _TooLong]:
    """Lines as bytes, split at LF (right for every ASCII-compatible encoding)."""
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield _TOO_LONG
            continue
        yield raw


def _text_lines(stream: BinaryIO, choice: Choice) -> Iterator[str | _TooLong]:
    """Lines of a UTF-16 file, decoded incrementally (its LF is two bytes)."""
    text = io.TextIOWrapper(stream, encoding=choice.codec, errors="replace", newline="\n")
    limit = MAX_LINE_BYTES // 2
    try:
        while line := text.readline(limit + 1):
            if len(line) > limit and not line.endswith("\n"):
                while (rest := text.readline(_SKIP_CHUNK)) and not rest.endswith("\n"):
                    pass
                yield _TOO_LONG
                continue
            yield line
    finally:
        text.detach()  # the stream is its opener's to close


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"
