"""IT Glue expirations by urgency: days until expiry, urgency buckets, counts per group, the next ones to act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from apitoolkit.analysis.checks import reference_time, require, to_utc, zone
from apitoolkit.exceptions import InvalidArgumentError

__all__ = [
    "BUCKET_BOUNDS",
    "ActOn",
    "expiration_buckets",
    "expiration_counts",
    "expirations_to_act_on",
    "next_expirations",
]

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

    Rows without an expiration date are left out. With ``include_expired`` the lapsed ones follow the upcoming
    ones, the most recently lapsed first, so what is still coming due is never pushed out by what lapsed long
    ago (`expirations_to_act_on` lists the two apart and counts the long-lapsed ones). Ties keep the earlier
    expiration date (for lapsed ones the later), then the input order.

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
    coming = days.ge(0).fillna(False)
    if horizon is not None:
        coming &= days.le(horizon).fillna(False)
    parts = [bucketed[coming].sort_values(["days_until", "expiration_date"], kind="stable")]
    if include_expired:
        lapsed = bucketed[days.lt(0).fillna(False)]
        parts.append(lapsed.sort_values(["days_until", "expiration_date"], ascending=False, kind="stable"))
    return _first_columns(pd.concat(parts).head(int(n)))


def _first_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns a reader scans first (`FIRST_COLUMNS`, those present) in front, on 0..n-1."""
    first = [c for c in FIRST_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class ActOn:
    """What to act on: expirations coming due within a horizon, recently lapsed ones, and counts of the rest.

    Attributes:
        upcoming: Due within the horizon (``0 <= days_until <= horizon``), soonest first; ties by
            ``expiration_date``, then ``organization_name``, then ``resource_name``.
        lapsed: Lapsed within the lookback (``-lookback <= days_until < 0``), the most recently lapsed first;
            ties by ``organization_name``, then ``resource_name``.
        long_lapsed: How many lapsed more than ``lookback`` days ago (counted, not listed).
        later: How many are due after the horizon.
        undated: How many rows have no expiration date.
        horizon: The horizon the frames were cut with (days).
        lookback: The lookback the frames were cut with (days).
    """

    upcoming: pd.DataFrame
    lapsed: pd.DataFrame
    long_lapsed: int
    later: int
    undated: int = 0
    horizon: int = 90
    lookback: int = 30

    def summary(self) -> str:
        """One sentence for a report: due soon, due within the horizon, lapsed recently, lapsed earlier.

        "Due within" counts include the sooner ones: "7 due in the next 30 days, 12 within 90" means 5 are
        due in days 31 to 90. Counts of items due later and of undated items are added when there are any.

        Example:
            >>> empty = pd.DataFrame({"days_until": pd.array([], dtype="Int64")})
            >>> ActOn(empty, empty, long_lapsed=41, later=0).summary()
            '0 due in the next 30 days, 0 within 90; 0 lapsed in the last 30 days; 41 lapsed earlier (not listed).'
        """
        total = len(self.upcoming)
        near = min(BUCKET_BOUNDS[0], self.horizon)
        soon = int(self.upcoming["days_until"].le(near).sum()) if total else 0
        if self.horizon == 0:
            due = f"{total} due today"
        elif near < self.horizon:
            due = f"{soon} due in the next {near} days, {total} within {self.horizon}"
        else:
            due = f"{total} due in the next {_plural(self.horizon, 'day')}"
        parts = [due]
        if self.lookback > 0:
            parts.append(f"{len(self.lapsed)} lapsed in the last {_plural(self.lookback, 'day')}")
        parts.append(f"{self.long_lapsed} lapsed earlier (not listed)")
        if self.later:
            parts.append(f"{self.later} due later")
        if self.undated:
            parts.append(f"{self.undated} without an expiration date")
        return "; ".join(parts) + "."


def _tie_keys(frame: pd.DataFrame) -> list[str]:
    return [c for c in ("organization_name", "resource_name") if c in frame.columns]


def _sorted(frame: pd.DataFrame, *, soonest_first: bool) -> pd.DataFrame:
    """By days and date (ascending, or descending for lapsed rows), then organization and resource names (A-Z)."""
    ties = _tie_keys(frame)
    keys = ["days_until", "expiration_date", *ties]
    ascending = [soonest_first, soonest_first, *([True] * len(ties))]
    return frame.sort_values(keys, ascending=ascending, na_position="last", kind="stable", key=_as_text_key)


def _as_text_key(column: pd.Series) -> pd.Series:
    """Sort key: name columns as text, case ignored (so mixed types and missing names sort), others as they are."""
    return column.astype("str").str.casefold() if column.name in ("organization_name", "resource_name") else column


def expirations_to_act_on(
    expirations: pd.DataFrame, now: Any = None, *, horizon: int = 90, lookback: int = 30, tz: str = "UTC"
) -> ActOn:
    """Split expirations into what to act on: upcoming ones and recent lapses listed, older lapses counted.

    Every row with an expiration date lands in exactly one place: ``upcoming`` (due within ``horizon`` days),
    ``lapsed`` (lapsed within the last ``lookback`` days), ``long_lapsed`` (earlier lapses, counted) or
    ``later`` (due after the horizon, counted). Rows without a date are counted in ``undated``. Days are
    counted as in `expiration_buckets` (calendar days in ``tz``; 0 = today, which is upcoming).

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``; only ``expiration_date`` is needed.
        now: The moment to count from (naive means UTC); the current time when None.
        horizon: List items due within this many days (0 or more; 0 = due today).
        lookback: List items lapsed within this many days (0 or more; 0 lists none).
        tz: The zone whose calendar days are counted.

    Returns:
        An `ActOn`; its frames have the input's columns plus ``days_until`` and ``bucket``, with
        ``expiration_date, days_until, bucket, organization_name, resource_type_name, resource_name`` first.

    Raises:
        InvalidArgumentError: Not a DataFrame, no ``expiration_date``, negative or fractional ``horizon`` or
            ``lookback``, bad ``now`` or ``tz``.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(
        ...     ["2026-12-01", "2026-11-20", "2025-01-01", "2027-06-01"], utc=True)})
        >>> act = expirations_to_act_on(frame, now="2026-11-23")
        >>> act.upcoming["days_until"].tolist(), act.lapsed["days_until"].tolist(), act.long_lapsed, act.later
        ([8], [-3], 1, 1)
        >>> act.summary()[:69]
        '1 due in the next 30 days, 1 within 90; 1 lapsed in the last 30 days;'
    """
    require(expirations, ["expiration_date"], what="expirations_to_act_on", loader=LOADER)
    _whole(horizon, "horizon", "days")
    _whole(lookback, "lookback", "days")
    bucketed = expiration_buckets(expirations, now, tz=tz)
    days = bucketed["days_until"]
    dated = days.notna()
    ahead = dated & days.ge(0)
    upcoming = ahead & days.le(horizon)
    behind = dated & days.lt(0)
    recent = behind & days.ge(-int(lookback))
    return ActOn(
        upcoming=_first_columns(_sorted(bucketed[upcoming.fillna(False)], soonest_first=True)),
        lapsed=_first_columns(_sorted(bucketed[recent.fillna(False)], soonest_first=False)),
        long_lapsed=int((behind & ~recent).sum()),
        later=int((ahead & ~upcoming).sum()),
        undated=int((~dated).sum()),
        horizon=int(horizon),
        lookback=int(lookback),
    )
