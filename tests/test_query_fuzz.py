"""No query string, however malformed, produces a traceback.

Through `Archive.search` a query either returns a result or raises an `ArshifError`
(whose message names the problem, e.g. an unreadable `date:`); through the `arshif search`
command it exits 0, or 1 with an "Error: …" line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arshif.indexer.errors import ArshifError
from arshif.indexer.storage.writer import update_index
from arshif.search.cli import main
from arshif.search.engine import Archive
from tests.conftest import DATA

SYNTAX = [
    '"', "'", "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO",
    "*", "**", "~", "~2", "^", "^2", ":", "::", "-", "+", "/", "\\", "<", ">", "=", "?", "؟",
    "title:", "source:", "category:", "date:", "body:", "text:", "exact:", "id:", "path:",
    "url:", "author:", "nosuchfield:", "date:[", "date:>", "date:<", "*:*", "title:*",
    "و", "أو", "او", "ليس", "المصدر:", "القسم:", "التاريخ:", "العنوان:", "المصدر :",
]  # fmt: skip
WORDS = ["داعش", "واشنطن", "التحالف", "الدَّوْلِيّ", "لداعش", "النفط", "٣٫٥", "2018", "x"]
WORDS += ["ترانب", "Trump", "Putin", "منضمة", "طفوان"]  # misspelled, and names in Latin letters
STOPWORDS = ["في", "من", "على", "إلى", "عن", "أن", "هذا", "التي", "و"]
PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~،؛؟«»…—")
CONTROLS = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u200f", "\u202e", "\ufeff", "\t"]

piece = st.one_of(
    st.sampled_from(SYNTAX + WORDS + STOPWORDS + PUNCTUATION + CONTROLS),
    st.text(max_size=6),
)
queries = st.one_of(
    st.lists(piece, max_size=12).map(" ".join),
    st.lists(piece, max_size=12).map("".join),
    st.text(max_size=80),
)

FUZZ = settings(
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HOSTILE = [
    '"داعش', 'داعش"', "(داعش", "داعش)", "[داعش", "{داعش TO", "AND", "OR", "NOT", "AND OR NOT",
    "NOT NOT NOT داعش", "داعش AND", "OR داعش", "title:", "source:", "date:", "title:(", "*",
    "**", "title:*", "*:*", "x" * 10_000, "داعش " * 2_500, "(" * 500 + "داعش", '"' * 501,
    "\x00\x01\x02", "داعش\x00واشنطن", " ".join(STOPWORDS), "!!! ... ؟؟؟ «»", "".join(PUNCTUATION),
    "\U0001f600", "ـــ", "ﻻ", "﷽", "date:[2018 TO", "date:abc", "date:[2018-01-01 TO 2018-13-45]",
    "داعش~", "داعش^", "داعش^abc", '"داعش واشنطن"~', '"a"~x', "ص" * 3_000 + "*", "\ud800",
]  # fmt: skip


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "index"
    update_index(folder, [DATA])
    return folder


@pytest.fixture(scope="module")
def archive(index_dir: Path):
    with Archive(index_dir) as opened:
        yield opened


def check_search(archive: Archive, text: str) -> None:
    try:
        result = archive.search(text, limit=5)
    except ArshifError as exc:  # a typed error is a message for the user, not a crash
        assert str(exc)
        return
    assert result.total >= 0
    assert len(result.hits) <= 5


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_query_through_archive(archive: Archive, text: str) -> None:
    check_search(archive, text)


@FUZZ
@given(text=queries)
def test_any_query_through_archive(archive: Archive, text: str) -> None:
    check_search(archive, text)


def check_cli(index_dir: Path, text: str, *options: str) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(index_dir), *options, "--", text])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{text!r}: {result.exception!r}"
    )
    assert "Traceback" not in result.output
    if not text.strip():
        assert result.exit_code == 2  # usage: no query given
    elif result.exit_code == 1:
        assert result.output.startswith("Error: "), result.output
    else:
        assert result.exit_code == 0, result.output


# Through the CLI too, but for the lone surrogate (no command line carries one) and the
# 3,000-letter word (the 10,000 characters stand for it). A giant query costs seconds
# (did-you-mean and proximity pairs grow with its size), so it is run in one form only.
CLI_HOSTILE = [q for q in HOSTILE if q not in ("\ud800", "ص" * 3_000 + "*")]


@pytest.mark.parametrize("text", CLI_HOSTILE, ids=range(len(CLI_HOSTILE)))
def test_hostile_query_through_cli(index_dir: Path, text: str) -> None:
    check_cli(index_dir, text)
    if len(text) < 1_000:
        check_cli(index_dir, text, "--json", "--explain")


@settings(FUZZ, max_examples=60)
@given(text=queries.filter(lambda t: "\ud800" not in t), options=st.sampled_from([(), ("--json",)]))
def test_any_query_through_cli(index_dir: Path, text: str, options: tuple[str, ...]) -> None:
    check_cli(index_dir, text, *options)
