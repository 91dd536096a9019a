"""News feeds (RSS 0.9x/1.0/2.0 and Atom): each item is an article.

`feedparser` reads the feed; an item's fullest text (its content, or else its summary) is
the body with the markup removed, its `pubDate`/`updated` the date, its link the url, the
channel's title the source and its categories the category. Nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.record import Origin, make_article

# The root element of a feed, after an XML declaration, comments or a doctype.
_FEED_ROOT = re.compile(r"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(?:rss|feed|rdf:RDF)\b",
                        re.DOTALL | re.IGNORECASE)  # fmt: skip
# Elements that end a line of text.
_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
                     "blockquote", "section", "article", "figcaption"})  # fmt: skip


def is_feed(text: str) -> bool:
    """Whether an XML text is a feed (its root is `rss`, `feed` or `rdf:RDF`).

    >>> is_feed('<?xml version="1.0"?>\\n<rss version="2.0"><channel/></rss>')
    True
    >>> is_feed("<DOC><DOCNO>1</DOCNO></DOC>")
    False
    """
    return _FEED_ROOT.match(text[:4096]) is not None


def read_feed(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """Every item of the feed, named `id_base:N` (N counts items from 1)."""
    import feedparser  # imported on the first feed: most archives hold none

    # Text, not the file's bytes: arshif has chosen the encoding already, so the
    # XML declaration's is overridden (the stream stops feedparser opening paths or URLs).
    try:
        parsed = feedparser.parse(
            io.BytesIO(text.encode("utf-8")),
            response_headers={"content-type": "application/xml; charset=utf-8"},
        )
    except Exception as exc:  # feedparser's own bugs on broken feeds: the feed is unreadable
        yield origin.problem(f"not a readable feed: {exc}")
        return
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        yield origin.problem(f"no feed item found{reason}")
        return
    source = parsed.feed.get("title", "")
    for number, entry in enumerate(parsed.entries, 1):
        article = make_article(
            origin,
            article_id=f"{origin.id_base}:{number}",
            title=_text(entry.get("title")),
            body=_fullest(entry),
            date=_date(entry),
            source=_text(source),
            url=entry.get("link") or "",
            category=", ".join(tag.term for tag in entry.get("tags", []) if tag.get("term")),
            author=_text(entry.get("author")),
            locator=f"item {number}",
        )
        if isinstance(article, ReadProblem):
            article = origin.problem(f"item {number}: {article.message}")
        yield article


def _fullest(entry: Any) -> str:
    """The longest of the item's texts (full content over a teaser), as plain text."""
    texts = [part.get("value") for part in entry.get("content", [])]
    texts.append(entry.get("summary"))
    return max((_text(text) for text in texts), key=len)


def _date(entry: Any) -> dt.date | str:
    # The plain dict: feedparser's own lookups alias `updated` to `published` with a warning.
    fields = dict(entry)
    for name in ("published", "updated", "created"):
        parsed = fields.get(f"{name}_parsed")
        if parsed:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return fields.get("published") or fields.get("updated") or ""


def _text(markup: str | None) -> str:
    """Text without markup: block elements end lines, entities are decoded."""
    parser = _TextParser()
    parser.feed(markup or "")
    parser.close()
    return "".join(parser.parts)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
