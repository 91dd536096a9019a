"""Readers on real Arabic text: every format, encoding and kind of broken file."""

from __future__ import annotations

import codecs
import gzip
import itertools
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arshif.indexer.article import Article, ReadProblem, Skipped
from arshif.indexer.readers import SUPPORTED_SUFFIXES, find_files, read_file
from arshif.indexer.readers.clean import chrome_key, clean_text, strip_chrome

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RAW_SAMPLE = SHARED / "corpora" / "news_ant" / "raw_sample"
CORPUS = SHARED / "corpora" / "news_ant" / "corpus.jsonl.gz"
SEED = SHARED / "seed" / "000_84b9d23c19d35bde.txt"

TITLE = "الحكومة تعلن خطة جديدة لدعم الاقتصاد"
BODY = (
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد الوطني وتخفيف أعباء المعيشة.\n"
    "وقال وزير المالية إن الخطة تشمل إعفاءات ضريبية للشركات الصغيرة."
)
PLAIN = f"{TITLE}\n\n{BODY}\n"
PARAGRAPH = " ".join(["وقال الوزير إن الحكومة ستواصل دعم المشروعات الصغيرة"] * 5)


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def read(path: Path, id_base: str = "doc") -> list[Article | ReadProblem]:
    return list(read_file(path, id_base))


def only_article(path: Path, id_base: str = "doc") -> Article:
    [article] = read(path, id_base)
    assert isinstance(article, Article), article
    return article


def only_problem(path: Path) -> ReadProblem:
    [problem] = read(path)
    assert isinstance(problem, ReadProblem), problem
    return problem


# --- plain text and encodings -------------------------------------------------------------


def test_text_file_is_headline_then_body(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "\n\n" + PLAIN)
    article = only_article(path, "news/a")
    assert (article.id, article.title, article.body) == ("news/a", TITLE, BODY)
    assert (article.path, article.encoding, article.date) == (str(path), "utf-8", None)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(PLAIN.encode("cp1256"), "cp1256", id="cp1256"),
        pytest.param(codecs.BOM_UTF8 + PLAIN.encode(), "utf-8-sig", id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + PLAIN.encode("utf-16-le"), "utf-16-le", id="le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + PLAIN.encode("utf-16-be"), "utf-16-be", id="be-bom"),
        pytest.param(PLAIN.encode("utf-16-le"), "utf-16-le", id="le-no-bom"),
        pytest.param(PLAIN.encode("utf-16-be"), "utf-16-be", id="be-no-bom"),
        pytest.param(PLAIN.replace("\n", "\r\n").encode("cp1256"), "cp1256", id="cp1256-crlf"),
    ],
)
def test_text_file_in_any_encoding(tmp_path: Path, data: bytes, encoding: str) -> None:
    article = only_article(write(tmp_path, "a.txt", data))
    assert (article.title, article.body, article.encoding) == (TITLE, BODY, encoding)


def test_mojibake_file_is_repaired(tmp_path: Path) -> None:
    mojibake = PLAIN.encode("cp1256").decode("latin-1")
    assert "ÇáÍßæãÉ" in mojibake
    article = only_article(write(tmp_path, "a.txt", mojibake))
    assert (article.title, article.body) == (TITLE, BODY)


def test_text_keeps_characters_as_published(tmp_path: Path) -> None:
    body = "يَكْتُبُ الدولــــي\u00a0عبد\u200cالله\x02 و\ufeffمصر"
    article = only_article(write(tmp_path, "a.txt", f"{TITLE}\r\n{body}"))
    assert article.body == "يَكْتُبُ الدولــــي\u00a0عبد\u200cالله  ومصر"


def test_seed_file_loses_its_page_chrome(tmp_path: Path) -> None:
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent")
    article = only_article(SEED)
    assert article.title.startswith("واشنطن تايمز")
    assert "اظهر المزيد" not in article.body
    assert "زر الذهاب" not in article.body
    assert article.body.endswith("في معاقلهم بسوريا.")


