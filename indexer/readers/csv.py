"""CSV and TSV exports of news sites and datasets: a header row, then one article a row.

Headers are matched to article fields whatever their case, spacing or Arabic spelling
(`Title`, `headline`, `العنوان`, `عنوان`; `نص`, `تاريخ`, `المصدر`, `الرابط`, `القسم`). The
text arrives decoded like any text file; a row that cannot be read is a problem naming
its line, and the rows after it are still read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.jsonl import FIELDS
from arshif.indexer.readers.record import Origin, make_article

_DELIMITERS = (",", ";", "\t", "|")
_SEPARATORS = re.compile(r"[\s_\-.]+")


def header_key(name: str) -> str:
    """A header name as matched: case, spaces and Arabic spelling variants forgiven, and
    the Arabic article "ال" dropped.

    >>> header_key(" Published_At "), header_key("العنوان") == header_key("عنوان")
    ('publishedat', True)
    """
    words = [normalize(word) for word in _SEPARATORS.split(name.strip().lstrip("\ufeff")) if word]
    return "".join(word.removeprefix("ال") if len(word) > 3 else word for word in words)


_FIELD_OF = {header_key(alias): field for field, aliases in FIELDS.items() for alias in aliases}
_RANK = {
    header_key(alias): rank for aliases in FIELDS.values() for rank, alias in enumerate(aliases)
}


def read_csv(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """Every row after the header; rows without an id column are named `id_base:LINE`."""
    delimiter = "\t" if origin.path.lower().endswith((".tsv", ".tsv.gz")) else _delimiter(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows, None)
    except csv.Error as exc:
        yield origin.problem(f"cannot read the header row: {exc}", 1)
        return
    columns = _columns(header or [])
    if "title" not in columns and "body" not in columns:
        names = ", ".join(name for name in header or [] if name.strip()) or "none"
        yield origin.problem(f"no title or body column in the header (columns: {names})", 1)
        return
    line = rows.line_num
    number = 0
    while True:
        start = line + 1
        try:
            row = next(rows, None)
        except csv.Error as exc:
            line = rows.line_num
            yield origin.problem(f"cannot read row: {exc}", start)
            continue
        line = rows.line_num
        if row is None:
            return
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        if len(row) > len(header or []):
            yield origin.problem(
                f"row {number} has {len(row)} fields, the header {len(header or [])}", start
            )
            continue
        yield _article(row, columns, origin, number, start)


def _article(
    row: Sequence[str], columns: dict[str, int], origin: Origin, number: int, line: int
) -> Article | ReadProblem:
    values = {"title": "", "body": ""}
    values |= {field: row[at] if at < len(row) else "" for field, at in columns.items()}
    article_id = values.pop("id", "").strip() or f"{origin.id_base}:{line}"
    return make_article(
        origin, article_id=article_id, line=line, locator=f"row {number} (line {line})", **values
    )


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Article field -> column, the most usual name winning when several match a field."""
    best: dict[str, tuple[int, int]] = {}
    for column, name in enumerate(header):
        key = header_key(name)
        field = _FIELD_OF.get(key)
        if field is not None and (field not in best or _RANK[key] < best[field][0]):
            best[field] = (_RANK[key], column)
    return {field: column for field, (_, column) in best.items()}


def _delimiter(text: str) -> str:
    """The header line's most frequent delimiter (a comma when it has none)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
