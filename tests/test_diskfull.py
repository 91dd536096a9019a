"""A full disk at any write of a run: the exact message, exit 1, the previous index as it
was (file for file), and the next run, once there is space, does the work.

Every file a run writes under the test's folder is a write point; ENOSPC is raised
(monkeypatched `open`) at the first write to the Nth such file, for every N a whole
run reaches.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from arshif.search.cli import main
from tests.conftest import DATA

NEW_WORD = "الاسكواش"  # only in data/txt
OLD_WORD = "داعش"


class _FullDiskFile:
    """A file opened for writing whose first write may find the disk full."""

    def __init__(self, file: Any, fail: Callable[[], int]) -> None:
        self._file = file
        self._fail = fail
        self._written = False

    def write(self, data: Any) -> int:
        if not self._written:
            self._written = True
            if code := self._fail():
                raise OSError(code, os.strerror(code), self._file.name)
        return self._file.write(data)

    def __enter__(self) -> _FullDiskFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class WritePoints:
    """Counts the files opened for writing under `root`; fails the `fail_at`th."""

    def __init__(self, root: Path, fail_at: int | None = None, code: int = errno.ENOSPC) -> None:
        self.root = str(root)
        self.fail_at = fail_at
        self.code = code
        self.count = 0
        self.failed = False

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_open = io.open

        def opening(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            writing = any(m in mode for m in "wax+")
            if writing and isinstance(file, str | Path) and str(file).startswith(self.root):
                return _FullDiskFile(handle, self._next)
            return handle

        monkeypatch.setattr(builtins, "open", opening)
        monkeypatch.setattr(io, "open", opening)

    def _next(self) -> int:
        """The error number the next first write fails with (0: it does not)."""
        self.count += 1
        if self.count == self.fail_at:
            self.failed = True
            return self.code
        return 0


def index(index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["index", "--index", str(index_dir), *args])


def search(index_dir: Path, word: str) -> str:
    result = CliRunner().invoke(main, ["search", "--index", str(index_dir), "--json", word])
    assert result.exit_code == 0, result.output
    return result.output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("full") / "index"
    assert index(index_dir, str(DATA / "jsonl"), str(DATA / "trec")).exit_code == 0
    return index_dir


RUNS = {"update": ["jsonl", "trec", "txt"], "rebuild": ["--rebuild", "jsonl", "trec", "txt"]}


def run_args(kind: str) -> list[str]:
    return [a if a.startswith("--") else str(DATA / a) for a in RUNS[kind]]


def points_of(kind: str, previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    index_dir = tmp_path / "count" / "index"
    shutil.copytree(previous, index_dir)
    points = WritePoints(tmp_path / "count")
    points.install(monkeypatch)
    result = index(index_dir, *run_args(kind))
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    return points.count


@pytest.mark.parametrize("kind", RUNS)
def test_a_full_disk_at_every_write_changes_nothing(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    total = points_of(kind, previous, tmp_path, monkeypatch)
    assert total >= 10  # segment files, tables of contents, JSON files
    before = snapshot(previous)
    old_answer = search(previous, OLD_WORD)
    for fail_at in range(1, total + 1):
        folder = tmp_path / f"at{fail_at}"
        index_dir = folder / "index"
        shutil.copytree(previous, index_dir)
        points = WritePoints(folder, fail_at)
        points.install(monkeypatch)
        result = index(index_dir, *run_args(kind))
        monkeypatch.undo()
        assert points.failed, fail_at
        assert result.exit_code == 1, (fail_at, result.output)
        assert re.fullmatch(
            rf"Error: the disk holding {re.escape(str(index_dir))} is full \([0-9.]+ MB free\); "
            r"nothing was changed\. Free space and run again\.\n",
            result.output,
        ), (fail_at, result.output)
        assert snapshot(index_dir) == before, fail_at
        assert sorted(p.name for p in folder.iterdir()) == ["index"], fail_at
        assert search(index_dir, OLD_WORD) == old_answer
        again = index(index_dir, *run_args(kind))
        assert again.exit_code == 0, again.output
        assert '"total": 0' not in search(index_dir, NEW_WORD)
        shutil.rmtree(folder)


def test_a_file_the_run_may_not_write_changes_nothing_and_says_so(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = points_of("update", previous, tmp_path, monkeypatch)
    index_dir = tmp_path / "denied" / "index"
    shutil.copytree(previous, index_dir)
    points = WritePoints(index_dir.parent, total // 2, errno.EACCES)
    points.install(monkeypatch)
    result = index(index_dir, *run_args("update"))
    monkeypatch.undo()
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"Error: cannot write the index at {re.escape(str(index_dir))} \(Permission denied: "
        rf"{re.escape(str(index_dir))}/[^ ]+\); nothing was changed\. Make the folder and its "
        r"files writable by your user, then run again\.\n",
        result.output,
    ), result.output
    assert snapshot(index_dir) == snapshot(previous)
