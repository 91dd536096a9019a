"""The postings arrays beside each segment, and the scores computed from them.

Whoosh does not index the searched fields (the arrays hold their postings), so each test
compares with a reference: the same articles, read back from the stored fields in the
archive's document order, written by Whoosh's own writer with every field indexed. The
arrays must hold exactly the reference's postings, survive merges and deletions, and
score every query the way Whoosh's matchers score the reference: same articles, same
scores.
"""

from __future__ import annotations

import datetime as dt
import shutil
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import Index

from arshif.indexer.article import Article
from arshif.indexer.boilerplate import BoilerplateDetector
from arshif.indexer.duplicates import signature, url_keys
from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.readers import find_files, read_file
from arshif.indexer.storage import postings, postings_groups, store, writer
from arshif.indexer.storage.arrayfile import (
    concatenate_arrays,
    read_arrays,
    verify_arrays,
    write_arrays,
)
from arshif.indexer.storage.docvalues import (
    VALUE_FIELDS,
    DocValues,
    read_doc_values,
    slice_doc_values,
    stored_values,
)
from arshif.indexer.storage.jsonfiles import read_json
from arshif.indexer.storage.postings import (
    FIELDS,
    LEXICON_FIELD,
    SEGMENT_ENDS,
    postings_of,
    segments_within,
)
from arshif.indexer.storage.schema import article_fields
from arshif.indexer.storage.texts import HIT_FIELDS, Texts
from arshif.indexer.storage.wordlist import WORD_BYTES, term_key
from arshif.indexer.storage.writer import MAX_TINY_SEGMENTS, _id_base, update_index
from arshif.search import scoring
from arshif.search.engine import Archive
from arshif.search.errors import UnsupportedQueryError
from arshif.search.filters import Filters
from arshif.search.ranking import weighting
from tests.conftest import DATA


@pytest.fixture(scope="module")
def data_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("postings") / "index"
    update_index(index_dir, [DATA])
    return index_dir


def reference_index(index_dir: Path, folder: Path, readers: list[Any] | None = None) -> Index:
    """Whoosh's own index of the archive's articles (of `readers`' segments only, when
    given), every field of the schema indexed (URLs too), documents numbered as in the
    archive, deleted ones too."""
    ix = store.open_index(index_dir)
    reference = whoosh_index.create_in(str(folder), ix.schema)
    with ix.reader() as reader:
        subs = readers if readers is not None else [sub for sub, _ in reader.leaf_readers()]
        writer = reference.writer()
        for sub in subs:
            (place,) = postings_groups.postings_files(index_dir, [sub.segment()])
            arrays = read_arrays(place.path)
            texts, values = Texts(arrays), read_doc_values(arrays)
            for docnum in range(sub.doc_count_all()):
                at = place.first + docnum
                kept = {**stored_values(values, at), **texts.fields(at)}
                article = stored_article({**sub.stored_fields(docnum), **kept})
                fields = article_fields(article)
                writer.add_document(**{k: v for k, v in fields.items() if k in ix.schema})
        writer.commit()
    return reference


def stored_article(stored: dict[str, Any]) -> Article:
    date = stored.get("date")
    return Article(
        **{name: stored.get(name, "") for name in ("id", "title", "body", "source", "url")},
        **{name: stored.get(name, "") for name in ("category", "author", "path", "encoding")},
        date=date.date() if date else None,
    )


def source_articles(index_dir: Path, roots: list[Path]) -> dict[str, Article]:
    """The articles of the files under `roots`, by id, as the index received them (read
    and cleaned of boilerplate again): the reference for the texts the index keeps."""
    detector = BoilerplateDetector.load(index_dir)
    found: dict[str, Article] = {}
    for item in find_files([root.resolve() for root in roots]):
        if not isinstance(item, tuple):  # a file skipped (data/'s README) or unreadable
            continue
        file, root = item
        for article in read_file(file, _id_base(file, root)):
            if isinstance(article, Article):
                found.setdefault(article.id, detector.clean_article(article))
    return found


def index_in_runs(tmp_path: Path, subfolders: tuple[str, ...]) -> tuple[Path, Path]:
    """Copy data/'s `subfolders` into one folder, indexing after each (one run, one
    segment each); return the folder and the index."""
    folder, index_dir = tmp_path / "articles", tmp_path / "index"
    for sub in subfolders:
        shutil.copytree(DATA / sub, folder / sub)
        update_index(index_dir, [folder])
    return folder, index_dir


