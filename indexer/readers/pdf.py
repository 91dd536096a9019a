"""PDF pages and reports: the text layer, read by `pdfminer.six`, in reading order.

- Lines come out of the text layer as drawn; `visual.logical_lines` turns reversed
  Arabic lines around and replaces presentation forms by letters.
- The first line is the headline, the rest the body; the document's creation date and
  author come from its properties.
- One article per file, or one per page (`by_page`, for a newspaper issue: `id_base:PAGE`).
- A PDF without a text layer (a scan) is a problem saying it needs OCR, never an empty
  article.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.record import Origin, make_article
from arshif.indexer.readers.visual import logical_lines

NO_TEXT_LAYER = "no text layer: needs OCR"
# pdfminer logs every font it cannot measure; a run should not print them.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def read_pdf(
    path: Path, origin: Origin, *, by_page: bool = False
) -> Iterator[Article | ReadProblem]:
    """One article for the file (named `origin.id_base`), or one per page."""
    try:
        pages, info = _pages(path)
    except Exception as exc:  # pdfminer raises many kinds on damaged files, all mean "unreadable"
        yield origin.problem(f"not a readable PDF: {exc or type(exc).__name__}")
        return
    if not any(line.strip() for page in pages for line in page):
        yield origin.problem(NO_TEXT_LAYER)
        return
    fields = {"date": _pdf_date(info.get("CreationDate")), "author": _text(info.get("Author"))}
    if not by_page:
        yield _article(origin, origin.id_base, [line for page in pages for line in page], fields)
        return
    for number, page in enumerate(pages, 1):
        if any(line.strip() for line in page):
            yield _article(origin, f"{origin.id_base}:{number}", page, fields, f"page {number}")


def _article(
    origin: Origin, article_id: str, lines: list[str], fields: dict[str, Any], locator: str = ""
) -> Article | ReadProblem:
    texts = [line for line in logical_lines(lines) if line.strip()] or [""]
    title, body = texts[0], "\n".join(texts[1:])
    return make_article(
        origin, article_id=article_id, title=title, body=body, locator=locator, **fields
    )


def _pages(path: Path) -> tuple[list[list[str]], dict[str, Any]]:
    """The text lines of each page, and the document's information dictionary."""
    from pdfminer.high_level import extract_pages  # imported on the first PDF
    from pdfminer.layout import LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    pages = []
    for layout in extract_pages(path):
        lines = []
        for element in layout:
            if isinstance(element, LTTextContainer):
                for line in element:
                    if isinstance(line, LTTextLine):
                        lines.append(line.get_text().rstrip("\n"))
        pages.append(lines)
    with open(path, "rb") as stream:
        document = PDFDocument(PDFParser(stream))
        info = document.info[0] if document.info else {}
    return pages, info


def _text(value: object) -> str:
    from pdfminer.pdftypes import resolve1

    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            return value.decode("utf-16", errors="replace")
        return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _pdf_date(value: object) -> str:
    """`D:20191205093000+02'00'` as `2019-12-05` ("" when there is none)."""
    digits = _text(value).removeprefix("D:")[:8]
    return (
        f"{digits[:4]}-{digits[4:6]}-{digits[6:]}" if digits.isdigit() and len(digits) == 8 else ""
    )
