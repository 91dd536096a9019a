"""Writing archive files into the index: incremental, parallel, and safe to kill.

- A file is re-read only when its size or modification time changed; articles of
  changed and deleted files are removed first (by their `path` term).
- Batches of articles become index segments in worker processes (`segments`); the main
  process reads files, checks ids, deletes replaced articles and commits.
- Whoosh commits atomically; `files.json` is replaced only after a commit, and the
  document count is checked after every commit. A run killed at any moment leaves the
  previous commit searchable, and the next run redoes whatever was not recorded.
- Each commit records the checksums of Whoosh's new files (`filetable`) before its table
  of contents. A run that fails (a full disk, a file it may not write) is undone whole
  (`journal`) and says so with a typed error; the next run after a killed one first
  removes the files no commit refers to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.base import Segment
from whoosh.index import TOC, Index
from whoosh.reading import IndexReader, SegmentReader, TermNotFound
from whoosh.writing import SegmentWriter

from arshif.indexer.article import Article, ReadProblem, Skipped
from arshif.indexer.boilerplate import BoilerplateDetector
from arshif.indexer.duplicates import keep_groups, write_groups
from arshif.indexer.errors import (
    DamagedIndexError,
    DiskFullError,
    IndexBusyError,
    IndexIntegrityError,
    IndexWriteError,
    NewerIndexError,
)
from arshif.indexer.readers import find_files, read_file
from arshif.indexer.storage import filetable, stops, store
from arshif.indexer.storage.checksum import NOT_A_FILE
from arshif.indexer.storage.journal import Journal
from arshif.indexer.storage.postings import write_segment_postings
from arshif.indexer.storage.postings_groups import (
    article_ids,
    join_segments,
    live_articles,
    merged_articles,
)
from arshif.indexer.storage.schema import SCHEMA_VERSION
from arshif.indexer.storage.segments import SEGMENT_ARTICLES, build_segment

# Below this much input, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000
# Files a worker reads per task when the workers read ahead (the boilerplate pass).
MAP_CHUNK = 4
# Articles between commits: progress survives a crash, and memory stays flat.
COMMIT_EVERY = 30_000
# Segments smaller than this (left by small incremental runs) are merged once there are
# more than MAX_TINY_SEGMENTS of them. Whoosh's own MERGE_SMALL policy would merge every
# bulk segment too, in this single process, undoing the parallel work.
TINY_SEGMENT = SEGMENT_ARTICLES // 10
MAX_TINY_SEGMENTS = 8
# What workers run, imported once by the forkserver they are forked from: a worker that
# imported them itself took 0.23 s to start, 0.02 s forked with them (the join's worker
# starts when the indexing ones are gone). The forkserver then holds them: 39 MB of its
# own once the workers are gone.
WORKER_MODULES = [
    "arshif.indexer.boilerplate",
    "arshif.indexer.storage.segments",
    "arshif.indexer.storage.postings_groups",
]


def tiny_segments(segments: list[Segment]) -> list[Segment]:
    """The segments `merge_tiny_segments` merges (none while they are few)."""
    tiny = [s for s in segments if s.doc_count_all() < TINY_SEGMENT]
    return tiny if len(tiny) > MAX_TINY_SEGMENTS else []


def merge_tiny_segments(writer: SegmentWriter, segments: list[Segment]) -> list[Segment]:
    """Merge policy: fold tiny segments into the writer's own, leave the others."""
    tiny = tiny_segments(segments)
    if not tiny:
        return segments
    for segment in tiny:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s.doc_count_all() >= TINY_SEGMENT]


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
    # Files and web-archive records passed over on purpose (images, revisits…).
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    # The index found was written by another version of arshif and held only files
    # under the paths given: it was rebuilt from them.
    upgraded: bool = False


