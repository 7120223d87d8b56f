"""Reputation figures: the leaderboard, points earned over time by action, and points per user and resource type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis.reputation import (
    POINTS,
    points_by_action,
    points_by_resource_type,
    reputation_leaderboard,
)
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import style

__all__ = ["plot_leaderboard", "plot_points_heatmap", "plot_points_over_time"]

NO_ROLE = style.NO_ROLE
NO_TYPE = "(no type)"
PERIOD_LABELS = {"day": "Day", "week": "Week starting Monday", "month": "Month"}
MAX_ANNOTATED_CELLS = 150  # a larger grid gets no numbers in its cells: they would not be readable
BAR_FILL = 0.85  # share of its period a bar covers, leaving a gap between periods


def _points_text(value: Any) -> str:
    return "" if pd.isna(value) else f"{int(value):,}"


def plot_leaderboard(
    users: pd.DataFrame,
    *,
    top: int | None = 10,
    roles: Any = None,
    colors: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars of reported reputation, highest on top, one colour per role.

    A role has the same colour whatever the filter (``style.category_colors``), so charts side by side agree.

    Args:
        users: A frame from ``apitoolkit.itglue.load_users()``.
        top: How many users to draw (0 or more); every user when None.
        roles: Only users with this role or one of these roles.
        colors: Role name -> colour, for roles whose colour should differ from the fixed one.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.barh`` (``height``, ``edgecolor``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> users = pd.DataFrame({"id": [1, 2], "first_name": ["Ann", "Bo"], "last_name": ["Lee", "Ek"],
        ...                       "role_name": ["Editor", "Manager"], "reputation": [40, 95]})
        >>> [t.get_text() for t in plot_leaderboard(users).get_yticklabels()]
        ['Bo Ek', 'Ann Lee']
    """
    board = reputation_leaderboard(users, top=top, roles=roles)
    labels = {"title": "Reputation leaderboard", "xlabel": "Reputation (points)", "ylabel": "User"}
    if board.empty:
        return style.empty(ax, **labels)
    target = style.axes(ax)
    role = board["role_name"].fillna(NO_ROLE)
    names = sorted(role.unique(), key=lambda r: (r == NO_ROLE, r))
    palette = {**style.category_colors(names, kind="role"), **(colors or {})}
    for name in names:
        rows = board[role == name]
        widths = rows["reputation"].to_numpy(dtype="float64", na_value=np.nan)
        bars = target.barh(rows.index, widths, **{"color": palette[name], "label": name, **kwargs})
        target.bar_label(bars, labels=[_points_text(v) for v in rows["reputation"]], padding=3)
    target.set_yticks(range(len(board)), board["name"].fillna("").tolist())
    target.set_ylim(len(board) - 0.5, -0.5)
    target.margins(x=0.08)
    style.legend_outside(target, title="Role")
    return style.finish(target, **labels)


