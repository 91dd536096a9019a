"""The best matches made exact on demand (`search.topk`): the order the full scoring
gives, ties in document order, with phrases checked only where the order needs them."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq

from arshif.indexer.storage.writer import update_index
from arshif.search import scoring
from arshif.search.engine import Archive
from arshif.search.topk import Ranking
from tests.conftest import DATA, corpus_path

# Questions as readers ask them: their words' terms and the phrases of neighbouring words.
QUESTIONS = [
    "ما هو موقف التحالف الدولي من داعش في العراق",
    "متى بدأت عملية تحرير الأنبار",
    "من فاز بالدوري المصري هذا الموسم",
    "الأهلي والزمالك",
    '"التحالف الدولي" واشنطن',
    "قمة ترمب بوتن",  # names spelled two ways: an OR of spellings inside the question's
]


def brute_force(docs: np.ndarray, scores: np.ndarray, depth: int) -> list[tuple[int, float]]:
    order = np.lexsort((docs, -scores))[:depth]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6), st.integers(0, 4), st.booleans()
        ),  # lower score, phrase bonus, whether the phrase holds
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 20),
)
def test_ranked_is_the_exact_order_whatever_the_bounds(
    rows: list[tuple[int, int, bool]], depth: int
) -> None:
    """Small integer scores make many ties: the best `depth` and their order are those
    of the exact scores, and only documents that could change them are checked."""
    docs = np.arange(0, 3 * len(rows), 3)
    lower = np.array([row[0] for row in rows], float)
    bonus = np.array([row[1] for row in rows], float)
    exact = lower + np.array([row[1] if row[2] else 0 for row in rows], float)
    checked: list[int] = []

    def exact_scores(asked: np.ndarray) -> np.ndarray:
        assert np.all(np.diff(asked) > 0), "documents are asked for in order"
        checked.extend(asked.tolist())
        return exact[np.searchsorted(docs, asked)]

    ranking = Ranking(docs, lower, bonus, exact_scores)
    assert ranking.ranked(depth) == brute_force(docs, exact, depth)
    assert len(checked) == len(set(checked)), "no document is checked twice"
    assert set(checked) <= set(docs[bonus > 0].tolist())


def test_a_subset_keeps_what_was_checked_and_what_was_not() -> None:
    docs = np.array([1, 4, 6, 9])
    exact = np.array([5.0, 3.0, 8.0, 1.0])
    ranking = Ranking(docs, np.array([2.0, 3.0, 1.0, 1.0]), np.array([3.0, 0, 7.0, 0]),
                      lambda asked: exact[np.searchsorted(docs, asked)])  # fmt: skip
    assert ranking.ranked(1) == [(6, 8.0)]
    kept = ranking.subset(np.array([True, True, False, True]))
    assert kept.ranked(3) == [(1, 5.0), (4, 3.0), (9, 1.0)]


def assert_same_order_as_full_scoring(archive: Archive, text: str) -> bool:
    """Whether the phrases were checked lazily (the order is the full scoring's)."""
    plan = archive._plan(text, None, exact=False, names=True, suggest=False)
    full = archive.arrays.scorer(archive._scored_by_whoosh).score(plan.query)
    ranking = archive.arrays.scorer(archive._scored_by_whoosh).ranking(plan.query)
    assert full is not None and ranking is not None and len(full.docs)
    near = [leaf for leaf in plan.query.leaves() if isinstance(leaf, wq.Phrase)]
    if near and '"' not in text:  # a phrase typed is searched for, not checked later
        assert ranking._bonus is not None, "the question's phrases are checked lazily"
    assert ranking.docs.tolist() == full.docs.tolist(), "the same matches, phrases unchecked"
    for depth in (1, 3, 10, 100):
        assert ranking.ranked(depth) == brute_force(full.docs, full.scores, depth), depth
    return ranking._bonus is not None


@pytest.fixture(scope="module")
def data_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("topk") / "index"
    update_index(index_dir, [DATA])
    return index_dir


@pytest.mark.parametrize("share", [0, 10**9])  # lists looked up by binary search / table
@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_rank_as_the_full_scoring_ranks_them(
    data_archive: Path, text: str, share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scoring, "TABLE_SHARE", share)
    with Archive(data_archive) as archive:
        assert_same_order_as_full_scoring(archive, text)


@pytest.fixture(scope="module")
def news_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 news_ant articles: phrases of common words hold in many of them."""
    corpus = corpus_path("news_ant", "corpus.jsonl.gz")
    root = tmp_path_factory.mktemp("topk-news")
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        rows = list(islice(lines, 0, 20_000, 10))
    (root / "news").mkdir()
    (root / "news" / "part.jsonl").write_text("".join(rows), "utf-8")
    update_index(root / "index", [root / "news"])
    return root / "index"


@pytest.mark.corpus
def test_news_questions_rank_as_the_full_scoring_ranks_them(news_archive: Path) -> None:
    corpus = corpus_path("news_ant", "corpus.jsonl.gz")
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        titles = [json.loads(row)["title"] for row in islice(lines, 5, 20_000, 400)]
    with Archive(news_archive) as archive:
        lazy = [assert_same_order_as_full_scoring(archive, text) for text in titles]
    assert sum(lazy) > len(titles) / 2
