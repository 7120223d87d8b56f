"""Checks for the arguments of public functions: a bad value raises `InvalidArgumentError` before any request.

Every check returns the value in the one form the caller uses (an ``int`` id, a UTC ``Timestamp``, a query
parameter's text) or raises `InvalidArgumentError` with a message that names the argument and says what it
accepts. Messages show the value given (shortened), so credentials never go through these checks.

Dates are strict: a `datetime.date`, a `datetime.datetime`, a pandas ``Timestamp``, a NumPy ``datetime64`` or
an ISO 8601 string (``"2026-11-01"``, ``"2026-11-01T10:00:00Z"``), from `FIRST_YEAR` to `LAST_YEAR`. A number
is never read as a date: pandas would take ``20261101`` for nanoseconds after 1970.

Date ranges (`as_range`, used by every loader that takes ``start`` and ``end``, and by ``apitoolkit fetch
--start/--end``) mean the same everywhere:

- ``start`` is inclusive; a date-only ``start`` means that day's midnight (UTC).
- A date-only ``end`` (a `datetime.date`, an ISO string without a time such as ``"2026-12-02"``, or a NumPy
  ``datetime64`` in days) includes that whole day: everything before the next midnight (UTC).
- An ``end`` with a time (a `datetime.datetime`, a pandas ``Timestamp``, ``"2026-12-02T10:00:00Z"``) is exact:
  everything up to and including that instant. ``pd.Timestamp("2026-12-02")`` is a datetime, so it means
  midnight exactly.
- Resources dated by day (user metrics, expiration dates) include every day from ``start``'s to ``end``'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from numbers import Integral, Real
from typing import TYPE_CHECKING, Literal

from apitoolkit.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DATE_RANGE",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_ID",
    "DateRange",
    "FilterKind",
    "as_count",
    "as_flag",
    "as_id",
    "as_optional_flag",
    "as_range",
    "as_seconds",
    "as_text",
    "as_timestamp",
    "as_zone",
    "filter_value",
    "is_bool",
    "shown",
]

#: The first and last years a date argument may name: wide enough for any record, narrow enough that date
#: arithmetic on them (a default range, weekly windows) never overflows pandas' timestamps (1677-2262).
FIRST_YEAR = 1900
LAST_YEAR = 2100
DATE_RANGE = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
#: The largest id a query may name (a signed 64-bit integer, as every service stores them).
MAX_ID = 2**63 - 1

_DATE_FORMS = (
    "a date, a datetime, a pandas Timestamp or an ISO 8601 string such as '2026-11-01' or '2026-11-01T10:00:00Z'"
)

#: What a filter accepts: ``text`` (text or whole numbers), ``bool`` (True/False), ``date`` (dates), ``any``
#: (all of these: for endpoints whose filters apitoolkit does not know, which the API checks itself).
FilterKind = Literal["text", "bool", "date", "any"]
_ACCEPTS: dict[str, str] = {
    "text": "text or a whole number",
    "bool": "True, False or text",
    "date": "a date, a datetime, a pandas Timestamp or text (such as '2026-11-01')",
    "any": "text, a whole number, True/False or a date",
}


def shown(value: object) -> str:
    """``repr(value)``, shortened to 60 characters, for a message."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def is_bool(value: object) -> bool:
    """Whether ``value`` is True or False (a Python or NumPy boolean).

    Example:
        >>> is_bool(True), is_bool(1)
        (True, False)
    """
    kind = type(value)
    return isinstance(value, bool) or (kind.__module__ == "numpy" and kind.__name__ in {"bool", "bool_"})


def as_flag(value: object, name: str) -> bool:
    """``value`` when it is True or False.

    Raises:
        InvalidArgumentError: Anything else (``"no"`` and ``0`` included: they would read as a choice).

    Example:
        >>> as_flag(False, "refresh")
        False
    """
    if is_bool(value):
        return bool(value)
    raise InvalidArgumentError(f"{name}={shown(value)} is not True or False: pass {name}=True or {name}=False.")


def as_optional_flag(value: object, name: str) -> bool | None:
    """``value`` when it is True, False or None (None: let apitoolkit decide).

    Example:
        >>> as_optional_flag(None, "progress") is None
        True
    """
    if value is None or is_bool(value):
        return None if value is None else bool(value)
    raise InvalidArgumentError(
        f"{name}={shown(value)} is not True, False or None: pass {name}=True, {name}=False, "
        f"or None to let apitoolkit decide."
    )


