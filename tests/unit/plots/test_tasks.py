"""Task figures: created vs completed lines, the open backlog as steps, overdue bars per assignee."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

from apitoolkit.analysis import overdue
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots.style import PALETTE, PARTIAL_HATCH, URGENCY
from apitoolkit.plots.tasks import plot_backlog, plot_overdue_by_assignee, plot_throughput
from tests.helpers import bars, figure_of, glasshat_tasks, hitask_items, legend_texts, ydata


def saved(ax: Axes, tmp_path: Path) -> int:
    """Render the figure to PNG; the file's size."""
    figure_of(ax).savefig(tmp_path / "figure.png")
    return (tmp_path / "figure.png").stat().st_size


def dates(values: object) -> list[pd.Timestamp]:
    return list(pd.DatetimeIndex(values))


def labels(ax: Axes) -> tuple[str, str, str]:
    return ax.get_title(), ax.get_xlabel(), ax.get_ylabel()


@pytest.fixture
def late_items() -> pd.DataFrame:
    """Overdue on 2026-11-23: two tasks of 5, one of 7, one of nobody; 9 has only a future due date."""
    return hitask_items(
        {"assignee_id": 5, "due_date": "2026-11-20"},
        {"assignee_id": 5, "due_date": "2026-11-21"},
        {"assignee_id": 7, "due_date": "2026-11-22"},
        {"assignee_id": 0, "due_date": "2026-11-01"},
        {"assignee_id": 9, "due_date": "2026-12-01"},
        {"assignee_id": 7, "completed": True, "time_last_update": "2026-11-21", "due_date": "2026-11-01"},
    )


@pytest.fixture
def team() -> pd.DataFrame:
    """Hitask team members (load_team_members columns that matter); 7 has no name."""
    return pd.DataFrame(
        {
            "id": pd.array([5, 7], dtype="Int64"),
            "login": pd.Series(["ann", "bo"], dtype="str"),
            "first_name": pd.Series(["Ann", None], dtype="str"),
            "last_name": pd.Series(["Lee", None], dtype="str"),
        }
    )


# --------------------------------------------------------------------------------------------- plot_throughput
def test_plot_throughput__a_line_each_for_created_and_completed(week_items: pd.DataFrame, tmp_path: Path) -> None:
    ax = plot_throughput(week_items)
    created, completed = ax.get_lines()
    weeks = [pd.Timestamp(d, tz="UTC") for d in ("2026-11-02", "2026-11-09", "2026-11-16")]
    assert dates(created.get_xdata()) == weeks
    assert ydata(created) == [2, 0, 1]
    assert ydata(completed) == [0, 0, 1]
    assert (created.get_color(), completed.get_color()) == PALETTE[:2]
    assert labels(ax) == ("Tasks created and completed per week", "Week starting Monday (UTC)", "Tasks (count)")
    # the last event is on Thursday 19 November: the week of the 16th is partial, shaded with a hatch
    assert legend_texts(ax) == ["Created", "Completed", "partial week"]
    (shade,) = bars(ax)
    assert shade.get_hatch() == PARTIAL_HATCH and shade.get_x() == mdates.date2num(weeks[-1])
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # outside the data
    assert list(ax.get_xticks()) == list(mdates.date2num(weeks))  # on the Mondays, none after the last
    assert [t.get_text() for t in ax.get_xticklabels()] == ["02 Nov\n2026", "09 Nov", "16 Nov"]
    assert ax.get_ylim()[0] == 0
    assert saved(ax, tmp_path) > 0


