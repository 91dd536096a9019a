"""Speed benchmark (issue #4): arshif against plain Whoosh, measured in the same run.

    .venv/bin/python bench/speed.py [--quick] [--scale 5] [--repeats N] [--questions N]
    .venv/bin/python bench/speed.py --warc [--quick] [--repeats N]

Measures indexing (news_ant, and news_ant + retrieval_arwiki_qa "mixed"), query latency
on the mixed index (the 2,500 dev questions and 200 short headline queries), re-indexing
an unchanged folder and one with 1% of its files changed, and a synthetic archive N times
news_ant: its indexing, query latency, the peak memory of a process answering every dev
question, and adding 1% new files to it. Prints the tables and writes them to
bench/results/speed.md.
With --warc it measures instead web archives against saved pages (`web_archive`), into
bench/results/web_archive.md.

The machines are shared and noisy, so the arshif / baseline ratios are what to track;
timings are medians over repeats and never belong in pass/fail tests.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import web_archive
from common import (
    CORPORA,
    DEV_TOPICS,
    MB,
    NEWS_CORPUS,
    REPO,
    RESULTS,
    WIKI_CORPUS,
    Measured,
    code_fingerprint,
    dir_size,
    git_revision,
    latency_stats,
    machine_facts,
    median_stats,
    read_lines,
    read_topics,
    run_measured,
    today,
)
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from arshif.indexer.storage.writer import update_index
from arshif.search.engine import Archive

# The corpus is laid out as a folder of many small JSONL files, as a newsroom archive
# grows: 41,686 articles make ~1,000 files, so "1% of the files" is a real re-index case.
ARTICLES_PER_FILE = 42
CHANGED_FRACTION = 0.01
SHORT_QUERY_COUNT = 200
SHORT_QUERY_SEED = 4
SHORT_QUERIES_FILE = RESULTS / "short_queries.tsv"
# Untimed queries first, so the first timed ones do not pay for opening files and caches.
WARMUP_QUERIES = 50
# --quick: an evenly spread subset (every STRIDE-th article or question), not the first N,
# so that every outlet and every question source is in it.
QUICK_ARTICLES = 5_000
QUICK_ARTICLE_STRIDE = 8
QUICK_DEV = 200
QUICK_DEV_STRIDE = 12
QUICK_SHORT = 100
QUICK_SCALE = 2
# Targets of issue #4, checked in the report.
TARGET_INDEX_RATIO = 2.5
TARGET_DEV_P50_MS = 12.0
TARGET_DEV_P95_MS = 70.0
TARGET_SHORT_P50_MS = 5.0
TARGET_PEAK_MB = 500
TARGET_REINDEX_FRACTION = 0.05
# Targets of issue #13: indexing news_ant against plain Whoosh, the indexes' sizes, the
# peak memory of indexing at scale, and dev questions (batch path) at scale against the
# 1× mixed archive.
TARGET_NEWS_RATIO = 7.0
TARGET_MIXED_MB = 115
TARGET_SCALE_INDEX_MB = 1100
TARGET_SCALE_PEAK_MB = 600
TARGET_SCALE_DEV_P50 = 2.0
TARGET_SCALE_DEV_P95 = 2.5
# "Indexes at the same rate" at scale: within noise of the 1x rate.
TARGET_SCALE_RATE = 0.9
# A process answering all the dev questions (batch path) on the scaled archive, at most;
# and adding 1% new files to it, as a share of indexing it whole.
TARGET_SEARCH_PEAK_MB = 600
TARGET_ADD_FRACTION = 0.03

_ARABIC_WORD = re.compile("[\u0621-\u063a\u0641-\u064a]{3,}")
# Frequent function words of three letters or more: a reader types names and topics.
_FUNCTION_WORDS = frozenset({
    "على", "إلى", "التي", "الذي", "الذين", "هذا", "هذه", "ذلك", "تلك", "بعد", "قبل", "بين",
    "حول", "عبر", "خلال", "منذ", "حتى", "كان", "كانت", "يكون", "أنه", "إنه", "لها", "عند",
    "غير", "بعض",
})  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- input ---------------------------------------------------------------------------


@dataclass
class Collection:
    """Folders of JSONL files that are indexed together."""

    name: str
    folders: list[Path]
    articles: int
    bytes: int

    @classmethod
    def union(cls, name: str, parts: list[Collection]) -> Collection:
        return cls(
            name,
            [folder for part in parts for folder in part.folders],
            sum(part.articles for part in parts),
            sum(part.bytes for part in parts),
        )


def chunks(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """`lines` in lists of `size`, each line ending in a newline."""
    chunk: list[bytes] = []
    for line in lines:
        chunk.append(line if line.endswith(b"\n") else line + b"\n")
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_folder(name: str, lines: Iterable[bytes], folder: Path) -> Collection:
    """Write `lines` as `part-NNNNN.jsonl` files of ARTICLES_PER_FILE articles each."""
    folder.mkdir(parents=True)
    articles = size = 0
    for number, chunk in enumerate(chunks(lines, ARTICLES_PER_FILE)):
        path = folder / f"part-{number:05d}.jsonl"
        path.write_bytes(b"".join(chunk))
        articles += len(chunk)
        size += path.stat().st_size
    return Collection(name, [folder], articles, size)


def news_lines(quick: bool) -> Iterator[bytes]:
    lines = read_lines(NEWS_CORPUS)
    if not quick:
        yield from lines
        return
    for number, line in enumerate(lines):
        if number // QUICK_ARTICLE_STRIDE >= QUICK_ARTICLES:
            return
        if number % QUICK_ARTICLE_STRIDE == 0:
            yield line


def with_new_ids(lines: Iterable[bytes], suffix: str) -> Iterator[bytes]:
    for line in lines:
        record = json.loads(line)
        record["id"] = f"{record['id']}{suffix}"
        yield json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def write_scaled(news: Collection, copies: int, folder: Path) -> Collection:
    """news_ant `copies` times over, each copy with new ids, as one folder of files."""
    files = sorted(news.folders[0].glob("*.jsonl"))

    def lines() -> Iterator[bytes]:
        for copy in range(copies):
            for file in files:
                yield from with_new_ids(read_lines(file), f"~x{copy}")

    return write_folder(f"news_ant ×{copies}", lines(), folder)


def sample_short_queries() -> list[str]:
    """1–3 content words from random headlines; the seed fixes the set across runs."""
    rng = random.Random(SHORT_QUERY_SEED)
    titles = [json.loads(line).get("title") or "" for line in read_lines(NEWS_CORPUS)]
    queries: list[str] = []
    while len(queries) < SHORT_QUERY_COUNT:
        words = [w for w in _ARABIC_WORD.findall(rng.choice(titles)) if w not in _FUNCTION_WORDS]
        if not words:
            continue
        length = rng.randint(1, min(3, len(words)))
        start = rng.randrange(len(words) - length + 1)
        query = " ".join(words[start : start + length])
        if query not in queries:
            queries.append(query)
    return queries


def write_short_queries(queries: list[str]) -> None:
    rows = [f"short-{n:03d}\t{q}\n" for n, q in enumerate(queries, 1)]
    SHORT_QUERIES_FILE.write_text("".join(rows), "utf-8")


def dev_questions(quick: bool, count: int | None) -> list[str]:
    """The dev questions, or an evenly spread subset of `count` (every k-th question)."""
    questions = [text for _qid, text in read_topics(DEV_TOPICS)]
    if quick:
        return questions[::QUICK_DEV_STRIDE][:QUICK_DEV]
    if count and count < len(questions):
        return questions[:: len(questions) // count][:count]
    return questions


# --- indexing (each run in a child process, see common.run_measured) -----------------


def jsonl_files(folders: Iterable[str]) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(Path(folder).rglob("*.jsonl"))


def index_arshif(index_dir: str, folders: list[str]) -> dict[str, Any]:
    """arshif as a user runs it: `update_index` with its default jobs (all cores)."""
    started = time.perf_counter()
    summary = update_index(Path(index_dir), [Path(f) for f in folders])
    return {
        "seconds": time.perf_counter() - started,
        "docs": summary.articles_total,
        "added": summary.articles_added,
    }


def whoosh_schema() -> Schema:
    """Plain Whoosh as its documentation shows it: StandardAnalyzer, stored for highlights."""
    return Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True))


def index_whoosh(index_dir: str, folders: list[str]) -> dict[str, Any]:
    """The baseline: one default `writer()`, title and body indexed as given."""
    started = time.perf_counter()
    Path(index_dir).mkdir(parents=True)
    ix = whoosh_index.create_in(index_dir, whoosh_schema())
    writer = ix.writer()
    for file in jsonl_files(folders):
        for line in read_lines(file):
            record = json.loads(line)
            writer.add_document(
                id=record["id"], title=record.get("title") or "", body=record.get("body") or ""
            )
    writer.commit()
    return {"seconds": time.perf_counter() - started, "docs": ix.doc_count()}


INDEXERS: dict[str, Callable[[str, list[str]], dict[str, Any]]] = {
    "plain Whoosh": index_whoosh,
    "arshif": index_arshif,
}
BASELINE, ARSHIF = INDEXERS


@dataclass
class IndexRun:
    system: str
    collection: Collection
    seconds: float
    peak_main: int
    peak_tree: int
    index_bytes: int

    @property
    def rate(self) -> float:
        return self.collection.articles / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.collection.bytes / MB / self.seconds


def measure_indexing(
    system: str, collection: Collection, index_dir: Path, repeats: int
) -> IndexRun:
    """Index `collection` `repeats` times from scratch; median time, largest memory.

    The document count is checked, so a system that drops articles cannot look fast.
    """
    runs: list[Measured] = []
    for attempt in range(1, repeats + 1):
        shutil.rmtree(index_dir, ignore_errors=True)
        log(f"indexing {collection.name} with {system} ({attempt}/{repeats})")
        measured = run_measured(
            INDEXERS[system], str(index_dir), [str(f) for f in collection.folders]
        )
        seconds, docs = measured.value["seconds"], measured.value["docs"]
        log(
            f"  {seconds:.1f} s, {collection.articles / seconds:.0f} articles/s, "
            f"peak memory {measured.peak_tree / MB:.0f} MB"
        )
        if docs != collection.articles:
            raise SystemExit(
                f"{system} indexed {docs} of the {collection.articles} articles of "
                f"{collection.name}: the measurement would be meaningless"
            )
        runs.append(measured)
    return IndexRun(
        system,
        collection,
        statistics.median(r.value["seconds"] for r in runs),
        max(r.peak_main for r in runs),
        max(r.peak_tree for r in runs),
        dir_size(index_dir),
    )


# --- queries --------------------------------------------------------------------------


class ArshifSearch:
    """`Archive.search(q, limit=10)`: ranked hits, snippets and title highlights included."""

    def __init__(self, index_dir: Path) -> None:
        self.archive = Archive(index_dir)

    def __call__(self, query: str) -> None:
        self.archive.search(query, limit=10)

    def close(self) -> None:
        self.archive.close()


class ArshifBatch:
    """`Archive.run_topics(q, 100)`: the batch path (ids of the top 100, no snippets)."""

    def __init__(self, index_dir: Path) -> None:
        self.archive = Archive(index_dir)

    def __call__(self, query: str) -> None:
        self.archive.run_topics(query, 100)

    def close(self) -> None:
        self.archive.close()


class WhooshSearch:
    """The baseline: default parser but OR-grouped (with AND nearly every question would
    match nothing), BM25F, and whoosh's highlighter on the top 10 like arshif's snippets."""

    def __init__(self, index_dir: Path) -> None:
        self.ix = whoosh_index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema, group=OrGroup)

    def __call__(self, query: str) -> None:
        results = self.searcher.search(self.parser.parse(query), limit=10)
        for hit in results:
            hit.highlights("title")
            hit.highlights("body")

    def close(self) -> None:
        self.searcher.close()


ARSHIF_BATCH = f"{ARSHIF} top 100"
SEARCHERS: dict[str, Callable[[Path], ArshifSearch | ArshifBatch | WhooshSearch]] = {
    BASELINE: WhooshSearch,
    ARSHIF: ArshifSearch,
    ARSHIF_BATCH: ArshifBatch,
}


def time_queries(
    system: str, index_dir: Path, queries: list[str], repeats: int
) -> dict[str, float]:
    """p50/p95/mean over one-at-a-time queries on a warm, open index; median of passes."""
    search = SEARCHERS[system](index_dir)
    try:
        for query in queries[:WARMUP_QUERIES]:
            search(query)
        passes = []
        for _ in range(repeats):
            seconds = []
            for query in queries:
                started = time.perf_counter()
                search(query)
                seconds.append(time.perf_counter() - started)
            passes.append(latency_stats(seconds))
        stats = median_stats(passes)
        log("  p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean {mean:.1f} ms".format(**stats))
        return stats
    finally:
        search.close()


def answer_questions(index_dir: str, questions: list[str]) -> int:
    """Every question on the batch path in one process, as a long-running evaluation or
    server answers them (`run_measured` takes its peak memory)."""
    search = ArshifBatch(Path(index_dir))
    try:
        for question in questions:
            search(question)
    finally:
        search.close()
    return len(questions)


def measure_search_memory(index_dir: Path, questions: list[str]) -> Measured:
    measured = run_measured(answer_questions, str(index_dir), questions)
    log(
        f"  peak memory {mb(measured.peak_tree)} (anonymous {mb(measured.peak_anonymous)}),"
        f" main process {mb(measured.peak_main)}"
    )
    return measured


# --- re-indexing ----------------------------------------------------------------------


def spread_files(folder: Path, fraction: float) -> list[Path]:
    """An evenly spread `fraction` of the folder's JSONL files (one at least)."""
    files = sorted(folder.glob("*.jsonl"))
    count = max(1, round(len(files) * fraction))
    return files[:: len(files) // count][:count]


def change_files(folder: Path, fraction: float) -> tuple[int, int]:
    """Edit every article of an evenly spread `fraction` of the files, as a correction
    run would; returns (files changed, articles in them)."""
    chosen = spread_files(folder, fraction)
    articles = 0
    for file in chosen:
        records = [json.loads(line) for line in read_lines(file)]
        for record in records:
            record["body"] = (record.get("body") or "") + "\nتحديث: صُحّح هذا الخبر."
        file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
        articles += len(records)
    return len(chosen), articles


def add_files(folder: Path, fraction: float) -> tuple[int, int]:
    """Add new files, as a day's news arrives: copies of an evenly spread `fraction` of
    the folder's files with new ids (`<id>~new`); returns (files added, articles in them)."""
    chosen = spread_files(folder, fraction)
    articles = 0
    for file in chosen:
        lines = list(with_new_ids(read_lines(file), "~new"))
        (folder / f"new-{file.name}").write_bytes(b"".join(lines))
        articles += len(lines)
    return len(chosen), articles


@dataclass
class ReindexRun:
    case: str
    files_changed: int
    articles_expected: int
    seconds: float
    articles_added: int
    peak_tree: int


def measure_update(
    case: str, index_dir: Path, collection: Collection, changed: tuple[int, int] = (0, 0)
) -> ReindexRun:
    """`update_index` again on a collection's indexed folders, after `changed` (files,
    articles) were edited or added; the article count is checked after it."""
    log(f"re-indexing {collection.name} with arshif: {case}")
    measured = run_measured(index_arshif, str(index_dir), [str(f) for f in collection.folders])
    value = measured.value
    if value["docs"] != collection.articles:
        raise SystemExit(f"re-indexing left {value['docs']} articles, not {collection.articles}")
    log(f"  {value['seconds']:.1f} s, {value['added']:,} articles indexed")
    return ReindexRun(case, *changed, value["seconds"], value["added"], measured.peak_tree)


def measure_reindex(index_dir: Path, news: Collection) -> list[ReindexRun]:
    """`update_index` again on the indexed folder: as is, then with 1% of files changed."""
    runs = [measure_update("unchanged folder", index_dir, news)]
    edited = change_files(news.folders[0], CHANGED_FRACTION)
    runs.append(measure_update(f"{CHANGED_FRACTION:.0%} of files changed", index_dir, news, edited))
    return runs


def measure_additions(index_dir: Path, collection: Collection) -> ReindexRun:
    """`update_index` on an indexed archive after `CHANGED_FRACTION` of the files of its
    first folder were added as new ones."""
    added = add_files(collection.folders[0], CHANGED_FRACTION)
    grown = replace(collection, articles=collection.articles + added[1])
    return measure_update(f"{CHANGED_FRACTION:.0%} new files added", index_dir, grown, added)


# --- the run --------------------------------------------------------------------------


@dataclass
class Results:
    """Everything measured in one run, in the order the report shows it."""

    indexing: list[IndexRun] = field(default_factory=list)
    queries: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    query_counts: dict[str, int] = field(default_factory=dict)
    reindex: list[ReindexRun] = field(default_factory=list)
    scale: IndexRun | None = None
    short_p50: dict[str, float] = field(default_factory=dict)
    # Dev questions on the batch path, on the mixed archive and the scaled one.
    scale_dev: dict[str, dict[str, float]] = field(default_factory=dict)
    # Peak memory of a process answering every dev question there (batch path).
    search_memory: dict[str, Measured] = field(default_factory=dict)
    # 1% new files added to the scaled archive.
    scale_add: ReindexRun | None = None

    def index_run(self, system: str, collection_name: str) -> IndexRun:
        return next(
            r for r in self.indexing if r.system == system and r.collection.name == collection_name
        )


@dataclass
class Options:
    quick: bool
    scale: int
    query_repeats: int
    index_repeats: int
    questions: int | None = None
    warc: bool = False


def run(options: Options, work: Path) -> Results:
    results = Results()
    log("laying the corpora out as folders of JSONL files")
    news = write_folder("news_ant", news_lines(options.quick), work / "data" / "news")
    wiki = write_folder("arwiki_qa", read_lines(WIKI_CORPUS), work / "data" / "wiki")
    mixed = Collection.union("mixed", [news, wiki])
    short = sample_short_queries()
    write_short_queries(short)
    query_sets = {
        "dev questions": dev_questions(options.quick, options.questions),
        "short queries": short[:QUICK_SHORT] if options.quick else short,
    }
    results.query_counts = {name: len(q) for name, q in query_sets.items()}

    def index_dir(system: str, collection: Collection) -> Path:
        return work / "index" / f"{system}-{collection.name}".replace(" ", "_")

    for collection in (news, mixed):
        for system in INDEXERS:
            results.indexing.append(
                measure_indexing(
                    system, collection, index_dir(system, collection), options.index_repeats
                )
            )
    for name, queries in query_sets.items():
        for system in INDEXERS:
            log(f"querying mixed with {system}: {len(queries)} {name} × {options.query_repeats}")
            results.queries[(name, system)] = time_queries(
                system, index_dir(system, mixed), queries, options.query_repeats
            )
    log(f"querying news_ant with {ARSHIF}: {len(query_sets['short queries'])} short queries")
    results.short_p50["1×"] = time_queries(
        ARSHIF, index_dir(ARSHIF, news), query_sets["short queries"], options.query_repeats
    )["p50"]
    shutil.rmtree(index_dir(BASELINE, news))
    results.reindex = measure_reindex(index_dir(ARSHIF, news), news)
    if options.scale > 1:
        log(f"writing news_ant ×{options.scale} with new ids")
        scaled = Collection.union(
            f"news_ant ×{options.scale} + arwiki_qa",
            [write_scaled(news, options.scale, work / "data" / "scaled"), wiki],
        )
        results.scale = measure_indexing(ARSHIF, scaled, index_dir(ARSHIF, scaled), 1)
        log(f"querying {scaled.name} with {ARSHIF}: short queries")
        results.short_p50[f"{options.scale}×"] = time_queries(
            ARSHIF, index_dir(ARSHIF, scaled), query_sets["short queries"], options.query_repeats
        )["p50"]
        dev = query_sets["dev questions"]
        for key, collection in (("1×", mixed), (f"{options.scale}×", scaled)):
            log(f"querying {collection.name} with {ARSHIF_BATCH}: {len(dev)} dev questions")
            results.scale_dev[key] = time_queries(
                ARSHIF_BATCH, index_dir(ARSHIF, collection), dev, options.query_repeats
            )
        every_question = dev_questions(quick=False, count=None)
        for key, collection in (("1×", mixed), (f"{options.scale}×", scaled)):
            log(f"answering {len(every_question)} dev questions on {collection.name}, one process")
            results.search_memory[key] = measure_search_memory(
                index_dir(ARSHIF, collection), every_question
            )
        results.scale_add = measure_additions(index_dir(ARSHIF, scaled), scaled)
    return results


# --- the report -----------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def mb(size: int) -> str:
    return f"{size / MB:,.0f} MB"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def indexing_section(results: Results) -> str:
    rows = []
    for r in results.indexing:
        rows.append(
            [
                r.collection.name,
                r.system,
                f"{r.collection.articles:,}",
                f"{r.collection.bytes / MB:,.1f}",
                f"{r.seconds:,.1f}",
                f"{r.rate:,.0f}",
                f"{r.mb_per_s:.2f}",
                mb(r.peak_tree),
                mb(r.peak_main),
                mb(r.index_bytes),
            ]
        )
        if r.system == ARSHIF:
            base = results.index_run(BASELINE, r.collection.name)
            rows.append(
                [
                    r.collection.name,
                    "**arshif / plain Whoosh**",
                    "",
                    "",
                    ratio(r.seconds, base.seconds),
                    f"**{ratio(r.rate, base.rate)}**",
                    ratio(r.mb_per_s, base.mb_per_s),
                    ratio(r.peak_tree, base.peak_tree),
                    ratio(r.peak_main, base.peak_main),
                    ratio(r.index_bytes, base.index_bytes),
                ]
            )
    headers = [
        "corpus",
        "system",
        "articles",
        "input MB",
        "wall s",
        "articles/s",
        "MB/s",
        "peak memory, all processes",
        "peak RSS, main process",
        "index size",
    ]
    return "## Indexing\n\n" + table(headers, rows)


def queries_section(results: Results) -> str:
    rows = []
    for (name, system), stats in results.queries.items():
        rows.append(
            [
                name,
                system,
                f"{results.query_counts[name]:,}",
                *(f"{stats[k]:.1f}" for k in ("p50", "p95", "mean")),
            ]
        )
        if system == ARSHIF:
            base = results.queries[(name, BASELINE)]
            rows.append(
                [
                    name,
                    "**arshif / plain Whoosh**",
                    "",
                    *(f"**{ratio(stats[k], base[k])}**" for k in ("p50", "p95", "mean")),
                ]
            )
    headers = ["queries (mixed index)", "system", "queries", "p50 ms", "p95 ms", "mean ms"]
    return "## Queries, top 10 with snippets\n\n" + table(headers, rows)


def reindex_section(results: Results) -> str:
    full = results.index_run(ARSHIF, "news_ant")
    base = results.index_run(BASELINE, "news_ant")
    rows = [
        [
            r.case,
            f"{r.files_changed} ({r.articles_expected} articles)",
            f"{r.seconds:.2f}",
            f"{r.articles_added:,}",
            f"{r.seconds / full.seconds:.1%}",
            f"{r.seconds / base.seconds:.1%}",
            mb(r.peak_tree),
        ]
        for r in results.reindex
    ]
    headers = [
        "news_ant folder",
        "files changed",
        "arshif s",
        "articles re-indexed",
        "of arshif full index",
        "of plain Whoosh full rebuild",
        "peak memory",
    ]
    return (
        "## Re-indexing (arshif; plain Whoosh has no incremental update, a user rebuilds)\n\n"
        + table(headers, rows)
    )


def scale_section(results: Results) -> str:
    if results.scale is None:
        return "## Scale\n\nNot run (`--scale 1`)."
    one = results.index_run(ARSHIF, "news_ant")
    big = results.scale
    (one_key, one_p50), (big_key, big_p50) = results.short_p50.items()
    dev_one, dev_big = results.scale_dev[one_key], results.scale_dev[big_key]
    mixed = results.index_run(ARSHIF, "mixed")
    dev_rows = [
        [f"mixed {one_key}", f"{mixed.collection.articles:,}", mb(mixed.index_bytes),
         f"{dev_one['p50']:.1f}", f"{dev_one['p95']:.1f}"],
        [f"{big.collection.name}", f"{big.collection.articles:,}", mb(big.index_bytes),
         f"{dev_big['p50']:.1f}", f"{dev_big['p95']:.1f}"],
        [f"{big_key} / {one_key}", ratio(big.collection.articles, mixed.collection.articles),
         ratio(big.index_bytes, mixed.index_bytes), ratio(dev_big["p50"], dev_one["p50"]),
         ratio(dev_big["p95"], dev_one["p95"])],
    ]  # fmt: skip
    dev_headers = ["archive", "articles", "index size", "dev top-100 p50 ms", "p95 ms"]
    rows = [
        [
            f"news_ant {one_key}",
            f"{one.collection.articles:,}",
            f"{one.rate:,.0f}",
            mb(one.peak_tree),
            mb(one.index_bytes),
            f"{one_p50:.1f}",
        ],
        [
            big.collection.name,
            f"{big.collection.articles:,}",
            f"{big.rate:,.0f}",
            mb(big.peak_tree),
            mb(big.index_bytes),
            f"{big_p50:.1f}",
        ],
        [
            f"{big_key} / {one_key}",
            ratio(big.collection.articles, one.collection.articles),
            ratio(big.rate, one.rate),
            ratio(big.peak_tree, one.peak_tree),
            ratio(big.index_bytes, one.index_bytes),
            ratio(big_p50, one_p50),
        ],
    ]
    headers = [
        "arshif archive",
        "articles",
        "articles/s",
        "peak memory",
        "index size",
        "short-query p50 ms",
    ]
    return (
        "## Scale (news_ant repeated with new ids, with the arwiki_qa paragraphs)\n\n"
        + table(headers, rows)
        + "\n\nDev questions on the batch path (`run_topics`, top 100, no snippets):\n\n"
        + table(dev_headers, dev_rows)
        + "\n\n"
        + search_memory_table(results)
        + "\n\n"
        + additions_table(results)
    )


def search_memory_table(results: Results) -> str:
    """The peak memory of one process answering every dev question, 1× and scaled."""
    assert results.scale is not None
    (one_key, one), (big_key, big) = results.search_memory.items()
    mixed = results.index_run(ARSHIF, "mixed")
    big_name, big_articles = results.scale.collection.name, results.scale.collection.articles
    rows = [
        [f"mixed {one_key}", f"{mixed.collection.articles:,}", mb(mixed.index_bytes),
         f"{one.value:,}", mb(one.peak_tree), mb(one.peak_anonymous), mb(one.peak_main)],
        [big_name, f"{big_articles:,}", mb(results.scale.index_bytes), f"{big.value:,}",
         mb(big.peak_tree), mb(big.peak_anonymous), mb(big.peak_main)],
        [f"{big_key} / {one_key}", "", "", "", ratio(big.peak_tree, one.peak_tree),
         ratio(big.peak_anonymous, one.peak_anonymous), ratio(big.peak_main, one.peak_main)],
    ]  # fmt: skip
    headers = [
        "archive",
        "articles",
        "index size",
        "questions",
        "peak memory, all processes",
        "peak anonymous",
        "peak RSS, main process",
    ]
    return (
        "One process answering every dev question on the batch path, open index to the last"
        " answer (the rest of its memory is the index's pages it mapped, shared with every"
        " process mapping them):\n\n" + table(headers, rows)
    )


def additions_table(results: Results) -> str:
    """New files added to the scaled archive, against indexing it whole."""
    assert results.scale is not None and results.scale_add is not None
    added, full = results.scale_add, results.scale
    rows = [
        [
            full.collection.name,
            f"{added.files_changed} ({added.articles_expected:,} articles)",
            f"{added.seconds:.1f}",
            f"{added.articles_added:,}",
            f"{added.seconds / full.seconds:.1%}",
            mb(added.peak_tree),
        ]
    ]
    headers = [
        "archive",
        "new files",
        "arshif s",
        "articles indexed",
        "of arshif full index",
        "peak memory",
    ]
    title = f"{CHANGED_FRACTION:.0%} new files (new ids) added to the scaled archive:"
    return f"{title}\n\n{table(headers, rows)}"


def targets_section(results: Results) -> str:
    index = results.index_run(ARSHIF, "mixed")
    base = results.index_run(BASELINE, "mixed")
    dev = results.queries[("dev questions", ARSHIF)]
    short = results.queries[("short queries", ARSHIF)]
    arshif_runs = [r for r in results.indexing if r.system == ARSHIF]
    if results.scale:
        arshif_runs.append(results.scale)
    peak = max(r.peak_tree for r in arshif_runs)
    unchanged = results.reindex[0].seconds / results.index_run(ARSHIF, "news_ant").seconds
    checks = [
        (
            f"indexing ≥ {TARGET_INDEX_RATIO}× plain Whoosh articles/s (mixed)",
            ratio(index.rate, base.rate),
            index.rate >= TARGET_INDEX_RATIO * base.rate,
        ),
        (
            f"dev questions p50 ≤ {TARGET_DEV_P50_MS:.0f} ms",
            f"{dev['p50']:.1f} ms",
            dev["p50"] <= TARGET_DEV_P50_MS,
        ),
        (
            f"dev questions p95 ≤ {TARGET_DEV_P95_MS:.0f} ms",
            f"{dev['p95']:.1f} ms",
            dev["p95"] <= TARGET_DEV_P95_MS,
        ),
        (
            f"short queries p50 ≤ {TARGET_SHORT_P50_MS:.0f} ms",
            f"{short['p50']:.1f} ms",
            short["p50"] <= TARGET_SHORT_P50_MS,
        ),
        (
            f"peak memory while indexing ≤ {TARGET_PEAK_MB} MB",
            mb(peak),
            peak <= TARGET_PEAK_MB * MB,
        ),
        (
            f"re-indexing an unchanged folder ≤ {TARGET_REINDEX_FRACTION:.0%} of full indexing",
            f"{unchanged:.1%}",
            unchanged <= TARGET_REINDEX_FRACTION,
        ),
    ]
    news, news_base = results.index_run(ARSHIF, "news_ant"), results.index_run(BASELINE, "news_ant")
    checks += [
        (
            f"indexing news_ant ≥ {TARGET_NEWS_RATIO:.0f}× plain Whoosh articles/s",
            ratio(news.rate, news_base.rate),
            news.rate >= TARGET_NEWS_RATIO * news_base.rate,
        ),
        (
            f"mixed index ≤ {TARGET_MIXED_MB} MB",
            mb(index.index_bytes),
            index.index_bytes <= TARGET_MIXED_MB * MB,
        ),
    ]
    if results.scale:
        one = results.index_run(ARSHIF, "news_ant")
        (one_key, one_p50), (big_key, big_p50) = results.short_p50.items()
        dev_one, dev_big = results.scale_dev[one_key], results.scale_dev[big_key]
        for stat, target in (("p50", TARGET_SCALE_DEV_P50), ("p95", TARGET_SCALE_DEV_P95)):
            checks.append(
                (
                    f"{big_key} dev questions (top 100) {stat} ≤ {target}× the 1× mixed {stat}",
                    ratio(dev_big[stat], dev_one[stat]),
                    dev_big[stat] <= target * dev_one[stat],
                )
            )
        factor = results.scale.collection.articles / one.collection.articles
        search_peak = results.search_memory[big_key].peak_tree
        assert results.scale_add is not None
        added = results.scale_add.seconds / results.scale.seconds
        checks += [
            (
                f"{big_key} index ≤ {TARGET_SCALE_INDEX_MB:,} MB",
                mb(results.scale.index_bytes),
                results.scale.index_bytes <= TARGET_SCALE_INDEX_MB * MB,
            ),
            (
                f"peak memory while indexing the {big_key} archive, all processes,"
                f" ≤ {TARGET_SCALE_PEAK_MB} MB",
                mb(results.scale.peak_tree),
                results.scale.peak_tree <= TARGET_SCALE_PEAK_MB * MB,
            ),
            (
                f"{big_key} archive indexes at the same rate (≥ {TARGET_SCALE_RATE:.0%} of 1×)",
                ratio(results.scale.rate, one.rate),
                results.scale.rate >= TARGET_SCALE_RATE * one.rate,
            ),
            (
                f"short-query p50 grows sub-linearly ({big_key} p50 / 1× p50 < {factor:.1f})",
                ratio(big_p50, one_p50),
                big_p50 / one_p50 < factor,
            ),
            (
                f"a process answering all dev questions on the {big_key} archive peaks at"
                f" ≤ {TARGET_SEARCH_PEAK_MB} MB",
                mb(search_peak),
                search_peak <= TARGET_SEARCH_PEAK_MB * MB,
            ),
            (
                f"{CHANGED_FRACTION:.0%} new files added to the {big_key} index"
                f" ≤ {TARGET_ADD_FRACTION:.0%} of its full indexing",
                f"{added:.1%}",
                added <= TARGET_ADD_FRACTION,
            ),
        ]
    rows = [[name, value, "met" if ok else "**not met**"] for name, value, ok in checks]
    return "## Targets of issues #4 and #13\n\n" + table(["target", "measured", ""], rows)


def method_section(options: Options) -> str:
    return f"""## Method

- Input: the corpora laid out as folders of JSONL files of {ARTICLES_PER_FILE} articles
  (news_ant ~1,000 files); MB are uncompressed input bytes. `mixed` is news_ant plus the
  1,764 retrieval_arwiki_qa paragraphs (43,450 articles in the full run).
- arshif: `indexer.storage.writer.update_index(index_dir, folders)` with default jobs (all cores);
  queries `Archive.search(q, limit=10)` (snippets and title highlights included).
- plain Whoosh {whoosh_version()}: fields `id` (ID), `title`, `body` (TEXT, default
  StandardAnalyzer, stored), one default `ix.writer()`, BM25F; queries
  `searcher.search(MultifieldParser(["title", "body"], group=OrGroup).parse(q), limit=10)`
  plus `hit.highlights()` of title and body for each of the top 10.
- Each indexing runs in a fresh child process; the document count is checked after it.
  *Peak memory, all processes*: the largest sum of PSS over the child and all its
  descendants (worker pools, forkserver) sampled every 0.1 s from /proc (PSS counts a page
  shared by forked workers once). *Peak RSS, main process*: getrusage of the child itself.
- Indexing: {options.index_repeats} run(s) per system, median wall time. Queries: one at a
  time on an open index, {WARMUP_QUERIES} untimed warm-up queries, then
  {options.query_repeats} timed pass(es); p50/p95/mean are medians over the passes.
- Short queries: {SHORT_QUERY_COUNT} queries of 1–3 content words from news_ant headlines
  (seed {SHORT_QUERY_SEED}), in `bench/results/short_queries.tsv`.
- Re-indexing: `update_index` again on the indexed news_ant folder, unchanged, then with
  every article of {CHANGED_FRACTION:.0%} of the files edited (a line appended to the body).
- Scale: news_ant written {options.scale}× with new ids (`<id>~x<copy>`), indexed by arshif;
  its short-query p50 is compared with that of the 1× news_ant index.
- Search memory: a fresh child process opens the index and answers all the dev questions
  (whatever `--questions` times) with `Archive.run_topics(q, 100)`; its peak is measured as
  indexing's is (PSS of the process tree, mapped index pages included; "anonymous": the
  peak of its anonymous PSS alone, what the process allocated).
- New files: {CHANGED_FRACTION:.0%} of the scaled archive's news files, evenly spread, copied
  with new ids (`<id>~new`) as new files beside them, then `update_index` on its folders;
  its time is a share of indexing the scaled archive whole."""


def whoosh_version() -> str:
    import whoosh

    return whoosh.versionstring()


@dataclass
class Provenance:
    """What was measured: the commit at the start, and whether the code changed during
    the run (then its figures mix two versions)."""

    revision: str
    fingerprint: str

    @classmethod
    def now(cls) -> Provenance:
        return cls(git_revision(), code_fingerprint())

    def warning(self) -> str:
        if code_fingerprint() == self.fingerprint:
            return ""
        return (
            "\n**Warning: indexer/ or search/ changed while this run went on; its figures mix"
            " two versions of the code. Run it again.**"
        )


def report(results: Results, options: Options, command: str, provenance: Provenance) -> str:
    facts = machine_facts()
    header = [
        "# Speed benchmark (issue #4)",
        "",
        f"- date: {today()}",
        f"- command: `{command}`" + (" (quick subset)" if options.quick else ""),
        f"- arshif commit: {provenance.revision} (at the start of the run)",
        f"- machine: {facts['nproc']} CPUs (nproc), {facts['cpu model']}, {facts['memory']}"
        f" RAM; Python {facts['python']}; {facts['os']}",
        "",
        "Shared, noisy machines: compare the arshif / plain Whoosh ratios between runs.",
        provenance.warning(),
    ]
    sections = [
        "\n".join(header),
        targets_section(results),
        indexing_section(results),
        queries_section(results),
        reindex_section(results),
        scale_section(results),
        method_section(options),
    ]
    return "\n\n".join(sections) + "\n"


def command_line() -> str:
    python = Path(sys.executable)
    python = python.relative_to(REPO) if python.is_relative_to(REPO) else Path("python")
    return " ".join([str(python), "bench/speed.py", *sys.argv[1:]])


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a subset: {QUICK_ARTICLES:,} news articles, {QUICK_DEV} dev "
        f"questions, {QUICK_SHORT} short queries, scale {QUICK_SCALE}×",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=None,
        help="size of the synthetic archive in copies of news_ant (default 5, 1 skips it)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed passes per query set (default 3) and indexings per "
        "system (default 1; given, it applies to both)",
    )
    parser.add_argument(
        "--questions",
        type=int,
        default=None,
        help="time an evenly spread subset of this many dev questions (default all 2,500)",
    )
    parser.add_argument(
        "--warc",
        action="store_true",
        help="measure only web archives against the same pages as .html files "
        f"({web_archive.ARTICLES:,} articles, --quick {web_archive.QUICK_ARTICLES})",
    )
    args = parser.parse_args(argv)
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 5)
    return Options(
        quick=args.quick,
        scale=scale,
        query_repeats=args.repeats or 3,
        index_repeats=args.repeats or (3 if args.warc else 1),
        questions=args.questions,
        warc=args.warc,
    )


