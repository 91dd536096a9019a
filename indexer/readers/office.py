"""Reporters' copy: Word (`.docx`, by `python-docx`) and OpenDocument (`.odt`, by `odfpy`).

The first heading, or else the first paragraph, is the headline; the other paragraphs,
in document order, are the body. The document's properties give the date (created, or
else last modified) and the author. Both formats are zipped XML in UTF-8.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.record import Origin, make_article

_ENCODING = "utf-8"


def read_docx(path: Path, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One article per Word document, named `origin.id_base`."""
    import docx  # imported on the first Word document

    try:
        document = docx.Document(str(path))
        paragraphs = [(_is_heading(p.style.name if p.style else ""), p.text)
                      for p in document.paragraphs]  # fmt: skip
        properties = document.core_properties
        date, author = properties.created or properties.modified, properties.author or ""
    except Exception as exc:  # zip, zlib, XML and the library's own errors: all "unreadable"
        yield origin.problem(f"not a readable Word document: {exc}")
        return
    yield _article(origin, paragraphs, date, author)


def read_odt(path: Path, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One article per OpenDocument text, named `origin.id_base`."""
    from odf.opendocument import load  # imported on the first OpenDocument file

    try:
        document = load(str(path))
        paragraphs = list(_odt_paragraphs(document.text))
        meta = _odt_meta(document.meta)
    except Exception as exc:  # zip, zlib, XML and the library's own errors: all "unreadable"
        yield origin.problem(f"not a readable OpenDocument text: {exc}")
        return
    date = meta.get("creation-date") or meta.get("date") or ""
    author = meta.get("initial-creator") or meta.get("creator") or ""
    yield _article(origin, paragraphs, date, author)


def _article(
    origin: Origin, paragraphs: list[tuple[bool, str]], date: object, author: str
) -> Article | ReadProblem:
    """Headline and body from (is heading, text) paragraphs in document order."""
    origin = dataclasses.replace(origin, encoding=_ENCODING)
    texts = [(heading, text.strip()) for heading, text in paragraphs if text.strip()]
    if not texts:
        return origin.problem("the document holds no text")
    headline = next((i for i, (heading, _) in enumerate(texts) if heading), 0)
    title = texts[headline][1]
    body = "\n".join(text for i, (_, text) in enumerate(texts) if i != headline)
    return make_article(
        origin, article_id=origin.id_base, title=title, body=body, date=date, author=author
    )


def _is_heading(style: str) -> bool:
    return style.startswith(("Heading", "Title"))


def _odt_paragraphs(node: Any) -> Iterator[tuple[bool, str]]:
    """(is heading, text) of the `text:h` and `text:p` elements under `node`, in order."""
    from odf import teletype
    from odf.namespaces import TEXTNS

    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname in ((TEXTNS, "h"), (TEXTNS, "p")):
            yield qname == (TEXTNS, "h"), teletype.extractText(child)
        elif qname is not None:
            yield from _odt_paragraphs(child)


def _odt_meta(meta: Any) -> dict[str, str]:
    """The document's metadata by local name (`creation-date`, `date`, `creator`…)."""
    from odf import teletype

    return {child.qname[1]: teletype.extractText(child) for child in meta.childNodes
            if getattr(child, "qname", None)}  # fmt: skip
