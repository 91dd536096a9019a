"""The web app: a search page and its JSON twin, for every view of `arshif`.

Each view runs once and renders twice (Datasette's way): under `/api/` as the same JSON
as the CLI's `--json`, and as a page (`/?q=…`, `/articles/ID`, `/stats`) from the same
result. Errors are the CLI's messages: JSON under `/api/`, a page elsewhere,
with 400 for a bad request, 404 for an unknown article and 503 when there is no usable
index. Every route is a GET: the server is read-only.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from arshif.indexer.errors import (
    ArshifError,
    IncompatibleIndexError,
    NoIndexError,
    UnsafeIndexError,
)
from arshif.search import output
from arshif.search.engine import Archive, SearchResult
from arshif.search.errors import BadParameterError, UnknownArticleError
from arshif.search.web.live import LiveArchive
from arshif.search.web.pages import Bar, chart, templates
from arshif.search.web.params import SearchParams, check_paging, check_text

WEB = Path(__file__).parent
# The article text is escaped by the templates; this forbids scripts on top of that.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
SIMILAR_ON_PAGE = 10


def search_params(
    q: Annotated[str, Query(description="The query, in arshif's query language.")] = "",
    date_from: Annotated[
        str, Query(alias="from", description="Only articles from this date on: YYYY[-MM[-DD]].")
    ] = "",
    date_to: Annotated[
        str, Query(alias="to", description="Only articles up to this date: YYYY[-MM[-DD]].")
    ] = "",
    source: Annotated[list[str], Query(description="Only this source (repeatable).")] = [],  # noqa: B006
    category: Annotated[list[str], Query(description="Only this category (repeatable).")] = [],  # noqa: B006
    sort: Literal["relevance", "newest", "oldest"] = "relevance",
    page: Annotated[int, Query(description="Page of results.")] = 1,
    n: Annotated[int, Query(description="Results per page.")] = 10,
    facets: Annotated[bool, Query(description="Count matches by source, category, month.")] = False,
    fuzzy: Annotated[bool, Query(description="Also search suggested spellings.")] = False,
    exact: Annotated[bool, Query(description="Match the words' exact forms only.")] = False,
    explain: Annotated[bool, Query(description="Add how the query was analyzed.")] = False,
) -> SearchParams:
    return SearchParams(
        q, date_from, date_to, tuple(source), tuple(category), sort, page, n, facets, fuzzy,
        exact, explain,
    )  # fmt: skip


Params = Annotated[SearchParams, Depends(search_params)]
Page = Annotated[int, Query(description="Page of results.")]
PerPage = Annotated[int, Query(description="Results per page.")]


def run_search(archive: Archive, params: SearchParams) -> SearchResult:
    """`arshif search` with these parameters."""
    filters = params.filters()
    if not params:
        raise BadParameterError(
            "q", "give words to search for, or a filter (from, to, source, category)"
        )
    return archive.search(
        params.q,
        limit=params.per_page,
        page=params.page,
        filters=filters,
        sort=params.sort,
        facets=params.facets,
        fuzzy=params.fuzzy,
        exact=params.exact,
    )


def status_of(exc: ArshifError) -> int:
    if isinstance(exc, UnknownArticleError):
        return 404
    if isinstance(exc, NoIndexError | IncompatibleIndexError | UnsafeIndexError):
        return 503
    return 400


def create_app(index_dir: Path) -> FastAPI:
    """The app serving the index at `index_dir`, re-read whenever a run commits to it."""
    live = LiveArchive(index_dir)
    pages = templates()
    app = FastAPI(
        title="arshif",
        summary="Search an archive of Arabic news.",
        version=_version(),
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from the internet
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    def error_response(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "status": status}, status)
        return pages.TemplateResponse(
            request,
            "error.html",
            {"params": SearchParams(), "message": message, "status": status},
            status,
        )

    @app.exception_handler(ArshifError)
    def arshif_error(request: Request, exc: ArshifError) -> Response:
        return error_response(request, status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problem = exc.errors()[0]
        name = problem["loc"][-1]
        given = problem.get("input")
        shown = f' ("{given}" given)' if isinstance(given, str) else ""
        reason = problem["msg"][:1].lower() + problem["msg"][1:]
        return error_response(request, 400, f"bad {name}: {reason}{shown}.")

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {
            404: f"no page at {request.url.path}. The pages are /, /articles/ID and /stats; "
            "the API is described at /api/openapi.json.",
            405: "this server is read-only: only GET requests are answered.",
        }
        return error_response(request, exc.status_code, messages.get(exc.status_code, exc.detail))

    @app.exception_handler(Exception)
    def internal_error(request: Request, exc: Exception) -> Response:
        # The traceback goes to the server's log (uvicorn logs it), never to the client.
        return error_response(request, 500, "internal error; the server's log has the details.")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    # -- the API ---------------------------------------------------------------------

    @app.get("/api/search", tags=["api"])
    def api_search(params: Params) -> dict[str, Any]:
        """Search: the JSON of `arshif search --json`."""
        with live.use() as archive:
            result = run_search(archive, params)
        return output.result_json(result, explain=params.explain)

    @app.get("/api/articles/{article_id:path}/similar", tags=["api"])
    def api_similar(article_id: str, page: Page = 1, n: PerPage = 10) -> dict[str, Any]:
        """The articles most like this one: the JSON of `arshif similar --json`."""
        check_paging(page, n)
        with live.use() as archive:
            result = archive.similar(article_id, limit=n, page=page)
        return output.result_json(result)

    @app.get("/api/articles/{article_id:path}", tags=["api"])
    def api_article(article_id: str) -> dict[str, Any]:
        """One whole article: the JSON of `arshif show --json`."""
        with live.use() as archive:
            return output.article_json(archive.article(article_id))

    @app.get("/api/stats", tags=["api"])
    def api_stats() -> dict[str, Any]:
        """What the archive holds: the JSON of `arshif stats --json`."""
        with live.use() as archive:
            return archive.stats()

    @app.get("/api/analyze", tags=["api"])
    def api_analyze(text: str) -> list[dict[str, Any]]:
        """The index terms of each word of `text`: the JSON of `arshif analyze --json`."""
        return output.analysis_json(check_text("text", text))

    # -- the pages -------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def search_page(request: Request, params: Params) -> Response:
        with live.use() as archive:
            if not params:
                stats = archive.stats()
                return pages.TemplateResponse(
                    request,
                    "home.html",
                    {"params": params, "stats": stats, "bars": _month_bars(params, stats)},
                )
            result = run_search(archive, replace(params, facets=True))
            copies = archive.copies(result.hits)
        months = result.facets.month if result.facets else {}  # none for stopwords alone
        bars = chart(months, lambda label: _month_link(params, label))
        return pages.TemplateResponse(
            request,
            "search.html",
            {"params": params, "result": result, "copies": copies, "bars": bars},
        )

    @app.get("/articles/{article_id:path}", include_in_schema=False)
    def article_page(request: Request, article_id: str) -> Response:
        with live.use() as archive:
            article = archive.article(article_id)
            copies = archive.briefs(article.similar)
            similar = archive.similar(article_id, limit=SIMILAR_ON_PAGE)
        context = {
            "params": SearchParams(),
            "article": article,
            "copies": copies,
            "similar": similar,
        }
        return pages.TemplateResponse(request, "article.html", context)

    @app.get("/stats", include_in_schema=False)
    def stats_page(request: Request) -> Response:
        with live.use() as archive:
            stats = archive.stats()
        params = SearchParams()
        context = {"params": params, "stats": stats, "bars": _month_bars(params, stats)}
        return pages.TemplateResponse(request, "stats.html", context)

    return app


def _month_link(params: SearchParams, label: str) -> str:
    """The search narrowed to one month (or year) of the chart."""
    return params.link(date_from=label, date_to=label)


def _month_bars(params: SearchParams, stats: dict[str, Any]) -> list[Bar]:
    """The whole archive's coverage chart; a bar lists its month, newest first."""
    newest = replace(params, sort="newest")
    return chart(stats["months"], lambda label: _month_link(newest, label))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("arshif")
    except PackageNotFoundError:
        return "0"


__all__ = ["create_app"]
