"""The HTTP API and the pages of `arshif serve`, through an in-process client.

The API must answer with exactly the JSON of the matching `arshif … --json` command, so
most tests ask both and compare. Bad input must come back as the CLI's message with a
4xx status, and article text must reach the page as text, never as markup.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import uvicorn
from click.testing import CliRunner
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.storage.writer import update_index
from arshif.search.engine import SORTS, Archive
from arshif.search.output import marked
from arshif.search.web.app import create_app
from arshif.search.web.params import SearchParams
from tests.conftest import run
from tests.web_archive import (
    HOSTILE_ID,
    STORY_COPY,
    STORY_ID,
    STORY_QUERY,
    build_web_archive,
)

SEED_ID = "data/seed/000_84b9d23c19d35bde.txt"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_archive(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def client(index_dir: Path) -> TestClient:
    with TestClient(create_app(index_dir)) as test_client:
        yield test_client


@pytest.fixture
def cli(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ARSHIF_INDEX", str(index_dir))
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def cli_json(runner: CliRunner, *args: str) -> Any:
    return json.loads(run(runner, *args, "--json"))


def api_json(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- the same JSON as the CLI -----------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "options"),
    [
        ({"q": "داعش واشنطن"}, []),
        ({"q": "التَّحالُف", "n": 2, "page": 2}, ["-n", "2", "--page", "2"]),
        ({"q": "ترامب", "facets": 1, "sort": "newest"}, ["--facets", "--sort", "newest"]),
        (
            {"q": "النفط", "source": ["Al Manar Daily", "قناة المدار"], "facets": 1},
            ["--source", "Al Manar Daily", "--source", "قناة المدار", "--facets"],
        ),
        (
            {"q": "مهرجان", "from": "2019-01", "to": "2019-12"},
            ["--from", "2019-01", "--to", "2019-12"],
        ),
        (
            {"q": "", "category": "economy", "sort": "oldest"},
            ["--category", "economy", "--sort", "oldest"],
        ),
        ({"q": "الاقتصاد", "fuzzy": 1, "explain": 1}, ["--fuzzy", "--explain"]),
        ({"q": STORY_QUERY}, []),
        ({"q": "ترانب"}, []),
        ({"q": "ترانب", "exact": 1}, ["--exact"]),
    ],
    ids=[
        "words",
        "paging",
        "facets-sort",
        "sources",
        "dates",
        "filter-only",
        "fuzzy-explain",
        "copies",
        "corrected",
        "exact",
    ],
)
def test_api_search_is_the_cli_json(
    client: TestClient, cli: CliRunner, params: dict[str, Any], options: list[str]
) -> None:
    api = api_json(client, "/api/search", **params)
    assert api == cli_json(cli, "search", params["q"], *options)
    assert api["total"] > 0 or "exact" in params
    if params["q"] == "ترانب":
        assert ("corrected" in api) != ("exact" in params)


def test_api_article_is_show_json_even_for_an_id_with_slashes(
    client: TestClient, cli: CliRunner
) -> None:
    api = api_json(client, f"/api/articles/{SEED_ID}")
    assert api == cli_json(cli, "show", SEED_ID)
    assert api["title"].startswith("واشنطن تايمز")


def test_api_similar_is_similar_json(client: TestClient, cli: CliRunner) -> None:
    api = api_json(client, f"/api/articles/{SEED_ID}/similar", n=3)
    assert api == cli_json(cli, "similar", SEED_ID, "-n", "3")
    assert len(api["hits"]) == 3 and SEED_ID not in {h["id"] for h in api["hits"]}


def test_api_stats_and_analyze_are_the_cli_json(client: TestClient, cli: CliRunner) -> None:
    stats = api_json(client, "/api/stats")
    assert stats == cli_json(cli, "stats")
    assert stats["articles"] == 45  # data/'s 44 and the hostile one
    text = "وللتحالف الدَّوْلِيّ في"
    analyzed = api_json(client, "/api/analyze", text=text)
    assert analyzed == cli_json(cli, "analyze", text)
    assert [row["stopword"] for row in analyzed] == [False, False, True]


def test_openapi_describes_every_api_route_and_the_search_parameters(client: TestClient) -> None:
    spec = api_json(client, "/api/openapi.json")
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/similar",
        "/api/stats",
        "/api/analyze",
    }
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert names == {
        "q", "from", "to", "source", "category", "sort", "page", "n", "facets", "fuzzy",
        "exact", "explain",
    }  # fmt: skip
    assert client.get("/docs").status_code == 404  # its page would load scripts from the web


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/api/search", {"q": ""}, 400, "bad q: give words to search for"),
        ("/api/search", {"q": "   "}, 400, "bad q: give words to search for"),
        ("/api/search", {"q": "خبر " * 2500}, 400, "bad q: 10,000 characters is longer than"),
        ("/api/search", {"q": "داعش", "page": 10**6}, 400, "bad page: pages are numbered 1 to"),
        ("/api/search", {"q": "داعش", "page": 500, "n": 100}, 400, "only the first 10,000"),
        ("/api/search", {"q": "داعش", "n": 0}, 400, "bad n: results per page must be"),
        ("/api/search", {"q": "داعش", "n": 10**4}, 400, "bad n: results per page must be"),
        ("/api/search", {"q": "داعش", "page": "ثلاثة"}, 400, "bad page:"),
        ("/api/search", {"q": "داعش", "sort": "random"}, 400, "bad sort:"),
        ("/api/search", {"q": "داعش", "from": "2018-13"}, 400, 'bad from: invalid date "2018-13"'),
        ("/api/search", {"q": "داعش", "from": "2019", "to": "2018"}, 400, "is after to=2018-12-31"),
        ("/api/search", {"q": "داعش", "source": "CNN"}, 400, 'no source "CNN" in this archive'),
        ("/api/search", {"q": "داعش date:2018-99"}, 400, 'cannot read "date:2018-99"'),
        ("/api/analyze", {"text": "أ" * 1001}, 400, "bad text: 1,001 characters"),
        ("/api/articles/no-such-article", {}, 404, 'no article with id "no-such-article"'),
        ("/api/articles/..%2F..%2Fetc%2Fpasswd", {}, 404, 'no article with id "../../etc/passwd"'),
        ("/api/articles/%2Fetc%2Fpasswd/similar", {}, 404, 'no article with id "/etc/passwd"'),
        ("/api/nothing-here", {}, 404, "no page at /api/nothing-here"),
    ],
    ids=[
        "empty-query", "blank-query", "10000-chars", "page-million", "past-10000", "n-zero",
        "n-huge", "page-not-a-number", "bad-sort", "bad-date", "from-after-to", "unknown-source",
        "bad-date-clause", "long-analyze", "unknown-id", "path-as-id", "path-as-id-similar",
        "unknown-route",
    ],
)  # fmt: skip
def test_bad_input_is_a_json_error_with_the_cli_message(
    client: TestClient, path: str, params: dict[str, Any], status: int, message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    body = response.json()
    assert body["status"] == status
    assert body["error"].startswith(message) or message in body["error"], body["error"]
    assert "root:" not in response.text and "Traceback" not in response.text


def test_the_server_is_read_only(client: TestClient) -> None:
    response = client.post("/api/search", params={"q": "داعش"})
    assert response.status_code == 405
    assert "read-only" in response.json()["error"]


@pytest.mark.parametrize(
    "path", ["/static/..%2Fapp.py", "/static/../app.py", "/static/%2E%2E/%2E%2E/web/app.py"]
)
def test_static_files_stay_in_their_folder(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "create_app" not in response.text
    assert client.get("/static/style.css").status_code == 200


def test_exact_is_accepted_for_the_query_language_of_issue_15(client: TestClient) -> None:
    assert api_json(client, "/api/search", q="داعش", exact=1)["total"] > 0


def test_an_internal_failure_shows_no_trace(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Archive) -> dict[str, Any]:
        raise RuntimeError(f"secret detail at {index_dir}")

    monkeypatch.setattr(Archive, "stats", broken)
    with TestClient(create_app(index_dir), raise_server_exceptions=False) as client:
        for path in ("/api/stats", "/stats"):
            response = client.get(path)
            assert response.status_code == 500
            assert "internal error" in response.text
            assert "secret" not in response.text and "Traceback" not in response.text


def test_a_missing_index_is_503_with_the_cli_message(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "none")) as client:
        response = client.get("/api/stats")
    assert response.status_code == 503
    assert response.json()["error"].startswith(f"no index at {tmp_path / 'none'}. Run ")


# -- article text stays text -------------------------------------------------------------


def test_markup_in_an_article_shows_as_text(client: TestClient) -> None:
    for path in (f"/articles/{HOSTILE_ID}", "/?q=متحف+الخزف", f"/articles/{HOSTILE_ID}"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.text
        assert "<script" not in page and "<img" not in page
        assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")
        assert 'onmouseover="' not in page and "<i " not in page and "<b>" not in page
    article = client.get(f"/articles/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in article
    assert 'href="javascript:' not in article  # the scraped url is shown, not linked
    assert "default-src 'none'" in client.get("/").headers["content-security-policy"]


# -- the pages ---------------------------------------------------------------------------


def test_results_page_has_highlights_facets_chart_and_folded_copies(client: TestClient) -> None:
    page = client.get("/", params={"q": STORY_QUERY}).text
    assert '<html dir="rtl" lang="ar">' in page
    assert "<mark>صندوق</mark>" in page
    assert f'href="/articles/{STORY_ID}"' in page
    copies = page[page.index('<details class="copies">') :]
    assert f'href="/articles/{STORY_COPY}"' in copies[: copies.index("</details>")]
    assert re.search(r'href="/\?q=[^"]*&amp;source=[^"]+"', page)  # an outlet facet
    month = re.search(r'<a href="(/\?[^"]*from=2019-04[^"]*)" class="bar"', page)
    assert month and "to=2019-04" in month.group(1)
    filtered = client.get(month.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200 and "2019-04-09" in filtered.text


def test_results_page_offers_the_correction_and_names_the_variants(client: TestClient) -> None:
    corrected = client.get("/", params={"q": "ترانب"}).text
    assert "عرض نتائج <bdi>ترامب</bdi>" in corrected and "<mark>ترامب</mark>" in corrected
    as_typed = re.search(r'<a href="([^"]*exact=1[^"]*)">ابحث بدلًا من ذلك عن', corrected)
    assert as_typed
    offered = client.get(as_typed.group(1).replace("&amp;", "&")).text
    assert "عرض نتائج" not in offered
    assert "هل تقصد: ترامب؟" in offered and "لا مقالات تطابق «ترانب»" in offered
    link = re.search(r'<a href="([^"]*fuzzy=1[^"]*)">', offered)
    assert link
    widened = client.get(link.group(1).replace("&amp;", "&")).text
    assert "بحثنا أيضًا عن: ترامب" in widened and "<mark>ترامب</mark>" in widened
    variants = client.get("/", params={"q": "ترمب"}).text
    assert re.search(r"«ترمب» تُكتب أيضًا:\s*ترامب \(\d+\)", variants)


@pytest.mark.parametrize("query", ["في", "من على", "؟!"], ids=["stopword", "stopwords", "marks"])
def test_a_query_of_nothing_searchable_is_an_empty_page(client: TestClient, query: str) -> None:
    response = client.get("/", params={"q": query})
    assert response.status_code == 200
    assert f"لا مقالات تطابق «{query}»" in response.text
    assert api_json(client, "/api/search", q=query)["total"] == 0


def test_the_forms_keep_the_rest_of_the_state(client: TestClient) -> None:
    params = {"q": "النفط", "source": "قناة المدار", "from": "2018", "fuzzy": 1, "n": 5}
    page = client.get("/", params=params).text
    search_form = page[page.index('<form class="search"') : page.index("</form>")]
    dates_form = page[page.index('<form class="dates"') :]
    dates_form = dates_form[: dates_form.index("</form>")]
    for form in (search_form, dates_form):
        assert '<input type="hidden" name="source" value="قناة المدار">' in form
        assert '<input type="hidden" name="fuzzy" value="1">' in form
        assert '<input type="hidden" name="n" value="5">' in form
    assert '<input type="hidden" name="from" value="2018">' in search_form
    assert '<input type="hidden" name="q" value="النفط">' in dates_form


def test_paging_links_stop_at_the_last_page_served(client: TestClient) -> None:
    pages = api_json(client, "/api/search", category="economy", n=1)["pages"]
    assert pages >= 4
    page = client.get("/", params={"category": "economy", "n": 1, "page": 2}).text
    numbers = {int(n) for n in re.findall(r'href="/\?[^"]*page=(\d+)[^"]*"', page)}
    assert numbers == set(range(3, pages + 1))  # page 1's link needs no page=
    assert 'rel="next"' in page and 'rel="prev"' in page
    last = client.get("/", params={"category": "economy", "n": 1, "page": pages}).text
    assert 'rel="next"' not in last
    assert SearchParams(per_page=100).last_page == 100 and SearchParams().last_page == 1000


def test_bad_query_on_a_page_is_an_html_error(client: TestClient) -> None:
    response = client.get("/", params={"q": "داعش", "from": "آذار"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Error: bad from: invalid date" in response.text


def test_home_article_and_stats_pages(client: TestClient) -> None:
    home = client.get("/").text
    assert "ابحث في 45 مقالًا" in home and "autofocus" in home
    article = client.get(f"/articles/{STORY_ID}").text
    assert "صندوق النقد الدولي يخفض توقعاته" in article
    assert f'href="/articles/{STORY_COPY}"' in article  # its copy
    similar = article[article.index('class="similar"') :]
    assert similar.count('<li><a href="/articles/') == 10
    stats = client.get("/stats").text
    assert "Al Manar Daily" in stats and 'class="bar"' in stats
    assert client.get("/articles/nope").status_code == 404


# -- re-indexing while serving -----------------------------------------------------------

NEW_ARTICLE = "زلزال يضرب جزيرة كريت اليونانية\n\nضرب زلزال بقوة ست درجات جزيرة كريت صباح اليوم."


def test_a_commit_while_serving_is_picked_up_without_restart(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    shutil.copytree(Path(__file__).parents[1] / "data" / "txt", news / "txt")
    index_dir = tmp_path / "index"
    update_index(index_dir, [news], jobs=1)
    with TestClient(create_app(index_dir)) as client:
        before = api_json(client, "/api/search", q="زلزال كريت")
        assert before["total"] == 0
        (news / "crete.txt").write_text(NEW_ARTICLE, "utf-8")
        update_index(index_dir, [news], jobs=1)
        after = api_json(client, "/api/search", q="زلزال كريت")
        assert [h["id"] for h in after["hits"]] == ["news/crete.txt"]
        (news / "crete.txt").unlink()
        update_index(index_dir, [news], jobs=1, rebuild=True)  # a rebuild swaps folders
        assert api_json(client, "/api/search", q="زلزال كريت")["total"] == 0
        assert api_json(client, "/api/stats")["articles"] == 10


# -- links carry the whole state ---------------------------------------------------------

_names = st.text(st.sampled_from("ابتثجحخدذرزسشصضطظعغفقكلمنهوي &=?#/+%\"'"), max_size=12)


@given(
    q=_names,
    sources=st.lists(_names.filter(bool), max_size=3).map(tuple),
    sort=st.sampled_from(SORTS),
    page=st.integers(1, 1000),
    fuzzy=st.booleans(),
)
def test_a_link_holds_every_changed_parameter(
    q: str, sources: tuple[str, ...], sort: str, page: int, fuzzy: bool
) -> None:
    params = SearchParams(q=q, sources=sources, sort=sort, fuzzy=fuzzy)
    query = parse_qs(urlsplit(params.link(page=page)).query, keep_blank_values=True)
    assert query.get("q", [""]) == [q]
    assert tuple(query.get("source", [])) == sources
    assert query.get("sort", ["relevance"]) == [sort]
    assert query.get("page", ["1"]) == [str(page)]
    assert ("fuzzy" in query) == fuzzy


# -- `arshif serve` ----------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Where `arshif serve` would have served: uvicorn's loop is replaced by a note of it."""
    addresses: list[tuple[str, int]] = []

    def note(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        addresses.extend(s.getsockname()[:2] for s in sockets)
        for s in sockets:
            s.close()

    monkeypatch.setattr(uvicorn.Server, "run", note)
    return addresses


def test_serve_binds_loopback_by_default(cli: CliRunner, served: list[tuple[str, int]]) -> None:
    out = run(cli, "serve", "--port", "0")
    assert served and served[0][0] == "127.0.0.1"
    assert f"at http://127.0.0.1:{served[0][1]}/" in out and "warning" not in out


def test_serve_warns_when_open_to_the_network(
    cli: CliRunner, served: list[tuple[str, int]]
) -> None:
    out = run(cli, "serve", "--host", "0.0.0.0", "--port", "0")
    assert served[0][0] == "0.0.0.0"
    assert "warning: listening on every network interface (0.0.0.0)" in out


def test_serve_errors_name_the_remedy(
    cli: CliRunner, served: list[tuple[str, int]], tmp_path: Path
) -> None:
    out = run(cli, "serve", "--index", str(tmp_path / "none"), code=1)
    assert out.startswith(f'Error: no index at {tmp_path / "none"}. Run "arshif index')
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        out = run(cli, "serve", "--port", str(port), code=1)
    assert out.startswith(f"Error: cannot serve on 127.0.0.1:{port} (")
    assert out.rstrip().endswith("Choose another port with --port.")
    assert not served


@given(
    text=st.text(st.sampled_from("ابت ثجح<>&\"'ـًّ"), max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=8, unique=True),
)
def test_marked_pieces_rebuild_the_text_with_the_spans_marked(text: str, cuts: list[int]) -> None:
    points = sorted(c for c in cuts if c <= len(text))
    spans = [(a, b) for a, b in zip(points[::2], points[1::2], strict=False) if a < b]
    pieces = marked(text, spans)
    assert "".join(piece for piece, _ in pieces) == text
    assert [piece for piece, hit in pieces if hit] == [text[a:b] for a, b in spans]
    assert all(piece for piece, _ in pieces)
