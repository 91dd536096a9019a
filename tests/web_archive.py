"""The archive the web tests serve: data/ plus a scraped article carrying markup and script.

Shared by the API tests and the browser test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from arshif.indexer.storage.writer import update_index
from tests.conftest import DATA

HOSTILE_ID = "scraped-2018-06-0099"
HOSTILE_BODY = (
    "أعلنت وزارة السياحة افتتاح متحف الخزف في مدينة نابل. "
    "<script>alert(1)</script><img src=x onerror=alert(2)> "
    "وقال المدير إن المتحف يضم ألف قطعة من الخزف التونسي القديم <b>مفتوح"
)
HOSTILE = {
    "id": HOSTILE_ID,
    "title": 'افتتاح متحف الخزف <i onmouseover="alert(3)">في نابل',
    "body": HOSTILE_BODY,
    "date": "2018-06-20",
    "source": "Jawhara FM",
    "category": "culture",
    "url": "javascript:alert(4)",
}
# A story filed twice in data/jsonl/wire.jsonl: found by this query, with its copy.
STORY_QUERY = "صندوق النقد الدولي"
STORY_ID = "ana-2019-04-0602"
STORY_COPY = "manar-2019-04-3150"


def build_web_archive(root: Path) -> Path:
    """Index a copy of data/ with the hostile article under `root`; return the index."""
    data = root / "data"
    shutil.copytree(DATA, data)
    (data / "jsonl" / "scraped.jsonl").write_text(
        json.dumps(HOSTILE, ensure_ascii=False) + "\n", "utf-8"
    )
    index_dir = root / "index"
    update_index(index_dir, [data], jobs=1)
    return index_dir