def plot_points_over_time(
    metrics: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    freq: str = "week",
    colors: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Stacked bars of reputation points earned per day, week or month, split by action.

    Each bar covers its period from the period's first day; dates are calendar days of the metrics (no zone).
    Ticks sit on the bar starts. The last period is hatched and listed as "partial week" (or month) when it
    runs past ``end``, or without ``end`` past the last day of the data or today.

    Args:
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``.
        start: First day counted (inclusive).
        end: Last day counted (inclusive).
        freq: ``"day"``, ``"week"`` (starting Monday) or ``"month"``.
        colors: Action -> colour, for actions whose colour should differ from the fixed one.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.bar`` (``edgecolor``, ``alpha``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> metrics = pd.DataFrame({"date": ["2026-11-02"], "created": [1], "edited": [0], "viewed": [2]})
        >>> [t.get_text() for t in plot_points_over_time(metrics, end="2026-11-08").get_legend().get_texts()]
        ['created', 'edited', 'viewed']
    """
    table = points_by_action(metrics, start=start, end=end, freq=freq)
    labels = {"title": "Reputation points by action", "xlabel": PERIOD_LABELS[freq], "ylabel": "Points"}
    if table.empty:
        return style.empty(ax, **labels)
    target = style.axes(ax)
    wide = table.pivot(index="period", columns="action", values="points")[list(POINTS)]
    periods = style.as_utc_naive(wide.index)
    ends = pd.DatetimeIndex([style.period_end(p, freq) for p in periods])
    widths = (ends - periods) / pd.Timedelta(days=1) * BAR_FILL
    partial = ends[-1] > _last_day(metrics, end) + pd.Timedelta(days=1)
    palette = {**style.category_colors(POINTS, kind="action"), **(colors or {})}
    bottom = np.zeros(len(wide))
    for action in POINTS:
        heights = wide[action].to_numpy(dtype="float64")
        options = {"width": widths, "align": "edge", "color": palette[action], "label": action, **kwargs}
        bars = target.bar(periods.to_pydatetime(), heights, bottom=bottom, **options)
        if partial:
            bars[-1].set_hatch(style.PARTIAL_HATCH)
            bars[-1].set_hatchcolor("white")
        bottom += heights
    first, last = mdates.date2num(periods[0].to_pydatetime()), mdates.date2num(ends[-1].to_pydatetime())
    target.set_xlim(first - (last - first) * 0.02, last + (last - first) * 0.02)
    style.period_axis(target, periods, freq)
    style.legend_outside(target, title="Action", extra=[style.partial_handle(freq)] if partial else [])
    return style.finish(target, **labels)


def _last_day(metrics: pd.DataFrame, end: Any) -> pd.Timestamp:
    """The last calendar day counted: ``end``, else the last day of the data (no later than today, UTC)."""
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    if end is not None:
        stamp = pd.Timestamp(end)
        return (stamp.tz_localize(None) if stamp.tzinfo is not None else stamp).normalize()
    days = [pd.Timestamp(value).tz_localize(None).normalize() for value in metrics["date"] if not pd.isna(value)]
    return min(max(days), today) if days else today


def _check_top(top: Any) -> int | None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidArgumentError(f"top={top!r}: give how many users to draw (1 or more), or None for all.")
    return top


def plot_points_heatmap(
    metrics: pd.DataFrame,
    *,
    users: pd.DataFrame | None = None,
    start: Any = None,
    end: Any = None,
    top: int | None = 15,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """A user x resource type grid of reputation points, users with the most points on top.

    Columns are resource types by total points (most on the left). Cells show their value when the grid has at
    most 150 cells.

    Args:
        metrics: A frame from ``apitoolkit.itglue.load_user_metrics(start, end)``.
        users: A frame from ``apitoolkit.itglue.load_users()`` to label rows by name; rows show user ids when None.
        start: First day counted (inclusive).
        end: Last day counted (inclusive).
        top: How many users to draw (1 or more); every user when None.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.imshow`` (``cmap``, ``norm``, ...).

    Returns:
        The Axes drawn on (the colourbar sits beside it on the same figure).

    Example:
        >>> metrics = pd.DataFrame({"user_id": [7, 8], "resource_type": ["Password", "Document"],
        ...                         "created": [1, 0], "edited": [0, 0], "viewed": [2, 1]})
        >>> [t.get_text() for t in plot_points_heatmap(metrics).get_yticklabels()]
        ['7', '8']
    """
    table = points_by_resource_type(metrics, start=start, end=end)
    count = _check_top(top)
    names = reputation_leaderboard(users).set_index("user_id")["name"] if users is not None else pd.Series()
    labels = {"title": "Reputation points by user and resource type", "xlabel": "Resource type", "ylabel": "User"}
    if table.empty:
        return style.empty(ax, **labels)
    target = style.axes(ax)
    grid = table.assign(resource_type=table["resource_type"].fillna(NO_TYPE))
    grid = grid.pivot(index="user_id", columns="resource_type", values="points").fillna(0).astype("int64")
    rows = grid.sum(axis=1).sort_values(ascending=False, kind="stable").index[:count]
    columns = grid.sum(axis=0).sort_values(ascending=False, kind="stable").index
    shown = grid.loc[rows, columns]
    options = {"aspect": "auto", "cmap": "viridis", "interpolation": "nearest", **kwargs}
    image = target.imshow(shown.to_numpy(), **options)
    target.figure.colorbar(image, ax=target, label="Points")
    if shown.size <= MAX_ANNOTATED_CELLS:
        low, high = image.get_clim()
        for (row, column), value in np.ndenumerate(shown.to_numpy()):
            ink = "white" if value < (low + high) / 2 else "black"  # viridis is dark at the low end
            target.text(column, row, f"{value:,}", ha="center", va="center", color=ink, fontsize="small")
    target.set_xticks(range(len(columns)), list(columns), rotation=45, ha="right", rotation_mode="anchor")
    target.set_yticks(range(len(rows)), [str(names.get(uid, uid)) for uid in rows])
    return style.finish(target, **labels)
