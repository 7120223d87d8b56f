"""IT Glue expirations by urgency: days until expiry, urgency buckets, counts per group, the next ones to act on."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from apitoolkit.analysis.checks import reference_time, require, to_utc, zone
from apitoolkit.exceptions import InvalidArgumentError

__all__ = ["BUCKET_BOUNDS", "expiration_buckets", "expiration_counts", "next_expirations"]

#: Upper ends (days, inclusive) of the urgency buckets after "expired": 0-30, 31-60, 61-90, then "over 90".
BUCKET_BOUNDS = (30, 60, 90)
LOADER = "apitoolkit.itglue.load_expirations()"
FIRST_COLUMNS = ("expiration_date", "days_until", "bucket", "organization_name", "resource_type_name", "resource_name")
RESERVED = ("bucket", "count")


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _bounds(bounds: Any) -> list[int]:
    """``bounds`` as a list of ints, after checking they are increasing positive whole days."""
    if isinstance(bounds, str | bytes) or not isinstance(bounds, Sequence) or not bounds:
        raise InvalidArgumentError(f"bounds={bounds!r}: give increasing positive whole days, such as (30, 60, 90).")
    if not all(_is_int(b) for b in bounds) or any(int(b) < 1 for b in bounds):
        raise InvalidArgumentError(f"bounds={bounds!r}: every bound must be a positive whole number of days.")
    ints = [int(b) for b in bounds]
    if any(hi <= lo for lo, hi in pairwise(ints)):
        raise InvalidArgumentError(f"bounds={bounds!r}: bounds must increase, such as (30, 60, 90).")
    return ints


def _bucket_dtype(bounds: list[int]) -> pd.CategoricalDtype:
    """``"expired"``, one ``"<low>-<bound>"`` per bound, ``"over <last>"``: from most to least urgent."""
    lows = [0, *(b + 1 for b in bounds[:-1])]
    labels = ["expired", *(f"{lo}-{hi}" for lo, hi in zip(lows, bounds, strict=True)), f"over {bounds[-1]}"]
    return pd.CategoricalDtype(labels, ordered=True)


def _days_until(dates: pd.Series, moment: pd.Timestamp, tz: str) -> pd.Series:
    """Calendar days from ``moment``'s date to each date, both seen in ``tz`` (wall dates, so DST cannot shift it)."""
    wall = dates.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    today = moment.tz_convert(tz).tz_localize(None).normalize()
    return (wall - today).dt.days.astype("Int64")


def _buckets(days: pd.Series, bounds: list[int]) -> pd.Series:
    dtype = _bucket_dtype(bounds)
    edges = [-np.inf, -1, *bounds, np.inf]  # right-closed: (-inf, -1] is "expired", (-1, 30] is "0-30", ...
    return pd.cut(days, edges, labels=list(dtype.categories), ordered=True).astype(dtype)


def expiration_buckets(
    expirations: pd.DataFrame, now: Any = None, *, bounds: Sequence[int] = BUCKET_BOUNDS, tz: str = "UTC"
) -> pd.DataFrame:
    """A copy of ``expirations`` with ``days_until`` recomputed against ``now`` and an urgency ``bucket``.

    ``days_until`` follows the rule of ``apitoolkit.itglue.load_expirations``: calendar days from ``now``'s date
    to the expiration's date, 0 = expires today, negative = lapsed. Both dates are seen in ``tz``; the default,
    UTC, gives exactly the loader's numbers (an expiration at midnight UTC falls on the day before west of UTC).

    ``bucket`` is an ordered categorical from most to least urgent: ``"expired"`` (days_until < 0), then one
    bucket per bound (``"0-30"``, ``"31-60"``, ``"61-90"`` for the default bounds), then ``"over 90"``. Rows
    without an expiration date get a missing ``days_until`` and ``bucket``. ``expiration_date`` comes back as
    UTC datetimes (naive values are taken as UTC, other zones converted).

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``; only ``expiration_date`` is needed.
        now: The moment to count from (naive means UTC); the current time when None.
        bounds: Increasing positive whole days closing each bucket after "expired".
        tz: The zone whose calendar days are counted.

    Returns:
        The input's columns (``days_until`` replaced when present) plus ``days_until`` (Int64) and ``bucket``.

    Raises:
        InvalidArgumentError: Not a DataFrame, no ``expiration_date``, bad ``bounds``, ``now`` or ``tz``.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-11-20", "2027-01-10"], utc=True)})
        >>> expiration_buckets(frame, now="2026-11-23")[["days_until", "bucket"]].values.tolist()
        [[-3, 'expired'], [48, '31-60']]
    """
    require(expirations, ["expiration_date"], what="expiration_buckets", loader=LOADER)
    ints = _bounds(bounds)
    name = zone(tz)
    moment = reference_time(now)
    out = expirations.copy()
    out["expiration_date"] = to_utc(out["expiration_date"])
    out["days_until"] = _days_until(out["expiration_date"], moment, name)
    out["bucket"] = _buckets(out["days_until"], ints)
    return out