def whoosh_postings(sub, fieldname: str, btext: bytes) -> tuple[list, list, list]:
    matcher = sub.postings(fieldname, btext)
    docs, weights, positions = [], [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        positions.append(matcher.value_as("positions"))
        matcher.next()
    return docs, weights, positions


def assert_arrays_equal_whoosh(index_dir: Path, work: Path, roots: list[Path]) -> int:
    """Compare every term of every segment (in its own file or its range of a group's)
    with the segment's reference, and its texts with the articles of the files under
    `roots`; return how many terms were compared."""
    articles = source_articles(index_dir, roots)
    compared = 0
    with store.open_index(index_dir).reader() as reader:
        for number, (sub, _) in enumerate(reader.leaf_readers()):
            segment = sub.segment()
            (place,) = postings_groups.postings_files(index_dir, [segment])
            arrays = read_arrays(place.path)
            first, end = place.first, place.end
            (work / str(number)).mkdir()
            reference = reference_index(index_dir, work / str(number), [sub]).reader()
            for name in FIELDS:
                field = postings_of(arrays)[name]
                assert not list(sub.lexicon(name))  # Whoosh itself indexes none of it
                all_docs = field.all_docs()
                in_range = (all_docs >= first) & (all_docs < end)
                term_of = np.repeat(np.arange(len(field.keys)), np.diff(field.starts))
                assert len(np.unique(term_of[in_range])) == len(list(reference.lexicon(name)))
                for btext in reference.lexicon(name):
                    at = int(field.find(np.array([term_key(btext)], np.uint64))[0])
                    assert at >= 0, btext.decode()
                    start, stop = field.postings_between(at, first, end)
                    docs, weights, positions = whoosh_postings(reference, name, btext)
                    assert (all_docs[start:stop] - first).tolist() == docs
                    assert (field.term_docs(at, start, stop) - first).tolist() == docs
                    assert field.term_tfs(at, start, stop).tolist() == weights
                    counts, flat = field.positions_of(at, np.arange(start, stop))
                    bounds = np.cumsum([0, *counts.tolist()]).tolist()
                    stored = [flat[a:b].tolist() for a, b in pairwise(bounds)]
                    assert stored == positions
                    compared += 1
                lengths = [
                    reference.doc_field_length(d, name) for d in range(segment.doc_count_all())
                ]
                assert field.lengths[first:end].tolist() == lengths
                inside = segments_within(arrays[SEGMENT_ENDS], first, end)
                assert field.totals[inside].sum() == reference.field_length(name)
                words = [b for b in reference.lexicon(name) if len(b) <= WORD_BYTES]
                assert set(words) <= set(field.words.tolist())  # a group's: more
                if first == 0 and end == len(field.lengths):
                    assert field.words.tolist() == words
            reference.close()
            values = slice_doc_values(read_doc_values(arrays), first, end)
            assert_doc_values_are_the_articles(values, sub, articles)
            texts, at = postings_groups.segment_texts(index_dir, segment)
            assert at == first
            for docnum in range(segment.doc_count_all()):
                shown = texts.fields(first + docnum)
                article = articles[sub.stored_fields(docnum)["id"]]
                assert shown == {name: getattr(article, name) for name in HIT_FIELDS}
    return compared


def assert_doc_values_are_the_articles(
    values: DocValues, reader: Any, articles: dict[str, Article]
) -> None:
    """Each article's day, source and category in the arrays are those of the article
    read from its file (`source_articles`); Whoosh stores none of them."""
    for docnum in range(reader.doc_count_all()):
        stored = reader.stored_fields(docnum)
        assert not {"date", *VALUE_FIELDS} & set(stored)
        article = articles[stored["id"]]
        assert values.days[docnum] == (article.date.toordinal() if article.date else -1)
        for name in VALUE_FIELDS:
            code = values.codes[name][docnum]
            value = values.names[name][code].decode("utf-8") if code >= 0 else ""
            assert value == getattr(article, name), (docnum, name)


def assert_hit_fields_are_the_articles(archive: Archive, roots: list[Path]) -> None:
    """What a hit shows, read from the arrays, is the id Whoosh stored and the article's
    date, values and texts in the files under `roots`, article by article."""
    articles = source_articles(archive.index_dir, roots)
    for docnum in range(archive.arrays.doc_count):
        doc_id = archive.searcher.stored_fields(docnum)["id"]
        article = articles[doc_id]
        expected: dict[str, Any] = {"id": doc_id}
        if article.date:
            expected["date"] = dt.datetime.combine(article.date, dt.time())
        shown = ("title", "body", "url", "path", *VALUE_FIELDS)
        expected.update({n: t for n in shown if (t := getattr(article, n))})
        assert archive.arrays.hit_fields(docnum) == expected, docnum


@pytest.fixture(scope="module")
def reference(data_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    return reference_index(data_index, tmp_path_factory.mktemp("reference"))


def test_arrays_hold_exactly_whooshs_postings(data_index: Path, tmp_path: Path) -> None:
    assert assert_arrays_equal_whoosh(data_index, tmp_path, [DATA]) > 4000


def test_segments_merged_by_the_writer_get_their_arrays(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    index_dir = tmp_path / "index"
    folder.mkdir()
    # One small file per run: each run leaves a tiny segment, until the policy merges them.
    for n, source in enumerate(sorted((DATA / "txt").glob("*.txt"))[: MAX_TINY_SEGMENTS + 2]):
        shutil.copy(source, folder / f"{n:02d}-{source.name}")
        update_index(index_dir, [folder])
    ix = store.open_index(index_dir)
    assert len(ix._segments()) < MAX_TINY_SEGMENTS + 2  # the policy merged
    (tmp_path / "reference").mkdir()
    assert assert_arrays_equal_whoosh(index_dir, tmp_path / "reference", [folder]) > 500


QUERIES = [
    "داعش واشنطن",
    "التحالف الدولي ضد تنظيم داعش",
    "ما هي عاصمة الأردن؟",
    '"الخلايا النائمة"',
    '"التحالف الدولي"',
    "داعش AND العراق",
    "(داعش OR القاعدة) AND الأنبار",
    "+سوريا التحالف",
    "title:الأهلي",
    # Patterns and ranges: the words they stand for come from the arrays' word lists.
    "تحال*",
    "دا*ش واشنطن",
    "exact:[داع TO داعش]",
    "text:{دول TO دولار]",
    # … inside AND MAYBE and REQUIRE, whose matchers read their two sides.
    "داعش ANDMAYBE تحال*",
    "تحال* REQUIRE داعش",
    # REQUIRE, and parts on fields only Whoosh indexes, scored by Whoosh and added in.
    "داعش REQUIRE واشنطن",
    'id:"data/txt/anbar-operation.txt" OR الأنبار',
    'داعش ANDNOT path:"data/txt/anbar-operation.txt"',
    # URLs, which Whoosh does not index: answered from the arrays' texts (search.unindexed).
    'url:"https://almanardaily.example/economy/imf-cuts-regional-growth-forecast" OR صندوق',
    "url:https://almanardaily.example/economy/imf-cuts-regional-growth-forecast^2.5 تونس",
    "url:https://www.ana-news.example/economy* OR النفط",
    "url:https://*.example/tech/* OR الحكومة",
    "url:[https://almadar-tv.example/ TO https://almadar-tv.example/z]",
    "صندوق ANDNOT url:https://almanardaily.example/*",
    "النقد AND url:https://almanardaily.example/economy*",
    "url:https://almanardaily.example/* ANDNOT url:https://almanardaily.example/tech/*",
]


@pytest.mark.parametrize("text", QUERIES)
def test_array_scores_are_whooshs_scores(data_index: Path, reference: Index, text: str) -> None:
    with Archive(data_index) as archive, reference.searcher(weighting=weighting()) as whoosh:
        parsed = archive.parse(text)
        scored = archive.arrays.scorer(archive._scored_by_whoosh).score(parsed)
        assert scored is not None, repr(parsed)
        expected = {hit.docnum: hit.score for hit in whoosh.search(parsed, limit=None)}
        assert expected, "the query should match something in data/"
        live = archive.arrays.live[scored.docs]
        found = dict(zip(scored.docs[live].tolist(), scored.scores[live].tolist(), strict=True))
        assert sorted(found) == sorted(expected)
        if not _coordinated(parsed):
            for docnum, score in expected.items():
                assert found[docnum] == pytest.approx(score, rel=1e-9)


def _coordinated(q: wq.Query) -> bool:
    """Whoosh scores a coordinated OR by the terms still active in its matcher tree, so
    an article late in a segment can score 0; the arrays apply the formula to all."""
    if isinstance(q, wq.Or) and q.scale and len(q.subqueries) > 1:
        return True
    return any(_coordinated(c) for c in q.children())


@pytest.mark.parametrize(
    "text", ["سوريا ANDNOT التحالف", "سوريا NOT التحالف", "سوريا AND NOT التحالف", "سوريا -التحالف"]
)
def test_not_excludes_what_it_names(data_index: Path, reference: Index, text: str) -> None:
    """Whoosh got these wrong: with OR between words, `a NOT b` matched every article
    without b, `a ANDNOT b` could keep an article with b, and `-b` was not parsed."""
    with Archive(data_index) as archive, reference.searcher() as whoosh:
        with_a = set(whoosh.docs_for_query(archive.parse("سوريا")))
        with_b = set(whoosh.docs_for_query(wq.Term("text", "تحالف")))
        assert with_a & with_b and with_a - with_b  # the test means something on data/
        result = archive.search(text, limit=50)
        assert result.total == len(with_a - with_b)
        kept = {archive.searcher.document_number(id=hit.id) for hit in result.hits}
        assert kept == with_a - with_b


def test_url_queries_find_each_url_whoosh_no_longer_indexes(tmp_path: Path) -> None:
    """Every URL of data/, asked for exactly, finds the articles with that URL, in
    whichever of the index's segments they are (Whoosh runs a query segment by segment)."""
    _, index_dir = index_in_runs(tmp_path, ("txt", "jsonl", "json", "feeds"))
    with Archive(index_dir) as archive:
        reader = archive.searcher.reader()
        assert not list(reader.lexicon("url"))
        assert len(reader.leaf_readers()) > 1
        by_url: dict[str, set[str]] = {}
        for docnum in range(archive.arrays.doc_count):
            if url := archive.arrays.hit_text("url", docnum):
                by_url.setdefault(url, set()).add(archive.arrays.hit_text("id", docnum))
        assert len(by_url) >= 10
        for url, ids in by_url.items():
            result = archive.search(f'url:"{url}"', limit=50)
            assert {hit.id for hit in result.hits} == ids, url
        assert archive.search('url:"https://almanardaily.example/economy"').total == 0


def test_url_parts_inside_any_query_whoosh_runs_are_answered(
    data_index: Path, reference: Index
) -> None:
    """A wrapping query (constant score) around an OR of a URL and an id: Whoosh runs
    the whole, the URL answered from the arrays."""
    url = "https://almanardaily.example/economy/imf-cuts-regional-growth-forecast"
    q = wq.ConstantScoreQuery(wq.Or([wq.Term("url", url), wq.Term("id", "ana-2019-04-0602")]))
    with Archive(data_index) as archive, reference.searcher(weighting=weighting()) as whoosh:
        expected = {hit.docnum: hit.score for hit in whoosh.search(q, limit=None)}
        assert len(expected) == 2
        docs, scores = archive._scored_by_whoosh(q)
        assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == expected


def test_date_ranges_match_and_score_as_whoosh_indexing_dates_did(
    data_index: Path, reference: Index
) -> None:
    """Dates Whoosh no longer indexes: ranges, bounds included or not, at midnight or
    not, either end open, and a `--from/--to` restriction, answered from the arrays."""
    with Archive(data_index) as archive, reference.searcher(weighting=weighting()) as whoosh:
        assert not list(archive.searcher.reader().lexicon("date"))
        days = sorted(set(archive.arrays.doc_values.days.tolist()) - {-1})
        assert len(days) > 5
        first, last = dt.datetime.fromordinal(days[1]), dt.datetime.fromordinal(days[-2])
        ranges = [
            wq.DateRange("date", first, last),
            wq.DateRange("date", first, last, startexcl=True, endexcl=True, boost=2.0),
            wq.DateRange("date", first + dt.timedelta(hours=1), None),
            wq.DateRange("date", None, last - dt.timedelta(seconds=1)),
            Filters(date_from=first.date(), date_to=last.date()).query(),
        ]
        for q in ranges:
            expected = {hit.docnum: hit.score for hit in whoosh.search(q, limit=None)}
            assert expected and len(expected) < archive.arrays.doc_count, q
            assert set(np.flatnonzero(archive._whoosh_matches(q)).tolist()) == set(expected)
            docs, scores = archive._scored_by_whoosh(q)
            assert dict(zip(docs.tolist(), scores.tolist(), strict=True)) == expected, q


def test_a_pattern_inside_and_not_is_expanded_and_excludes_what_it_names(
    data_index: Path, reference: Index
) -> None:
    """AND NOT is matched from its two sides (`a`, `b`): a pattern there is expanded
    too (it raised an error), and as with words, an article holding `b` is left out."""
    with Archive(data_index) as archive, reference.searcher() as whoosh:
        with_a = set(whoosh.docs_for_query(archive.parse("تحال*")))
        with_b = set(whoosh.docs_for_query(wq.Term("text", "واشنطن")))
        assert with_a & with_b and with_a - with_b  # the test means something on data/
        result = archive.search("تحال* ANDNOT واشنطن", limit=50)
        kept = {archive.searcher.document_number(id=hit.id) for hit in result.hits}
        assert kept == with_a - with_b


def test_patterns_become_the_words_they_stand_for(data_index: Path) -> None:
    with Archive(data_index) as archive:
        result = archive.search("تحال*")
        assert result.total and {"تحالف"} <= archive.query_terms(result.parsed)
        assert {hit.id for hit in result.hits} == {
            hit.id for hit in archive.search("text:تحالف OR title:تحالف OR exact:تحالف").hits
        }


def test_a_query_type_the_arrays_cannot_score_is_a_clear_error(data_index: Path) -> None:
    with Archive(data_index) as archive, pytest.raises(UnsupportedQueryError, match="cannot"):
        archive._matches(wq.FuzzyTerm("text", "داعش"), None, None, "relevance")


class _Segment:
    def __init__(self, name: str, articles: int) -> None:
        self.name, self.articles = name, articles

    def segment_id(self) -> str:
        return self.name

    def doc_count_all(self) -> int:
        return self.articles

    def __repr__(self) -> str:
        return self.name


def test_groups_fill_greedily_and_a_kept_group_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    a, b, c, d = (_Segment(n, k) for n, k in zip("abcd", (4, 4, 3, 2), strict=True))
    plan = postings_groups.plan_groups
    assert plan([a, b, c, d]) == [[a, b, c], [d]]
    assert plan([a, b, c, d], [("a", "b")]) == [[a, b], [c, d]]
    # A kept group whose segments no longer stand in that order is planned anew.
    assert plan([a, c, b, d], [("a", "b")]) == [[a, c, b], [d]]


def test_groups_are_joined_while_the_later_is_not_much_smaller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sizes 8, 1, 1 → 8, 2 (2 is a quarter of 8) → 10: a run's few articles join the
    last small groups, which join the large one before them once they are a quarter of it."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    big, x, y, z = (_Segment(n, k) for n, k in zip("bxyz", (8, 1, 1, 3), strict=True))
    plan = postings_groups.plan_groups
    assert plan([big, x], [("b",)]) == [[big], [x]]
    assert plan([big, x, y], [("b",)]) == [[big, x, y]]
    assert plan([big, x, y, z], [("b", "x", "y")]) == [[big, x, y], [z]]  # 10 + 3 > 12


def test_a_run_adding_articles_leaves_large_groups_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    index_dir = tmp_path / "index"
    """Each run joins its segment with the last group while that group holds at most
    `JOIN_RATIO` times as many articles, and both fit in `GROUP_ARTICLES`."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    txt = sorted((DATA / "txt").glob("*.txt"))
    for n, source in enumerate(txt[:6]):  # one run, one segment of 2 articles each
        for copy in (0, 1):
            shutil.copy(source, folder / f"{n:02d}-{copy}-{source.name}")
        update_index(index_dir, [folder])
    before = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    # Joined up to 10 articles; the sixth run's 2 are less than a quarter of them.
    assert [group["counts"] for group in before] == [[2] * 5]
    shutil.copy(txt[8], folder / "late-1.txt")
    update_index(index_dir, [folder])
    shutil.copy(txt[9], folder / "late-2.txt")
    update_index(index_dir, [folder])
    after = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    # 10 + 3 would not fit: the large group is left alone, the late ones joined.
    assert after[0] == before[0]
    assert [group["counts"] for group in after[1:]] == [[2, 1, 1]]
    with Archive(index_dir) as archive, reference_index(index_dir, tmp_path).searcher() as whoosh:
        assert len(archive.arrays.parts) == 2
        assert archive.search("داعش").total == len(
            set(whoosh.docs_for_query(archive.parse("داعش")))
        )


def test_deleted_articles_are_never_matched(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(DATA / "txt", folder)
    index_dir = tmp_path / "index"
    update_index(index_dir, [folder])
    with Archive(index_dir) as archive:
        assert archive.search("الاسكواش").total >= 1
    (folder / "junior-squash-worlds.txt").unlink()
    update_index(index_dir, [folder])
    with Archive(index_dir) as archive:
        assert not archive.arrays.live.all()  # the article is deleted, not yet merged away
        result = archive.search("الاسكواش")
        assert result.total == 0 and result.hits == []


def test_live_articles_are_the_stored_ones_after_deletions_and_joins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the grouping reads from the postings files is each article's id as Whoosh
    stored it, its URL, day and signature as its file gives them, article by article,
    with deleted articles left out, across joined groups and lone segments."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    folder, index_dir = index_in_runs(tmp_path, ("txt", "jsonl", "trec"))
    (folder / "txt" / "junior-squash-worlds.txt").unlink()
    update_index(index_dir, [folder])
    articles = source_articles(index_dir, [folder])
    with store.open_index(index_dir).reader() as reader:
        assert reader.has_deletions()
        expected = [
            (
                f["id"],
                signature(a.text),
                int(url_keys([a.url])[0]),
                a.date.toordinal() if a.date else -1,
                docnum,
            )
            for docnum, f in reader.iter_docs()
            if (a := articles[f["id"]])
        ]
        assert any(row[1] for row in expected) and any(row[3] >= 0 for row in expected)
        segments = [segment for segment, _ in postings_groups.reader_segments(reader)]
        read = postings_groups.live_articles(index_dir, segments)
        signatures = [sig if any(sig) else b"" for sig in map(bytes, read.signatures)]
        columns = [read.ids, signatures, read.urls.tolist(), read.days.tolist()]
        assert list(zip(*columns, read.docnums.tolist(), strict=True)) == expected


@pytest.mark.parametrize("text", ["2018-2019 الانتخابات", "لقاح covid-19", "طائرات إف-16"])
def test_a_hyphen_inside_a_word_excludes_nothing(data_index: Path, text: str) -> None:
    with Archive(data_index) as archive:
        parsed = archive.parse(text)
        assert not any(isinstance(q, wq.AndNot | wq.Not) for q in _all(parsed)), repr(parsed)


def _all(q: wq.Query) -> list[wq.Query]:
    return [q, *(d for c in q.children() for d in _all(c))]


def test_consecutive_segments_are_joined_and_score_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joined groups answer as the segments' own files do, and replace them."""
    runs = ("txt", "jsonl", "trec", "json")
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1)  # nothing joined
    _, alone_dir = index_in_runs(tmp_path / "alone", runs)
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    _, index_dir = index_in_runs(tmp_path / "joined", runs)
    manifest = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    assert manifest and all(len(group["segments"]) >= 2 for group in manifest)
    grouped = {i for group in manifest for i in group["segments"]}
    assert not [p for p in index_dir.glob("MAIN_*.arr") if p.stem in grouped]
    queries = ["داعش واشنطن", '"التحالف الدولي"', "سوريا -التحالف", "الأهلي الإسماعيلي"]
    prefixes = ["ال", "الم", "تر", "و", "ا"]
    with Archive(index_dir) as archive:
        assert len(archive.arrays.parts) < len(archive.ix._segments())
        joined = [archive.search(q, limit=50) for q in queries]
        roots = [tmp_path / "joined" / "articles"]
        articles = source_articles(archive.index_dir, roots)
        assert_doc_values_are_the_articles(archive.arrays.doc_values, archive.searcher, articles)
        assert_hit_fields_are_the_articles(archive, roots)
        joined_words = [archive.arrays.words_with_prefix(p, 40) for p in prefixes]
        with reference_index(index_dir, tmp_path).reader() as whoosh:
            lexicon = [b.decode() for b in whoosh.lexicon(LEXICON_FIELD)]
    with Archive(alone_dir) as archive:
        assert len(archive.arrays.parts) == len(archive.ix._segments())
        alone = [archive.search(q, limit=50) for q in queries]
        alone_words = [archive.arrays.words_with_prefix(p, 40) for p in prefixes]
    for prefix, a_words, b_words in zip(prefixes, joined_words, alone_words, strict=True):
        # The first words of the prefix in byte order, as Whoosh's lexicon lists them.
        assert a_words == b_words == [w for w in lexicon if w.startswith(prefix)][:40]
    for a, b in zip(joined, alone, strict=True):
        assert a.total == b.total > 0
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]


def test_a_group_losing_merged_segments_is_read_in_ranges_then_joined_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny segments merged away from the middle of a group: the group's file is read
    without their articles until the join writes the standing segments again."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1000)
    monkeypatch.setattr(postings_groups, "JOIN_RATIO", 1000)  # all in one group
    monkeypatch.setattr(writer, "TINY_SEGMENT", 2)  # one article is tiny, eight are not
    folder = tmp_path / "articles"
    index_dir = tmp_path / "index"
    shutil.copytree(DATA / "jsonl", folder)
    update_index(index_dir, [folder])
    sources = sorted((DATA / "txt").glob("*.txt"))
    for n, source in enumerate(sources[: MAX_TINY_SEGMENTS + 1]):
        shutil.copy(source, folder / f"{n:02d}-{source.name}")
        update_index(index_dir, [folder])
    (before,) = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    assert len(before["segments"]) == MAX_TINY_SEGMENTS + 2
    monkeypatch.setattr(writer, "join_segments", lambda *args: None)
    shutil.copy(sources[MAX_TINY_SEGMENTS + 1], folder / "late.txt")
    update_index(index_dir, [folder])  # the tiny segments merged, the group not joined
    with Archive(index_dir) as archive:
        assert len(archive.ix._segments()) == 3
        assert archive.arrays.parts[0].end < before["counts"][0] + MAX_TINY_SEGMENTS
        found = [archive.search(q, limit=50) for q in ("داعش", "الأهلي", '"التحالف الدولي"')]
        assert all(result.total for result in found)
        assert_hit_fields_are_the_articles(archive, [folder])
    (tmp_path / "reference").mkdir()
    assert assert_arrays_equal_whoosh(index_dir, tmp_path / "reference", [folder]) > 300
    monkeypatch.setattr(writer, "join_segments", postings_groups.join_segments)
    update_index(index_dir, [folder])
    with Archive(index_dir) as archive:
        again = [archive.search(q, limit=50) for q in ("داعش", "الأهلي", '"التحالف الدولي"')]
    for a, b in zip(found, again, strict=True):
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]
    assert not (index_dir / before["file"]).exists()
    (after,) = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    assert len(after["segments"]) == 3 and not list(index_dir.glob("MAIN_*.arr"))


