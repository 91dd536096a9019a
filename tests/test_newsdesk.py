"""Searching like a news desk (#6): filters, sorting, paging, facets, copies, spellings,
did-you-mean, explain, and the show / similar / stats commands, on the sample archive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from arshif.search.cli import main
from arshif.search.ranking import FIELD_BOOSTS
from tests.conftest import DATA, run

WIRE = "ana-2019-04-0602"  # the IMF wire story …
WIRE_COPY = "manar-2019-04-3150"  # … carried again by Al Manar Daily
TARIFFS = "sharq-2018-07-0233"  # spells ترامب
HELSINKI = "manar-2018-07-1804"  # spells ترمب and بوتن
SOCHI = "data/txt/sochi-idlib-summit.txt"  # spells بوتين
WORLD_CUP = "ANA-sport-501-20180614"  # spells بوتين
MANAR = "Al Manar Daily"

# The same article filed under two categories, as news_ant has 1,207 times.
REFILED = [
    {
        "id": f"refiled-{category}",
        "title": "افتتاح خط ملاحي جديد بين ميناءي جدة والعقبة",
        "body": "أعلنت هيئة الموانئ افتتاح خط ملاحي جديد يربط ميناء جدة الإسلامي بميناء "
        "العقبة، بمعدل رحلتين أسبوعياً لنقل البضائع والركاب.",
        "date": "2019-05-02",
        "source": "قناة المدار",
        "url": "https://almadar.example/2019/05/02/red-sea-line",
        "category": category,
    }
    for category in ("economy", "localNews")
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("newsdesk")
    data = root / "data"
    shutil.copytree(DATA, data)
    (data / "jsonl" / "refiled.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REFILED), "utf-8"
    )
    ix_dir = root / "index"
    result = CliRunner().invoke(main, ["index", "--index", str(ix_dir), str(data)])
    assert result.exit_code == 0, result.output
    assert (ix_dir / "groups.json").is_file()  # written by the index run itself
    return ix_dir


@pytest.fixture
def runner(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ARSHIF_INDEX", str(index_dir))
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def search(runner: CliRunner, *args: str) -> dict:
    out = run(runner, "search", "--json", *args)
    assert "\\u06" not in out  # Arabic unescaped
    return json.loads(out)


def ids(result: dict) -> list[str]:
    return [h["id"] for h in result["hits"]]


# -- filters ----------------------------------------------------------------------------


def test_source_option_returns_only_that_source(runner: CliRunner) -> None:
    result = search(runner, "--source", MANAR, "-n", "50")
    assert result["total"] == 5
    assert {h["source"] for h in result["hits"]} == {MANAR}
    with_words = search(runner, "--source", MANAR, "صندوق النقد")
    assert ids(with_words) == [WIRE_COPY]  # the agency's copy is filtered out


@pytest.mark.parametrize(
    "query",
    ['source:"Al Manar Daily"', 'source:"al manar daily"', "source:manar", "source:(manar)"],
)
def test_source_in_the_query_is_a_forgiving_filter(runner: CliRunner, query: str) -> None:
    result = search(runner, "-n", "50", f"صندوق {query}")
    assert ids(result) == [WIRE_COPY]


def test_repeated_sources_are_alternatives(runner: CliRunner) -> None:
    result = search(runner, "-n", "50", "--source", MANAR, "--source", "قناة المدار")
    assert {h["source"] for h in result["hits"]} == {MANAR, "قناة المدار"}
    assert result["total"] == 12  # 5 + 5 + the refiled article twice


def test_excluding_a_source(runner: CliRunner) -> None:
    result = search(runner, "صندوق NOT source:manar")
    assert ids(result) == [WIRE]
    assert result["hits"][0]["similar"] == [WIRE_COPY]  # still listed as its copy


def test_category_filter(runner: CliRunner) -> None:
    result = search(runner, "--category", "SPORT", "-n", "50")
    assert result["total"] == 3
    assert {h["category"] for h in result["hits"]} == {"sport"}
    assert ids(search(runner, "بوتين category:sport")) == [WORLD_CUP]


def test_unknown_source_names_the_known_ones(runner: CliRunner) -> None:
    out = run(runner, "search", "--source", "BBC Arabic", "قمة", code=1)
    assert out.startswith('Error: no source "BBC Arabic" in this archive. Known sources: ')
    assert '"Al Manar Daily"' in out
    assert out.endswith('Run "arshif stats" to see them with their counts.\n')


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        (["--from", "2019-04", "--to", "2019-04"], "2019-04-01", "2019-04-30"),
        (["--from", "2019"], "2019-01-01", "2999-12-31"),
        (["--to", "2018-06-05"], "0001-01-01", "2018-06-05"),
        (["date:[2018-03-01 TO 2018-05-31]"], "2018-03-01", "2018-05-31"),
        (["date:2018-07"], "2018-07-01", "2018-07-31"),
        (["date:>2019-09"], "2019-10-01", "2999-12-31"),
        (["date:<=2018-02"], "0001-01-01", "2018-02-28"),
    ],
)
def test_date_filters(runner: CliRunner, args: list[str], first: str, last: str) -> None:
    result = search(runner, "-n", "100", *args)
    assert result["hits"]
    assert all(first <= h["date"] <= last for h in result["hits"])
    everything = search(runner, "-n", "100", "--from", "1900")
    inside = [h for h in everything["hits"] if first <= h["date"] <= last]
    assert result["total"] == len(inside) + sum(len(h["similar"]) for h in inside)


def test_date_range_in_the_query_with_words(runner: CliRunner) -> None:
    assert set(ids(search(runner, "ترامب date:[2018-07-01 TO 2018-07-31]"))) == {TARIFFS, HELSINKI}
    assert ids(search(runner, "ترامب date:2019")) == []


def test_bad_dates_are_usage_errors_or_named(runner: CliRunner) -> None:
    out = run(runner, "search", "--from", "2019-13", "قمة", code=2)
    assert 'invalid date "2019-13": use YYYY, YYYY-MM or YYYY-MM-DD' in out
    out = run(runner, "search", "--from", "2019", "--to", "2018", "قمة", code=2)
    assert "--from 2019-01-01 is after --to 2018-12-31." in out
    out = run(runner, "search", "قمة date:[2018-99 TO 2019]", code=1)
    assert out.startswith('Error: cannot read "date:[2018-99 TO 2019]" in the query: ')


# -- sorting, paging --------------------------------------------------------------------


@pytest.mark.parametrize(("sort", "reverse"), [("newest", True), ("oldest", False)])
def test_sort_by_date(runner: CliRunner, sort: str, reverse: bool) -> None:
    dates = [
        h["date"] for h in search(runner, "--sort", sort, "-n", "50", "--from", "2018")["hits"]
    ]
    assert len(dates) > 10
    assert dates == sorted(dates, reverse=reverse)


def test_pages_follow_each_other(runner: CliRunner) -> None:
    whole = search(runner, "-n", "8", "الدولي")
    first = search(runner, "-n", "4", "--page", "1", "الدولي")
    second = search(runner, "-n", "4", "--page", "2", "الدولي")
    assert ids(first) + ids(second) == ids(whole)[:8]
    assert [h["id"] for h in second["hits"]] and second["page"] == 2
    assert first["pages"] == -(-first["stories"] // 4)
    out = run(runner, "search", "-n", "4", "--page", "2", "الدولي")
    assert out.splitlines()[0] == (
        f"{whole['total']} articles match ({whole['stories']} after grouping copies); "
        f"showing 5–8, page 2 of {first['pages']}."
    )
    past = run(runner, "search", "-n", "4", "--page", "99", "الدولي")
    assert f"page 99 is past the last page ({first['pages']})" in past


# -- facets -----------------------------------------------------------------------------


def test_facets_count_matches_per_source_category_and_month(runner: CliRunner) -> None:
    result = search(runner, "--facets", "--from", "2018", "-n", "1")
    facets = result["facets"]
    # Every article names its outlet but the reporters' copy (data/office) and the PDF.
    assert sum(facets["source"].values()) == result["total"] - 3
    assert facets["source"][MANAR] == 5
    assert facets["category"]["economy"] == 6  # 5 + the refiled record filed under economy
    assert facets["month"]["2019-04"] == 3  # the two copies of the IMF story, the dates export
    assert list(facets["month"]) == sorted(facets["month"])
    out = run(runner, "search", "--facets", "--from", "2018")
    assert "Coverage over time:" in out
    assert "  2019-04  3  " + "█" * 20 in out
    assert "  2018-03  0  " in out  # a month without coverage still has its row


# -- copies of one story ----------------------------------------------------------------


def test_wire_story_copies_are_grouped(runner: CliRunner) -> None:
    result = search(runner, "صندوق النقد")
    assert result["total"] == 2 and result["stories"] == 1
    assert ids(result) == [WIRE]
    assert result["hits"][0]["similar"] == [WIRE_COPY]
    out = run(runner, "search", "صندوق النقد")
    assert out.splitlines()[0] == "2 articles match (1 after grouping copies); showing 1–1."
    assert f"[{WIRE}]  +1 similar" in out
    assert WIRE_COPY not in out
    expanded = run(runner, "search", "--expand", "صندوق النقد الدولي")
    assert f"+ 2019-04-09 · {MANAR}  [{WIRE_COPY}]  صندوق النقد الدولي يخفض" in expanded


def test_refiled_records_do_not_repeat(runner: CliRunner) -> None:
    result = search(runner, "-n", "50", "خط ملاحي جدة العقبة")
    assert ids(result)[0] == "refiled-economy"
    assert "refiled-localNews" not in ids(result)
    assert result["hits"][0]["similar"] == ["refiled-localNews"]


# -- spellings --------------------------------------------------------------------------


def test_one_spelling_of_a_name_finds_the_other(runner: CliRunner) -> None:
    trump = ids(search(runner, "ترمب"))
    assert TARIFFS in trump  # only spells it ترامب
    assert HELSINKI in trump
    assert HELSINKI in ids(search(runner, "ترامب"))
    putin = ids(search(runner, "بوتين"))
    assert {HELSINKI, SOCHI, WORLD_CUP} <= set(putin)
    assert HELSINKI in ids(search(runner, "بوتن"))


def test_spellings_rank_as_one_name(runner: CliRunner) -> None:
    hits = search(runner, "ترمب")["hits"]
    scores = {h["id"]: h["score"] for h in hits}
    # Both articles name him in headline and lead: neither spelling is worth more.
    assert abs(scores[TARIFFS] - scores[HELSINKI]) < 0.15 * scores[HELSINKI]


def test_ordinary_words_get_no_variants(runner: CliRunner) -> None:
    words = search(runner, "--explain", "صندوق الدولي ترمب")["explain"]["words"]
    assert [w["variants"] for w in words] == [[], [], [{"word": "ترامب", "articles": 2}]]


# -- corrections and did you mean ----------------------------------------------------------


def test_a_misspelled_name_is_corrected_by_default(runner: CliRunner) -> None:
    result = search(runner, "ترانب")
    assert result["corrected"] == {"from": "ترانب", "to": "ترامب"}
    assert TARIFFS in ids(result)
    assert "suggestions" not in result  # the correction is no rare word to suggest for
    out = run(runner, "search", "ترانب")
    assert out.startswith("Showing results for ترامب. Search instead for ترانب: add --exact.")


def test_exact_searches_the_words_as_typed_and_suggests(runner: CliRunner) -> None:
    result = search(runner, "--exact", "ترانب")
    assert result["total"] == 0
    assert "corrected" not in result
    assert result["suggestions"] == ["ترامب"]
    out = run(runner, "search", "--exact", "ترانب")
    assert out.startswith("Did you mean: ترامب? (add --fuzzy to search with it)")


def test_only_the_misspelled_word_is_corrected_and_filters_stay(runner: CliRunner) -> None:
    result = search(runner, "صندوق النقد منضمة source:manar")
    assert result["corrected"] == {
        "from": "صندوق النقد منضمة source:manar",
        "to": "صندوق النقد منظمة source:manar",
    }
    assert {h["source"] for h in result["hits"]} <= {MANAR}


def test_a_word_two_edits_away_is_found_among_words_of_its_first_letters(
    runner: CliRunner,
) -> None:
    # Nothing one edit from ترانبب is in the archive; ترامب is two edits away: too far
    # to be corrected without asking.
    result = search(runner, "ترانبب")
    assert result["suggestions"] == ["ترامب"] and "corrected" not in result
    assert search(runner, "المتحدددة")["suggestions"] == ["المتحدة"]  # read past ال


def test_corrections_keep_the_surface_spelling(runner: CliRunner) -> None:
    assert search(runner, "منضمة")["corrected"]["to"] == "منظمة"  # ة, not the index's ه


def test_fuzzy_searches_with_the_suggestion(runner: CliRunner) -> None:
    result = search(runner, "--fuzzy", "ترانب")
    assert TARIFFS in ids(result)
    assert "corrected" not in result
    assert "Also searched for: ترامب." in run(runner, "search", "--fuzzy", "ترانب")


def test_batch_search_corrects_and_widens_as_interactive_search(
    runner: CliRunner, tmp_path: Path
) -> None:
    topics = tmp_path / "topics.tsv"
    topics.write_text("t1\tترانب\nt2\tPutin\nt3\tترامب و ليس بوتن\n", "utf-8")
    out = tmp_path / "run.txt"
    run(runner, "search", "--topics", str(topics), "--run", str(out))
    found: dict[str, set[str]] = {}
    for line in out.read_text("utf-8").splitlines():
        qid, _, docid, *_ = line.split()
        found.setdefault(qid, set()).add(docid)
    assert TARIFFS in found["t1"]
    assert {HELSINKI, WORLD_CUP} <= found["t2"]
    assert TARIFFS in found["t3"] and HELSINKI not in found["t3"]


def test_help_documents_corrections_operators_and_fields(runner: CliRunner) -> None:
    out = run(runner, "search", "--help")
    for text in ("--exact", "ليس is NOT", "المصدر:", "Trump finds ترامب"):
        assert text in out


def test_explain_names_the_correction(runner: CliRunner) -> None:
    assert "Corrected: ترانب → ترامب" in run(runner, "search", "--explain", "ترانب")


def test_numbers_and_latin_words_are_never_corrected(runner: CliRunner) -> None:
    for query in ("20199", "Trunp"):
        assert "corrected" not in search(runner, query)


def test_well_spelled_words_get_no_suggestion(runner: CliRunner) -> None:
    result = search(runner, "صندوق النقد")
    assert "suggestions" not in result and "corrected" not in result


# -- names in Latin letters, Arabic operators -------------------------------------------


def test_a_latin_name_finds_the_articles_that_spell_it_in_arabic(runner: CliRunner) -> None:
    result = search(runner, "--explain", "Putin")
    assert {HELSINKI, WORLD_CUP} <= set(ids(result))  # بوتن and بوتين
    assert "suggestions" not in result
    names = result["explain"]["words"][0]["names"]
    assert [n["word"] for n in names] == ["بوتين", "بوتن"]
    out = run(runner, "search", "--explain", "Trump")
    assert "written in the other script too: ترامب (2 articles), ترمب (1 articles)" in out


def test_a_latin_word_no_name_reads_into_stays_as_it_is(runner: CliRunner) -> None:
    assert search(runner, "--explain", "Qwrtx")["explain"]["words"][0]["names"] == []


def test_arabic_operators_exclude_and_require(runner: CliRunner) -> None:
    both = set(ids(search(runner, "ترامب")))
    assert {TARIFFS, HELSINKI} <= both
    without = set(ids(search(runner, "ترامب و ليس بوتن")))
    assert TARIFFS in without and HELSINKI not in without
    assert set(ids(search(runner, "ترامب و بوتن"))) == {HELSINKI}
    assert {TARIFFS, HELSINKI, WORLD_CUP} <= set(ids(search(runner, "ترامب أو بوتين")))


def test_arabic_field_names_filter(runner: CliRunner) -> None:
    result = search(runner, "ترامب المصدر: manar")
    assert ids(result) == [HELSINKI]
    titled = search(runner, "العنوان:هلسنكي")
    assert ids(titled) == [HELSINKI]


# -- explain ----------------------------------------------------------------------------


def test_explain_shows_tokens_fields_and_operators(runner: CliRunner) -> None:
    out = run(runner, "search", "--explain", "وللتحالف في ترمب source:manar")
    assert "  وللتحالف → normalized وللتحالف, terms تحالف" in out
    assert "  في → (stopword, ignored)" in out
    assert "other spellings searched too: ترامب (2 articles)" in out
    assert 'Filter: source "Al Manar Daily"' in out
    title_weight = f"title:تحالف ×{FIELD_BOOSTS['title']:g}"
    assert "text:تحالف" in out and title_weight in out and "exact:وللتحالف" in out
    assert "OR  (any" in out
    tree = search(runner, "--explain", "ترمب")["explain"]["query"]
    assert tree["op"] == "OR"


# -- show, similar, stats ---------------------------------------------------------------


def test_show_prints_the_whole_article(runner: CliRunner) -> None:
    out = run(runner, "show", WIRE_COPY)
    assert out.startswith(f"id:       {WIRE_COPY}\ndate:     2019-04-09\nsource:   {MANAR}\n")
    assert "\nصندوق النقد الدولي يخفض توقعاته لنمو اقتصادات المنطقة\n" in out
    assert "رسم صندوق النقد الدولي صورة أقل تفاؤلاً" in out
    assert f"similar:  {WIRE}" in out
    article = json.loads(run(runner, "show", "--json", WIRE_COPY))
    assert article["source"] == MANAR and article["category"] == "economy"
    assert (
        article["url"] == "https://almanardaily.example/economy/imf-cuts-regional-growth-forecast"
    )
    assert article["body"].startswith("رسم صندوق النقد الدولي")
    assert article["similar"] == [WIRE]


def test_show_unknown_id_names_problem_and_remedy(runner: CliRunner) -> None:
    out = run(runner, "show", "manar-2019-04-9999", code=1)
    assert out == (
        'Error: no article with id "manar-2019-04-9999" in this index. Ids that start the '
        f"same: {WIRE_COPY}. "
        'Find ids with "arshif search WORDS" (they are printed in brackets).\n'
    )


def test_similar_lists_related_articles_in_the_search_shape(runner: CliRunner) -> None:
    result = json.loads(run(runner, "similar", "--json", WIRE))
    assert set(result) >= {"query", "total", "hits"}
    found = ids(result)
    assert WIRE not in found and WIRE_COPY not in found  # itself and its copy are left out
    assert "data/txt/egypt-inflation-outlook.txt" in found[:3]  # growth forecasts too
    assert set(result["hits"][0]) >= {"id", "score", "title", "date", "source", "snippet"}
    run(runner, "similar", "nope", code=1)


def test_stats_summarize_the_archive(runner: CliRunner, index_dir: Path) -> None:
    stats = json.loads(run(runner, "stats", "--json"))
    assert stats["articles"] == 46
    assert stats["sources"][MANAR] == 5 and stats["sources"]["قناة المدار"] == 7
    assert (stats["first_date"], stats["last_date"]) == ("2018-02-18", "2019-12-03")
    # The PDF's text layer has no encoding; the feed and the CSV export are windows-1256.
    assert stats["encodings"] == {"utf-8": 20, "cp1256": 4, "unknown": 1, "utf-16-le": 1}
    assert stats["bytes"] > 100_000
    assert stats["groups"] == 2
    assert stats["updated"]
    out = run(runner, "stats")
    assert "Articles:    46 from 26 files" in out
    assert "Dates:       2018-02-18 … 2019-12-03 (14 undated)" in out
    assert (
        "Encodings:   utf-8 (20 files), cp1256 (4 files), unknown (1 file), utf-16-le (1 file)"
        in out
    )


# -- every command --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["search", "--json", "قمة"],
        ["show", "--json", WIRE],
        ["similar", "--json", WIRE],
        ["stats", "--json"],
        ["analyze", "--json", "قمة"],
    ],
)
def test_every_command_prints_one_json_document(runner: CliRunner, args: list[str]) -> None:
    out = run(runner, *args)
    json.loads(out)
    assert "\\u0" not in out


@pytest.mark.parametrize("command", ["search", "show", "similar", "stats"])
def test_commands_without_an_index_say_what_to_run(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARSHIF_INDEX", str(tmp_path / "none"))
    args = {"search": ["x"], "show": ["x"], "similar": ["x"], "stats": []}[command]
    result = CliRunner().invoke(main, [command, *args])
    assert result.exit_code == 1
    assert (
        result.output
        == f'Error: no index at {tmp_path / "none"}. Run "arshif index FOLDER" first.\n'
    )


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    run(runner, "search", "--sort", "random", "قمة", code=2)
    run(runner, "search", "--page", "0", "قمة", code=2)
    run(runner, "show", code=2)


def test_sorted_by_date_hits_have_no_score(runner: CliRunner) -> None:
    hits = search(runner, "--sort", "newest", "ترامب")["hits"]
    assert hits and all(h["score"] is None for h in hits)
    assert " 1.      -  " in run(runner, "search", "--sort", "newest", "ترامب")


# -- segments without dates or outlets ---------------------------------------------------


def test_a_batch_of_undated_articles_keeps_dates_and_outlets_in_their_place(
    tmp_path: Path,
) -> None:
    """A first run of undated articles without an outlet leaves a segment with no date or
    source values; Whoosh's column reader over several segments would then give the
    later articles' values to the wrong articles (or fail to seek)."""
    folder, index = tmp_path / "articles", tmp_path / "index"
    folder.mkdir()
    news = [  # six different stories, each naming the port
        "افتتاح رصيف جديد في ميناء العقبة لاستقبال السفن التجارية الكبيرة",
        "ارتفاع عدد الحاويات المناولة في ميناء العقبة خلال الربع الأول من العام",
        "وصول أول سفينة سياحية إلى ميناء العقبة بعد توقف دام عامين",
        "إضراب عمال التفريغ في ميناء العقبة احتجاجا على تأخر الرواتب",
        "توقيع اتفاقية لتوسعة ميناء العقبة بتمويل من بنك التنمية الإسلامي",
        "ضبط شحنة مخدرات مخبأة في حاوية أثاث داخل ميناء العقبة",
    ]
    undated = [{"id": f"undated-{i}", "title": news[i], "body": news[i]} for i in range(3)]
    (folder / "undated.jsonl").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in undated), "utf-8"
    )
    runner = CliRunner()
    run(runner, "index", "--index", str(index), str(folder))
    dated = [
        {"id": f"dated-{day}", "title": news[2 + day], "body": news[2 + day],
         "date": f"2019-0{month}-1{day}", "source": "قناة المدار"}
        for day, month in ((1, 5), (2, 5), (3, 6))
    ]  # fmt: skip
    (folder / "dated.jsonl").write_text(
        "\n".join(json.dumps(a, ensure_ascii=False) for a in dated), "utf-8"
    )
    run(runner, "index", "--index", str(index), str(folder))
    newest = json.loads(
        run(runner, "search", "--index", str(index), "--json", "--sort", "newest",
            "--facets", "ميناء")
    )  # fmt: skip
    assert ids(newest)[:3] == ["dated-3", "dated-2", "dated-1"]
    assert sorted(ids(newest)[3:]) == ["undated-0", "undated-1", "undated-2"]
    assert newest["facets"]["month"] == {"2019-05": 2, "2019-06": 1}
    assert newest["facets"]["source"] == {"قناة المدار": 3}
    stats = json.loads(run(runner, "stats", "--index", str(index), "--json"))
    assert (stats["first_date"], stats["last_date"]) == ("2019-05-11", "2019-06-13")
