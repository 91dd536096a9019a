"""Parsing what a user types into a Whoosh query over the arshif schema.

Whoosh's query language is kept (phrases, AND/OR/NOT, `title:`/`source:` fields, `*`),
with three changes for Arabic:

- `?` and the Arabic question mark ؟ are punctuation, not wildcards: questions end in
  ؟, and as a wildcard it would turn the last word of every question into a literal;
- `body:` is an alias of the searched text, and every word counts (OR with a bonus for
  articles that match more of the words);
- a query the grammar cannot parse is searched as its plain words, never an error.
"""

from __future__ import annotations

import re

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import NullQuery, Query

from search.ranking import COORDINATION, FIELD_BOOSTS

MAX_QUERY_CHARS = 2000
_QUESTION_MARKS = re.compile("[?\u061f]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


class _StarOnlyWildcardPlugin(qparser.WildcardPlugin):
    """Only `*` is a wildcard; `?` and ؟ end questions."""

    qmarks = ""
    expr = "(?P<text>[*])"


def make_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(FIELD_BOOSTS),
        schema,
        fieldboosts=FIELD_BOOSTS,
        group=qparser.OrGroup.factory(COORDINATION),
    )
    parser.replace_plugin(_StarOnlyWildcardPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({"text": ["body", "content"]}))
    return parser


def clean_query_text(text: str) -> str:
    """Drop what no user means: control characters, question marks, excess length."""
    text = _CONTROL.sub(" ", text[:MAX_QUERY_CHARS])
    return _QUESTION_MARKS.sub(" ", text).strip()


def parse_query(text: str, schema: Schema) -> Query:
    """Parse `text`; a query that yields nothing searchable becomes a `NullQuery`."""
    text = clean_query_text(text)
    if not text:
        return NullQuery
    parser = make_parser(schema)
    try:
        query = parser.parse(text)
    except Exception:  # Whoosh raises assorted errors on malformed syntax
        query = None
    if query is None or query is NullQuery:
        plain = re.sub(r"[^\w\s]", " ", text)
        try:
            query = parser.parse(plain) if plain.strip() else NullQuery
        except Exception:
            query = NullQuery
    return query.normalize() if query is not NullQuery else query
