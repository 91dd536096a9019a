"""Typed errors of the search layer; like the index layer's, each names problem and remedy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from arshif.indexer.errors import ArshifError

DEBUG_ENV = "ARSHIF_DEBUG"


class UnexpectedFailure(ArshifError):
    """A failure no check foresaw: most often damage inside a file that opening an index
    does not read whole, so the remedy is the full check."""

    def __init__(self, exc: Exception, index_dir: Path) -> None:
        super().__init__(
            f"arshif failed with the index at {index_dir} ({type(exc).__name__}: {exc}); "
            f'it may be damaged. "arshif check --index {index_dir}" verifies every file, '
            f"and --repair rebuilds what is damaged from the archive's files. "
            f"Set {DEBUG_ENV}=1 to see where it failed."
        )


class UnknownArticleError(ArshifError):
    def __init__(self, article_id: str, close: Sequence[str] = ()) -> None:
        hint = f" Ids that start the same: {', '.join(close)}." if close else ""
        super().__init__(
            f'no article with id "{article_id}" in this index.{hint} '
            f'Find ids with "arshif search WORDS" (they are printed in brackets).'
        )


class UnknownNameError(ArshifError):
    """A `--source`/`--category` (or `source:`/`category:`) value the archive does not have."""

    def __init__(self, kind: str, name: str, known: Sequence[str]) -> None:
        shown = ", ".join(f'"{k}"' for k in known[:12])
        more = f" and {len(known) - 12} more" if len(known) > 12 else ""
        listing = f"Known {kind}s: {shown}{more}." if known else f"The index records no {kind}s."
        super().__init__(
            f'no {kind} "{name}" in this archive. {listing} '
            f'Run "arshif stats" to see them with their counts.'
        )


class QueryDateError(ArshifError):
    def __init__(self, clause: str, reason: str) -> None:
        super().__init__(f'cannot read "{clause}" in the query: {reason}.')


class UnsupportedQueryError(ArshifError):
    def __init__(self, query: str) -> None:
        super().__init__(
            f"cannot search {query}: arshif searches words, phrases, prefixes (word*), "
            f"ranges ([a TO b]) and fields, joined by AND, OR, NOT, ANDMAYBE and REQUIRE."
        )


class BadParameterError(ArshifError):
    """A request parameter of the web page or API that cannot be used as given."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"bad {name}: {reason}.")


class AddressInUseError(ArshifError):
    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"cannot serve on {host}:{port} ({reason}). Choose another port with --port."
        )
