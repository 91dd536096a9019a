"""Restricting a search by date, source and category, from options or from the query.

- `--from/--to/--source/--category` and the query clauses `date:…`, `source:…`,
  `category:…` mean the same thing: a restriction, wherever the clause stands in the
  query (`NOT source:X` or `-source:X` excludes). Repeated values of one field are
  alternatives; different fields must all hold.
- These clauses are taken out of the query text before Whoosh parses the rest, because
  Whoosh's own handling of them is unforgiving: `source:"bbc arabic"` (an ID field) must
  match the stored case exactly, a malformed `date:[…]` silently becomes plain words, and
  `date:>2018` or `date:"2018-07"` match nothing.
- Names are matched forgivingly against the names the archive holds: case, hamza and
  teh marbuta do not matter, and a name that is part of exactly one stored name means
  that one (`bbc` → "BBC Arabic"); a name matching nothing is an error listing the names.
- Dates: `date:2018`, `date:2018-03`, `date:2018-03-05`, `date:[2018-03 TO 2018-05]`
  (either end may be left out), `date:>2018-03`, `date:>=…`, `date:<…`, `date:<=…`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from whoosh import query as wq

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.dates import parse_date_bound
from arshif.search.errors import QueryDateError, UnknownNameError

_CLAUSE = re.compile(
    r"(?:(?<!\S)(?P<neg>NOT\s+|-))?"
    r"(?<![\w:])(?P<field>source|category|date):"
    r"(?P<value>\"[^\"]*\"|\[[^\]]*\]|\([^)]*\)|[<>]=?\s*[^\s)]+|[^\s)]+)"
)
_RANGE = re.compile(r"\[\s*(?P<lo>\S*?)\s*\bTO\b\s*(?P<hi>\S*?)\s*\]")
_OR = re.compile(r"\s+OR\s+")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Filters:
    """Restrictions on which articles may match, whatever the query says."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources or self.categories)

    def query(self) -> wq.Query | None:
        parts: list[wq.Query] = []
        if self.date_from or self.date_to:
            start = dt.datetime.combine(self.date_from, dt.time.min) if self.date_from else None
            end = dt.datetime.combine(self.date_to, dt.time.max) if self.date_to else None
            parts.append(wq.DateRange("date", start, end))
        if self.sources:
            parts.append(wq.Or([wq.Term("source", s) for s in self.sources]))
        if self.categories:
            parts.append(wq.Or([wq.Term("category", c) for c in self.categories]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def resolve(self, sources: Sequence[str], categories: Sequence[str]) -> Filters:
        """The same filters with names replaced by the archive's own spelling of them."""
        return replace(
            self,
            sources=_resolve_all("source", self.sources, sources),
            categories=_resolve_all("category", self.categories, categories),
        )

    def describe(self) -> list[str]:
        """Human-readable lines, e.g. `date 2018-03-01 … 2018-05-31`."""
        lines = []
        if self.date_from or self.date_to:
            lo = self.date_from.isoformat() if self.date_from else "…"
            hi = self.date_to.isoformat() if self.date_to else "…"
            lines.append(f"date {lo} … {hi}")
        if self.sources:
            lines.append("source " + " OR ".join(f'"{s}"' for s in self.sources))
        if self.categories:
            lines.append("category " + " OR ".join(f'"{c}"' for c in self.categories))
        return lines

    def as_json(self) -> dict[str, object]:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "sources": list(self.sources),
            "categories": list(self.categories),
        }


@dataclass
class QueryFilters:
    """What `split_query` took out of a query: restrictions and exclusions."""

    include: Filters = field(default_factory=Filters)
    exclude: list[Filters] = field(default_factory=list)


def merge(a: Filters, b: Filters) -> Filters:
    """One field's values are alternatives; date bounds narrow each other."""
    lows = [d for d in (a.date_from, b.date_from) if d]
    highs = [d for d in (a.date_to, b.date_to) if d]
    return Filters(
        date_from=max(lows) if lows else None,
        date_to=min(highs) if highs else None,
        sources=a.sources + tuple(s for s in b.sources if s not in a.sources),
        categories=a.categories + tuple(c for c in b.categories if c not in a.categories),
    )


def name_key(name: str) -> str:
    """The form names are compared in: case-folded, Arabic-normalized, spaces collapsed.

    >>> name_key("BBC  Arabic") == name_key("bbc arabic"), name_key("قناة المدار")
    (True, 'قناه المدار')
    """
    return " ".join(normalize(word) for word in name.casefold().split())


def resolve_name(kind: str, name: str, known: Sequence[str]) -> list[str]:
    """The stored names meant by `name`: equal ones, else those containing it as words."""
    key = name_key(name)
    equal = [k for k in known if name_key(k) == key]
    if equal:
        return equal
    inside = [k for k in known if key and f" {key} " in f" {name_key(k)} "]
    if inside:
        return inside
    raise UnknownNameError(kind, name, sorted(known))


def _resolve_all(kind: str, names: Sequence[str], known: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        out += [n for n in resolve_name(kind, name, known) if n not in out]
    return tuple(out)


def _names(value: str) -> tuple[str, ...]:
    if value.startswith("(") and value.endswith(")"):
        parts = _OR.split(value[1:-1].strip())
    else:
        parts = [value]
    return tuple(p.strip().strip('"').strip() for p in parts if p.strip().strip('"').strip())


def _bound(text: str, clause: str, *, end: bool) -> dt.date:
    try:
        return parse_date_bound(text, end=end)
    except ValueError as exc:
        raise QueryDateError(clause, str(exc)) from None


def _date_filter(value: str, clause: str) -> Filters:
    value = value.strip('"')
    if match := _RANGE.fullmatch(value):
        lo, hi = match["lo"], match["hi"]
        return Filters(
            date_from=_bound(lo, clause, end=False) if lo else None,
            date_to=_bound(hi, clause, end=True) if hi else None,
        )
    if value[:1] in "<>":
        op = value[:2] if value[1:2] == "=" else value[:1]
        rest = value[len(op) :].strip()
        if op == ">":
            return Filters(date_from=_bound(rest, clause, end=True) + _ONE_DAY)
        if op == ">=":
            return Filters(date_from=_bound(rest, clause, end=False))
        if op == "<":
            return Filters(date_to=_bound(rest, clause, end=False) - _ONE_DAY)
        return Filters(date_to=_bound(rest, clause, end=True))
    if value.startswith("["):
        raise QueryDateError(clause, "write a range as [2018-03-01 TO 2018-05-31]")
    return Filters(
        date_from=_bound(value, clause, end=False), date_to=_bound(value, clause, end=True)
    )


def split_query(text: str) -> tuple[str, QueryFilters]:
    """Take the `source:`, `category:` and `date:` clauses out of a query.

    >>> rest, found = split_query('ترامب source:"BBC Arabic" date:2018-03')
    >>> rest, found.include.sources, found.include.date_to
    ('ترامب', ('BBC Arabic',), datetime.date(2018, 3, 31))
    """
    found = QueryFilters()

    def take(match: re.Match[str]) -> str:
        name, value = match["field"], match["value"]
        if name == "date":
            filters = _date_filter(value, match.group(0).strip())
        elif name == "source":
            filters = Filters(sources=_names(value))
        else:
            filters = Filters(categories=_names(value))
        if match["neg"]:
            found.exclude.append(filters)
        else:
            found.include = merge(found.include, filters)
        return " "

    rest = _CLAUSE.sub(take, text)
    # Operators left dangling by a removed clause ("X AND source:Y") would confuse Whoosh.
    rest = re.sub(r"(?:\s+(?:AND|OR))+\s*$|^\s*(?:(?:AND|OR)\s+)+", " ", rest)
    rest = re.sub(r"\(\s*\)", " ", rest)
    return " ".join(rest.split()), found


def combine(filters: Sequence[Filters]) -> wq.Query | None:
    """All of `filters` must hold: one query (None when there is nothing to restrict)."""
    parts = [q for f in filters if (q := f.query()) is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def any_of(filters: Sequence[Filters]) -> wq.Query | None:
    """Any of `filters` holding excludes an article (for `NOT source:X` clauses)."""
    parts = [q for f in filters if (q := f.query()) is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)
