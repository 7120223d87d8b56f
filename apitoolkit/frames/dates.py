"""Dates and datetimes: arguments and JSON values read as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from apitoolkit.exceptions import InvalidArgumentError

__all__ = ["all_midnight", "as_utc", "date_from_json", "datetime_from_json", "utc_timestamp"]

#: Words pandas reads as the current time: never a value an API sent.
_RELATIVE = frozenset({"now", "today"})


def as_utc(ts: pd.Timestamp) -> pd.Timestamp:
    """The Timestamp in UTC; a naive one is taken as UTC.

    Example:
        >>> as_utc(pd.Timestamp("2026-11-01 01:00", tz="Europe/Paris"))
        Timestamp('2026-11-01 00:00:00+0000', tz='UTC')
    """
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)


def utc_timestamp(value: str | date | datetime | pd.Timestamp, *, name: str = "value") -> pd.Timestamp:
    """Any date-like value as a UTC-aware Timestamp (naive values are taken as UTC).

    Raises:
        InvalidArgumentError: ``value`` is not a date or is missing; the message names the argument ``name``.

    Example:
        >>> utc_timestamp("2026-11-01")
        Timestamp('2026-11-01 00:00:00+0000', tz='UTC')
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise InvalidArgumentError(
            f"{name}={value!r} is not a date or datetime: use 'YYYY-MM-DD', a datetime or a pandas Timestamp."
        ) from None
    if ts is pd.NaT:
        raise InvalidArgumentError(f"{name} is missing: give a date or datetime.")
    return as_utc(ts)


def datetime_from_json(value: Any) -> datetime | None:
    """The UTC datetime a JSON value gives: ISO text (naive is UTC) or milliseconds since the epoch; else None.

    Raises:
        ValueError: Text pandas cannot read as a datetime.
        OverflowError: A number or date out of range.

    Example:
        >>> datetime_from_json("2026-01-02T03:04:05+01:00"), datetime_from_json(""), datetime_from_json(True)
        (datetime.datetime(2026, 1, 2, 2, 4, 5, tzinfo=datetime.timezone.utc), None, None)
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float) or value in _RELATIVE:
        return None
    ts = pd.Timestamp(value, unit="ms") if isinstance(value, int | float) else pd.Timestamp(value)
    if ts is pd.NaT:  # "", "NaT", "nan", the int64 minimum
        return None
    return as_utc(ts).to_pydatetime()


def date_from_json(value: Any) -> date | None:
    """The date an ISO text starts with (a datetime's time is dropped); None for any other JSON value.

    Raises:
        ValueError: Text that does not start with an ISO date.

    Example:
        >>> date_from_json("2026-01-02T23:00:00Z"), date_from_json(20260102)
        (datetime.date(2026, 1, 2), None)
    """
    return date.fromisoformat(value[:10]) if isinstance(value, str) else None


def all_midnight(stamps: pd.Series) -> bool:
    """Whether every present value of a datetime column falls on midnight (in its own zone): calendar dates.

    Example:
        >>> all_midnight(pd.Series(pd.to_datetime(["2025-06-14", None], utc=True)))
        True
    """
    present = stamps.dropna()
    return bool((present == present.dt.normalize()).all())
