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
    path (plus ``:LINE`` inside a JSON Lines file). `path` is the file it came from.
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
