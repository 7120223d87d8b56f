"""Time axes say what they show: ticks on the bar starts with month names, no tick past the last bar, the partial
last period hatched and named, and x labels without doubled parentheses."""

from __future__ import annotations

import re
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.axes import Axes

from apitoolkit.analysis import points_by_action
from apitoolkit.plots import plot_activity_over_time, plot_backlog, plot_points_over_time, plot_throughput
from apitoolkit.plots import reputation as reputation_plots
from apitoolkit.plots.style import PARTIAL_HATCH
from tests.helpers import hitask_items, legend_texts, logs_frame, metrics

OCTOBER = [
    (7, "Password", 1, 0, 2, "2026-09-30"),  # Wednesday: its week starts on Monday 28 September
    (7, "Password", 0, 1, 3, "2026-10-08"),  # the 08 the old ticks put under a bar starting on the 5th
    (8, "Document", 0, 0, 5, "2026-10-21"),  # Wednesday: the data stops inside the week of the 19th
]
MONDAYS = ["2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19"]


def tick_texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


def bar_starts(ax: Axes) -> list[float]:
    return [bar.get_x() for bar in ax.containers[0]]


def no_doubled_parentheses(label: str) -> bool:
    return len(re.findall(r"\(", label)) <= 1


@pytest.mark.parametrize("zone", [None, "UTC"], ids=["naive-periods", "utc-periods"])
def test_plot_points_over_time__ticks_on_the_mondays_with_month_names(
    monkeypatch: pytest.MonkeyPatch, zone: str | None
) -> None:
    def periods_in(frame: pd.DataFrame, **options: Any) -> pd.DataFrame:  # naive or UTC-aware starts draw alike
        table = points_by_action(frame, **options)
        naive = table["period"].dt.tz_localize(None) if table["period"].dt.tz is not None else table["period"]
        return table.assign(period=naive if zone is None else naive.dt.tz_localize(zone))

    monkeypatch.setattr(reputation_plots, "points_by_action", periods_in)
    ax = plot_points_over_time(metrics(OCTOBER))
    ax.figure.canvas.draw()
    mondays = [mdates.date2num(pd.Timestamp(day)) for day in MONDAYS]
    assert bar_starts(ax) == pytest.approx(mondays)
    assert list(ax.get_xticks()) == pytest.approx(mondays)  # on the bar starts, none after the last bar
    assert tick_texts(ax) == ["28 Sep\n2026", "05 Oct", "12 Oct", "19 Oct"]
    assert any("Oct" in text for text in tick_texts(ax))
    assert ax.get_xlim()[1] < mondays[-1] + 8  # the axis ends with the last bar (and a small margin)
    hatches = [bar.get_hatch() for bar in ax.containers[0]]
    assert hatches == [None, None, None, PARTIAL_HATCH]
    assert "partial week" in legend_texts(ax)
    assert ax.get_xlabel() == "Week starting Monday"


def test_plot_points_over_time__a_whole_last_period_is_not_hatched() -> None:
    ax = plot_points_over_time(metrics(OCTOBER), end="2026-10-25")  # Sunday: the week of the 19th is complete
    assert all(bar.get_hatch() is None for container in ax.containers for bar in container)
    assert "partial week" not in legend_texts(ax)
    months = plot_points_over_time(metrics(OCTOBER), freq="month", end="2026-10-31")
    assert tick_texts(months) == ["Sep\n2026", "Oct"] and list(months.get_xticks()) == pytest.approx(
        [mdates.date2num(pd.Timestamp(d)) for d in ("2026-09-01", "2026-10-01")]
    )  # fmt: skip
    assert all(bar.get_hatch() is None for bar in months.containers[0])


def test_plot_points_over_time__many_weeks_keep_ticks_on_bar_starts() -> None:
    rows = [
        (7, "Password", 0, 0, 1, day.date().isoformat())
        for day in pd.date_range("2026-01-05", periods=40, freq="W-MON")
    ]
    ax = plot_points_over_time(metrics(rows))
    starts = set(bar_starts(ax))
    assert 1 < len(ax.get_xticks()) <= 12 and set(ax.get_xticks()) <= starts


def test_plot_throughput__partial_month_in_tokyo_and_ticks_on_the_first() -> None:
    items = hitask_items({"time_create": "2026-10-03 10:00"}, {"time_create": "2026-11-10 10:00"})
    ax = plot_throughput(items, freq="month", tz="Asia/Tokyo", end="2026-11-20")
    firsts = [pd.Timestamp(d, tz="Asia/Tokyo") for d in ("2026-10-01", "2026-11-01")]
    assert list(ax.get_xticks()) == pytest.approx([mdates.date2num(d) for d in firsts])
    assert tick_texts(ax) == ["Oct\n2026", "Nov"]
    (shade,) = ax.patches
    assert shade.get_hatch() == PARTIAL_HATCH and shade.get_label() == "partial month"
    assert "partial month" in legend_texts(ax)
    assert ax.get_xlabel() == "Month (Asia/Tokyo)" and no_doubled_parentheses(ax.get_xlabel())


def test_plot_throughput__a_finished_last_week_is_not_shaded() -> None:
    items = hitask_items({"time_create": "2026-11-02 10:00"}, {"time_create": "2026-11-08 10:00"})  # Mon and Sun
    ax = plot_throughput(items)
    assert not ax.patches and legend_texts(ax) == ["Created", "Completed"]
    assert no_doubled_parentheses(ax.get_xlabel())


def test_period_charts__x_labels_without_doubled_parentheses() -> None:
    items = hitask_items({"time_create": "2026-11-02 10:00"})
    logs = logs_frame(("2026-11-02 10:00", 1, "view"))
    for freq in ("day", "week", "month"):
        for ax in (
            plot_points_over_time(metrics(OCTOBER), freq=freq),
            plot_throughput(items, freq=freq),
            plot_backlog(items, freq=freq),
            plot_activity_over_time(logs, freq=freq),
        ):
            assert no_doubled_parentheses(ax.get_xlabel()), ax.get_xlabel()
            assert "Week (from Monday)" not in ax.get_xlabel()


def test_plot_activity_over_time__today_is_a_partial_day() -> None:
    now = pd.Timestamp.now(tz="UTC")
    earlier = (now - pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    logs = logs_frame((earlier, 1, "view"), (now.strftime("%Y-%m-%d %H:%M"), 1, "view"))
    ax = plot_activity_over_time(logs, freq="day")
    assert [p.get_label() for p in ax.patches] == ["partial day"]  # today's logs stop now, not at midnight
    finished = logs_frame(("2026-11-02 10:00", 1, "view"), ("2026-11-03 23:00", 1, "view"))
    assert not plot_activity_over_time(finished, freq="day").patches
