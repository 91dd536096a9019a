"""Rendering results for people (terminal) and for scripts (JSON).

Arabic is printed in logical order and never reshaped: the terminal does bidi. Each hit
starts with its rank and score, a neutral start that keeps a terminal from flipping the
line; metadata lines start with a date or a Latin label for the same reason.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from arshif.indexer.analysis.analyzer import analyze_word
from arshif.indexer.analysis.tokenize import words
from arshif.indexer.storage.verify import CheckReport, Finding
from arshif.search.engine import Article, Hit, SearchResult, WordReport
from arshif.search.facets import Facets

if TYPE_CHECKING:  # indexing modules load only when a command repairs
    from arshif.indexer.storage.repair import RepairReport

_BOLD_YELLOW = "\x1b[1;33m"
_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"
PLAIN_MARKS = ("[", "]")
BAR = "█"
BAR_WIDTH = 40
# Beyond this many months, the coverage histogram counts years instead.
MAX_MONTH_ROWS = 36


def marked(text: str, spans: Sequence[Sequence[int]]) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each with whether it is a match to highlight.

    >>> marked("قوات التحالف الدولي", [(5, 12)])
    [('قوات ', False), ('التحالف', True), (' الدولي', False)]
    """
    pieces, last = [], 0
    for start, end in spans:
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def highlight(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    """Mark `spans` of `text`: bold colour on a terminal, brackets otherwise."""
    opening, closing = (_BOLD_YELLOW, _RESET) if color else PLAIN_MARKS
    return "".join(
        f"{opening}{piece}{closing}" if hit else piece for piece, hit in marked(text, spans)
    )


def _meta_line(hit: Hit) -> str:
    """Date · source · [id]; articles from plain text files may have only the id."""
    parts = [hit.date.isoformat() if hit.date else "", hit.source]
    known = " · ".join(p for p in parts if p)
    return f"{known}  [{hit.id}]" if known else f"[{hit.id}]"


def _brief_line(brief: Mapping[str, Any]) -> str:
    date = brief["date"].isoformat() if brief.get("date") else "----------"
    source = f" · {brief['source']}" if brief.get("source") else ""
    return f"+ {date}{source}  [{brief['id']}]  {brief.get('title', '')}"


def render_hit(hit: Hit, color: bool, copies: Sequence[Mapping[str, Any]] | None = None) -> str:
    dim, reset = (_DIM, _RESET) if color else ("", "")
    similar = f"  +{len(hit.similar)} similar" if hit.similar else ""
    score = f"{hit.score:6.2f}" if hit.score is not None else "     -"
    lines = [
        f"{hit.rank:>2}. {score}  {highlight(hit.title, hit.title_highlights, color)}",
        f"    {dim}{_meta_line(hit)}{reset}{similar}",
    ]
    if hit.snippet.text:
        lines.append("    " + highlight(hit.snippet.text, hit.snippet.highlights, color))
    for brief in copies or ():
        lines.append(f"      {dim}{_brief_line(brief)}{reset}")
    return "\n".join(lines)


def header(result: SearchResult) -> str:
    first, last = result.hits[0].rank, result.hits[-1].rank
    grouped = f" ({result.stories} after grouping copies)" if result.stories != result.total else ""
    paging = f", page {result.page} of {result.pages}" if result.pages > 1 else ""
    return f"{result.total} articles match{grouped}; showing {first}–{last}{paging}."


def correction_line(typed: str, searched: str) -> str:
    """What was searched instead of a misspelled query, and how to search it as typed."""
    return f"Showing results for {searched}. Search instead for {typed}: add --exact."


def did_you_mean(result: SearchResult) -> str:
    words = ", ".join(s.surface for s in result.suggestions)
    if result.fuzzy:
        return f"Also searched for: {words}."
    return f"Did you mean: {words}? (add --fuzzy to search with it)"


def render_result(
    result: SearchResult,
    color: bool,
    copies: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> str:
    blocks: list[str] = []
    if result.corrected:
        blocks.append(correction_line(*result.corrected))
    if result.suggestions:
        blocks.append(did_you_mean(result))
    if not result.hits:
        if result.total and result.page > 1:
            blocks.append(
                f"{result.total} articles match, but page {result.page} is past the last "
                f"page ({result.pages}); ask for --page {result.pages} or less."
            )
        else:
            blocks.append(f"No articles match {result.query!r}.")
        return "\n\n".join(blocks)
    blocks.append(header(result))
    copies = copies or {}
    blocks += [render_hit(h, color, copies.get(h.id)) for h in result.hits]
    return "\n\n".join(blocks)


# -- facets -------------------------------------------------------------------------


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    out = []
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def coverage(months: Mapping[str, int]) -> list[tuple[str, int]]:
    """Rows of the coverage histogram: every month from first to last (gaps as 0), or
    years when that would be more than MAX_MONTH_ROWS rows."""
    if not months:
        return []
    keys = sorted(months)
    every = _months_between(keys[0], keys[-1])
    if len(every) <= MAX_MONTH_ROWS:
        return [(m, months.get(m, 0)) for m in every]
    years: dict[str, int] = {}
    for m in every:
        years[m[:4]] = years.get(m[:4], 0) + months.get(m, 0)
    return list(years.items())


def histogram(rows: Sequence[tuple[str, int]]) -> list[str]:
    """`2018-03  ████████▏ 120` lines, bars scaled to the largest count."""
    top = max((n for _, n in rows), default=0) or 1
    width = max(len(f"{n:,}") for _, n in rows) if rows else 1
    lines = []
    for label, n in rows:
        bar = BAR * round(BAR_WIDTH * n / top) if n else ""
        lines.append(f"  {label}  {n:>{width},}  {bar}")
    return lines


def _table(counts: Mapping[str, int], limit: int = 15) -> list[str]:
    items = list(counts.items())
    width = max((len(f"{n:,}") for _, n in items), default=1)
    lines = [f"  {n:>{width},}  {name}" for name, n in items[:limit]]
    if len(items) > limit:
        lines.append(f"  … {len(items) - limit} more")
    return lines


def render_facets(facets: Facets) -> str:
    lines = ["Sources:", *_table(facets.source)]
    lines += ["", "Categories:", *_table(facets.category)]
    lines += ["", "Coverage over time:", *histogram(coverage(facets.month))]
    return "\n".join(lines)


# -- explain ------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def query_tree(q: wq.Query) -> dict[str, Any]:
    """A Whoosh query as nested {"op", "children"} / {"field", "text", "boost"} dicts."""
    if isinstance(q, wq.Term):
        return {"field": q.fieldname, "text": _text(q.text), "boost": round(q.boost, 3)}
    if isinstance(q, wq.Phrase):
        return {
            "op": "PHRASE",
            "field": q.fieldname,
            "words": [_text(w) for w in q.words],
            "slop": q.slop,
            "boost": round(q.boost, 3),
        }
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return {"op": "WILDCARD", "field": q.fieldname, "text": _text(q.text) + "*"}
    if isinstance(q, wq.Every):
        return {"op": "EVERY"}
    if isinstance(q, wq.NumericRange):
        return {"op": "RANGE", "field": q.fieldname, "start": q.start, "end": q.end}
    name = {wq.Or: "OR", wq.And: "AND", wq.Not: "NOT", wq.AndNot: "AND NOT"}.get(
        type(q), type(q).__name__.upper()
    )
    node: dict[str, Any] = {"op": name, "children": [query_tree(c) for c in q.children()]}
    if isinstance(q, wq.Or) and getattr(q, "scale", None):
        node["coordination"] = q.scale
    return node


def _tree_lines(node: Mapping[str, Any], depth: int = 1) -> list[str]:
    pad = "  " * depth
    boost = f" ×{node['boost']:.3g}" if node.get("boost", 1.0) != 1.0 else ""
    if "op" not in node:
        return [f"{pad}{node['field']}:{node['text']}{boost}"]
    op = node["op"]
    if op == "PHRASE":
        slop = f" (within {node['slop']} words)" if node["slop"] > 1 else ""
        return [f'{pad}{node["field"]}:"{" ".join(node["words"])}"{slop}{boost}']
    if op == "WILDCARD":
        return [f"{pad}{node['field']}:{node['text']}"]
    if op == "EVERY":
        return [f"{pad}every article"]
    if op == "RANGE":
        return [f"{pad}{node['field']}: {node['start']} … {node['end']}"]
    note = ""
    if op == "OR" and node.get("coordination"):
        note = f"  (any; each further word matched adds {node['coordination']:g})"
    elif op == "OR":
        note = "  (any)"
    elif op == "AND":
        note = "  (all)"
    lines = [f"{pad}{op}{note}"]
    for child in node.get("children", []):
        lines += _tree_lines(child, depth + 1)
    return lines


def _word_json(r: WordReport) -> dict[str, Any]:
    return {
        "word": r.word,
        "normalized": r.normalized,
        "stopword": r.stopword,
        "terms": r.terms,
        "articles": r.articles,
        "variants": [{"word": v.word, "articles": v.df} for v in r.variants],
        "names": [{"word": n.word, "articles": n.df} for n in r.names],
        "suggestions": [s.surface for s in r.suggestions],
    }


def explain_json(result: SearchResult) -> dict[str, Any]:
    return {
        "words": [_word_json(r) for r in result.words],
        "filters": [f.as_json() for f in result.filters],
        "excluded": [f.as_json() for f in result.excluded],
        "sort": result.sort,
        "query": query_tree(result.parsed) if result.parsed is not wq.NullQuery else None,
    }


def render_explain(result: SearchResult) -> str:
    lines = [f"Query: {result.query}"]
    lines += [f"Corrected: {c.typed} → {c.to.surface}" for c in result.corrections]
    lines.append("Words:")
    for r in result.words:
        if r.stopword:
            lines.append(f"  {r.word} → (stopword, ignored)")
            continue
        lines.append(
            f"  {r.word} → normalized {r.normalized}, terms {' | '.join(r.terms)}"
            f" (exact form in {r.articles} articles)"
        )
        if r.variants:
            spelled = ", ".join(f"{v.word} ({v.df} articles)" for v in r.variants)
            lines.append(f"      other spellings searched too: {spelled}")
        if r.names:
            spelled = ", ".join(f"{n.word} ({n.df} articles)" for n in r.names)
            lines.append(f"      name, searched as written in the other script too: {spelled}")
        if r.suggestions:
            lines.append("      did you mean: " + ", ".join(s.surface for s in r.suggestions))
    if not result.words:
        lines.append("  (none)")
    for f in result.filters:
        lines += [f"Filter: {d}" for d in f.describe()]
    for f in result.excluded:
        lines += [f"Excluded: {d}" for d in f.describe()]
    lines.append(f"Sort: {result.sort}")
    lines.append("Parsed query (field:term ×weight):")
    if result.parsed is wq.NullQuery:
        lines.append("  nothing to search for")
    else:
        lines += _tree_lines(query_tree(result.parsed))
    return "\n".join(lines)


# -- JSON ---------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "score": round(hit.score, 4) if hit.score is not None else None,
        "title": hit.title,
        "date": _date(hit.date),
        "source": hit.source or None,
        "url": hit.url or None,
        "path": hit.path or None,
        "category": hit.category or None,
        "snippet": hit.snippet.text,
        "highlights": [list(s) for s in hit.snippet.highlights],
        "similar": hit.similar,
    }


def result_json(result: SearchResult, *, explain: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": result.query,
        "total": result.total,
        "stories": result.stories,
        "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "sort": result.sort,
        "hits": [hit_json(h) for h in result.hits],
    }
    if result.corrected:
        typed, searched = result.corrected
        out["corrected"] = {"from": typed, "to": searched}
    if result.suggestions:
        out["suggestions"] = [s.surface for s in result.suggestions]
    if result.facets is not None:
        out["facets"] = result.facets.as_json()
    if explain:
        out["explain"] = explain_json(result)
    return out


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "date": _date(article.date),
        "source": article.source or None,
        "category": article.category or None,
        "url": article.url or None,
        "path": article.path or None,
        "locator": article.locator or None,
        "author": article.author or None,
        "encoding": article.encoding or None,
        "body": article.body,
        "similar": article.similar,
    }


