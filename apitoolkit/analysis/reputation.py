"""IT Glue reputation: the leaderboard, points recomputed from user metrics, and where the points come from.

IT Glue's reputation score (docs, Users, "Reputation Scores") counts every action taken in the account since it
began: 10 points per item created, 5 per item updated (the metrics' ``edited``), 1 per item viewed; deletions earn
nothing. ``reported`` scores are the ``reputation`` column of ``load_users()``; ``computed`` ones are summed from
the metrics rows given, so the two agree only when those rows cover the account's whole history.

Metrics ``date`` values are calendar days without a zone: they are grouped as they are (a value given with a zone
counts as the day it names in that zone), so these functions take no ``tz``; `points_by_action` labels each period
by its first day at midnight UTC, the convention of every period column (`apitoolkit.analysis.throughput`).

The actions are always in the order created, edited, viewed (`POINTS`): in columns and in long tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral
from types import MappingProxyType
from typing import Any

import pandas as pd

from apitoolkit.analysis.checks import FREQUENCIES, display_names, period_start, require, whole_numbers
from apitoolkit.arguments import as_timestamp
from apitoolkit.exceptions import InvalidArgumentError

__all__ = [
    "POINTS",
    "compare_reputation",
    "points_by_action",
    "points_by_resource_type",
    "reputation_from_metrics",
    "reputation_leaderboard",
]

#: Points per action counted in the user metrics (``edited`` is the docs' "updated"; ``deleted`` earns nothing).
POINTS: Mapping[str, int] = MappingProxyType({"created": 10, "edited": 5, "viewed": 1})
ACTIONS = tuple(POINTS)
USERS_LOADER = "apitoolkit.itglue.load_users()"
METRICS_LOADER = "apitoolkit.itglue.load_user_metrics(start, end)"
NAME_COLUMNS = ("id", "first_name", "last_name")

LEADERBOARD = {"rank": "Int64", "user_id": "Int64", "name": "str", "role_name": "str", "reputation": "Int64"}
TOTALS = {"user_id": "Int64", "created": "Int64", "edited": "Int64", "viewed": "Int64", "points": "Int64"}
COMPARISON = {"user_id": "Int64", "name": "str", "reported": "Int64", "computed": "Int64", "difference": "Int64"}
BY_ACTION = {"period": "datetime64[us, UTC]", "action": "str", "points": "Int64"}
BY_RESOURCE_TYPE = {"user_id": "Int64", "resource_type": "str", "points": "Int64"}


def _typed(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``frame``'s ``dtypes`` columns, in that order and with those dtypes, on a fresh 0..n-1 index."""
    return frame[list(dtypes)].astype(dict(dtypes)).reset_index(drop=True)


def _counts(metrics: pd.DataFrame) -> pd.DataFrame:
    """``user_id`` (when present) and the three counted actions of ``metrics``, a missing count counting as 0."""
    ids = {"user_id": whole_numbers(metrics["user_id"])} if "user_id" in metrics.columns else {}
    counts = {action: whole_numbers(metrics[action]).fillna(0) for action in ACTIONS}
    return pd.DataFrame({**ids, **counts}, index=metrics.index)


def _points(counts: pd.DataFrame) -> pd.Series:
    return sum((counts[action] * weight for action, weight in POINTS.items()), start=pd.Series(0, index=counts.index))


def _top(top: Any) -> int | None:
    if top is None:
        return None
    if not isinstance(top, Integral) or isinstance(top, bool) or top < 0:
        raise InvalidArgumentError(f"top={top!r}: give a whole number of rows (0 or more), or None for every row.")
    return int(top)


def _roles(roles: Any) -> list[str] | None:
    if roles is None:
        return None
    picked = [roles] if isinstance(roles, str) else list(roles) if isinstance(roles, Iterable) else [None]
    if not all(isinstance(role, str) for role in picked):
        raise InvalidArgumentError(f"roles={roles!r}: give a role name or a list of them, e.g. ['Administrator'].")
    return [str(role) for role in picked]


def _by_name(column: pd.Series) -> pd.Series:
    """Sort key: names compared without case, other columns as they are."""
    return column.str.casefold() if column.name == "name" else column


