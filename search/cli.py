"""The `arshif` command: a thin layer that parses options, calls the library, renders.

Library errors (`ArshifError`) become "Error: …" and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from arshif.indexer.article import ReadProblem
from arshif.indexer.dates import parse_date_bound
from arshif.indexer.errors import ArshifError, IndexAccessError
from arshif.indexer.storage import store
from arshif.search import output
from arshif.search.batch import write_run
from arshif.search.engine import SORTS, Archive, Filters
from arshif.search.errors import DEBUG_ENV, UnexpectedFailure

if TYPE_CHECKING:  # the writer and its readers load only when a command indexes
    from arshif.indexer.storage.writer import IndexSummary, Progress


def _use_color(stream: Any) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def index_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=store.INDEX_ENV,
        show_envvar=True,
        help="Index folder (default: a per-user data folder).",
    )(func)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors, and operating-system errors no check foresaw, into a one-line
    message and exit code 1; any other failure, which damage the cheap checks on opening
    cannot see may cause (bytes flipped inside a large file), into one that names the
    index and `arshif check` (the traceback with `ARSHIF_DEBUG=1`)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArshifError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            raise click.ClickException(str(IndexAccessError(exc))) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            index_dir = _resolve_index(kwargs.get("index_dir"))
            raise click.ClickException(str(UnexpectedFailure(exc, index_dir))) from exc

    return wrapper


def _resolve_index(index_dir: Path | None) -> Path:
    return index_dir if index_dir is not None else store.default_index_dir()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arshif")
def main() -> None:
    """arshif: search engine for archives of Arabic news.

    \b
    Example:
      arshif index ~/news
      arshif search "التحالف الدولي"
    """


class _ProgressBar:
    """On a terminal: input read (with ETA), files, articles and articles/s; else nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.shown = 0
        self.started = time.monotonic()

    def _label(self, progress: Progress | None) -> str:
        if progress is None:
            return ""
        rate = progress.articles / max(time.monotonic() - self.started, 1e-3)
        return (
            f"{progress.files_done}/{progress.files_total} files, "
            f"{progress.articles:,} articles, {rate:,.0f}/s"
        )

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(progress.bytes_total, 1),
                label="Indexing",
                file=sys.stderr,
                show_pos=False,
                show_percent=True,
                show_eta=True,
                item_show_func=self._label,
            )
            self.bar.__enter__()
        self.bar.update(progress.bytes_done - self.shown, progress)
        self.shown = progress.bytes_done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _summary_line(summary: IndexSummary) -> str:
    s = summary
    return (
        f"Indexed {s.articles_added} articles from {s.new_files + s.changed_files} files "
        f"({s.new_files} new, {s.changed_files} changed, {s.unchanged_files} unchanged, "
        f"{s.deleted_files} deleted; {s.articles_removed} articles removed; "
        f"{len(s.problems)} problems) in {s.seconds:.1f}s. "
        f"{s.articles_total} articles in {s.index_dir}."
    )


