"""Archive files of every format, written by the tests themselves from our own Arabic text.

Each builder writes one file and returns the articles it holds (headline, a phrase of the
body, date, source, url), so a test can check every one was found as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Expected:
    title: str
    phrase: str
    body: str
    date: dt.date | None = None
    source: str = ""
    url: str = ""
    category: str = ""


STORIES = [
    Expected(
        "افتتاح معرض القاهرة الدولي للكتاب بمشاركة واسعة",
        "مئات الناشرين من الدول العربية",
        "افتتح وزير الثقافة صباح اليوم معرض القاهرة الدولي للكتاب في دورته الجديدة، "
        "بمشاركة مئات الناشرين من الدول العربية والأجنبية.\n"
        "وقال المنظمون إن المعرض يستقبل الزوار حتى نهاية الشهر في مركز المعارض الجديد.",
        dt.date(2019, 1, 23),
    ),
    Expected(
        "أمطار غزيرة تغلق الطرق في عمّان",
        "أغلقت الأمطار الغزيرة عددا من الطرق",
        "أغلقت الأمطار الغزيرة عددا من الطرق الرئيسية في العاصمة الأردنية عمّان مساء أمس، "
        "ودعت مديرية الأمن العام السائقين إلى الحذر.\n"
        "وتوقعت دائرة الأرصاد الجوية استمرار الحالة الماطرة حتى يوم الجمعة.",
        dt.date(2019, 11, 7),
    ),
    Expected(
        "المنتخب المغربي يتأهل إلى نهائي البطولة",
        "بهدفين نظيفين في الشوط الثاني",
        "تأهل المنتخب المغربي إلى نهائي البطولة العربية بعد فوزه على نظيره التونسي "
        "بهدفين نظيفين في الشوط الثاني من المباراة التي أقيمت في الرباط.\n"
        "ويلتقي المنتخب في النهائي الفائز من مباراة الجزائر ومصر.",
        dt.date(2020, 2, 14),
    ),
]


def page_html(story: Expected, *, url: str = "", date: dt.date | None = None) -> bytes:
    """A news page as a site serves it: navigation, the article, a footer."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.body.split("\n"))
    meta = f'<meta property="article:published_time" content="{date.isoformat()}">' if date else ""
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{html.escape(story.title)}</title>{meta}{canonical}</head><body>"
        '<nav><a href="/">الرئيسية</a> <a href="/sport">رياضة</a></nav>'
        f"<article><h1>{html.escape(story.title)}</h1>{paragraphs}</article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    ).encode()


# --- web archives -------------------------------------------------------------------------


@dataclass(frozen=True)
class WarcContents:
    articles: list[Expected]
    skipped: dict[str, int]  # kind -> records skipped
    truncated: bool


