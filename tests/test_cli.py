"""End to end through the `arshif` command: index → search → re-index → errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from arshif.indexer.storage.jsonfiles import read_json
from arshif.search.cli import main
from tests.conftest import SEED, run

OTHER_ARTICLES = {
    "economy.txt": "ارتفاع أسعار النفط في الأسواق العالمية\n\n"
    "ارتفعت أسعار النفط اليوم بنسبة ٣٫٥ بالمئة بعد قرار أوبك خفض الإنتاج، "
    "وقال محللون في واشنطن إن السوق ستبقى متقلبة.",
    "sport.txt": "المنتخب يفوز في المباراة النهائية\n\n"
    "فاز المنتخب الوطني بكأس البطولة بعد مباراة مثيرة أمام جمهور كبير.",
    "iraq.txt": "الجيش العراقي يلاحق فلول التنظيم\n\n"
    "أعلن الجيش العراقي أنه نفذ عمليات جديدة ضد مقاتلي داعش في الصحراء الغربية.",
}


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    for name, text in OTHER_ARTICLES.items():
        (folder / name).write_text(text, "utf-8")
    return folder


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ARSHIF_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def search_json(runner: CliRunner, query: str) -> dict:
    return json.loads(run(runner, "search", "--json", query))


def test_index_then_search_ranks_the_seed_first(runner: CliRunner, archive: Path) -> None:
    out = run(runner, "index", str(archive))
    assert out.startswith("Indexed 4 articles from 4 files (4 new, 0 changed, 0 unchanged")
    result = search_json(runner, "داعش واشنطن")
    assert result["hits"][0]["id"] == f"news/{SEED.name}"
    assert result["hits"][0]["title"].startswith("واشنطن تايمز")
    assert result["total"] == 3  # every word counts: articles with one of the two words rank too


@pytest.mark.parametrize(
    ("query", "surface"),
    [
        ("لداعش", "داعش"),
        ("الخلايا النائمة", "النائمة"),
        ("التَّحالُف الدَّوْلِيّ", "التحالف"),
        ("مسئولين امريكيين", "المسؤولين"),
        ("وللتحالف", "التحالف"),
        ("قواعد جديده", "جديدة"),
    ],
)
def test_seed_found_by_other_forms_with_surface_highlighted(
    runner: CliRunner, archive: Path, query: str, surface: str
) -> None:
    run(runner, "index", str(archive))
    hit = search_json(runner, query)["hits"][0]
    assert hit["id"] == f"news/{SEED.name}"
    marked = {hit["snippet"][s:e] for s, e in hit["highlights"]}
    assert surface in marked


def test_human_output_marks_matches_when_piped(runner: CliRunner, archive: Path) -> None:
    run(runner, "index", str(archive))
    out = run(runner, "search", "وللتحالف")
    assert out.splitlines()[0] == "1 articles match; showing 1–1."
    assert " 1. " in out
    assert "[التحالف]" in out
    assert "\x1b[" not in out


def test_scraped_chrome_is_not_article_text(runner: CliRunner, archive: Path) -> None:
    run(runner, "index", str(archive))
    assert search_json(runner, "اظهر المزيد")["total"] == 0


def test_reindex_is_incremental(runner: CliRunner, archive: Path) -> None:
    run(runner, "index", str(archive))
    out = run(runner, "index", str(archive))
    assert out.startswith(
        "Indexed 0 articles from 0 files (0 new, 0 changed, 4 unchanged, 0 deleted"
    )

    (archive / "sport.txt").write_text("المنتخب يخسر\n\nخسر المنتخب أمام ضيفه.", "utf-8")
    (archive / "iraq.txt").unlink()
    out = run(runner, "index", str(archive))
    assert out.startswith(
        "Indexed 1 articles from 1 files (0 new, 1 changed, 2 unchanged, 1 deleted; "
        "2 articles removed; 0 problems)"
    )
    assert "3 articles in" in out
    assert search_json(runner, "يفوز")["total"] == 0
    assert search_json(runner, "يخسر")["total"] == 1
    assert search_json(runner, "الصحراء")["total"] == 0


def test_bad_file_is_named_and_the_run_goes_on(runner: CliRunner, archive: Path) -> None:
    (archive / "broken.jsonl").write_text('{"title": "خبر", "body": "نص"}\n{"title": \n', "utf-8")
    result = runner.invoke(main, ["index", str(archive)])
    assert result.exit_code == 0
    assert f"warning: {archive / 'broken.jsonl'}:2: invalid JSON" in result.output
    assert "Indexed 5 articles" in result.output
    strict = runner.invoke(main, ["index", "--rebuild", "--strict", str(archive)])
    assert strict.exit_code == 1
    assert "Error: 1 files or records could not be read (--strict)." in strict.output


def test_search_without_an_index_says_what_to_run(runner: CliRunner, tmp_path: Path) -> None:
    out = run(runner, "search", "داعش", code=1)
    assert out == (f'Error: no index at {tmp_path / "index"}. Run "arshif index FOLDER" first.\n')


def test_missing_path_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["index", str(tmp_path / "nowhere")])
    assert result.exit_code == 0
    assert f"warning: {tmp_path / 'nowhere'}: no such file or folder" in result.output


def test_empty_query_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["search", "  "])
    assert result.exit_code == 2
    assert "give a QUERY to search for." in result.output


def test_stopword_only_query_finds_nothing(runner: CliRunner, archive: Path) -> None:
    run(runner, "index", str(archive))
    assert search_json(runner, "في من على")["total"] == 0


def test_analyze_shows_each_word(runner: CliRunner) -> None:
    out = run(runner, "analyze", "وللتحالف في لداعش")
    assert out.splitlines() == [
        "وللتحالف  →  تحالف",
        "في        →  (stopword)",
        "لداعش     →  لداعش | داعش",
    ]


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    for name, command in main.commands.items():
        out = run(runner, name, "--help")
        assert "Example:" in out, name
        assert command.help


def test_an_index_of_an_older_version_is_rebuilt_with_a_note(
    runner: CliRunner, archive: Path, tmp_path: Path
) -> None:
    index = tmp_path / "ix"
    run(runner, "index", "--index", str(index), str(archive))
    meta = read_json(index / "arshif.json", {})
    # plain JSON, as versions before 10 wrote it
    (index / "arshif.json").write_text(json.dumps({**meta, "schema_version": 0}), "utf-8")
    result = runner.invoke(main, ["index", "--index", str(index), str(archive)])
    assert result.exit_code == 0, result.output
    assert "written by another version of arshif" in result.stderr
    assert "Indexed 4 articles" in result.stdout
    found = run(runner, "search", "--index", str(index), "--json", "داعش واشنطن")
    assert json.loads(found)["hits"][0]["id"] == f"news/{SEED.name}"
