"""Counting matching articles per source, per category and per month.

Every article's source, category and day are kept as arrays with the postings
(`indexer.storage.docvalues`), so a facet over any number of matching articles is one `bincount`.
(Whoosh's column reader over several segments also misplaced the articles of a segment
without any value in the column, such as a batch of undated articles.)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from arshif.indexer.storage.docvalues import DocValues


@dataclass
class Facets:
    source: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    month: dict[str, int] = field(default_factory=dict)  # "2018-03" → count, in time order

    def as_json(self) -> dict[str, dict[str, int]]:
        return {"source": self.source, "category": self.category, "month": self.month}


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


class FacetColumns:
    """Every article's source, category and month as numbers, so counting any set of
    articles is one `bincount` per facet."""

    def __init__(self, values: DocValues | None, doc_count: int) -> None:
        self._values = values
        self._doc_count = doc_count
        self._columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        no_days = np.full(doc_count, -1, np.int64)
        self._days = values.days.astype(np.int64) if values is not None else no_days

    def days(self) -> np.ndarray:
        """Every article's date as a day number (-1 for an article without one)."""
        return self._days

    def _column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values ("" for none) and each document's value number."""
        if name not in self._columns:
            if name == "month":
                self._columns[name] = _months(self.days())
            elif self._values is None:
                self._columns[name] = np.array([""], object), np.zeros(self._doc_count, int)
            else:
                stored = self._values.names[name].tolist()
                names = np.array(["", *(value.decode("utf-8") for value in stored)], object)
                self._columns[name] = names, self._values.codes[name].astype(np.int64) + 1
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


def _months(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month names ("" for none) and each article's month number, from its day number."""
    distinct, day_numbers = np.unique(days, return_inverse=True)
    month_of_day = [
        f"{(d := dt.date.fromordinal(day)).year:04d}-{d.month:02d}" if day > 0 else ""
        for day in distinct.tolist()
    ]
    names, month_numbers = np.unique(np.array(month_of_day, dtype=object), return_inverse=True)
    return names, month_numbers[day_numbers]
