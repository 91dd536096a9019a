"""Ranking quality on judged Arabic questions (MRR@10, nDCG@10, Recall@100), and on
known-item queries as people type them (found in the top 10).

    .venv/bin/python bench/quality.py              # mixed-dev: 1,764 paragraphs + 41,686 news
    .venv/bin/python bench/quality.py --closed     # the 1,764 paragraphs only (seconds)
    .venv/bin/python bench/quality.py --log "what changed"   # also add a row to the log

- The collection is indexed through the real writer (`indexer.storage.writer.update_index`) into
  `bench/cache/<setting>-<key>/`, where the key hashes every file that decides what the
  index holds (the analysis package and the schema), so a change there rebuilds it and
  anything else reuses it;
- the dev questions run through `search.batch.write_run`, the code behind
  `arshif search --topics FILE --run OUT`, and are scored with `ir_measures` (trec_eval's
  RR@10, nDCG@10 and R@100; a judged question the run does not answer scores 0);
- results go to the terminal and to `bench/results/quality.md`, whose experiment log is
  kept across runs (`--log` appends the figures of this run to it);
- on the mixed index, the known-item sets of `bench/known_items.py` (headline words typed
  with misspellings, names typed in Latin letters) are searched through the same batch
  path, once as arshif searches and once as it did before issue #15 (`exact`: no
  corrections, no names widened to the other script); the share found in the top 10,
  per kind, goes to the terminal and to `bench/results/known_items.md`.

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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import ir_measures

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from known_items import KnownItem, counts, found, headline_items, latin_items  # noqa: E402

from arshif.indexer.storage.writer import update_index  # noqa: E402
from arshif.search import ranking  # noqa: E402
from arshif.search.batch import read_topics, write_run  # noqa: E402
from arshif.search.engine import Archive  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ARWIKI = SHARED / "corpora" / "retrieval_arwiki_qa"
NEWS = SHARED / "corpora" / "news_ant" / "corpus.jsonl.gz"
CACHE = REPO / "bench" / "cache"
RESULTS = REPO / "bench" / "results" / "quality.md"
KNOWN_RESULTS = REPO / "bench" / "results" / "known_items.md"
# How arshif searched before issue #15: words as typed, names in their own script only.
AS_BEFORE = {"exact": True, "names": False}
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


MEASURES = (ir_measures.RR @ 10, ir_measures.nDCG @ 10, ir_measures.R @ 100)
Qrels = dict[str, dict[str, int]]
Run = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Scores:
    """Mean MRR@10, nDCG@10 and Recall@100 over a set of questions."""

    queries: int
    mrr10: float
    ndcg10: float
    recall100: float


def read_qrels(lines: list[str]) -> Qrels:
    """`qid 0 docid grade` lines as {qid: {docid: grade}}."""
    qrels: Qrels = defaultdict(dict)
    for line in lines:
        if len(parts := line.split()) == 4:
            qrels[parts[0]][parts[2]] = int(parts[3])
    return dict(qrels)


def read_run(lines: list[str]) -> Run:
    """`qid Q0 docid rank score tag` lines as {qid: {docid: score}}."""
    run: Run = defaultdict(dict)
    for line in lines:
        if len(parts := line.split()) >= 5:
            run[parts[0]][parts[2]] = float(parts[4])
    return dict(run)


def evaluate(run: Run, qrels: Qrels, qids: list[str] | None = None) -> Scores:
    """Mean scores over `qids` (default: every question with a relevant article); a
    question the run does not answer scores 0 (trec_eval would skip it)."""
    judged = [q for q in (qids or qrels) if any(g > 0 for g in qrels.get(q, {}).values())]
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for m in ir_measures.iter_calc(MEASURES, {q: qrels[q] for q in judged}, run):
        values[str(m.measure)][m.query_id] = m.value
    n = len(judged)
    if not n:
        return Scores(0, 0.0, 0.0, 0.0)
    mrr, ndcg, recall = (sum(values[str(m)].get(q, 0.0) for q in judged) / n for m in MEASURES)
    return Scores(n, mrr, ndcg, recall)


def search_topics(job: tuple[Path, list[tuple[str, str]]]) -> str:
    """A TREC run for `topics`, written by `search.batch.write_run` over the index."""
    index_dir, topics = job
    out = io.StringIO()
    with Archive(index_dir) as archive:
        lines = "".join(f"{qid}\t{text}\n" for qid, text in topics)
        write_run(archive, io.StringIO(lines), out, DEPTH)
    return out.getvalue()


def search_known(job: tuple[Path, list[KnownItem], dict[str, bool]]) -> dict[str, list[bool]]:
    """Per kind, whether each item's answer came back in the top 10."""
    index_dir, items, options = job
    with Archive(index_dir) as archive:
        return found(archive, items, **options)


def known_item_table(index_dir: Path, jobs: int) -> str:
    """The known-item table: per kind, queries and the share found, before and now."""
    with Archive(index_dir) as archive:
        items = headline_items(NEWS) + latin_items(archive)
    shares: dict[str, dict[str, list[bool]]] = {}
    for name, options in (("before", AS_BEFORE), ("now", {})):
        parts = [(index_dir, items[i::jobs], options) for i in range(jobs)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            joined: dict[str, list[bool]] = defaultdict(list)
            for part in pool.map(search_known, parts):
                for kind, hits in part.items():
                    joined[kind] += hits
        shares[name] = joined
    lines = [
        "| kind | queries | found before #15 | found now |",
        "|---|---|---|---|",
    ]
    misspelled: dict[str, list[bool]] = {"before": [], "now": []}
    for kind, n in counts(items).items():
        before, now = (sum(shares[x][kind]) / n for x in ("before", "now"))
        lines.append(f"| {kind} | {n} | {before:.3f} | {now:.3f} |")
        if kind not in ("clean", "latin"):
            for x in misspelled:
                misspelled[x] += shares[x][kind]
    b, w = (sum(misspelled[x]) / len(misspelled[x]) for x in ("before", "now"))
    lines.append(f"| all misspelled | {len(misspelled['now'])} | {b:.3f} | {w:.3f} |")
    return "\n".join(lines)


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
    if setting == "mixed" and not args.limit_queries:
        started = time.perf_counter()
        known = known_item_table(index_dir, jobs)
        seconds = time.perf_counter() - started
        print(f"known items, found in the top 10 ({seconds:.0f} s):\n{known}")
        KNOWN_RESULTS.write_text(
            "# Known-item queries as people type them (issue #15)\n\n"
            "Written by `bench/quality.py` on the mixed index; the sets are built by "
            "`bench/known_items.py` (see its docstring) from news_ant with a fixed seed. "
            "*Before #15*: words searched as typed, names in their own script only "
            "(`exact=True, names=False`); *now*: arshif's default. A query is found when "
            "one of its articles is in the top 10.\n\n"
            f"Command: `.venv/bin/python bench/quality.py`\n\n{known}\n",
            "utf-8",
        )
        print(f"written: {KNOWN_RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
