"""Load benchmark (issue #16): `arshif serve` under 16 concurrent clients on loopback.

    .venv/bin/python bench/load.py [--clients 16] [--seconds 30] [--index DIR]

Indexes news_ant (kept in bench/cache/ and only brought up to date on later runs, unless
--index names an index), starts `arshif serve` on a free loopback port in a child process,
warms it up, then runs the clients for the given time. Each client is a thread with its
own keep-alive connection that sends requests back to back, a fixed mix: API searches of
the 200 short headline queries (bench/results/short_queries.tsv), result pages with facets
and chart, article pages and similar-article lists. Every answer must be 200.

It reports requests/s, p50/p95 per kind of request and over all, the errors, and the
server's memory (RSS, sampled every half second): after warm-up, then the median of the
first and of the last quarter of the run, so growth under load shows. Prints the report
and writes it to bench/results/load.md. Without ../shared/corpora it says so and exits 0.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from common import (
    MB,
    NEWS_CORPUS,
    REPO,
    RESULTS,
    git_revision,
    latency_stats,
    machine_facts,
    read_topics,
    today,
)

from arshif.indexer.storage.writer import update_index

QUERIES_FILE = RESULTS / "short_queries.tsv"
CACHED_INDEX = REPO / "bench" / "cache" / "load-news_ant-index"
REPORT = RESULTS / "load.md"
# Kinds of request and how often each is sent, out of 10.
MIX = (("api search", 6), ("results page", 2), ("article page", 1), ("api similar", 1))
# The articles asked for are those the first searches of the query list find.
ARTICLE_QUERIES = 40
MEMORY_PERIOD = 0.5
_SERVING = re.compile(r"at (http://\S+/)")
Memory = tuple[int, int]  # bytes: RssAnon, RssFile


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Tally:
    """What the clients saw: seconds per request by kind, and the failures."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, elapsed: float, error: str | None) -> None:
        with self.lock:
            self.seconds[kind].append(elapsed)
            if error:
                self.errors.append(f"{kind}: {error}")


class Server:
    """`arshif serve` in a child process, on a free loopback port."""

    def __init__(self, index_dir: Path) -> None:
        arshif = Path(sys.executable).with_name("arshif")
        self.process = subprocess.Popen(
            [str(arshif), "serve", "--index", str(index_dir), "--port", "0"],
            stdout=subprocess.DEVNULL,  # the access log
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        first = self.process.stderr.readline()
        found = _SERVING.search(first)
        if not found:
            self.process.kill()
            raise SystemExit(f"arshif serve did not start: {first}")
        self.url = found.group(1)
        self.errors: list[str] = []  # the server's own ERROR lines (a traceback follows each)
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        """Keep reading the server's log, so the pipe never fills and blocks it."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if line.startswith("ERROR"):
                self.errors.append(line.strip())

    def memory(self) -> Memory:
        """Bytes of the server's own memory (RssAnon: heap, arrays it built) and of the
        index files it maps and has touched (RssFile: page cache, grows as queries reach
        more of the index, and given back to the system under pressure)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) * 1024
        return fields.get("RssAnon", 0), fields.get("RssFile", 0)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class MemorySampler(threading.Thread):
    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[Memory] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples.append(self.server.memory())
            self.done.wait(MEMORY_PERIOD)


def request(
    client: httpx.Client, kind: str, rng: random.Random, queries: list[str], ids: list[str]
) -> httpx.Response:
    if kind == "api search":
        return client.get("api/search", params={"q": rng.choice(queries)})
    if kind == "results page":
        return client.get("", params={"q": rng.choice(queries)})
    if kind == "article page":
        return client.get(f"articles/{rng.choice(ids)}")
    return client.get(f"api/articles/{rng.choice(ids)}/similar")


def client_loop(
    url: str, seed: int, until: float, queries: list[str], ids: list[str], tally: Tally
) -> None:
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                response = request(client, kind, rng, queries, ids)
                error = None if response.status_code == 200 else f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = repr(exc)
            tally.add(kind, time.perf_counter() - started, error)


def warm_up(url: str, queries: list[str]) -> list[str]:
    """Every request the clients can send, once and untimed: the first opens the archive,
    and what the server keeps once read (analysis, caches) is read before memory is
    watched. Returns the article ids of the first ARTICLE_QUERIES searches, for the
    article requests."""
    ids: set[str] = set()
    with httpx.Client(base_url=url, timeout=120) as client:
        for number, query in enumerate(queries):
            for path in ("api/search", ""):
                response = client.get(path, params={"q": query})
                response.raise_for_status()
            if number < ARTICLE_QUERIES:
                response = client.get("api/search", params={"q": query})
                ids |= {hit["id"] for hit in response.json()["hits"]}
        for article_id in sorted(ids):
            for path in (f"articles/{article_id}", f"api/articles/{article_id}/similar"):
                client.get(path).raise_for_status()
    return sorted(ids)


