"""IT Glue activity logs: events over time, a weekday x hour heatmap, counts per combination, the busiest resources.

Every function takes a frame from ``apitoolkit.itglue.load_logs()`` or an archive scan of the logs (the same
columns; extra columns are ignored, Arrow timestamps are read too). ``created_at`` is read as UTC (naive values
are taken as UTC, other zones converted); rows without a ``created_at`` cannot be placed in time and are left out
wherever time matters. Rows whose group value is missing (sign-ins have no ``organization_id``) are kept as a
group of their own, so group counts always add up to the number of events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import Any

import pandas as pd
import pyarrow as pa

from apitoolkit.analysis.checks import period_start, require, to_utc, zone
from apitoolkit.arguments import as_timestamp
from apitoolkit.exceptions import InvalidArgumentError

__all__ = ["activity_heatmap", "activity_over_time", "events_by", "top_resources"]

LOADER = "apitoolkit.itglue.load_logs()"
USERS_LOADER = "apitoolkit.itglue.load_users()"
#: The columns `activity_over_time` can split the events by.
GROUPS = ("action", "user_id", "resource_type", "organization_id")
#: Row labels of `activity_heatmap`, Monday first.
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def created_at_utc(logs: pd.DataFrame) -> pd.Series:
    """The logs' ``created_at`` as ``datetime64[us, UTC]`` (see `apitoolkit.analysis.checks.to_utc`).

    Arrow timestamps (an archive query's result may hold them) are converted in one step, not value by value.

    Example:
        >>> import pyarrow as pa
        >>> times = pd.Series(pd.to_datetime(["2026-11-02 10:00"], utc=True)).astype(pd.ArrowDtype(pa.timestamp("us")))
        >>> created_at_utc(pd.DataFrame({"created_at": times})).tolist()
        [Timestamp('2026-11-02 10:00:00+0000', tz='UTC')]
    """
    column = logs["created_at"]
    if isinstance(column.dtype, pd.ArrowDtype) and pa.types.is_timestamp(column.dtype.pyarrow_dtype):
        column = pd.Series(pa.array(column.array).to_pandas(), index=column.index, name=column.name)
    return to_utc(column)


def _placed(logs: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The rows that have a time, and their ``created_at`` in UTC."""
    times = created_at_utc(logs)
    keep = times.notna()
    return logs.loc[keep], times.loc[keep]


def _every_period(periods: pd.Series, freq: str, tz: str) -> pd.Series:
    """Every period from the first to the last of ``periods`` (not empty), cut exactly as `period_start` cuts."""
    hours = pd.Series(pd.date_range(periods.min(), periods.max(), freq="h"))  # every local day has at least one
    return period_start(hours, freq, tz=tz).drop_duplicates().reset_index(drop=True)


def _user_names(users: Any) -> pd.DataFrame:
    """``user_id`` and ``name`` ("first last") from a users frame, one row per id."""
    require(users, ["id", "first_name", "last_name"], what="activity_over_time(users=...)", loader=USERS_LOADER)
    first = users["first_name"].astype("str").fillna("")
    last = users["last_name"].astype("str").fillna("")
    names = (first + " " + last).str.strip()
    frame = pd.DataFrame({"user_id": users["id"].astype("Int64"), "name": names.where(names != "").astype("str")})
    return frame.drop_duplicates("user_id")


def activity_over_time(
    logs: pd.DataFrame, *, freq: str = "day", by: str | None = None, tz: str = "UTC", users: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Events per day, week or month, in total or per group, with no gaps between the first and last period.

    Periods are cut in ``tz`` (calendar days, ISO weeks starting Monday, months) and every period from the first
    to the last observed one is present for every group, with 0 where nothing happened, so lines have no gaps.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()``; needs ``created_at`` and the ``by`` column.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        by: None for the total, or ``"action"``, ``"user_id"``, ``"resource_type"``, ``"organization_id"``.
        tz: The zone the periods are cut in; ``period`` is given in that zone.
        users: With ``by="user_id"``, a frame from ``apitoolkit.itglue.load_users()`` to add each user's
            ``name`` ("first last"; missing for ids it does not hold).

    Returns:
        Columns ``period`` (datetime in ``tz``), ``<by>`` (its dtype in ``logs``; absent when ``by`` is None),
        ``name`` (only with ``users``), ``events`` (Int64); sorted by period, then group (missing last).

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``freq``, ``by`` or ``tz``, or ``users``
            without ``by="user_id"``.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-11-02 10:00", "2026-11-04 09:00"], utc=True),
        ...                      "action": ["view", "update"]})
        >>> activity_over_time(logs)["events"].tolist()
        [1, 0, 1]
    """
    if by is not None and by not in GROUPS:
        raise InvalidArgumentError(f"by={by!r}: use None or one of {', '.join(GROUPS)}.")
    if users is not None and by != "user_id":
        raise InvalidArgumentError("users= adds user names, so it needs by='user_id'.")
    keys = [] if by is None else [by]
    require(logs, ["created_at", *keys], what="activity_over_time", loader=LOADER)
    placed, times = _placed(logs)
    counts = pd.DataFrame({"period": period_start(times, freq, tz=tz)})
    for key in keys:
        counts[key] = placed[key]
    counts = counts.groupby(["period", *keys], dropna=False).size().reset_index(name="events")
    grid = pd.DataFrame({"period": _every_period(counts["period"], freq, tz) if len(counts) else counts["period"]})
    for key in keys:
        groups = counts[[key]].drop_duplicates().sort_values(key, na_position="last")
        grid = grid.merge(groups, how="cross")
    result = grid.merge(counts, on=["period", *keys], how="left")
    result["events"] = result["events"].fillna(0).astype("Int64")
    if users is not None:
        result = result.merge(_user_names(users), on="user_id", how="left")
        result = result[["period", "user_id", "name", "events"]]
    return result.reset_index(drop=True)


def action_names(action: str | Iterable[str]) -> list[str]:
    """``action`` (a name, or a list, set or Series of names) as a list of names.

    Raises:
        InvalidArgumentError: Not a name or names.

    Example:
        >>> action_names("sign_in"), action_names({"view"})
        (['sign_in'], ['view'])
    """
    chosen = [action] if isinstance(action, str) else list(action) if isinstance(action, Iterable) else []
    if not chosen or not all(isinstance(a, str) for a in chosen):
        raise InvalidArgumentError(f"action={action!r}: give an action name such as 'sign_in', or a list of them.")
    return chosen


def activity_heatmap(logs: pd.DataFrame, *, tz: str = "UTC", action: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Events per weekday and hour of day, as seen on the clock in ``tz``: a 7 x 24 grid, zeros included.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()``; needs ``created_at`` (and ``action`` to filter).
        tz: The zone whose weekday and wall-clock hour each event falls in (half-hour zones and DST work).
        action: Only these actions (a name such as ``"sign_in"``, or a list, set or Series of names); all when None.

    Returns:
        Index ``weekday`` ("Mon" .. "Sun"), columns ``hour`` (0 .. 23), Int64 event counts.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``tz``, or ``action`` not names.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-11-23 09:15"], utc=True)})
        >>> int(activity_heatmap(logs, tz="Asia/Kolkata").loc["Mon", 14])
        1
    """
    require(logs, ["created_at", *([] if action is None else ["action"])], what="activity_heatmap", loader=LOADER)
    name = zone(tz)
    if action is not None:
        logs = logs.loc[logs["action"].isin(action_names(action))]
    _, times = _placed(logs)
    local = times.dt.tz_convert(name)
    grid = pd.crosstab(local.dt.day_of_week, local.dt.hour).reindex(index=range(7), columns=range(24), fill_value=0)
    grid = grid.astype("Int64")
    grid.index = pd.Index(WEEKDAYS, name="weekday", dtype="str")
    grid.columns = pd.RangeIndex(24, name="hour")
    return grid


