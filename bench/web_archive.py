"""Web archives against saved pages (issue #17): the same news pages indexed from WARC
files and from `.html` files, in the same run.

    .venv/bin/python bench/speed.py --warc [--quick] [--repeats N]

news_ant articles (an evenly spread sample) are written as HTML pages, once as `.html`
files and once as response records in gzipped WARC files of WARC_RECORDS pages each (as
crawlers roll their files). Each folder is indexed from scratch in a fresh process, in one
process (`jobs=1`), so its CPU time is all the work of reading and indexing; the layouts
alternate. Articles per CPU second is what the target is judged on, as the median of the
WARC / HTML ratios of each pair of runs: on a shared machine wall time varies twofold
between runs, CPU time little. Wall-time articles/s are reported beside it.
"""

from __future__ import annotations

import html
import io
import json
import shutil
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import NEWS_CORPUS, read_lines, run_measured

from arshif.indexer.storage.writer import update_index

ARTICLES = 2_000
QUICK_ARTICLES = 400
WARC_RECORDS = 200
TARGET_RATIO = 1.0


@dataclass
class Page:
    url: str
    date: str
    html: bytes


def pages(count: int) -> Iterator[Page]:
    """`count` news_ant articles, evenly spread over the corpus, as news pages."""
    lines = list(read_lines(NEWS_CORPUS))
    stride = max(1, len(lines) // count)
    for number, line in enumerate(lines[::stride][:count]):
        record = json.loads(line)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in record["body"].split("\n") if p)
        title = html.escape(record["title"])
        page = (
            '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
            f'<title>{title}</title><meta property="article:published_time" '
            f'content="{record["date"]}"></head><body><nav><a href="/">الرئيسية</a></nav>'
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>{html.escape(record['source'])}"
            "</footer></body></html>"
        )
        yield Page(
            f"https://news{number % 7}.example/{record['id']}", record["date"], page.encode()
        )


def write_html(folder: Path, all_pages: list[Page]) -> None:
    folder.mkdir(parents=True)
    for number, page in enumerate(all_pages):
        (folder / f"page-{number:05d}.html").write_bytes(page.html)


def write_warcs(folder: Path, all_pages: list[Page]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True)
    for start in range(0, len(all_pages), WARC_RECORDS):
        with (folder / f"crawl-{start // WARC_RECORDS:04d}.warc.gz").open("wb") as stream:
            writer = WARCWriter(stream, gzip=True)
            for page in all_pages[start : start + WARC_RECORDS]:
                headers = [("Content-Type", "text/html; charset=utf-8"),
                           ("Content-Length", str(len(page.html)))]  # fmt: skip
                http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    page.url, "response", payload=io.BytesIO(page.html), length=len(page.html),
                    http_headers=http, warc_headers_dict={"WARC-Date": f"{page.date}T08:00:00Z"},
                )  # fmt: skip
                writer.write_record(record)


def index_folder(index_dir: str, folder: str) -> dict[str, float]:
    """Runs in a child process: one `update_index` of `folder` in this process, timed."""
    import time

    started, cpu = time.perf_counter(), time.process_time()
    summary = update_index(Path(index_dir), [Path(folder)], jobs=1)
    return {
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "docs": summary.articles_total,
    }


@dataclass
class Rates:
    """Articles per CPU second and per wall second of each run, by layout."""

    cpu: dict[str, list[float]]
    wall: dict[str, list[float]]

    @property
    def ratio(self) -> float:
        """The median of each pair's WARC / HTML ratio of articles per CPU second."""
        return statistics.median(w / h for w, h in zip(self.cpu["warc"], self.cpu["html"],
                                                         strict=True))  # fmt: skip


def measure(work: Path, count: int, repeats: int, log) -> Rates:
    """Articles/s of each layout, `repeats` times, alternating so load drifts hit both."""
    all_pages = list(pages(count))
    write_html(work / "html", all_pages)
    write_warcs(work / "warc", all_pages)
    rates = Rates({"html": [], "warc": []}, {"html": [], "warc": []})
    for attempt in range(1, repeats + 1):
        for name in ("html", "warc"):
            index_dir = work / f"index-{name}"
            shutil.rmtree(index_dir, ignore_errors=True)
            value = run_measured(index_folder, str(index_dir), str(work / name)).value
            if value["docs"] != len(all_pages):
                raise SystemExit(f"{name}: indexed {value['docs']} of {len(all_pages)} pages")
            rates.cpu[name].append(len(all_pages) / value["cpu"])
            rates.wall[name].append(len(all_pages) / value["seconds"])
            log(
                f"{name} ({attempt}/{repeats}): {rates.cpu[name][-1]:.1f} articles per CPU "
                f"second, {rates.wall[name][-1]:.1f} articles/s"
            )
    return rates


def report(rates: Rates, count: int, command: str, provenance: str) -> str:
    def row(label: str, name: str) -> str:
        cpu, wall = rates.cpu[name], rates.wall[name]
        runs = ", ".join(f"{c:.1f}" for c in cpu)
        return (
            f"| {label} | {statistics.median(cpu):.1f} | {runs} | {statistics.median(wall):.1f} |"
        )

    met = "met" if rates.ratio >= TARGET_RATIO else "not met"
    return "\n".join([
        "# Web archives against saved pages (issue #17)",
        "",
        f"`{command}` — {provenance}",
        "",
        f"{count:,} news_ant articles as HTML pages; WARC files of {WARC_RECORDS} gzipped records.",
        "Each layout indexed from scratch in a fresh process with `jobs=1` (all the work in "
        f"one process, its CPU time measured); {len(rates.cpu['html'])} runs of each, alternating.",
        "",
        "| layout | articles per CPU second (median) | runs | articles/s, wall (median) |",
        "|---|---|---|---|",
        row("`.html` files", "html"),
        row("`.warc.gz` files", "warc"),
        "",
        f"WARC / HTML, articles per CPU second (median of the pairs' ratios): "
        f"**{rates.ratio:.2f}×** — target ≥ {TARGET_RATIO:.1f} (the WARC may not be slower "
        f"per article): {met}.",
        "",
    ])  # fmt: skip
