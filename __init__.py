"""arshif: a search engine for archives of Arabic news.

The repository's `indexer/` and `search/` folders are installed as `arshif.indexer` and
`arshif.search`; this module is the library's front door:

>>> import arshif
>>> sorted(name for name in arshif.__all__)
['Archive', 'Article', 'Hit', 'IndexSummary', 'SearchResult', 'default_index_dir', 'index']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from arshif.indexer.storage.store import default_index_dir
from arshif.search.engine import Archive, Article, Hit, SearchResult

if TYPE_CHECKING:
    from arshif.indexer.article import ReadProblem
    from arshif.indexer.storage.writer import IndexSummary

__all__ = [
    "Archive",
    "Article",
    "Hit",
    "IndexSummary",
    "SearchResult",
    "default_index_dir",
    "index",
]


def index(
    *folders: str | PathLike[str],
    index_dir: str | PathLike[str] | None = None,
    rebuild: bool = False,
    on_problem: Callable[[ReadProblem], None] | None = None,
) -> IndexSummary:
    """Index (or bring up to date) the articles under `folders`; see `arshif index`.

    The indexing code loads only here, so a process that only searches never loads it.
    """
    from arshif.indexer.storage.writer import update_index

    paths: Iterable[Path] = [Path(folder) for folder in folders]
    target = Path(index_dir) if index_dir is not None else default_index_dir()
    return update_index(target, paths, rebuild=rebuild, on_problem=on_problem)


def __getattr__(name: str) -> object:
    if name == "IndexSummary":
        from arshif.indexer.storage.writer import IndexSummary

        return IndexSummary
    raise AttributeError(f"module 'arshif' has no attribute {name!r}")