def reputation_leaderboard(users: pd.DataFrame, *, top: int | None = None, roles: Any = None) -> pd.DataFrame:
    """Users ranked by the reputation IT Glue reports, highest first.

    Ties share the lowest rank ("min": 1, 2, 2, 4) and are ordered by name (ignoring case), then id. Users without
    a reputation come last, without a rank. Ranks are counted after ``roles`` filters and before ``top`` cuts.

    Args:
        users: A frame from ``apitoolkit.itglue.load_users()``: ``id``, ``first_name``, ``last_name``,
            ``role_name``, ``reputation`` (and ``email``, used when a user has no name).
        top: Keep the first ``top`` rows; every row when None.
        roles: Keep only users whose ``role_name`` is this role or one of these roles.

    Returns:
        Columns ``rank`` (Int64), ``user_id`` (Int64), ``name`` ("first last", else the email, else the id),
        ``role_name``, ``reputation`` (Int64).

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, negative ``top``, ``roles`` not role names.

    Example:
        >>> users = pd.DataFrame({"id": [1, 2, 3], "first_name": ["Ann", "Bo", "Cy"], "last_name": ["Lee", "", "Do"],
        ...                       "role_name": ["Editor", "Manager", "Editor"], "reputation": [40, 95, 40]})
        >>> reputation_leaderboard(users)[["rank", "name", "reputation"]].values.tolist()
        [[1, 'Bo', 95], [2, 'Ann Lee', 40], [2, 'Cy Do', 40]]
    """
    require(users, [*NAME_COLUMNS, "role_name", "reputation"], what="reputation_leaderboard", loader=USERS_LOADER)
    count, wanted = _top(top), _roles(roles)
    board = pd.DataFrame(
        {
            "user_id": whole_numbers(users["id"]),
            "name": display_names(users),
            "role_name": users["role_name"].astype("str"),
            "reputation": whole_numbers(users["reputation"]),
        }
    )
    if wanted is not None:
        board = board[board["role_name"].isin(wanted)]
    order = ["reputation", "name", "user_id"]
    board = board.sort_values(order, ascending=[False, True, True], na_position="last", kind="stable", key=_by_name)
    board["rank"] = board["reputation"].rank(method="min", ascending=False)
    return _typed(board.head(count) if count is not None else board, LEADERBOARD)


def _totals(metrics: pd.DataFrame) -> pd.DataFrame:
    counts = _counts(metrics)
    sums = counts.groupby("user_id")[list(ACTIONS)].sum().reset_index()
    sums["points"] = _points(sums)
    sums = sums.sort_values(["points", "user_id"], ascending=[False, True], kind="stable")
    return _typed(sums, TOTALS)


def reputation_from_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    """Each user's reputation recomputed from user metrics: ``10 * created + 5 * edited + 1 * viewed``.

    Every row given is summed (load the metrics since the account began to match IT Glue's score); a missing
    count counts as 0 and rows without a ``user_id`` are left out.

    Args:
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``: ``user_id``, ``created``,
            ``edited``, ``viewed``.

    Returns:
        One row per user: ``user_id``, ``created``, ``edited``, ``viewed`` (sums) and ``points``, all Int64,
        by points (highest first), then user_id.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, counts that are not whole numbers.

    Example:
        >>> metrics = pd.DataFrame({"user_id": [7, 7, 8], "created": [1, 0, 0], "edited": [0, 2, 0],
        ...                         "viewed": [3, 4, 5]})
        >>> reputation_from_metrics(metrics)[["user_id", "points"]].values.tolist()
        [[7, 27], [8, 5]]
    """
    require(metrics, ["user_id", *ACTIONS], what="reputation_from_metrics", loader=METRICS_LOADER)
    return _totals(metrics)


