"""Web archives against saved pages (issue #17): the same news pages indexed from WARC
files and from `.html` files, in the same run.

    .venv/bin/python bench/speed.py --warc [--quick] [--repeats N]

news_ant articles (an evenly spread sample) are written as HTML pages, once as `.html`
files and once as response records in gzipped WARC files of WARC_RECORDS pages each (as
crawlers roll their files). Each folder is indexed from scratch in a fresh process, with
arshif's defaults; articles/s is the median over the repeats, and the ratio WARC / HTML is
what to track (the WARC may not be slower per article).
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
    """Runs in a child process: one `update_index` of `folder`, timed."""
    import time

    started = time.perf_counter()
    summary = update_index(Path(index_dir), [Path(folder)])
    return {"seconds": time.perf_counter() - started, "docs": summary.articles_total}


@dataclass
class Rates:
    html: list[float]
    warc: list[float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.warc) / statistics.median(self.html)


def measure(work: Path, count: int, repeats: int, log) -> Rates:
    """Articles/s of each layout, `repeats` times, alternating so load drifts hit both."""
    all_pages = list(pages(count))
    write_html(work / "html", all_pages)
    write_warcs(work / "warc", all_pages)
    rates = Rates([], [])
    for attempt in range(1, repeats + 1):
        for name, rate_list in (("html", rates.html), ("warc", rates.warc)):
            index_dir = work / f"index-{name}"
            shutil.rmtree(index_dir, ignore_errors=True)
            value = run_measured(index_folder, str(index_dir), str(work / name)).value
            if value["docs"] != len(all_pages):
                raise SystemExit(f"{name}: indexed {value['docs']} of {len(all_pages)} pages")
            rate_list.append(len(all_pages) / value["seconds"])
            log(f"{name} ({attempt}/{repeats}): {rate_list[-1]:.1f} articles/s")
    return rates


def report(rates: Rates, count: int, command: str, provenance: str) -> str:
    html_rate, warc_rate = statistics.median(rates.html), statistics.median(rates.warc)
    met = "met" if rates.ratio >= TARGET_RATIO else "not met (within noise if ≥ 0.9)"
    return "\n".join([
        "# Web archives against saved pages (issue #17)",
        "",
        f"`{command}` — {provenance}",
        "",
        f"{count:,} news_ant articles as HTML pages; WARC files of {WARC_RECORDS} gzipped records.",
        "Each layout indexed from scratch in a fresh process, arshif's defaults; medians of "
        f"{len(rates.html)} runs, alternating.",
        "",
        "| layout | articles/s (median) | runs |",
        "|---|---|---|",
        f"| `.html` files | {html_rate:.1f} | {', '.join(f'{r:.1f}' for r in rates.html)} |",
        f"| `.warc.gz` files | {warc_rate:.1f} | {', '.join(f'{r:.1f}' for r in rates.warc)} |",
        "",
        f"WARC / HTML: **{rates.ratio:.2f}×** — target ≥ {TARGET_RATIO:.1f} (the WARC may "
        f"not be slower per article): {met}.",
        "",
    ])  # fmt: skip