@pytest.mark.parametrize(("budget", "kept"), [(0, 0), (1 << 30, 10**9)])  # nothing / all
def test_what_an_opened_index_keeps_decoded_changes_no_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, budget: int, kept: int
) -> None:
    """The files of an opened index keep their decoded postings (and document
    frequencies) in one bounded store: one file's term numbers never answer for
    another's, whatever the store holds."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1)  # a file per segment
    _, index_dir = index_in_runs(tmp_path, ("txt", "jsonl", "trec", "json"))
    queries = ["داعش واشنطن", '"التحالف الدولي"', "سوريا -التحالف", "الأهلي الإسماعيلي"]

    def answers(archive: Archive) -> list[list[tuple[str, float | None]]]:
        return [[(h.id, h.score) for h in archive.search(q, limit=50).hits] for q in queries]

    with Archive(index_dir) as archive:
        expected = answers(archive)
    monkeypatch.setattr(postings, "DECODED_MIN_POSTINGS", 1)  # every term kept
    monkeypatch.setattr(scoring, "DECODED_BYTES", budget)
    monkeypatch.setattr(scoring, "DOC_FREQUENCIES_KEPT", kept)
    with Archive(index_dir) as archive:
        parts = archive.arrays.parts
        assert len(parts) > 1
        assert len({id(f._decoded) for part in parts for f in part.fields.values()}) == 1
        assert answers(archive) == answers(archive) == expected  # the second from the store


def test_files_sharing_a_store_of_decoded_postings_read_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Term numbers are a file's own: the same number read from each file, in turn,
    through one store gives each file's postings."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1)  # a file per segment
    monkeypatch.setattr(postings, "DECODED_MIN_POSTINGS", 1)  # every term kept
    _, index_dir = index_in_runs(tmp_path, ("txt", "jsonl", "trec"))
    files = [read_arrays(path) for path in sorted(index_dir.glob("*.arr"))]
    store = postings.DecodedPostings(1 << 30)
    shared = [postings_of(arrays, store)["text"] for arrays in files]
    alone = [postings_of(arrays)["text"] for arrays in files]
    assert len(files) == 3
    for term in range(min(len(field.keys) for field in alone)):
        for own, kept in zip(alone, shared, strict=True):
            a, b = own.starts[term : term + 2].tolist()
            assert kept.term_docs(term, a, b).tolist() == own.term_docs(term, a, b).tolist()
            assert kept.term_tfs(term, a, b).tolist() == own.term_tfs(term, a, b).tolist()
    assert store.held > 0


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_order_puts_undated_articles_last(data_index: Path, sort: str) -> None:
    with Archive(data_index) as archive:
        result = archive.search("سوريا OR الحكومة OR داعش", sort=sort, limit=50)
        dates = [hit.date for hit in result.hits]
        dated = [d for d in dates if d is not None]
        assert dated and None in dates  # data/ has both kinds among these matches
        assert dates == dated + [None] * (len(dates) - len(dated))
        assert dated == sorted(dated, reverse=sort == "newest")
        assert all(hit.score is None for hit in result.hits)


def test_a_join_made_in_parts_by_workers_is_the_join_made_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large join's parts (each field's postings, the articles') are written apart, one
    by a worker process, and put together: every array is the one joining in one process
    writes, and no part is left behind."""
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1)  # nothing joined yet
    _, unjoined = index_in_runs(
        tmp_path / "runs", ("txt", "jsonl", "trec", "json", "html", "feeds")
    )
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 12)
    monkeypatch.setattr(postings_groups, "PARALLEL_JOIN_ARTICLES", 0)
    whole, in_parts = tmp_path / "whole", tmp_path / "parts"
    shutil.copytree(unjoined, whole)
    shutil.copytree(unjoined, in_parts)
    segments = whoosh_index.open_dir(str(unjoined))._segments()
    postings_groups.join_segments(whole, segments)
    with writer._worker_pool(1) as pool:
        postings_groups.join_segments(in_parts, segments, pool)
    files = postings_groups.recorded_files(whole)
    assert len(files) >= 2 and postings_groups.recorded_files(in_parts) == files
    for name in files:
        verify_arrays(in_parts / name)
        expected, found = read_arrays(whole / name), read_arrays(in_parts / name)
        assert list(found) == list(expected)
        for key, array in expected.items():
            assert found[key].dtype == array.dtype and np.array_equal(found[key], array), key
    assert not list(in_parts.glob("*.tmp"))


