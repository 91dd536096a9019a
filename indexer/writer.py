"""Writing archive files into the index: incremental, parallel, and safe to kill.

- A file is re-read only when its size or modification time changed; articles of
  changed and deleted files are removed first (by their `path` term).
- Analysis runs in worker processes through each field's own `index()`, so the parallel
  path cannot analyze differently from the serial one; the main process only writes.
- Whoosh commits atomically; `files.json` is replaced only after a commit, and the
  document count is checked after every commit. A run killed at any moment leaves the
  previous commit searchable, and the next run redoes whatever was not recorded.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.index import Index, LockError
from whoosh.reading import TermNotFound
from whoosh.writing import SegmentWriter

from indexer import store
from indexer.article import Article, ReadProblem
from indexer.errors import IndexBusyError, IndexIntegrityError
from indexer.readers import find_files, read_file
from indexer.schema import build_schema

# Articles per batch sent to a worker, and batches in flight per worker: enough to keep
# both cores busy, few enough that memory stays flat however large the archive.
BATCH_SIZE = 200
BATCHES_PER_WORKER = 3
# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000


@dataclass
class Progress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    articles: int


@dataclass
class IndexSummary:
    """What a run did, for the one-line summary and `--json`."""

    index_dir: str
    new_files: int = 0
    changed_files: int = 0
    unchanged_files: int = 0
    deleted_files: int = 0
    articles_added: int = 0
    articles_removed: int = 0
    articles_total: int = 0
    problems: list[ReadProblem] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _FileTask:
    path: Path
    id_base: str
    size: int
    mtime_ns: int
    known: bool


def _fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _as_datetime(date: dt.date | None) -> dt.datetime | None:
    return dt.datetime(date.year, date.month, date.day) if date else None


def article_fields(article: Article, analyze: bool = False) -> dict[str, Any]:
    """The document for one article; with `analyze`, text fields come as `Postings`."""
    doc: dict[str, Any] = {
        "id": article.id,
        "path": article.path,
        "text": article.text,
        "title": article.title,
        "exact": article.text,
        "body": article.body,
        "date": _as_datetime(article.date),
        "source": article.source or None,
        "category": article.category or None,
        "url": article.url or None,
        "author": article.author or None,
        "encoding": article.encoding or None,
    }
    if analyze:
        schema = _worker_schema()
        for name in ("text", "title", "exact"):
            doc[f"_stored_{name}"] = doc[name]
            doc[name] = schema[name].postings(doc[name])
    return {k: v for k, v in doc.items() if v is not None}


_SCHEMA = None


def _worker_schema() -> Any:
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema()
    return _SCHEMA


def _analyze_batch(articles: list[Article]) -> list[dict[str, Any]]:
    return [article_fields(a, analyze=True) for a in articles]


@dataclass
class _FileDone:
    """Marks, in document order, that every article of a file has been passed on."""

    task: _FileTask
    articles: int
    encoding: str


class _Analyzer:
    """Turns a stream of article batches into documents, in worker processes when it pays.

    Order is kept, `_FileDone` markers included, so a file is recorded as indexed only
    after all of its articles have been handed to the writer.
    """

    def __init__(self, jobs: int) -> None:
        self.pool = None
        if jobs > 1:
            self.pool = multiprocessing.get_context("forkserver").Pool(jobs)
        self.window = max(1, jobs) * BATCHES_PER_WORKER

    def documents(
        self, batches: Iterable[list[Article] | _FileDone]
    ) -> Iterator[dict[str, Any] | _FileDone]:
        if self.pool is None:
            for batch in batches:
                if isinstance(batch, _FileDone):
                    yield batch
                else:
                    yield from (article_fields(a) for a in batch)
            return
        pending: deque = deque()
        in_flight = 0
        for batch in batches:
            if isinstance(batch, _FileDone):
                pending.append(batch)
                continue
            pending.append(self.pool.apply_async(_analyze_batch, (batch,)))
            in_flight += 1
            while in_flight >= self.window:
                item = pending.popleft()
                if isinstance(item, _FileDone):
                    yield item
                else:
                    in_flight -= 1
                    yield from item.get()
        for item in pending:
            if isinstance(item, _FileDone):
                yield item
            else:
                yield from item.get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


class _Run:
    """One `update_index` call: holds the writer, the manifest and the counts."""

    def __init__(
        self,
        ix: Index,
        index_dir: Path,
        summary: IndexSummary,
        on_progress: Callable[[Progress], None] | None,
        on_problem: Callable[[ReadProblem], None] | None,
        commit_every: int,
    ) -> None:
        self.ix = ix
        self.index_dir = index_dir
        self.summary = summary
        self.on_progress = on_progress
        self.on_problem = on_problem
        self.commit_every = commit_every
        self.manifest: dict[str, dict[str, Any]] = store.read_json(
            index_dir / store.MANIFEST_FILE, {}
        )
        self.meta: dict[str, Any] = store.read_json(index_dir / store.META_FILE, {})
        self.replace_ids = ix.doc_count() > 0
        self.expected_docs = ix.doc_count()
        self.writer = self._new_writer()
        self.deleted: set[int] = set()
        self.done_files: dict[str, dict[str, Any]] = {}
        self.since_commit = 0
        self.ids_seen: dict[str, str] = {}

    def _new_writer(self) -> SegmentWriter:
        try:
            return self.ix.writer()
        except LockError as exc:
            raise IndexBusyError(str(self.index_dir)) from exc

    def problem(self, problem: ReadProblem) -> None:
        self.summary.problems.append(problem)
        if self.on_problem:
            self.on_problem(problem)

    def _delete(self, fieldname: str, value: str) -> int:
        """Delete the live documents whose `fieldname` is `value`; count each once."""
        reader = self.writer.reader()
        try:
            docnums = list(reader.postings(fieldname, value).all_ids())
        except TermNotFound:
            return 0
        removed = 0
        for docnum in docnums:
            if docnum not in self.deleted and not reader.is_deleted(docnum):
                self.writer.delete_document(docnum)
                self.deleted.add(docnum)
                removed += 1
        self.expected_docs -= removed
        return removed

    def remove_file(self, path: str) -> None:
        self.summary.articles_removed += self._delete("path", path)

    def add(self, doc: dict[str, Any]) -> None:
        if doc["id"] in self.ids_seen:
            first = self.ids_seen[doc["id"]]
            self.problem(
                ReadProblem(
                    doc["path"],
                    f'duplicate article id "{doc["id"]}", kept the one read first from {first}',
                )
            )
            return
        self.ids_seen[doc["id"]] = doc["path"]
        if self.replace_ids:
            self._delete("id", doc["id"])
        self.writer.add_document(**doc)
        self.expected_docs += 1
        self.summary.articles_added += 1
        self.since_commit += 1

    def file_done(self, done: _FileDone) -> None:
        self.done_files[str(done.task.path)] = {
            "size": done.task.size,
            "mtime_ns": done.task.mtime_ns,
            "articles": done.articles,
            "encoding": done.encoding,
        }

    def commit(self, final: bool = False) -> None:
        self.writer.commit()
        doc_count = self.ix.doc_count()
        if doc_count != self.expected_docs:
            raise IndexIntegrityError(
                f"the index at {self.index_dir} holds {doc_count} articles after a commit, "
                f"expected {self.expected_docs}; run again with --rebuild"
            )
        self.manifest.update(self.done_files)
        self.done_files = {}
        store.write_json(self.index_dir / store.MANIFEST_FILE, self.manifest)
        self.meta["updated"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        store.write_json(self.index_dir / store.META_FILE, self.meta)
        self.since_commit = 0
        self.deleted = set()
        if not final:
            self.writer = self._new_writer()


def _batches(
    run: _Run, tasks: list[_FileTask], bytes_total: int
) -> Iterator[list[Article] | _FileDone]:
    """Read every task's file, yielding article batches and a marker after each file."""
    batch: list[Article] = []
    bytes_done = 0
    for number, task in enumerate(tasks, 1):
        articles = 0
        encoding = ""
        for item in read_file(task.path, task.id_base):
            if isinstance(item, ReadProblem):
                run.problem(item)
                continue
            articles += 1
            encoding = encoding or item.encoding
            batch.append(item)
            if len(batch) >= BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch
            batch = []
        yield _FileDone(task, articles, encoding)
        bytes_done += task.size
        if run.on_progress:
            run.on_progress(
                Progress(number, len(tasks), bytes_done, bytes_total, run.summary.articles_added)
            )