def _warn(problem: ReadProblem) -> None:
    click.echo(f"warning: {problem}", err=True)


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Build the index anew instead of updating it.")
@click.option("--jobs", "-j", type=click.IntRange(1), help="Worker processes (default: cores).")
@click.option("--strict", is_flag=True, help="Exit 1 if any file could not be read.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--pdf-pages",
    is_flag=True,
    help="One article per PDF page (newspaper issues), for the PDFs read in this run.",
)
@reports_errors
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    jobs: int | None,
    strict: bool,
    as_json: bool,
    pdf_pages: bool,
) -> None:
    """Index the articles in PATHS (folders are read recursively).

    Reads .txt, .json, .jsonl, .html, TREC/SGML, RSS/Atom feeds and CSV/TSV files,
    gzipped or not, web archives (.warc, .warc.gz, .arc, .arc.gz), .docx, .odt and .pdf.
    Only files that changed since the last run are read again; what is skipped (images,
    unknown files, web-archive records that are no article) is counted at the end.

    \b
    Example:
      arshif index ~/news/2018 ~/news/2019.jsonl.gz
    """
    from arshif.indexer.readers.skips import summarize
    from arshif.indexer.storage.writer import update_index  # ~0.1 s of imports the searches skip

    bar = _ProgressBar(enabled=not as_json and sys.stderr.isatty())
    try:
        summary = update_index(
            _resolve_index(index_dir),
            paths,
            rebuild=rebuild,
            jobs=jobs,
            on_progress=bar,
            on_problem=_warn,
            pdf_pages=pdf_pages,
        )
    finally:
        bar.close()
    if summary.upgraded:
        click.echo(
            "note: the index was written by another version of arshif and held only files "
            "under these paths; it was rebuilt from them.",
            err=True,
        )
    if as_json:
        click.echo(
            output.dumps(
                {
                    "index": summary.index_dir,
                    "new_files": summary.new_files,
                    "changed_files": summary.changed_files,
                    "unchanged_files": summary.unchanged_files,
                    "deleted_files": summary.deleted_files,
                    "articles_added": summary.articles_added,
                    "articles_removed": summary.articles_removed,
                    "articles": summary.articles_total,
                    "problems": [str(p) for p in summary.problems],
                    "skipped": [
                        {"path": s.path, "reason": s.reason, "record": s.locator or None}
                        for s in summary.skipped
                    ],
                    "seconds": round(summary.seconds, 3),
                    "rebuilt_from_another_version": summary.upgraded,
                }
            )
        )
    else:
        click.echo(_summary_line(summary))
        if summary.skipped:
            click.echo(summarize(summary.skipped))
    if strict and summary.problems:
        raise click.ClickException(
            f"{len(summary.problems)} files or records could not be read (--strict)."
        )


class DateBound(click.ParamType):
    """A --from/--to date: YYYY, YYYY-MM or YYYY-MM-DD (a span's first or last day)."""

    name = "DATE"

    def __init__(self, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date_bound(str(value), end=self.end)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document (Arabic unescaped)."
    )(func)


def page_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results."
    )(func)
    return click.option(
        "-n",
        "--limit",
        default=10,
        show_default=True,
        type=click.IntRange(1, 1000),
        help="Results per page.",
    )(func)


