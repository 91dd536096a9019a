"""The index writer: parallel segments equal serial ones, commits record files, counts hold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arshif.indexer import duplicates
from arshif.indexer.duplicates import GROUPS_FILE, read_docnums
from arshif.indexer.errors import (
    DamagedIndexError,
    IncompatibleIndexError,
    IndexBusyError,
    IndexIntegrityError,
)
from arshif.indexer.storage import store, writer
from arshif.indexer.storage.jsonfiles import read_framed
from arshif.indexer.storage.postings_groups import live_articles
from arshif.search.engine import Archive
from tests.conftest import DATA, all_groups

TOPICS = ["النفط", "الانتخابات", "المنتخب", "الأمطار", "الذكاء الاصطناعي", "المتحف"]


def write_archive(folder: Path, files: int = 12, per_file: int = 40) -> int:
    """JSON Lines files of generated Arabic articles; returns the article count."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        lines = []
        for n in range(per_file):
            topic = TOPICS[(f + n) % len(TOPICS)]
            lines.append(
                json.dumps(
                    {
                        "id": f"a{f}-{n}",
                        "title": f"خبر رقم {n} عن {topic}",
                        "body": f"قال مسؤولون إن {topic} في الملف {f} تشهد تطورات جديدة. " * 3,
                        "date": f"2018-{1 + n % 12:02d}-01",
                        "source": "وكالة" if n % 2 else "صحيفة",
                    },
                    ensure_ascii=False,
                )
            )
        (folder / f"part{f:02d}.jsonl").write_text("\n".join(lines), "utf-8")
    return files * per_file


def ranked_ids(index_dir: Path, query: str) -> list[tuple[str, float]]:
    with Archive(index_dir) as archive:
        return [(i, round(s, 4)) for i, s in archive.run_topics(query, 50)]


def test_parallel_segments_equal_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    total = write_archive(tmp_path / "news")
    monkeypatch.setattr(writer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(writer, "SEGMENT_ARTICLES", 50)
    serial = writer.update_index(tmp_path / "serial", [tmp_path / "news"], jobs=1)
    parallel = writer.update_index(tmp_path / "parallel", [tmp_path / "news"], jobs=2)
    assert serial.articles_total == parallel.articles_total == total
    for query in ("النفط", "الانتخابات المنتخب", "تطورات جديدة"):
        assert ranked_ids(tmp_path / "serial", query) == ranked_ids(tmp_path / "parallel", query)


def test_commits_during_a_run_record_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = write_archive(tmp_path / "news")
    monkeypatch.setattr(writer, "SEGMENT_ARTICLES", 30)
    summary = writer.update_index(tmp_path / "ix", [tmp_path / "news"], commit_every=100)
    assert summary.articles_total == total
    manifest = store.read_json(tmp_path / "ix" / store.MANIFEST_FILE, {})
    assert len(manifest) == 12
    assert sum(entry["articles"] for entry in manifest.values()) == total
    again = writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    assert (again.unchanged_files, again.articles_added) == (12, 0)


def test_changed_article_replaces_the_old_one_across_files(tmp_path: Path) -> None:
    write_archive(tmp_path / "news", files=2, per_file=3)
    writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    moved = {"id": "a0-1", "title": "خبر منقول", "body": "نقل هذا الخبر إلى ملف آخر."}
    (tmp_path / "news" / "extra.jsonl").write_text(json.dumps(moved, ensure_ascii=False), "utf-8")
    summary = writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    assert summary.articles_total == 6
    assert ranked_ids(tmp_path / "ix", "منقول")[0][0] == "a0-1"


def test_a_short_segment_is_refused(tmp_path: Path) -> None:
    queue = writer._SegmentQueue(tmp_path, jobs=1)

    class Short:
        def doc_count(self) -> int:
            return 2

    with pytest.raises(IndexIntegrityError, match="wrote 2 of 3 articles"):
        queue._accept((Short(), 2), sent=3)


def test_second_writer_is_told_to_wait(tmp_path: Path) -> None:
    write_archive(tmp_path / "news", files=1, per_file=2)
    writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    ix = store.open_index(tmp_path / "ix")
    holder = ix.writer()
    try:
        with pytest.raises(IndexBusyError, match="another arshif index run is writing"):
            writer.update_index(tmp_path / "ix", [tmp_path / "news"], rebuild=False)
    finally:
        holder.cancel()


def test_articles_keep_their_metadata(tmp_path: Path) -> None:
    write_archive(tmp_path / "news", files=1, per_file=2)
    writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    with Archive(tmp_path / "ix") as archive:
        hit = archive.search("خبر رقم 1", limit=1).hits[0]
    assert (hit.id, hit.source, str(hit.date)) == ("a0-1", "وكالة", "2018-02-01")


def test_tiny_segments_from_small_runs_are_merged(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for n in range(writer.MAX_TINY_SEGMENTS + 3):
        (news / f"{n}.txt").write_text(f"خبر رقم {n}\n\nنص الخبر رقم {n} عن النفط.", "utf-8")
        writer.update_index(tmp_path / "ix", [news])
    ix = store.open_index(tmp_path / "ix")
    assert ix.doc_count() == writer.MAX_TINY_SEGMENTS + 3
    assert len(ix._segments()) <= writer.MAX_TINY_SEGMENTS + 1
    assert len(ranked_ids(tmp_path / "ix", "النفط")) == writer.MAX_TINY_SEGMENTS + 3


def test_a_run_in_progress_holds_the_index_for_its_whole_run(tmp_path: Path) -> None:
    write_archive(tmp_path / "news", files=1, per_file=2)
    with (
        store.run_lock(tmp_path / "ix"),
        pytest.raises(IndexBusyError, match="another arshif index run is writing"),
    ):
        writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    assert writer.update_index(tmp_path / "ix", [tmp_path / "news"]).articles_total == 2


def test_a_rebuild_killed_between_its_renames_is_recovered(tmp_path: Path) -> None:
    write_archive(tmp_path / "news", files=1, per_file=3)
    writer.update_index(tmp_path / "ix", [tmp_path / "news"])
    (tmp_path / "ix").rename(store.swapped_out(tmp_path / "ix"))  # the state a kill leaves
    assert len(ranked_ids(tmp_path / "ix", "النفط")) > 0
    assert not store.swapped_out(tmp_path / "ix").exists()


def test_workers_exit_when_their_run_is_killed() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\n"
            "from arshif.indexer.storage.writer import _exit_with_parent\n"
            f"_exit_with_parent({gone.pid})\n"
            "time.sleep(30)",
        ],
        cwd=Path(__file__).resolve().parents[1],
    )
    assert worker.wait(timeout=15) == 1


