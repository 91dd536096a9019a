"""A run killed at any moment leaves the previous index whole; two runs never mix.

`arshif index` runs in a subprocess over 3,000 generated articles (4.3 MB of JSON Lines,
enough for the worker-process path). It stops itself at a named point
(`indexer.storage.stops`: the first, middle or last article, just before and just after
the commit, the join, the groups, a rebuild's swap, or 20 moments drawn from those and
the input's byte offsets with a fixed seed) and is SIGKILLed there, so no kill depends
on how fast the machine is. Killed before its commit, the index must hold exactly its
previous articles and answer searches; killed after, all of them; either way the next
normal run must finish the work, with every article present once.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from arshif.indexer.duplicates import GROUPS_FILE, read_docnums
from arshif.indexer.storage import stops
from arshif.indexer.storage.verify import check_index
from arshif.search.cli import main
from arshif.search.engine import Archive

REPO = Path(__file__).resolve().parents[1]
NEW_ARTICLES = 3000
OLD_ARTICLES = 100
WORDS = [
    "الحكومة", "الوزير", "الاقتصاد", "النفط", "الأسواق", "العالمية", "المنتخب", "البطولة",
    "الجيش", "الصحراء", "الأمم", "المتحدة", "مجلس", "الأمن", "الرئيس", "البرلمان", "الانتخابات",
    "المدينة", "المستشفى", "الجامعة", "الطلاب", "المطر", "الطقس", "الشركة", "الاستثمار",
    "البنك", "المركزي", "العملة", "التضخم", "الصادرات", "الزراعة", "المياه", "الكهرباء",
    "الطاقة", "الشمسية", "المفاوضات", "السلام", "الحدود", "اللاجئين", "المساعدات", "الإنسانية",
    "المؤتمر", "البيان",
]  # fmt: skip
# Letters spelling an article's number, so each article has a word of its own to find.
DIGIT_WORDS = ["صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة"]


def own_word(prefix: str, n: int) -> str:
    """A word only article `n` holds: "كلمةقديمواحداثنان" for old 12."""
    return prefix + "".join(DIGIT_WORDS[int(d)] for d in str(n))


def generate(folder: Path, prefix: str, tag: str, count: int, per_file: int = 100) -> Path:
    rng = random.Random(prefix)
    folder.mkdir(parents=True)
    for start in range(0, count, per_file):
        lines = []
        for n in range(start, min(count, start + per_file)):
            body = "\n".join(" ".join(rng.choices(WORDS, k=30)) + "." for _ in range(3))
            record = {
                "id": f"{prefix}-{n}",
                "title": " ".join(rng.choices(WORDS, k=8)),
                "body": f"{body}\n{own_word(tag, n)}",
                "source": "مولد",
                "date": "2018-02-18",
            }
            lines.append(json.dumps(record, ensure_ascii=False))
        (folder / f"part{start // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def archives(tmp_path: Path) -> tuple[Path, Path]:
    return (
        generate(tmp_path / "old", "old", "كلمةقديم", OLD_ARTICLES),
        generate(tmp_path / "new", "new", "كلمةجديد", NEW_ARTICLES),
    )


def start(index_dir: Path, *args: str | Path, stop_at: str = "") -> subprocess.Popen:
    """`arshif index` in a subprocess, in a session of its own (its workers included);
    with `stop_at`, it stops itself at that point (`indexer.storage.stops`)."""
    command = "from arshif.search.cli import main; main()"
    env = dict(os.environ)
    env.pop(stops.STOP_ENV, None)
    if stop_at:
        env[stops.STOP_ENV] = stop_at
    return subprocess.Popen(
        [sys.executable, "-c", command, "index", "--index", str(index_dir), *map(str, args)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run; then the rest of its session, which outlives it.

    The pool's forkserver and workers do not notice their parent's death at once and
    hold its stdout and stderr open, so they are killed before the pipes are drained.
    """
    proc.kill()
    proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)


def finish(proc: subprocess.Popen, timeout: float = 240) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def stopped(proc: subprocess.Popen) -> bool:
    """Whether the run stopped itself (SIGSTOP) at its stop point."""
    state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state == "T"


def wait_stopped(proc: subprocess.Popen, timeout: float = 240) -> None:
    """Wait until the run stops at its point; fail if it ends first (the point was never
    reached). The timeout only bounds a hung run: nothing here races the clock."""
    deadline = time.monotonic() + timeout
    while not stopped(proc):
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the run ended before its stop point: {err.decode()}")
        assert time.monotonic() < deadline, "the run neither stopped nor ended"
        time.sleep(0.005)