def write_warc(path: Path, *, gz: bool, truncate_last: bool = True) -> WarcContents:
    """A crawl: three pages (the first captured twice, unchanged), an image, a redirect, a
    revisit, a 404, the crawler's request and warcinfo records, and (by default) a last
    record cut short."""
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "arshif tests"}))

    def response(url: str, date: str, status: str, headers: list[tuple[str, str]], body: bytes):
        return write_response(writer, url, date, status, headers, body)

    html_type = [("Content-Type", "text/html; charset=utf-8")]
    expected = []
    urls = ["https://www.alqahira-news.example/culture/book-fair", "https://amman-today.example/local/rain",
            "https://www.ribat-sport.example/sport/final"]  # fmt: skip
    for number, (story, url) in enumerate(zip(STORIES, urls, strict=True)):
        # The second page states no date of its own: its capture's date stands.
        date = None if number == 1 else story.date
        capture = f"{story.date.isoformat()}T08:00:00Z"
        first = response(url, capture, "200 OK", html_type, page_html(story, url=url, date=date))
        host = url.split("/")[2].removeprefix("www.")
        expected.append(Expected(story.title, story.phrase, story.body, story.date, host, url))
        if number == 0:
            get = b"GET /culture/book-fair HTTP/1.1\r\nHost: www.alqahira-news.example\r\n\r\n"
            request = writer.create_warc_record(
                url, "request", payload=io.BytesIO(get), length=len(get)
            )
            writer.write_record(request)
            # Captured again a day later, unchanged: one article, the later capture.
            later = f"{(story.date + dt.timedelta(days=1)).isoformat()}T08:00:00Z"
            response(url, later, "200 OK", html_type, page_html(story, url=url, date=date))
            revisit = writer.create_revisit_record(
                url, digest=first.rec_headers.get_header("WARC-Payload-Digest"),
                refers_to_uri=url, refers_to_date=capture,
            )  # fmt: skip
            writer.write_record(revisit)
    response("https://amman-today.example/logo.png", "2019-11-07T08:00:01Z", "200 OK",
             [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n" + bytes(200))  # fmt: skip
    response("https://amman-today.example/old", "2019-11-07T08:00:02Z", "301 Moved Permanently",
             [("Location", urls[1]), ("Content-Type", "text/html")], b"")  # fmt: skip
    response("https://amman-today.example/missing", "2019-11-07T08:00:03Z", "404 Not Found",
             html_type, "<html><body><p>الصفحة غير موجودة</p></body></html>".encode())  # fmt: skip
    data = buffer.getvalue()
    if truncate_last:
        cut = io.BytesIO()  # a fourth page, its end lost
        body = page_html(STORIES[0], url="https://amman-today.example/cut") * 3
        write_response(WARCWriter(cut, gzip=gz), "https://amman-today.example/cut",
                        "2019-11-07T08:00:04Z", "200 OK", html_type, body)  # fmt: skip
        data += cut.getvalue()[: len(cut.getvalue()) // 2]
    path.write_bytes(data)
    skipped = {"warcinfo": 1, "request": 1, "revisit": 1, "not HTML": 1, "HTTP 301": 1,
               "HTTP 404": 1, "earlier capture": 1}  # fmt: skip
    return WarcContents(expected, skipped, truncate_last)


def write_response(
    writer: Any, url: str, date: str, status: str, headers: list[tuple[str, str]], body: bytes
) -> Any:
    """Write one HTTP response record; return it (its digest names it in a revisit)."""
    from warcio.statusandheaders import StatusAndHeaders

    all_headers = [*headers, ("Content-Length", str(len(body)))]
    http = StatusAndHeaders(status, all_headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )  # fmt: skip
    writer.write_record(record)
    return record


def write_arc(path: Path, *, gz: bool) -> Expected:
    """An ARC file (the Internet Archive's format before WARC): its header record and one
    page, each record gzipped on its own in an `.arc.gz`."""
    import gzip

    def record(url: str, content_type: str, payload: bytes) -> bytes:
        header = f"{url} 192.0.2.1 20190123080000 {content_type} {len(payload)}\n"
        data = header.encode() + payload + b"\n"
        return gzip.compress(data) if gz else data

    story = STORIES[0]
    url = "https://www.alqahira-news.example/culture/book-fair"
    body = page_html(story, date=story.date)
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    about = b"1 0 arshif-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    path.write_bytes(record(f"filedesc://{path.name}", "text/plain", about)
                     + record(url, "text/html", http))  # fmt: skip
    return Expected(story.title, story.phrase, story.body, story.date, "alqahira-news.example", url)


# --- feeds ----------------------------------------------------------------------------------


def write_rss(path: Path) -> list[Expected]:
    """An RSS 2.0 feed in windows-1256, as an Arabic site's CMS writes it, with HTML in
    its descriptions and full text in `content:encoded` for one item."""
    items = []
    expected = []
    for number, story in enumerate(STORIES[:2], 1):
        url = f"https://sharq-alyawm.example/news/{number}"
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.body.split("\n"))
        teaser = html.escape(story.body.split("\n")[0][:60])
        content = (
            f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>" if number == 1 else ""
        )
        description = teaser if number == 1 else html.escape(paragraphs)
        pub = dt.datetime.combine(story.date, dt.time(9, 30)).strftime(
            "%a, %d %b %Y %H:%M:%S +0300"
        )
        items.append(
            f"<item><title>{html.escape(story.title)}</title><link>{url}</link>"
            f"<pubDate>{pub}</pubDate><category>ثقافة</category>"
            f"<description>{description}</description>{content}</item>"
        )
        expected.append(
            Expected(
                story.title, story.phrase, story.body, story.date, "صحيفة الشرق اليوم", url, "ثقافة"
            )
        )
    feed = (
        '<?xml version="1.0" encoding="windows-1256"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>صحيفة الشرق اليوم</title><link>https://sharq-alyawm.example</link>"
        f"{''.join(items)}</channel></rss>"
    )
    path.write_bytes(feed.encode("cp1256"))
    return expected


def write_atom(path: Path) -> list[Expected]:
    story = STORIES[2]
    url = "https://ribat-sport.example/sport/final"
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.body.split("\n"))
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>قناة المدار</title><id>urn:almadar</id><updated>2020-02-14T20:00:00Z</updated>"
        f'<entry><title>{html.escape(story.title)}</title><link href="{url}"/>'
        f"<id>urn:almadar:1</id><updated>{story.date.isoformat()}T20:00:00Z</updated>"
        f'<category term="رياضة"/><summary>{html.escape(story.phrase)}</summary>'
        f'<content type="html">{html.escape(paragraphs)}</content></entry></feed>'
    )
    path.write_text(feed, encoding="utf-8")
    return [
        Expected(story.title, story.phrase, story.body, story.date, "قناة المدار", url, "رياضة")
    ]


