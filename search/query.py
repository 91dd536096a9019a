"""Parsing what a user types into a Whoosh query over the arshif schema.

Whoosh's query language is kept (phrases, AND/OR/NOT, `title:`/`source:` fields, `*`),
with these changes for Arabic:

- `?` and the Arabic question mark ؟ are punctuation, not wildcards: questions end in
  ؟, and as a wildcard it would turn the last word of every question into a literal;
- `body:` is an alias of the searched text, and every word counts (OR with a bonus for
  articles that match more of the words);
- a query the grammar cannot parse is searched as its plain words, never an error;
- the operators and field names may be written in Arabic (`arabic_syntax`): و AND,
  أو OR, ليس NOT, and المصدر: القسم: التاريخ: العنوان: for source: category: date: title:;
- a plain-words query (no operators, quotes or fields) drops the words of a question that
  only say it is one (اذكر، علل، يمكن: `QUESTION_WORDS`; ما، كيف، متى are stopwords of
  the analyzer already), and gets a bonus for articles where adjacent query words stand
  next to each other (a sloppy phrase per pair, `PROXIMITY_BOOST`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import (
    BinaryQuery,
    CompoundQuery,
    Not,
    NullQuery,
    Or,
    Phrase,
    Query,
    Term,
    WrappingQuery,
)

from arshif.indexer.analysis.normalize import normalize
from arshif.indexer.analysis.tokenize import words
from arshif.search.ranking import COORDINATION, FIELD_BOOSTS, PROXIMITY_BOOST, PROXIMITY_SLOP

MAX_QUERY_CHARS = 2000
# Letters or digits a word needs beside its `*` to stay a wildcard: "*" alone, "title:*" or
# "ا*" would expand to most of the lexicon (seconds even on a 30-article index).
MIN_WILDCARD_CHARS = 3
_QUESTION_MARKS = re.compile("[?\u061f]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_WILDCARD_WORD = re.compile(r"[^\s*]*\*\S*")
# Query syntax beyond plain words: quotes, fields, groups, wildcards, boosts, +/- prefixes
# and the uppercase operators. Such a query is taken as the user wrote it.
_SYNTAX = re.compile(r"[\"':()\[\]{}*^~+]|(?:^|\s)-\w|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
# What the parser still reads as an operator in plain words: a lone `-`, and REQUIRE.
_PARSER_OPERATOR = re.compile(r"(?<!\S)-|\bREQUIRE\b")
_SPACE = re.compile(r"\s+")
# Words that only mark a query as a question (normalized spelling). Kept out of the
# analyzer's stopwords because in an article they are ordinary words.
QUESTION_WORDS = frozenset(
    normalize(w) for w in ("اذكر", "اذكري", "علل", "اعط", "اعطي", "يمكن", "ماسبب", "ماسم")
)


# Arabic field names, and the fields they stand for (a space may follow the colon).
ARABIC_FIELDS = {"المصدر": "source", "القسم": "category", "التاريخ": "date", "العنوان": "title"}
_ARABIC_FIELD = re.compile(rf"(?<!\w)({'|'.join(ARABIC_FIELDS)})\s*:\s*")
# Operators as whole words, by their normalized spelling: a separated و is no word of
# written Arabic (it is joined to the next word), أو alone means "or", ليس "is not".
ARABIC_OPERATORS = {"و": "AND", "او": "OR", "ليس": "NOT"}
# First words of a question (normalized): in a question, و أو ليس are its own words.
QUESTION_STARTS = frozenset(
    normalize(w)
    for w in (
        "ما", "ماذا", "من", "متى", "كيف", "لماذا", "لم", "هل", "أين", "كم", "أي", "بم",
        "لما", "اذكر", "علل", "عرف", "عدد", "ماهو", "ماهي", "مالذي", "إلى", "في",
    )
)  # fmt: skip


def is_question(text: str) -> bool:
    """Whether `text` is asked as a question: a question mark, or a question word first.

    >>> is_question("سوريا و ليس التحالف"), is_question("ما الفرق بين الطماطم و البطاطس")
    (False, True)
    """
    first = text.split(maxsplit=1)[:1]
    return bool(_QUESTION_MARKS.search(text)) or (
        bool(first) and normalize(first[0]) in QUESTION_STARTS
    )


def arabic_syntax(text: str) -> str:
    """`text` with its Arabic field names and operators in the query language's words.

    An operator must stand alone between two words and the query must not be a question
    (`is_question`); then و is AND, أو is OR and ليس is NOT (و ليس: AND NOT).

    >>> arabic_syntax("سوريا و ليس التحالف")
    'سوريا AND NOT التحالف'
    >>> arabic_syntax("النفط أو الغاز المصدر: BBC العنوان:قمة")
    'النفط OR الغاز source:BBC title:قمة'
    >>> arabic_syntax("ما الفرق بين الطماطم و البطاطس؟"), arabic_syntax("و النفط")
    ('ما الفرق بين الطماطم و البطاطس؟', 'و النفط')
    """
    text = _ARABIC_FIELD.sub(lambda m: ARABIC_FIELDS[m.group(1)] + ":", text)
    if is_question(text):
        return text
    tokens = text.split()
    out = []
    for i, token in enumerate(tokens):
        operator = ARABIC_OPERATORS.get(normalize(token))
        between = 0 < i < len(tokens) - 1 and out[-1] not in ("AND", "OR", "NOT")
        if operator == "NOT" and out and out[-1] in ("AND", "OR"):
            between = i < len(tokens) - 1  # و ليس
        elif operator == "NOT" and between:
            operator = "AND NOT"
        out.append(operator if operator and between else token)
    return " ".join(out)


class _StarOnlyWildcardPlugin(qparser.WildcardPlugin):
    """Only `*` is a wildcard; `?` and ؟ end questions."""

    qmarks = ""
    expr = "(?P<text>[*])"


class _PlusMinusPlugin(qparser.PlusMinusPlugin):
    """`+word` is required and `-word` excluded, as in web search; a + or - inside a word
    (covid-19, 2018-2019) is no operator. A query without them keeps the parser's own OR
    group (Whoosh's plugin would drop its coordination)."""

    def __init__(self) -> None:
        super().__init__(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-")

    def do_plusminus(self, parser: qparser.QueryParser, group: Any) -> Any:
        if not any(isinstance(node, self.Plus | self.Minus) for node in group):
            return group
        return super().do_plusminus(parser, group)


class _Term(Term):
    """Whoosh's term, copied shallowly: normalizing a parsed query deep-copies every
    term of it at each level of nesting (`with_boost`), half of the parsing time, and a
    term holds nothing a copy could share by mistake."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Term:
        return copy.copy(self)

    def __repr__(self) -> str:
        return repr(Term(self.fieldname, self.text, boost=self.boost))


def make_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(FIELD_BOOSTS),
        schema,
        fieldboosts=FIELD_BOOSTS,
        termclass=_Term,
        group=qparser.OrGroup.factory(COORDINATION),
    )
    parser.remove_plugin_class(qparser.WildcardPlugin)
    parser.add_plugin(_StarOnlyWildcardPlugin())
    parser.add_plugin(_PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({"text": ["body", "content"]}))
    return parser


def clean_query_text(text: str) -> str:
    """Drop what no user means: control characters, question marks, excess length, and
    wildcards too short to mean anything (`*` alone, `ا*`: searched as plain words).

    >>> clean_query_text("متى تبدأ القمة؟ title:* ا* فلسط*")
    'متى تبدأ القمة  title: ا فلسط*'
    """
    text = _CONTROL.sub(" ", text[:MAX_QUERY_CHARS])
    text = _WILDCARD_WORD.sub(_tame_wildcard, text)
    return _QUESTION_MARKS.sub(" ", text).strip()


def _tame_wildcard(match: re.Match[str]) -> str:
    word = match.group()
    term = word.rpartition(":")[2]  # the part after a `field:` prefix
    if sum(char.isalnum() for char in term) >= MIN_WILDCARD_CHARS:
        return word
    return word.replace("*", "")


def is_plain(text: str) -> bool:
    """Whether `text` is plain words, with none of the query language's syntax.

    >>> is_plain("- أين تقع عمان؟ ال"), is_plain('"عمان" -الاردن'), is_plain("title:عمان")
    (True, False, False)
    """
    return not _SYNTAX.search(text)


def drop_question_words(text: str) -> str:
    """Remove the words of `QUESTION_WORDS` from a plain-words query, unless nothing is left.

    >>> drop_question_words("اذكر أسباب الحرب")
    'أسباب الحرب'
    """
    kept = [w for w in text.split() if normalize(w) not in QUESTION_WORDS]
    return " ".join(kept) if kept else text


def proximity_query(text: str, schema: Schema) -> Query | None:
    """Sloppy phrases over `text` for each pair of adjacent analyzed query words.

    A word with proclitic alternatives (لداعش → لداعش, داعش) is represented by its
    last, barest stem, which every form of the word is indexed with.
    """
    analyzer = schema["text"].analyzer
    by_pos: dict[int, str] = {}
    for term in analyzer.terms(text):
        by_pos[term.pos] = term.text
    words = [by_pos[p] for p in sorted(by_pos)]
    pairs = [(a, b) for a, b in pairwise(words) if a != b]
    if not pairs:
        return None
    return Or(
        [Phrase("text", [a, b], slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST) for a, b in pairs]
    )


def parse_query(text: str, schema: Schema, parser: qparser.QueryParser | None = None) -> Query:
    """Parse `text` (with `parser`, made by `make_parser(schema)` when not given); a query
    that yields nothing searchable becomes a `NullQuery`."""
    text = clean_query_text(text)
    if not text:
        return NullQuery
    plain_words = is_plain(text)
    if plain_words:
        text = drop_question_words(text)
    parser = parser or make_parser(schema)
    if plain_words and not _PARSER_OPERATOR.search(text):
        query = words_query(text, schema)
    else:
        query = _parsed(text, parser)
    if query is NullQuery:
        return query
    if plain_words and PROXIMITY_BOOST and (near := proximity_query(text, schema)) is not None:
        query = Or([query, near])
    return query.normalize()


def words_query(text: str, schema: Schema) -> Query:
    """What the parser makes of plain words, built directly (a short query's parse
    took 0.7 ms through the parser, 0.15 ms so): each white-space separated word looked
    up in every field of FIELD_BOOSTS with its boost, all of them in one OR with the
    coordination bonus.

    >>> from arshif.indexer.storage.schema import build_schema
    >>> words_query("حلب", build_schema())
    Or([Term('text', 'حلب'), Term('title', 'حلب', boost=0.2), Term('exact', 'حلب', boost=0.3)])
    """
    terms: list[Query] = [
        _Term(fieldname, token, boost=boost)
        for word in _SPACE.split(text)
        if word
        for fieldname, boost in FIELD_BOOSTS.items()
        for token in schema[fieldname].process_text(
            word, mode="query", tokenize=True, removestops=True
        )
    ]
    return Or(terms, scale=COORDINATION).normalize()


def _parsed(text: str, parser: qparser.QueryParser) -> Query:
    """`text` as the parser reads it; if it cannot, its plain words."""
    try:
        return parser.parse(text)
    except Exception:  # Whoosh raises assorted errors on malformed syntax: search the words
        plain = " ".join(word for word, _, _ in words(text))
        try:
            return parser.parse(plain) if plain else NullQuery
        except Exception:
            return NullQuery


def rewrite_leaves(query: Query, rewrite: Callable[[Query], Query]) -> Query:
    """`query` with each leaf replaced by `rewrite(leaf)`, its tree kept: each inner
    node copied (a copy keeps what Whoosh's `apply` drops, such as an OR's coordination
    `scale`); a binary query's sides are rewritten as its parts, since AND NOT, REQUIRE
    and AND MAYBE are matched from `a` and `b`, not from `subqueries`."""
    if query.is_leaf():
        return rewrite(query)
    node = copy.copy(query)
    if isinstance(query, BinaryQuery):  # first: a binary query is a compound one too
        node.a, node.b = rewrite_leaves(query.a, rewrite), rewrite_leaves(query.b, rewrite)
        node.subqueries = (node.a, node.b)
    elif isinstance(query, CompoundQuery):
        node.subqueries = [rewrite_leaves(sub, rewrite) for sub in query.subqueries]
    elif isinstance(query, Not):
        node.query = rewrite_leaves(query.query, rewrite)
    elif isinstance(query, WrappingQuery):
        node.child = rewrite_leaves(query.child, rewrite)
    else:
        return query.apply(lambda sub: rewrite_leaves(sub, rewrite))
    return node