def compare_reputation(users: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """The reputation IT Glue reports next to the one computed from ``metrics``, largest gaps first.

    Users without metrics have ``computed`` 0. Users found only in ``metrics`` are listed too, with ``name`` and
    ``reported`` (hence ``difference``) missing; they come after every known difference.

    Args:
        users: A frame from ``apitoolkit.itglue.load_users()``: ``id``, ``first_name``, ``last_name``,
            ``reputation`` (and ``email``, used when a user has no name).
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``: ``user_id``, ``created``,
            ``edited``, ``viewed``.

    Returns:
        Columns ``user_id``, ``name``, ``reported``, ``computed``, ``difference`` (``reported - computed``),
        by absolute difference (largest first), then user_id.

    Raises:
        InvalidArgumentError: Either argument is not a DataFrame or lacks columns.

    Example:
        >>> users = pd.DataFrame({"id": [7, 8], "first_name": ["Ann", "Bo"], "last_name": ["Lee", "Ek"],
        ...                       "reputation": [27, 4]})
        >>> metrics = pd.DataFrame({"user_id": [7, 7], "created": [1, 0], "edited": [0, 2], "viewed": [3, 4]})
        >>> compare_reputation(users, metrics)[["name", "computed", "difference"]].values.tolist()
        [['Bo Ek', 0, 4], ['Ann Lee', 27, 0]]
    """
    require(users, [*NAME_COLUMNS, "reputation"], what="compare_reputation", loader=USERS_LOADER)
    require(metrics, ["user_id", *ACTIONS], what="compare_reputation", loader=METRICS_LOADER)
    reported = pd.DataFrame(
        {
            "user_id": whole_numbers(users["id"]),
            "name": display_names(users),
            "reported": whole_numbers(users["reputation"]),
        }
    )
    computed = _totals(metrics)[["user_id", "points"]].rename(columns={"points": "computed"})
    both = reported.merge(computed, on="user_id", how="outer", sort=False)
    both["computed"] = both["computed"].fillna(0)
    both["difference"] = both["reported"] - both["computed"]
    both = both.sort_values(
        ["difference", "user_id"], ascending=[False, True], na_position="last", kind="stable", key=_by_magnitude
    )
    return _typed(both, COMPARISON)


def _by_magnitude(column: pd.Series) -> pd.Series:
    """Sort key: differences by size, other columns as they are."""
    return column.abs() if column.name == "difference" else column


def _day(value: Any, name: str) -> pd.Timestamp | None:
    """A ``start``/``end`` argument as a midnight without zone (the calendar day it names); None stays None."""
    if value is None:
        return None
    as_timestamp(value, name)  # a number, bytes or an odd string is refused here, not read as nanoseconds
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        moment = pd.NaT
    if moment is pd.NaT:
        raise InvalidArgumentError(f"{name}={value!r} is not a date: give a day such as '2026-11-01'.")
    return moment.tz_localize(None).normalize().as_unit("us")


def _bounds(start: Any, end: Any) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    lo, hi = _day(start, "start"), _day(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise InvalidArgumentError(f"start={start!r} is after end={end!r}: give start on or before end.")
    return lo, hi


def _one_day(value: Any) -> pd.Timestamp:
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        return pd.NaT
    return moment if moment is pd.NaT else moment.tz_localize(None)


def _calendar_days(values: pd.Series) -> pd.Series:
    """Dates (pyarrow dates, datetimes in any zones, strings) as midnights without zone; unreadable ones NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.Series([_one_day(v) for v in values.tolist()], index=values.index, dtype="datetime64[us]")
    return values.astype("datetime64[us]").dt.normalize()


def _in_range(metrics: pd.DataFrame, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> pd.DataFrame:
    """``metrics`` with a ``day`` column, keeping rows whose day is within the inclusive bounds."""
    dated = metrics.assign(day=_calendar_days(metrics["date"]))
    keep = dated["day"].notna()
    if lo is not None:
        keep &= dated["day"] >= lo
    if hi is not None:
        keep &= dated["day"] <= hi
    return dated[keep]


def _period_of(days: pd.Series, freq: str) -> pd.Series:
    """The first day of the day, week (Monday) or month of each day, without zone."""
    return period_start(days.dt.tz_localize("UTC"), freq).dt.tz_localize(None).astype("datetime64[us]")


def points_by_action(
    metrics: pd.DataFrame, *, start: Any = None, end: Any = None, freq: str = "week", per_user: bool = False
) -> pd.DataFrame:
    """Points earned per period and action (created, edited, viewed): the long table a stacked plot draws.

    Every period from the first to the last (``start``/``end`` when given, else the first and last day with
    metrics) is present for every action (and, with ``per_user``, every user with metrics in range), with 0
    where nothing happened. Rows without a readable ``date`` are left out; no rows in range gives an empty frame.

    Args:
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``: ``date``, ``created``,
            ``edited``, ``viewed`` (and ``user_id`` with ``per_user``).
        start: First day counted (inclusive; anything ``pd.Timestamp`` reads).
        end: Last day counted (inclusive).
        freq: ``"day"``, ``"week"`` (starting Monday) or ``"month"``.
        per_user: One series per user (``user_id`` first column).

    Returns:
        Columns [``user_id``,] ``period`` (the first day, at midnight UTC: ``datetime64[us, UTC]`` as in
        `apitoolkit.analysis.throughput`), ``action``, ``points`` (Int64), by [user_id,] period and action in
        the order created, edited, viewed.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unknown ``freq``, unreadable or reversed dates.

    Example:
        >>> metrics = pd.DataFrame({"date": ["2026-11-02", "2026-11-16"], "created": [1, 0], "edited": [0, 1],
        ...                         "viewed": [2, 3]})
        >>> frame = points_by_action(metrics)
        >>> frame[frame["action"] == "viewed"]["points"].tolist()
        [2, 0, 3]
        >>> frame["period"].iloc[0]
        Timestamp('2026-11-02 00:00:00+0000', tz='UTC')
    """
    needed = ["user_id", "date", *ACTIONS] if per_user else ["date", *ACTIONS]
    require(metrics, needed, what="points_by_action", loader=METRICS_LOADER)
    if freq not in FREQUENCIES:
        raise InvalidArgumentError(f"freq={freq!r}: use one of {', '.join(FREQUENCIES)}.")
    lo, hi = _bounds(start, end)
    keys = ["user_id", "period"] if per_user else ["period"]
    dtypes = {"user_id": "Int64", **BY_ACTION} if per_user else BY_ACTION
    dated = _in_range(metrics, lo, hi)
    counts = _counts(dated).assign(period=_period_of(dated["day"], freq))
    if per_user:
        counts = counts[counts["user_id"].notna()]
    if counts.empty:
        return _typed(pd.DataFrame(columns=list(dtypes)), dtypes)
    first = counts["period"].min() if lo is None else _period_of(pd.Series([lo]), freq).iloc[0]
    last = counts["period"].max() if hi is None else _period_of(pd.Series([hi]), freq).iloc[0]
    periods = pd.date_range(first, last, freq=FREQUENCIES[freq], unit="us", name="period")
    users = sorted(counts["user_id"].unique()) if per_user else []
    grid = pd.MultiIndex.from_product([users, periods], names=keys) if per_user else periods
    sums = counts.groupby(keys)[list(ACTIONS)].sum().reindex(grid, fill_value=0)
    points = pd.DataFrame({action: sums[action] * weight for action, weight in POINTS.items()}).reset_index()
    long = points.melt(id_vars=keys, value_vars=list(ACTIONS), var_name="action", value_name="points")
    long = long.sort_values([*keys, "action"], kind="stable", key=_by_action)
    return _typed(long.assign(period=long["period"].dt.tz_localize("UTC")), dtypes)


def _by_action(column: pd.Series) -> pd.Series:
    """Sort key: actions in the order of `POINTS` (created, edited, viewed), other columns as they are."""
    return column.map({action: i for i, action in enumerate(ACTIONS)}) if column.name == "action" else column


def points_by_resource_type(metrics: pd.DataFrame, *, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Points each user earned per resource type (Configuration, Password, ...): what a heatmap draws.

    Rows without a ``user_id`` are left out; a missing ``resource_type`` is kept as its own (missing) type.

    Args:
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``: ``user_id``,
            ``resource_type``, ``created``, ``edited``, ``viewed`` (and ``date`` when ``start`` or ``end`` is given).
        start: First day counted (inclusive; anything ``pd.Timestamp`` reads).
        end: Last day counted (inclusive).

    Returns:
        Columns ``user_id`` (Int64), ``resource_type``, ``points`` (Int64), without zero rows, by user_id and
        resource_type.

    Raises:
        InvalidArgumentError: Not a DataFrame, missing columns, unreadable or reversed dates.

    Example:
        >>> metrics = pd.DataFrame({"user_id": [7, 7, 8], "resource_type": ["Password", "Document", "Password"],
        ...                         "created": [1, 0, 0], "edited": [0, 0, 0], "viewed": [2, 0, 1]})
        >>> points_by_resource_type(metrics).values.tolist()
        [[7, 'Password', 12], [8, 'Password', 1]]
    """
    dated = start is not None or end is not None
    needed = ["user_id", "resource_type", *ACTIONS, *(["date"] if dated else [])]
    require(metrics, needed, what="points_by_resource_type", loader=METRICS_LOADER)
    if dated:
        metrics = _in_range(metrics, *_bounds(start, end))
    counts = _counts(metrics).assign(resource_type=metrics["resource_type"].astype("str"))
    sums = counts.groupby(["user_id", "resource_type"], dropna=False)[list(ACTIONS)].sum().reset_index()
    sums = sums[sums["user_id"].notna()]
    sums["points"] = _points(sums)
    sums = sums[sums["points"] != 0].sort_values(["user_id", "resource_type"], na_position="last", kind="stable")
    return _typed(sums, BY_RESOURCE_TYPE)
