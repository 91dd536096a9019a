"""Every format a news archive holds, from files the tests write themselves: web archives,
feeds, CSV exports, Word and OpenDocument copy, printed PDFs; and nothing skipped in silence.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arshif.indexer.article import Article, ReadProblem, Skipped
from arshif.indexer.readers import read_file
from arshif.indexer.readers.csv import header_key
from arshif.indexer.readers.pdf import NO_TEXT_LAYER
from arshif.indexer.readers.skips import summarize
from arshif.indexer.readers.visual import logical_lines
from arshif.search.cli import main
from tests.archive_files import (
    STORIES,
    Expected,
    chromium,
    page_html,
    print_pdf,
    story_page,
    visual_order_page,
    write_arc,
    write_atom,
    write_csv,
    write_docx,
    write_odt,
    write_response,
    write_rss,
    write_warc,
)


def read_all(
    path: Path, id_base: str = "f"
) -> tuple[list[Article], list[ReadProblem], list[Skipped]]:
    items = list(read_file(path, id_base))
    articles = [item for item in items if isinstance(item, Article)]
    problems = [item for item in items if isinstance(item, ReadProblem)]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert len(articles) + len(problems) + len(skipped) == len(items)
    return articles, problems, skipped


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_found(
    articles: list[Article], expected: list[Expected], *, exact_body: bool = True
) -> None:
    """Each expected story is one article, found by a phrase of its body, fields as written."""
    assert len(articles) == len(expected)
    for story in expected:
        [article] = [a for a in articles if story.phrase in flat(a.body)]
        assert article.title == story.title
        if exact_body:
            assert flat(article.body) == flat(story.body)
        assert (article.date, article.source, article.url) == (story.date, story.source, story.url)
        if story.category:
            assert article.category == story.category


# --- web archives ---------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_pages_become_articles_and_other_records_are_counted(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    contents = write_warc(path, gz=gz)
    articles, problems, skipped = read_all(path, "crawl")
    assert_found(articles, contents.articles)
    assert Counter(skip.kind for skip in skipped) == contents.skipped
    assert {skip.detail for skip in skipped if skip.kind == "not HTML"} == {"image/png"}
    # The truncated last record is a problem naming the file and where the record starts.
    [problem] = problems
    assert problem.path == str(path)
    offset = int(problem.message.removeprefix("record at offset ").split(":")[0])
    start = path.read_bytes()[offset : offset + 10]
    assert start.startswith(b"\x1f\x8b" if gz else b"WARC/1.0")
    # Ids and places name the record each article came from.
    data = path.read_bytes()
    for article in articles:
        offset = int(article.locator.removeprefix("record at offset "))
        assert article.id == f"crawl:{offset}"
        assert data[offset : offset + 2] == (b"\x1f\x8b" if gz else b"WA")


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_warc_keeps_the_latest_of_identical_captures(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, gz=name.endswith(".gz"), truncate_last=False)
    articles, problems, skipped = read_all(path, "crawl")
    assert problems == []
    [book_fair] = [a for a in articles if a.url.endswith("book-fair")]
    [earlier] = [s for s in skipped if s.kind == "earlier capture"]
    assert int(earlier.locator.split()[-1]) < int(book_fair.locator.split()[-1])


@pytest.mark.parametrize("name", ["crawl.arc", "crawl.arc.gz"])
def test_arc_files_are_read_like_warc(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    expected = write_arc(path, gz=name.endswith(".gz"))
    articles, problems, skipped = read_all(path)
    assert problems == []
    assert_found(articles, [expected])
    assert [skip.kind for skip in skipped] == ["warcinfo"]  # the ARC's own header record


def test_warc_keeps_each_text_of_a_page_that_changed(tmp_path: Path) -> None:
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "updates.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for hour, story in (("08", STORIES[0]), ("09", STORIES[1])):
            write_response(writer, "https://live.example/story", f"2019-05-01T{hour}:00:00Z",
                           "200 OK", [("Content-Type", "text/html")], page_html(story))  # fmt: skip
    articles, problems, skipped = read_all(path)
    assert sorted(a.title for a in articles) == sorted([STORIES[0].title, STORIES[1].title])
    assert {a.date for a in articles} == {dt.date(2019, 5, 1)}  # no page date: the capture's
    assert problems == skipped == []


def test_a_damaged_record_is_reported_and_the_rest_of_the_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    contents = write_warc(path, gz=True, truncate_last=False)
    good, _, _ = read_all(path, "crawl")
    data = bytearray(path.read_bytes())
    [victim] = [a for a in good if a.url.endswith("/rain")]  # a page captured once
    offset = int(victim.locator.split()[-1])
    data[offset + 20 : offset + 60] = b"\x00" * 40  # inside its compressed bytes
    path.write_bytes(bytes(data))
    articles, problems, _ = read_all(path, "crawl")
    assert [p.message for p in problems] == [
        f"record at offset {offset}: damaged or truncated, skipped"
    ]
    assert {a.url for a in articles} == {s.url for s in contents.articles} - {victim.url}


# --- feeds ------------------------------------------------------------------------------------


def test_rss_feed_in_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "sharq.rss"
    expected = write_rss(path)
    articles, problems, _ = read_all(path)
    assert problems == []
    assert_found(articles, expected)
    assert [a.locator for a in articles] == ["item 1", "item 2"]


@pytest.mark.parametrize("name", ["almadar.atom", "almadar.xml"])
def test_atom_feed_also_when_saved_as_xml(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    expected = write_atom(path)
    articles, problems, _ = read_all(path)
    assert problems == []
    assert_found(articles, expected)


def test_a_feed_without_items_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.rss"
    path.write_text(
        '<rss version="2.0"><channel><title>صحيفة الشرق اليوم</title></channel></rss>', "utf-8"
    )
    [problem] = list(read_file(path, "f"))
    assert isinstance(problem, ReadProblem) and problem.message.startswith("no feed item found")


# --- CSV ----------------------------------------------------------------------------------------


def test_csv_with_arabic_headers_in_windows_1256(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    expected = write_csv(path)
    articles, problems, _ = read_all(path, "export")
    assert_found(articles, expected)
    assert all(a.encoding == "cp1256" for a in articles)
    [problem] = problems
    assert (problem.line, problem.message) == (6, "row 3 has 7 fields, the header 6")
    assert [a.locator for a in articles] == ["row 1 (line 2)", "row 2 (line 4)"]


def test_csv_without_a_title_or_body_column_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("السلعة,السعر\nقمح,120\n", "utf-8")
    [problem] = list(read_file(path, "f"))
    assert problem == ReadProblem(
        str(path), "no title or body column in the header (columns: السلعة, السعر)", 1
    )


@pytest.mark.parametrize(
    ("header", "field"),
    [
        pytest.param("Title", "title", id="H1-case"),
        pytest.param(" HEADLINE ", "title", id="H2-spaces"),
        pytest.param("العنوان", "title", id="H3-arabic-article"),
        pytest.param("عنوان", "title", id="H4-arabic-bare"),
        pytest.param("النص", "body", id="H5-short-arabic-word"),
        pytest.param("التاريخ", "date", id="H6-date"),
        pytest.param("تأريخ", "date", id="H7-hamza-variant"),
        pytest.param("ملاحظات", None, id="H13-no-field"),
        pytest.param("Published_At", "date", id="H8-underscore"),
        pytest.param("المصدر", "source", id="H9-source"),
        pytest.param("الرابط", "url", id="H10-url"),
        pytest.param("القسم", "category", id="H11-category"),
        pytest.param("فئه", "category", id="H12-ta-marbuta-as-ha"),
    ],
)
def test_csv_header_rules(header: str, field: str | None) -> None:
    from arshif.indexer.readers.csv import _FIELD_OF

    assert _FIELD_OF.get(header_key(header)) == field


# --- office documents ---------------------------------------------------------------------------


def test_docx_headline_is_the_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    expected = write_docx(path)
    [article] = list(read_file(path, "draft"))
    assert isinstance(article, Article)
    assert (article.id, article.title, article.date) == ("draft", expected.title, expected.date)
    assert flat(article.body) == flat(expected.body)
    assert article.author == "سارة محمود"


def test_odt_headline_body_date_and_author(tmp_path: Path) -> None:
    path = tmp_path / "draft.odt"
    expected = write_odt(path)
    [article] = list(read_file(path, "draft"))
    assert isinstance(article, Article)
    assert (article.title, article.date, article.author) == (
        expected.title,
        expected.date,
        "خالد العمري",
    )
    assert flat(article.body) == flat(expected.body)


# --- PDF ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pages printed by headless Chromium, once for the module."""
    if chromium() is None:
        pytest.skip("chromium is not installed: the PDF fixtures are printed by headless Chromium")
    folder = tmp_path_factory.mktemp("pdfs")
    print_pdf(story_page(STORIES[2]), folder / "page.pdf")
    print_pdf(visual_order_page(STORIES[0]), folder / "visual.pdf")
    issue = story_page(STORIES[0]).replace("</body>", "") + story_page(STORIES[1]).replace(
        "<h1>", '<h1 style="break-before:page">'
    )
    print_pdf(issue, folder / "issue" / "issue.pdf")
    scan = '<html><body><div style="width:300px;height:300px;background:#234"></div></body></html>'
    print_pdf(scan, folder / "scan.pdf")
    return folder


