"""Golden ranking test: our own judged articles and queries, nDCG@10 pinned.

Any change to analysis or scoring moves the pinned figure; when it moves on purpose,
check the per-query ranks below still hold, run `bench/quality.py`, and re-pin.
"""

from __future__ import annotations

from pathlib import Path

import ir_measures
import pytest
from ir_measures import RR, R, nDCG
from whoosh.query import Phrase

from arshif.indexer.storage.schema import build_schema
from arshif.indexer.storage.writer import update_index
from arshif.search.batch import read_topics
from arshif.search.engine import Archive
from arshif.search.query import parse_query
from tests.conftest import DATA, SEED

GOLDEN = Path(__file__).resolve().parent / "golden"

# nDCG@10 / MRR@10 of the golden queries, measured; re-pin deliberately.
PINNED_NDCG10 = 0.996
PINNED_MRR10 = 1.0

# The top 3 of every golden query as measured: the finest-grained pin (nDCG is near 1 here,
# so a reordering below rank 1 would not move it).
GOLDEN_TOP_3 = {
    "q01": ("g01", "g03", "g07"),
    "q02": ("g02",),
    "q03": ("g03", "g17", "g18"),
    "q04": ("g04", "g23", "g22"),
    "q05": ("g05", "g04", "g22"),
    "q06": ("g06",),
    "q07": ("g08", "g09", "g07"),
    "q08": ("g09",),
    "q09": ("g07", "g08", "g09"),
    "q10": ("g10",),
    "q11": ("g11", "g12", "g10"),
    "q12": ("g21",),
    "q13": ("g14", "g15"),
    "q14": ("g15", "g14", "g20"),
    "q15": ("g16",),
    "q16": ("g17",),
    "q17": ("g18", "g03", "g11"),
    "q18": ("g19", "g17"),
    "q19": ("g22", "g23", "g04"),
    "q20": ("g20", "g14", "g06"),
}

TOP_1 = [
    ("q01", "g01"),  # نتيجة مباراة الفيصلي والوحدات: a proclitic و on a team name
    ("q05", "g05"),  # هل مددت اوبك خفض الإنتاج؟: a question word and ؟
    ("q09", "g07"),  # ما نتيجة الانتخابات الرئاسية في تونس؟: question, no word of the headline
    ("q12", "g21"),  # أين انتشرت حمى الضنك؟
    ("q15", "g16"),  # fully vocalized query
    ("q19", "g22"),  # سعر الفائده في مصر: ه for ة
]


@pytest.fixture(scope="module")
def golden_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    index_dir = tmp_path_factory.mktemp("golden") / "index"
    summary = update_index(index_dir, [GOLDEN / "articles.jsonl"], jobs=1)
    assert summary.articles_total == 24
    archive = Archive(index_dir)
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def golden_run(golden_archive: Archive) -> dict[str, dict[str, float]]:
    topics = read_topics((GOLDEN / "queries.tsv").read_text("utf-8").splitlines())
    return {qid: dict(golden_archive.run_topics(query, 100)) for qid, query in topics}


def test_golden_ndcg_is_pinned(golden_run: dict[str, dict[str, float]]) -> None:
    qrels = list(ir_measures.read_trec_qrels(str(GOLDEN / "qrels.txt")))
    assert {q.query_id for q in qrels} == set(golden_run)  # every judged query answered
    scores = ir_measures.calc_aggregate([nDCG @ 10, RR @ 10, R @ 100], qrels, golden_run)
    assert len(golden_run) == 20
    assert round(scores[nDCG @ 10], 3) == PINNED_NDCG10
    assert round(scores[RR @ 10], 3) == PINNED_MRR10
    assert scores[R @ 100] == 1.0


@pytest.mark.parametrize(("qid", "docid"), TOP_1, ids=[q for q, _ in TOP_1])
def test_golden_top_1(golden_run: dict[str, dict[str, float]], qid: str, docid: str) -> None:
    ranked = sorted(golden_run[qid], key=golden_run[qid].get, reverse=True)
    assert ranked[0] == docid


def test_golden_top_3_is_pinned(golden_run: dict[str, dict[str, float]]) -> None:
    top_3 = {q: tuple(sorted(run, key=run.get, reverse=True)[:3]) for q, run in golden_run.items()}
    assert top_3 == GOLDEN_TOP_3


def test_seed_ranks_first_among_the_sample_data(tmp_path: Path) -> None:
    update_index(tmp_path / "index", [DATA], jobs=1)
    with Archive(tmp_path / "index") as archive:
        hits = archive.run_topics("داعش واشنطن", 10)
    assert hits[0][0] == f"data/seed/{SEED.name}"


# Query construction behind the golden figures: real questions carry noise that must not hurt.
QUESTIONS = [
    ("leading-dash", "- أين تقع عمان؟ ال", "أين تقع عمان؟"),
    ("trailing-stray-article", "متى افتتح استاد الجنوب ال", "متى افتتح استاد الجنوب"),
    ("question-word-query-only", "اذكر نتيجة مباراة الفيصلي", "نتيجة مباراة الفيصلي"),
]


@pytest.mark.parametrize(("case", "noisy", "clean"), QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_question_noise_parses_like_the_clean_question(case: str, noisy: str, clean: str) -> None:
    schema = build_schema()
    assert parse_query(noisy, schema) == parse_query(clean, schema)


def test_proximity_only_for_plain_words() -> None:
    schema = build_schema()
    plain = parse_query("التحالف الدولي", schema)
    assert any(isinstance(q, Phrase) for q in plain.subqueries)
    assert not any(isinstance(q, Phrase) for q in parse_query("التحالف OR الدولي", schema).leaves())
    assert not any(isinstance(q, Phrase) for q in parse_query("داعش", schema).leaves())