def as_id(value: object, name: str) -> int:
    """A record id given as a whole number or a string of ASCII digits.

    Raises:
        InvalidArgumentError: A bool, a negative or fractional number, an empty string, a string with anything
            but the digits 0-9 (``"²"`` and ``"١٢"`` are digits to Python, not to an API), or anything else.

    Example:
        >>> as_id("12", "organization_id"), as_id(12, "organization_id")
        (12, 12)
    """
    number: int | None = None
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            number = int(value)
    elif not is_bool(value) and (isinstance(value, Integral) or (isinstance(value, float) and value.is_integer())):
        number = int(value)
    if number is None or not 0 <= number <= MAX_ID:
        raise InvalidArgumentError(
            f"{name}={shown(value)} is not a numeric id: give a whole number of 0 or more (such as 12) "
            "or a string of the digits 0-9 (such as '12')."
        )
    return number


def as_count(value: object, name: str, *, minimum: int = 1, example: int = 6) -> int:
    """A whole number of at least ``minimum`` (not a bool, a float or a string).

    Example:
        >>> as_count(4, "max_workers")
        4
    """
    if is_bool(value) or not isinstance(value, Integral) or int(value) < minimum:
        raise InvalidArgumentError(
            f"{name}={shown(value)} is not a whole number of {minimum} or more: give one such as {name}={example}."
        )
    return int(value)


def as_seconds(value: object, name: str, *, zero: bool = False, example: float = 60) -> float:
    """A finite number of seconds, more than 0 (or 0 and more, with ``zero``); not a bool or a string.

    Example:
        >>> as_seconds(30, "timeout")
        30.0
    """
    number = float(value) if isinstance(value, Real) and not is_bool(value) else math.nan
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero):
        least = "0 or more" if zero else "more than 0"
        raise InvalidArgumentError(
            f"{name}={shown(value)} is not a number of seconds: give a finite number {least}, such as "
            f"{name}={example:g}."
        )
    return number