def test_plot_throughput__zone_range_kwargs_and_given_axes(week_items: pd.DataFrame, tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = plot_throughput(week_items, freq="month", start="2026-10-15", tz="Asia/Tokyo", ax=ax1, linewidth=4)
    assert ax is ax1
    created, completed = ax.get_lines()
    assert dates(created.get_xdata()) == [pd.Timestamp("2026-10-01", tz="Asia/Tokyo"),
                                          pd.Timestamp("2026-11-01", tz="Asia/Tokyo")]  # fmt: skip
    assert ydata(created) == [0, 3] and ydata(completed) == [0, 1]
    assert created.get_linewidth() == 4 and completed.get_linewidth() == 4
    assert ax.get_xlabel() == "Month (Asia/Tokyo)"
    assert saved(ax, tmp_path) > 0


def test_plot_throughput__single_row_and_empty(tmp_path: Path) -> None:
    one = plot_throughput(glasshat_tasks((1, 20, 1, "open", "2026-11-02", None)), freq="day")
    assert [ydata(line) for line in one.get_lines()] == [[1], [0]]
    assert one.get_lines()[0].get_marker() == "o"  # one period is still visible
    assert saved(one, tmp_path) > 0
    empty = plot_throughput(hitask_items())
    assert [t.get_text() for t in empty.texts] == ["No data"] and not empty.get_lines()
    assert labels(empty) == ("Tasks created and completed per week", "Week starting Monday (UTC)", "Tasks (count)")
    assert saved(empty, tmp_path) > 0


def test_plot_throughput__bad_inputs() -> None:
    with pytest.raises(InvalidArgumentError, match=re.escape("apitoolkit.hitask.load_items()")):
        plot_throughput(pd.DataFrame({"when": [1]}))
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        plot_throughput(hitask_items(), freq="year")
    with pytest.raises(InvalidArgumentError, match="not str"):
        plot_throughput("tasks.csv")


# --------------------------------------------------------------------------------------------- plot_backlog
def test_plot_backlog__open_tasks_as_steps(tmp_path: Path) -> None:
    items = hitask_items(
        {"time_create": "2026-11-02 09:00", "completed": True, "time_last_update": "2026-11-04 09:00"},
        {"time_create": "2026-11-03 09:00"},
    )
    ax = plot_backlog(items)
    (line,) = ax.get_lines()
    assert dates(line.get_xdata()) == [pd.Timestamp(d, tz="UTC") for d in ("2026-11-02", "2026-11-03", "2026-11-04")]
    assert ydata(line) == [1, 2, 1]
    assert line.get_drawstyle() == "steps-post" and line.get_color() == PALETTE[0]
    assert labels(ax) == ("Open tasks at the end of each day", "Day (UTC)", "Open tasks (count)")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["02 Nov\n2026", "03 Nov", "04 Nov"]
    assert not ax.patches  # whole days: nothing partial
    assert saved(ax, tmp_path) > 0


def test_plot_backlog__given_axes_kwargs_zone_single_row_and_empty(tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    one = hitask_items({"time_create": "2026-11-02 23:30"})
    ax = plot_backlog(one, freq="week", tz="Europe/Berlin", ax=ax1, color="black")
    assert ax is ax1
    (line,) = ax.get_lines()
    assert dates(line.get_xdata()) == [pd.Timestamp("2026-11-02", tz="Europe/Berlin")]
    assert ydata(line) == [1] and line.get_marker() == "o" and line.get_color() == "black"
    assert ax.get_xlabel() == "Week starting Monday (Europe/Berlin)"
    assert saved(ax, tmp_path) > 0
    empty = plot_backlog(glasshat_tasks(), freq="month")
    assert [t.get_text() for t in empty.texts] == ["No data"]
    assert labels(empty) == ("Open tasks at the end of each month", "Month (UTC)", "Open tasks (count)")
    assert saved(empty, tmp_path) > 0
    with pytest.raises(InvalidArgumentError, match="IANA"):
        plot_backlog(one, tz="Nowhere/Special")


# --------------------------------------------------------------------------------------------- plot_overdue_by_assignee
def test_plot_overdue_by_assignee__bars_most_overdue_on_top_named_by_users(
    late_items: pd.DataFrame, team: pd.DataFrame, tmp_path: Path
) -> None:
    ax = plot_overdue_by_assignee(late_items, now="2026-11-23", users=team)
    widths = [bar.get_width() for bar in bars(ax)]
    names = [t.get_text() for t in ax.get_yticklabels()]
    # bottom-up: the most overdue on top, ties by name; 7 has no first or last name and shows its login
    assert list(zip(names, widths, strict=True)) == [("unassigned", 1), ("bo", 1), ("Ann Lee", 2)]
    table = overdue(late_items, now="2026-11-23", users=team)
    assert set(names) == set(table["assignee"])  # the chart names people as the overdue table does
    assert [t.get_text() for t in ax.texts] == ["1", "1", "2"]  # the counts at the bar ends
    assert ax.patches[0].get_facecolor() == to_rgba(URGENCY[0])
    assert labels(ax) == ("Overdue tasks by assignee", "Overdue tasks (count)", "Assignee")
    assert saved(ax, tmp_path) > 0


def test_plot_overdue_by_assignee__top_ids_given_axes_and_kwargs(late_items: pd.DataFrame, tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = plot_overdue_by_assignee(late_items, now="2026-11-23", top=1, ax=ax1, color="grey")
    assert ax is ax1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["#5"]  # no users: the id, marked as one
    assert [bar.get_width() for bar in bars(ax)] == [2]
    assert ax.get_title() == "Overdue tasks by assignee (top 1 of 3)"
    assert ax.patches[0].get_facecolor() == to_rgba("grey")
    assert saved(ax, tmp_path) > 0


def test_plot_overdue_by_assignee__nothing_overdue_and_empty(tmp_path: Path) -> None:
    glasshat = plot_overdue_by_assignee(glasshat_tasks((1, 20, 1, "open", "2026-11-02", None)))  # no due dates
    assert [t.get_text() for t in glasshat.texts] == ["No overdue tasks"] and not glasshat.patches
    assert labels(glasshat) == ("Overdue tasks by assignee", "Overdue tasks (count)", "Assignee")
    assert saved(glasshat, tmp_path) > 0
    empty = plot_overdue_by_assignee(hitask_items(), now="2026-11-23")
    assert [t.get_text() for t in empty.texts] == ["No overdue tasks"]
    one = plot_overdue_by_assignee(hitask_items({"assignee_id": 3, "due_date": "2026-11-01"}), now="2026-11-23")
    assert [bar.get_width() for bar in bars(one)] == [1]
    assert saved(one, tmp_path) > 0


def test_plot_overdue_by_assignee__bad_inputs(late_items: pd.DataFrame) -> None:
    for top in (0, -3, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="whole number of 1 or more"):
            plot_overdue_by_assignee(late_items, top=top)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"missing: last_name\. .*load_team_members\(\)"):
        plot_overdue_by_assignee(late_items, users=pd.DataFrame({"id": [5], "first_name": ["Ann"]}))
    with pytest.raises(InvalidArgumentError, match=r"missing: assignee_id\. .*load_items\(\)"):
        plot_overdue_by_assignee(late_items.drop(columns="assignee_id"))
