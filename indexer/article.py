"""The article model every reader produces and the index stores.

Readers turn files into `Article` values and report what they could not read as
`ReadProblem` values; neither knows anything of Whoosh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article as read from an archive file.

    `id` is the article's own identifier when the file gives one, else the file's
    path (plus ``:LINE`` inside a JSON Lines file). `path` is the file it came from,
    `locator` the place inside it.
    """

    id: str
    title: str
    body: str
    date: dt.date | None = None
    source: str = ""
    url: str = ""
    category: str = ""
    author: str = ""
    path: str = ""
    encoding: str = ""
    # Where in `path` the article is, for files holding many: "record at offset 1204",
    # "page 3", "row 17", "line 5"; empty when the file is the article.
    locator: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        """Headline and body as one text, the way ranking reads an article."""
        return f"{self.title}\n{self.body}" if self.title else self.body


@dataclass(frozen=True)
class ReadProblem:
    """A file, or a line of one, that could not be read; the run goes on without it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Skipped:
    """A file, or a record of one, passed over on purpose: not an error, but never silent.

    `kind` groups skips in the run's summary ("image", "unknown", "empty", "revisit",
    "HTTP 404"); `detail` tells them apart within a kind (".jpg", "image/jpeg");
    `locator` is the record's place in a file that holds many.
    """

    path: str
    kind: str
    detail: str = ""
    locator: str = ""

    @property
    def reason(self) -> str:
        return f"{self.kind} ({self.detail})" if self.detail else self.kind