def test_a_join_of_a_large_group_is_written_by_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes would each hold a field's postings of a large group: a join holding
    one larger than `PARALLEL_JOIN_MAX` articles asks no worker."""

    class NoWorkers(ThreadPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("a worker was asked")

    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1)  # nothing joined yet
    _, index_dir = index_in_runs(tmp_path, ("txt", "jsonl"))
    monkeypatch.setattr(postings_groups, "GROUP_ARTICLES", 1000)
    monkeypatch.setattr(postings_groups, "PARALLEL_JOIN_ARTICLES", 0)
    monkeypatch.setattr(postings_groups, "PARALLEL_JOIN_MAX", 5)
    segments = whoosh_index.open_dir(str(index_dir))._segments()
    assert sum(s.doc_count_all() for s in segments) > 5
    with NoWorkers() as pool:
        postings_groups.join_segments(index_dir, segments, pool)
    (name,) = postings_groups.recorded_files(index_dir)
    verify_arrays(index_dir / name)


def test_putting_parts_together_refuses_a_damaged_part(tmp_path: Path) -> None:
    first, second = tmp_path / "first.arr", tmp_path / "second.arr"
    write_arrays(first, [("a", np.arange(5, dtype=np.uint16))])
    write_arrays(second, [("b", np.arange(3, dtype=np.int64)), ("c", np.ones(2, np.uint8))])
    concatenate_arrays(tmp_path / "both.arr", [first, second])
    verify_arrays(tmp_path / "both.arr")
    both = read_arrays(tmp_path / "both.arr")
    assert [both["a"].tolist(), both["b"].tolist(), both["c"].tolist()] == [
        [0, 1, 2, 3, 4],
        [0, 1, 2],
        [1, 1],
    ]
    with pytest.raises(ValueError, match="holds a again"):
        concatenate_arrays(tmp_path / "twice.arr", [first, first])
    damaged = bytearray(second.read_bytes())
    damaged[len(b"ARSHIFA3") + 1] ^= 0xFF  # inside array b
    second.write_bytes(bytes(damaged))
    with pytest.raises(DamagedIndexError, match="checksum"):
        concatenate_arrays(tmp_path / "damaged.arr", [first, second])
    assert not (tmp_path / "damaged.arr").exists()


def test_joining_drops_group_files_no_longer_listed(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [DATA / "txt"])
    orphan = index_dir / "postings-0123456789abcdef.arr"
    orphan.write_bytes(b"left by a killed run")
    (index_dir / "postings-0123456789abcdef.arr.tmp").write_bytes(b"half written")
    update_index(index_dir, [DATA / "json"])
    assert not list(index_dir.glob("postings-0123456789abcdef*"))


@pytest.mark.parametrize("share", [0, 10**9])  # postings sorted / counted in place
@pytest.mark.parametrize("scale", [0.0, 0.3])
def test_an_or_of_terms_scores_over_its_postings_as_over_every_article(
    data_index: Path, scale: float, share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The OR of terms and phrases most questions are (a word's other spellings an OR
    inside it) is added up over its postings only: the same matches and the same scores
    as the whole-archive scoring."""
    monkeypatch.setattr(scoring, "SPARSE_SHARE", share)
    with Archive(data_index) as archive:
        parsed = archive.parse("داعش واشنطن التحالف الدولي الأهلي")
        spellings = wq.Or(archive.parse("ترامب ترمب").subqueries, boost=0.7)
        q = wq.Or([*parsed.subqueries, wq.Phrase("text", ["تحالف", "دول"]), spellings], scale=scale)
        scorer = archive.arrays.scorer()
        sparse = scorer.score(q)
        dense = scorer._coordinated(q) if scale else scorer._empty()
        if not scale:
            scorer._add(q, dense, 1.0)
        assert sparse is not None and len(sparse.docs) > 10
        spelled = scorer.score(spellings)
        assert spelled is not None and 0 < len(spelled.docs) < len(sparse.docs)
        assert set(spelled.docs.tolist()) <= set(sparse.docs.tolist())
        assert sparse.docs.tolist() == np.flatnonzero(dense.matched).tolist()
        assert sparse.scores.tolist() == dense.scores[sparse.docs].tolist()