@main.command("search")
@click.argument("query", nargs=-1)
@index_option
@page_options
@click.option("--from", "date_from", type=DateBound(end=False), help="Only articles from DATE on.")
@click.option("--to", "date_to", type=DateBound(end=True), help="Only articles up to DATE.")
@click.option(
    "--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable)."
)
@click.option("--category", "categories", multiple=True, metavar="NAME", help="Only this category.")
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Best matches first, or by date.",
)
@click.option("--facets", is_flag=True, help="Count matches per source, category and month.")
@click.option("--expand", is_flag=True, help="List the copies grouped under each hit.")
@click.option(
    "--exact", is_flag=True, help="Search the words as typed: no correction of misspellings."
)
@click.option(
    "--fuzzy", is_flag=True, help="Search rare words as typed and their suggested spellings."
)
@click.option("--explain", is_flag=True, help="Show how the query was parsed and analyzed.")
@json_option
@click.option(
    "--topics",
    type=click.File("r", encoding="utf-8"),
    help="Batch mode: read 'qid<TAB>query' lines from this file.",
)
@click.option(
    "--run",
    "run_file",
    type=click.File("w", encoding="utf-8"),
    help="Batch mode: write a TREC run (qid Q0 docid rank score arshif) here.",
)
@click.option(
    "-k",
    "depth",
    default=100,
    show_default=True,
    type=click.IntRange(1),
    help="Batch mode: results per topic.",
)
@reports_errors
def search_command(
    query: tuple[str, ...],
    index_dir: Path | None,
    limit: int,
    page: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    sources: tuple[str, ...],
    categories: tuple[str, ...],
    sort: str,
    facets: bool,
    expand: bool,
    exact: bool,
    fuzzy: bool,
    explain: bool,
    as_json: bool,
    topics: TextIO | None,
    run_file: TextIO | None,
    depth: int,
) -> None:
    """Search the archive for QUERY and print the best articles first.

    Words may take any surface form: التحالف also finds وللتحالف and التَّحالُف, and a
    name finds its other spellings (ترمب finds ترامب) and, typed in Latin letters, its
    Arabic ones (Trump finds ترامب). A misspelled word is searched as the archive spells
    it ("Showing results for …"); --exact searches the words as typed.

    Whoosh's query language works: "exact phrase", AND, OR, NOT, title:word; and so do
    the filters source:"BBC Arabic", category:sport, date:2018-03,
    date:[2018-03-01 TO 2018-05-31], date:>2018-06. In Arabic, outside a question:
    و (standing alone) is AND, أو is OR, ليس is NOT, and المصدر: القسم: التاريخ:
    العنوان: are source: category: date: title:. Copies of one story are shown once,
    with "+N similar".

    \b
    Example:
      arshif search "داعش واشنطن"
      arshif search ترامب --source "BBC Arabic" --from 2018-03 --to 2018-05 --facets
      arshif search 'قمة source:"Sky News Arabia" date:2018-07' --sort newest --page 2
      arshif search "سوريا و ليس التحالف"
      arshif search "النفط أو الغاز المصدر: BBC التاريخ:2018-03"
      arshif search Macron
      arshif search --topics questions.tsv --run run.txt -k 100
    """
    if topics or run_file:
        if not (topics and run_file):
            raise click.UsageError("--topics and --run go together.")
        with Archive(_resolve_index(index_dir)) as archive:
            count = write_run(archive, topics, run_file, depth)
        click.echo(f"Wrote {count} topics to {run_file.name}.", err=True)
        return
    text = " ".join(query).strip()
    filters = Filters(date_from, date_to, sources, categories)
    if not text and not filters:
        raise click.UsageError("give a QUERY to search for.")
    if date_from and date_to and date_from > date_to:
        raise click.UsageError(f"--from {date_from} is after --to {date_to}.")
    with Archive(_resolve_index(index_dir)) as archive:
        result = archive.search(
            text,
            limit=limit,
            page=page,
            filters=filters,
            sort=sort,
            facets=facets,
            fuzzy=fuzzy,
            exact=exact,
        )
        copies = archive.copies(result.hits) if expand and not as_json else None
    if as_json:
        click.echo(output.dumps(output.result_json(result, explain=explain)))
        return
    color = _use_color(sys.stdout)
    blocks = []
    if explain:
        blocks.append(output.render_explain(result))
    blocks.append(output.render_result(result, color=color, copies=copies))
    if result.facets is not None:
        blocks.append(output.render_facets(result.facets))
    click.echo("\n\n".join(blocks))


@main.command("show")
@click.argument("article_id", metavar="ID")
@index_option
@json_option
@reports_errors
def show_command(article_id: str, index_dir: Path | None, as_json: bool) -> None:
    """Print one whole article: headline, date, source, url, path and body.

    ID is the id printed in brackets by "arshif search".

    \b
    Example:
      arshif show AL-economy-1049-20180315
      arshif show AL-economy-1049-20180315 --json
    """
    with Archive(_resolve_index(index_dir)) as archive:
        article = archive.article(article_id)
    if as_json:
        click.echo(output.dumps(output.article_json(article)))
    else:
        click.echo(output.render_article(article, color=_use_color(sys.stdout)))