def as_text(value: object, name: str, *, what: str = "a non-empty text", example: str, hint: str = "") -> str:
    """``value`` stripped of surrounding spaces, when it is a non-empty str.

    Args:
        value: The value given.
        name: The argument, for the message.
        what: What the argument is, for the message (``"an IT Glue list endpoint"``).
        example: A value it accepts, for the message.
        hint: A sentence added to the message (where to find the accepted values).

    Example:
        >>> as_text(" configurations ", "name", example="configurations")
        'configurations'
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(
            f"{name}={shown(value)} is not {what}: give one as text, such as {example!r}.{' ' + hint if hint else ''}"
        )
    return value.strip()


def as_zone(tz: object, name: str = "tz") -> str:
    """A time zone argument (``"UTC"``, ``"Europe/Berlin"``, a tzinfo) as its name; else `InvalidArgumentError`.

    Example:
        >>> as_zone("Europe/Berlin")
        'Europe/Berlin'
    """
    import pandas as pd

    try:
        pd.Timestamp("2026-01-01", tz=tz)  # zoneinfo and pytz names, and tzinfo objects, as pandas reads them
    except Exception:  # each zone library raises its own type for an unknown name
        raise InvalidArgumentError(
            f"{name}={tz!r} is not a time zone: use a name such as 'UTC', 'Europe/London' or 'America/New_York' (an "
            "IANA time zone name)."
        ) from None
    return str(tz)


def as_timestamp(value: object, name: str) -> pd.Timestamp:
    """A date argument as a UTC-aware Timestamp (naive values are taken as UTC), strictly.

    Accepts a `datetime.date`, a `datetime.datetime`, a pandas ``Timestamp``, a NumPy ``datetime64`` or an
    ISO 8601 string, from `FIRST_YEAR` to `LAST_YEAR`.

    Raises:
        InvalidArgumentError: A number (never read as a date), a bool, bytes, a string that is not ISO 8601,
            a missing value (``NaT``), a date outside `DATE_RANGE`, or anything else.

    Example:
        >>> as_timestamp("2026-11-01", "start")
        Timestamp('2026-11-01 00:00:00+0000', tz='UTC')
        >>> as_timestamp(date(2026, 11, 1), "start") == as_timestamp("2026-11-01T00:00:00Z", "start")
        True
    """
    import numpy as np
    import pandas as pd

    parsed: datetime | date | np.datetime64
    if isinstance(value, str):
        text = value.strip()
        try:
            if not text.isascii():
                raise ValueError(text)
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidArgumentError(
                f"{name}={shown(value)} is not a date in ISO 8601 form: use 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SSZ', "
                f"such as '2026-11-01' (or a date, a datetime or a pandas Timestamp)."
            ) from None
    elif isinstance(value, date | np.datetime64):
        parsed = value
    elif is_bool(value) or isinstance(value, Real):
        what = "True or False" if is_bool(value) else "a number"
        raise InvalidArgumentError(
            f"{name}={shown(value)} is {what}, not a date: numbers are never read as dates; use {_DATE_FORMS}."
        )
    else:
        raise InvalidArgumentError(f"{name}={shown(value)} is not a date: use {_DATE_FORMS}.")
    if pd.isna(parsed):
        raise InvalidArgumentError(f"{name} is missing (NaT): give {_DATE_FORMS}, or leave {name} out.")
    try:
        stamp = pd.Timestamp(parsed)
    except (ValueError, OverflowError):
        stamp = None
    if stamp is None or not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        raise InvalidArgumentError(
            f"{name}={shown(value)} is outside the dates apitoolkit accepts: give one from {DATE_RANGE}."
        )
    return stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp.tz_convert(UTC)


def _date_only(value: object) -> bool:
    """Whether a date argument names a day without a time (a `date`, ``"2026-12-02"``, a ``datetime64[D]``)."""
    import numpy as np

    if isinstance(value, str):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return False
        return True
    if isinstance(value, np.datetime64):
        return np.datetime_data(value.dtype)[0] in {"D", "W", "M", "Y"}
    return isinstance(value, date) and not isinstance(value, datetime)


@dataclass(frozen=True)
class DateRange:
    """A checked ``start``/``end`` pair (see the module docstring): what a loader asks for and keeps.

    Attributes:
        start: The first instant included (UTC), or None for no lower bound.
        end: The upper bound (UTC), or None for none: the instant given (included), or for a date-only end
            the next midnight (excluded).
        end_is_date: Whether ``end`` was given as a day without a time (its whole day is included).
    """

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    end_is_date: bool = False

    @property
    def end_inclusive(self) -> bool:
        """Whether ``end`` itself is included (an exact end), rather than the first instant excluded."""
        return not self.end_is_date

    @property
    def last_day(self) -> date | None:
        """The last calendar day (UTC) with anything included, for resources dated by day."""
        if self.end is None:
            return None
        return (self.end - timedelta(days=1)).date() if self.end_is_date else self.end.date()

    def contains(self, stamps: pd.Series) -> pd.Series:
        """Which of the UTC ``stamps`` fall inside the range (a boolean Series).

        Example:
            >>> import pandas as pd
            >>> r = as_range("2026-12-01", "2026-12-02")
            >>> r.contains(pd.Series(pd.to_datetime(["2026-12-02 23:59", "2026-12-03 00:00"], utc=True))).tolist()
            [True, False]
        """
        inside = stamps.notna()
        if self.start is not None:
            inside &= stamps >= self.start
        if self.end is not None:
            inside &= (stamps <= self.end) if self.end_inclusive else (stamps < self.end)
        return inside


def as_range(start: object, end: object) -> DateRange:
    """``start`` and ``end`` (either may be None) as a `DateRange`: a date-only ``end`` includes its whole day.

    Each side is read by `as_timestamp` (so the same values are accepted and refused).

    Raises:
        InvalidArgumentError: A bound `as_timestamp` refuses, or ``start`` after ``end`` (the range is empty).

    Example:
        >>> r = as_range("2026-11-28", "2026-12-02")
        >>> r.end, r.end_is_date, r.last_day
        (Timestamp('2026-12-03 00:00:00+0000', tz='UTC'), True, datetime.date(2026, 12, 2))
        >>> as_range(None, "2026-12-02T10:00:00Z").end
        Timestamp('2026-12-02 10:00:00+0000', tz='UTC')
    """
    lo = as_timestamp(start, "start") if start is not None else None
    hi = as_timestamp(end, "end") if end is not None else None
    whole_day = hi is not None and _date_only(end)
    if hi is not None and whole_day:
        hi = hi.floor("D") + timedelta(days=1)
    if lo is not None and hi is not None and (lo >= hi if whole_day else lo > hi):
        shown_end = f"{end}" if whole_day else f"{hi:%Y-%m-%d %H:%M:%S}"
        raise InvalidArgumentError(
            f"start ({lo:%Y-%m-%d %H:%M:%S}) is after end ({shown_end}): the range is empty; swap them."
        )
    return DateRange(lo, hi, whole_day)


def _filter_text(name: str, value: object, kind: FilterKind, accepts: str, service: str) -> str:
    """One filter value as query text, or the reason it is refused as an `InvalidArgumentError`."""
    if is_bool(value):
        if kind in {"bool", "any"}:
            return "true" if value else "false"
    elif isinstance(value, str):
        if value.strip():
            return value.strip()
        raise InvalidArgumentError(f"filter {name}={value!r} is empty: give {accepts}, or leave {name} out.")
    elif isinstance(value, Integral):
        if kind in {"text", "any"}:
            return str(int(value))
    elif isinstance(value, date) and kind in {"date", "any"}:
        as_timestamp(value, f"filter {name}")
        return value.isoformat()
    raise InvalidArgumentError(f"filter {name}={shown(value)} is not a value {service} accepts: use {accepts}.")


def filter_value(
    name: str, value: object, *, kind: FilterKind = "text", service: str = "the API", many: bool = True
) -> str:
    """A filter's value as query text; with ``many``, a list (tuple, set, Series) of values means "any of".

    Args:
        name: The filter, for messages.
        value: The value given.
        kind: What the filter accepts (`FilterKind`).
        service: The service's title, for messages.
        many: Whether a list of values (joined with commas) is accepted.

    Raises:
        InvalidArgumentError: Bytes, a dict, None or a nested list inside a list, an empty list or text,
            a value of a kind the filter does not accept; the message names the filter and what it accepts.

    Example:
        >>> filter_value("id", [3, "4"]), filter_value("primary", True, kind="bool")
        ('3,4', 'true')
    """
    accepts = f"{_ACCEPTS[kind]}{', or a list of them (any of)' if many else ''}"
    if isinstance(value, str | bytes | bytearray | memoryview | Mapping | date) or not isinstance(value, Iterable):
        if isinstance(value, bytes | bytearray | memoryview):
            raise InvalidArgumentError(
                f"filter {name}={shown(value)} is bytes, which {service} cannot filter by: use {accepts} "
                "(decode bytes to text first)."
            )
        if isinstance(value, Mapping):
            raise InvalidArgumentError(f"filter {name}={shown(value)} is a dict: {service} takes {accepts}.")
        return _filter_text(name, value, kind, accepts, service)
    if not many:
        raise InvalidArgumentError(f"filter {name}={shown(value)} is a list: {service} takes one value, {accepts}.")
    texts: list[str] = []
    try:
        items = list(value)
    except TypeError:  # iterable in name only, such as a 0-d NumPy array
        raise InvalidArgumentError(
            f"filter {name}={shown(value)} is not a value {service} accepts: use {accepts}."
        ) from None
    for item in items:
        if item is None or isinstance(item, bytes | bytearray | memoryview | Mapping):
            why = "None" if item is None else f"{type(item).__name__} ({shown(item)})"
            raise InvalidArgumentError(f"filter {name}={shown(value)} holds {why}: each item must be {_ACCEPTS[kind]}.")
        if not isinstance(item, str | date) and isinstance(item, Iterable):
            raise InvalidArgumentError(
                f"filter {name}={shown(value)} holds a list inside the list: give one flat list of {_ACCEPTS[kind]}."
            )
        texts.append(_filter_text(name, item, kind, accepts, service))
    if not texts:
        raise InvalidArgumentError(f"filter {name}= is an empty list: give at least one value or leave it out.")
    return ",".join(sorted(texts) if isinstance(value, set | frozenset) else texts)
