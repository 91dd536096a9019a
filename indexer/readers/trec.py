"""TREC-style pseudo-XML: one or many `<DOC>` records a file, as in the ANT corpus.

The files are not well-formed XML (no root, unescaped text, tags left open), so fields
are found with tolerant patterns: a field runs to its closing tag, or else to the next
field's opening tag.
Records are cut out of the lines as they are read, so a file of many `<DOC>` takes the
memory of one record.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterable, Iterator

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.record import Origin, make_article
from arshif.indexer.readers.stream import Line

# Article field -> tag names, preferred first.
TAGS: dict[str, tuple[str, ...]] = {
    "id": ("DOCNO",),
    "title": ("TITLE", "HEADLINE", "HEAD"),
    "body": ("TEXT", "BODY"),
    "abstract": ("ABSTRACT",),
    "date": ("DATE", "TIME", "DATE_TIME", "PUBDATE"),
    "source": ("SRC", "SOURCE"),
    "url": ("URL",),
    "category": ("CAT", "CATEGORY"),
    "author": ("AUTHOR", "BYLINE"),
}
_ALL_TAGS = "|".join(tag for tags in TAGS.values() for tag in tags)

# A record runs from <DOC> to </DOC>, or to the next <DOC>, or to the end of the file.
_DOC_START = re.compile(r"<DOC>", re.IGNORECASE)
_DOC_END = re.compile(r"</DOC>|<DOC>", re.IGNORECASE)
_NEXT_FIELD = re.compile(rf"</?(?:{_ALL_TAGS}|DOC)>", re.IGNORECASE)
# Markup left inside a field (<P>, <br/>); "<" before a non-Latin letter is text.
_MARKUP = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")


def read_trec(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """Every `<DOC>` of the file; records without `<DOCNO>` are named `id_base:N`.

    A file holding one record whose DOCNO is a fragment of the file name (ANT's broken
    `<DOCNO>92</DOCNO>` in JA-politic-92-20170201.txt) is named after the file.
    """
    lines = (Line(n, line, origin.encoding) for n, line in enumerate(text.split("\n"), 1))
    yield from read_trec_lines(lines, origin)


def read_trec_lines(
    lines: Iterable[Line | ReadProblem], origin: Origin
) -> Iterator[Article | ReadProblem]:
    """`read_trec` over lines as they are read; a record is held back until the next one
    starts, to know whether the file holds one record or several."""
    held: tuple[str, str] | None = None
    number = 0
    for item in _records(lines, origin):
        if isinstance(item, ReadProblem):
            yield item
            continue
        number += 1
        if held is not None:
            yield _record_article(*held, origin, number - 1, single=False)
        held = item
    if held is None:
        yield origin.problem("no <DOC> record found")
    else:
        yield _record_article(*held, origin, number, single=number == 1)


def _records(
    lines: Iterable[Line | ReadProblem], origin: Origin
) -> Iterator[tuple[str, str] | ReadProblem]:
    """(record text, encoding) of every `<DOC>` as soon as its end is read."""
    parts: list[str] | None = None  # the open record's text, None outside a record
    encoding = origin.encoding
    for line in lines:
        if isinstance(line, ReadProblem):
            yield line
            continue
        text, pos = line.text + "\n", 0
        if parts is not None and line.encoding != origin.encoding:
            encoding = line.encoding  # a record holding a line in another encoding records it
        while True:
            if parts is None:
                start = _DOC_START.search(text, pos)
                if start is None:
                    break
                parts, pos, encoding = [], start.end(), line.encoding
            end = _DOC_END.search(text, pos)
            if end is None:
                parts.append(text[pos:])
                break
            parts.append(text[pos : end.start()])
            yield "".join(parts), encoding
            parts = None
            # After </DOC> go on behind it; a <DOC> that ends a record also starts the next.
            pos = end.end() if end.group().startswith("</") else end.start()
    if parts is not None:
        yield "".join(parts), encoding


def _record_article(
    doc: str, encoding: str, origin: Origin, number: int, *, single: bool
) -> Article | ReadProblem:
    if encoding != origin.encoding:
        origin = dataclasses.replace(origin, encoding=encoding)
    fields = {name: _field(doc, tags) for name, tags in TAGS.items()}
    docno = " ".join(fields.pop("id").split())
    if single:
        broken = bool(docno) and docno != origin.stem and docno in origin.stem
        article_id = origin.stem if broken else docno or origin.id_base
    else:
        article_id = docno or f"{origin.id_base}:{number}"
    abstract = fields.pop("abstract")
    fields["body"] = fields["body"] if fields["body"].strip() else abstract
    locator = "" if single else f"record {number}"
    article = make_article(origin, article_id=article_id, locator=locator, **fields)
    if isinstance(article, ReadProblem) and not single:
        article = origin.problem(f"record {number}: {article.message}")
    return article


def _field(doc: str, tags: tuple[str, ...]) -> str:
    """The first non-empty field among `tags`, markup removed and entities decoded."""
    for tag in tags:
        opening = re.search(rf"<{tag}(?:\s[^>]*)?>", doc, re.IGNORECASE)
        if opening is None:
            continue
        start = opening.end()
        closing = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(doc, start)
        end = closing or _NEXT_FIELD.search(doc, start)
        value = doc[start : end.start() if end else len(doc)]
        if value := html.unescape(_MARKUP.sub(" ", value)).strip():
            return value
    return ""
