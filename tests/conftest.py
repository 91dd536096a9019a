"""Shared fixtures: the repo's sample data and the shared corpora (when present)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import settings

from arshif.indexer.duplicates import BANDS, SIGNATURE_BYTES, Articles, _group_all, _Order, url_keys
from arshif.search.cli import main

# No example has a deadline: how fast a machine is never fails a test. CI (`.ci/run` sets
# ARSHIF_CI) replays the same examples every time, so a landing never depends on luck; a
# developer's runs keep drawing new ones, which is how bugs are found.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", settings.get_profile("dev"), derandomize=True)
settings.load_profile("ci" if os.environ.get("ARSHIF_CI") else "dev")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED = DATA / "seed" / "000_84b9d23c19d35bde.txt"
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"


def corpus_path(*parts: str) -> Path:
    """A path under ../shared/corpora, or skip the test when that folder is absent."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def run(runner: CliRunner, *args: str, code: int = 0) -> str:
    """Invoke `arshif ARGS` and return its output, asserting the exit code."""
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


# An article as grouping tests write one: id, signature, URL, day number (-1 for an
# undated article) and document number.
ArticleRow = tuple[str, bytes, str, int, int]


def articles_of(rows: Iterable[ArticleRow]) -> Articles:
    """The columns grouping reads (`duplicates.Articles`) of rows written by a test."""
    ids, signatures, urls, days, docnums = list(zip(*rows, strict=True)) or [()] * 5
    data = b"".join(sig or bytes(SIGNATURE_BYTES) for sig in signatures)
    return Articles(
        list(ids),
        np.frombuffer(data, "<u8").reshape(-1, BANDS),
        url_keys(urls),
        np.array(days, np.int64),
        np.array(docnums, np.int64),
    )


def all_groups(articles: Articles) -> list[list[str]]:
    """The groups of these articles, grouping every one: lists of ids, the leader
    (earliest article) first."""
    order = _Order(articles)
    return order.groups(_group_all(order))[0]