@pytest.mark.parametrize(
    ("name", "story"),
    [
        pytest.param("page.pdf", STORIES[2], id="printed-page"),
        pytest.param("visual.pdf", STORIES[0], id="stored-in-visual-order"),
    ],
)
def test_pdf_text_in_reading_order(pdfs: Path, name: str, story: Expected) -> None:
    """Chromium writes Arabic glyphs left to right; the visual-order page also stores its
    characters reversed: both read back as written."""
    [article] = list(read_file(pdfs / name, "pdf"))
    assert isinstance(article, Article)
    assert article.title == story.title
    assert flat(article.body) == flat(story.body)
    assert article.date is not None  # the print's creation date, from the PDF's properties


def test_pdf_pages_are_articles_each_with_pdf_pages(pdfs: Path, tmp_path: Path) -> None:
    runner, index = CliRunner(), str(tmp_path / "index")
    out = runner.invoke(main, ["index", str(pdfs / "issue"), "--index", index, "--pdf-pages"])
    assert out.stdout.startswith("Indexed 2 articles from 1 files"), out.output
    shown = json.loads(
        runner.invoke(main, ["show", "--json", "--index", index, "issue/issue.pdf:2"]).stdout
    )
    assert (shown["title"], shown["locator"]) == (STORIES[1].title, "page 2")
    assert STORIES[1].phrase in flat(shown["body"])


