"""History figures from the archive: reputation trends, renewals on time or late, activity per month, cycle times."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from apitoolkit.analysis.checks import to_utc
from apitoolkit.analysis.history import activity_by_month, completion_trend, renewal_summary, reputation_trend
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import style

__all__ = ["plot_activity_by_month", "plot_completion_trend", "plot_late_renewals", "plot_reputation_trend"]

BAR_FILL = 0.8  # the share of its period a bar covers
TWIN_TICKS = 8  # ticks on a period axis narrowed by a second y axis
LINESTYLES = ("-", "--", ":")  # after every colour of the palette is used, lines are dashed, then dotted
MISSING_LABEL = "(none)"
OTHER_LABEL = "other"
PERIODS = {"day": "Day", "week": "Week starting Monday", "month": "Month"}
SUBJECTS = {"action": "action", "user_id": "user", "resource_type": "resource type", "organization_id": "organization"}
#: Colours of the renewal timings: on time (blue), unclear (grey), late (red).
TIMING_COLORS = {"on time": style.PALETTE[0], "unclear": style.PALETTE[6], "late": style.URGENCY[1]}
_TIMING_COLUMNS = {"on time": "on_time", "unclear": "unclear", "late": "late"}


def _name_freq(freq: str) -> str:
    return {"D": "day", "W": "week", "W-MON": "week", "MS": "month", "M": "month"}.get(freq, freq)


def _check_top(top: Any) -> int:
    if isinstance(top, bool) or not isinstance(top, Integral) or top < 1:
        raise InvalidArgumentError(f"top={top!r}: give how many series get a colour of their own (1 or more).")
    return int(top)


def _stacked_bars(
    target: Axes,
    periods: pd.DatetimeIndex,
    freq: str,
    stacks: Mapping[str, np.ndarray[Any, Any]],
    colors: Mapping[str, str],
    *,
    partial: Sequence[bool],
    max_ticks: int = style.MAX_PERIOD_TICKS,
    **kwargs: Any,
) -> None:
    """Bars from each period's start covering most of it, ``stacks`` piled in order; partial periods hatched."""
    starts = style.as_utc_naive(periods)
    ends = pd.DatetimeIndex([style.period_end(p, freq) for p in starts])
    widths = (ends - starts) / pd.Timedelta(days=1) * BAR_FILL
    bottom = np.zeros(len(starts))
    for label, heights in stacks.items():
        options = {"width": widths, "align": "edge", "color": colors[label], "label": label, **kwargs}
        bars = target.bar(starts.to_pydatetime(), heights, bottom=bottom, **options)
        for bar, cut in zip(bars, partial, strict=True):
            if cut:
                bar.set_hatch(style.PARTIAL_HATCH)
                bar.set_hatchcolor("white")
        bottom = bottom + heights
    first, last = mdates.date2num(starts[0].to_pydatetime()), mdates.date2num(ends[-1].to_pydatetime())
    pad = max((last - first) * 0.02, 0.5)
    target.set_xlim(first - pad, last + pad)
    style.period_axis(target, periods, freq, max_ticks=max_ticks)
    target.yaxis.set_major_locator(MaxNLocator(integer=True))


def _lines(data: pd.DataFrame, key: str, label: str, value: str) -> dict[str, pd.Series]:
    """One series of ``value`` per period for each key, named by ``label``, in the order the keys first appear."""
    return {
        str(group[label].iloc[-1]): group.set_index("period")[value]
        for _, group in data.groupby(key, sort=False, dropna=False)
    }


