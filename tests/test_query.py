"""Plain words are turned into a query without Whoosh's parser (`search.query.words_query`):
the query must be the very one the parser makes, for any text, or scores would drift."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.query import Query

from arshif.indexer.storage.schema import build_schema
from arshif.search import query as query_module
from arshif.search.query import make_parser, parse_query
from tests.conftest import REPO, corpus_path

SCHEMA = build_schema()
PARSER = make_parser(SCHEMA)


def parsed_by_whoosh(text: str) -> Query:
    """`parse_query` with every query going through Whoosh's parser."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(query_module, "_PARSER_OPERATOR", re.compile(""))  # matches any text
        return parse_query(text, SCHEMA, PARSER)


def shape(q: Query) -> Any:
    """Everything about a query that scoring reads (Whoosh's == skips an OR's scale)."""
    children = [shape(c) for c in q.children()]
    fields = ("fieldname", "text", "words", "boost", "scale", "slop", "minmatch")
    return (type(q).__name__, *(getattr(q, f, None) for f in fields), children)


def test_a_plain_query_is_the_one_the_parser_makes() -> None:
    text = "ترامب وبوتين في القمة"
    assert shape(parse_query(text, SCHEMA, PARSER)) == shape(parsed_by_whoosh(text))
    # The coordination bonus of a single word's fields survives (its scale).
    assert parse_query("حلب", SCHEMA, PARSER).scale == pytest.approx(0.1)


PIECES = [
    "داعش", "واشنطن", "التَّحالُف", "لداعش", "وللتحالف", "الدَّوْلِيّ", "النهاية", "مسئول", "ـــ",
    "في", "من", "على", "و", "اذكر", "علل", "ما", "٣٫٥", "2018", "1,000", "covid-19", "x", "A",
    "REQUIRE", "TO", "to", "and", "or", "-", "--", "_", ".", "،", "؛", "!", "…", "/", "&", "|",
    "<", ">", "=", "@", "#", "%", "\u200c", "\u200f", "\xa0", "\u2003", "\t", "\n", "ﻻ", "٠١٢",
]  # fmt: skip
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20),
)


@settings(max_examples=400)
@given(texts)
def test_any_text_parses_as_through_the_parser(text: str) -> None:
    assert shape(parse_query(text, SCHEMA, PARSER)) == shape(parsed_by_whoosh(text))


def test_the_benchmark_queries_parse_as_through_the_parser() -> None:
    """Every judged question and short headline query of the benchmarks."""
    topics = corpus_path("retrieval_arwiki_qa", "topics.dev.tsv")
    questions = [line.split("\t")[1] for line in topics.read_text("utf-8").splitlines()]
    short = REPO / "bench" / "results" / "short_queries.tsv"
    questions += [line.split("\t")[1] for line in short.read_text("utf-8").splitlines()]
    assert len(questions) == 2_700
    for text in questions:
        assert shape(parse_query(text, SCHEMA, PARSER)) == shape(parsed_by_whoosh(text)), text
