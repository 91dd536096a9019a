"""What the HTML pages need beyond the JSON: templates, marked text, the coverage chart.

Templates are Jinja2 with autoescape on, and article text only ever reaches them as
plain strings: a scraped `<script>` or `onerror=` shows as text. Nothing in a template
is marked safe.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.templating import Jinja2Templates

from arshif.search.output import coverage, marked


def web_link(url: str) -> str | None:
    """`url` if a browser may follow it: http(s) only, never `javascript:` or `data:`.

    >>> web_link("https://www.bbc.com/arabic"), web_link(" JavaScript:alert(1)")
    ('https://www.bbc.com/arabic', None)
    """
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


@dataclass(frozen=True)
class Bar:
    """One bar of the coverage chart: a month (or a year), its count and its link."""

    label: str
    count: int
    x: float
    height: float
    href: str


CHART_WIDTH = 600.0
CHART_HEIGHT = 100.0


def chart(months: Mapping[str, int], link: Callable[[str], str]) -> list[Bar]:
    """Bars for the coverage histogram (months, or years over a long span), oldest on
    the left; `link(label)` is the URL that filters to that month or year."""
    rows = coverage(months)
    if not rows:
        return []
    top = max(count for _, count in rows) or 1
    step = CHART_WIDTH / len(rows)
    return [
        Bar(label, count, i * step, CHART_HEIGHT * count / top, link(label))
        for i, (label, count) in enumerate(rows)
    ]


def templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("arshif.search.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        marked=marked, web_link=web_link, chart_width=CHART_WIDTH, chart_height=CHART_HEIGHT
    )
    return Jinja2Templates(env=env)
