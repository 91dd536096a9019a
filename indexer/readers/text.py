"""Plain-text articles: the first non-empty line is the headline, the rest is the body.

Scraped pages often end with their buttons ("اظهر المزيد", "زر الذهاب إلى الأعلى"):
those lines are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers.clean import strip_chrome
from arshif.indexer.readers.record import Origin, make_article


def read_text(text: str, origin: Origin) -> Iterator[Article | ReadProblem]:
    """One article per file, named `origin.id_base`."""
    title, _, body = text.lstrip().partition("\n")
    if not title.strip():
        yield origin.problem("empty file")
        return
    yield make_article(origin, article_id=origin.id_base, title=title, body=strip_chrome(body))
