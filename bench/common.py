"""Shared by the benchmarks: where the corpora are, latency statistics, machine facts,
and running a measured step in a child process with its peak memory.

Memory is measured per step in a fresh child process, because a process's peak RSS
never goes down: measured in the benchmark's own process, every step after the largest
would report the largest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
NEWS_CORPUS = CORPORA / "news_ant" / "corpus.jsonl.gz"
WIKI_CORPUS = CORPORA / "retrieval_arwiki_qa" / "corpus.jsonl.gz"
DEV_TOPICS = CORPORA / "retrieval_arwiki_qa" / "topics.dev.tsv"
RESULTS = REPO / "bench" / "results"

MB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
# Memory sampling period: short enough to catch a merge's peak, long enough that the
# sampler's own reads of /proc cost nothing measurable on a 2-core machine.
SAMPLE_SECONDS = 0.1


def read_lines(path: Path) -> Iterator[bytes]:
    """The raw lines of a (gzipped) JSONL file, newline included, bytes as stored."""
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as lines:
        yield from lines


def read_topics(path: Path) -> list[tuple[str, str]]:
    """`qid<TAB>text` rows."""
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            qid, text = line.split("\t", 1)
            rows.append((qid, text))
    return rows


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100), the definition latency reports usually mean."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def latency_stats(seconds: list[float]) -> dict[str, float]:
    """p50 / p95 / mean of one pass, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "mean": statistics.fmean(ms)}


def median_stats(passes: list[dict[str, float]]) -> dict[str, float]:
    """Each statistic's median over repeated passes: one noisy pass cannot move it."""
    return {key: statistics.median(p[key] for p in passes) for key in passes[0]}


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine_facts() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gb = os.sysconf("SC_PHYS_PAGES") * PAGE_SIZE / 1024**3
    return {
        "cpus": str(os.cpu_count()),
        "nproc": _command_output(["nproc"]) or "?",
        "cpu model": model,
        "memory": f"{mem_gb:.1f} GB",
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_revision() -> str:
    """The commit measured, marked `+changes` when the working tree differs from it."""
    head = _command_output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _command_output(
        [
            "git",
            "--no-optional-locks",
            "-C",
            str(REPO),
            "status",
            "--porcelain",
            "--",
            "indexer",
            "search",
        ]
    )
    return f"{head or 'unknown'}{' +uncommitted changes' if dirty else ''}"


def code_fingerprint() -> str:
    """A hash of the measured code (indexer/, search/): others edit the tree while a long
    run goes on, and a run that measured two versions must say so."""
    digest = hashlib.sha256()
    for package in ("indexer", "search"):
        for path in sorted((REPO / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".txt"):
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _command_output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def today() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (worker pools, a forkserver and its children)."""
    found = [pid]
    for parent in found:  # grows while iterating: a breadth-first walk
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                found.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def _tree_pss(pid: int) -> tuple[int, int]:
    """Bytes of memory the process tree uses, each shared page counted once (PSS): in
    all, and anonymous (not mapped from files: what it allocated itself)."""
    total = anonymous = 0
    for member in _descendants(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
            elif line.startswith("Pss_Anon:"):
                anonymous += int(line.split()[1]) * 1024
    return total, anonymous


class _PeakSampler(threading.Thread):
    """Polls the memory of a process tree until stopped; keeps the largest total."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = self.peak_anonymous = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total, anonymous = _tree_pss(self.pid)
            self.peak = max(self.peak, total)
            self.peak_anonymous = max(self.peak_anonymous, anonymous)
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> tuple[int, int]:
        self._stop_event.set()
        self.join()
        return self.peak, self.peak_anonymous


@dataclass
class Measured:
    """What a child step returned, and its peak memory in bytes.

    `peak_main`: the child's own peak RSS (and of any child it reaped), exact, from
    getrusage. `peak_tree`: the largest PSS total of the child and every descendant
    (workers under a forkserver included), sampled every SAMPLE_SECONDS from /proc; PSS
    counts a page shared by forked workers once, so the total is real memory, not N copies.
    `peak_anonymous`: the same for anonymous memory only, what the processes allocated
    (the rest is mapped files: an opened index's pages, also in the page cache, shared
    with every process mapping them).
    """

    value: Any
    peak_main: int
    peak_tree: int
    peak_anonymous: int


def _child_main(target: Callable[..., Any], args: tuple, conn: Any) -> None:
    try:
        value = target(*args)
        peak_kb = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        conn.send(("ok", value, peak_kb * 1024))
    except BaseException:
        conn.send(("error", traceback.format_exc(), 0))
    finally:
        conn.close()


def run_measured(target: Callable[..., Any], *args: Any) -> Measured:
    """Run `target(*args)` in a fresh interpreter; its result must be picklable."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child_main, args=(target, args, send))
    child.start()
    send.close()
    sampler = _PeakSampler(child.pid)
    sampler.start()
    try:
        status, value, peak_main = receive.recv()
    except EOFError:
        status, value, peak_main = "error", "the child process died without a result", 0
    child.join()
    peak_tree, peak_anonymous = sampler.stop()
    if status != "ok":
        raise RuntimeError(f"measured step failed in its child process:\n{value}")
    return Measured(value, peak_main, peak_tree, peak_anonymous)
