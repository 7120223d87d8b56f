"""Task activity figures: tasks created and completed, the open backlog, overdue tasks per assignee."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from apitoolkit.analysis.checks import to_utc, zone
from apitoolkit.analysis.tasks import backlog, task_view, throughput, work_by
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import style

__all__ = ["plot_backlog", "plot_overdue_by_assignee", "plot_throughput"]

_PERIOD = {"day": "Day", "week": "Week starting Monday", "month": "Month"}


def plot_throughput(
    tasks: pd.DataFrame,
    *,
    freq: str = "week",
    start: Any = None,
    end: Any = None,
    tz: str = "UTC",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Tasks created and tasks completed per period, two lines drawn from `apitoolkit.analysis.throughput`.

    Ticks sit on the period starts. The last period is hatched and listed as "partial week" (or month) when it
    runs past ``end``, or without ``end`` past the day of the last event or today.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        freq: "day", "week" or "month".
        start: First period shown (date-like; naive is a wall time in ``tz``); default: the earliest event.
        end: Last period shown; default: the latest event.
        tz: The zone the periods are cut in and the dates shown in.
        ax: Axes to draw on; default: a new figure.
        **kwargs: Passed to both ``Axes.plot`` calls (``linewidth``, ``marker``...).

    Example:
        >>> tasks = pd.DataFrame({"id": [7], "project_id": [3], "title": ["Fix links"], "priority": [2],
        ...                       "status": ["done"], "created": pd.to_datetime(["2026-11-02"], utc=True),
        ...                       "completed": pd.to_datetime(["2026-11-05"], utc=True)})
        >>> plot_throughput(tasks).get_ylabel()
        'Tasks (count)'
    """
    table = throughput(tasks, freq=freq, start=start, end=end, tz=tz)
    labels = {"title": f"Tasks created and completed per {freq}", "xlabel": f"{_PERIOD[freq]} ({tz})"}
    if table.empty:
        return style.empty(ax, **labels, ylabel="Tasks (count)")
    target = style.axes(ax)
    for column, color in zip(("created", "completed"), style.colors(2), strict=True):
        drawing = {"color": color, "marker": "o", "markersize": 3, **kwargs}
        target.plot(table["period"], table[column].to_numpy(dtype="int64"), label=column.capitalize(), **drawing)
    _counts_axis(target.yaxis)
    target.set_ylim(bottom=0)
    style.line_period_axis(target, table["period"], freq, data_end=_last_moment(tasks, end, tz))
    style.legend_outside(target)
    return style.finish(target, **labels, ylabel="Tasks (count)")