@dataclass
class _FileTask:
    path: Path
    root: Path
    id_base: str
    size: int
    mtime_ns: int
    known: bool


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker when the indexing run is gone (even SIGKILLed)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _worker_pool(jobs: int) -> ProcessPoolExecutor:
    """`jobs` worker processes, which exit if this process dies."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


class _SegmentQueue:
    """Batches of articles turned into segments, in worker processes when `jobs` > 1."""

    def __init__(self, index_dir: Path, jobs: int) -> None:
        self.index_dir = str(index_dir)
        self.executor = _worker_pool(jobs) if jobs > 1 else None
        self.max_pending = max(1, jobs) * 2
        self.pending: list[tuple[Future, int]] = []
        self.done: list[Segment] = []

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        """`fn` over the items of `iterables` in the workers, results in order."""
        if self.executor is None:
            return map(fn, *iterables)
        return self.executor.map(fn, *iterables, chunksize=MAP_CHUNK)

    def submit(self, batch: list[Article]) -> None:
        if self.executor is None:
            self._accept(build_segment(self.index_dir, batch), len(batch))
            return
        self.pending.append(
            (self.executor.submit(build_segment, self.index_dir, batch), len(batch))
        )
        while len(self.pending) >= self.max_pending:
            self._collect_first()

    def _collect_first(self) -> None:
        future, sent = self.pending.pop(0)
        self._accept(future.result(), sent)

    def _accept(self, result: tuple[Segment, int], sent: int) -> None:
        segment, written = result
        if written != sent or segment.doc_count() != sent:
            raise IndexIntegrityError(
                f"a worker wrote {segment.doc_count()} of {sent} articles; nothing was committed"
            )
        self.done.append(segment)

    def drain(self) -> list[Segment]:
        """Wait for every batch sent so far; return the finished segments and forget them."""
        while self.pending:
            self._collect_first()
        segments, self.done = self.done, []
        return segments

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


class _Run:
    """One `update_index` call: the lock-holding writer, the manifest and the counts."""

    def __init__(
        self,
        ix: Index,
        index_dir: Path,
        summary: IndexSummary,
        on_problem: Callable[[ReadProblem], None] | None,
    ) -> None:
        self.ix = ix
        self.index_dir = index_dir
        self.summary = summary
        self.on_problem = on_problem
        self.manifest: dict[str, dict[str, Any]] = store.read_json(
            index_dir / store.MANIFEST_FILE, {}
        )
        self.meta: dict[str, Any] = store.read_json(index_dir / store.META_FILE, {})
        self.expected_docs = store.article_count(ix)
        self.replace_ids = self.expected_docs > 0
        # Whether `files.json` lists every file the committed articles came from; if not,
        # the next run finds those articles by their file's path.
        self.files_listed = self.meta.get(store.FILES_GENERATION) == ix.latest_generation()
        # The generation and segments the run began with (its groups may still hold).
        self.started = ix.latest_generation(), [s.segment_id() for s in ix._segments()]
        self.writer = self._new_writer()
        self._reader: IndexReader | None = None
        self.deleted: set[int] = set()
        self.done_files: dict[str, dict[str, Any]] = {}
        self.ids_seen: dict[str, str] = {}
        self._indexed_ids: np.ndarray | None = None
        self.batch: list[Article] = []
        self.since_commit = 0

    def _new_writer(self) -> SegmentWriter:
        """A writer holding Whoosh's write lock, which it releases when it ends. The lock
        is taken here, not by the writer: one whose setup fails (a full disk) would keep
        it, unreleased, for the rest of this process."""
        lock = self.ix.lock("WRITELOCK")
        try:
            if not lock.acquire():
                raise IndexBusyError(str(self.index_dir))
        except IsADirectoryError as exc:
            raise DamagedIndexError(exc.filename, NOT_A_FILE) from exc
        # Whoosh's scratch folder: a killed writer's is left, a cancelled one's removed.
        scratch = self.index_dir / f"{self.ix.indexname}.tmp"
        shutil.rmtree(scratch, ignore_errors=True)
        try:
            writer = SegmentWriter(self.ix, _lk=False)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            lock.release()
            raise
        writer.writelock = lock
        return writer

    @property
    def reader(self) -> IndexReader:
        """One reader of the committed segments per writer, for finding what to delete."""
        if self._reader is None:
            self._reader = self.writer.reader()
        return self._reader

    def close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def problem(self, problem: ReadProblem) -> None:
        self.summary.problems.append(problem)
        if self.on_problem:
            self.on_problem(problem)

    def _delete(self, fieldname: str, value: str) -> int:
        """Delete the live documents whose `fieldname` is `value`; count each once."""
        reader = self.reader
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

    def add(self, article: Article) -> list[Article] | None:
        """Accept an article; return a full batch when one is ready."""
        if article.id in self.ids_seen:
            self.problem(
                ReadProblem(
                    article.path,
                    f'duplicate article id "{article.id}", kept the one read first from '
                    f"{self.ids_seen[article.id]}",
                )
            )
            return None
        self.ids_seen[article.id] = article.path
        if self.replace_ids and self._may_be_indexed(article.id):
            self._delete("id", article.id)
        self.batch.append(article)
        self.expected_docs += 1
        self.summary.articles_added += 1
        self.since_commit += 1
        stops.reached("article")
        if len(self.batch) >= SEGMENT_ARTICLES:
            batch, self.batch = self.batch, []
            return batch
        return None

    def _may_be_indexed(self, doc_id: str) -> bool:
        """False when no committed article has this id. Whoosh looks an id up in each
        segment's term table in turn: on the ×10 archive (852 segments) that was 80% of
        a run adding 1% more articles. The ids the postings files hold (hashed, sorted)
        answer first; ids added by this run are `ids_seen`'s."""
        if self._indexed_ids is None:  # the committed segments, without opening them
            ids = article_ids(self.index_dir, self.writer.segments)
            self._indexed_ids = np.sort(np.fromiter(map(hash, ids), np.int64))
        at = int(np.searchsorted(self._indexed_ids, hash(doc_id)))
        return at < len(self._indexed_ids) and int(self._indexed_ids[at]) == hash(doc_id)

    def take_batch(self) -> list[Article]:
        batch, self.batch = self.batch, []
        return batch

    def file_done(self, task: _FileTask, articles: int, encoding: str) -> None:
        self.done_files[str(task.path)] = {
            "size": task.size,
            "mtime_ns": task.mtime_ns,
            "articles": articles,
            "encoding": encoding,
            "root": str(task.root),
        }

    def commit(self, segments: list[Segment], final: bool = False) -> None:
        """Commit the deletions and `segments`, check the count, then record the files."""
        writer = self.writer
        self.close_reader()
        try:
            tiny = tiny_segments(writer.segments)
            kept = writer._merge_segments(merge_tiny_segments, False, True)
            if writer._added:  # tiny segments merged by the policy
                merged = writer._finalize_segment()
                reader = SegmentReader(writer.storage, writer.schema, merged)
                folder = Path(writer.storage.folder)
                write_segment_postings(folder, merged, reader, merged_articles(folder, tiny))
                reader.close()
                kept.append(merged)
            else:
                writer._close_segment()
            segments = kept + segments
            folder = self.index_dir
            filetable.record(
                folder, filetable.segment_files(folder, [s.segment_id() for s in segments])
            )
            stops.reached("commit")
            # The previous generation's files stay until the run ends (`journal`).
            try:
                TOC(writer.schema, segments, writer.generation).write(
                    writer.storage, writer.indexname
                )
            except BaseException as exc:
                store.close_left_open(exc)
                raise
            filetable.record(folder, [filetable.toc_name(writer.generation)])
        finally:
            writer._finish()
        doc_count = store.article_count(self.ix)
        if doc_count != self.expected_docs:
            raise IndexIntegrityError(
                f"the index at {self.index_dir} holds {doc_count} articles after a commit, "
                f"expected {self.expected_docs}; run again with --rebuild"
            )
        stops.reached("committed")
        self.manifest.update(self.done_files)
        self.done_files = {}
        store.write_json(self.index_dir / store.MANIFEST_FILE, self.manifest)
        self.meta["updated"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.meta[store.FILES_GENERATION] = self.ix.latest_generation()
        store.write_json(self.index_dir / store.META_FILE, self.meta)
        self.since_commit = 0
        self.deleted = set()
        if not final:
            self.writer = self._new_writer()


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
    roots = [path.expanduser().resolve() for path in paths]
    for item in find_files(roots):
        if isinstance(item, ReadProblem):
            run.problem(item)
            continue
        if isinstance(item, Skipped):
            # The index's own files (and, in a rebuild, the old index's) are no skip.
            index_dirs = (run.index_dir, Path(run.summary.index_dir))
            if not any(Path(item.path).is_relative_to(d) for d in index_dirs):
                run.summary.skipped.append(item)
            continue
        file, root = item
        key = str(file)
        if key in seen or file.is_relative_to(run.index_dir):
            continue
        seen.add(key)
        try:
            stat = file.stat()
            size, mtime_ns = stat.st_size, stat.st_mtime_ns
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
        known = bool(recorded)
        tasks.append(_FileTask(file, root, _id_base(file, root), size, mtime_ns, known))
    deleted = [
        key
        for key in run.manifest
        if key not in seen
        and any(Path(key).is_relative_to(r) for r in roots)
        and not Path(key).exists()
    ]
    return tasks, deleted


def _index_files(
    run: _Run,
    tasks: list[_FileTask],
    queue: _SegmentQueue,
    on_progress: Callable[[Progress], None] | None,
    commit_every: int,
    boilerplate: BoilerplateDetector,
    pdf_pages: bool,
) -> None:
    bytes_total = sum(t.size for t in tasks)
    bytes_done = 0

    def report(files_done: int) -> None:
        if on_progress:
            added = run.summary.articles_added
            on_progress(Progress(files_done, len(tasks), bytes_done, bytes_total, added))

    for number, task in enumerate(tasks, 1):
        articles = 0
        encoding = ""
        for item in read_file(task.path, task.id_base, pdf_pages=pdf_pages):
            if isinstance(item, ReadProblem):
                run.problem(item)
                continue
            if isinstance(item, Skipped):
                run.summary.skipped.append(item)
                continue
            articles += 1
            encoding = encoding or item.encoding
            if (batch := run.add(boilerplate.clean_article(item))) is not None:
                queue.submit(batch)
                report(number - 1)  # a large file still shows articles moving
            if run.since_commit >= commit_every:
                queue.submit(run.take_batch())
                run.commit(queue.drain())
        run.file_done(task, articles, encoding)
        bytes_done += task.size
        stops.input_read(bytes_done)
        report(number)
    if run.batch:
        queue.submit(run.take_batch())
    run.commit(queue.drain(), final=True)


def update_index(
    index_dir: Path,
    paths: Iterable[Path],
    *,
    rebuild: bool = False,
    jobs: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_problem: Callable[[ReadProblem], None] | None = None,
    commit_every: int = COMMIT_EVERY,
    pdf_pages: bool = False,
) -> IndexSummary:
    """Bring the index at `index_dir` up to date with the files under `paths`.

    `pdf_pages` makes each page of the PDFs read an article of its own (newspaper issues).
    """
    started = time.perf_counter()
    target_dir = Path(index_dir).expanduser().resolve()
    paths = list(paths)
    with store.run_lock(target_dir):
        store.recover_interrupted_swap(target_dir)
        shutil.rmtree(_rebuild_dir(target_dir), ignore_errors=True)  # a killed rebuild's
        upgrade = not rebuild and _outdated_within(target_dir, paths)
        try:
            summary = _update(
                target_dir, paths, rebuild or upgrade, jobs, on_progress, on_problem, commit_every,
                pdf_pages,
            )  # fmt: skip
        except OSError as exc:
            raise _write_error(target_dir, exc) from exc
    summary.upgraded = upgrade
    summary.seconds = time.perf_counter() - started
    return summary


def _outdated_within(index_dir: Path, paths: list[Path]) -> bool:
    """Whether the index at `index_dir` was written by another version of arshif and
    holds only files under `paths`: rebuilding it from them loses nothing."""
    version = store.schema_version(index_dir) if store.exists(index_dir) else None
    if version is None or version == SCHEMA_VERSION:  # None: damaged, not outdated
        return False
    if version > SCHEMA_VERSION:  # rebuilding would drop what a newer arshif wrote
        raise NewerIndexError(str(index_dir), version, SCHEMA_VERSION)
    roots = [path.expanduser().resolve() for path in paths]
    manifest = store.read_json(index_dir / store.MANIFEST_FILE, None)
    return isinstance(manifest, dict) and all(
        any(Path(file).is_relative_to(root) for root in roots) for file in manifest
    )


def _update(
    target_dir: Path,
    paths: Iterable[Path],
    rebuild: bool,
    jobs: int | None,
    on_progress: Callable[[Progress], None] | None,
    on_problem: Callable[[ReadProblem], None] | None,
    commit_every: int,
    pdf_pages: bool,
) -> IndexSummary:
    index_dir = target_dir
    found = store.has_index_files(target_dir)
    if rebuild and found:
        index_dir = _rebuild_dir(target_dir)
    before = set(os.listdir(index_dir)) if index_dir.is_dir() else set()
    try:
        ix = store.open_index(index_dir) if found and not rebuild else store.create_index(index_dir)
        journal = Journal(ix, index_dir)
        try:
            summary = _write_run(
                ix, index_dir, paths, jobs, on_progress, on_problem, commit_every, pdf_pages
            )
        except BaseException as exc:
            store.close_left_open(exc)  # Whoosh leaves the files of a failed write open
            journal.undo()
            raise
        journal.finish()
    except BaseException:
        if not found or rebuild:  # a new index: remove what was made of it
            _remove_new_entries(index_dir, before)
        raise
    summary.index_dir = str(target_dir)
    if index_dir != target_dir:
        _swap_in(index_dir, target_dir)
    return summary


def _remove_new_entries(folder: Path, before: set[str]) -> None:
    """Remove what a failed run made in `folder` beyond the names `before`, and the
    folder itself if that leaves it empty."""
    for name in set(os.listdir(folder)) - before if folder.is_dir() else ():
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only if it is empty: it was made for this index


def _rebuild_dir(target_dir: Path) -> Path:
    """Where a rebuild writes the new index, beside the one it replaces."""
    return target_dir.with_name(target_dir.name + ".rebuild")


def _write_error(index_dir: Path, exc: OSError) -> Exception:
    """The typed error of a run that could not write (it changed nothing), or `exc`."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = shutil.disk_usage(index_dir if index_dir.exists() else index_dir.parent).free
        return DiskFullError(str(index_dir), free)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return IndexWriteError(str(index_dir), f"{exc.strerror}: {exc.filename or index_dir}")
    return exc


def _write_run(
    ix: Index,
    index_dir: Path,
    paths: Iterable[Path],
    jobs: int | None,
    on_progress: Callable[[Progress], None] | None,
    on_problem: Callable[[ReadProblem], None] | None,
    commit_every: int,
    pdf_pages: bool,
) -> IndexSummary:
    summary = IndexSummary(index_dir=str(index_dir))
    run = _Run(ix, index_dir, summary, on_problem)
    queue: _SegmentQueue | None = None
    try:
        tasks, deleted = _plan(run, paths)
        for key in deleted:
            run.remove_file(key)
            run.manifest.pop(key, None)
        summary.deleted_files = len(deleted)
        for task in tasks:
            # A new file's articles can be in the index only if a killed run left them;
            # looking each path up in Whoosh's segments took a second for 99 new files
            # on the ×10 archive.
            if task.known or (run.replace_ids and not run.files_listed):
                run.remove_file(str(task.path))
        big = sum(t.size for t in tasks) >= PARALLEL_MIN_BYTES
        workers = (jobs or os.cpu_count() or 1) if big else 1
        queue = _SegmentQueue(index_dir, workers)
        boilerplate = BoilerplateDetector.load(index_dir)
        boilerplate.observe_files([(task.path, task.id_base) for task in tasks], queue.map)
        _index_files(run, tasks, queue, on_progress, commit_every, boilerplate, pdf_pages)
        boilerplate.save(index_dir)
    except BaseException:
        run.close_reader()
        _abandon(run.writer)
        raise
    finally:
        if queue is not None:
            queue.close()
    summary.articles_total = store.article_count(ix)
    generation, started_with = run.started
    # The run's ids are let go before the join, which peaks highest in this process
    # (418,624 ids, and their paths, at ×10).
    run.ids_seen = {}
    segments = ix._segments()  # from the table of contents: no reader of each opened
    segment_ids = [segment.segment_id() for segment in segments]
    # A run that only added articles to an index holding some offers only those to the
    # groups it found, when it kept the segments it began with first, in order (it
    # merged no tiny ones away): their articles kept their numbers.
    kept = len(started_with)
    only_added = run.replace_ids and not summary.articles_removed
    added = None
    if only_added and segment_ids[:kept] == started_with:
        added = generation, sum(segment.doc_count_all() for segment in segments[:kept])
    _join(index_dir, segments, workers)
    # Groups recorded for another generation were left by a run killed before it wrote
    # them: they are computed again even when this run changed nothing.
    unchanged = not (summary.articles_added or summary.articles_removed) and (
        segment_ids == started_with
    )
    if not (unchanged and keep_groups(index_dir, generation, ix.latest_generation())):
        write_groups(ix, index_dir, live_articles(index_dir, segments), added)
    return summary


def _join(index_dir: Path, segments: list[Segment], jobs: int) -> None:
    """Join the segments' postings (`join_segments`), with a new worker when there are
    cores to spare: the indexing ones hold their vocabularies."""
    if jobs < 2:
        join_segments(index_dir, segments)
        return
    with _worker_pool(1) as pool:
        join_segments(index_dir, segments, pool)


def _abandon(writer: SegmentWriter) -> None:
    """Cancel a failed run's writer; if cancelling fails too (it writes, and may meet
    what failed the run), at least release its lock (`journal` removes its files)."""
    if writer.is_closed:
        return
    try:
        writer.cancel()
    except Exception:
        writer._finish()


def _swap_in(new_dir: Path, target_dir: Path) -> None:
    """Replace `target_dir` by the freshly built `new_dir`."""
    old_dir = store.swapped_out(target_dir)
    shutil.rmtree(old_dir, ignore_errors=True)
    os.replace(target_dir, old_dir)
    stops.reached("swap")
    os.replace(new_dir, target_dir)
    shutil.rmtree(old_dir, ignore_errors=True)