def _columns(by: str | Sequence[str]) -> list[str]:
    chosen = [by] if isinstance(by, str) else by
    if not isinstance(chosen, Sequence) or not chosen or not all(isinstance(c, str) for c in chosen):
        raise InvalidArgumentError(f"by={by!r}: give a column name or a list of names, such as ('user_id', 'action').")
    if len(set(chosen)) != len(chosen) or "events" in chosen:
        raise InvalidArgumentError(f"by={by!r}: name each column once, and not 'events' (the count's column).")
    return list(chosen)


def events_by(
    logs: pd.DataFrame, by: str | Sequence[str] = ("user_id", "action"), *, start: Any = None, end: Any = None
) -> pd.DataFrame:
    """How many events each combination of ``by`` values has, busiest first.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()``; needs the ``by`` columns (and ``created_at``
            when ``start`` or ``end`` is given).
        by: One column name or several; any column of ``logs``.
        start: Keep events at or after this time (date, datetime or Timestamp; naive means UTC).
        end: Keep events before this time (exclusive; naive means UTC).

    Returns:
        The ``by`` columns (dtypes as in ``logs``; missing values form a group) and ``events`` (Int64), sorted by
        events descending, then by the ``by`` values.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, bad ``by``, a bound that is not a date, or
            ``end`` not after ``start``.

    Example:
        >>> logs = pd.DataFrame({"user_id": pd.array([7, 7, 9], dtype="Int64"), "action": ["view", "view", "view"]})
        >>> events_by(logs).values.tolist()
        [[7, 'view', 2], [9, 'view', 1]]
    """
    keys = _columns(by)
    bounded = start is not None or end is not None
    require(logs, [*keys, *(["created_at"] if bounded else [])], what="events_by", loader=LOADER)
    if bounded:
        logs, times = _placed(logs)
        lo = None if start is None else as_timestamp(start, "start")
        hi = None if end is None else as_timestamp(end, "end")
        if lo is not None and hi is not None and hi <= lo:
            raise InvalidArgumentError(f"end={end!r} is not after start={start!r}: give an end later than the start.")
        inside = pd.Series(True, index=times.index)
        if lo is not None:
            inside &= times >= lo
        if hi is not None:
            inside &= times < hi
        logs = logs.loc[inside]
    counts = logs.groupby(keys, dropna=False, observed=True).size().reset_index(name="events")
    counts["events"] = counts["events"].astype("Int64")
    counts = counts.sort_values(keys, na_position="last", kind="stable")
    return counts.sort_values("events", ascending=False, kind="stable").reset_index(drop=True)


