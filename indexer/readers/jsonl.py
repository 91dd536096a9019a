"""JSON articles: `.json` holds one object or a list of them, `.jsonl` one object a line.

Field names are matched case-insensitively, with common aliases (`headline`, `content`,
`published`, `link`…); only a title or a body is required.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.record import Origin, make_article
from arshif.indexer.readers.stream import Line

# Article field -> accepted names, preferred first (Arabic ones for CSV headers).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "docno", "doc_id", "article_id"),
    "title": ("title", "headline", "عنوان"),
    "body": ("body", "text", "content", "article", "نص", "محتوى", "متن"),
    "date": ("date", "published", "published_at", "pubdate", "datetime", "time", "تاريخ"),
    "source": ("source", "outlet", "sitename", "site", "publisher", "مصدر", "صحيفة"),
    "url": ("url", "link", "رابط"),
    "category": ("category", "section", "cat", "قسم", "تصنيف", "فئة"),
    "author": ("author", "authors", "byline", "كاتب", "مؤلف"),
}


def read_json(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One object, or a list whose records are named `id_base:N` when they carry no id.

    A `.json` file that is really JSON Lines is read as such.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            yield from read_jsonl(text, origin)
        else:
            yield origin.problem(_invalid(exc), exc.lineno)
        return
    except RecursionError:
        yield origin.problem("invalid JSON: nested too deeply")
        return
    if isinstance(data, list):
        for number, record in enumerate(data, 1):
            yield _article(record, origin, f"{origin.id_base}:{number}", f"record {number}: ")
    else:
        yield _article(data, origin, origin.id_base)


def read_jsonl(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One object a line, named `id_base:LINE` when it carries no id; blank lines skipped."""
    lines = (Line(n, line, origin.encoding) for n, line in enumerate(text.split("\n"), 1))
    yield from read_jsonl_lines(lines, origin)


def read_jsonl_lines(
    lines: Iterable[Line | ReadProblem], origin: Origin
) -> Iterator[Article | ReadProblem]:
    """`read_jsonl` over lines as they are read, so a file of any size takes one line of memory.

    A line decoded in another encoding than the file's first lines records its own.
    """
    for line in lines:
        if isinstance(line, ReadProblem):
            yield line
            continue
        if not line.text.strip():
            continue
        number = line.number
        try:
            record = json.loads(line.text)
        except json.JSONDecodeError as exc:
            yield origin.problem(_invalid(exc, with_line=False), number)
            continue
        except RecursionError:
            yield origin.problem("invalid JSON: nested too deeply", number)
            continue
        where = origin
        if line.encoding != origin.encoding:
            where = dataclasses.replace(origin, encoding=line.encoding)
        yield _article(record, where, f"{origin.id_base}:{number}", line=number)


def _invalid(exc: json.JSONDecodeError, *, with_line: bool = True) -> str:
    where = f"line {exc.lineno} column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"invalid JSON: {exc.msg.removesuffix(' at')} at {where}"


def _article(
    record: object, origin: Origin, fallback_id: str, prefix: str = "", line: int | None = None
) -> Article | ReadProblem:
    if not isinstance(record, Mapping):
        return origin.problem(f"{prefix}expected a JSON object, got {_kind(record)}", line)
    fields = {str(key).casefold(): value for key, value in record.items()}
    values = {name: _first(fields, aliases) for name, aliases in FIELDS.items()}
    if values["title"] is None and values["body"] is None:
        return origin.problem(
            f'{prefix}missing field "body" (an article needs a title or a body)', line
        )
    raw_id = values.pop("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, type(None))):
        return origin.problem(f'{prefix}field "id" must be a string or an integer', line)
    date = values.pop("date")
    text = {name: _text(value) for name, value in values.items()}
    article_id = str(raw_id).strip() if raw_id is not None else ""
    return make_article(origin, article_id=article_id or fallback_id, date=date, line=line, **text)


def _first(fields: Mapping[str, object], aliases: tuple[str, ...]) -> object:
    return next((fields[name] for name in aliases if fields.get(name) is not None), None)


def _text(value: object) -> str:
    """Field text: numbers as written, lists of paragraphs joined, `{"name": …}` by name."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        return "\n".join(filter(None, map(_text, value)))
    if isinstance(value, Mapping):
        return _text(value.get("name"))
    return ""


def _kind(value: object) -> str:
    names = {list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")