# --- chrome ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chrome",
    ["اظهر المزيد", "أظهر المزيد", "زر الذهاب إلى الأعلى", "شارك", "شارك المقال",
     "شارك على فيسبوك", "مشاركة عبر واتساب", "Share", "Tweet", "طباعة", "إرسال",
     "اقرأ أيضاً: ارتفاع أسعار النفط", "اقــرأ أيضًا", "أخبار ذات صلة", "  شارك :  "],
)  # fmt: skip
def test_chrome_lines_are_dropped_anywhere(chrome: str) -> None:
    # The last line is a paragraph, so a "related stories" header cannot start a link box.
    assert strip_chrome(f"السطر الأول.\n{chrome}\n{PARAGRAPH}") == f"السطر الأول.\n{PARAGRAPH}"


@pytest.mark.parametrize(
    "sentence",
    ["شارك الآلاف في المسيرة الاحتجاجية أمام البرلمان.", "شارك في المؤتمر",
     "وشارك الوزير في الاجتماع", "المصدر: رويترز", "تابعونا على تويتر",
     "جميع الحقوق محفوظة للعمال بموجب الدستور الجديد", "إرسال قوات إضافية إلى الحدود",
     "طباعة العملة الجديدة تبدأ الشهر المقبل"],
)  # fmt: skip
def test_real_sentences_survive_in_the_body(sentence: str) -> None:
    body = f"السطر الأول.\n{sentence}\nالسطر الأخير."
    assert strip_chrome(body) == body


def test_trailing_chrome_block_is_dropped() -> None:
    body = (
        "أعلنت الحكومة خطة جديدة.\nالمصدر: وكالات\n\nاقرأ أيضاً\nارتفاع أسعار النفط\n"
        "منتخب مصر يفوز على تونس\n\nتابعونا على تويتر وفيسبوك\n"
        "جميع الحقوق محفوظة © 2018 سكاي نيوز عربية\nزر الذهاب إلى الأعلى"
    )
    assert strip_chrome(body) == "أعلنت الحكومة خطة جديدة.\nالمصدر: وكالات"


def test_a_long_paragraph_after_read_also_is_not_a_link_box() -> None:
    body = f"مقدمة الخبر.\nاقرأ أيضا\n{PARAGRAPH}"
    assert strip_chrome(body) == f"مقدمة الخبر.\n{PARAGRAPH}"


def test_clean_text() -> None:
    assert clean_text("أ\x00ب\x85ج\r\nد\re\ufeff\tو") == "أ ب ج\nد\ne\tو"


# Letters, marks, spaces of every kind, control characters, edges: what the shortcuts of
# `clean_text` and `chrome_key` (skipping work on text without these) must get right.
_TRICKY = st.text(
    st.sampled_from(list("اأإىةبت ـ\u064b\u0651\u200c\u200f\u00a0\u2009\t\r\n\x00\x85\ufeff:.-ßA"))
    | st.characters(),
    max_size=30,
)


@given(_TRICKY)
def test_clean_text_leaves_lf_lines_of_printable_text(text: str) -> None:
    control = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    lf = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    assert clean_text(text) == control.sub(" ", lf)


@given(_TRICKY)
def test_chrome_key_collapses_whitespace_as_splitting_into_words_does(line: str) -> None:
    key = chrome_key(line)
    assert key == chrome_key(" ".join(line.split()))
    assert "  " not in key and all(c == " " or not c.isspace() for c in key)


# --- JSON and JSON Lines ----------------------------------------------------------------------

RECORD = {
    "id": "SK-1",
    "title": TITLE,
    "body": BODY,
    "date": "Sun, 18 Feb 2018 21:35:43 +0400",
    "source": "Sky News Arabia",
    "url": "https://www.skynewsarabia.com/1",
    "category": "economy",
}


