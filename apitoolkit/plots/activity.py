"""Activity log figures: a weekday x hour heatmap, and events over time per group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from apitoolkit.analysis.activity import activity_heatmap, activity_over_time
from apitoolkit.analysis.checks import to_utc
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import style

__all__ = ["plot_activity_heatmap", "plot_activity_over_time"]

MISSING_LABEL = "(none)"
OTHER_LABEL = "other"
SUBJECTS = {"action": "action", "user_id": "user", "resource_type": "resource type", "organization_id": "organization"}
PERIODS = {"day": "Day", "week": "Week starting Monday", "month": "Month"}


def plot_activity_heatmap(
    logs: pd.DataFrame,
    *,
    tz: str = "UTC",
    action: str | Iterable[str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """When people work: events per weekday (Monday at the top) and hour of day in ``tz``, with a colour bar.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()`` or an archive scan; or a grid already counted
            (``analysis.activity_heatmap`` or, over an archive of any size, ``archive.heatmap.activity_heatmap``),
            drawn as it is (``tz`` and ``action`` then only label it).
        tz: The zone whose weekdays and wall-clock hours are shown.
        action: Only these actions (a name such as ``"sign_in"``, or a list of names); all when None.
        ax: Axes to draw on; new report-size Axes when None. The colour bar takes room beside it.
        **kwargs: Passed to ``Axes.imshow`` (``cmap``, ``vmax``, ...); the default colour map is viridis.

    Returns:
        The Axes drawn on.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-11-23 09:15"], utc=True)})
        >>> plot_activity_heatmap(logs, tz="Europe/Berlin").get_xlabel()
        'Hour of day (Europe/Berlin)'
    """
    chosen = list(action) if isinstance(action, Iterable) and not isinstance(action, str) else action
    counted = logs.index.name == "weekday" and logs.columns.name == "hour" and logs.shape == (7, 24)
    grid = logs if counted else activity_heatmap(logs, tz=tz, action=chosen)
    actions = "" if chosen is None else f": {chosen}" if isinstance(chosen, str) else f": {', '.join(chosen)}"
    labels = {
        "title": f"Events by weekday and hour ({tz}){actions}",
        "xlabel": f"Hour of day ({tz})",
        "ylabel": "Weekday",
    }
    if int(grid.to_numpy().sum()) == 0:
        return style.empty(ax, **labels)
    target = style.axes(ax)
    options = {"cmap": "viridis", "aspect": "auto", "interpolation": "nearest", **kwargs}
    image = target.imshow(grid.to_numpy(dtype=float), **options)
    target.set_xticks(range(len(grid.columns)), [str(h) for h in grid.columns])
    target.set_yticks(range(len(grid.index)), list(grid.index))
    target.figure.colorbar(image, ax=target, label="Events (count)")
    return style.finish(target, **labels)


def _lines(data: pd.DataFrame, by: str, top: int) -> dict[str, pd.Series]:
    """Events per period for the ``top`` groups by total (first listed first on ties), the rest summed as other."""
    labelled = data.assign(label=[MISSING_LABEL if pd.isna(v) else str(v) for v in data[by]])
    totals = labelled.groupby("label", sort=False)["events"].sum()
    ranked = totals.sort_values(ascending=False, kind="stable").index.tolist()
    lines = {label: labelled.loc[labelled["label"] == label].set_index("period")["events"] for label in ranked[:top]}
    if ranked[top:]:
        rest = labelled.loc[labelled["label"].isin(ranked[top:])]
        lines[OTHER_LABEL] = rest.groupby("period")["events"].sum()
    return lines


def plot_activity_over_time(
    logs: pd.DataFrame,
    *,
    freq: str = "day",
    by: str | None = "action",
    tz: str = "UTC",
    top: int = 6,
    colors: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Events per day, week or month: one line per group, the ``top`` busiest drawn and the rest summed as "other".

    Ticks sit on the period starts. The last period is hatched and listed as "partial week" (or month) when the
    logs stop inside it.

    Args:
        logs: A frame from ``apitoolkit.itglue.load_logs()``.
        freq: ``"day"``, ``"week"`` or ``"month"``.
        by: ``"action"``, ``"user_id"``, ``"resource_type"``, ``"organization_id"``, or None for one total line.
        tz: The zone the periods are cut in and the dates shown in.
        top: How many groups get a line of their own (1 or more), by total events; ties go to the group that
            sorts first.
        colors: Group label -> colour for the groups to colour yourself; the others take the palette in order.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.plot`` for every line (``linewidth``, ``marker``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-11-02 10:00", "2026-11-04 09:00"], utc=True),
        ...                      "action": ["view", "update"]})
        >>> [t.get_text() for t in plot_activity_over_time(logs).get_legend().get_texts()]
        ['update', 'view']
    """
    data = activity_over_time(logs, freq=freq, by=by, tz=tz)
    if isinstance(top, bool) or not isinstance(top, Integral) or top < 1:
        raise InvalidArgumentError(f"top={top!r}: give how many groups get a line of their own (1 or more).")
    subject = "" if by is None else f" by {SUBJECTS[by]}"
    labels = {"title": f"Events per {freq}{subject}", "xlabel": f"{PERIODS[freq]} ({tz})", "ylabel": "Events (count)"}
    if data.empty:
        return style.empty(ax, **labels)
    lines = {"all events": data.set_index("period")["events"]} if by is None else _lines(data, by, int(top))
    target = style.axes(ax)
    options = {"marker": "o", "markersize": 3, **kwargs}
    chosen = colors or {}
    for (label, events), color in zip(lines.items(), style.colors(len(lines)), strict=True):
        periods = style.as_utc_naive(events.index)  # matplotlib reads naive as UTC
        drawing = {"label": label, "color": chosen.get(label, color), **options}
        target.plot(periods.to_pydatetime(), events.to_numpy(dtype=float), **drawing)
    target.set_ylim(bottom=0)
    target.yaxis.set_major_locator(MaxNLocator(integer=True))
    starts = pd.DatetimeIndex(data["period"].drop_duplicates().sort_values())
    last_day = to_utc(logs["created_at"]).max().tz_convert(starts.tz).normalize() + pd.Timedelta(days=1)
    # Today is partial too: its logs stop now, not at midnight.
    style.line_period_axis(target, starts, freq, data_end=min(last_day, pd.Timestamp.now(tz=starts.tz)))
    if by is not None or target.patches:  # one total line needs no legend, unless a partial period is shaded
        style.legend_outside(target, title=SUBJECTS[by].capitalize() if by is not None else None)
    return style.finish(target, **labels)
