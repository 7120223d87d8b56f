"""Answers over history from the archive: reputation trends, late renewals, activity per month, task cycle times.

Every function takes a frame as ``apitoolkit.archive.Archive.scan`` returns it: the loader's columns plus what the
archive adds (``snapshot_date`` for daily snapshots; ``valid_from``/``valid_to`` for the Hitask change log). The
snapshots are taken when a sync runs, so they bound when something happened but do not say when exactly: each
function says what its bounds mean. Snapshot dates are calendar days without a zone; periods cut from them are
labelled by their first day at midnight UTC, as `apitoolkit.analysis.points_by_action` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from apitoolkit.analysis.activity import GROUPS, activity_over_time, created_at_utc
from apitoolkit.analysis.checks import FREQUENCIES, display_names, period_start, require, to_utc, whole_numbers, zone
from apitoolkit.arguments import as_timestamp
from apitoolkit.exceptions import InvalidArgumentError

__all__ = [
    "activity_by_month",
    "completion_trend",
    "late_renewals",
    "renewal_summary",
    "reputation_trend",
    "task_cycle_times",
]

USERS_ARCHIVE = 'Archive().scan("itglue", "users")'
EXPIRATIONS_ARCHIVE = 'Archive().scan("itglue", "expirations")'
LOGS_ARCHIVE = 'Archive().scan("itglue", "logs") or apitoolkit.itglue.load_logs()'
ITEMS_ARCHIVE = 'Archive().scan("hitask", "items")'
#: The pandas aliases accepted beside the names every analysis uses ("day", "week", "month").
ALIASES = {"D": "day", "W": "week", "W-MON": "week", "MS": "month", "M": "month"}
NO_ROLE = "(no role)"
TIMINGS = ("on time", "unclear", "late")

_UTC = "datetime64[us, UTC]"
_DATE = pd.ArrowDtype(pa.date32())
BY_USER = {
    "period": _UTC, "snapshot_date": _DATE, "user_id": "Int64", "name": "str", "role_name": "str",
    "reputation": "Int64", "change": "Int64",
}  # fmt: skip
BY_ROLE = {
    "period": _UTC, "snapshot_date": _DATE, "role_name": "str", "users": "Int64", "reputation": "Int64",
    "mean_reputation": "Float64", "change": "Int64",
}  # fmt: skip
LATE = {
    "id": "Int64", "organization_name": "str", "resource_type_name": "str", "resource_name": "str",
    "old_expiration": _UTC, "new_expiration": _UTC, "seen_lapsed_on": _DATE, "renewed_by": _DATE,
    "days_late": "Int64",
}  # fmt: skip
SUMMARY = {"month": _UTC, "on_time": "Int64", "unclear": "Int64", "late": "Int64", "renewals": "Int64"}
CYCLES = {"id": "Int64", "title": "str", "created": _UTC, "completed": _UTC, "cycle_days": "float64"}
TREND = {"period": _UTC, "completed": "Int64", "median_cycle_days": "float64"}


# --------------------------------------------------------------------------------------------- shared checks
def _typed(frame: pd.DataFrame, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """``frame``'s ``dtypes`` columns, in that order and with those dtypes, on a fresh 0..n-1 index."""
    return frame[list(dtypes)].astype(dict(dtypes)).reset_index(drop=True)


def _empty(dtypes: Mapping[str, Any]) -> pd.DataFrame:
    return _typed(pd.DataFrame(columns=list(dtypes)), dtypes)


def _freq(freq: Any, allowed: tuple[str, ...] = tuple(FREQUENCIES)) -> str:
    """``freq`` as one of the names in ``allowed``; the pandas aliases "D", "W", "MS" are accepted too."""
    name = ALIASES.get(freq, freq) if isinstance(freq, str) else None
    if name not in allowed:
        raise InvalidArgumentError(f"freq={freq!r}: use one of {', '.join(allowed)} (or D, W, MS).")
    return str(name)