def test_jsonl_reads_good_lines_and_reports_the_truncated_one(tmp_path: Path) -> None:
    lines = [
        json.dumps(RECORD, ensure_ascii=False),
        json.dumps({**RECORD, "id": 7}, ensure_ascii=False),
    ]
    text = "\n".join([lines[0], lines[1][:40], "", lines[1]]) + "\n"
    first, problem, second = read(write(tmp_path, "a.jsonl", text))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert (first.id, first.date.isoformat(), first.source) == (
        "SK-1",
        "2018-02-18",
        "Sky News Arabia",
    )
    assert (first.url, first.category, first.title, first.body) == (
        RECORD["url"], "economy", TITLE, BODY,
    )  # fmt: skip
    assert second.id == "7"
    assert problem == ReadProblem(
        str(tmp_path / "a.jsonl"), "invalid JSON: Unterminated string starting at column 20", 2
    )


def test_jsonl_records_without_id_are_named_by_line(tmp_path: Path) -> None:
    text = '{"title": "خبر أول"}\n\n{"text": "خبر ثان"}\n{"headline": "بلا نص", "id": ""}\n'
    articles = read(write(tmp_path, "a.jsonl", text), "arch/a.jsonl")
    assert [a.id for a in articles] == ["arch/a.jsonl:1", "arch/a.jsonl:3", "arch/a.jsonl:4"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": 1, "date": "2018"}, 'missing field "body" (an article needs a title or a body)'),
        ({"title": " ", "body": ""}, "empty title and body (an article needs a title or a body)"),
        ({"id": [1], "title": "عنوان"}, 'field "id" must be a string or an integer'),
        (["عنوان"], "expected a JSON object, got a list"),
    ],
)
def test_jsonl_bad_records_are_reported(tmp_path: Path, record: object, message: str) -> None:
    problem = only_problem(write(tmp_path, "a.jsonl", json.dumps(record) + "\n"))
    assert (problem.message, problem.line) == (message, 1)


def test_json_aliases(tmp_path: Path) -> None:
    record = {
        "Headline": TITLE,
        "content": ["أعلنت الحكومة خطة.", "وقال الوزير إنها تبدأ غداً."],
        "published": 1519000000,
        "outlet": {"id": "bbc", "name": "BBC Arabic"},
        "link": "https://www.bbc.com/arabic/1",
        "section": "اقتصاد",
        "author": ["سارة", "أحمد"],
    }
    article = only_article(write(tmp_path, "a.json", json.dumps(record)), "a")
    assert (article.id, article.title, article.date.isoformat()) == ("a", TITLE, "2018-02-19")
    assert article.body == "أعلنت الحكومة خطة.\nوقال الوزير إنها تبدأ غداً."
    assert (article.source, article.url, article.category) == (
        "BBC Arabic", "https://www.bbc.com/arabic/1", "اقتصاد",
    )  # fmt: skip
    assert article.author == "سارة أحمد"


def test_unreadable_date_is_kept_in_extra(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "a.json", json.dumps({**RECORD, "date": "أمس"})))
    assert (article.date, article.extra) == (None, {"date": "أمس"})


def test_json_list_names_records_by_ordinal(tmp_path: Path) -> None:
    records = [{"title": "أول"}, 5, {"id": "x", "body": "ثالث"}, {"title": "رابع"}]
    results = read(write(tmp_path, "a.json", json.dumps(records)), "a")
    assert [r.id if isinstance(r, Article) else r.message for r in results] == [
        "a:1", "record 2: expected a JSON object, got a number", "x", "a:4",
    ]  # fmt: skip


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    text = '{"title": "أول"}\n{"title": "ثان"}\n'
    assert [a.id for a in read(write(tmp_path, "a.json", text), "a")] == ["a:1", "a:2"]


def test_invalid_json_file(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "a.json", '\n{"title": }'))
    assert (problem.message, problem.line) == (
        "invalid JSON: Expecting value at line 2 column 11",
        2,
    )


# --- TREC ------------------------------------------------------------------------------------