def top_resources(logs: pd.DataFrame, n: int | None = 10) -> pd.DataFrame:
    """The ``n`` most touched resources: how many events, by how many people, and when last.

    Logs carry no resource id: a resource is a (``organization_id``, ``resource_type``, ``resource_name``)
    triple when the logs have ``organization_id`` (as loaded), so the "Firewall admin" passwords of two clients
    stay apart; without that column, same-named resources of one type count as one. Every action counts,
    sign-ins included: a sign-in's resource is the ``User`` who signed in, so users who sign in often rank
    like any other busy resource.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()``; needs ``resource_type``, ``resource_name``,
            ``user_id`` and ``created_at``.
        n: How many resources (0 or more); all of them when None.

    Returns:
        Columns ``organization_id`` (when ``logs`` has it), ``resource_type``, ``resource_name`` (dtypes as in
        ``logs``), ``events`` (Int64), ``users``
        (Int64, distinct ``user_id``), ``last_seen`` (UTC datetime); sorted by events descending, then
        last_seen descending (missing last), then type and name.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, or ``n`` not a whole number >= 0.

    Example:
        >>> logs = pd.DataFrame({"resource_type": ["Domain", "Domain"], "resource_name": ["a.com", "a.com"],
        ...                      "user_id": pd.array([1, 2], dtype="Int64"),
        ...                      "created_at": pd.to_datetime(["2026-11-01", "2026-11-02"], utc=True)})
        >>> top_resources(logs)[["events", "users"]].values.tolist()
        [[2, 2]]
    """
    keys = ["resource_type", "resource_name"]
    require(logs, [*keys, "user_id", "created_at"], what="top_resources", loader=LOADER)
    keys = ["organization_id", *keys] if "organization_id" in logs.columns else keys
    if n is not None and (not isinstance(n, Integral) or isinstance(n, bool) or n < 0):
        raise InvalidArgumentError(f"n={n!r}: give a whole number of resources, 0 or more, or None for all.")
    frame = logs[keys].assign(user_id=logs["user_id"], created_at=created_at_utc(logs))
    grouped = frame.groupby(keys, dropna=False, observed=True)
    result = grouped.agg(
        events=("user_id", "size"), users=("user_id", "nunique"), last_seen=("created_at", "max")
    ).reset_index()
    result = result.astype({"events": "Int64", "users": "Int64", "last_seen": "datetime64[us, UTC]"})
    result = result.sort_values(keys, na_position="last", kind="stable")
    result = result.sort_values(
        ["events", "last_seen"], ascending=False, na_position="last", kind="stable"
    ).reset_index(drop=True)
    return result if n is None else result.head(int(n))
