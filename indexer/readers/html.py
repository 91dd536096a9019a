"""HTML pages: the article's text and metadata, without the page around it.

`trafilatura` finds the article (title, date, author, body, sitename); pages it gives up
on fall back to `<title>` plus the visible `<p>` text. Chrome lines are dropped after.
Nothing is ever fetched: the page is read from the file alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.clean import one_line, strip_chrome
from arshif.indexer.readers.record import Origin, make_article

# Elements whose text is page furniture, not the article.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "nav", "header", "footer",
                      "aside", "form", "button", "svg", "select"})  # fmt: skip
# Containers tracked to know what a paragraph sits in.
_CONTAINERS = _SKIPPED | {"title", "div", "section", "article", "main", "ul", "ol", "figure"}
# class/id words of share bars, cookie banners and "related stories" boxes.
_FURNITURE = re.compile(
    r"share|social|cookie|consent|related|newsletter|comment|advert|promo|banner|breadcrumb|menu",
    re.IGNORECASE,
)


def read_html(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One article per page, named `origin.id_base`."""
    fields = _extract(text) or _paragraphs(text)
    body = strip_chrome(fields.pop("body"))
    # trafilatura repeats the <h1> headline as the first line of the text.
    first, _, rest = body.partition("\n")
    if fields["title"] and one_line(first) == one_line(fields["title"]):
        body = rest
    yield make_article(origin, article_id=origin.id_base, body=body, **fields)


def _extract(text: str) -> dict[str, str] | None:
    # Imported here: trafilatura takes 0.4 s to import and most archives hold no HTML.
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            # Recall mode glues "related stories" links onto short articles.
            favor_precision=True,
            # Only dates the page states: the extensive search guesses from "© 2018".
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # whatever breaks inside the extractor, the fallback still reads the page
        return None
    if doc is None or not (doc.text or "").strip():
        return None
    return {
        "title": doc.title or "",
        "body": doc.text,
        "date": doc.date or "",
        "author": doc.author or "",
        "url": doc.url or "",
        "source": doc.sitename or "",
    }


def _paragraphs(text: str) -> dict[str, str]:
    parser = _ParagraphParser()
    parser.feed(text)
    parser.close()
    return {"title": "".join(parser.title), "body": "\n".join(parser.paragraphs)}


class _ParagraphParser(HTMLParser):
    """Collects `<title>` and the `<p>` text outside navigation, share bars and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.paragraphs: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, is furniture)
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self._flush()
            if not self._in_furniture():
                self._current = []
        elif tag in _CONTAINERS:
            names = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
            self._open.append((tag, tag in _SKIPPED or bool(_FURNITURE.search(names))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._flush()
        elif any(name == tag for name, _ in self._open):
            while self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][0] == "title":
            self.title.append(data)
        elif self._current is not None and not self._in_furniture():
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        if self._current is not None and (paragraph := one_line("".join(self._current))):
            self.paragraphs.append(paragraph)
        self._current = None

    def _in_furniture(self) -> bool:
        return any(furniture for _, furniture in self._open)