def _written_by_an_older_version(index_dir: Path) -> None:
    meta_path = index_dir / store.META_FILE
    meta = store.read_json(meta_path, {})
    meta["schema_version"] -= 1
    meta_path.write_text(json.dumps(meta), "utf-8")  # plain JSON, as before version 10


def test_an_index_of_another_version_is_rebuilt_from_the_folders_it_held(
    tmp_path: Path,
) -> None:
    news = tmp_path / "news"
    shutil.copytree(DATA / "txt", news)
    first = writer.update_index(tmp_path / "ix", [news])
    _written_by_an_older_version(tmp_path / "ix")
    with pytest.raises(IncompatibleIndexError):
        store.open_index(tmp_path / "ix")
    again = writer.update_index(tmp_path / "ix", [news])
    assert again.upgraded and again.articles_total == first.articles_total
    with Archive(tmp_path / "ix") as archive:
        assert archive.search("الاسكواش").total >= 1
    assert not writer.update_index(tmp_path / "ix", [news]).upgraded  # now current


def test_an_index_of_another_version_with_other_folders_is_left_as_it_is(
    tmp_path: Path,
) -> None:
    """Rebuilding from the folders given would drop the other folders' articles: the
    user is told to rebuild instead, and the index is untouched."""
    news, other = tmp_path / "news", tmp_path / "other"
    shutil.copytree(DATA / "txt", news)
    shutil.copytree(DATA / "jsonl", other)
    writer.update_index(tmp_path / "ix", [news, other])
    _written_by_an_older_version(tmp_path / "ix")
    files = sorted(p.name for p in (tmp_path / "ix").iterdir())
    with pytest.raises(IncompatibleIndexError, match="--rebuild"):
        writer.update_index(tmp_path / "ix", [news])
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == files


def test_a_damaged_index_is_not_taken_for_an_older_one(tmp_path: Path) -> None:
    """Unreadable version records could hide files of other folders: no rebuild without
    the user asking."""
    news = tmp_path / "news"
    shutil.copytree(DATA / "txt", news)
    writer.update_index(tmp_path / "ix", [news])
    (tmp_path / "ix" / store.META_FILE).write_text("{not json", "utf-8")
    with pytest.raises(DamagedIndexError, match=r"arshif\.json is damaged"):
        writer.update_index(tmp_path / "ix", [news])


