"""A damaged index answers exactly as before or says what is damaged; never a traceback.

An index of the sample archive (`data/`), and one of 600 news_ant articles when
../shared is there, each in three runs (groups small enough that the first two segments'
postings are joined into a group file and the third's stay in its own, as a large
archive's latest run does), is copied for each case; every kind of file in it is
truncated to half, to nothing, has a run of bytes flipped, is deleted or replaced by a
folder. Then each of `search`, `show`, `similar`, `stats` and `index` gives the
undamaged index's exact output, or exits 1 with an `Error:` line naming the file;
`check` exits 1 naming it.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import shutil
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from arshif.indexer.storage import postings_groups, store
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.postings_groups import recorded_files
from arshif.search.cli import main
from tests.conftest import DATA, SEED, corpus_path

KINDS = (
    "toc", "trm", "pst", "col", "segment-arr", "group-arr",
    *store.JSON_FILES,
)  # fmt: skip
DAMAGES = ("half", "zero", "flipped", "deleted", "folder")


def invoke(index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--index", str(index_dir)])


@dataclass(frozen=True)
class Pristine:
    """An undamaged index, what each command answers from it, and what they ask."""

    index_dir: Path
    answers: dict[str, str]
    folder: Path  # indexed again by the `index` command
    article_id: str  # shown and asked for similar articles
    query: str


def read_commands(index_dir: Path, article_id: str, query: str) -> dict[str, Result]:
    return {
        "search": invoke(index_dir, "search", "--json", query),
        "show": invoke(index_dir, "show", "--json", article_id),
        "similar": invoke(index_dir, "similar", "--json", article_id),
        "stats": invoke(index_dir, "stats", "--json"),
    }


def answers_of(pristine: Pristine, index_dir: Path) -> dict[str, Result]:
    return read_commands(index_dir, pristine.article_id, pristine.query)


def stable(command: str, output: str) -> str:
    """The output, less what differs between two runs of an undamaged index (the run's
    time, the folder's size and path)."""
    if command in ("stats", "index"):
        value = json.loads(output)
        for key in ("seconds", "bytes", "index"):
            value.pop(key, None)
        return json.dumps(value, sort_keys=True)
    return output


def build(
    root: Path, runs: list[list[Path]], group_articles: int, article_id: str, query: str
) -> Pristine:
    """An index of `runs` (three runs: groups of `group_articles` join the first two
    runs' segments, and leave the third's alone) and its answers."""
    index_dir = root / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postings_groups, "GROUP_ARTICLES", group_articles)
        for run in runs:
            result = CliRunner().invoke(
                main, ["index", "--index", str(index_dir), *(str(path) for path in run)]
            )
            assert result.exit_code == 0, result.output
    assert len(recorded_files(index_dir)) == 1  # the first two segments' postings, joined
    assert file_of_kind(index_dir, "segment-arr").exists()  # the third's, alone
    folder = Path(os.path.commonpath([path for run in runs for path in run]))
    results = read_commands(index_dir, article_id, query)
    assert all(r.exit_code == 0 for r in results.values()), results
    assert json.loads(results["search"].output)["total"] > 0
    answers = {name: stable(name, r.output) for name, r in results.items()}
    copy = index_dir.with_name("copy")
    shutil.copytree(index_dir, copy)
    answers["index"] = stable("index", invoke(copy, "index", "--json", str(folder)).output)
    return Pristine(index_dir, answers, folder, article_id, query)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """The sample archive in runs of 10, 14 and 10 articles."""
    runs = [["txt"], ["jsonl", "json"], ["seed", "trec", "html", "legacy"]]
    return build(
        tmp_path_factory.mktemp("damage"),
        [[DATA / name for name in run] for run in runs],
        24,
        f"seed/{SEED.name}",
        "داعش واشنطن",
    )


@pytest.fixture(scope="module")
def news_slice(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    """600 news_ant articles in three runs of 200, as JSON Lines files of 50."""
    corpus = corpus_path("news_ant", "corpus.jsonl.gz")
    root = tmp_path_factory.mktemp("damage-news")
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in islice(lines, 0, 6000, 10)]
    runs = []
    for run in range(3):
        folder = root / "news" / f"run{run}"
        folder.mkdir(parents=True)
        for part in range(4):
            at = run * 200 + part * 50
            text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows[at : at + 50])
            (folder / f"part{part}.jsonl").write_text(text, "utf-8")
        runs.append([folder])
    return build(root, runs, 400, rows[0]["id"], "سوريا الحكومة")


