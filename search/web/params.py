"""A search as the page and the API take it: the CLI's options as query-string parameters.

The whole state of a page is in its URL, so every page can be shared and bookmarked;
`SearchParams.link` writes the URL of the same search with some parameters changed.
Limits keep one request from costing the server more than a person could want:
results past the first `MAX_RESULTS` are not served (narrow the search instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from arshif.indexer.dates import parse_date_bound
from arshif.search.engine import SORTS, Filters
from arshif.search.errors import BadParameterError

MAX_QUERY_CHARS = 1000
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_RESULTS = 10_000


def check_text(name: str, text: str) -> str:
    """`text` itself, if it is short enough to be a query."""
    if len(text) > MAX_QUERY_CHARS:
        raise BadParameterError(
            name, f"{len(text):,} characters is longer than the {MAX_QUERY_CHARS:,} allowed"
        )
    return text


def check_paging(page: int, per_page: int) -> None:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise BadParameterError("n", f"results per page must be 1 to {MAX_PER_PAGE}")
    if not 1 <= page <= MAX_PAGE:
        raise BadParameterError("page", f"pages are numbered 1 to {MAX_PAGE}")
    if page * per_page > MAX_RESULTS:
        raise BadParameterError(
            "page",
            f"only the first {MAX_RESULTS:,} results are served; narrow the search "
            "with words, dates, sources or categories",
        )


def _date(name: str, value: str, *, end: bool) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_date_bound(value, end=end)
    except ValueError as exc:
        raise BadParameterError(name, str(exc)) from None


# Parameter name in the URL of each field that is not named the same.
_URL_NAMES = {
    "date_from": "from",
    "date_to": "to",
    "sources": "source",
    "categories": "category",
    "per_page": "n",
}


@dataclass(frozen=True)
class SearchParams:
    """`q`, `from`, `to`, `source`, `category`, `sort`, `page`, `n`, `facets`, `fuzzy`,
    `exact`, `explain`: `arshif search`'s query and options."""

    q: str = ""
    date_from: str = ""
    date_to: str = ""
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facets: bool = False
    fuzzy: bool = False
    exact: bool = False
    explain: bool = False

    def __bool__(self) -> bool:
        """Whether there is anything to search for: words or a filter."""
        return bool(
            self.q.strip() or self.date_from or self.date_to or self.sources or self.categories
        )

    @property
    def last_page(self) -> int:
        """The last page number served at this page size."""
        return min(MAX_PAGE, MAX_RESULTS // self.per_page)

    def filters(self) -> Filters:
        """The `from`/`to`/`source`/`category` restrictions, checked."""
        check_text("q", self.q)
        check_paging(self.page, self.per_page)
        if self.sort not in SORTS:
            raise BadParameterError("sort", f'"{self.sort}" is not one of {", ".join(SORTS)}')
        date_from = _date("from", self.date_from, end=False)
        date_to = _date("to", self.date_to, end=True)
        if date_from and date_to and date_from > date_to:
            raise BadParameterError("from", f"{date_from} is after to={date_to}")
        return Filters(date_from, date_to, self.sources, self.categories)

    def link(self, path: str = "/", **changes: Any) -> str:
        """The URL of this search with `changes` (paging restarts unless `page` is given)."""
        changed = replace(self, **{"page": 1, **changes})
        pairs: list[tuple[str, str]] = []
        for f in fields(changed):
            value, default = getattr(changed, f.name), f.default
            if value == default:
                continue
            name = _URL_NAMES.get(f.name, f.name)
            if isinstance(value, tuple):
                pairs += [(name, v) for v in value]
            elif isinstance(value, bool):
                pairs.append((name, "1"))
            else:
                pairs.append((name, str(value)))
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def toggled(self, name: str, value: str) -> str:
        """The URL with a source or category `value` added, or removed if present."""
        chosen: tuple[str, ...] = getattr(self, name)
        if value in chosen:
            return self.link(**{name: tuple(v for v in chosen if v != value)})
        return self.link(**{name: (*chosen, value)})
