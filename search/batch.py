"""Batch search for evaluation: topics in, a TREC run out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from arshif.search.engine import Archive

RUN_TAG = "arshif"


def read_topics(lines: Iterable[str]) -> list[tuple[str, str]]:
    """`qid<TAB>query` lines as (qid, query) pairs; blank lines are skipped."""
    topics = []
    for line in lines:
        qid, _, query = line.rstrip("\n").partition("\t")
        if qid.strip():
            topics.append((qid.strip(), query))
    return topics


def write_run(archive: Archive, topics: TextIO, run: TextIO, depth: int) -> int:
    """Search every topic and write `qid Q0 docid rank score arshif` lines; return the count."""
    count = 0
    for qid, query in read_topics(topics):
        for rank, (docid, score) in enumerate(archive.run_topics(query, depth), 1):
            run.write(f"{qid} Q0 {docid} {rank} {score:.4f} {RUN_TAG}\n")
        count += 1
    return count
