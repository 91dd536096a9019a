"""`arshif check --repair`: rebuild a damaged index from the archive's files.

`files.json` records each indexed file with the folder (root) it was indexed from, so
a rebuild from those roots gives every article its id again. Files that are gone since
cannot be read again: their articles are listed as lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from arshif.indexer.article import ReadProblem
from arshif.indexer.errors import ArshifError, DamagedIndexError
from arshif.indexer.storage import store
from arshif.indexer.storage.writer import IndexSummary, update_index


class RepairImpossibleError(ArshifError):
    def __init__(self, index_dir: Path, reason: str) -> None:
        super().__init__(
            f"cannot repair the index at {index_dir}: {reason}. Rebuild it from the "
            f'archive\'s folders with "arshif index --rebuild --index {index_dir} FOLDER".'
        )


@dataclass
class RepairReport:
    summary: IndexSummary
    lost: list[tuple[str, int]] = field(default_factory=list)  # (file, articles)


def repair_index(
    index_dir: Path, on_problem: Callable[[ReadProblem], None] | None = None
) -> RepairReport:
    """Rebuild the index at `index_dir` from the roots its `files.json` records."""
    try:
        manifest = store.read_json(index_dir / store.MANIFEST_FILE, None)
    except DamagedIndexError as exc:
        raise RepairImpossibleError(index_dir, f"its {exc.path.name} {exc.what}") from exc
    if not isinstance(manifest, dict) or not manifest:
        raise RepairImpossibleError(index_dir, "it records no indexed files")
    roots = list(dict.fromkeys(Path(entry["root"]) for entry in manifest.values()))
    lost = [
        (path, int(entry.get("articles", 0)))
        for path, entry in sorted(manifest.items())
        if not Path(path).is_file()
    ]
    present = [root for root in roots if root.exists()]
    if not present:
        raise RepairImpossibleError(index_dir, "none of the folders it was indexed from exist")
    summary = update_index(index_dir, present, rebuild=True, on_problem=on_problem)
    return RepairReport(summary, lost)
