"""Never lose data: hostile archives, broken or unsafe indexes, and streaming readers.

Every hostile input is built here, in `tmp_path`; the real ANT files are used when
`../shared/corpora/news_ant/raw_sample` is present and skipped cleanly when not.
"""

from __future__ import annotations

import codecs
import grp
import gzip
import json
import os
import pickle
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from arshif.indexer.article import Article, ReadProblem
from arshif.indexer.readers import read_file
from arshif.indexer.readers.clean import clean_text
from arshif.indexer.readers.encoding import NotTextError, decode
from arshif.indexer.readers.jsonl import read_jsonl
from arshif.indexer.readers.record import Origin
from arshif.indexer.readers.trec import read_trec
from arshif.indexer.storage import filetable, store
from arshif.indexer.storage.filetable import CHECKSUMS_FILE
from arshif.indexer.storage.jsonfiles import read_json, write_json
from arshif.indexer.storage.writer import update_index
from arshif.search.cli import main
from arshif.search.engine import Archive

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RAW_SAMPLE = SHARED / "corpora" / "news_ant" / "raw_sample"

PARAGRAPH = "وقال الوزير إن الحكومة ستواصل دعم المشروعات الصغيرة والمتوسطة في كل المحافظات."


def article_text(word: str) -> str:
    """A headline and body, each carrying `word`, so a search can find the article."""
    return f"خبر عن {word} في الأسواق\n\n{PARAGRAPH} وارتفع سعر {word} اليوم.\n{PARAGRAPH}\n"


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def cli(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def ids_found(index_dir: Path, query: str) -> set[str]:
    result = cli("search", "--index", str(index_dir), "--json", "-n", "100", "--", query)
    assert result.exit_code == 0, result.output
    return {hit["id"] for hit in json.loads(result.stdout)["hits"]}


def doc_count(index_dir: Path) -> int:
    with Archive(index_dir) as archive:
        return archive.ix.doc_count()


# --- (e) a hostile archive through the CLI ---------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """An archive with every kind of trouble, and 9 articles that must all be found."""
    root = tmp_path / "hostile"
    write(root / "cp1256.txt", article_text("الزيتون"), "cp1256")
    write(
        root / "utf16-bom.txt", codecs.BOM_UTF16_LE + article_text("البرتقال").encode("utf-16-le")
    )
    write(root / "utf16-nobom.txt", article_text("الرمان").encode("utf-16-be"))
    write(root / "mojibake.txt", article_text("الليمون").encode("cp1256").decode("latin-1"))
    good = [  # different stories: copies of one story would be shown as one hit
        {"id": "j0", "title": "خبر أول", "body": article_text("القمح")},
        {"id": "j1", "title": "خبر ثان", "body": "ارتفع سعر القمح في بورصة شيكاغو بعد جفاف طويل."},
    ]
    lines = jsonl(*good).splitlines()
    write(root / "truncated.jsonl", "\n".join([lines[0], lines[1][:25], lines[1]]) + "\n")
    # UTF-8 at the head, one cp1256 line further down (archives glued from several tools).
    mixed = jsonl({"id": "m1", "body": article_text("الشعير")}).encode()
    mixed += b"\n" * 3 + jsonl({"id": "m2", "body": article_text("الذرة")}).encode("cp1256")
    write(root / "mixed.jsonl", mixed)
    gz = gzip.compress(
        jsonl(*({"id": f"g{n}", "body": PARAGRAPH * 20} for n in range(300))).encode()
    )
    write(root / "cut.jsonl.gz", gz[: len(gz) // 2])
    write(root / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01" * 50)
    write(root / "blob.jsonl", bytes(range(256)) * 40)
    write(root / "empty.txt", b"")
    write(root / "blank.jsonl", b"\n \n\t\n")
    write(root / "huge.jsonl", jsonl({"id": "huge", "body": ("كلمة " * 200_000) + "الكركديه"}))
    write(root / "deep" / "/".join(["د"] * 120) / "نبأ.txt", article_text("الزعتر"))
    (root / "loop").symlink_to(root)
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    return root


HOSTILE_FINDS = {
    "الزيتون": "hostile/cp1256.txt",
    "البرتقال": "hostile/utf16-bom.txt",
    "الرمان": "hostile/utf16-nobom.txt",
    "الليمون": "hostile/mojibake.txt",
    "الشعير": "m1",
    "الذرة": "m2",
    "الكركديه": "huge",
    "الزعتر": "hostile/deep/" + "/".join(["د"] * 120) + "/نبأ.txt",
}


def test_hostile_archive_indexes_what_it_can_and_names_the_rest(
    tmp_path: Path, hostile: Path
) -> None:
    index_dir = tmp_path / "index"
    result = cli("index", "--index", str(index_dir), "--json", str(hostile))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    problems = "\n".join(summary["problems"])
    for expected in [
        f"{hostile / 'truncated.jsonl'}:2: invalid JSON",
        f"{hostile / 'cut.jsonl.gz'}:",  # cut mid-stream: named with the line it stopped at
        "cannot decompress gzip file",
        f"{hostile / 'image.txt'}: binary file, not text",
        f"{hostile / 'blob.jsonl'}: binary file, not text",
        f"{hostile / 'blank.jsonl'}: empty file",
        f"{hostile / 'loop'}: folder already read (symbolic link loop?), skipped",
        f"{hostile / 'dangling.txt'}: broken symbolic link",
    ]:
        assert expected in problems, (expected, problems)
    assert len(summary["problems"]) == 7
    # A file of no bytes at all is no problem but is named among the files skipped.
    assert summary["skipped"] == [{"path": str(hostile / "empty.txt"), "reason": "empty",
                                   "record": None}]  # fmt: skip
    for problem in summary["problems"]:  # also printed as warnings, on stderr
        assert f"warning: {problem}" in result.stderr
    index_dir_s = str(index_dir)
    for word, article_id in HOSTILE_FINDS.items():
        assert article_id in ids_found(Path(index_dir_s), word), word
    assert ids_found(index_dir, "القمح") == {"j0", "j1"}
    # The half of the gzip file before the cut is indexed, article by article.
    gzip_articles = summary["articles"] - 2 - len(HOSTILE_FINDS)
    assert 50 < gzip_articles < 300


def test_strict_turns_any_problem_into_exit_1(tmp_path: Path, hostile: Path) -> None:
    result = cli("index", "--index", str(tmp_path / "index"), "--strict", str(hostile))
    assert result.exit_code == 1
    assert "Error: 7 files or records could not be read (--strict)." in result.output
    clean = write(tmp_path / "clean" / "a.txt", article_text("الزيتون"))
    result = cli("index", "--index", str(tmp_path / "index2"), "--strict", str(clean.parent))
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "news" / "closed.txt", article_text("الزيتون"))
    path.chmod(0)
    result = cli("index", "--index", str(tmp_path / "index"), str(path.parent))
    assert f"warning: {path}: cannot read file: Permission denied" in result.output


# --- streaming readers -------------------------------------------------------------------------


def test_jsonl_gz_is_read_in_bounded_memory(tmp_path: Path) -> None:
    records = ({"id": f"a{n}", "title": "عنوان", "body": PARAGRAPH * 12} for n in range(4000))
    path = write(tmp_path / "big.jsonl.gz", gzip.compress(jsonl(*records).encode(), 1))
    tracemalloc.start()
    try:
        count = sum(isinstance(item, Article) for item in read_file(path, "big"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 4000
    # The file holds 8 MB of text (more as str); a line is 2 KB.
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_trec_file_of_many_records_streams_record_by_record(tmp_path: Path) -> None:
    doc = "<DOC>\n<DOCNO>D{n}</DOCNO>\n<TITLE>عنوان {n}</TITLE>\n<TEXT>\n" + PARAGRAPH * 12
    text = "\n".join(doc.format(n=n) + "\n</TEXT>\n</DOC>" for n in range(3000))
    path = write(tmp_path / "many.sgml", text)
    tracemalloc.start()
    try:
        ids = [item.id for item in read_file(path, "many") if isinstance(item, Article)]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ids == [f"D{n}" for n in range(3000)]
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"  # of 6 MB of text


def test_trec_records_on_one_line_and_without_closing_tags(tmp_path: Path) -> None:
    text = (
        "junk before<DOC><DOCNO>A</DOCNO><TEXT>أول</TEXT></DOC><doc><DOCNO>B</DOCNO>"
        "<TEXT>ثان\n<DOC>\n<DOCNO>C</DOCNO>\n<TEXT>ثالث"
    )
    items = read_file(write(tmp_path / "a.trec", text), "a")
    assert [(a.id, a.body) for a in items] == [("A", "أول"), ("B", "ثان"), ("C", "ثالث")]


def test_trec_in_cp1256_after_an_ascii_head(tmp_path: Path) -> None:
    head = "<DOC>\n<DOCNO>E1</DOCNO>\n<TEXT>english only " + "x " * 40_000 + "</TEXT></DOC>\n"
    data = head.encode() + "<DOC><DOCNO>E2</DOCNO><TEXT>الحكومة</TEXT></DOC>".encode("cp1256")
    first, second = read_file(write(tmp_path / "a.sgml", data), "a")
    assert (first.id, first.encoding) == ("E1", "utf-8")
    assert (second.id, second.body, second.encoding) == ("E2", "الحكومة", "cp1256")


def test_utf16_jsonl_streams_with_line_numbers(tmp_path: Path) -> None:
    text = jsonl({"title": "أول"}) + "{broken\n" + jsonl({"title": "ثالث"})
    items = list(
        read_file(write(tmp_path / "a.jsonl", codecs.BOM_UTF16_BE + text.encode("utf-16-be")), "a")
    )
    assert [getattr(i, "id", None) for i in items] == ["a:1", None, "a:3"]
    assert (items[1].line, items[0].encoding) == (2, "utf-16-be")


def test_line_ends_and_control_characters_as_in_a_whole_file(tmp_path: Path) -> None:
    text = '{"title": "أول\x02"}\r\n{"title": "ثان"}\r{"title": "ثالث"}\n\n{"title": "خامس"}'
    items = list(read_file(write(tmp_path / "a.jsonl", text), "a"))
    assert [(i.id, i.title) for i in items] == [
        ("a:1", "أول"), ("a:2", "ثان"), ("a:3", "ثالث"), ("a:5", "خامس"),
    ]  # fmt: skip


def test_an_overlong_line_is_skipped_and_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("arshif.indexer.readers.stream.MAX_LINE_BYTES", 1000)
    text = jsonl({"title": "أول"}, {"body": "ب" * 2000}, {"title": "ثالث"})
    items = list(read_file(write(tmp_path / "a.jsonl", text), "a"))
    assert [str(i) if isinstance(i, ReadProblem) else i.id for i in items] == [
        "a:1", f"{tmp_path / 'a.jsonl'}:2: line longer than 0 MB, skipped", "a:3",
    ]  # fmt: skip


# --- (f) the real ANT sample -------------------------------------------------------------------


@pytest.mark.corpus
def test_raw_sample_indexes_every_article_through_the_cli(tmp_path: Path) -> None:
    if not RAW_SAMPLE.is_dir():
        pytest.skip(f"{RAW_SAMPLE} is absent")
    result = cli("index", "--index", str(tmp_path / "index"), "--json", "--strict", str(RAW_SAMPLE))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["articles"], summary["problems"], summary["new_files"]) == (200, [], 200)
    assert "JA-politic-92-20170201" in ids_found(tmp_path / "index", "id:JA-politic-92-20170201")


# --- (c) incompatible or damaged indexes ------------------------------------------------------


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    for n, word in enumerate(["الزيتون", "القمح", "الشعير"]):
        write(folder / f"{n}.txt", article_text(word))
    index_dir = tmp_path / "index"
    update_index(index_dir, [folder])
    return index_dir


def rebuild_message(index_dir: Path, reason: str) -> str:
    return (
        f"Error: the index at {index_dir} cannot be used ({reason}). "
        'Rebuild it with "arshif index --rebuild FOLDER".'
    )


def assert_refused(index_dir: Path, message: str) -> None:
    for args in (["search", "الزيتون"], ["index", str(index_dir.parent / "news")]):
        result = cli(*args, "--index", str(index_dir))
        assert result.exit_code == 1, result.output
        assert result.output.startswith(message), result.output


def damaged_message(path: Path, what: str) -> str:
    return (
        f"Error: the index file {path} {what}. Run "
        f'"arshif check --repair --index {path.parent}" to rebuild the index from the '
        "archive's files."
    )


def test_index_of_an_older_version_is_refused_then_rebuilt(small_index: Path) -> None:
    """Searching it is refused; indexing rebuilds it only from paths holding all its files
    (from any other folder the rebuild would drop articles: refused too)."""
    meta = read_json(small_index / "arshif.json", {})
    meta["schema_version"] -= 1
    (small_index / "arshif.json").write_text(json.dumps(meta))  # unframed, as before 10
    message = rebuild_message(small_index, "written by another version of arshif")
    elsewhere = small_index.parent / "elsewhere"
    elsewhere.mkdir()
    for args in (["search", "الزيتون"], ["index", str(elsewhere)]):
        result = cli(*args, "--index", str(small_index))
        assert result.exit_code == 1, result.output
        assert result.output.startswith(message), result.output
    result = cli("index", "--index", str(small_index), str(small_index.parent / "news"))
    assert result.exit_code == 0, result.output
    assert "written by another version of arshif" in result.output
    assert doc_count(small_index) == 3


def test_index_of_a_newer_version_is_refused_and_left_as_it_is(small_index: Path) -> None:
    meta = read_json(small_index / "arshif.json", {})
    meta["schema_version"] += 1
    write_json(small_index / "arshif.json", meta)
    files = {p.name: p.read_bytes() for p in small_index.iterdir()}
    for args in (["search", "الزيتون"], ["index", str(small_index.parent / "news")]):
        result = cli(*args, "--index", str(small_index))
        assert result.exit_code == 1, result.output
        assert result.output.startswith(
            f"Error: the index at {small_index} was written by a newer version of arshif "
            f"(format {meta['schema_version']}; this one reads format "
            f"{meta['schema_version'] - 1}). Upgrade arshif"
        ), result.output
    assert {p.name: p.read_bytes() for p in small_index.iterdir()} == files


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_table_of_contents_is_refused_before_it_is_unpickled(
    small_index: Path, damage: str
) -> None:
    [toc] = small_index.glob("_MAIN_*.toc")
    data = toc.read_bytes()
    if damage == "truncated":
        toc.write_bytes(data[:40])
        what = f"has 40 bytes, {len(data)} were written"
    else:
        toc.write_bytes(data[:20] + b"\xff" * (len(data) - 20))
        what = "is damaged (its checksum does not match)"
    assert_refused(small_index, damaged_message(toc, what))


def test_index_with_an_unloadable_schema_is_refused(small_index: Path) -> None:
    """The analyzer's class moved: the pickle names a module that no longer exists (the
    table of contents is sound, as its checksum says)."""
    [toc] = small_index.glob("_MAIN_*.toc")
    data = toc.read_bytes()
    toc.write_bytes(data.replace(b"indexer.analysis.analyzer", b"indexer.analysis.analyser"))
    table = read_json(small_index / CHECKSUMS_FILE, None)
    del table["files"][toc.name]
    write_json(small_index / CHECKSUMS_FILE, table)
    filetable.record(small_index, [toc.name])
    assert_refused(small_index, f"Error: the index at {small_index} cannot be used (")
    result = cli("search", "--index", str(small_index), "x")
    assert 'Rebuild it with "arshif index --rebuild FOLDER".' in result.output


@pytest.mark.parametrize("name", ["arshif.json", "files.json"])
def test_damaged_json_files_are_refused(small_index: Path, name: str) -> None:
    (small_index / name).write_text('{"schema_version": ')
    result = cli("index", "--index", str(small_index), str(small_index.parent / "news"))
    assert result.exit_code == 1
    path = small_index / name
    assert result.output.startswith(f"Error: the index file {path} is damaged ("), result.output
    assert result.output.endswith(damaged_message(path, "is damaged (…)").split("…)")[1] + "\n")


# --- (d) indexes other users could write to -----------------------------------------------------


def unsafe_message(index_dir: Path) -> str:
    return (
        f"Error: refusing to open {index_dir}: it is writable by other users, and opening an "
        f'index runs code stored in it. Run "chmod -R go-w {index_dir}" if you trust it.'
    )


class _Payload:
    """Pickles to a call that leaves a mark: what a planted schema could run."""

    def __init__(self, mark: Path) -> None:
        self.mark = mark

    def __reduce__(self):
        return (os.mkdir, (str(self.mark),))

    def clean(self) -> None:
        pass


def plant_payload(index_dir: Path, mark: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rewrite the index's table of contents with a schema that runs code when unpickled."""
    ix = whoosh_index.open_dir(str(index_dir))
    toc = whoosh_index.TOC.read(ix.storage, "MAIN")
    toc.schema = _Payload(mark)
    monkeypatch.setattr(whoosh_index, "ensure_schema", lambda schema: schema)
    next(index_dir.glob("_MAIN_*.toc")).unlink()
    toc.write(ix.storage, "MAIN")
    monkeypatch.undo()
    with pytest.raises(Exception) as raised:  # the planted schema runs, then breaks
        whoosh_index.open_dir(str(index_dir))
    store.close_left_open(raised.value)
    assert mark.is_dir()
    mark.rmdir()


@pytest.mark.parametrize("target", ["folder", "toc", "segment", "arshif.json"])
def test_index_writable_by_others_is_refused_before_anything_is_unpickled(
    small_index: Path, tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = tmp_path / "payload-ran"
    plant_payload(small_index, mark, monkeypatch)
    paths = {
        "folder": small_index,
        "toc": next(small_index.glob("_MAIN_*.toc")),
        "segment": next(small_index.glob("MAIN_*")),
        "arshif.json": small_index / "arshif.json",
    }
    path = paths[target]
    path.chmod(path.stat().st_mode | 0o002)
    assert_refused(small_index, unsafe_message(small_index))
    assert not mark.exists()
    assert not store.exists(small_index / "nowhere")
    assert store.exists(small_index) and not mark.exists()  # exists() unpickles nothing


def test_group_writable_index_of_a_shared_group_is_refused(small_index: Path) -> None:
    shared = next(
        (g for g in grp.getgrall() if g.gr_gid != os.getgid() and g.gr_name != "root"), None
    )
    if shared is None or os.geteuid() != 0:
        pytest.skip("needs root and a second group to hand the file to")
    path = small_index / "files.json"
    os.chown(path, -1, shared.gr_gid)
    path.chmod(0o664)
    assert_refused(small_index, unsafe_message(small_index))


def test_group_writable_index_of_the_users_private_group_is_accepted(small_index: Path) -> None:
    """umask 002 (user-private groups): every file arshif writes is group-writable."""
    for path in (small_index, *small_index.iterdir()):
        path.chmod(path.stat().st_mode | 0o020)
    if not store._private_group(os.getuid(), os.getgid()):
        pytest.skip("this user's group is shared with others")
    assert ids_found(small_index, "الزيتون")


def test_payload_check_is_meaningful() -> None:
    """The planted schema really is a pickle that calls os.mkdir."""
    assert b"mkdir" in pickle.dumps(_Payload(Path("x")), 2)


# --- streaming reads like the whole file ------------------------------------------------------

_PIECES = st.sampled_from(
    ["<DOC>", "</DOC>", "<doc>", "<DOCNO>", "</DOCNO>", "<TEXT>", "</TEXT>", "<TITLE>", "\n",
     "\r\n", "\r", " ", "\x02", "\ufeff", "الحكومة", "خبر", "D1", "{", "}", '"', ":", "title"]
)  # fmt: skip


def whole_file(data: bytes, reader: Callable, path: Path) -> list[Article | ReadProblem]:
    """What reading the whole file at once gives (the readers' behaviour before streaming)."""
    try:
        text, encoding = decode(data)
    except NotTextError:
        return [ReadProblem(str(path), "binary file, not text")]
    cleaned = clean_text(text)
    if not cleaned.strip():
        return [ReadProblem(str(path), "empty file")]
    return list(reader(cleaned, Origin(str(path), path.stem, "f", encoding)))


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(_PIECES | st.text(max_size=4), max_size=40),
    records=st.lists(st.fixed_dictionaries({"title": st.text(max_size=8)}), max_size=3),
    suffix=st.sampled_from([".sgml", ".jsonl"]),
)
def test_streamed_file_reads_like_the_whole_file(
    pieces: list[str], records: list[dict], suffix: str
) -> None:
    text = "".join(pieces)
    if suffix == ".jsonl":
        text += "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"f{suffix}"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        if not text.encode("utf-8", errors="surrogatepass").strip():
            return  # an empty file is one problem either way
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return  # not UTF-8: decoded line by line, differently by design
        reader = read_jsonl if suffix == ".jsonl" else read_trec
        assert list(read_file(path, "f")) == whole_file(path.read_bytes(), reader, path)