def _id_base(path: Path, root: Path) -> str:
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = Path(path.name)
    return (Path(root.name) / relative).as_posix() if root.name else relative.as_posix()


def _plan(run: _Run, paths: Iterable[Path]) -> tuple[list[_FileTask], list[str]]:
    """Decide which files to read and which recorded files disappeared.

    The index's own folder is never read as articles, even inside an indexed folder.
    """
    tasks: list[_FileTask] = []
    seen: set[str] = set()
    roots: list[Path] = []
    for path in paths:
        resolved = path.expanduser().resolve()
        roots.append(resolved)
    for item in find_files(roots):
        if isinstance(item, ReadProblem):
            run.problem(item)
            continue
        file, root = item
        key = str(file)
        if key in seen or file.is_relative_to(run.index_dir):
            continue
        seen.add(key)
        try:
            size, mtime_ns = _fingerprint(file)
        except OSError as exc:
            run.problem(ReadProblem(key, f"cannot read: {exc.strerror or exc}"))
            continue
        recorded = run.manifest.get(key)
        if recorded and recorded["size"] == size and recorded["mtime_ns"] == mtime_ns:
            run.summary.unchanged_files += 1
            continue
        if recorded:
            run.summary.changed_files += 1
        else:
            run.summary.new_files += 1
        tasks.append(_FileTask(file, _id_base(file, root), size, mtime_ns, known=bool(recorded)))
    deleted = [
        key
        for key in run.manifest
        if key not in seen
        and any(Path(key).is_relative_to(r) for r in roots)
        and not Path(key).exists()
    ]
    return tasks, deleted


