"""History figures: reputation lines, renewals stacked by timing, events per month, completions and cycle times."""

from __future__ import annotations

from datetime import date

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from matplotlib.colors import to_rgba

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import plot_activity_by_month, plot_completion_trend, plot_late_renewals, plot_reputation_trend
from apitoolkit.plots.history import TIMING_COLORS
from apitoolkit.plots.style import PALETTE, PARTIAL_HATCH, ROLE_COLORS
from tests.helpers import CATEGORY, bars, figure_of, legend_texts, ydata

DATE = pd.ArrowDtype(pa.date32())


def snapshots(rows: list[tuple[str, int, str, str, int]]) -> pd.DataFrame:
    """Users snapshots: (snapshot_date, id, first name, role, reputation)."""
    raw = pd.DataFrame(rows, columns=["day", "id", "first_name", "role_name", "reputation"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "first_name": raw["first_name"].astype("str"),
            "last_name": pd.Series(["Lee"] * len(raw), dtype="str"),
            "role_name": raw["role_name"].astype("str"),
            "reputation": raw["reputation"].astype("Int64"),
            "snapshot_date": pd.Series([date.fromisoformat(d) for d in raw["day"]], dtype=DATE),
        }
    )


@pytest.fixture
def team() -> pd.DataFrame:
    return snapshots(
        [
            ("2026-11-02", 1, "Ann", "Editor", 10), ("2026-11-02", 2, "Bo", "Manager", 50),
            ("2026-11-09", 1, "Ann", "Editor", 30), ("2026-11-09", 2, "Bo", "Manager", 55),
            ("2026-11-11", 1, "Ann", "Editor", 35), ("2026-11-11", 2, "Bo", "Manager", 56),
        ]
    )  # fmt: skip


