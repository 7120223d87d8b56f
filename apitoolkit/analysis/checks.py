"""What every analysis function checks first: required columns, time zones, the reference time, periods."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from apitoolkit.arguments import as_timestamp, as_zone
from apitoolkit.exceptions import InvalidArgumentError

__all__ = ["FREQUENCIES", "period_start", "reference_time", "require", "to_utc", "zone"]

# Granularity names the functions accept, and the pandas period each one starts on.
FREQUENCIES = {"day": "D", "week": "W-MON", "month": "MS"}


def require(frame: Any, columns: Iterable[str], *, what: str, loader: str) -> pd.DataFrame:
    """Check that ``frame`` is a DataFrame with ``columns``; raise a ValueError naming them and the loader.

    Args:
        frame: What the caller passed.
        columns: The columns the function reads.
        what: The function's name, for the message.
        loader: The loader that produces such a frame (``"apitoolkit.itglue.load_users()"``).

    Raises:
        InvalidArgumentError: (a ValueError) ``frame`` is not a DataFrame or lacks some of ``columns``.

    Example:
        >>> require(pd.DataFrame({"id": [1]}), ["id"], what="f", loader="load_users()").columns.tolist()
        ['id']
    """
    needed = list(columns)
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(
            f"{what} needs a DataFrame with columns {', '.join(needed)} (from {loader}), not {type(frame).__name__}."
        )
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InvalidArgumentError(
            f"{what} needs the columns {', '.join(needed)}; missing: {', '.join(missing)}. Load the data with {loader}."
        )
    return frame


def to_utc(values: pd.Series) -> pd.Series:
    """A column of datetimes as ``datetime64[us, UTC]``: naive values are taken as UTC, other zones converted.

    Mixed zones, strings, and all-missing columns work; unparseable values become NaT.

    Example:
        >>> to_utc(pd.Series(["2026-01-01 10:00", "2026-01-01T12:00:00+02:00"])).dt.hour.tolist()
        [10, 10]
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC").astype("datetime64[us, UTC]")
    converted = [_one_utc(v) for v in values.tolist()]
    return pd.Series(converted, index=values.index, dtype="datetime64[us, UTC]", name=values.name)


def _one_utc(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def zone(tz: Any) -> str:
    """Check a time zone name (``"UTC"``, ``"Europe/Berlin"``); raise InvalidArgumentError when unknown.

    Example:
        >>> zone("Europe/Berlin")
        'Europe/Berlin'
    """
    return as_zone(tz)


def reference_time(now: Any = None) -> pd.Timestamp:
    """``now`` as a UTC Timestamp (naive is UTC); the current time when None.

    Example:
        >>> reference_time("2026-11-23 09:00")
        Timestamp('2026-11-23 09:00:00+0000', tz='UTC')
    """
    return pd.Timestamp.now(tz="UTC") if now is None else as_timestamp(now, "now")


def period_start(times: pd.Series, freq: str, *, tz: str = "UTC") -> pd.Series:
    """The start of the day, ISO week (Monday) or month each time falls in, seen in ``tz``.

    Args:
        times: UTC-aware datetimes.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        tz: The zone the periods are cut in; the result is in that zone.

    Example:
        >>> t = pd.Series(pd.to_datetime(["2026-11-25 23:30"], utc=True))
        >>> period_start(t, "week").tolist()
        [Timestamp('2026-11-23 00:00:00+0000', tz='UTC')]
    """
    if freq not in FREQUENCIES:
        raise InvalidArgumentError(f"freq={freq!r}: use one of {', '.join(FREQUENCIES)}.")
    name = zone(tz)
    wall = to_utc(times).dt.tz_convert(name).dt.tz_localize(None).dt.normalize()  # calendar days, not 24 h steps
    if freq == "week":
        wall = wall - pd.to_timedelta(wall.dt.day_of_week, unit="D")
    elif freq == "month":
        wall = wall - pd.to_timedelta(wall.dt.day - 1, unit="D")
    return wall.dt.tz_localize(name, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")


def whole_numbers(values: pd.Series) -> pd.Series:
    """An id or count column as Int64, the loaders' dtype (missing values stay missing).

    Raises:
        InvalidArgumentError: A value that is not a whole number (names the column).

    Example:
        >>> whole_numbers(pd.Series(["3", None], name="id")).tolist()
        [3, <NA>]
    """
    try:
        return pd.to_numeric(values).astype("Int64")
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"Column {values.name!r} must hold whole numbers.") from None


def text_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column stripped, missing values as ``""``; all ``""`` when the frame has no such column.

    Example:
        >>> text_of(pd.DataFrame({"a": [" x ", None]}), "a").tolist()
        ['x', '']
    """
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].astype("str").fillna("").str.strip()


def display_names(users: pd.DataFrame) -> pd.Series:
    """People's display names: "first last", else the email (when the frame has one), else the id as text.

    Example:
        >>> display_names(pd.DataFrame({"id": [7], "first_name": ["Ana"], "last_name": [None]})).tolist()
        ['Ana']
    """
    full = (text_of(users, "first_name") + " " + text_of(users, "last_name")).str.strip()
    full = full.where(full != "", text_of(users, "email"))
    return full.where(full != "", whole_numbers(users["id"]).astype("str"))