def analysis_json(text: str) -> list[dict[str, Any]]:
    """Each word of `text` with its normalized form and index terms, for `analyze`."""
    rows = []
    for word, _, _ in words(text):
        norm, stopped, terms = analyze_word(word)
        rows.append({"word": word, "normalized": norm, "stopword": stopped, "terms": list(terms)})
    return rows


def render_article(article: Article, color: bool) -> str:
    bold, reset = (_BOLD, _RESET) if color else ("", "")
    rows = [
        ("id", article.id),
        ("date", _date(article.date) or ""),
        ("source", article.source),
        ("category", article.category),
        ("author", article.author),
        ("url", article.url),
        ("path", f"{article.path}, {article.locator}" if article.locator else article.path),
        ("similar", ", ".join(article.similar)),
    ]
    lines = [f"{name + ':':<10}{value}" for name, value in rows if value]
    return "\n".join([*lines, "", f"{bold}{article.title}{reset}", "", article.body])


def render_stats(stats: Mapping[str, Any]) -> str:
    size = stats["bytes"]
    human = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
    span = f"{stats['first_date']} … {stats['last_date']}" if stats["first_date"] else "(no dates)"
    undated = f" ({stats['undated']:,} undated)" if stats["undated"] else ""
    files = "file" if stats["files"] == 1 else "files"
    lines = [
        f"Index:       {stats['index']}",
        f"Articles:    {stats['articles']:,} from {stats['files']:,} {files}",
        f"Dates:       {span}{undated}",
        f"Size:        {human} on disk",
        "Encodings:   "
        + (
            ", ".join(f"{e} ({n} file{'s' * (n != 1)})" for e, n in stats["encodings"].items())
            or "-"
        ),
        f"Groups:      {stats['groups']:,} stories filed more than once",
        f"Updated:     {stats['updated'] or 'unknown'}",
        "",
        "Sources:",
        *_table(stats["sources"], limit=50),
        "",
        "Categories:",
        *_table(stats["categories"], limit=50),
        "",
        "Coverage over time:",
        *histogram(coverage(stats["months"])),
    ]
    return "\n".join(lines)


