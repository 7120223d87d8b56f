"""The shared plot pieces: report-size axes, labels, empty plots, date axes, legends outside."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from apitoolkit.plots.style import (
    PALETTE,
    axes,
    colors,
    date_axis,
    empty,
    finish,
    legend_outside,
    partial_handle,
    period_axis,
)
from tests.helpers import bars, figure_of, legend_texts


def test_axes__reuses_the_given_axes_or_makes_report_size_ones() -> None:
    _, ax1 = plt.subplots()
    assert axes(ax1) is ax1
    assert figure_of(axes(None)).get_size_inches().tolist() == [9.0, 4.8]


def test_colors__cycle_through_the_palette() -> None:
    assert colors(len(PALETTE) + 1)[-1] == PALETTE[0]


def test_empty__labelled_axes_saying_no_data(tmp_path: Path) -> None:
    ax = empty(None, title="Backlog", xlabel="Day", ylabel="Open tasks (count)")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Backlog", "Day", "Open tasks (count)")
    assert [t.get_text() for t in ax.texts] == ["No data"]
    figure_of(ax).savefig(tmp_path / "empty.png")
    assert (tmp_path / "empty.png").stat().st_size > 0


def test_date_axis_and_legend_outside() -> None:
    ax = finish(axes(None), title="T", xlabel="Day", ylabel="Events (count)")
    ax.plot(pd.date_range("2026-09-01", periods=60, tz="UTC"), range(60), label="update")
    date_axis(ax)
    legend_outside(ax)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and not any(":" in label for label in labels)  # dates, not times
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["update"]
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # right of the data area


def test_plots__caller_options_win_over_the_defaults() -> None:
    from apitoolkit import plots

    users = pd.DataFrame(
        {
            "id": pd.array([1, 2], dtype="Int64"),
            "first_name": ["Ada", "Bo"],
            "last_name": ["L", "K"],
            "role_name": ["Editor", "Creator"],
            "reputation": pd.array([30, 20], dtype="Int64"),
        }
    )
    ax = plots.plot_leaderboard(users, color="black")
    assert {tuple(p.get_facecolor()) for p in ax.patches} == {(0.0, 0.0, 0.0, 1.0)}
    metrics = pd.DataFrame(
        {
            "user_id": pd.array([1], dtype="Int64"),
            "created": pd.array([1], dtype="Int64"),
            "edited": pd.array([0], dtype="Int64"),
            "viewed": pd.array([2], dtype="Int64"),
            "date": pd.array([pd.Timestamp("2026-11-02").date()], dtype="date32[pyarrow]"),
        }
    )
    ax = plots.plot_points_over_time(metrics, width=2.0)
    assert {round(p.get_width(), 3) for p in bars(ax)} == {2.0}
    logs = pd.DataFrame({"created_at": pd.to_datetime(["2026-11-02 10:00"], utc=True), "action": ["view"]})
    ax = plots.plot_activity_over_time(logs, color="black")
    assert ax.get_lines()[0].get_color() == "black"


def test_axes__a_given_figure_without_layout_gets_the_constrained_one() -> None:
    figure, ax1 = plt.subplots()
    assert figure.get_layout_engine() is None
    axes(ax1)
    assert type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    tight, ax2 = plt.subplots(layout="tight")
    axes(ax2)
    assert type(tight.get_layout_engine()).__name__ == "TightLayoutEngine"  # the caller's choice is kept


def test_legend_outside__extra_handles_follow_the_plot_s_own() -> None:
    ax = axes(None)
    ax.plot([1, 2], label="created")
    legend_outside(ax, title="Action", extra=[partial_handle("month")])
    assert legend_texts(ax) == ["created", "partial month"]
    legend = ax.get_legend()
    assert legend is not None and legend.get_in_layout()


def test_period_axis__many_periods_get_every_kth_start_and_years_where_they_change() -> None:
    weeks = pd.date_range("2026-11-02", periods=30, freq="W-MON")
    ax = period_axis(axes(None), weeks, "week")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 10 and labels[0] == "02 Nov\n2026"  # every 3rd Monday
    assert [label for label in labels if "\n" in label] == ["02 Nov\n2026", "04 Jan\n2027"]
    assert list(ax.get_xticks()) == list(mdates.date2num(weeks[::3].to_pydatetime()))
