"""Where an index lives, and opening it safely.

An index is a folder holding Whoosh's files, `arshif.json` (format versions, encodings
seen, last update) and `files.json` (what was indexed from which file, for incremental
re-indexing). Both JSON files are replaced atomically, after Whoosh's own commit.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer.analysis.analyzer import ANALYZER_VERSION, ArabicAnalyzer
from indexer.errors import IncompatibleIndexError, NoIndexError, UnsafeIndexError
from indexer.schema import SCHEMA_VERSION, build_schema

INDEX_ENV = "ARSHIF_INDEX"
META_FILE = "arshif.json"
MANIFEST_FILE = "files.json"


def default_index_dir() -> Path:
    """`$ARSHIF_INDEX`, else the per-user data directory (`$XDG_DATA_HOME/arshif/index`)."""
    if env := os.environ.get(INDEX_ENV):
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "arshif" / "index"


def exists(index_dir: Path) -> bool:
    return (index_dir / META_FILE).is_file() and whoosh_index.exists_in(str(index_dir))


def read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return default


def write_json(path: Path, value: Any) -> None:
    """Write `value` to `path` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)


def _check_not_world_writable(index_dir: Path) -> None:
    for path in (index_dir, *index_dir.iterdir()):
        if path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UnsafeIndexError(str(path))


def open_index(index_dir: Path) -> Index:
    """Open an existing index, refusing unsafe or incompatible ones with a clear error."""
    if not exists(index_dir):
        raise NoIndexError(str(index_dir))
    _check_not_world_writable(index_dir)
    meta = read_json(index_dir / META_FILE, {})
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IncompatibleIndexError(str(index_dir), "written by another version of arshif")
    try:
        ix = whoosh_index.open_dir(str(index_dir))
        analyzer = ix.schema["text"].analyzer
    except Exception as exc:  # an unpicklable schema can fail in many ways
        raise IncompatibleIndexError(str(index_dir), f"its schema cannot be loaded: {exc}") from exc
    if not isinstance(analyzer, ArabicAnalyzer) or analyzer.version != ANALYZER_VERSION:
        raise IncompatibleIndexError(str(index_dir), "built with another analyzer version")
    return ix


def create_index(index_dir: Path) -> Index:
    """Create an empty index (replacing any index files already in the folder)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(index_dir, 0o755)
    ix = whoosh_index.create_in(str(index_dir), build_schema())
    write_json(index_dir / MANIFEST_FILE, {})
    write_json(
        index_dir / META_FILE,
        {"schema_version": SCHEMA_VERSION, "analyzer_version": ANALYZER_VERSION},
    )
    return ix