def memory_line(label: str, samples: list[int], warm: int) -> tuple[str, bool]:
    """One kind of memory over the run, and whether it stayed flat: the median of the
    last quarter of the samples within 10% of the first quarter's."""
    size = max(1, len(samples) // 4)
    first, last = statistics.median(samples[:size]) / MB, statistics.median(samples[-size:]) / MB
    line = (
        f"- {label}: {warm / MB:.0f} MB after warm-up; median {first:.0f} MB over the first "
        f"quarter of the run, {last:.0f} MB over the last ({last - first:+.0f} MB); "
        f"peak {max(samples) / MB:.0f} MB."
    )
    return line, abs(last - first) <= 0.1 * first


def report(
    args: argparse.Namespace,
    index_dir: Path,
    tally: Tally,
    server_errors: list[str],
    samples: list[Memory],
    warm: Memory,
    seconds: float,
) -> str:
    every = [s for values in tally.seconds.values() for s in values]
    rows = ["| request | count | p50 ms | p95 ms | mean ms |", "|---|---:|---:|---:|---:|"]
    for kind, _ in MIX:
        values = tally.seconds.get(kind, [])
        if values:
            st = latency_stats(values)
            rows.append(
                f"| {kind} | {len(values):,} | {st['p50']:.1f} | {st['p95']:.1f} | "
                f"{st['mean']:.1f} |"
            )
    st = latency_stats(every)
    rows.append(
        f"| **all** | {len(every):,} | **{st['p50']:.1f}** | **{st['p95']:.1f}** | "
        f"{st['mean']:.1f} |"
    )
    own, flat = memory_line("own (RssAnon)", [a for a, _ in samples], warm[0])
    mapped, _ = memory_line("index files mapped (RssFile)", [f for _, f in samples], warm[1])
    clean = not (tally.errors or server_errors)
    facts = machine_facts()
    errors = "\n".join(f"  - {e}" for e in tally.errors[:10])
    lines = [
        "# Load: `arshif serve` under concurrent clients",
        "",
        f"{today()} · commit {git_revision()} · {facts['cpu model']}, {facts['nproc']} cores, "
        f"{facts['memory']} · Python {facts['python']}",
        "",
        f"`bench/load.py`: {args.clients} clients for {seconds:.0f} s on loopback against the "
        f"news_ant index ({index_dir.name}); server and clients share the machine's cores.",
        "",
        f"- Requests: {len(every):,} ({len(every) / seconds:.1f}/s); "
        f"errors: **{len(tally.errors)}**" + (f"\n{errors}" if errors else ""),
        f"- Errors in the server's log: **{len(server_errors)}**",
        "",
        *rows,
        "",
        "Server memory:",
        "",
        own,
        mapped,
        "",
        f"Targets (#16): no errors — **{'met' if clean else 'not met'}**; "
        f"own memory flat (last quarter within 10% of the first) — "
        f"**{'met' if flat else 'not met'}**.",
        "",
        "The mix, out of 10 requests: "
        + ", ".join(f"{weight} {kind}" for kind, weight in MIX)
        + ". Queries: the 200 short headline queries of `bench/results/short_queries.tsv`;"
        f" articles: the ids the first {ARTICLE_QUERIES} of them find. Each of these requests"
        " is sent once, untimed, before the clients start. Latency is measured by the clients "
        "(queueing in the server included); requests are served one at a time by the "
        "archive, so p95 grows with the number of clients.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--index", type=Path, help="An index of news_ant to serve.")
    args = parser.parse_args()
    if args.index is None and not NEWS_CORPUS.exists():
        print(f"{NEWS_CORPUS} is not available: nothing to measure.")
        return
    index_dir = args.index or CACHED_INDEX
    if args.index is None:
        log(f"bringing the news_ant index in {index_dir} up to date")
        update_index(index_dir, [NEWS_CORPUS])
    queries = [text for _qid, text in read_topics(QUERIES_FILE)]
    server = Server(index_dir)
    try:
        log(f"serving at {server.url}; warming up")
        ids = warm_up(server.url, queries)
        warm = server.memory()
        sampler = MemorySampler(server)
        tally = Tally()
        log(f"{args.clients} clients for {args.seconds:.0f} s")
        started = time.monotonic()
        until = started + args.seconds
        clients = [
            threading.Thread(target=client_loop, args=(server.url, n, until, queries, ids, tally))
            for n in range(args.clients)
        ]
        sampler.start()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        seconds = time.monotonic() - started
        sampler.done.set()
        sampler.join()
    finally:
        server.stop()
    text = report(args, index_dir, tally, server.errors, sampler.samples, warm, seconds)
    print(text)
    REPORT.write_text(text, "utf-8")
    log(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
