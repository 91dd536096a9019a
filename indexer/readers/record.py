"""From raw field strings to an `Article`: the same tidying and checks in every reader."""

from __future__ import annotations

from dataclasses import dataclass

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.dates import parse_date
from arshif.indexer.readers.clean import one_line, tidy_body

NO_TEXT = "empty title and body (an article needs a title or a body)"


@dataclass(frozen=True)
class Origin:
    """The file being read: where articles come from and what they are named after."""

    path: str
    stem: str
    id_base: str
    encoding: str

    def problem(self, message: str, line: int | None = None) -> ReadProblem:
        return ReadProblem(self.path, message, line)


def make_article(
    origin: Origin,
    *,
    article_id: str,
    title: str,
    body: str,
    date: object = None,
    source: str = "",
    url: str = "",
    category: str = "",
    author: str = "",
    line: int | None = None,
    locator: str = "",
) -> Article | ReadProblem:
    """Tidy the fields and parse the date; an article with neither title nor body is a problem.

    A date that cannot be read is kept as written in `extra["date"]`. `locator` says
    where in the file the article is (by default its `line`, when there is one).
    """
    title, body = one_line(title), tidy_body(body)
    if not title and not body:
        return origin.problem(NO_TEXT, line)
    if isinstance(date, str):
        date = one_line(date)
    parsed = parse_date(date)
    return Article(
        id=article_id,
        title=title,
        body=body,
        date=parsed,
        source=one_line(source),
        url=url.strip(),
        category=one_line(category),
        author=one_line(author),
        path=origin.path,
        encoding=origin.encoding,
        locator=locator or (f"line {line}" if line is not None else ""),
        extra={"date": str(date)} if date not in (None, "") and parsed is None else {},
    )