TREC = """<DOC>
<DOCNO>AL-economy-1-20180218</DOCNO>
<URL>http://www.alarabiya.net/ar/1.html</URL>
<SRC>alarabia</SRC>
<CAT>economy</CAT>
<TITLE>  الحكومة   تعلن &quot;خطة&quot; جديدة </TITLE>
<TIME>Sun, 18 Feb 2018 21:35:43 +0400</TIME>
<AUTHOR>سارة</AUTHOR>
<ABSTRACT>ملخص الخبر.</ABSTRACT>
<TEXT>
  أعلنت الحكومة &amp; البنك المركزي <P>خطة جديدة</P>.

وقال الوزير إن x < y ليس مشكلة.
</TEXT>
</DOC>
<DOC>
<TITLE>بلا رقم</TITLE>
<ABSTRACT>الملخص وحده.</ABSTRACT>
<TEXT>
</TEXT>
</DOC>
<doc><TITLE>وسم مفتوح</TITLE><TEXT>نص بلا إغلاق
"""


def test_trec_reads_every_doc(tmp_path: Path) -> None:
    first, second, third = read(write(tmp_path, "batch.sgml", TREC), "batch")
    assert isinstance(first, Article) and isinstance(second, Article) and isinstance(third, Article)
    assert first.id == "AL-economy-1-20180218"
    assert first.title == 'الحكومة تعلن "خطة" جديدة'
    assert (
        first.body == "أعلنت الحكومة & البنك المركزي  خطة جديدة .\nوقال الوزير إن x < y ليس مشكلة."
    )
    assert (first.date.isoformat(), first.source, first.category, first.author) == (
        "2018-02-18", "alarabia", "economy", "سارة",
    )  # fmt: skip
    assert first.url == "http://www.alarabiya.net/ar/1.html"
    assert (second.id, second.body, second.source) == ("batch:2", "الملخص وحده.", "")
    assert (third.id, third.title, third.body) == ("batch:3", "وسم مفتوح", "نص بلا إغلاق")


def test_txt_starting_with_doc_is_trec(tmp_path: Path) -> None:
    one_doc = TREC.split("<DOC>\n<TITLE>")[0]
    article = only_article(write(tmp_path, "AL-economy-1-20180218.txt", one_doc), "x")
    assert (article.id, article.source) == ("AL-economy-1-20180218", "alarabia")


@pytest.mark.parametrize("docno", ["92", "AL-economy-92-2018021", ""])
def test_trec_broken_or_missing_docno(tmp_path: Path, docno: str) -> None:
    text = f"<DOC>\n<DOCNO>{docno}</DOCNO>\n<TITLE>عنوان</TITLE>\n</DOC>"
    article = only_article(write(tmp_path, "AL-economy-92-20180218.txt", text), "base")
    assert article.id == ("AL-economy-92-20180218" if docno else "base")


def test_trec_without_docs_or_text(tmp_path: Path) -> None:
    assert only_problem(write(tmp_path, "a.sgml", "مجرد نص")).message == "no <DOC> record found"
    problem = only_problem(write(tmp_path, "b.trec", "<DOC><DOCNO>1</DOCNO></DOC>"))
    assert problem.message == "empty title and body (an article needs a title or a body)"


# --- HTML ------------------------------------------------------------------------------------

PARAGRAPHS = [
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم الاقتصاد الوطني وتخفيف أعباء المعيشة عن المواطنين.",
    "وقال وزير المالية إن الخطة تشمل إعفاءات ضريبية للشركات الصغيرة والمتوسطة خلال العام المقبل.",
    "وشارك في إعداد الخطة خبراء من البنك المركزي ووزارة الاقتصاد والتخطيط.",
]


