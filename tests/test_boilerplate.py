"""Lines a source repeats under many of its articles are learned and dropped."""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arshif.indexer.article import Article
from arshif.indexer.boilerplate import BOILERPLATE_FILE, BoilerplateDetector, line_key
from arshif.indexer.errors import DamagedIndexError
from arshif.indexer.storage.jsonfiles import write_json

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpora" / "news_ant" / "corpus.jsonl.gz"

FOOTER = "تابعونا على تطبيق الأخبار لتصلكم آخر المستجدات"
WORDS = "الحكومة الوزير الاقتصاد النفط المنتخب الجيش المدينة المطر الشركة البنك".split()  # noqa: SIM905


def story(rng: random.Random, n: int) -> str:
    """Two paragraphs of news, different in every article."""
    return "\n".join(
        f"{' '.join(rng.choices(WORDS, k=12))} رقم {n}-{i}." for i in range(2)
    )  # fmt: skip


def learned(articles: list[tuple[str, str]], **options: float) -> BoilerplateDetector:
    detector = BoilerplateDetector(**options)  # type: ignore[arg-type]
    for source, body in articles:
        detector.observe(source, body)
    return detector


def test_footer_of_one_source_is_dropped_from_its_articles_only() -> None:
    rng = random.Random(1)
    articles = [("BBC", story(rng, n) + (f"\n{FOOTER}" if n % 3 == 0 else "")) for n in range(90)]
    articles += [("CNN", story(rng, n) + f"\n{FOOTER}") for n in range(10)]
    detector = learned(articles)
    assert detector.found() == {"BBC": frozenset({line_key(FOOTER)})}
    body = "خبر اليوم عن الاقتصاد.\n" + FOOTER
    assert detector.clean("BBC", body) == "خبر اليوم عن الاقتصاد."
    assert detector.clean("CNN", body) == body  # 10 articles: too few to judge
    [(key, count, total)] = detector.report()["BBC"]
    assert (key, count, total) == (line_key(FOOTER), 30, 90)


def test_the_footer_is_recognised_whatever_its_marks_digits_or_edges() -> None:
    rng = random.Random(2)
    years = ["© 2017 جميع الحقوق محفوظة لقناة الأخبار", "© ٢٠١٨ جميع الحقوق محفوظة لقناة الأخبار"]
    articles = [("A", story(rng, n) + "\n" + years[n % 2]) for n in range(40)]
    detector = learned(articles)
    for variant in [*years, "  © 2019 جميعُ الحقوقِ محفوظةٌ لقناة الأخبار.  "]:
        assert detector.clean("A", f"خبر.\n{variant}") == "خبر."


@pytest.mark.parametrize(
    ("sources", "reason"),
    [
        ([("A", 19, 19)], "in fewer than 20 articles"),
        ([("A", 25, 1000)], "in 2.5% of the source's articles, under 5%"),
        ([("A", 30, 100), ("B", 30, 100)], "a line of over 200 characters"),
    ],
)
def test_lines_below_the_thresholds_are_kept(
    sources: list[tuple[str, int, int]], reason: str
) -> None:
    rng = random.Random(3)
    line = FOOTER if "200" not in reason else " ".join([FOOTER] * 5)
    articles = [
        (source, story(rng, n) + (f"\n{line}" if n < with_line else ""))
        for source, with_line, total in sources
        for n in range(total)
    ]
    assert learned(articles).found() == {}, reason


def test_an_article_is_never_emptied() -> None:
    detector = learned([("A", FOOTER)] * 30)
    assert detector.clean("A", FOOTER) == FOOTER
    article = Article(id="1", title="", body=FOOTER, source="A")
    assert detector.clean_article(article) is article


def test_clean_article_drops_the_lines_and_keeps_the_rest() -> None:
    detector = learned([("A", f"خبر {n}\n{FOOTER}") for n in range(30)])
    article = Article(id="1", title="عنوان", body=f"{FOOTER}\nنص الخبر\n{FOOTER}", source="A")
    cleaned = detector.clean_article(article)
    assert (cleaned.body, cleaned.title, cleaned.id) == ("نص الخبر", "عنوان", "1")


def test_memory_stays_bounded_on_a_long_stream() -> None:
    rng = random.Random(4)
    detector = BoilerplateDetector()
    tracked = 0
    for n in range(20_000):
        detector.observe("A", story(rng, n) + (f"\n{FOOTER}" if n % 16 == 0 else ""))
        tracked = max(tracked, len(detector._sources["A"].lines))
    assert detector.found() == {"A": frozenset({line_key(FOOTER)})}  # 6.25% of articles
    # Two unique lines an article: exact counting would track 40,000 lines.
    assert tracked <= 2 * 2 * 200 + 10


def test_state_survives_a_save_and_a_damaged_file_is_refused(tmp_path: Path) -> None:
    detector = learned([("A", f"خبر {n}\n{FOOTER}") for n in range(30)])
    detector.save(tmp_path)
    again = BoilerplateDetector.load(tmp_path)
    assert again.found() == detector.found()
    again.observe("A", "خبر آخر")
    assert again.report()["A"][0][1:] == (30, 31)
    (tmp_path / BOILERPLATE_FILE).write_text('{"version": 1, "sources": ')
    with pytest.raises(DamagedIndexError, match=BOILERPLATE_FILE):
        BoilerplateDetector.load(tmp_path)
    write_json(tmp_path / BOILERPLATE_FILE, {"version": 1, "sources": []})  # foreign shape
    assert BoilerplateDetector.load(tmp_path).found() == {}
    assert BoilerplateDetector.load(tmp_path / "nowhere").found() == {}


@settings(max_examples=40)
@given(
    st.lists(st.lists(st.integers(0, 30), max_size=6).map(frozenset), min_size=1, max_size=1200),
)
def test_lossy_counts_find_every_frequent_line_and_nothing_rare(
    articles: list[frozenset[int]],
) -> None:
    """Against exact counts: all lines in >= 5% are found, none found is under 4%."""
    detector = BoilerplateDetector(min_articles=1, min_share=0.05, epsilon=0.01)
    exact: Counter[str] = Counter()
    for lines in articles:
        keys = [f"line {chr(97 + n // 26)}{chr(97 + n % 26)}" for n in lines]  # no digits: folded
        detector.observe("A", "\n".join(keys))
        exact.update(keys)
    found = detector.found().get("A", frozenset())
    total = len(articles)
    assert {key for key, count in exact.items() if count >= 0.05 * total} <= found
    assert all(exact[key] >= 0.04 * total for key in found)


@pytest.mark.corpus
def test_news_ant_footers_are_found_per_source() -> None:
    """Every third article of news_ant (the thresholds are shares, so a sample suffices)."""
    if not CORPUS.is_file():
        pytest.skip(f"{CORPUS} is absent")
    detector = BoilerplateDetector()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % 3 == 0:
                record = json.loads(line)
                detector.observe(record["source"], record["body"])
    assert detector.found() == {
        "Al Arabiya": {"جميع المقالات المنشوره تمثل راي كتابها فقط"},
        "BBC Arabic": {
            "يمكنكم استلام اشعارات باهم الموضوعات بعد تحميل احدث نسخه من تطبيق بي بي سي عربي "
            "علي هاتفكم المحمول",
            "يمكنكم تسلم اشعارات باهم الموضوعات بعد تحميل احدث نسخه من تطبيق بي بي سي عربي "
            "علي هاتفكم المحمول",
        },
    }
