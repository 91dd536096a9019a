"""Counting matching articles per source, per category and per month.

Counts come from the index's sortable columns (no stored fields are read), turned into
arrays of numbers once per opened index, so a facet over any number of matching articles
is one `bincount`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
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


class FacetColumns:
    """Every article's source, category and month as numbers, read once per opened
    index, so counting any set of articles is one `bincount` per facet."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._days: np.ndarray | None = None

    def days(self) -> np.ndarray:
        """Every article's date as a day number (-1 for an article without one)."""
        if self._days is None:
            dates = self.reader.column_reader("date", translate=False)
            self._days = np.array(
                [
                    date.toordinal() if (date := column_date(dates[d])) else -1
                    for d in range(self.reader.doc_count_all())
                ],
                np.int64,
            )
        return self._days

    def _column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values ("" for none) and each document's value number."""
        if name not in self._columns:
            docs = range(self.reader.doc_count_all())
            if name == "month":
                dates = self.reader.column_reader("date", translate=False)
                values = [_month(column_date(dates[d])) for d in docs]
            else:
                column = self.reader.column_reader(name)
                values = [column[d] or "" for d in docs]
            names, numbers = np.unique(np.array(values, dtype=object), return_inverse=True)
            self._columns[name] = (names, numbers)
        return self._columns[name]

    def counts(self, name: str, docnums: np.ndarray) -> Counter[str]:
        """How many of `docnums` have each value of `name` (source, category, month)."""
        names, numbers = self._column(name)
        tally = np.bincount(numbers[docnums], minlength=len(names))
        return Counter({names[i]: int(tally[i]) for i in np.flatnonzero(tally) if names[i]})

    def facets(self, docnums: np.ndarray) -> Facets:
        """Facet counts over `docnums` (articles without a value are left out)."""
        return Facets(
            source=_by_count(self.counts("source", docnums)),
            category=_by_count(self.counts("category", docnums)),
            month=dict(sorted(self.counts("month", docnums).items())),
        )


def _month(date: dt.date | None) -> str:
    return f"{date.year:04d}-{date.month:02d}" if date else ""
