"""The index schema: which article fields are searched, stored, filtered and sorted.

- `text` is headline and body as one stemmed text: ranking reads an article as a whole;
- `title` repeats the headline so matches there can weigh more (BM25F);
- `exact` is headline and body normalized but unstemmed, so exact forms outrank mere
  stem matches and exact phrases can be asked for;
- `body` is stored only: snippets and `show` need the original text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from indexer.analysis.analyzer import ArabicAnalyzer

SCHEMA_VERSION = 1

# Searched fields, in the order a query word is looked up.
TEXT_FIELDS = ("text", "title", "exact")


class Postings(tuple):
    """A field value analyzed already (in a worker process): `index()` passes it through."""


class ArabicText(TEXT):
    """A TEXT field that also accepts `Postings` computed elsewhere by this same field."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if isinstance(value, Postings):
            return iter(value)
        return super().index(value, **kwargs)

    def postings(self, value: str) -> Postings:
        """Analyze `value` now, for a later `add_document` in another process."""
        return Postings(super().index(value))


def build_schema() -> Schema:
    stemmed = ArabicAnalyzer(stemming=True)
    exact = ArabicAnalyzer(stemming=False)
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        text=ArabicText(analyzer=stemmed, phrase=True),
        title=ArabicText(analyzer=stemmed, phrase=True, stored=True),
        exact=ArabicText(analyzer=exact, phrase=True),
        body=STORED(),
        date=DATETIME(stored=True, sortable=True),
        source=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        url=ID(stored=True),
        author=STORED(),
        encoding=STORED(),
    )