def stop_and_kill(index_dir: Path, *args: str | Path, at: str) -> None:
    proc = start(index_dir, *args, stop_at=at)
    try:
        wait_stopped(proc)
    finally:
        kill(proc)


def search_ids(index_dir: Path, query: str) -> set[str]:
    with Archive(index_dir) as archive:
        return {hit.id for hit in archive.search(query, limit=50).hits}


def assert_whole(index_dir: Path, articles: int, *samples: tuple[str, str]) -> None:
    """The index holds exactly `articles`, each once, and finds each sample by its word."""
    with Archive(index_dir) as archive:
        ids = [fields["id"] for fields in archive.searcher.all_stored_fields()]
    assert len(ids) == len(set(ids)) == articles
    for word, article_id in samples:
        assert search_ids(index_dir, word) == {article_id}, word


OLD_SAMPLES = [(own_word("كلمةقديم", n), f"old-{n}") for n in (0, 57, OLD_ARTICLES - 1)]
NEW_SAMPLES = [(own_word("كلمةجديد", n), f"new-{n}") for n in (0, 1234, NEW_ARTICLES - 1)]


# Points before the commit: the run is lost, the previous index stands.
BEFORE_COMMIT = ("article:1", f"article:{NEW_ARTICLES // 2}", f"article:{NEW_ARTICLES}", "commit")
# Points after it: the articles are in, what follows is redone by the next run.
AFTER_COMMIT = ("committed", "join", "groups")


def test_killed_runs_leave_the_previous_index_and_the_next_run_completes(
    tmp_path: Path, archives: tuple[Path, Path]
) -> None:
    old, new = archives
    index_dir = tmp_path / "index"
    finish(start(index_dir, old))
    assert_whole(index_dir, OLD_ARTICLES, *OLD_SAMPLES)

    for point in BEFORE_COMMIT:
        stop_and_kill(index_dir, old, new, at=point)
        assert_whole(index_dir, OLD_ARTICLES, *OLD_SAMPLES)

    summary = json.loads(finish(start(index_dir, "--json", old, new)))
    assert (summary["articles"], summary["problems"]) == (OLD_ARTICLES + NEW_ARTICLES, [])
    assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES, *OLD_SAMPLES, *NEW_SAMPLES)

    # A rebuild killed mid-way, or between its two renames, leaves the index it was
    # replacing untouched.
    for point in (f"article:{NEW_ARTICLES // 2}", "commit", "join", "swap"):
        stop_and_kill(index_dir, "--rebuild", old, new, at=point)
        assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES, *OLD_SAMPLES, *NEW_SAMPLES)
    summary = json.loads(finish(start(index_dir, "--json", old, new)))
    assert summary["articles_added"] == 0  # nothing left to do


@pytest.mark.parametrize("point", AFTER_COMMIT)
def test_a_run_killed_after_its_commit_keeps_its_articles_and_the_next_run_finishes(
    tmp_path: Path, archives: tuple[Path, Path], point: str
) -> None:
    old, new = archives
    index_dir = tmp_path / "index"
    finish(start(index_dir, old))
    stop_and_kill(index_dir, old, new, at=point)
    assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES, *OLD_SAMPLES, *NEW_SAMPLES)
    groups_before = (index_dir / GROUPS_FILE).read_text()
    summary = json.loads(finish(start(index_dir, "--json", old, new)))
    # Killed before `files.json` listed them, the new files are read again: their
    # articles replaced, not added twice.
    assert summary["articles_added"] == (NEW_ARTICLES if point == "committed" else 0)
    assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES, *OLD_SAMPLES, *NEW_SAMPLES)
    with Archive(index_dir) as archive:  # the copies of each story are those of now
        generation = archive.ix.latest_generation()
    assert read_docnums(index_dir, generation) is not None
    if point == "groups":
        assert (index_dir / GROUPS_FILE).read_text() != groups_before