def plot_reputation_trend(
    users_snapshots: pd.DataFrame,
    *,
    freq: str = "week",
    by: str = "user",
    top: int = 8,
    change: bool = False,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Reputation over time from the archive's users snapshots: a line per user (or role), the highest on top.

    Drawn from `apitoolkit.analysis.reputation_trend`: each point is the last snapshot of its period. Roles keep
    their fixed colours (`category_colors`); users take the palette in order of their last reputation (dashed once
    it runs out, dotted after that). The last period is hatched as partial when the snapshots stop before it ends.

    Args:
        users_snapshots: ``Archive().scan("itglue", "users")``.
        freq: ``"day"``, ``"week"`` or ``"month"`` (or ``"D"``, ``"W"``, ``"MS"``).
        by: ``"user"`` or ``"role"`` (the role's summed reputation).
        top: How many users (or roles) to draw, those with the highest last reputation (1 or more).
        change: Draw the change since the first period instead of the reputation.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.plot`` for every line (``linewidth``, ``marker``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> snaps = pd.DataFrame({"snapshot_date": ["2026-11-02", "2026-11-09"], "id": [7, 7],
        ...     "first_name": "Ann", "last_name": "Lee", "role_name": "Editor", "reputation": [10, 20]})
        >>> [t.get_text() for t in plot_reputation_trend(snaps).get_legend().get_texts()][:1]
        ['Ann Lee']
    """
    count = _check_top(top)
    data = reputation_trend(users_snapshots, freq=freq, by=by, top=count)
    step = _name_freq(freq)
    subject = "user" if by == "user" else "role (sum of its users)"
    ylabel = "Change since the first period (points)" if change else "Reputation (points)"
    labels = {"title": f"Reputation per {step} by {subject}", "xlabel": f"{PERIODS[step]} (UTC)", "ylabel": ylabel}
    if data.empty:
        return style.empty(ax, **labels, message="No users snapshots in the archive")
    key, label = ("user_id", "name") if by == "user" else ("role_name", "role_name")
    last = data.sort_values("period", kind="stable").groupby(key).tail(1)
    order = last.sort_values(["reputation", label], ascending=[False, True], na_position="last")[key].tolist()
    data = data.set_index(key).loc[order].reset_index()
    lines = _lines(data, key, label, "change" if change else "reputation")
    in_order = dict(zip(lines, style.colors(len(lines)), strict=True))
    palette = style.category_colors(lines, kind="role") if by == "role" else in_order
    target = style.axes(ax)
    options = {"marker": "o", "markersize": 3, **kwargs}
    for i, (name, values) in enumerate(lines.items()):
        periods = style.as_utc_naive(values.index)
        dashes = LINESTYLES[(i // len(style.PALETTE)) % len(LINESTYLES)]  # colours repeat: the dashes do not
        drawing = {"label": name, "color": palette[name], "linestyle": dashes, **options}
        target.plot(periods.to_pydatetime(), values.to_numpy(dtype=float), **drawing)
    target.yaxis.set_major_locator(MaxNLocator(integer=True))
    starts = pd.DatetimeIndex(data["period"].drop_duplicates().sort_values())
    last_day = pd.Timestamp(data["snapshot_date"].max()).tz_localize("UTC") + pd.Timedelta(days=1)
    style.line_period_axis(target, starts, step, data_end=last_day)
    style.legend_outside(target, title="User" if by == "user" else "Role")
    return style.finish(target, **labels)


def plot_late_renewals(expiration_snapshots: pd.DataFrame, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Renewals per month the old date fell in, stacked: on time, unclear from the snapshots, late.

    Drawn from `apitoolkit.analysis.renewal_summary`; see `apitoolkit.analysis.late_renewals` for what makes a
    renewal late and why some cannot be told. A month the snapshots stop inside is hatched as partial: its
    late renewals may still come.

    Args:
        expiration_snapshots: ``Archive().scan("itglue", "expirations")``.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.bar`` (``edgecolor``, ``alpha``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> snaps = pd.DataFrame({"id": [1, 1], "snapshot_date": ["2026-11-01", "2026-11-05"],
        ...     "expiration_date": pd.to_datetime(["2026-11-03", "2027-11-03"], utc=True),
        ...     "organization_name": "Acme", "resource_type_name": "Domain", "resource_name": "acme.com"})
        >>> plot_late_renewals(snaps).get_title()
        'Renewals by the month they were due'
    """
    table = renewal_summary(expiration_snapshots)
    labels = {
        "title": "Renewals by the month they were due",
        "xlabel": "Month of the old expiration date (UTC)",
        "ylabel": "Renewals (count)",
    }
    if table.empty:
        return style.empty(ax, **labels, message="No renewals seen in the archive's snapshots")
    target = style.axes(ax)
    periods = pd.DatetimeIndex(table["month"])
    last_snapshot = _last_snapshot(expiration_snapshots)
    partial = [style.period_end(p, "month") > last_snapshot for p in style.as_utc_naive(periods)]
    stacks = {name: table[column].to_numpy(dtype="float64") for name, column in _TIMING_COLUMNS.items()}
    _stacked_bars(target, periods, "month", stacks, TIMING_COLORS, partial=partial, **kwargs)
    style.legend_outside(target, title="Renewed", extra=[style.partial_handle("month")] if any(partial) else [])
    return style.finish(target, **labels)


def _last_snapshot(snapshots: pd.DataFrame) -> pd.Timestamp:
    """The day after the last snapshot (naive UTC midnight): where the snapshots stop."""
    days = pd.to_datetime(snapshots["snapshot_date"].astype("str"), errors="coerce", format="ISO8601")
    return pd.Timestamp(days.max()).normalize() + pd.Timedelta(days=1)


def _monthly_stacks(table: pd.DataFrame, by: str | None, top: int) -> dict[str, np.ndarray[Any, Any]]:
    """Events per month for the ``top`` busiest groups, the rest summed as "other" (or the total)."""
    if by is None:
        return {"all events": table["events"].to_numpy(dtype="float64")}
    label = pd.Series([MISSING_LABEL if pd.isna(v) else str(v) for v in table[by]], index=table.index)
    wide = table.assign(label=label).pivot_table(
        index="month", columns="label", values="events", aggfunc="sum", sort=False
    )
    ranked = wide.sum().sort_values(ascending=False, kind="stable").index.tolist()
    stacks = {name: wide[name].to_numpy(dtype="float64") for name in ranked[:top]}
    if ranked[top:]:
        stacks[OTHER_LABEL] = wide[ranked[top:]].sum(axis=1).to_numpy(dtype="float64")
    return stacks


def plot_activity_by_month(
    logs: pd.DataFrame,
    *,
    by: str | None = None,
    tz: str = "UTC",
    top: int = 6,
    start: Any = None,
    end: Any = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Events per calendar month as bars (stacked by group with ``by``); months the logs only partly cover hatched.

    Drawn from `apitoolkit.analysis.activity_by_month`, for archive scans spanning months: a hatched month is
    one the archive started in or the scan stops in, so its bar is not comparable with whole months.

    Args:
        logs: ``Archive().scan("itglue", "logs")`` or ``apitoolkit.itglue.load_logs()``.
        by: None for the total, or ``"action"``, ``"user_id"``, ``"resource_type"``, ``"organization_id"``.
        tz: The zone the months are cut in.
        top: How many groups get a colour of their own (1 or more); the rest are summed as "other".
        start: The first day the logs cover (see `apitoolkit.analysis.activity_by_month`).
        end: The last day the logs cover.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.bar`` (``edgecolor``, ``alpha``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-01 10:00", "2026-11-04 09:00"], utc=True)})
        >>> [t.get_text() for t in plot_activity_by_month(logs).get_legend().get_texts()]
        ['all events', 'partial month']
    """
    count = _check_top(top)
    table = activity_by_month(logs, by=by, tz=tz, start=start, end=end)
    subject = "" if by is None else f" by {SUBJECTS[by]}"
    labels = {"title": f"Events per month{subject}", "xlabel": f"Month ({tz})", "ylabel": "Events (count)"}
    if table.empty or int(table["events"].sum()) == 0:
        return style.empty(ax, **labels, message="No logs in the archive")
    target = style.axes(ax)
    stacks = _monthly_stacks(table, by, count)
    months = table.drop_duplicates("month")
    partial = months["partial"].fillna(False).astype(bool).tolist()
    colors = dict(zip(stacks, style.colors(len(stacks)), strict=True))
    _stacked_bars(target, pd.DatetimeIndex(months["month"]), "month", stacks, colors, partial=partial, **kwargs)
    extra = [style.partial_handle("month")] if any(partial) else []
    style.legend_outside(target, title=None if by is None else SUBJECTS[by].capitalize(), extra=extra)
    return style.finish(target, **labels)


def plot_completion_trend(
    item_changes: pd.DataFrame,
    *,
    freq: str = "week",
    tz: str = "UTC",
    start: Any = None,
    end: Any = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Hitask tasks completed per week or month (bars) and their median cycle time in days (line, right axis).

    Drawn from `apitoolkit.analysis.completion_trend`; cycle times as `apitoolkit.analysis.task_cycle_times`
    measures them from the archive's change log. The last period is hatched when the log stops inside it.

    Args:
        item_changes: ``Archive().scan("hitask", "items")``.
        freq: ``"week"`` or ``"month"`` (or ``"W"``, ``"MS"``).
        tz: The zone the periods are cut in.
        start: Count completions from this day on (see `apitoolkit.analysis.completion_trend`); default: all.
        end: Count completions up to this day (inclusive); default: all.
        ax: Axes to draw on (the line gets a twin Axes on its right); new report-size Axes when None.
        **kwargs: Passed to ``Axes.bar`` (``edgecolor``, ``alpha``, ...).

    Returns:
        The Axes of the bars.

    Example:
        >>> changes = pd.DataFrame({"id": [5, 5], "category": "task", "title": "t", "completed": [False, True],
        ...     "time_create": pd.Timestamp("2026-11-02", tz="UTC"),
        ...     "valid_from": pd.to_datetime(["2026-11-02", "2026-11-04"], utc=True)})
        >>> plot_completion_trend(changes).get_ylabel()
        'Tasks completed (count)'
    """
    table = completion_trend(item_changes, freq=freq, tz=tz, start=start, end=end)
    step = _name_freq(freq)
    labels = {
        "title": f"Tasks completed per {step} and their median cycle time",
        "xlabel": f"{PERIODS.get(step, step)} ({tz})",
        "ylabel": "Tasks completed (count)",
    }
    if table.empty:
        return style.empty(ax, **labels, message="No completed tasks in the archive")
    target = style.axes(ax)
    periods = pd.DatetimeIndex(table["period"])
    last = _last_change(item_changes, end)
    starts = style.as_utc_naive(periods)
    partial = [i == len(starts) - 1 and style.period_end(p, step) > last for i, p in enumerate(starts)]
    stacks = {"completed": table["completed"].to_numpy(dtype="float64")}
    colors = {"completed": style.PALETTE[0]}
    _stacked_bars(target, periods, step, stacks, colors, partial=partial, max_ticks=TWIN_TICKS, **kwargs)
    twin = target.twinx()
    middles = style.as_utc_naive(periods) + pd.Timedelta(days=(7 if step == "week" else 15) * BAR_FILL / 2)
    twin.plot(middles.to_pydatetime(), table["median_cycle_days"].to_numpy(dtype="float64"),
              color=style.PALETTE[1], marker="o", markersize=4, label="median cycle time")  # fmt: skip
    twin.set_ylim(bottom=0)
    twin.set_ylabel("Median cycle time (days)")
    handles = [*target.get_legend_handles_labels()[0], *twin.get_legend_handles_labels()[0]]
    handles += [style.partial_handle(step)] if any(partial) else []
    legend = target.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.08, 1.0), frameon=False)
    legend.set_in_layout(True)
    style.use_fonts(twin)
    return style.finish(target, **labels)


def _last_change(item_changes: pd.DataFrame, end: Any) -> pd.Timestamp:
    """Where the change log stops: the day after ``end``, else after its last version began or ended (naive UTC),
    no later than today."""
    if end is not None:
        return pd.Timestamp(end).tz_localize(None).normalize() + pd.Timedelta(days=1)
    columns = [name for name in ("valid_from", "valid_to") if name in item_changes.columns]
    last = max((to_utc(item_changes[name]).max() for name in columns), default=pd.NaT, key=_or_oldest)
    today = pd.Timestamp.now(tz="UTC").normalize()
    moment = today if pd.isna(last) else min(last.normalize() + pd.Timedelta(days=1), today)
    return moment.tz_localize(None)


def _or_oldest(moment: Any) -> pd.Timestamp:
    return pd.Timestamp.min.tz_localize("UTC") if pd.isna(moment) else moment
