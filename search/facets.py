"""Counting matching articles per source, per category and per month.

Counts come from the index's sortable columns (no stored fields are read), so they cost
a pass over the matching document numbers only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh.reading import IndexReader
from whoosh.util.times import long_to_datetime


@dataclass
class Facets:
    source: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    month: dict[str, int] = field(default_factory=dict)  # "2018-03" → count, in time order

    def as_json(self) -> dict[str, dict[str, int]]:
        return {"source": self.source, "category": self.category, "month": self.month}


def column_date(raw: int | None) -> dt.date | None:
    """A date column value (Whoosh's long) as a date; None for an article without one."""
    if not raw or raw < 0:
        return None
    try:
        return long_to_datetime(raw).date()
    except (OverflowError, ValueError):
        return None


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def count(reader: IndexReader, docnums: Iterable[int]) -> Facets:
    """Facet counts over `docnums` (articles without a value are left out)."""
    sources = reader.column_reader("source")
    categories = reader.column_reader("category")
    dates = reader.column_reader("date", translate=False)
    by_source: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_month: Counter[str] = Counter()
    for docnum in docnums:
        if s := sources[docnum]:
            by_source[s] += 1
        if c := categories[docnum]:
            by_category[c] += 1
        if d := column_date(dates[docnum]):
            by_month[f"{d.year:04d}-{d.month:02d}"] += 1
    return Facets(
        source=_by_count(by_source),
        category=_by_count(by_category),
        month=dict(sorted(by_month.items())),
    )