def test_a_file_read_by_a_run_killed_before_files_json_keeps_only_what_it_holds_now(
    tmp_path: Path, archives: tuple[Path, Path]
) -> None:
    """The next run finds the articles a killed run committed by their file's path, though
    `files.json` does not list it: an article the file no longer holds goes."""
    old, new = archives
    index_dir = tmp_path / "index"
    finish(start(index_dir, old))
    stop_and_kill(index_dir, old, new, at="committed")
    report = check_index(index_dir)
    assert report.sound, report.problems
    assert any("left by a killed run" in note.problem for note in report.notes)
    first_file = new / "part000.jsonl"
    first_file.write_text("".join(first_file.read_text().splitlines(keepends=True)[1:]))
    finish(start(index_dir, old, new))
    assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES - 1, *OLD_SAMPLES, *NEW_SAMPLES[1:])
    assert search_ids(index_dir, NEW_SAMPLES[0][0]) == set()


def test_second_run_stops_and_searching_works_while_indexing(
    tmp_path: Path, archives: tuple[Path, Path]
) -> None:
    old, new = archives
    index_dir = tmp_path / "index"
    finish(start(index_dir, old))
    first = start(index_dir, new, stop_at=f"article:{NEW_ARTICLES // 2}")
    try:
        wait_stopped(first)  # well into its work, holding the run lock
        runner = CliRunner()
        second = runner.invoke(main, ["index", "--index", str(index_dir), str(new)])
        assert second.exit_code == 1
        assert second.output == (
            f"Error: another arshif index run is writing to {index_dir}. "
            "Wait for it to finish, then run this again.\n"
        )
        found = runner.invoke(
            main, ["search", "--index", str(index_dir), "--json", OLD_SAMPLES[1][0]]
        )
        assert found.exit_code == 0, found.output
        assert [hit["id"] for hit in json.loads(found.output)["hits"]] == [OLD_SAMPLES[1][1]]
    finally:
        kill(first)  # its completion is the other test's business
    assert_whole(index_dir, OLD_ARTICLES, *OLD_SAMPLES)


def random_moments(count: int, seed: int) -> list[tuple[bool, str, float]]:
    """`count` moments to kill a run at, drawn with a fixed seed: (rebuild?, stop point,
    fraction of the input for an `input` point, whose offset is known only once the
    archive is generated)."""
    rng = random.Random(seed)
    moments = []
    for _ in range(count):
        point = rng.choice([*stops.POINTS, stops.INPUT])
        rebuild = point == "swap" or rng.random() < 0.25
        if point == "article":
            point = f"article:{rng.randint(1, NEW_ARTICLES)}"
        moments.append((rebuild, point, rng.random()))
    return moments


@pytest.fixture(scope="module")
def old_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The old archive indexed, and the new one beside it (copied for each moment)."""
    folder = tmp_path_factory.mktemp("moments")
    old = generate(folder / "old", "old", "كلمةقديم", OLD_ARTICLES)
    new = generate(folder / "new", "new", "كلمةجديد", NEW_ARTICLES)
    finish(start(folder / "index", old))
    return folder / "index", old, new


@pytest.mark.parametrize(("rebuild", "point", "fraction"), random_moments(20, seed=14))
def test_killed_at_a_random_moment_the_index_is_sound_and_the_next_run_completes_it(
    old_index: tuple[Path, Path, Path], tmp_path: Path, rebuild: bool, point: str, fraction: float
) -> None:
    base, old, new = old_index
    index_dir = tmp_path / "index"
    shutil.copytree(base, index_dir)
    if point == stops.INPUT:
        total = sum(path.stat().st_size for path in (*old.iterdir(), *new.iterdir()))
        point = f"{stops.INPUT}:{max(1, int(fraction * total))}"
    stop_and_kill(index_dir, *(["--rebuild"] if rebuild else []), old, new, at=point)
    with Archive(index_dir) as archive:
        ids = [fields["id"] for fields in archive.searcher.all_stored_fields()]
    assert len(ids) == len(set(ids)) in (OLD_ARTICLES, OLD_ARTICLES + NEW_ARTICLES)
    for word, article_id in OLD_SAMPLES:
        assert search_ids(index_dir, word) == {article_id}, word
    report = check_index(index_dir)
    assert report.sound, report.problems
    finish(start(index_dir, old, new))
    assert_whole(index_dir, OLD_ARTICLES + NEW_ARTICLES, *OLD_SAMPLES, *NEW_SAMPLES)
    report = check_index(index_dir)
    assert (report.sound, report.notes) == (True, []), (report.problems, report.notes)
    assert [path.name for path in tmp_path.iterdir()] == ["index"]  # no .rebuild, .old