# --- CSV --------------------------------------------------------------------------------------


def write_csv(path: Path) -> list[Expected]:
    """A dataset export with Arabic headers in windows-1256, a multi-line body, and one
    row with more fields than the header (a problem on line 5)."""
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\r\n")
    rows.writerow(["العنوان", "النص", "التاريخ", "المصدر", "الرابط", "القسم"])
    expected = []
    for number, story in enumerate(STORIES[:2], 1):
        url = f"https://bawaba.example/{number}"
        rows.writerow(
            [
                story.title,
                story.body,
                story.date.strftime("%d/%m/%Y"),
                "البوابة الإخبارية",
                url,
                "محليات",
            ]
        )
        expected.append(
            Expected(
                story.title,
                story.phrase,
                story.body,
                story.date,
                "البوابة الإخبارية",
                url,
                "محليات",
            )
        )
    rows.writerow(
        [
            "عنوان زائد",
            "نص",
            "2020-01-01",
            "البوابة الإخبارية",
            "https://x.example",
            "محليات",
            "زيادة",
        ]
    )
    path.write_bytes(out.getvalue().encode("cp1256"))
    return expected


# --- office documents -------------------------------------------------------------------------


def write_docx(path: Path) -> Expected:
    import docx

    story = STORIES[0]
    document = docx.Document()
    document.add_paragraph("مسودة للنشر")  # a note before the headline
    document.add_heading(story.title, level=1)
    for paragraph in story.body.split("\n"):
        document.add_paragraph(paragraph)
    document.core_properties.author = "سارة محمود"
    document.core_properties.created = dt.datetime.combine(story.date, dt.time(10))
    document.save(str(path))
    body = "مسودة للنشر\n" + story.body
    return Expected(story.title, story.phrase, body, story.date)


def write_odt(path: Path) -> Expected:
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    story = STORIES[1]
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=story.title))
    for paragraph in story.body.split("\n"):
        document.text.addElement(P(text=paragraph))
    document.meta.addElement(meta.CreationDate(text=f"{story.date.isoformat()}T10:00:00"))
    document.meta.addElement(dc.Creator(text="خالد العمري"))
    document.save(str(path))
    return Expected(story.title, story.phrase, story.body, story.date)


# --- PDF ----------------------------------------------------------------------------------------


def chromium() -> str | None:
    """The headless browser that prints PDFs (Debian's `chromium`), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdf(html_text: str, path: Path) -> None:
    """`html_text` printed to `path` by headless Chromium, as a reader would save a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page = path.with_suffix(".html")
    page.write_text(html_text, encoding="utf-8")
    browser = chromium()
    assert browser is not None
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={path.parent / '.chromium'}", f"--print-to-pdf={path}",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    page.unlink()


def story_page(story: Expected) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.body.split("\n"))
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head><body>'
        f"<h1>{html.escape(story.title)}</h1>{paragraphs}</body></html>"
    )


def visual_order_page(story: Expected) -> str:
    """The story as legacy Arabic typesetting stores it: each line's characters in visual
    order (reversed), drawn left to right, so the PDF's text layer holds them so."""
    lines = [story.title, *_short_lines(story.body)]
    drawn = "".join(
        f'<p dir="ltr" style="unicode-bidi:bidi-override;direction:ltr;white-space:nowrap;'
        f'font-size:14px">{html.escape(line[::-1])}</p>'
        for line in lines
    )
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body>{drawn}</body></html>'


def _short_lines(body: str, words: int = 7) -> list[str]:
    """The body cut into lines of a few words, as a narrow newspaper column sets it."""
    lines = []
    for paragraph in body.split("\n"):
        split = paragraph.split()
        lines += [" ".join(split[i : i + words]) for i in range(0, len(split), words)]
    return lines
