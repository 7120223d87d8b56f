"""Expiration figures: the timeline around today and the urgency bars per organization."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import plot_expiration_buckets, plot_expiration_timeline
from apitoolkit.plots.style import URGENCY
from tests.helpers import expirations, figure_of, legend_of, legend_texts, offsets

NOW = "2026-11-23 18:00"
LOADER = r"apitoolkit\.itglue\.load_expirations\(\)"


def saved(ax: Axes, tmp_path: Path) -> bool:
    figure_of(ax).savefig(tmp_path / "figure.png")
    return (tmp_path / "figure.png").stat().st_size > 0


def legend_labels(ax: Axes) -> list[str]:
    return legend_texts(ax)


def day(value: str, tz: str = "UTC") -> float:
    return float(mdates.date2num(pd.Timestamp(value, tz=tz)))


# --------------------------------------------------------------------------------------------- timeline
TIMELINE = expirations(
    ["2026-11-20", "2026-10-01", "2026-12-01", "2027-01-10", "2027-02-21", "2027-02-22", None],
    types=["Domain", "Domain", "SSL Certificate", "SSL Certificate", "Password", "Password", "Domain"],
)  # days until: -3, -53 (lapsed too long ago), 8, 48, 90, 91 (past the horizon), missing


def test_plot_expiration_timeline__one_marker_per_expiration_in_the_window(tmp_path: Path) -> None:
    ax = plot_expiration_timeline(TIMELINE, now=NOW)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Domain", "Password", "SSL Certificate"]
    assert legend_labels(ax) == ["expired", "0-30", "31-60", "61-90"]
    assert legend_of(ax).get_title().get_text() == "Days until expiry"
    points = {c.get_label(): offsets(c).tolist() for c in ax.collections}
    assert points == {
        "expired": [[day("2026-11-20"), 0.0]],
        "0-30": [[day("2026-12-01"), 2.0]],
        "31-60": [[day("2027-01-10"), 2.0]],
        "61-90": [[day("2027-02-21"), 1.0]],
    }
    assert [to_hex(tuple(np.asarray(c.get_facecolor())[0])) for c in ax.collections] == [u.lower() for u in URGENCY[:4]]
    assert ax.get_title() == "Expirations in the next 90 days (and lapsed in the last 30)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Expiration date (UTC)", "Resource type")
    assert saved(ax, tmp_path)


def test_plot_expiration_timeline__today_line_window_and_date_axis() -> None:
    ax = plot_expiration_timeline(TIMELINE, now=NOW)
    assert np.asarray(ax.lines[0].get_xdata(orig=False))[0] == day("2026-11-23")
    assert [t.get_text().strip() for t in ax.texts] == ["today"]
    assert ax.get_xlim() == (day("2026-10-23"), day("2027-02-23"))  # a day of margin beyond [-30, +90] days
    assert ax.get_ylim() == (2.5, -0.5)  # first row at the top
    assert type(ax.xaxis.get_major_formatter()).__name__ == "ConciseDateFormatter"


def test_plot_expiration_timeline__without_lapsed_and_a_shorter_horizon() -> None:
    ax = plot_expiration_timeline(TIMELINE, now=NOW, horizon=30, include_expired=False)
    assert [c.get_label() for c in ax.collections] == ["0-30"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["SSL Certificate"]
    assert ax.get_title() == "Expirations in the next 30 days"
    assert ax.get_xlim()[0] == day("2026-11-22")


def test_plot_expiration_timeline__days_and_today_line_in_tz() -> None:
    frame = expirations(["2026-11-24 03:00", "2026-11-24 06:00"])  # New York: Nov 23 22:00 and Nov 24 01:00
    ax = plot_expiration_timeline(frame, now="2026-11-24 04:00", tz="America/New_York")  # Nov 23, 23:00 there
    assert [c.get_label() for c in ax.collections] == ["0-30"]
    assert len(offsets(ax.collections[0])) == 2
    assert np.asarray(ax.lines[0].get_xdata(orig=False))[0] == day("2026-11-23", tz="America/New_York")
    assert ax.get_xlabel() == "Expiration date (America/New_York)"


def test_plot_expiration_timeline__mixed_zones_single_row_and_missing_type() -> None:
    frame = pd.DataFrame(
        {
            "expiration_date": ["2026-12-01T00:30:00+02:00", "2026-12-02 10:00"],
            "resource_type_name": pd.Series([None, "Domain"], dtype="str"),
        }
    )
    ax = plot_expiration_timeline(frame, now=NOW)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Domain", "(none)"]
    assert offsets(ax.collections[0]).tolist() == [[day("2026-11-30 22:30"), 1.0], [day("2026-12-02 10:00"), 0.0]]
    one = plot_expiration_timeline(TIMELINE.iloc[[2]], now=NOW)
    assert [len(offsets(c)) for c in one.collections] == [1]


def test_plot_expiration_timeline__kwargs_go_to_the_markers_and_ax_is_reused(tmp_path: Path) -> None:
    _, ax1 = plt.subplots()
    ax = plot_expiration_timeline(TIMELINE, now=NOW, ax=ax1, s=99, marker="s")
    assert ax is ax1
    assert all(isinstance(c, PathCollection) and c.get_sizes().tolist() == [99] for c in ax.collections)
    assert saved(ax, tmp_path)


def test_plot_expiration_timeline__empty_frames_draw_labelled_empty_axes(tmp_path: Path) -> None:
    ax = plot_expiration_timeline(expirations([]), now=NOW)
    assert [t.get_text() for t in ax.texts] == ["No data"]
    assert ax.get_title() == "Expirations in the next 90 days (and lapsed in the last 30)"
    assert ax.get_ylabel() == "Resource type" and not ax.collections
    assert saved(ax, tmp_path)
    for frame in (expirations([None, None]), expirations(["2030-01-01"])):
        ax = plot_expiration_timeline(frame, now=NOW)
        assert [t.get_text() for t in ax.texts] == ["Nothing expires in this window"]


def test_plot_expiration_timeline__bad_inputs() -> None:
    frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True)})
    with pytest.raises(ValueError, match=rf"needs the columns expiration_date, resource_type_name.*{LOADER}"):
        plot_expiration_timeline(frame, now=NOW)
    with pytest.raises(InvalidArgumentError, match="not Series"):
        plot_expiration_timeline(TIMELINE["expiration_date"], now=NOW)
    with pytest.raises(InvalidArgumentError, match="horizon="):
        plot_expiration_timeline(TIMELINE, now=NOW, horizon=-1)
    with pytest.raises(InvalidArgumentError, match="horizon=None"):
        plot_expiration_timeline(TIMELINE, now=NOW, horizon=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="IANA"):
        plot_expiration_timeline(TIMELINE, now=NOW, tz="Nowhere")


# --------------------------------------------------------------------------------------------- bucket bars
BARS = expirations(
    ["2026-11-20", "2026-12-01", "2027-06-01", "2026-12-01", "2026-12-05", "2026-12-30", "2026-11-01", "2027-01-30"],
    orgs=["Acme", "Acme", "Acme", "Beta", "Beta", "Beta", "Gamma", "Delta"],
)  # per bucket (expired, 0-30, 31-60, 61-90, over 90): Acme 1 1 0 0 1, Beta 0 2 1 0 0, Gamma 1 0 0 0 0, Delta 0 0 0 1 0


def widths(ax: Axes) -> list[list[float]]:
    return [[float(p.get_width()) for p in c] for c in ax.containers]


def test_plot_expiration_buckets__top_organizations_stacked_most_urgent_first(tmp_path: Path) -> None:
    ax = plot_expiration_buckets(BARS, now=NOW, top=3)  # Delta has the fewest; Gamma's is expired
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Acme", "Gamma", "Beta"]
    assert widths(ax) == [[1, 1, 0], [1, 0, 2], [0, 0, 1], [0, 0, 0], [1, 0, 0]]
    assert [float(p.get_x()) for p in ax.containers[1]] == [1, 1, 0]  # stacked after the expired ones
    assert [to_hex(c[0].get_facecolor()) for c in ax.containers] == [u.lower() for u in URGENCY]
    assert legend_labels(ax) == ["expired", "0-30", "31-60", "61-90", "over 90"]
    assert legend_of(ax).get_title().get_text() == "Days until expiry"
    assert ax.get_title() == "Expirations by organization and urgency"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Expirations (count)", "Organization")
    assert ax.get_ylim() == (2.5, -0.5)
    assert saved(ax, tmp_path)


def test_plot_expiration_buckets__all_groups_when_top_is_none_and_integer_ticks() -> None:
    ax = plot_expiration_buckets(BARS, now=NOW, top=None)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Acme", "Gamma", "Beta", "Delta"]
    ax.figure.canvas.draw()
    assert all(float(x).is_integer() for x in ax.get_xticks())


def test_plot_expiration_buckets__several_columns_and_custom_bounds() -> None:
    frame = expirations(["2026-11-30", "2026-12-10"], orgs=["Acme", None], types=["Domain", "SSL Certificate"])
    ax = plot_expiration_buckets(frame, now=NOW, by=["organization_name", "resource_type_name"], bounds=(7, 30))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Acme / Domain", "(none) / SSL Certificate"]
    assert widths(ax) == [[0, 0], [1, 0], [0, 1], [0, 0]]  # 7 days: "0-7"; 17 days: "8-30"
    assert legend_labels(ax) == ["expired", "0-7", "8-30", "over 30"]
    assert ax.get_title() == "Expirations by organization / resource type and urgency"
    assert ax.get_ylabel() == "Organization / resource type"


def test_plot_expiration_buckets__more_buckets_than_urgency_colours_stay_distinct() -> None:
    ax = plot_expiration_buckets(BARS, now=NOW, bounds=(7, 14, 30, 60, 90, 180))
    colours = [to_hex(c[0].get_facecolor()) for c in ax.containers]
    assert len(colours) == len(set(colours)) == 8
    assert (colours[0], colours[-1]) == (URGENCY[0].lower(), URGENCY[-1].lower())


def test_plot_expiration_buckets__mixed_zones_single_row_and_all_missing_dates(tmp_path: Path) -> None:
    mixed = pd.DataFrame(
        {"expiration_date": ["2026-11-22T23:30:00-05:00", "2026-12-01"], "organization_name": ["Acme", "Acme"]}
    )
    assert widths(plot_expiration_buckets(mixed, now="2026-11-23 12:00")) == [[0], [2], [0], [0], [0]]
    ny = plot_expiration_buckets(mixed, now="2026-11-23 12:00", tz="America/New_York")
    assert widths(ny) == [[1], [1], [0], [0], [0]]
    missing = plot_expiration_buckets(expirations([None]), now=NOW)
    assert widths(missing) == [[0]] * 5
    assert saved(missing, tmp_path)


def test_plot_expiration_buckets__kwargs_go_to_the_bars_and_ax_is_reused() -> None:
    _, ax1 = plt.subplots()
    ax = plot_expiration_buckets(BARS, now=NOW, ax=ax1, height=0.5)
    assert ax is ax1
    assert {float(p.get_height()) for c in ax.containers for p in c} == {0.5}


def test_plot_expiration_buckets__empty_frame_draws_labelled_empty_axes(tmp_path: Path) -> None:
    ax = plot_expiration_buckets(expirations([]), now=NOW)
    assert [t.get_text() for t in ax.texts] == ["No data"]
    assert ax.get_title() == "Expirations by organization and urgency"
    assert ax.get_xlabel() == "Expirations (count)" and not ax.containers
    assert saved(ax, tmp_path)


@pytest.mark.parametrize("top", [0, -1, True, 2.5])
def test_plot_expiration_buckets__rejects_bad_top(top: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"top=.*1 or more"):
        plot_expiration_buckets(BARS, now=NOW, top=top)  # type: ignore[arg-type]


def test_plot_expiration_buckets__missing_column_names_it_and_the_loader() -> None:
    with pytest.raises(ValueError, match=rf"missing: organization_name\. .*{LOADER}"):
        plot_expiration_buckets(pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True)}))
    with pytest.raises(InvalidArgumentError, match="bounds="):
        plot_expiration_buckets(BARS, now=NOW, bounds=(60, 30))