def update_index(
    index_dir: Path,
    paths: Iterable[Path],
    *,
    rebuild: bool = False,
    jobs: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_problem: Callable[[ReadProblem], None] | None = None,
    commit_every: int = 50_000,
) -> IndexSummary:
    """Bring the index at `index_dir` up to date with the files under `paths`."""
    started = time.perf_counter()
    index_dir = Path(index_dir).expanduser().resolve()
    target_dir = index_dir
    if rebuild and store.exists(index_dir):
        index_dir = index_dir.with_name(index_dir.name + ".rebuild")
        shutil.rmtree(index_dir, ignore_errors=True)
    ix = store.open_index(index_dir) if store.exists(index_dir) else store.create_index(index_dir)
    summary = IndexSummary(index_dir=str(target_dir))
    run = _Run(ix, index_dir, summary, on_progress, on_problem, commit_every)
    try:
        tasks, deleted = _plan(run, paths)
        for key in deleted:
            run.remove_file(key)
            run.manifest.pop(key, None)
        summary.deleted_files = len(deleted)
        for task in tasks:
            if task.known or run.replace_ids:
                run.remove_file(str(task.path))
        bytes_total = sum(t.size for t in tasks)
        jobs = jobs or os.cpu_count() or 1
        analyzer = _Analyzer(jobs if bytes_total >= PARALLEL_MIN_BYTES else 1)
        try:
            for doc in analyzer.documents(_batches(run, tasks, bytes_total)):
                if isinstance(doc, _FileDone):
                    run.file_done(doc)
                    continue
                run.add(doc)
                if run.since_commit >= commit_every:
                    run.commit()
        finally:
            analyzer.close()
        run.commit(final=True)
    except BaseException:
        if not run.writer.is_closed:
            run.writer.cancel()
        raise
    summary.articles_total = ix.doc_count()
    if index_dir != target_dir:
        _swap_in(index_dir, target_dir)
    summary.seconds = time.perf_counter() - started
    return summary


def _swap_in(new_dir: Path, target_dir: Path) -> None:
    """Replace `target_dir` by the freshly built `new_dir`."""
    old_dir = target_dir.with_name(target_dir.name + ".old")
    shutil.rmtree(old_dir, ignore_errors=True)
    os.replace(target_dir, old_dir)
    os.replace(new_dir, target_dir)
    shutil.rmtree(old_dir, ignore_errors=True)