def _top(top: Any) -> int | None:
    if top is not None and (not isinstance(top, Integral) or isinstance(top, bool) or top < 0):
        raise InvalidArgumentError(f"top={top!r}: give a whole number (0 or more), or None for all.")
    return None if top is None else int(top)


def _days(values: pd.Series) -> pd.Series:
    """Calendar days (pyarrow dates, datetimes in any zone, ISO text) as midnights without zone; unreadable: NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(values.dtype):
        try:
            values = pd.Series(pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601"), index=values.index)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"Column {values.name!r} must hold dates.") from None
        values = values.dt.tz_localize(None)
    return values.astype("datetime64[us]").dt.normalize()


def _periods(days: pd.Series, freq: str) -> pd.Series:
    """The first day of each day's day, week (Monday) or month, at midnight UTC."""
    return period_start(days.dt.tz_localize("UTC"), freq).astype(_UTC)


def _as_date(days: pd.Series) -> pd.Series:
    return days.dt.date.astype(_DATE)


def _every(first: pd.Timestamp, last: pd.Timestamp, freq: str, tz: str = "UTC") -> pd.DatetimeIndex:
    """Every period start from ``first`` to ``last`` (both period starts, aware), in ``tz``, as `period_start` cuts."""
    wall = pd.date_range(first.tz_localize(None), last.tz_localize(None), freq=FREQUENCIES[freq]).as_unit("us")
    return wall.tz_localize(tz, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")


# --------------------------------------------------------------------------------------------- reputation
def reputation_trend(
    users_snapshots: pd.DataFrame, *, freq: str = "week", by: str = "user", top: int | None = None
) -> pd.DataFrame:
    """Reputation over time from the daily users snapshots: per user, or summed and averaged per role.

    Each period holds its last snapshot: per user, the user's last snapshot in the period; per role, the
    period's last snapshot day (one day for every role, so the sums add up to the account's total that day).
    The same day's snapshot given twice counts once. ``change`` is the reputation minus that of the first
    period the user (or role) appears in. A user whose role changes is listed under the role of each snapshot.

    Args:
        users_snapshots: ``Archive().scan("itglue", "users")``: ``snapshot_date``, ``id``, ``first_name``,
            ``last_name``, ``role_name``, ``reputation`` (and ``email``, used when a user has no name).
        freq: ``"day"``, ``"week"`` (from Monday) or ``"month"`` (or the aliases ``"D"``, ``"W"``, ``"MS"``).
        by: ``"user"`` or ``"role"``.
        top: Keep the ``top`` users (or roles) with the highest reputation in their last snapshot; all when None.

    Returns:
        ``by="user"``: ``period`` (first day, midnight UTC), ``snapshot_date`` (the snapshot shown), ``user_id``,
        ``name`` ("First Last", else the email, else the id), ``role_name``, ``reputation``, ``change``.
        ``by="role"``: ``period``, ``snapshot_date``, ``role_name`` (``"(no role)"`` when missing), ``users``,
        ``reputation`` (sum), ``mean_reputation``, ``change`` (of the sum). Sorted by period, then name or role.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``freq`` or ``by``, bad ``top``.

    Example:
        >>> snaps = pd.DataFrame({"snapshot_date": ["2026-11-02", "2026-11-04", "2026-11-10"], "id": [7, 7, 7],
        ...     "first_name": "Ann", "last_name": "Lee", "role_name": "Editor", "reputation": [10, 12, 20]})
        >>> reputation_trend(snaps)[["name", "reputation", "change"]].values.tolist()
        [['Ann Lee', 12, 0], ['Ann Lee', 20, 8]]
    """
    needed = ["snapshot_date", "id", "first_name", "last_name", "role_name", "reputation"]
    require(users_snapshots, needed, what="reputation_trend", loader=USERS_ARCHIVE)
    step = _freq(freq)
    if by not in ("user", "role"):
        raise InvalidArgumentError(f"by={by!r}: use 'user' or 'role'.")
    count = _top(top)
    snaps = pd.DataFrame(
        {
            "day": _days(users_snapshots["snapshot_date"]),
            "user_id": whole_numbers(users_snapshots["id"]),
            "name": display_names(users_snapshots),
            "role_name": users_snapshots["role_name"].astype("str").fillna(NO_ROLE),
            "reputation": whole_numbers(users_snapshots["reputation"]),
        }
    ).dropna(subset=["day", "user_id"])
    snaps = snaps.sort_values("day", kind="stable").drop_duplicates(["user_id", "day"], keep="last")
    snaps["period"] = _periods(snaps["day"], step)
    snaps["snapshot_date"] = _as_date(snaps["day"])
    table = _per_user(snaps) if by == "user" else _per_role(snaps)
    key = "user_id" if by == "user" else "role_name"
    if count is not None:
        latest = table.sort_values("period", kind="stable").groupby(key).tail(1)
        chosen = latest.sort_values(["reputation", key], ascending=[False, True], na_position="last").head(count)
        table = table[table[key].isin(chosen[key])]
    return _typed(table, BY_USER if by == "user" else BY_ROLE)


def _change(table: pd.DataFrame, key: str) -> pd.Series:
    first = table.sort_values("period", kind="stable").groupby(key)["reputation"].transform("first")
    return table["reputation"] - first.reindex(table.index)


def _per_user(snaps: pd.DataFrame) -> pd.DataFrame:
    rows = snaps.groupby(["period", "user_id"]).tail(1)
    rows = rows.assign(change=_change(rows, "user_id"))
    return rows.sort_values(["period", "name", "user_id"], key=_casefold, kind="stable")


def _per_role(snaps: pd.DataFrame) -> pd.DataFrame:
    last = snaps.groupby("period")["day"].transform("max")
    rows = snaps[snaps["day"].eq(last)]
    table = rows.groupby(["period", "snapshot_date", "role_name"], observed=True).agg(
        users=("user_id", "size"), reputation=("reputation", "sum"), mean_reputation=("reputation", "mean")
    )
    table = table.reset_index()
    table = table.assign(change=_change(table, "role_name"))
    return table.sort_values(["period", "role_name"], kind="stable")


def _casefold(column: pd.Series) -> pd.Series:
    return column.str.casefold() if column.name == "name" else column


# --------------------------------------------------------------------------------------------- renewals
def _renewals(expiration_snapshots: Any, what: str) -> pd.DataFrame:
    """Every move of an expiration date forward between two snapshots of the same expiration id, with its timing."""
    needed = ["id", "snapshot_date", "expiration_date", "organization_name", "resource_type_name", "resource_name"]
    require(expiration_snapshots, needed, what=what, loader=EXPIRATIONS_ARCHIVE)
    snaps = pd.DataFrame(
        {
            "id": whole_numbers(expiration_snapshots["id"]),
            "day": _days(expiration_snapshots["snapshot_date"]),
            "expires": to_utc(expiration_snapshots["expiration_date"]),
            **{name: expiration_snapshots[name].astype("str") for name in needed[3:]},
        }
    ).dropna(subset=["id", "day", "expires"])
    snaps = snaps.sort_values(["id", "day"], kind="stable").drop_duplicates(["id", "day"], keep="last")
    earlier = snaps.groupby("id")[["expires", "day"]].shift()
    moved = earlier["expires"].notna() & snaps["expires"].gt(earlier["expires"])
    rows = snaps[moved].assign(
        old_expiration=earlier["expires"][moved], seen_lapsed_on=earlier["day"][moved], renewed_by=snaps["day"][moved]
    )
    due = rows["old_expiration"].dt.tz_localize(None).dt.normalize()  # the UTC day it lapsed after
    timing = np.select(
        [rows["seen_lapsed_on"].gt(due), rows["renewed_by"].le(due)], ["late", "on time"], default="unclear"
    )
    return rows.assign(
        new_expiration=rows["expires"],
        due=due,
        days_late=(rows["renewed_by"] - due).dt.days.astype("Int64"),
        timing=pd.Series(timing, index=rows.index, dtype="str"),
    )


def late_renewals(expiration_snapshots: pd.DataFrame) -> pd.DataFrame:
    """Expirations renewed after they had lapsed: the date moved forward only after a snapshot showed it passed.

    An expiration (followed by its ``id``) is renewed when a snapshot shows a later ``expiration_date`` than the
    snapshot before it. It was renewed late when that earlier snapshot was taken after the old date's day (UTC):
    the old date had passed and was still shown. Snapshots only bound when the renewal happened: after
    ``seen_lapsed_on`` (the last snapshot still showing the old date) and by ``renewed_by`` (the first showing
    the new one). ``days_late`` is ``renewed_by`` minus the old date's day, an upper bound; ``seen_lapsed_on``
    minus that day is the lower bound. A renewal seen by the old date's day is on time; one whose two
    snapshots straddle the old date cannot be told and is not listed (`renewal_summary` counts it "unclear").
    The same day's snapshot given twice counts once.

    Args:
        expiration_snapshots: ``Archive().scan("itglue", "expirations")``: ``id``, ``snapshot_date``,
            ``expiration_date``, ``organization_name``, ``resource_type_name``, ``resource_name``.

    Returns:
        Columns ``id``, ``organization_name``, ``resource_type_name``, ``resource_name`` (as in the renewing
        snapshot), ``old_expiration``, ``new_expiration`` (UTC), ``seen_lapsed_on``, ``renewed_by`` (dates),
        ``days_late`` (Int64); most days late first, then by old expiration and id.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, ids that are not whole numbers.

    Example:
        >>> snaps = pd.DataFrame({"id": [1, 1, 1], "snapshot_date": ["2026-11-01", "2026-11-05", "2026-11-09"],
        ...     "expiration_date": pd.to_datetime(["2026-11-03", "2026-11-03", "2027-11-03"], utc=True),
        ...     "organization_name": "Acme", "resource_type_name": "Domain", "resource_name": "acme.com"})
        >>> late_renewals(snaps)[["seen_lapsed_on", "renewed_by", "days_late"]].astype(str).values.tolist()
        [['2026-11-05', '2026-11-09', '6']]
    """
    rows = _renewals(expiration_snapshots, "late_renewals")
    rows = rows[rows["timing"].eq("late")]
    rows = rows.sort_values(["days_late", "old_expiration", "id"], ascending=[False, True, True], kind="stable")
    return _typed(
        rows.assign(seen_lapsed_on=_as_date(rows["seen_lapsed_on"]), renewed_by=_as_date(rows["renewed_by"])), LATE
    )


def renewal_summary(expiration_snapshots: pd.DataFrame) -> pd.DataFrame:
    """Renewals per month of the old expiration date: on time, late, or unclear from the snapshots.

    Timing as in `late_renewals`: ``on_time`` when the new date was seen by the old date's day (UTC), ``late``
    when a snapshot after that day still showed the old date, ``unclear`` when the last snapshot before the
    date and the first after it straddle it (the snapshots cannot tell). Every month from the first to the last
    with a renewal is listed, zeros included.

    Args:
        expiration_snapshots: ``Archive().scan("itglue", "expirations")``, as for `late_renewals`.

    Returns:
        Columns ``month`` (its first day, midnight UTC), ``on_time``, ``unclear``, ``late``, ``renewals`` (Int64).

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, ids that are not whole numbers.

    Example:
        >>> snaps = pd.DataFrame({"id": [1, 1, 2, 2], "snapshot_date": ["2026-11-01", "2026-11-02"] * 2,
        ...     "expiration_date": pd.to_datetime(["2026-11-20", "2027-11-20", "2026-10-31", "2027-10-31"], utc=True),
        ...     "organization_name": "Acme", "resource_type_name": "Domain", "resource_name": ["a", "a", "b", "b"]})
        >>> renewal_summary(snaps)[["on_time", "late"]].values.tolist()
        [[0, 1], [1, 0]]
    """
    rows = _renewals(expiration_snapshots, "renewal_summary")
    if rows.empty:
        return _empty(SUMMARY)
    months = _periods(rows["due"], "month")
    counts = pd.crosstab(months, rows["timing"]).reindex(columns=list(TIMINGS), fill_value=0)
    counts = counts.reindex(_every(months.min(), months.max(), "month"), fill_value=0)
    table = counts.rename(columns={"on time": "on_time"}).assign(renewals=counts.sum(axis=1))
    return _typed(table.rename_axis("month").reset_index(), SUMMARY)


# --------------------------------------------------------------------------------------------- activity
def _local_day(value: Any, name: str, tz: str) -> pd.Timestamp:
    """A ``start``/``end`` bound as a calendar day in ``tz`` (naive midnight); naive input is a wall date there."""
    moment = as_timestamp(value, name)
    if pd.Timestamp(value).tzinfo is None:
        return pd.Timestamp(value).as_unit("us").normalize()
    return moment.tz_convert(tz).tz_localize(None).normalize()


def activity_by_month(
    logs: pd.DataFrame, *, by: str | None = None, tz: str = "UTC", start: Any = None, end: Any = None
) -> pd.DataFrame:
    """Events per calendar month (in ``tz``), with how many of the month's days the logs cover.

    Made for archive scans spanning months: a month the logs do not cover from its first to its last day is
    ``partial`` (the archive started or the scan stops inside it), so its count is not comparable with whole
    months; ``days`` says how many of its days are covered. Coverage runs from ``start`` to ``end`` when given
    (the range of the scan), else from the first to the last event's day. Every month in between is listed for
    every group, zeros included.

    Args:
        logs: ``Archive().scan("itglue", "logs")`` or ``apitoolkit.itglue.load_logs()``: ``created_at``
            (and the ``by`` column).
        by: None for the total, or ``"action"``, ``"user_id"``, ``"resource_type"``, ``"organization_id"``.
        tz: The zone the months are cut in; ``month`` is given in that zone.
        start: The first day the logs cover (inclusive; naive: a wall date in ``tz``); default: the first event.
        end: The last day the logs cover (inclusive); default: the last event.

    Returns:
        Columns ``month`` (first day, in ``tz``), ``<by>`` (absent when None), ``events``, ``days`` (Int64),
        ``partial`` (boolean); by month, then group.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``by`` or ``tz``, bad or reversed bounds.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-01 10:00", "2026-11-04 09:00"], utc=True)})
        >>> activity_by_month(logs)[["events", "days", "partial"]].values.tolist()
        [[1, 31, False], [1, 4, True]]
    """
    if by is not None and by not in GROUPS:
        raise InvalidArgumentError(f"by={by!r}: use None or one of {', '.join(GROUPS)}.")
    keys = [] if by is None else [by]
    require(logs, ["created_at", *keys], what="activity_by_month", loader=LOGS_ARCHIVE)
    name = zone(tz)
    columns = {"month": f"datetime64[us, {name}]", **{key: logs[key].dtype for key in keys}}
    columns |= {"events": "Int64", "days": "Int64", "partial": "boolean"}
    counts = activity_over_time(logs, freq="month", by=by, tz=name).rename(columns={"period": "month"})
    times = created_at_utc(logs).dropna().dt.tz_convert(name).dt.tz_localize(None)
    first = _local_day(start, "start", name) if start is not None else times.dt.normalize().min()
    last = _local_day(end, "end", name) if end is not None else times.dt.normalize().max()
    if pd.isna(first) or pd.isna(last):
        return _typed(counts.assign(days=0, partial=False), columns)
    if last < first:
        raise InvalidArgumentError(f"end={end!r} is before start={start!r}: give an end on or after the start.")
    months = _every(pd.Timestamp(first).replace(day=1), pd.Timestamp(last).replace(day=1), "month", name)
    seen = pd.DatetimeIndex(counts["month"]).unique().union(months) if len(counts) else months
    grid = pd.DataFrame({"month": seen})
    for key in keys:
        grid = grid.merge(counts[[key]].drop_duplicates().sort_values(key, na_position="last"), how="cross")
    table = grid.merge(counts, on=["month", *keys], how="left")
    table["events"] = table["events"].fillna(0)
    wall = table["month"].dt.tz_localize(None)
    closes = (wall + pd.offsets.MonthBegin(1)) - pd.Timedelta(days=1)
    covered = (closes.clip(upper=last) - wall.clip(lower=first)).dt.days + 1
    table["days"] = covered.clip(lower=0)
    table["partial"] = table["days"] < wall.dt.days_in_month
    return _typed(table, columns)


# --------------------------------------------------------------------------------------------- tasks
def task_cycle_times(item_changes: pd.DataFrame) -> pd.DataFrame:
    """Each Hitask task's creation, completion and cycle time, from the archive's change log of items.

    A task is an item whose latest version has category "task". ``completed`` is the ``valid_from`` of the
    first version marked completed, in the run of completed versions that lasts to the latest one: a task
    reopened and completed again counts from its last completion, and a task whose latest version is open has
    none. ``valid_from`` is the item's last update when the sync saw that version, so a task first archived
    already completed counts from its last update then (the same approximation as
    `apitoolkit.analysis.completion_times`). ``cycle_days`` is ``completed - created`` in days (float);
    NaN when open, or when the completion precedes the creation (bad data).

    Args:
        item_changes: ``Archive().scan("hitask", "items")``: ``id``, ``category``, ``title``, ``completed``,
            ``time_create``, ``valid_from``.

    Returns:
        Columns ``id`` (Int64), ``title``, ``created``, ``completed`` (UTC), ``cycle_days`` (float64), by
        creation time (missing last), then id.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, ids that are not whole numbers.

    Example:
        >>> changes = pd.DataFrame({"id": [5, 5, 5], "category": "task", "title": "Call Ann",
        ...     "completed": [False, False, True], "time_create": pd.Timestamp("2026-11-02", tz="UTC"),
        ...     "valid_from": pd.to_datetime(["2026-11-02 09:00", "2026-11-03 09:00", "2026-11-05 12:00"], utc=True)})
        >>> task_cycle_times(changes)["cycle_days"].tolist()
        [3.5]
    """
    needed = ["id", "category", "title", "completed", "time_create", "valid_from"]
    require(item_changes, needed, what="task_cycle_times", loader=ITEMS_ARCHIVE)
    versions = pd.DataFrame(
        {
            "id": whole_numbers(item_changes["id"]),
            "task": item_changes["category"].astype("str").eq("task").fillna(False).astype(bool),
            "title": item_changes["title"].astype("str"),
            "done": item_changes["completed"].astype("boolean").fillna(False).astype(bool),
            "created": to_utc(item_changes["time_create"]),
            "valid_from": to_utc(item_changes["valid_from"]),
        }
    ).dropna(subset=["id"])
    versions = versions.sort_values(["id", "valid_from"], kind="stable", na_position="first")
    latest = versions.groupby("id").tail(1).set_index("id")
    latest = latest[latest["task"]]
    versions = versions[versions["id"].isin(latest.index)]
    opened = (~versions["done"]).groupby(versions["id"]).cumsum()  # a new count after every open version
    final_run = opened.eq(opened.groupby(versions["id"]).transform("max"))
    completed = versions[final_run & versions["done"]].groupby("id")["valid_from"].first()
    table = latest.assign(completed=completed.reindex(latest.index)).reset_index()
    days = (table["completed"] - table["created"]) / pd.Timedelta(days=1)
    table["cycle_days"] = days.astype("float64").where(days >= 0)
    table = table.sort_values(["created", "id"], na_position="last", kind="stable")
    return _typed(table, CYCLES)


def completion_trend(
    item_changes: pd.DataFrame, *, freq: str = "week", tz: str = "UTC", start: Any = None, end: Any = None
) -> pd.DataFrame:
    """Hitask tasks completed per week or month, and their median cycle time, from the change log of items.

    Completion times and cycle times as in `task_cycle_times`. Every period from the first to the last
    completion (or from ``start``'s period to ``end``'s) is listed; a period without completions has 0 and a
    NaN median. Tasks the archive first saw already completed count from their last update then, which can lie
    long before the archive began: ``start`` keeps the trend to the time the archive covers.

    Args:
        item_changes: ``Archive().scan("hitask", "items")``, as for `task_cycle_times`.
        freq: ``"week"`` (from Monday) or ``"month"`` (or the aliases ``"W"``, ``"MS"``).
        tz: The zone the periods are cut in; ``period`` is given in that zone.
        start: Count completions from this day on (inclusive; naive: a wall date in ``tz``); default: all.
        end: Count completions up to this day (inclusive); default: all.

    Returns:
        Columns ``period`` (start, in ``tz``), ``completed`` (Int64), ``median_cycle_days`` (float64).

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``freq`` or ``tz``, bad or reversed bounds.

    Example:
        >>> changes = pd.DataFrame({"id": [5, 5, 6], "category": "task", "title": "t",
        ...     "completed": [False, True, True], "time_create": pd.Timestamp("2026-11-02", tz="UTC"),
        ...     "valid_from": pd.to_datetime(["2026-11-02", "2026-11-04", "2026-11-18"], utc=True)})
        >>> trend = completion_trend(changes)
        >>> trend["completed"].tolist(), trend["median_cycle_days"].tolist()
        ([1, 0, 1], [2.0, nan, 16.0])
        >>> completion_trend(changes, start="2026-11-09")["completed"].tolist()
        [0, 1]
    """
    step = _freq(freq, ("week", "month"))
    name = zone(tz)
    first = None if start is None else _local_day(start, "start", name)
    last = None if end is None else _local_day(end, "end", name)
    if first is not None and last is not None and last < first:
        raise InvalidArgumentError(f"end={end!r} is before start={start!r}: give an end on or after the start.")
    cycles = task_cycle_times(item_changes)
    done = cycles.dropna(subset=["completed"])
    local = done["completed"].dt.tz_convert(name).dt.tz_localize(None)
    done = done[local.ge(first if first is not None else local.min()) & local.lt(_after(last, local))]
    dtypes = {**TREND, "period": f"datetime64[us, {name}]"}
    if done.empty:
        return _empty(dtypes)
    periods = period_start(done["completed"], step, tz=name)
    grouped = done["cycle_days"].groupby(periods)
    low = periods.min() if first is None else _wall_period(first, step, name)
    high = periods.max() if last is None else _wall_period(last, step, name)
    every = _every(low, high, step, name)
    table = pd.DataFrame(
        {
            "period": every,
            "completed": grouped.size().reindex(every, fill_value=0).to_numpy(),
            "median_cycle_days": grouped.median().reindex(every).to_numpy(),
        }
    )
    return _typed(table, dtypes)


def _after(last: pd.Timestamp | None, local: pd.Series) -> pd.Timestamp:
    """The moment after the last day counted (wall time): the day after ``last``, else after every value."""
    if last is not None:
        return last + pd.Timedelta(days=1)
    return local.max() + pd.Timedelta(microseconds=1) if len(local) else pd.Timestamp.max


def _wall_period(day: pd.Timestamp, freq: str, tz: str) -> pd.Timestamp:
    """The start of the period holding the wall date ``day`` in ``tz``."""
    moment = day.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return period_start(pd.Series([moment]), freq, tz=tz).iloc[0]
