"""Activity figures: the weekday x hour heatmap and the events-over-time lines, their content and their labels."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots.activity import plot_activity_heatmap, plot_activity_over_time
from apitoolkit.plots.style import PARTIAL_HATCH
from tests.helpers import figure_of, image_array, legend_texts, logs_frame, ydata

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def rendered(ax: Axes, tmp_path: Path) -> Axes:
    figure_of(ax).savefig(tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 0
    return ax


def x_days(line: Any) -> list[pd.Timestamp]:
    return [pd.Timestamp(mdates.num2date(x)) for x in line.get_xdata(orig=False)]


@pytest.fixture
def logs() -> pd.DataFrame:
    return logs_frame(
        ("2026-11-02 10:00", 1, "view"),
        ("2026-11-02 10:30", 1, "view"),
        ("2026-11-02 11:00", 2, "update"),
        ("2026-11-03 09:00", None, "sign_in"),
        ("2026-11-04 09:00", 1, "view"),
        ("2026-11-04 09:10", 2, "create"),
    )


def test_plot_activity_heatmap__cells_ticks_colour_bar_and_labels(logs: pd.DataFrame, tmp_path: Path) -> None:
    ax = rendered(plot_activity_heatmap(logs, tz="Asia/Kolkata"), tmp_path)
    cells = image_array(ax)
    assert cells.shape == (7, 24)
    assert (cells[0, 15], cells[0, 16], cells[1, 14], cells[2, 14], cells.sum()) == (1, 2, 1, 2, 6)  # UTC+5:30
    assert [t.get_text() for t in ax.get_yticklabels()] == WEEKDAYS
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # Monday (row 0) at the top
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(h) for h in range(24)]
    colorbar = ax.figure.axes[1]
    assert colorbar.get_ylabel() == "Events (count)"
    assert ax.get_title() == "Events by weekday and hour (Asia/Kolkata)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Hour of day (Asia/Kolkata)", "Weekday")


def test_plot_activity_heatmap__action_filter_given_axes_and_kwargs(logs: pd.DataFrame, tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = rendered(plot_activity_heatmap(logs, action=iter(["view", "create"]), ax=ax1, cmap="cividis"), tmp_path)
    assert ax is ax1
    assert image_array(ax).sum() == 4 and ax.images[0].get_cmap().name == "cividis"
    assert ax.get_title() == "Events by weekday and hour (UTC): view, create"


def test_plot_activity_heatmap__empty_data_draws_labelled_axes(logs: pd.DataFrame, tmp_path: Path) -> None:
    for frame, action in ((logs.iloc[:0], None), (logs.assign(created_at=pd.NaT), None), (logs, "export")):
        ax = rendered(plot_activity_heatmap(frame, tz="Europe/Berlin", action=action), tmp_path)
        assert [t.get_text() for t in ax.texts] == ["No data"] and not ax.images
        assert ax.get_xlabel() == "Hour of day (Europe/Berlin)" and "Europe/Berlin" in ax.get_title()


def test_plot_activity_heatmap__single_row_mixed_zones_and_bad_input(tmp_path: Path) -> None:
    mixed = pd.DataFrame({"created_at": ["2026-11-23T10:00:00+02:00", pd.Timestamp("2026-11-23 08:00")]})
    ax = rendered(plot_activity_heatmap(mixed), tmp_path)
    assert image_array(ax)[0, 8] == 2
    single = rendered(plot_activity_heatmap(mixed.iloc[:1], tz="America/New_York"), tmp_path)
    assert image_array(single)[0, 3] == 1  # 08:00 UTC is 03:00 EST
    with pytest.raises(InvalidArgumentError, match=r"created_at.*load_logs"):
        plot_activity_heatmap(pd.DataFrame({"when": [1]}))
    with pytest.raises(InvalidArgumentError, match="IANA"):
        plot_activity_heatmap(mixed, tz="Atlantis")
    with pytest.raises(InvalidArgumentError, match="action name"):
        plot_activity_heatmap(mixed.assign(action="view"), action=5)  # type: ignore[arg-type]


def test_plot_activity_over_time__top_groups_and_the_rest_as_other(logs: pd.DataFrame, tmp_path: Path) -> None:
    ax = rendered(plot_activity_over_time(logs, top=2), tmp_path)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["view", "create", "other"]  # view 3; create, sign_in, update 1 each: ties sort by name
    days = [pd.Timestamp(d, tz="UTC") for d in ("2026-11-02", "2026-11-03", "2026-11-04")]
    assert x_days(lines["view"]) == days
    assert ydata(lines["view"]) == [2, 0, 1]
    assert ydata(lines["create"]) == [0, 0, 1]
    assert ydata(lines["other"]) == [1, 1, 0]  # update on the 2nd, sign_in on the 3rd
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["view", "create", "other"]
    assert legend.get_title().get_text() == "Action"
    assert ax.get_title() == "Events per day by action"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Day (UTC)", "Events (count)")
    assert list(ax.get_xticks()) == [mdates.date2num(d) for d in days]  # ticks on the days drawn
    assert [t.get_text() for t in ax.get_xticklabels()] == ["02 Nov\n2026", "03 Nov", "04 Nov"]


def test_plot_activity_over_time__periods_in_the_zone_and_missing_groups(logs: pd.DataFrame, tmp_path: Path) -> None:
    ax = rendered(plot_activity_over_time(logs, by="organization_id", freq="week", tz="Asia/Kolkata"), tmp_path)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["1", "2", "(none)"]
    assert x_days(lines["1"]) == [pd.Timestamp("2026-11-01 18:30", tz="UTC")]  # Monday 2 November in Kolkata
    assert [ydata(line) for line in lines.values()] == [[3], [2], [1]]
    assert list(ax.get_xticks()) == [mdates.date2num(datetime(2026, 11, 1, 18, 30))]  # Kolkata's Monday midnight
    assert [t.get_text() for t in ax.get_xticklabels()] == ["02 Nov\n2026"]
    assert legend_texts(ax)[-1] == "partial week"  # the logs end on Wednesday
    assert ax.patches[0].get_hatch() == PARTIAL_HATCH
    assert ax.get_title() == "Events per week by organization"
    assert ax.get_xlabel() == "Week starting Monday (Asia/Kolkata)"


def test_plot_activity_over_time__total_line_given_axes_and_kwargs(logs: pd.DataFrame, tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = rendered(plot_activity_over_time(logs, by=None, ax=ax1, linewidth=3), tmp_path)
    assert ax is ax1
    (line,) = ax.get_lines()
    assert ydata(line) == [3, 1, 2] and line.get_linewidth() == 3
    assert ax.get_legend() is None and ax.get_title() == "Events per day"


def test_plot_activity_over_time__empty_single_row_and_mixed_zones(logs: pd.DataFrame, tmp_path: Path) -> None:
    for frame in (logs.iloc[:0], logs.assign(created_at=pd.NaT)):
        ax = rendered(plot_activity_over_time(frame, freq="month", tz="Europe/Berlin"), tmp_path)
        assert [t.get_text() for t in ax.texts] == ["No data"] and not ax.get_lines()
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("Month (Europe/Berlin)", "Events (count)")
    single = rendered(plot_activity_over_time(logs.iloc[:1]), tmp_path)
    (line,) = single.get_lines()
    assert ydata(line) == [1] and line.get_marker() == "o"
    mixed = pd.DataFrame({"created_at": ["2026-11-03T01:00:00+02:00", pd.Timestamp("2026-11-01 12:00")]})
    ax = rendered(plot_activity_over_time(mixed, by=None), tmp_path)
    assert ydata(ax.get_lines()[0]) == [1, 1]


def test_plot_activity_over_time__bad_arguments(logs: pd.DataFrame) -> None:
    for top in (0, True, 1.5):
        with pytest.raises(InvalidArgumentError, match="1 or more"):
            plot_activity_over_time(logs, top=top)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        plot_activity_over_time(logs, freq="year")
    with pytest.raises(InvalidArgumentError, match=r"missing: resource_type\. .*load_logs"):
        plot_activity_over_time(logs, by="resource_type")
