"""Ranking quality over TREC runs and qrels: MRR@10, nDCG@10 and Recall@100.

- A run is `qid Q0 docid rank score tag` lines; within a query, documents are ordered by
  score (highest first), ties broken by docid descending, as trec_eval does;
- qrels are `qid 0 docid grade` lines; a grade above 0 is relevant, and nDCG uses the
  grade itself as the gain (trec_eval's `ndcg_cut`), discounted by log2(rank + 1);
- every query in the qrels counts: a query the run has no results for scores 0 (trec_eval
  would skip it, which flatters a system that fails to answer).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]


def read_qrels(lines: Iterable[str]) -> Qrels:
    """`qid 0 docid grade` lines as {qid: {docid: grade}}.

    >>> read_qrels(["q1 0 d1 2", "q1 0 d2 0"])
    {'q1': {'d1': 2, 'd2': 0}}
    """
    qrels: Qrels = defaultdict(dict)
    for line in lines:
        parts = line.split()
        if len(parts) == 4:
            qid, _, docid, grade = parts
            qrels[qid][docid] = int(grade)
    return dict(qrels)


def read_run(lines: Iterable[str]) -> Run:
    """`qid Q0 docid rank score tag` lines as {qid: {docid: score}}."""
    run: Run = defaultdict(dict)
    for line in lines:
        parts = line.split()
        if len(parts) >= 5:
            run[parts[0]][parts[2]] = float(parts[4])
    return dict(run)


def ranking(scores: Mapping[str, float]) -> list[str]:
    """Docids by score, highest first; ties by docid descending (trec_eval's order)."""
    return sorted(scores, key=lambda d: (scores[d], d), reverse=True)


def reciprocal_rank(ranked: list[str], judged: Mapping[str, int], depth: int = 10) -> float:
    """1 / rank of the first relevant document within `depth`, else 0.

    >>> reciprocal_rank(["a", "b", "c"], {"c": 1})
    0.3333333333333333
    """
    for rank, docid in enumerate(ranked[:depth], 1):
        if judged.get(docid, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg(ranked: list[str], judged: Mapping[str, int], depth: int = 10) -> float:
    """Graded nDCG at `depth`: sum of grade / log2(rank + 1), over the ideal ordering.

    >>> round(ndcg(["b", "a"], {"a": 2, "b": 1}), 4)
    0.8597
    """
    dcg = sum(
        max(judged.get(d, 0), 0) / math.log2(rank + 1) for rank, d in enumerate(ranked[:depth], 1)
    )
    ideal_gains = sorted((g for g in judged.values() if g > 0), reverse=True)[:depth]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_gains, 1))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], judged: Mapping[str, int], depth: int = 100) -> float:
    """Share of the relevant documents found within `depth`.

    >>> recall(["a", "x"], {"a": 1, "b": 2})
    0.5
    """
    relevant = {d for d, g in judged.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:depth])) / len(relevant)


@dataclass(frozen=True)
class Scores:
    """Mean MRR@10, nDCG@10 and Recall@100 over a set of queries."""

    queries: int
    mrr10: float
    ndcg10: float
    recall100: float


def per_query(run: Run, qrels: Qrels) -> dict[str, tuple[float, float, float]]:
    """(RR@10, nDCG@10, R@100) for every query of the qrels that has a relevant document."""
    result = {}
    for qid, judged in qrels.items():
        if not any(g > 0 for g in judged.values()):
            continue
        ranked = ranking(run.get(qid, {}))
        result[qid] = (
            reciprocal_rank(ranked, judged),
            ndcg(ranked, judged),
            recall(ranked, judged),
        )
    return result


def evaluate(run: Run, qrels: Qrels, qids: Iterable[str] | None = None) -> Scores:
    """Mean scores over `qids` (default: every judged query); unanswered queries score 0."""
    table = per_query(run, qrels)
    chosen = list(table) if qids is None else [q for q in qids if q in table]
    n = len(chosen)
    if not n:
        return Scores(0, 0.0, 0.0, 0.0)
    sums = [sum(table[q][i] for q in chosen) for i in range(3)]
    return Scores(n, sums[0] / n, sums[1] / n, sums[2] / n)
