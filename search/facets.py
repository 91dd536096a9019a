"""Counting matching articles per source, per category and per month.

Every article's source, category and day are turned into arrays of numbers once per
opened index (no stored fields are read), so a facet over any number of matching
articles is one `bincount`. They are read segment by segment: Whoosh's column reader over
several segments misplaces the articles of a segment that has no value in the column (a
batch of undated articles), and reads one value at a time through three layers of Python.
Sources and categories come from their fields' postings, one array per value.
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
            days = np.full(self.reader.doc_count_all(), -1, np.int64)
            for segment, offset in self.reader.leaf_readers():
                if not segment.has_column("date"):
                    continue  # no article of the segment has a date
                dates = segment.column_reader("date", translate=False)
                for docnum in range(segment.doc_count_all()):
                    if date := column_date(dates[docnum]):
                        days[offset + docnum] = date.toordinal()
            self._days = days
        return self._days

    def _column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values ("" for none) and each document's value number."""
        if name not in self._columns:
            if name == "month":
                self._columns[name] = _months(self.days())
            else:
                self._columns[name] = self._values(name)
        return self._columns[name]

    def _values(self, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        names = [""]
        number_of = {"": 0}
        numbers = np.zeros(self.reader.doc_count_all(), np.int64)
        for segment, offset in self.reader.leaf_readers():
            for btext in segment.lexicon(fieldname):
                value = btext.decode("utf-8")
                if value not in number_of:
                    number_of[value] = len(names)
                    names.append(value)
                docs = np.fromiter(segment.postings(fieldname, btext).all_ids(), np.int64)
                numbers[offset + docs] = number_of[value]
        return np.array(names, dtype=object), numbers

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


def _months(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month names ("" for none) and each article's month number, from its day number."""
    distinct, day_numbers = np.unique(days, return_inverse=True)
    month_of_day = [
        f"{(d := dt.date.fromordinal(day)).year:04d}-{d.month:02d}" if day > 0 else ""
        for day in distinct.tolist()
    ]
    names, month_numbers = np.unique(np.array(month_of_day, dtype=object), return_inverse=True)
    return names, month_numbers[day_numbers]