@main.command("similar")
@click.argument("article_id", metavar="ID")
@index_option
@page_options
@json_option
@reports_errors
def similar_command(
    article_id: str, index_dir: Path | None, limit: int, page: int, as_json: bool
) -> None:
    """List the articles most like article ID (more-like-this on its analyzed text).

    The article's own recorded copies are left out; "arshif show ID" lists them.

    \b
    Example:
      arshif similar AL-economy-1049-20180315 -n 5
    """
    with Archive(_resolve_index(index_dir)) as archive:
        result = archive.similar(article_id, limit=limit, page=page)
        brief = archive.brief(article_id) or {}
    if as_json:
        click.echo(output.dumps(output.result_json(result)))
        return
    click.echo(f"Most like [{article_id}] {brief.get('title', '')}\n")
    click.echo(output.render_result(result, color=_use_color(sys.stdout)))


@main.command("stats")
@index_option
@json_option
@reports_errors
def stats_command(index_dir: Path | None, as_json: bool) -> None:
    """Summarize the index: articles, sources, date range, size, encodings, last update.

    \b
    Example:
      arshif stats
      arshif stats --json
    """
    with Archive(_resolve_index(index_dir)) as archive:
        stats = archive.stats()
    if as_json:
        click.echo(output.dumps(stats))
    else:
        click.echo(output.render_stats(stats))


@main.command("check")
@index_option
@click.option("--repair", is_flag=True, help="Rebuild a damaged index from the archive's files.")
@json_option
@reports_errors
def check_command(index_dir: Path | None, repair: bool, as_json: bool) -> None:
    """Verify every file of the index; exit 0 when it is sound, 1 when not.

    Reads every byte against its checksum and compares the index's parts (article
    counts, ids, stored texts, groups). With --repair, a damaged index is rebuilt from
    the files it was indexed from, and the articles of files now gone are listed.

    \b
    Example:
      arshif check
      arshif check --repair
    """
    from arshif.indexer.storage.verify import check_index

    target = _resolve_index(index_dir)
    report = check_index(target)
    repaired = None
    if repair and not report.sound:
        from arshif.indexer.storage.repair import repair_index

        repaired = repair_index(target, on_problem=_warn)
        report = check_index(target)
    if as_json:
        click.echo(output.dumps(output.check_json(report, repaired)))
    else:
        click.echo(output.render_check(report, repaired))
    if not report.sound:
        sys.exit(1)


@main.command("analyze")
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
def analyze_command(text: tuple[str, ...], as_json: bool) -> None:
    """Show the index terms each word of TEXT becomes, and why a match happens or not.

    \b
    Example:
      arshif analyze "وللتحالف الدَّوْلِيّ"
    """
    rows = output.analysis_json(" ".join(text))
    if as_json:
        click.echo(output.dumps(rows))
        return
    width = max((len(r["word"]) for r in rows), default=0)
    for r in rows:
        result = "(stopword)" if r["stopword"] else " | ".join(r["terms"]) or "(nothing)"
        click.echo(f"{r['word']:<{width}}  →  {result}")


@main.command("serve")
@index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 opens the archive to the whole network.",
)
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@reports_errors
def serve_command(index_dir: Path | None, host: str, port: int) -> None:
    """Serve a search page for browsers and an HTTP API (under /api/) for programs.

    Read-only. The server picks up an "arshif index" run's changes without a restart.

    \b
    Example:
      arshif serve            # then open http://127.0.0.1:8080/
      arshif serve --port 9000 --index ~/news-index
    """
    from arshif.search.web.server import ALL_INTERFACES, listen, server, url  # loads FastAPI

    target = _resolve_index(index_dir)
    Archive(target).close()  # no usable index: the usual message now, not on each request
    if host in ALL_INTERFACES:
        click.echo(
            f"warning: listening on every network interface ({host}): anyone who can reach "
            "this machine can read the archive. Use --host 127.0.0.1 to keep it local.",
            err=True,
        )
    sock = listen(host, port)
    click.echo(f"Serving {target} at {url(sock)} (Ctrl+C to stop).", err=True)
    server(target).run(sockets=[sock])