@pytest.fixture(params=["pristine", pytest.param("news_slice", marks=pytest.mark.corpus)])
def archive(request: pytest.FixtureRequest) -> Pristine:
    """Each archive the fault matrix damages: the sample's and a slice of news_ant."""
    return request.getfixturevalue(request.param)


def file_of_kind(index_dir: Path, kind: str) -> Path:
    if kind in store.JSON_FILES:
        return index_dir / kind
    if kind == "group-arr":
        return index_dir / recorded_files(index_dir)[0]
    suffix = {"toc": ".toc", "trm": ".trm", "pst": ".pst", "col": ".col"}.get(kind, ".arr")
    return sorted(p for p in index_dir.glob("*" + suffix) if not p.name.startswith("postings-"))[0]


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "zero":
        path.write_bytes(b"")
    elif how == "flipped":
        middle = len(data) // 2
        run = bytes(b ^ 0xFF for b in data[middle : middle + 64])
        path.write_bytes(data[:middle] + run + data[middle + 64 :])
    elif how == "deleted":
        path.unlink()
    else:
        path.unlink()
        path.mkdir()
        (path / "something").write_text("x")


def assert_exact_or_named(command: str, result: Result, answer: str, name: str) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        command,
        result.exception,
    )
    if result.exit_code == 0:
        assert stable(command, result.output) == answer, command
        return
    assert result.exit_code == 1, (command, result.output)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors and name in errors[0], (command, result.output)


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("kind", KINDS)
def test_damage_is_named_or_harmless(
    archive: Pristine, tmp_path: Path, kind: str, how: str
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(archive.index_dir, index_dir)
    path = file_of_kind(index_dir, kind)
    damage(path, how)
    for command, result in answers_of(archive, index_dir).items():
        assert_exact_or_named(command, result, archive.answers[command], path.name)
    checked = invoke(index_dir, "check")
    assert checked.exit_code == 1, checked.output
    assert path.name in checked.output and "Traceback" not in checked.output
    indexed = invoke(index_dir, "index", "--json", str(archive.folder))
    assert_exact_or_named("index", indexed, archive.answers["index"], path.name)


@pytest.mark.parametrize("kind", ["trm", "pst", "col"])
@pytest.mark.filterwarnings(  # Whoosh leaves the files of a reader it failed to open
    "ignore::pytest.PytestUnraisableExceptionWarning"
)
def test_damage_past_the_checks_on_opening_sends_to_the_full_check(
    pristine: Pristine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """Whoosh's files larger than opening verifies (simulated: opening verifies no
    checksum), every byte but the first and last flipped: the exact answer, or an error
    naming the full check; never a traceback."""
    index_dir = tmp_path / "index"
    shutil.copytree(pristine.index_dir, index_dir)
    path = file_of_kind(index_dir, kind)
    data = path.read_bytes()
    path.write_bytes(data[:16] + bytes(b ^ 0x5A for b in data[16:-16]) + data[-16:])
    monkeypatch.setattr(store, "OPEN_CHECK_BYTES", 0)
    assert_exact_or_sent_to_the_check(pristine, index_dir)
    gc.collect()  # the files Whoosh left open are closed here, where it is expected
    checked = invoke(index_dir, "check")
    assert checked.exit_code == 1 and path.name in checked.output, checked.output


def assert_exact_or_sent_to_the_check(pristine: Pristine, index_dir: Path) -> None:
    for command, result in answers_of(pristine, index_dir).items():
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 0:
            assert stable(command, result.output) == pristine.answers[command], command
            continue
        error = result.output.splitlines()[0]
        assert error.startswith("Error:") and f"arshif check --index {index_dir}" in error, error


@pytest.mark.parametrize("name", [store.RUN_LOCK_FILE, store.WHOOSH_LOCK_FILE])
def test_a_folder_in_place_of_a_lock_file_is_named(
    pristine: Pristine, tmp_path: Path, name: str
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine.index_dir, index_dir)
    damage(index_dir / name, "folder")
    for command, result in answers_of(pristine, index_dir).items():
        assert_exact_or_named(command, result, pristine.answers[command], name)
    indexed = invoke(index_dir, "index", "--json", str(DATA))
    assert_exact_or_named("index", indexed, pristine.answers["index"], name)
    assert indexed.exit_code == 1
    checked = invoke(index_dir, "check")
    assert checked.exit_code == 1 and name in checked.output, checked.output


def hit_ids(index_dir: Path) -> list[str]:
    found = json.loads(invoke(index_dir, "search", "--json", "-n", "50", "سوريا").output)
    return [hit["id"] for hit in found["hits"]]


def test_repair_rebuilds_from_the_archive_and_names_what_is_lost(tmp_path: Path) -> None:
    archive = tmp_path / "news"
    shutil.copytree(DATA / "txt", archive / "txt")
    shutil.copytree(DATA / "seed", archive / "seed")
    index_dir = tmp_path / "index"
    assert invoke(index_dir, "index", str(archive)).exit_code == 0
    before = hit_ids(index_dir)
    assert len(before) > 1
    [trm] = index_dir.glob("*.trm")
    damage(trm, "flipped")
    gone = sorted((archive / "txt").iterdir())[0]
    gone.unlink()
    repaired = invoke(index_dir, "check", "--repair", "--json")
    assert repaired.exit_code == 0, repaired.output
    report = json.loads(repaired.output)
    assert report["sound"] and report["problems"] == []
    assert [f["path"] for f in report["repair"]["lost_files"]] == [str(gone)]
    assert report["repair"]["lost_files"][0]["articles"] == 1
    assert report["articles"] == report["repair"]["articles"]
    assert hit_ids(index_dir) == [i for i in before if not i.endswith(gone.name)]
    assert invoke(index_dir, "check").exit_code == 0


def test_check_of_a_sound_index_passes_and_lists_nothing(
    pristine: Pristine,
) -> None:
    source = pristine.index_dir
    result = invoke(source, "check", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["sound"], report["problems"], report["notes"]) == (True, [], [])
    assert report["articles"] == json.loads(invoke(source, "stats", "--json").output)["articles"]


@pytest.mark.parametrize("kind", ["trm", "files.json", "segment-arr"])
def test_a_file_the_user_may_not_read_is_named_with_the_remedy(
    pristine: Pristine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """Permissions changed under the index (simulated: the tests may run as root, whom
    permissions do not stop)."""
    index_dir = tmp_path / "index"
    shutil.copytree(pristine.index_dir, index_dir)
    path = file_of_kind(index_dir, kind)
    real_access, real_read = os.access, Path.read_bytes

    def access(target: object, mode: int, **kwargs: object) -> bool:
        return Path(str(target)) != path and real_access(target, mode, **kwargs)

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    for command, result in answers_of(pristine, index_dir).items():
        assert result.exit_code == 1, (command, result.output)
        assert result.output == (
            f"Error: cannot read {path}: permission denied. Give your user access to the "
            f'index with "chmod -R u+rwX {index_dir}" (or run arshif as its owner).\n'
        ), command


def test_check_compares_the_parts_even_when_every_checksum_holds(
    pristine: Pristine, tmp_path: Path
) -> None:
    """Files rewritten whole (valid checksums) but disagreeing with the articles: what a
    restored backup of one file does."""
    index_dir = tmp_path / "index"
    shutil.copytree(pristine.index_dir, index_dir)
    manifest = read_json(index_dir / store.MANIFEST_FILE, {})
    dropped = sorted(manifest)[0]
    del manifest[dropped]
    write_json(index_dir / store.MANIFEST_FILE, manifest)
    groups = read_json(index_dir / "groups.json", {})
    groups["groups"][0][1] = "no-such-article"
    write_json(index_dir / "groups.json", groups)
    result = invoke(index_dir, "check", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    listing = f"does not list {dropped}, which holds 1 of its articles"
    assert {"file": "files.json", "problem": listing} in problems
    assert {
        "file": "groups.json",
        "problem": 'names articles the index lacks: "no-such-article"',
    } in problems