def _keys(by: Any) -> list[str]:
    keys = [by] if isinstance(by, str) else list(by) if isinstance(by, Sequence) else None
    if not keys or not all(isinstance(k, str) and k for k in keys) or len(set(keys)) < len(keys):
        raise InvalidArgumentError(f"by={by!r}: give a column name or a list of distinct column names.")
    clash = [k for k in keys if k in RESERVED]
    if clash:
        raise InvalidArgumentError(f"by={by!r}: {', '.join(clash)} is computed here; group by other columns.")
    return keys


def expiration_counts(
    expirations: pd.DataFrame,
    now: Any = None,
    *,
    by: str | Sequence[str] = "organization_name",
    bounds: Sequence[int] = BUCKET_BOUNDS,
    tz: str = "UTC",
) -> pd.DataFrame:
    """How many expirations each group has in each urgency bucket, in long format with zeros included.

    Every group seen in ``expirations`` (missing keys form a group of their own) gets one row per bucket;
    rows without an expiration date count nowhere.

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``.
        now: The moment to count from; the current time when None.
        by: A column or a list of columns, e.g. ``["organization_name", "resource_type_name"]``.
        bounds: The bucket bounds, as in ``expiration_buckets``.
        tz: The zone whose calendar days are counted.

    Returns:
        Columns ``<by...>, bucket, count`` (count Int64), sorted by group then from most to least urgent.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, bad ``by``, ``bounds``, ``now`` or ``tz``.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True),
        ...                       "organization_name": ["Acme"]})
        >>> expiration_counts(frame, now="2026-11-23")["count"].tolist()
        [0, 1, 0, 0, 0]
    """
    keys = _keys(by)
    require(expirations, ["expiration_date", *keys], what="expiration_counts", loader=LOADER)
    columns = list(dict.fromkeys(["expiration_date", *keys]))
    bucketed = expiration_buckets(expirations[columns], now, bounds=bounds, tz=tz)
    dtype = bucketed["bucket"].dtype
    every_bucket = pd.DataFrame({"bucket": pd.Series(dtype.categories, dtype=dtype)})
    grid = bucketed[keys].drop_duplicates().merge(every_bucket, how="cross")
    counted = (
        bucketed.dropna(subset=["bucket"])
        .groupby([*keys, "bucket"], observed=True, dropna=False)
        .size()
        .rename("count")
        .reset_index()
    )
    out = grid.merge(counted, on=[*keys, "bucket"], how="left")
    out["count"] = out["count"].fillna(0).astype("Int64")
    return out.sort_values([*keys, "bucket"], kind="stable").reset_index(drop=True)


def _whole(value: Any, name: str, unit: str) -> None:
    if not _is_int(value) or int(value) < 0:
        raise InvalidArgumentError(f"{name}={value!r}: give a whole number of {unit}, 0 or more.")


def next_expirations(
    expirations: pd.DataFrame,
    n: int = 10,
    now: Any = None,
    *,
    include_expired: bool = False,
    horizon: int | None = None,
    tz: str = "UTC",
) -> pd.DataFrame:
    """The next ``n`` expirations to act on, soonest first.

    Rows without an expiration date are left out. With ``include_expired`` the lapsed ones come first, the
    most overdue first; ties keep the earlier expiration date, then the input order.

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``.
        n: How many rows at most (0 or more).
        now: The moment to count from; the current time when None.
        include_expired: Keep expirations already lapsed (``days_until < 0``).
        horizon: Keep only ``days_until <= horizon`` (whole days, 0 = today); None for no limit.
        tz: The zone whose calendar days are counted.

    Returns:
        The input's columns plus ``days_until`` and ``bucket`` (default bounds), with ``expiration_date,
        days_until, bucket, organization_name, resource_type_name, resource_name`` first when present.

    Raises:
        InvalidArgumentError: Not a DataFrame, no ``expiration_date``, negative ``n`` or ``horizon``, bad ``tz``.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2027-03-01", "2026-11-30"], utc=True),
        ...                       "resource_name": ["a.example", "b.example"]})
        >>> next_expirations(frame, 1, now="2026-11-23")["resource_name"].tolist()
        ['b.example']
    """
    require(expirations, ["expiration_date"], what="next_expirations", loader=LOADER)
    _whole(n, "n", "rows")
    if horizon is not None:
        _whole(horizon, "horizon", "days")
    bucketed = expiration_buckets(expirations, now, tz=tz)
    days = bucketed["days_until"]
    keep = days.notna()
    if not include_expired:
        keep &= days >= 0
    if horizon is not None:
        keep &= days <= horizon
    ordered = bucketed[keep].sort_values(["days_until", "expiration_date"], kind="stable").head(int(n))
    first = [c for c in FIRST_COLUMNS if c in ordered.columns]
    return ordered[first + [c for c in ordered.columns if c not in first]].reset_index(drop=True)
