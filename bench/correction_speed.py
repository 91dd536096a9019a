"""What correcting queries costs: arshif's query latency with and without it (issue #15).

    .venv/bin/python bench/correction_speed.py            # on bench/quality.py's mixed index

On the mixed index (news_ant + the retrieval_arwiki_qa paragraphs, built and cached by
`bench/quality.py`), each query is searched as `arshif search` does (`Archive.search`,
top 10 with snippets) twice in a row, in alternating order: by default (misspelled
words corrected, Latin names widened to their Arabic spellings) and as before issue #15
(`exact=True, names=False`). Query sets: every fifth dev question, the 200 short
headline queries of `bench/speed.py` and 200 misspelled headline queries of
`bench/known_items.py`. The figures are p50 / p95 per set and mode, each the median of
`--repeats` passes, and the added p50; they go to the terminal and to
`bench/results/correction_speed.md`. Timings are noisy on a shared machine: compare
the two modes of one run (the added p50 and the ratio), never runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import (  # noqa: E402
    DEV_TOPICS,
    NEWS_CORPUS,
    RESULTS,
    latency_stats,
    machine_facts,
    median_stats,
    read_topics,
)
from known_items import headline_items  # noqa: E402
from quality import AS_BEFORE, CACHE, index_key  # noqa: E402

from arshif.search.engine import Archive  # noqa: E402

SHORT_QUERIES = RESULTS / "short_queries.tsv"
OUT = RESULTS / "correction_speed.md"
DEV_STRIDE = 5
MISSPELLED = 200
WARMUP = 20
MODES = {"as before #15": AS_BEFORE, "with corrections": {}}


def query_sets() -> dict[str, list[str]]:
    misspelled = [i.query for i in headline_items(NEWS_CORPUS) if i.kind.endswith("×1")]
    return {
        "dev questions (every 5th)": [t for _, t in read_topics(DEV_TOPICS)][::DEV_STRIDE],
        "short headline queries": [t for _, t in read_topics(SHORT_QUERIES)],
        "misspelled headline queries": misspelled[:: max(1, len(misspelled) // MISSPELLED)][
            :MISSPELLED
        ],
    }


def time_set(archive: Archive, queries: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """Per mode, the median over passes of p50 / p95 / mean; modes alternate per query."""
    for query in queries[:WARMUP]:
        for options in MODES.values():
            archive.search(query, limit=10, **options)
    passes: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for repeat in range(repeats):
        seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
        for n, query in enumerate(queries):
            order = list(MODES.items())
            if (n + repeat) % 2:
                order.reverse()
            for mode, options in order:
                started = time.perf_counter()
                archive.search(query, limit=10, **options)
                seconds[mode].append(time.perf_counter() - started)
        for mode in MODES:
            passes[mode].append(latency_stats(seconds[mode]))
    return {mode: median_stats(p) for mode, p in passes.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed passes (default 3)")
    args = parser.parse_args()
    index_dir = CACHE / f"mixed-{index_key()}"
    if not (index_dir / "arshif.json").exists() or not SHORT_QUERIES.exists():
        print(f"skipped: run bench/quality.py first (it builds {index_dir.name})")
        return 0
    rows = [
        "| queries | n | mode | p50 ms | p95 ms | added p50 ms | p50 ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    with Archive(index_dir) as archive:
        for name, queries in query_sets().items():
            stats = time_set(archive, queries, args.repeats)
            base = stats["as before #15"]["p50"]
            for mode, s in stats.items():
                before = mode == "as before #15"
                added = "" if before else f"{s['p50'] - base:+.2f}"
                ratio = "" if before else f"{s['p50'] / base:.2f}"
                rows.append(
                    f"| {name} | {len(queries)} | {mode} | {s['p50']:.2f} | {s['p95']:.2f} "
                    f"| {added} | {ratio} |"
                )
            print("\n".join(rows[-2:]), flush=True)
    facts = machine_facts()
    text = (
        "# Query latency with and without corrections (issue #15)\n\n"
        "Written by `bench/correction_speed.py` (see its docstring). Target: corrections "
        "add at most 2 ms to a query's p50 on the mixed index.\n\n"
        f"Machine: {', '.join(f'{k} {v}' for k, v in facts.items())}; "
        f"{args.repeats} passes, medians.\n"
        "Command: `.venv/bin/python bench/correction_speed.py`\n\n" + "\n".join(rows) + "\n"
    )
    OUT.write_text(text, "utf-8")
    print(f"written: {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
