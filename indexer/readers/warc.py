"""Web archives (WARC, and the older ARC): every captured HTML page is an article.

- `warcio` parses the records; each HTML `response` (status 200) or `resource` record goes
  through the same extraction as an `.html` file (`html.read_html`), with the record's
  target URI as url, the host as source, and the page's own date or else the capture's.
- Revisits, requests, metadata, non-HTML payloads and other statuses are `Skipped`, each
  named by kind, so the run can say what it passed over.
- A page captured many times is one article, the latest capture, unless its text
  changed: each different text is kept. The articles of a file are therefore held until
  its end (their text only, not the pages).
- A damaged or truncated record is a problem naming its offset; reading resumes at the
  next record found after it (the next gzip member, or the next `WARC/1.x` line).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from arshif.indexer.article import Article, ReadProblem, Skipped
from arshif.indexer.readers.clean import clean_text
from arshif.indexer.readers.encoding import NotTextError, decode
from arshif.indexer.readers.html import read_html
from arshif.indexer.readers.record import Origin

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_STARTS = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
_SCAN_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class _Page:
    """An HTML capture read from a record, before extraction."""

    offset: int
    url: str
    date: str
    html: bytes
    charset: str


def read_warc(path: Path, origin: Origin) -> Iterator[Article | ReadProblem | Skipped]:
    """The articles of one web archive, named `id_base:OFFSET` after their record."""
    latest: dict[tuple[str, str], tuple[str, Article]] = {}  # (url, text) -> (date, article)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, after the records are read
    except OSError as exc:
        yield origin.problem(f"cannot read file: {exc.strerror or exc}")
        return
    with stream:
        for item in _records(stream, origin):
            if not isinstance(item, _Page):
                yield item
                continue
            article = _article(item, origin)
            if not isinstance(article, Article):
                yield article
                continue
            key = (item.url, article.text)
            earlier = latest.get(key)
            if earlier is not None and item.date < earlier[0]:
                yield Skipped(origin.path, "earlier capture", locator=article.locator)
                continue
            latest[key] = (item.date, article)
            if earlier is not None:
                yield Skipped(origin.path, "earlier capture", locator=earlier[1].locator)
    yield from (article for _, article in latest.values())


def _article(page: _Page, origin: Origin) -> Article | ReadProblem:
    where = f"record at offset {page.offset}"
    text, encoding = _decode(page.html, page.charset)
    if text is None:
        return origin.problem(f"{where}: HTML page is binary, not text")
    record_origin = Origin(origin.path, origin.stem, f"{origin.id_base}:{page.offset}", encoding)
    [article] = read_html(text, record_origin)
    if isinstance(article, ReadProblem):
        return origin.problem(f"{where}: {article.message}")
    try:
        host = urlsplit(page.url).hostname or ""
    except ValueError:  # a damaged URL ("http://[") names no host
        host = ""
    return dataclasses.replace(
        article,
        url=page.url,
        source=host.removeprefix("www."),
        date=article.date or _capture_date(page.date),
        locator=where,
    )


def _decode(data: bytes, charset: str) -> tuple[str | None, str]:
    """The page's text: the charset the server declared if it decodes, else detected."""
    if charset:
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return clean_text(data.decode(charset)), charset.lower()
    try:
        text, encoding = decode(data, html=True)
    except NotTextError:
        return None, ""
    return clean_text(text), encoding


def _capture_date(value: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _records(stream: BinaryIO, origin: Origin) -> Iterator[_Page | ReadProblem | Skipped]:
    """Every record from the start; after a damaged one, from the next record found."""
    size = stream.seek(0, io.SEEK_END)
    gz = _starts_gzipped(stream)
    start = 0
    while start < size:
        stream.seek(start)
        end, reported = start, False
        for item in _records_from(stream, origin):
            if isinstance(item, int):
                end = item
            else:
                yield item
            reported = isinstance(item, ReadProblem)
        if end >= size:
            return
        if not reported:  # warcio could not parse the record at `end`
            yield _damaged(origin, end)
        start = _next_record_start(stream, end + 1, gz, size)


def _records_from(stream: BinaryIO, origin: Origin) -> Iterator[Any]:
    """The records readable from the stream's position on, each followed by the offset
    where the next one starts (after the blank lines that end a record).

    Stops at the first record warcio cannot parse (the last offset yielded says where),
    or after one it reports damaged: where warcio would go on from inside a damaged gzip
    member is not where the next record starts.
    """
    from warcio.archiveiterator import ArchiveIterator  # imported on the first web archive

    records = ArchiveIterator(stream, arc2warc=True)
    while True:
        errors = records.err_count
        try:
            # warcio writes its warnings to stderr; they become problems here instead.
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(records, None)
                if record is None:
                    return
                item = _classify(record)
                offset = records.get_record_offset()  # reads the record to its end
                following = records.offset  # set by reading the record to its end
                unread = getattr(record.raw_stream, "limit", 0)
        except Exception:  # warcio raises many kinds on damaged bytes: all mean "damaged here"
            return
        where = f"record at offset {offset}"
        if unread or records.err_count > errors:
            yield _damaged(origin, offset)
            return
        if isinstance(item, Skipped):
            yield dataclasses.replace(item, path=origin.path, locator=where)
        else:
            yield _Page(offset, *item)
        yield following


def _damaged(origin: Origin, offset: int) -> ReadProblem:
    return origin.problem(f"record at offset {offset}: damaged or truncated, skipped")


def _classify(record: Any) -> Skipped | tuple[str, str, bytes, str]:
    """A record's page (url, capture date, HTML, declared charset), or why it is skipped."""
    kind = record.rec_type
    if kind not in ("response", "resource"):
        return Skipped("", kind)
    if kind == "response":
        status = record.http_headers.get_statuscode() if record.http_headers else None
        if status != "200":
            return Skipped("", f"HTTP {status or 'status missing'}")
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    if mime not in _HTML_TYPES:
        return Skipped("", "not HTML", mime or "no content type")
    charset = params.partition("charset=")[2].strip().strip("\"'")
    html = record.content_stream().read()
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    date = record.rec_headers.get_header("WARC-Date") or ""
    return url, date, html, charset


def _starts_gzipped(stream: BinaryIO) -> bool:
    stream.seek(0)
    return stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC


def _next_record_start(stream: BinaryIO, start: int, gz: bool, size: int) -> int:
    """Where the next record begins at or after `start` (`size` if none does)."""
    markers = (_GZIP_MAGIC,) if gz else _WARC_STARTS
    overlap = max(len(marker) for marker in markers) - 1
    position = start
    while position < size:
        stream.seek(position)
        chunk = stream.read(_SCAN_CHUNK + overlap)
        found = [i for marker in markers if (i := chunk.find(marker)) >= 0]
        if found:
            return position + min(found)
        position += _SCAN_CHUNK
    return size