def test_empty_segments_are_joined_with_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit falling on a batch's end writes a segment without articles; its group
    still lists every segment's end and field totals, and scores as Whoosh does."""
    monkeypatch.setattr(writer, "SEGMENT_ARTICLES", 2)
    index_dir = tmp_path / "index"
    update_index(index_dir, [DATA / "txt"], jobs=1, commit_every=4)
    ix = store.open_index(index_dir)
    assert any(not segment.doc_count_all() for segment in ix._segments())
    (group,) = read_json(index_dir / postings_groups.MANIFEST_FILE, None)
    arrays = read_arrays(index_dir / group["file"])
    assert len(arrays[SEGMENT_ENDS]) == len(group["segments"]) == len(arrays["text.totals"])
    (tmp_path / "reference").mkdir()
    assert assert_arrays_equal_whoosh(index_dir, tmp_path / "reference", [DATA / "txt"]) > 500
    with (
        Archive(index_dir) as archive,
        reference_index(index_dir, tmp_path).searcher(weighting=weighting()) as whoosh,
    ):
        parsed = archive.parse("داعش واشنطن")
        expected = {hit.docnum: hit.score for hit in whoosh.search(parsed, limit=None)}
        scored = archive.arrays.scorer().score(parsed)
        assert scored is not None and expected
        assert dict(zip(scored.docs.tolist(), scored.scores.tolist(), strict=True)) == (
            pytest.approx(expected, rel=1e-9)
        )
