"""The index folder's small JSON files, written so that a crash leaves old or new, never half."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from arshif.indexer.errors import IncompatibleIndexError


def read_json(path: Path, default: Any) -> Any:
    """The JSON in `path`, `default` if there is no such file; a damaged file is an
    IncompatibleIndexError (its remedy, rebuilding, is the one that works)."""
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return default
    except (OSError, ValueError) as exc:
        reason = f"its {path.name} cannot be read: {exc}"
        raise IncompatibleIndexError(str(path.parent), reason) from exc


def write_json(path: Path, value: Any) -> None:
    """Write `value` to `path` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, path)
