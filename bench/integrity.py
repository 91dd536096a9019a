"""What the integrity checks cost (issue #14), each against its own baseline in one run.

    .venv/bin/python bench/integrity.py [--articles N] [--repeats N]

Lays news_ant (or its first N articles) out as JSONL files of 42 articles, then measures:

- **indexing**: a whole run recording the checksums of Whoosh's files at each commit,
  against the same run with the recording switched off (monkeypatched);
- **opening and one short query** in a fresh `Archive` (what each `arshif search` process
  pays): with the cheap checks on open, against them switched off;
- **`arshif check`**: the full verification, in seconds and MB/s of index.

Prints the table and writes it to bench/results/integrity.md. Medians over repeats; the
machines are shared and noisy, so the ratios are what to track.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from common import MB, NEWS_CORPUS, RESULTS, dir_size, git_revision, machine_facts, read_lines

from arshif.indexer.storage import filetable, store, writer
from arshif.indexer.storage.verify import check_index
from arshif.search.engine import Archive

ARTICLES_PER_FILE = 42
QUERY = "الانتخابات البرلمانية"


def lay_out(folder: Path, articles: int | None) -> int:
    folder.mkdir(parents=True)
    lines = list(itertools.islice(read_lines(NEWS_CORPUS), articles))
    for number in range(0, len(lines), ARTICLES_PER_FILE):
        chunk = lines[number : number + ARTICLES_PER_FILE]
        (folder / f"part-{number // ARTICLES_PER_FILE:05d}.jsonl").write_bytes(b"".join(chunk))
    return len(lines)


@contextmanager
def checks_off() -> Iterator[None]:
    """The checks this issue added, switched off: the baseline."""
    saved = (store.check_json_files, store.check_segments, filetable.record)
    store.check_json_files = lambda *args, **kwargs: []  # type: ignore[assignment]
    store.check_segments = lambda *args, **kwargs: []  # type: ignore[assignment]
    filetable.record = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        store.check_json_files, store.check_segments, filetable.record = saved


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def open_and_search(index_dir: Path) -> None:
    with Archive(index_dir) as archive:
        archive.search(QUERY, limit=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=None, help="first N of news_ant")
    parser.add_argument("--repeats", type=int, default=15, help="timed opens per variant")
    args = parser.parse_args()
    if not NEWS_CORPUS.exists():
        print(f"{NEWS_CORPUS} is not available; nothing measured.")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        articles = lay_out(root / "news", args.articles)
        rows = []
        index_times = {}
        for variant in ("baseline", "checked"):
            index_dir = root / f"index-{variant}"
            started = time.perf_counter()
            if variant == "baseline":
                with checks_off():
                    writer.update_index(index_dir, [root / "news"])
            else:
                writer.update_index(index_dir, [root / "news"])
            index_times[variant] = time.perf_counter() - started
            if variant == "baseline":
                shutil.rmtree(index_dir)
        rows.append(("indexing (s)", index_times["baseline"], index_times["checked"]))
        index_dir = root / "index-checked"
        open_and_search(index_dir)  # warm the page cache
        with checks_off():
            plain = median_seconds(lambda: open_and_search(index_dir), args.repeats)
        checked = median_seconds(lambda: open_and_search(index_dir), args.repeats)
        rows.append(("open + one query (ms)", plain * 1000, checked * 1000))
        started = time.perf_counter()
        report = check_index(index_dir)
        check_seconds = time.perf_counter() - started
        size = dir_size(index_dir)
    assert report.sound, report.problems
    lines = [
        f"# Integrity checks: cost (bench/integrity.py, {git_revision()})",
        "",
        f"- Input: {articles:,} news_ant articles in files of {ARTICLES_PER_FILE}; "
        f"index {size / MB:,.0f} MB.",
        f"- Machine: {machine_facts()}",
        "",
        "| measure | checks off | checks on | ratio |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {off:,.1f} | {on:,.1f} | {on / off:.2f} |" for name, off, on in rows),
        "",
        f"`arshif check` of the whole index: {check_seconds:.1f} s "
        f"({size / MB / check_seconds:,.0f} MB/s), {report.articles:,} articles, sound.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "integrity.md").write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