def test_a_run_that_changes_nothing_keeps_the_groups_it_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same articles in the same segments have the same copies: the groups are
    recorded for the run's generation, not computed again."""
    index_dir = tmp_path / "index"
    writer.update_index(index_dir, [DATA])
    before = json.loads(read_framed(index_dir / GROUPS_FILE))
    assert any(len(ids) > 1 for ids in before["groups"]), "the sample has copies"

    def grouped_again(*args: object) -> int:
        raise AssertionError("an unchanged run grouped the archive again")

    monkeypatch.setattr(writer, "write_groups", grouped_again)
    writer.update_index(index_dir, [DATA])
    after = json.loads(read_framed(index_dir / GROUPS_FILE))
    generation = store.latest_generation(index_dir)
    assert after["generation"] == generation != before["generation"]
    assert after["groups"] == before["groups"] and after["docnums"] == before["docnums"]
    assert read_docnums(index_dir, generation) == before["docnums"]


OWN_STORY = (
    "فاز المنتخب الوطني بكأس البطولة بعد مباراة مثيرة أمام جمهور كبير في الملعب الأولمبي، "
    "وسجل المهاجم هدفين في الشوط الثاني قبل أن يقلص الضيوف الفارق في الدقائق الأخيرة."
)


def test_a_run_that_only_adds_articles_groups_only_those_and_finds_what_grouping_all_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's copies of a recorded story, one undated, and a story of its own, added:
    only they are offered to the groups recorded, which come out as grouping every
    article would make them."""
    index_dir, day = tmp_path / "index", tmp_path / "day"
    writer.update_index(index_dir, [DATA])
    wire = json.loads((DATA / "jsonl" / "wire.jsonl").read_text("utf-8").splitlines()[0])
    copies = [
        {**wire, "id": "copy-1", "date": "2019-05-02"},
        {**wire, "id": "copy-2", "date": "", "url": ""},
        {**wire, "id": "own-story", "date": "2019-05-02", "body": OWN_STORY, "url": ""},
    ]
    day.mkdir()
    (day / "day.jsonl").write_text("".join(json.dumps(c) + "\n" for c in copies), "utf-8")
    regrouped = spy_on_regrouping(monkeypatch)
    writer.update_index(index_dir, [DATA, day])
    assert regrouped and regrouped[0] is not None
    everything = assert_groups_are_all_groups(index_dir)
    assert ["ana-2019-04-0602", "manar-2019-04-3150", "copy-1", "copy-2"] in everything
    assert not any("own-story" in ids for ids in everything)


def test_a_run_that_merges_tiny_segments_away_groups_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny segments merged away renumber the articles after them: the groups recorded
    no longer hold by number, and the run groups every article."""
    monkeypatch.setattr(writer, "TINY_SEGMENT", 2)  # one article is tiny
    folder, index_dir = tmp_path / "articles", tmp_path / "index"
    shutil.copytree(DATA / "jsonl", folder)
    writer.update_index(index_dir, [folder])
    sources = sorted((DATA / "txt").glob("*.txt"))[: writer.MAX_TINY_SEGMENTS + 2]
    for n, source in enumerate(sources):
        shutil.copy(source, folder / f"{n:02d}-{source.name}")
        segments = len(store.open_index(index_dir)._segments())
        regrouped = spy_on_regrouping(monkeypatch)
        writer.update_index(index_dir, [folder])
        merged = len(store.open_index(index_dir)._segments()) <= segments
        assert (not regrouped) == merged  # only added: only the new article offered
    assert merged, "the last run merged the tiny segments"
    assert assert_groups_are_all_groups(index_dir)


def spy_on_regrouping(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What each call of `duplicates._regroup` returns, from now on."""
    regrouped, regroup = [], duplicates._regroup

    def spy(*args: object) -> object:
        regrouped.append(found := regroup(*args))  # type: ignore[arg-type]
        return found

    monkeypatch.setattr(duplicates, "_regroup", spy)
    return regrouped


def assert_groups_are_all_groups(index_dir: Path) -> list[list[str]]:
    """The groups recorded are those of grouping every live article, and their document
    numbers this generation's; returns them."""
    recorded = json.loads(read_framed(index_dir / GROUPS_FILE))
    segments = store.open_index(index_dir)._segments()
    everything = all_groups(live_articles(index_dir, segments))
    assert recorded["groups"] == everything
    with Archive(index_dir) as archive:
        ids = [[archive.searcher.stored_fields(n)["id"] for n in d] for d in recorded["docnums"]]
    assert ids == everything
    return everything
