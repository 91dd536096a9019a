"""Dates as the archives write them, and the bounds of search filters."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arshif.indexer.dates import parse_date, parse_date_bound

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2018-02-18", D(2018, 2, 18), id="iso-date"),
        pytest.param("2017-04-22T22:56:00+01:00", D(2017, 4, 22), id="iso-datetime-offset"),
        pytest.param("2017-04-22T00:30:00+05:00", D(2017, 4, 22), id="no-timezone-shift"),
        pytest.param("2017-01-22T185600", D(2017, 1, 22), id="iso-compact-time"),
        pytest.param("2018-02-18 09:15", D(2018, 2, 18), id="iso-space-time"),
        pytest.param("Sun, 18 Feb 2018 21:35:43 +0400", D(2018, 2, 18), id="rfc2822-offset"),
        pytest.param("Sun, 18 Feb 2018 23:35:43 -0800", D(2018, 2, 18), id="rfc2822-as-written"),
        pytest.param("Fri, 06 Apr 2018 10:00:00 GMT", D(2018, 4, 6), id="rfc2822-gmt"),
        pytest.param("29/09/2016", D(2016, 9, 29), id="dd-mm-yyyy"),
        pytest.param("02/18/2018", D(2018, 2, 18), id="mm-dd-yyyy-when-unambiguous"),
        pytest.param("2018/02/18", D(2018, 2, 18), id="yyyy-mm-dd-slashes"),
        pytest.param("20180218", D(2018, 2, 18), id="yyyymmdd"),
        pytest.param("2018-03", D(2018, 3, 1), id="year-month"),
        pytest.param("2018", D(2018, 1, 1), id="year"),
        pytest.param("٢٩/٠٩/٢٠١٦", D(2016, 9, 29), id="arabic-indic-digits"),
        pytest.param("۲۰۱۸-۰۳-۰۵", D(2018, 3, 5), id="extended-arabic-indic-digits"),
        pytest.param("  2018-02-18\n", D(2018, 2, 18), id="surrounding-space"),
        pytest.param(1519000000, D(2018, 2, 19), id="epoch-seconds"),
        pytest.param(1519000000000, D(2018, 2, 19), id="epoch-milliseconds"),
        pytest.param(2018, D(2018, 1, 1), id="year-int"),
        pytest.param(dt.datetime(2018, 2, 18, 23, 59), D(2018, 2, 18), id="datetime"),
        pytest.param(D(2018, 2, 18), D(2018, 2, 18), id="date"),
    ],
)
def test_parse_date(value: object, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "غير معروف", "yesterday", "31/02/2018", "2018-13-01", "0000-00-00", "Sun, 99 Feb 2018",
     None, True, [2018], float("nan"), 10**30],
)  # fmt: skip
def test_parse_date_gives_none_for_unreadable(value: object) -> None:
    assert parse_date(value) is None


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none()))
def test_parse_date_never_raises(value: object) -> None:
    assert parse_date(value) is None or isinstance(parse_date(value), dt.date)


@given(st.dates())
def test_parse_date_reads_every_iso_date(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2018", False, D(2018, 1, 1)),
        ("2018", True, D(2018, 12, 31)),
        ("2018-03", False, D(2018, 3, 1)),
        ("2018-03", True, D(2018, 3, 31)),
        ("2016-02", True, D(2016, 2, 29)),
        ("2018-02", True, D(2018, 2, 28)),
        ("2018-03-05", False, D(2018, 3, 5)),
        ("2018-03-05", True, D(2018, 3, 5)),
        ("٢٠١٨-٠٣", True, D(2018, 3, 31)),
    ],
)
def test_parse_date_bound(value: str, end: bool, expected: dt.date) -> None:
    assert parse_date_bound(value, end=end) == expected


@pytest.mark.parametrize("value", ["", "march", "18", "2018-13", "2018-02-30", "05/03/2018"])
def test_parse_date_bound_rejects_with_a_clear_message(value: str) -> None:
    message = f'invalid date "{value}": use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2018-03-05'
    with pytest.raises(ValueError) as raised:
        parse_date_bound(value, end=False)
    assert str(raised.value) == message
