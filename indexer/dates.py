"""Publication dates as archives write them, read into plain calendar dates.

Dates are kept as written: `Sun, 18 Feb 2018 23:35:43 +0400` is 18 February whatever the
offset, because the day the outlet printed is the day a reader searches for.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import re

# Arabic-Indic (٠١٢…) and Extended Arabic-Indic (۰۱۲…, Persian/Urdu) digits to ASCII.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?", re.DOTALL)
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[T\s].*)?", re.DOTALL)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T.*)?", re.DOTALL)
_YEAR_MONTH = re.compile(r"(\d{4})(?:[-/](\d{1,2}))?")
_BOUND = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")

# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MILLISECONDS = 10**11


def parse_date(value: object) -> dt.date | None:
    """Read a date the way news archives write it; None when it cannot be read.

    >>> parse_date("Sun, 18 Feb 2018 21:35:43 +0400")
    datetime.date(2018, 2, 18)
    >>> parse_date("٢٩/٠٩/٢٠١٦")
    datetime.date(2016, 9, 29)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_number(value)
    if isinstance(value, str):
        return _from_text(value.translate(_DIGITS).strip())
    return None


def parse_date_bound(value: str, *, end: bool) -> dt.date:
    """Read a search filter bound: `2018`, `2018-03` or `2018-03-05`.

    A year or month names a span: its first day, or its last with `end=True`.

    >>> parse_date_bound("2018-02", end=True)
    datetime.date(2018, 2, 28)
    """
    match = _BOUND.fullmatch(value.translate(_DIGITS).strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = (int(part) if part else None for part in match.groups())
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return dt.date(year, month, last if end else 1)
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            f'invalid date "{value}": use YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2018-03-05'
        ) from None


def _from_number(value: float) -> dt.date | None:
    """A four-digit number is a year; anything else is Unix time (seconds or milliseconds)."""
    if isinstance(value, int) and 1000 <= value <= 9999:
        return dt.date(value, 1, 1)
    seconds = value / 1000 if abs(value) >= _MILLISECONDS else value
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        return None


def _from_text(text: str) -> dt.date | None:
    if match := _YMD.fullmatch(text) or _COMPACT.fullmatch(text):
        year, month, day = match.groups()
        return _date(year, month, day)
    if match := _DMY.fullmatch(text):
        day, month, year = match.groups()
        # Day first, as Arab and European outlets write it; 02/18/2018 can only be US order.
        return _date(year, month, day) or _date(year, day, month)
    if match := _YEAR_MONTH.fullmatch(text):
        year, month = match.groups()
        return _date(year, month or 1, 1)
    return _from_rfc2822(text)


def _from_rfc2822(text: str) -> dt.date | None:
    """`Sun, 18 Feb 2018 21:35:43 +0400` and `… GMT`, the calendar date as written."""
    try:
        parts = email.utils.parsedate_tz(text)
    except (ValueError, IndexError, TypeError):  # the parser trips on some malformed input
        return None
    return _date(*parts[:3]) if parts else None


def _date(year: int | str, month: int | str, day: int | str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
