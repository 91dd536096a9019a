"""Our MRR@10 / nDCG@10 / Recall@100 against a hand computation and against ir_measures."""

from __future__ import annotations

import math
import random

import pytest

from arshif.search.evaluation import (
    evaluate,
    ndcg,
    ranking,
    read_qrels,
    read_run,
    recall,
    reciprocal_rank,
)

QRELS = ["q1 0 a 2", "q1 0 b 1", "q1 0 z 0", "q2 0 c 1", "q3 0 d 1"]
RUN = [
    "q1 Q0 x 1 9.0 t",
    "q1 Q0 b 2 8.0 t",
    "q1 Q0 a 3 7.0 t",
    "q1 Q0 z 4 6.0 t",
    "q2 Q0 y 1 3.0 t",
    "q2 Q0 c 2 2.0 t",
]


def test_hand_computed_example() -> None:
    qrels, run = read_qrels(QRELS), read_run(RUN)
    # q1: relevant b (grade 1) at rank 2, a (grade 2) at rank 3.
    dcg = 1 / math.log2(3) + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg(ranking(run["q1"]), qrels["q1"]) == pytest.approx(dcg / idcg)
    assert reciprocal_rank(ranking(run["q1"]), qrels["q1"]) == 0.5
    assert recall(ranking(run["q1"]), qrels["q1"]) == 1.0
    # q2: c at rank 2. q3: no results at all, so it scores 0 and still counts.
    scores = evaluate(run, qrels)
    assert scores.queries == 3
    assert scores.mrr10 == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert scores.ndcg10 == pytest.approx((dcg / idcg + 1 / math.log2(3) + 0) / 3)
    assert scores.recall100 == pytest.approx(2 / 3)


def test_depth_cuts() -> None:
    ranked = [f"d{i}" for i in range(150)]
    assert reciprocal_rank(ranked, {"d10": 1}) == 0.0  # rank 11 is beyond @10
    assert ndcg(ranked, {"d10": 1}) == 0.0
    assert recall(ranked, {"d99": 1}) == 1.0
    assert recall(ranked, {"d100": 1}) == 0.0


def test_ties_are_broken_like_trec_eval() -> None:
    assert ranking({"a": 1.0, "b": 1.0, "c": 2.0}) == ["c", "b", "a"]


def test_agrees_with_ir_measures_on_a_synthetic_run() -> None:
    ir_measures = pytest.importorskip("ir_measures")
    rng = random.Random(7)
    qrels_lines, run_lines = [], []
    for q in range(40):
        docs = [f"d{i}" for i in range(300)]
        for d in rng.sample(docs, rng.randint(1, 6)):
            qrels_lines.append(f"q{q} 0 {d} {rng.randint(0, 3)}")
        for rank, d in enumerate(rng.sample(docs, 150), 1):
            run_lines.append(f"q{q} Q0 {d} {rank} {1000 - rank + rng.random():.6f} t")
    qrels, run = read_qrels(qrels_lines), read_run(run_lines)
    judged = [q for q in qrels if any(g > 0 for g in qrels[q].values())]

    theirs = ir_measures.calc_aggregate(
        [ir_measures.RR @ 10, ir_measures.nDCG @ 10, ir_measures.R @ 100],
        # ir_measures averages over every qrels query, even one with no relevant document
        # (it scores 0 there); ours leaves such queries out, so give it the judged ones only.
        [ir_measures.Qrel(q, d, g) for q in judged for d, g in qrels[q].items()],
        [ir_measures.ScoredDoc(q, d, s) for q in judged for d, s in run[q].items()],
    )
    ours = evaluate(run, qrels)
    assert ours.queries == len(judged)
    assert ours.mrr10 == pytest.approx(theirs[ir_measures.RR @ 10])
    assert ours.ndcg10 == pytest.approx(theirs[ir_measures.nDCG @ 10])
    assert ours.recall100 == pytest.approx(theirs[ir_measures.R @ 100])
