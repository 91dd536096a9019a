"""Ranking quality on judged Arabic questions: MRR@10, nDCG@10 and Recall@100.

    .venv/bin/python bench/quality.py              # mixed-dev: 1,764 paragraphs + 41,686 news
    .venv/bin/python bench/quality.py --closed     # the 1,764 paragraphs only (seconds)
    .venv/bin/python bench/quality.py --log "what changed"   # also add a row to the log

- The collection is indexed through the real writer (`indexer.storage.writer.update_index`) into
  `bench/cache/<setting>-<key>/`, where the key hashes every file that decides what the
  index holds (the analysis package and the schema), so a change there rebuilds it and
  anything else reuses it;
- the dev questions run through `search.batch.write_run`, the code behind
  `arshif search --topics FILE --run OUT`, and are scored by `search.evaluation`;
- results go to the terminal and to `bench/results/quality.md`, whose experiment log is
  kept across runs (`--log` appends the figures of this run to it).

Needs `../shared/corpora` next to the repository; without it the benchmark says so and
exits without failing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import multiprocessing
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from arshif.indexer.storage.writer import update_index  # noqa: E402
from arshif.search import ranking  # noqa: E402
from arshif.search.batch import read_topics, write_run  # noqa: E402
from arshif.search.engine import Archive  # noqa: E402
from arshif.search.evaluation import Scores, evaluate, read_qrels, read_run  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ARWIKI = SHARED / "corpora" / "retrieval_arwiki_qa"
NEWS = SHARED / "corpora" / "news_ant" / "corpus.jsonl.gz"
CACHE = REPO / "bench" / "cache"
RESULTS = REPO / "bench" / "results" / "quality.md"
DEPTH = 100
SOURCES = {"arcd": "ARCD", "xquad": "XQuAD", "kaif": "KaifLematha"}
LOG_HEADING = "## Experiment log"
LUCENE = "Lucene 8 ArabicAnalyzer + BM25, one field (issue #3) | 0.766 | 0.794 | 0.949"


def index_key() -> str:
    """Hash of every file that decides what the index holds."""
    files = sorted((REPO / "indexer" / "analysis").glob("*.py"))
    files += sorted((REPO / "indexer" / "analysis").glob("*.txt"))
    files.append(REPO / "indexer" / "storage" / "schema.py")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def ranking_settings() -> str:
    return (
        f"fields {ranking.FIELD_BOOSTS}, k1={ranking.BM25_K1}, b={ranking.BM25_B}, "
        f"coordination={ranking.COORDINATION}"
    )


def build_index(setting: str, paths: list[Path], rebuild: bool) -> Path:
    index_dir = CACHE / f"{setting}-{index_key()}"
    if (index_dir / "arshif.json").exists() and not rebuild:
        print(f"index: reusing {index_dir.relative_to(REPO)}")
        return index_dir
    print(f"index: building {index_dir.relative_to(REPO)} from {len(paths)} files …", flush=True)
    summary = update_index(index_dir, paths, rebuild=True)
    if summary.problems:
        raise SystemExit(
            f"indexing reported {len(summary.problems)} problems: {summary.problems[:3]}"
        )
    print(f"index: {summary.articles_total} articles in {summary.seconds:.0f} s", flush=True)
    return index_dir


def search_topics(job: tuple[Path, list[tuple[str, str]]]) -> str:
    """A TREC run for `topics`, written by `search.batch.write_run` over the index."""
    index_dir, topics = job
    out = io.StringIO()
    with Archive(index_dir) as archive:
        lines = "".join(f"{qid}\t{text}\n" for qid, text in topics)
        write_run(archive, io.StringIO(lines), out, DEPTH)
    return out.getvalue()


def source_of(qid: str) -> str:
    return SOURCES.get(qid.split("-", 1)[0], "other")


def table(rows: list[tuple[str, Scores]]) -> str:
    lines = ["| queries | n | MRR@10 | nDCG@10 | Recall@100 |", "|---|---|---|---|---|"]
    for name, s in rows:
        lines.append(
            f"| {name} | {s.queries} | {s.mrr10:.4f} | {s.ndcg10:.4f} | {s.recall100:.4f} |"
        )
    return "\n".join(lines)


def write_results(setting: str, docs: int, rows: list[tuple[str, Scores]], log: str | None) -> None:
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    log_part = old[old.index(LOG_HEADING) :] if LOG_HEADING in old else f"{LOG_HEADING}\n\n"
    if LOG_HEADING not in old:
        log_part += "| date | setting | what changed | MRR@10 | nDCG@10 | R@100 |\n"
        log_part += "|---|---|---|---|---|---|\n"
    if log:
        s = rows[0][1]
        today = dt.date.today().isoformat()
        figures = f"{s.mrr10:.4f} | {s.ndcg10:.4f} | {s.recall100:.4f}"
        log_part = log_part.rstrip("\n") + f"\n| {today} | {setting} | {log} | {figures} |\n"
    # Keep the latest figures of each setting: the other setting's section is carried over.
    sections = dict(re.findall(r"(?ms)^### (\S+)\n(.*?)(?=^### |^## |\Z)", old))
    flag = " --closed" if setting == "closed" else ""
    sections[setting] = (
        f"{docs} documents, {rows[0][1].queries} dev questions, analyzer key {index_key()}; "
        f"{ranking_settings()}.\n"
        f"Command: `.venv/bin/python bench/quality.py{flag}`\n\n"
        f"{table(rows)}\n\n"
    )
    body = [
        "# Ranking quality on judged Arabic questions\n",
        "Written by `bench/quality.py` (see its docstring). Collection: "
        "`../shared/corpora/retrieval_arwiki_qa` (dev questions, `qrels.dev.txt`); "
        "*mixed* adds the 41,686 `news_ant` articles as distractors. "
        "XQuAD paragraph titles are English and are indexed as they are.\n",
        f"Bar to beat on mixed-dev: {LUCENE} (MRR@10 | nDCG@10 | R@100). "
        "Target: nDCG@10 ≥ 0.82 and Recall@100 ≥ 0.96.\n",
        "## Latest figures\n",
    ]
    for name in ("mixed", "closed"):
        if name in sections:
            body.append(f"### {name}\n{sections[name]}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(body) + log_part, "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closed", action="store_true", help="the 1,764 paragraphs only")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="only the first N questions")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached index")
    parser.add_argument("--log", metavar="TEXT", help="add this run to the experiment log")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="search processes (default: cores)"
    )
    args = parser.parse_args()

    if not ARWIKI.is_dir() or (not args.closed and not NEWS.is_file()):
        print(f"skipped: the judged collection is not available under {SHARED / 'corpora'}")
        return 0
    setting = "closed" if args.closed else "mixed"
    paths = [ARWIKI / "corpus.jsonl.gz"] + ([] if args.closed else [NEWS])
    index_dir = build_index(setting, paths, args.rebuild)

    topics_text = (ARWIKI / "topics.dev.tsv").read_text("utf-8")
    topics = read_topics(topics_text.splitlines())
    if args.limit_queries:
        topics = topics[: args.limit_queries]
    qrels = read_qrels((ARWIKI / "qrels.dev.txt").read_text("utf-8").splitlines())
    qrels = {q: qrels[q] for q, _ in topics if q in qrels}

    with Archive(index_dir) as archive:
        docs = archive.ix.doc_count()
    started = time.perf_counter()
    # Queries are independent: each process opens the index and searches a share of them.
    jobs = max(1, min(args.jobs, len(topics)))
    shares = [(index_dir, topics[i::jobs]) for i in range(jobs)]
    if jobs == 1:
        parts = [search_topics(shares[0])]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            parts = pool.map(search_topics, shares)
    seconds = time.perf_counter() - started
    run_text = "".join(parts)
    run_path = CACHE / f"{setting}.run"
    run_path.write_text(run_text, "utf-8")
    run = read_run(run_text.splitlines())
    print(f"search: {len(topics)} questions in {seconds:.0f} s ({run_path.relative_to(REPO)})")

    rows = [("all", evaluate(run, qrels))]
    for name in SOURCES.values():
        subset = [q for q in qrels if source_of(q) == name]
        if subset:
            rows.append((name, evaluate(run, qrels, subset)))
    print(table(rows))
    if args.limit_queries:
        print("(--limit-queries: bench/results/quality.md not written)")
    else:
        write_results(setting, docs, rows, args.log)
        print(f"written: {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