def page(paragraphs: list[str], charset: str = "utf-8") -> str:
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{TITLE} | سكاي نيوز عربية</title></head><body>
<nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/sport">رياضة</a></li></ul></nav>
<div id="cookie-consent"><p>نستخدم ملفات تعريف الارتباط لتحسين تجربتك. موافق</p></div>
<div class="share-bar"><a href="#">شارك على فيسبوك</a><a href="#">شارك على تويتر</a></div>
<article><h1>{TITLE}</h1>{text}
<div class="related"><h3>اقرأ أيضا</h3><ul><li><a href="/a">ارتفاع أسعار النفط</a></li>
<li><a href="/b">منتخب مصر يفوز</a></li></ul></div></article>
<footer><p>جميع الحقوق محفوظة © 2018</p><p>تابعونا على تويتر</p></footer></body></html>"""


@pytest.mark.parametrize("paragraphs", [PARAGRAPHS, PARAGRAPHS[:1], PARAGRAPHS * 4])
def test_html_keeps_only_the_article_paragraphs(tmp_path: Path, paragraphs: list[str]) -> None:
    article = only_article(write(tmp_path, "a.html", page(paragraphs)), "a")
    assert TITLE in article.title
    assert article.body == "\n".join(paragraphs)
    assert article.date is None


def test_html_in_cp1256_with_meta_charset(tmp_path: Path) -> None:
    article = only_article(write(tmp_path, "a.htm", page(PARAGRAPHS, "windows-1256"), "cp1256"))
    assert (article.body, article.encoding) == ("\n".join(PARAGRAPHS), "cp1256")


def test_html_metadata(tmp_path: Path) -> None:
    head = (
        '<meta property="article:published_time" content="2018-02-18T10:00:00+03:00">'
        '<meta name="author" content="سارة أحمد"><meta property="og:site_name" content="سكاي نيوز">'
        '<link rel="canonical" href="https://www.skynewsarabia.com/1">'
    )
    html = page(PARAGRAPHS).replace("<head>", "<head>" + head)
    article = only_article(write(tmp_path, "a.html", html))
    assert (article.date.isoformat(), article.author, article.source, article.url) == (
        "2018-02-18", "سارة أحمد", "سكاي نيوز", "https://www.skynewsarabia.com/1",
    )  # fmt: skip


# --- gzip, broken and odd files ----------------------------------------------------------------

SAMPLES = {
    ".txt": PLAIN,
    ".json": json.dumps(RECORD, ensure_ascii=False),
    ".jsonl": json.dumps(RECORD, ensure_ascii=False) + "\n",
    ".html": page(PARAGRAPHS),
    ".htm": page(PARAGRAPHS),
    ".sgml": TREC.split("<DOC>\n<TITLE>")[0],
    ".sgm": TREC.split("<DOC>\n<TITLE>")[0],
    ".trec": TREC.split("<DOC>\n<TITLE>")[0],
    ".xml": TREC.split("<DOC>\n<TITLE>")[0],
    ".rss": (
        f'<rss version="2.0"><channel><title>الشرق</title><item><title>{TITLE}</title>'
        f"<description>{BODY}</description></item></channel></rss>"
    ),
    ".atom": (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title>الشرق</title><entry><title>{TITLE}'
        f"</title><content>{BODY}</content></entry></feed>"
    ),
    ".csv": f'عنوان,نص\n{TITLE},"{BODY}"\n',
    ".tsv": f"Title\tText\n{TITLE}\t{BODY.replace(chr(10), ' ')}\n",
}
# Binary formats: their libraries read the file, which is never gzipped as a whole.
BINARY_SUFFIXES = {".warc", ".warc.gz", ".arc", ".arc.gz", ".docx", ".odt", ".pdf"}


@pytest.mark.parametrize("suffix", sorted(SAMPLES))
def test_gzip_of_each_format_reads_like_the_plain_file(tmp_path: Path, suffix: str) -> None:
    plain = write(tmp_path, f"a{suffix}", SAMPLES[suffix])
    packed = write(tmp_path, f"b{suffix}.gz", gzip.compress(SAMPLES[suffix].encode("cp1256")))
    expected, got = only_article(plain, "id"), only_article(packed, "id")
    assert (got.id, got.title, got.body, got.date) == (
        expected.id, expected.title, expected.body, expected.date,
    )  # fmt: skip
    assert got.title


def test_supported_suffixes() -> None:
    assert set(SUPPORTED_SUFFIXES) == (
        set(SAMPLES) | {s + ".gz" for s in SAMPLES} | BINARY_SUFFIXES
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.jsonl", b" \n\r\n\t", "empty file"),
        ("bom-only.txt", codecs.BOM_UTF8, "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "binary file, not text"),
        ("image.json.gz", gzip.compress(b"\x00\x01\x02" * 100), "binary file, not text"),
        ("broken.txt.gz", b"\x1f\x8b\x08\x00garbage", "cannot decompress gzip file"),
        ("notes.xyz", b"PK", "unsupported file type"),
        ("notes.docx", b"PK", "not a readable Word document"),
        ("notes.odt", b"PK\x03\x04", "not a readable OpenDocument text"),
        ("page.pdf", b"%PDF-1.4\n%%EOF", "not a readable PDF"),
    ],
)
def test_unreadable_files_are_problems(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    problem = only_problem(write(tmp_path, name, content))
    assert problem.message.startswith(message)
    assert problem.path == str(tmp_path / name)


def test_a_folder_passed_as_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    assert only_problem(tmp_path / "dir.txt").message == "cannot read file: Is a directory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", PLAIN)
    path.chmod(0)
    assert only_problem(path).message == "cannot read file: Permission denied"


def test_huge_single_line(tmp_path: Path) -> None:
    line = ("أعلنت الحكومة خطة جديدة لدعم الاقتصاد. " * 140_000)[: 5 * 1024 * 1024 // 2]
    article = only_article(write(tmp_path, "a.txt", f"{TITLE}\n{line}"))
    assert article.body == line.strip()
    [record] = read(write(tmp_path, "a.jsonl", json.dumps({"body": line}) + "\n"))
    assert isinstance(record, Article) and len(record.body) == len(line.strip())


# --- find_files ------------------------------------------------------------------------------


def test_find_files_walks_sorted_and_names_what_it_skips(tmp_path: Path) -> None:
    names = ["b/2.jsonl", "b/1.txt.gz", "a.html", ".hidden.txt", ".git/x.txt", "c/d.png",
             "c/e.xyz", "c/f.warc.gz", "c/g.tar.gz", "c/README"]  # fmt: skip
    for name in names:
        write(tmp_path, name, "x")
    write(tmp_path, "c/empty.txt", "")
    found = list(find_files([tmp_path, tmp_path / "b" / "2.jsonl"]))
    assert found == [
        Skipped(str(tmp_path / ".git"), "hidden"),
        Skipped(str(tmp_path / ".hidden.txt"), "hidden"),
        (tmp_path / "a.html", tmp_path),
        (tmp_path / "b" / "1.txt.gz", tmp_path),
        (tmp_path / "b" / "2.jsonl", tmp_path),
        Skipped(str(tmp_path / "c" / "README"), "unknown", "no suffix"),
        Skipped(str(tmp_path / "c" / "d.png"), "image", ".png"),
        Skipped(str(tmp_path / "c" / "e.xyz"), "unknown", ".xyz"),
        Skipped(str(tmp_path / "c" / "empty.txt"), "empty"),
        (tmp_path / "c" / "f.warc.gz", tmp_path),
        Skipped(str(tmp_path / "c" / "g.tar.gz"), "compressed archive", ".tar.gz"),
        (tmp_path / "b" / "2.jsonl", tmp_path / "b"),
    ]


def test_find_files_reports_missing_paths(tmp_path: Path) -> None:
    assert list(find_files([tmp_path / "nope"])) == [
        ReadProblem(str(tmp_path / "nope"), "no such file or folder")
    ]


def test_find_files_survives_a_symlink_loop(tmp_path: Path) -> None:
    write(tmp_path, "a/1.txt", "x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "self.txt").symlink_to(tmp_path / "a" / "self.txt")
    found = list(find_files([tmp_path]))
    assert found[0] == (tmp_path / "a" / "1.txt", tmp_path)
    assert [type(item) for item in found[1:]] == [ReadProblem, ReadProblem]
    assert "symbolic link loop" in found[1].message
    assert found[2] == ReadProblem(str(tmp_path / "a" / "self.txt"), "broken symbolic link")


def test_find_files_deep_nesting(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["د"] * 200)
    write(deep, "خبر.txt", PLAIN)
    assert list(find_files([tmp_path])) == [(deep / "خبر.txt", tmp_path)]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists folders whatever their mode")
def test_find_files_reports_an_unreadable_folder(tmp_path: Path) -> None:
    write(tmp_path, "closed/a.txt", "x")
    (tmp_path / "closed").chmod(0)
    try:
        [problem] = find_files([tmp_path])
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert problem == ReadProblem(str(tmp_path / "closed"), "cannot read folder: Permission denied")


# --- properties ------------------------------------------------------------------------------

FUZZ = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_bytes_never_raise(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = gzip.compress(data) if suffix.endswith(".gz") else data
        path = write(Path(folder), "f" + suffix, content)
        assert all(isinstance(r, (Article, ReadProblem, Skipped)) for r in read_file(path, "f"))


@FUZZ
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
    | st.builds("<DOC><DOCNO>{}</DOCNO><TEXT>{}".format, st.text(), st.text()),
    suffix=st.sampled_from(SUPPORTED_SUFFIXES),
)
def test_any_text_never_raises(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = text.encode("utf-8", errors="surrogatepass")
        path = write(
            Path(folder), "f" + suffix, gzip.compress(data) if suffix.endswith(".gz") else data
        )
        assert all(isinstance(r, (Article, ReadProblem, Skipped)) for r in read_file(path, "f"))


# --- the real corpus -------------------------------------------------------------------------


@pytest.mark.corpus
def test_raw_sample_files_each_give_one_article() -> None:
    if not RAW_SAMPLE.is_dir():
        pytest.skip(f"{RAW_SAMPLE} is absent")
    files = list(find_files([RAW_SAMPLE]))
    assert len(files) == 200
    articles = {}
    for item in files:
        assert not isinstance(item, ReadProblem), item
        path, _ = item
        [article] = read_file(path, path.stem)
        assert isinstance(article, Article), article
        assert article.id and article.url and article.date and (article.title or article.body)
        articles[article.id] = article
    assert len(articles) == 200
    # <DOCNO>92</DOCNO>, no <SRC>, no <CAT>: named after the file, other fields read.
    broken = articles["JA-politic-92-20170201"]
    assert (broken.source, broken.category, broken.date.isoformat()) == ("", "", "2017-02-01")
    # A truncated DOCNO.
    assert "JA-localNews-608-11012017" in articles
    # A stray U+0002 becomes a space.
    assert not any("\x02" in a.body for a in articles.values())
    assert (
        "\x02"
        in (
            RAW_SAMPLE / "antcorpus.multisource.data/Alarabia/economy/AL-economy-62-20180220.txt"
        ).read_text()
    )
    # TEXT and ABSTRACT both empty: a title-only article; empty TITLE: a body-only one.
    assert sum(not a.body for a in articles.values()) == 25
    assert sum(not a.title for a in articles.values()) == 4
    assert articles["JA-localNews-166-00000000"].date.isoformat() == "2016-09-29"


@pytest.mark.corpus
def test_corpus_jsonl_first_lines_are_complete_articles() -> None:
    if not CORPUS.is_file():
        pytest.skip(f"{CORPUS} is absent")
    records = list(itertools.islice(read_file(CORPUS, "corpus"), 2000))
    assert len(records) == 2000
    for article in records:
        assert isinstance(article, Article), article
        assert article.id and not article.id.startswith("corpus:")
        assert article.title and article.date and article.source and article.url
        assert article.category and article.encoding == "utf-8"
    assert len({a.id for a in records}) == 2000