def test_pdf_without_text_layer_needs_ocr(pdfs: Path) -> None:
    assert list(read_file(pdfs / "scan.pdf", "scan")) == [
        ReadProblem(str(pdfs / "scan.pdf"), NO_TEXT_LAYER)
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(
            ["افتتاح معرض الكتاب في القاهرة"],
            ["افتتاح معرض الكتاب في القاهرة"],
            id="V1-logical-kept",
        ),
        pytest.param(
            ["ةرهاقلا يف باتكلا ضرعم حاتتفا"],
            ["افتتاح معرض الكتاب في القاهرة"],
            id="V2-reversed-turned",
        ),
        pytest.param(["ةرهاقلا يف 2019 ماع"], ["عام 2019 في القاهرة"], id="V3-numbers-stay-ltr"),
        pytest.param(
            ["(ةرهاقلا) يف COVID-19"], ["COVID-19 في (القاهرة)"], id="V4-latin-and-brackets"
        ),
        pytest.param(["ﺍﻟﻘﺎﻫﺮﺓ ﻻ ﺗﻨﺎﻡ"], ["القاهرة لا تنام"], id="V5-presentation-forms"),
        pytest.param(["ﻡﺎﻨﺗ ﻻ ﺓﺮﻫﺎﻘﻟﺍ"], ["القاهرة لا تنام"], id="V6-forms-reversed-lam-alef-kept"),
        pytest.param(["Reuters 2019"], ["Reuters 2019"], id="V7-no-arabic-untouched"),
        pytest.param(
            ["ةرهاقلا يف ضرعم", "سمأ"],
            ["معرض في القاهرة", "أمس"],
            id="V8-undecided-follows-majority",
        ),
        pytest.param(["نّ ﺎﻤﻋ ﻲﻓ"], ["في عمان"], id="V9-stray-shadda-dropped"),
    ],
)
def test_visual_order_rules(lines: list[str], expected: list[str]) -> None:
    assert logical_lines(lines) == expected


# --- nothing skipped in silence, end to end ---------------------------------------------------


