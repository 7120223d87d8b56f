"""Reputation figures: leaderboard bars, points over time stacked by action, the user x resource type heatmap."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import plot_leaderboard, plot_points_heatmap, plot_points_over_time
from apitoolkit.plots.style import PARTIAL_HATCH, ROLE_COLORS
from tests.helpers import TEAM, TYPES, WEEKS, figure_of, image_array, legend_of, metrics, users


def rendered(ax: Axes, tmp_path: Path) -> bool:
    """Whether the figure saves to a non-empty PNG."""
    path = tmp_path / "figure.png"
    figure_of(ax).savefig(path)
    return path.stat().st_size > 0


def tick_texts(labels: list) -> list[str]:
    return [label.get_text() for label in labels]


def height_on_screen(ax: Axes, y: float) -> float:
    return float(ax.transData.transform((0.0, y))[1])


def bars_top_down(ax: Axes) -> list:
    """The horizontal bars as seen from the top of the plot down."""
    return sorted(ax.patches, key=lambda bar: -height_on_screen(ax, bar.get_y() + bar.get_height() / 2))


def names_top_down(ax: Axes) -> list[str]:
    """The y tick labels as seen from the top of the plot down."""
    ticks = zip(ax.get_yticks(), tick_texts(ax.get_yticklabels()), strict=True)
    return [text for _, text in sorted(ticks, key=lambda tick: -height_on_screen(ax, tick[0]))]


# ----------------------------------------------------------------------------------------------- plot_leaderboard
def test_plot_leaderboard__bars_highest_on_top_coloured_by_role(tmp_path: Path) -> None:
    ax = plot_leaderboard(users(TEAM))
    assert [bar.get_width() for bar in bars_top_down(ax)] == [95, 40, 40, 40, 10]
    assert names_top_down(ax) == ["Bo", "cy do", "Dan Lee", "zed@x.io", "5"]
    roles = ["Editor", "Lite", "Manager", "Read-only"]  # legend order: sorted, one fixed colour each
    assert tick_texts(legend_of(ax).get_texts()) == roles
    assert legend_of(ax).get_title().get_text() == "Role"
    expected = [to_rgba(ROLE_COLORS[r]) for r in ("Manager", "Editor", "Editor", "Lite", "Read-only")]
    assert [bar.get_facecolor() for bar in bars_top_down(ax)] == expected
    labels = (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())
    assert labels == ("Reputation leaderboard", "Reputation (points)", "User")
    assert sorted(text.get_text() for text in ax.texts) == ["10", "40", "40", "40", "95"]  # values at the bar ends
    assert rendered(ax, tmp_path)


def test_plot_leaderboard__top_roles_given_axes_and_kwargs(tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = plot_leaderboard(users(TEAM), top=2, roles=["Editor", "Manager"], ax=ax1, edgecolor="black")
    assert ax is ax1
    assert names_top_down(ax) == ["Bo", "cy do"]
    assert all(bar.get_edgecolor() == to_rgba("black") for bar in ax.patches)
    assert rendered(ax, tmp_path)


def test_plot_leaderboard__empty_missing_reputation_and_bad_input(tmp_path: Path) -> None:
    ax = plot_leaderboard(users([]))
    assert [text.get_text() for text in ax.texts] == ["No data"] and ax.get_xlabel() == "Reputation (points)"
    assert rendered(ax, tmp_path)
    unknown = plot_leaderboard(users([(8, "Ed", "Ek", None, None, None)]))
    assert tick_texts(unknown.get_yticklabels()) == ["Ed Ek"]
    assert tick_texts(legend_of(unknown).get_texts()) == ["(no role)"]
    assert rendered(unknown, tmp_path)
    with pytest.raises(ValueError, match=r"missing: reputation\. .*load_users\(\)"):
        plot_leaderboard(users(TEAM).drop(columns="reputation"))
    with pytest.raises(InvalidArgumentError, match="top="):
        plot_leaderboard(users(TEAM), top=-1)


# ------------------------------------------------------------------------------------------ plot_points_over_time
def test_plot_points_over_time__stacked_weeks_by_action(tmp_path: Path) -> None:
    ax = plot_points_over_time(metrics(WEEKS))
    created, edited, viewed = ax.containers
    assert [bar.get_height() for bar in created] == [10, 0, 0]
    assert [bar.get_height() for bar in edited] == [5, 0, 0]
    assert [bar.get_height() for bar in viewed] == [3, 0, 4]
    assert [bar.get_y() for bar in viewed] == [15, 0, 0]  # stacked on created + edited
    starts = [mdates.num2date(bar.get_x()).date().isoformat() for bar in created]
    assert starts == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert created[0].get_width() == pytest.approx(7 * 0.85)
    # the data stops on Tuesday 17 November: the last week is partial, hatched and named in the legend
    assert tick_texts(legend_of(ax).get_texts()) == ["created", "edited", "viewed", "partial week"]
    assert [[bar.get_hatch() for bar in bars] for bars in ax.containers] == [[None, None, PARTIAL_HATCH]] * 3
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "Reputation points by action", "Week starting Monday", "Points",
    )  # fmt: skip
    assert rendered(ax, tmp_path)


def test_plot_points_over_time__months_have_their_own_lengths_given_axes_and_kwargs(tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = plot_points_over_time(metrics(WEEKS), start="2026-10-20", freq="month", ax=ax1, alpha=0.5)
    assert ax is ax1
    october, november = ax.containers[0]
    assert (october.get_width(), november.get_width()) == pytest.approx((31 * 0.85, 30 * 0.85))
    assert [bar.get_height() for bar in ax.containers[2]] == [0, 7]
    assert all(bar.get_alpha() == 0.5 for bar in ax.patches)
    assert ax.get_xlabel() == "Month"
    assert [bar.get_hatch() for bar in ax.containers[0]] == [None, PARTIAL_HATCH]  # data ends on 17 November
    assert tick_texts(ax.get_xticklabels()) == ["Oct\n2026", "Nov"]
    assert rendered(ax, tmp_path)


def test_plot_points_over_time__mixed_zones_single_row_empty_and_bad_input(tmp_path: Path) -> None:
    new_york = pd.Timestamp("2026-11-08 23:30", tz="America/New_York")  # Monday in UTC, drawn on Sunday
    mixed = metrics(WEEKS[:2]).assign(date=[new_york, pd.Timestamp("2026-11-09", tz="Asia/Tokyo")])
    ax = plot_points_over_time(mixed, freq="day")
    assert [bar.get_height() for bar in ax.containers[2]] == [2, 1]
    assert rendered(ax, tmp_path)
    single = plot_points_over_time(metrics(WEEKS[:1]))
    assert len(single.patches) == 3
    for empty in (metrics([]), metrics([(7, "Password", 1, 0, 2, None)])):
        blank = plot_points_over_time(empty)
        assert [text.get_text() for text in blank.texts] == ["No data"] and blank.get_ylabel() == "Points"
        assert rendered(blank, tmp_path)
    with pytest.raises(InvalidArgumentError, match="freq='hour'"):
        plot_points_over_time(metrics(WEEKS), freq="hour")
    with pytest.raises(ValueError, match=r"missing: date\. .*load_user_metrics"):
        plot_points_over_time(metrics(WEEKS).drop(columns="date"))


# -------------------------------------------------------------------------------------------- plot_points_heatmap
def test_plot_points_heatmap__users_by_total_types_by_total_annotated(tmp_path: Path) -> None:
    ax = plot_points_heatmap(metrics(TYPES))
    # user 7: Password 13; user 8: Password 5, (no type) 2 -> rows 7, 8; columns Password (18), (no type) (2)
    assert image_array(ax).tolist() == [[13, 0], [5, 2]]
    assert tick_texts(ax.get_yticklabels()) == ["7", "8"]
    assert tick_texts(ax.get_xticklabels()) == ["Password", "(no type)"]
    assert [text.get_text() for text in ax.texts] == ["13", "0", "5", "2"]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == (
        "Reputation points by user and resource type", "Resource type", "User",
    )  # fmt: skip
    colourbar = ax.figure.axes[-1]
    assert colourbar is not ax and colourbar.get_ylabel() == "Points"
    assert rendered(ax, tmp_path)


def test_plot_points_heatmap__names_from_users_top_given_axes_and_kwargs(tmp_path: Path) -> None:
    team = users([(7, "Ann", "Lee", None, "Editor", 13)])  # user 8 is not among them: labelled by id
    _, ax1 = plt.subplots()
    ax = plot_points_heatmap(metrics(TYPES), users=team, ax=ax1, cmap="cividis")
    assert ax is ax1
    assert tick_texts(ax.get_yticklabels()) == ["Ann Lee", "8"]
    assert ax.images[0].get_cmap().name == "cividis"
    top = plot_points_heatmap(metrics(TYPES), top=1, start="2026-11-02", end="2026-11-02")
    assert image_array(top).tolist() == [[12]]  # 11-02 only: user 7 created 1, viewed 2 (user 8 has 5)
    assert tick_texts(top.get_yticklabels()) == ["7"]
    assert rendered(ax, tmp_path)


def test_plot_points_heatmap__only_grids_up_to_150_cells_are_annotated(tmp_path: Path) -> None:
    rows = [(user, f"Type {kind:02d}", 0, 0, 1, "2026-11-02") for user in range(1, 17) for kind in range(10)]
    annotated = plot_points_heatmap(metrics(rows), top=15)
    assert image_array(annotated).shape == (15, 10) and len(annotated.texts) == 150
    ax = plot_points_heatmap(metrics(rows), top=None)
    assert image_array(ax).shape == (16, 10) and len(ax.texts) == 0
    assert rendered(ax, tmp_path)


def test_plot_points_heatmap__empty_and_bad_input(tmp_path: Path) -> None:
    ax = plot_points_heatmap(metrics([]))
    assert [text.get_text() for text in ax.texts] == ["No data"] and ax.get_xlabel() == "Resource type"
    assert rendered(ax, tmp_path)
    for top in (0, -2, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="top="):
            plot_points_heatmap(metrics(TYPES), top=top)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"missing: resource_type\. .*load_user_metrics"):
        plot_points_heatmap(metrics(TYPES).drop(columns="resource_type"))
    with pytest.raises(ValueError, match=r"missing: reputation\. .*load_users"):
        plot_points_heatmap(metrics(TYPES), users=users(TEAM).drop(columns="reputation"))
