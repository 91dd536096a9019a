"""The index schema: which article fields are searched, stored, filtered and sorted.

- `text` is headline and body as one stemmed text: ranking reads an article as a whole;
- `title` repeats the headline so matches there can weigh more (BM25F);
- `exact` is headline and body normalized but unstemmed, so exact forms outrank mere
  stem matches and exact phrases can be asked for;
- headline, body, path and URL are stored by arshif once, in its own files
  (`indexer.storage.texts`); Whoosh indexes ids and paths (lookups, deletions, `id:` and
  `path:` queries) and stores ids (`arshif check` compares them with arshif's) and other
  small values;
- `url` and `date` are in the schema for the parser only (`PARSED_ONLY`): Whoosh neither
  indexes nor stores them (URL terms took 10 MB of the mixed index, dates eight numeric
  terms an article), their query parts are answered from arshif's arrays
  (`search.unindexed`); outlets and categories are indexed by Whoosh (`source:` and
  `category:` restrictions); dates, outlets and categories are kept in the arrays
  (`indexer.storage.docvalues`), not stored by Whoosh;
- `locator` is stored only: `show` says where in its file an article was found;
- `minhash` is the near-duplicate signature, grouped after each run (`duplicates`): kept
  in the arrays only (`indexer.storage.docvalues`), not stored by Whoosh.
"""

from __future__ import annotations

import datetime as dt

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from arshif.indexer.analysis.analyzer import ArabicAnalyzer
from arshif.indexer.article import Article

# 3: the searched fields' postings also kept as arrays beside each segment.
# 4: the exact-form field's words kept with them (did-you-mean reads them).
# 5: and each article's day, source and category (facets, date order, variants).
# 6: and the texts a search hit shows (id, headline, body, URL, path).
# 7: array files written as they are made, their header last (`indexer.storage.arrayfile`).
# 8: the searched fields' postings in the arrays only (Whoosh stores, does not index them).
# 9: installed as one package, `arshif`: the analyzer is pickled as `arshif.indexer...`.
# 10: each article's place in its file (`locator`: web-archive record, PDF page, CSV row).
# 11: every file checked: array files and JSON files framed with a CRC32, Whoosh's files'
#     checksums in `checksums.json`, every JSON file written when the index is created.
# 12: headline and body stored once, compressed in blocks (`indexer.storage.texts`), the
#     signature in the arrays only; joined groups replace their segments' files; postings
#     in their smallest types.
# 13: paths and URLs stored by arshif only, not by Whoosh too.
# 14: documents, term frequencies and positions delta-encoded and bit-packed in blocks
#     (`indexer.storage.bitpack`); word lists one word after another.
# 15: near-duplicate signatures of 16-bit hashes (b-bit MinHash): 128 bytes, not 256.
# 16: dates, outlets and categories kept in the arrays only, not stored by Whoosh too.
# 17: URLs not indexed by Whoosh: `url:` answered from arshif's texts.
# 18: dates not indexed by Whoosh either: answered from the arrays (`search.unindexed`).
# 19: a shingle's hash made of its two words' hashes, not hashed as a string: every
#     signature of a segment computed at once (`duplicates.signatures`); each article's
#     URL key kept with its values (`doc.url_key`), so grouping reads no URL.
SCHEMA_VERSION = 19

# Fields of the schema Whoosh is never given (the parser still reads them).
PARSED_ONLY = ("url", "date")

# The analyzed, searchable fields (a query word's terms live in these).
TEXT_FIELDS = ("text", "title", "exact")


def build_schema() -> Schema:
    stemmed = ArabicAnalyzer(stemming=True)
    exact = ArabicAnalyzer(stemming=False)
    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(),
        text=TEXT(analyzer=stemmed, phrase=True),
        title=TEXT(analyzer=stemmed, phrase=True),
        exact=TEXT(analyzer=exact, phrase=True),
        date=DATETIME(),
        source=ID(),
        category=ID(),
        url=ID(),
        author=STORED(),
        encoding=STORED(),
        locator=STORED(),
    )


def _as_datetime(date: dt.date | None) -> dt.datetime | None:
    return dt.datetime(date.year, date.month, date.day) if date else None


def article_fields(article: Article) -> dict[str, object]:
    """The fields of one article, as the index's writer takes them (empty values left
    out): `body` is for the arrays only (`whoosh_fields`)."""
    doc = {
        "id": article.id,
        "path": article.path,
        "text": article.text,
        "title": article.title,
        "exact": article.text,
        "body": article.body,
        "date": _as_datetime(article.date),
        "source": article.source or None,
        "category": article.category or None,
        "url": article.url or None,
        "author": article.author or None,
        "encoding": article.encoding or None,
        "locator": article.locator or None,
    }
    return {k: v for k, v in doc.items() if v is not None}


def whoosh_fields(fields: dict[str, object], schema: Schema) -> dict[str, object]:
    """The `article_fields` Whoosh itself indexes or stores."""
    return {k: v for k, v in fields.items() if k in schema and k not in PARSED_ONLY}