def plot_backlog(
    tasks: pd.DataFrame,
    *,
    freq: str = "day",
    start: Any = None,
    end: Any = None,
    tz: str = "UTC",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Open tasks at the end of each period, a step line drawn from `apitoolkit.analysis.backlog`.

    Ticks sit on the period starts; a partial last period is hatched, as in `plot_throughput`.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        freq: "day", "week" or "month".
        start: First period shown (date-like; naive is a wall time in ``tz``); default: the earliest creation.
        end: Last period shown; default: the latest creation or completion.
        tz: The zone the periods are cut in and the dates shown in.
        ax: Axes to draw on; default: a new figure.
        **kwargs: Passed to ``Axes.plot`` (``color``, ``linewidth``...).

    Example:
        >>> tasks = pd.DataFrame({"id": [7], "project_id": [3], "title": ["Fix links"], "priority": [2],
        ...                       "status": ["open"], "created": pd.to_datetime(["2026-11-02"], utc=True),
        ...                       "completed": pd.NaT})
        >>> plot_backlog(tasks).get_title()
        'Open tasks at the end of each day'
    """
    table = backlog(tasks, freq=freq, start=start, end=end, tz=tz)
    labels = {"title": f"Open tasks at the end of each {freq}", "xlabel": f"{_PERIOD[freq]} ({tz})"}
    if table.empty:
        return style.empty(ax, **labels, ylabel="Open tasks (count)")
    target = style.axes(ax)
    single = {"marker": "o"} if len(table) == 1 else {}  # one period: a step line alone would draw nothing
    drawing = {"color": style.PALETTE[0], "drawstyle": "steps-post", **single, **kwargs}
    target.plot(table["period"], table["open"].to_numpy(dtype="int64"), **drawing)
    _counts_axis(target.yaxis)
    target.set_ylim(bottom=0)
    style.line_period_axis(target, table["period"], freq, data_end=_last_moment(tasks, end, tz))
    style.legend_outside(target)
    return style.finish(target, **labels, ylabel="Open tasks (count)")


def plot_overdue_by_assignee(
    tasks: pd.DataFrame,
    *,
    now: Any = None,
    users: pd.DataFrame | None = None,
    top: int = 15,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Overdue tasks per assignee, most first, as horizontal bars from `apitoolkit.analysis.work_by`.

    Assignees without overdue tasks are left out; the ``top`` with the most are shown (the title says when
    more exist). Bars are labelled as `apitoolkit.analysis.overdue` names the assignee: the member's name when
    ``users`` is given (else "#<id>"), "unassigned" for tasks without one.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        now: The reference time (date-like; naive is UTC); default: the current time.
        users: ``apitoolkit.hitask.load_team_members()``, passed on to `apitoolkit.analysis.work_by` so bars are
            labelled "First Last" (else the login), the names the overdue table shows.
        top: How many assignees to show at most (a positive whole number).
        ax: Axes to draw on; default: a new figure.
        **kwargs: Passed to ``Axes.barh`` (``color``, ``height``...).

    Example:
        >>> items = pd.DataFrame({"id": [1], "title": ["Call Ann"], "category": ["task"], "project_id": None,
        ...     "project_title": None, "assignee_id": [5], "priority": [20000], "completed": [False],
        ...     "time_create": pd.NaT, "time_last_update": pd.NaT,
        ...     "due_date": pd.to_datetime(["2026-11-01"], utc=True)})
        >>> users = pd.DataFrame({"id": [5], "first_name": ["Ann"], "last_name": ["Lee"]})
        >>> [t.get_text() for t in plot_overdue_by_assignee(items, now="2026-11-23", users=users).get_yticklabels()]
        ['Ann Lee']
    """
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise InvalidArgumentError(f"top={top!r}: give how many assignees to show, a whole number of 1 or more.")
    table = work_by(tasks, by="assignee", now=now, users=users)
    late = table[table["overdue"].gt(0)].sort_values(["overdue", "assignee"], ascending=[False, True], kind="stable")
    more = f" (top {top} of {len(late)})" if len(late) > top else ""
    labels = {"title": f"Overdue tasks by assignee{more}", "xlabel": "Overdue tasks (count)", "ylabel": "Assignee"}
    if late.empty:
        return style.empty(ax, **labels, message="No overdue tasks")
    shown = late.head(top).iloc[::-1]  # barh draws bottom-up: the most overdue ends on top
    target = style.axes(ax)
    positions = np.arange(len(shown))
    bars = target.barh(positions, shown["overdue"].to_numpy(dtype="int64"), **{"color": style.URGENCY[0], **kwargs})
    target.bar_label(bars, padding=3)
    target.set_yticks(positions, shown["assignee"].astype("str").tolist())
    _counts_axis(target.xaxis)
    return style.finish(target, **labels)


def _last_moment(tasks: pd.DataFrame, end: Any, tz: str) -> pd.Timestamp:
    """Where the data stops: the end of ``end``'s day in ``tz``, else of the last event's day (no later than now)."""
    name = zone(tz)
    now = pd.Timestamp.now(tz="UTC")
    if end is not None:
        stamp = pd.Timestamp(end)
        local = stamp.tz_convert(name) if stamp.tzinfo is not None else stamp.tz_localize(name)
        return local.normalize() + pd.Timedelta(days=1)
    view = task_view(tasks)
    events = pd.concat([to_utc(view["created"]), to_utc(view["completed_at"])]).dropna()
    if events.empty:
        return now
    last = events.max().tz_convert(name).normalize() + pd.Timedelta(days=1)
    return min(last, now.tz_convert(name))


def _counts_axis(axis: Any) -> None:
    """Whole-number ticks: counts have no fractions."""
    axis.set_major_locator(MaxNLocator(integer=True))