def dumps(value: Any) -> str:
    """One JSON document, Arabic unescaped."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def check_json(report: CheckReport, repair: RepairReport | None) -> dict[str, Any]:
    """`arshif check --json`: the findings, file by file, and what a repair did."""

    def findings(items: Sequence[Finding]) -> list[dict[str, str]]:
        return [{"file": f.file, "problem": f.problem} for f in items]

    repaired = None
    if repair is not None:
        repaired = {
            "articles": repair.summary.articles_total,
            "lost_files": [{"path": p, "articles": n} for p, n in repair.lost],
        }
    return {
        "index": report.index_dir,
        "sound": report.sound,
        "articles": report.articles,
        "files": report.files,
        "problems": findings(report.problems),
        "notes": findings(report.notes),
        "repair": repaired,
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render_check(report: CheckReport, repair: RepairReport | None) -> str:
    lines = [f"{f.file or report.index_dir}: {f.problem}" for f in report.problems]
    lines += [f"note: {f.file}: {f.problem}" for f in report.notes]
    if repair is not None:
        lost = sum(n for _, n in repair.lost)
        lines.append(f"Rebuilt from the archive's files: {repair.summary.articles_total} articles.")
        lines += [f"lost: {path} ({n} articles): the file is gone" for path, n in repair.lost]
        if lost:
            lines.append(f"{lost} articles could not be recovered.")
    if report.sound:
        lines.append(
            f"The index at {report.index_dir} is sound: {report.articles} articles, "
            f"{report.files} files checked."
        )
    else:
        problems = _count(len(report.problems), "problem")
        lines.append(
            f"The index at {report.index_dir} is damaged ({problems}). "
            f'Run "arshif check --repair --index {report.index_dir}" to rebuild it from '
            f"the archive's files."
        )
    return "\n".join(lines)
