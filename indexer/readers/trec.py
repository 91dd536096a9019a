"""TREC-style pseudo-XML: one or many `<DOC>` records a file, as in the ANT corpus.

The files are not well-formed XML (no root, unescaped text, tags left open), so fields
are found with tolerant patterns: a field runs to its closing tag, or else to the next
field's opening tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from indexer.article import Article, ReadProblem
from indexer.readers.record import Origin, make_article

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

_DOC = re.compile(r"<DOC>(.*?)(?:</DOC>|(?=<DOC>)|\Z)", re.DOTALL | re.IGNORECASE)
_NEXT_FIELD = re.compile(rf"</?(?:{_ALL_TAGS}|DOC)>", re.IGNORECASE)
# Markup left inside a field (<P>, <br/>); "<" before a non-Latin letter is text.
_MARKUP = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")


def read_trec(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """Every `<DOC>` of the file; records without `<DOCNO>` are named `id_base:N`.

    A file holding one record whose DOCNO is a fragment of the file name (ANT's broken
    `<DOCNO>92</DOCNO>` in JA-politic-92-20170201.txt) is named after the file.
    """
    docs = _DOC.findall(text)
    if not docs:
        yield origin.problem("no <DOC> record found")
        return
    for number, doc in enumerate(docs, 1):
        fields = {name: _field(doc, tags) for name, tags in TAGS.items()}
        docno = " ".join(fields.pop("id").split())
        if len(docs) == 1:
            broken = bool(docno) and docno != origin.stem and docno in origin.stem
            article_id = origin.stem if broken else docno or origin.id_base
        else:
            article_id = docno or f"{origin.id_base}:{number}"
        abstract = fields.pop("abstract")
        fields["body"] = fields["body"] if fields["body"].strip() else abstract
        article = make_article(origin, article_id=article_id, **fields)
        if isinstance(article, ReadProblem) and len(docs) > 1:
            article = origin.problem(f"record {number}: {article.message}")
        yield article


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