def main() -> int:
    options = parse_options()
    if not CORPORA.is_dir():
        print(
            f"bench/speed.py: skipped, the shared corpora are absent ({CORPORA.name}/ is "
            "expected in ../shared next to the repository)."
        )
        return 0
    started = time.perf_counter()
    provenance = Provenance.now()
    if options.warc:
        return web_archive_main(options, provenance, started)
    with tempfile.TemporaryDirectory(prefix="arshif-speed-") as tmp:
        results = run(options, Path(tmp))
    text = report(results, options, command_line(), provenance)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speed.md").write_text(text, "utf-8")
    print(text)
    log(f"done in {time.perf_counter() - started:.0f} s; wrote bench/results/speed.md")
    return 0


def web_archive_main(options: Options, provenance: Provenance, started: float) -> int:
    count = web_archive.QUICK_ARTICLES if options.quick else web_archive.ARTICLES
    with tempfile.TemporaryDirectory(prefix="arshif-warc-") as tmp:
        rates = web_archive.measure(Path(tmp), count, options.index_repeats, log)
    facts = f"commit {provenance.revision}, {today()}"
    text = web_archive.report(rates, count, command_line(), facts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "web_archive.md").write_text(text, "utf-8")
    print(text)
    log(f"done in {time.perf_counter() - started:.0f} s; wrote bench/results/web_archive.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