def test_summary_of_skips() -> None:
    skipped = [Skipped(f"{n}.jpg", "image", ".jpg") for n in range(9)]
    skipped += [Skipped("a.xyz", "unknown", ".xyz"), Skipped("b.xyz", "unknown", ".xyz")]
    skipped += [
        Skipped("c.txt", "empty"),
        Skipped("w.warc", "revisit", locator="record at offset 9"),
    ]
    assert summarize(skipped) == (
        "skipped 12 files: 9 images (.jpg), 2 unknown (.xyz), 1 empty; skipped 1 record: 1 revisit"
    )
    assert summarize([]) == ""


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """The folder a new user points arshif at: a crawl, feeds, an export, drafts, and
    files that hold no article."""
    folder = tmp_path / "newsroom"
    folder.mkdir()
    write_warc(folder / "crawl.warc.gz", gz=True)
    write_rss(folder / "sharq.rss")
    write_atom(folder / "almadar.xml")
    write_csv(folder / "export.csv")
    write_docx(folder / "draft.docx")
    write_odt(folder / "draft.odt")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (folder / "notes.xyz").write_text("x")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def test_index_names_what_it_skipped_and_show_says_where(newsroom: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    index = str(tmp_path / "index")
    result = runner.invoke(main, ["index", str(newsroom), "--index", index, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["articles_added"] == 3 + 2 + 1 + 2 + 1 + 1
    reasons = Counter(s["reason"] for s in summary["skipped"] if s["record"] is None)
    assert reasons == {"image (.jpg)": 1, "unknown (.xyz)": 1, "empty": 1}
    records = Counter(s["reason"] for s in summary["skipped"] if s["record"])
    assert records == Counter({"warcinfo": 1, "request": 1, "revisit": 1, "not HTML (image/png)": 1,
                               "HTTP 301": 1, "HTTP 404": 1, "earlier capture": 1})  # fmt: skip
    assert len(summary["problems"]) == 2  # the cut WARC record and the CSV's long row
    assert any(
        "crawl.warc.gz: record at offset" in p and p.endswith(": damaged or truncated, skipped")
        for p in summary["problems"]
    )

    result = runner.invoke(main, ["index", str(newsroom), "--index", index, "--rebuild"])
    lines = result.stdout.splitlines()
    assert lines[-1] == (
        "skipped 3 files: 1 empty, 1 image (.jpg), 1 unknown (.xyz); skipped 7 records: "
        "1 HTTP 301, 1 HTTP 404, 1 earlier capture, 1 not HTML (image/png), 1 request, "
        "1 revisit, 1 warcinfo"
    )

    hits = json.loads(
        runner.invoke(main, ["search", "--json", "--index", index, "أقيمت في الرباط"]).stdout
    )
    # The story is in the crawl and the Atom feed: one hit, the other copy grouped under it.
    [hit] = hits["hits"]
    [from_warc] = [i for i in [hit["id"], *hit["similar"]] if i.startswith("newsroom/crawl")]
    shown = runner.invoke(main, ["show", "--index", index, from_warc]).stdout
    assert "crawl.warc.gz, record at offset " in shown
    assert "https://www.ribat-sport.example/sport/final" in shown
    shown = json.loads(
        runner.invoke(main, ["show", "--json", "--index", index, "newsroom/export.csv:4"]).stdout
    )
    assert shown["locator"] == "row 2 (line 4)"
    assert shown["title"] == STORIES[1].title


# --- damaged files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("originals")
    write_warc(folder / "a.warc.gz", gz=True)
    write_warc(folder / "a.warc", gz=False)
    write_rss(folder / "a.rss")
    write_csv(folder / "a.csv")
    write_docx(folder / "a.docx")
    write_odt(folder / "a.odt")
    return {path.name.removeprefix("a"): path.read_bytes() for path in folder.iterdir()}


EDITS = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 40), st.binary(max_size=20)),
    min_size=1,
    max_size=4,
)


@pytest.mark.parametrize("suffix", [".warc.gz", ".warc", ".rss", ".csv", ".docx", ".odt"])
@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(edits=EDITS)
def test_damaged_files_of_every_format_never_raise(
    originals: dict[str, bytes], suffix: str, edits: list[tuple[int, int, bytes]]
) -> None:
    """Bytes changed, cut or inserted anywhere in a real file: the reader names a problem
    or reads what it can, and never raises."""
    damaged = bytearray(originals[suffix])
    for at, length, replacement in edits:
        at %= len(damaged)
        damaged[at : at + length] = replacement
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"damaged{suffix}"
        path.write_bytes(bytes(damaged))
        items = list(read_file(path, "damaged"))
    assert all(isinstance(item, (Article, ReadProblem, Skipped)) for item in items)
    assert any(isinstance(item, (Article, ReadProblem)) for item in items)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("header-only.csv", "العنوان,النص\n".encode(), id="csv-header-only"),
        pytest.param("empty.warc.gz", b"", id="empty-warc"),
    ],
)
def test_a_file_of_a_known_format_without_articles_is_a_problem(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert list(read_file(path, "f"))[-1] == ReadProblem(str(path), "no article found in the file")


def test_a_crawl_of_images_only_is_a_problem_and_its_records_are_counted(tmp_path: Path) -> None:
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "images.warc.gz"
    with path.open("wb") as stream:
        write_response(WARCWriter(stream, gzip=True), "https://x.example/a.jpg",
                       "2019-01-01T00:00:00Z", "200 OK", [("Content-Type", "image/jpeg")],
                       b"\xff\xd8\xff" + bytes(50))  # fmt: skip
    [skipped, problem] = list(read_file(path, "f"))
    assert skipped == Skipped(str(path), "not HTML", "image/jpeg", "record at offset 0")
    assert problem == ReadProblem(str(path), "no article found in the file")
