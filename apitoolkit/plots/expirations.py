"""Expiration figures: a timeline of what lapses around today, and urgency counts per organization."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.ticker import MaxNLocator

from apitoolkit.analysis.checks import reference_time, require, zone
from apitoolkit.analysis.expirations import BUCKET_BOUNDS, LOADER, expiration_counts, next_expirations
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import style

__all__ = ["plot_expiration_buckets", "plot_expiration_timeline"]

LAPSED_DAYS = 30  # how far back the timeline shows expirations already lapsed
MISSING_LABEL = "(none)"


def _urgency_colors(n: int) -> list[str]:
    """``style.URGENCY`` from most to least urgent; more buckets than it has get shades along the same ramp."""
    if n <= len(style.URGENCY):
        return list(style.URGENCY[:n])
    ramp = LinearSegmentedColormap.from_list("urgency", style.URGENCY)
    return [to_hex(c) for c in ramp(np.linspace(0.0, 1.0, n))]


def _describe(keys: Sequence[str]) -> str:
    """``organization_name`` -> ``organization``, ``resource_type_name`` -> ``resource type``."""
    return " / ".join(k.removesuffix("_name").replace("_", " ") for k in keys)


def _bar_label(group: Any) -> str:
    values = group if isinstance(group, tuple) else (group,)
    return " / ".join(MISSING_LABEL if pd.isna(v) else str(v) for v in values)


def plot_expiration_timeline(
    expirations: pd.DataFrame,
    *,
    now: Any = None,
    horizon: int = 90,
    include_expired: bool = True,
    tz: str = "UTC",
    colors: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """One marker per expiration around today, one row per resource type, coloured by urgency bucket.

    Shows what expires from today to ``horizon`` days ahead and, with ``include_expired``, what lapsed in the
    last 30 days. The dashed line marks the start of today in ``tz``; dates on the axis are in ``tz``.

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``.
        now: The moment to count from; the current time when None.
        horizon: How many days ahead to show (0 or more).
        include_expired: Also show expirations lapsed in the last 30 days.
        tz: The zone whose calendar days are counted and shown.
        colors: Bucket label (such as ``"0-30"``) -> colour; the others take ``style.URGENCY`` in order.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.scatter`` (``s``, ``marker``, ``alpha``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True),
        ...                       "resource_type_name": ["Domain"]})
        >>> plot_expiration_timeline(frame, now="2026-11-23").get_yticklabels()[0].get_text()
        'Domain'
    """
    require(expirations, ["expiration_date", "resource_type_name"], what="plot_expiration_timeline", loader=LOADER)
    if horizon is None:
        raise InvalidArgumentError("horizon=None: give a whole number of days to show ahead, such as 90.")
    name = zone(tz)
    moment = reference_time(now)  # once, so the markers and the today line agree
    upcoming = next_expirations(
        expirations, len(expirations), moment, include_expired=include_expired, horizon=horizon, tz=name
    )
    shown = upcoming[upcoming["days_until"] >= -LAPSED_DAYS]
    lapsed = f" (and lapsed in the last {LAPSED_DAYS})" if include_expired else ""
    labels = {
        "title": f"Expirations in the next {horizon} days{lapsed}",
        "xlabel": f"Expiration date ({name})",
        "ylabel": "Resource type",
    }
    if shown.empty:
        message = "No data" if expirations.empty else "Nothing expires in this window"
        return style.empty(ax, message=message, **labels)
    target = style.axes(ax)
    types = shown["resource_type_name"].fillna(MISSING_LABEL)
    rows = sorted(types.unique(), key=lambda t: (t == MISSING_LABEL, t))
    position = types.map({t: i for i, t in enumerate(rows)})
    buckets = shown["bucket"].cat.categories
    options = {"s": 40, "alpha": 0.85, "edgecolors": "white", "linewidths": 0.5, **kwargs}
    for bucket, color in zip(buckets, _urgency_colors(len(buckets)), strict=True):
        here = shown["bucket"] == bucket
        if here.any():
            paint = (colors or {}).get(str(bucket), color)
            target.scatter(shown.loc[here, "expiration_date"], position[here], color=paint, label=bucket, **options)
    today = moment.tz_convert(name).normalize()
    target.axvline(today, color="0.25", linestyle="--", linewidth=1)
    target.text(today, 1.0, " today", transform=target.get_xaxis_transform(), ha="left", va="top", color="0.25")
    first = -LAPSED_DAYS if include_expired else 0
    target.set_xlim(today + pd.Timedelta(days=first - 1), today + pd.Timedelta(days=horizon + 2))
    target.set_yticks(range(len(rows)), rows)
    target.set_ylim(len(rows) - 0.5, -0.5)
    style.date_axis(target, tz=name)
    style.legend_outside(target, title="Days until expiry")
    return style.finish(target, **labels)


def plot_expiration_buckets(
    expirations: pd.DataFrame,
    *,
    now: Any = None,
    by: str | Sequence[str] = "organization_name",
    bounds: Sequence[int] = BUCKET_BOUNDS,
    top: int | None = 15,
    tz: str = "UTC",
    colors: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal stacked bars: each organization's expirations per urgency bucket, most urgent at the top.

    The ``top`` organizations with the most expirations are drawn (ties: the more urgent first); bars are
    ordered by urgency (most expired, then most in the next bucket, ...) and stacked from most to least
    urgent, left to right.

    Args:
        expirations: A frame from ``apitoolkit.itglue.load_expirations()``.
        now: The moment to count from; the current time when None.
        by: The column (or columns) whose values make the bars.
        bounds: The bucket bounds, as in ``apitoolkit.analysis.expiration_buckets``.
        top: How many bars at most (1 or more); None for all.
        tz: The zone whose calendar days are counted.
        colors: Bucket label (such as ``"0-30"``) -> colour; the others take ``style.URGENCY`` in order.
        ax: Axes to draw on; new report-size Axes when None.
        **kwargs: Passed to ``Axes.barh`` (``height``, ``edgecolor``, ...).

    Returns:
        The Axes drawn on.

    Example:
        >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True),
        ...                       "organization_name": ["Acme"]})
        >>> plot_expiration_buckets(frame, now="2026-11-23").get_title()
        'Expirations by organization and urgency'
    """
    counts = expiration_counts(expirations, now, by=by, bounds=bounds, tz=tz)
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidArgumentError(f"top={top!r}: give how many bars to draw (1 or more), or None for all.")
    keys = [by] if isinstance(by, str) else list(by)
    subject = _describe(keys)
    labels = {
        "title": f"Expirations by {subject} and urgency",
        "xlabel": "Expirations (count)",
        "ylabel": subject.capitalize(),
    }
    if counts.empty:
        return style.empty(ax, **labels)
    table = counts.pivot(index=keys, columns="bucket", values="count").astype("int64")
    buckets = list(table.columns)
    ranked = table.assign(total=table.sum(axis=1)).sort_values(["total", *buckets], ascending=False, kind="stable")
    chosen = ranked.head(top) if top is not None else ranked
    shown = chosen.sort_values([*buckets, "total"], ascending=False, kind="stable")[buckets]
    target = style.axes(ax)
    left = np.zeros(len(shown))
    for bucket, color in zip(buckets, _urgency_colors(len(buckets)), strict=True):
        widths = shown[bucket].to_numpy()
        paint = (colors or {}).get(str(bucket), color)
        target.barh(range(len(shown)), widths, left=left, **{"color": paint, "label": str(bucket), **kwargs})
        left += widths
    target.set_yticks(range(len(shown)), [_bar_label(group) for group in shown.index])
    target.set_ylim(len(shown) - 0.5, -0.5)
    target.set_xlim(0, max(float(left.max()), 1.0) * 1.04)  # the longest bar ends inside the frame
    target.xaxis.set_major_locator(MaxNLocator(integer=True))
    style.legend_outside(target, title="Days until expiry")
    return style.finish(target, **labels)