def expirations(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Expirations snapshots: (snapshot_date, id, expiration_date)."""
    raw = pd.DataFrame(rows, columns=["day", "id", "expires"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "organization_name": pd.Series(["Acme"] * len(raw), dtype="str"),
            "resource_type_name": pd.Series(["Domain"] * len(raw), dtype="str"),
            "resource_name": pd.Series(["acme.com"] * len(raw), dtype="str"),
            "expiration_date": pd.to_datetime(raw["expires"], utc=True).astype("datetime64[us, UTC]"),
            "snapshot_date": pd.Series([date.fromisoformat(d) for d in raw["day"]], dtype=DATE),
        }
    )


# --------------------------------------------------------------------------------------------- reputation
def test_plot_reputation_trend__a_line_per_user_highest_first(team: pd.DataFrame) -> None:
    ax = plot_reputation_trend(team)
    bo, ann = ax.get_lines()
    assert legend_texts(ax)[:2] == ["Bo Lee", "Ann Lee"]
    assert ydata(bo) == [50, 56] and ydata(ann) == [10, 35]  # the last snapshot of each week
    assert (bo.get_color(), ann.get_color()) == PALETTE[:2]
    assert list(ax.get_xticks()) == list(mdates.date2num([pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-09")]))
    assert legend_texts(ax)[-1] == "partial week"  # the snapshots stop on Wednesday the 11th
    assert (ax.get_title(), ax.get_ylabel()) == ("Reputation per week by user", "Reputation (points)")


def test_plot_reputation_trend__roles_keep_their_colours_and_change_can_be_drawn(team: pd.DataFrame) -> None:
    ax = plot_reputation_trend(team, by="role", change=True)
    colors = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert colors == {"Manager": ROLE_COLORS["Manager"], "Editor": ROLE_COLORS["Editor"]}
    assert [ydata(line) for line in ax.get_lines()] == [[0, 6], [0, 25]]
    assert ax.get_ylabel() == "Change since the first period (points)"


def test_plot_reputation_trend__past_the_palette_lines_are_dashed() -> None:
    rows = [(day, i, f"U{i:02d}", "Editor", 100 - i) for day in ("2026-11-02", "2026-11-09") for i in range(1, 10)]
    ax = plot_reputation_trend(snapshots(rows), top=9)
    assert [line.get_linestyle() for line in ax.get_lines()] == ["-"] * 7 + ["--"] * 2


def test_plot_reputation_trend__empty_and_bad_top(team: pd.DataFrame) -> None:
    ax = plot_reputation_trend(team.iloc[:0])
    assert ax.texts[0].get_text() == "No users snapshots in the archive" and not ax.get_lines()
    with pytest.raises(InvalidArgumentError, match="top=0"):
        plot_reputation_trend(team, top=0)


def test_plot_reputation_trend__draws_on_the_axes_given(team: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    _, ax1 = plt.subplots()
    assert plot_reputation_trend(team, ax=ax1) is ax1


# --------------------------------------------------------------------------------------------- renewals
def test_plot_late_renewals__bars_stacked_on_time_unclear_late() -> None:
    snaps = expirations(
        [
            ("2026-10-01", 1, "2026-10-05"), ("2026-10-08", 1, "2026-10-05"), ("2026-10-09", 1, "2027-10-05"),  # late
            ("2026-10-01", 2, "2026-10-20"), ("2026-10-02", 2, "2027-10-20"),  # on time
            ("2026-11-30", 3, "2026-12-01"), ("2026-12-03", 3, "2027-12-01"),  # unclear
        ]
    )  # fmt: skip
    ax = plot_late_renewals(snaps)
    drawn = bars(ax)
    assert len(drawn) == 3 * 3  # October, November (none), December x on time, unclear, late
    by_timing = {
        timing: [bar.get_height() for bar in drawn if bar.get_facecolor() == to_rgba(color)]
        for timing, color in TIMING_COLORS.items()
    }
    assert by_timing == {"on time": [1, 0, 0], "unclear": [0, 0, 1], "late": [1, 0, 0]}
    assert drawn[0].get_x() == mdates.date2num(pd.Timestamp("2026-10-01"))
    assert legend_texts(ax) == ["on time", "unclear", "late", "partial month"]
    assert [bar.get_hatch() for bar in drawn[:3]] == [None, None, PARTIAL_HATCH]  # the snapshots stop on 3 Dec


def test_plot_late_renewals__empty_says_so() -> None:
    ax = plot_late_renewals(expirations([("2026-10-01", 1, "2026-10-05")]))
    assert ax.texts[0].get_text() == "No renewals seen in the archive's snapshots"


# --------------------------------------------------------------------------------------------- activity
def test_plot_activity_by_month__stacked_by_action_and_partial_months_hatched() -> None:
    times = ["2026-09-10 10:00", "2026-09-12 10:00", "2026-10-03 10:00", "2026-11-05 10:00"]
    logs = pd.DataFrame(
        {
            "created_at": pd.to_datetime(times, utc=True).astype("datetime64[us, UTC]"),
            "action": pd.Series(["view", "view", "sign_in", "view"], dtype="str"),
            "month": pd.Series([t[:7] for t in times], dtype="str"),
        }
    )
    ax = plot_activity_by_month(logs, by="action")
    drawn = bars(ax)
    assert [bar.get_height() for bar in drawn] == [2, 0, 1, 0, 1, 0]  # view, then sign_in, per month
    assert [bar.get_hatch() for bar in drawn] == [PARTIAL_HATCH, None, PARTIAL_HATCH] * 2
    assert legend_texts(ax) == ["view", "sign_in", "partial month"]
    whole = plot_activity_by_month(logs, start="2026-09-01", end="2026-11-30")
    assert [bar.get_hatch() for bar in bars(whole)] == [None, None, None]
    assert legend_texts(whole) == ["all events"]


def test_plot_activity_by_month__top_sums_the_rest_as_other() -> None:
    logs = pd.DataFrame(
        {
            "created_at": pd.to_datetime(["2026-09-01 10:00"] * 3 + ["2026-09-30 10:00"], utc=True),
            "action": pd.Series(["view", "view", "sign_in", "export"], dtype="str"),
        }
    )
    ax = plot_activity_by_month(logs, by="action", top=1)
    assert legend_texts(ax) == ["view", "other"]
    assert [bar.get_height() for bar in bars(ax)] == [2, 2]


def test_plot_activity_by_month__empty_says_so() -> None:
    logs = pd.DataFrame({"created_at": pd.Series([], dtype="datetime64[us, UTC]")})
    assert plot_activity_by_month(logs).texts[0].get_text() == "No logs in the archive"


# --------------------------------------------------------------------------------------------- tasks
def changes(rows: list[tuple[int, str, bool]]) -> pd.DataFrame:
    """Hitask change log: (id, valid_from, completed); every task created on 2 November 2026."""
    raw = pd.DataFrame(rows, columns=["id", "valid_from", "completed"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "category": pd.Series(["task"] * len(raw), dtype=CATEGORY),
            "title": pd.Series(["t"] * len(raw), dtype="str"),
            "completed": raw["completed"].astype("boolean"),
            "time_create": pd.Series([pd.Timestamp("2026-11-02", tz="UTC")] * len(raw), dtype="datetime64[us, UTC]"),
            "valid_from": pd.to_datetime(raw["valid_from"], utc=True).astype("datetime64[us, UTC]"),
        }
    )


def test_plot_completion_trend__bars_of_completions_and_a_line_of_median_days() -> None:
    log = changes(
        [
            (1, "2026-11-02 09:00", False), (1, "2026-11-04 00:00", True),
            (2, "2026-11-02 09:00", False), (2, "2026-11-18 00:00", True),
            (3, "2026-11-02 09:00", False), (3, "2026-11-20 00:00", True),
        ]
    )  # fmt: skip
    ax = plot_completion_trend(log)
    assert [bar.get_height() for bar in bars(ax)] == [1, 0, 2]
    twin = next(other for other in figure_of(ax).axes if other is not ax)
    (line,) = twin.get_lines()
    assert np.isnan(ydata(line)[1]) and ydata(line)[::2] == [2.0, 17.0]
    assert twin.get_ylabel() == "Median cycle time (days)"
    assert ax.get_ylabel() == "Tasks completed (count)"
    texts = [t.get_text() for t in (ax.get_legend() or twin.get_legend()).get_texts()]  # type: ignore[union-attr]
    assert texts[:2] == ["completed", "median cycle time"]


def test_plot_completion_trend__empty_and_bad_freq() -> None:
    log = changes([(1, "2026-11-02 09:00", False)])
    assert plot_completion_trend(log).texts[0].get_text() == "No completed tasks in the archive"
    with pytest.raises(InvalidArgumentError, match="freq='day'"):
        plot_completion_trend(log, freq="day")
