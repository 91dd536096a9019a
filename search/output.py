"""Rendering results for people (terminal) and for scripts (JSON).

Arabic is printed in logical order and never reshaped: the terminal does bidi. Each hit
starts with its rank and score, a neutral start that keeps a terminal from flipping the
line.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from search.engine import Hit, SearchResult

_BOLD_YELLOW = "\x1b[1;33m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"
PLAIN_MARKS = ("[", "]")


def highlight(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    """Mark `spans` of `text`: bold colour on a terminal, brackets otherwise."""
    opening, closing = (_BOLD_YELLOW, _RESET) if color else PLAIN_MARKS
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], opening, text[start:end], closing]
        last = end
    out.append(text[last:])
    return "".join(out)


def _meta_line(hit: Hit) -> str:
    parts = [hit.date.isoformat() if hit.date else "", hit.source]
    return " · ".join(p for p in parts if p) or hit.id


def render_hit(hit: Hit, color: bool) -> str:
    dim, reset = (_DIM, _RESET) if color else ("", "")
    lines = [
        f"{hit.rank:>2}. {hit.score:6.2f}  {highlight(hit.title, hit.title_highlights, color)}",
        f"    {dim}{_meta_line(hit)}  [{hit.id}]{reset}",
    ]
    if hit.snippet.text:
        lines.append("    " + highlight(hit.snippet.text, hit.snippet.highlights, color))
    return "\n".join(lines)


def render_result(result: SearchResult, color: bool) -> str:
    if not result.hits:
        return f"No articles match {result.query!r}."
    first = result.hits[0].rank
    header = f"{result.total} articles match; showing {first}–{result.hits[-1].rank}."
    return "\n\n".join([header, *(render_hit(h, color) for h in result.hits)])


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "score": round(hit.score, 4),
        "title": hit.title,
        "date": _date(hit.date),
        "source": hit.source or None,
        "url": hit.url or None,
        "path": hit.path or None,
        "category": hit.category or None,
        "snippet": hit.snippet.text,
        "highlights": [list(s) for s in hit.snippet.highlights],
    }


def result_json(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "hits": [hit_json(h) for h in result.hits],
    }


def dumps(value: Any) -> str:
    """One JSON document, Arabic unescaped."""
    return json.dumps(value, ensure_ascii=False, indent=2)
