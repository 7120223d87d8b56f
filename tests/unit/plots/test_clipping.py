"""Nothing is cut off: every plot function, with realistic data, keeps all its text inside the saved image.

Each plot function of ``apitoolkit.plots.__all__`` has a case here (a new function without one fails
``test_cases__cover_every_plot_function``) and is drawn two ways: through pyplot on the report-size figure of
``axes(None)``, on a ``Figure(figsize=(9, 4.8), layout="constrained")`` as the explorers draw, and on a caller's
``plt.subplots()`` without a layout engine; all are saved
without ``bbox_inches``, then every visible title, axis label, tick label, legend and text must lie within the
figure (1 px of slack).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from apitoolkit import plots
from apitoolkit.plots import style
from tests.helpers import expirations, figure_of, hitask_items, logs_frame, metrics, users

NOW = "2026-11-23 18:00"
NAMES = [
    ("聡太郎", "中村"), ("Maximiliane", "Oberhauser-Wittgenstein"), ("Александра", "Константинопольская"),
    ("美咲", "佐々木"), ("Jean-Baptiste", "de La Rochefoucauld"), ("민준", "김"), ("Ann", "Lee"), ("Bo", "Ek"),
    ("Giulia", "Bianchi"), ("Dan", "Ng"), ("Zoë", "Ødegård"), ("浩", "王"),
]  # fmt: skip
ROLES = ["Administrator", "Manager", "Editor", "Creator", "Lite", "Read-only"]
ORGANIZATIONS = [
    "株式会社サンプル商事 東京本社", "Oberhauser & Wittgenstein Rechtsanwälte GmbH", "Acme", "Contoso Ltd",
    "Общество с ограниченной ответственностью «Ромашка»", "北京示例科技有限公司",
]  # fmt: skip
RNG = np.random.default_rng(15)


def team() -> pd.DataFrame:
    rows = [
        (i, first, last, f"u{i}@x.io", ROLES[i % len(ROLES)], int(RNG.integers(5, 900)))
        for i, (first, last) in enumerate(NAMES, 1)
    ]
    return users(rows)


def user_metrics() -> pd.DataFrame:
    days = pd.date_range("2026-09-01", "2026-11-18", freq="D")
    types = ["Password", "Configuration", "Flexible Asset: Network Devices", "Document", "Domain"]
    rows = [
        (int(RNG.integers(1, len(NAMES) + 1)), types[int(RNG.integers(0, len(types)))], int(RNG.integers(0, 3)),
         int(RNG.integers(0, 5)), int(RNG.integers(0, 40)), day.date().isoformat())
        for day in days for _ in range(3)
    ]  # fmt: skip
    return metrics(rows)


def expiring() -> pd.DataFrame:
    offsets = RNG.integers(-60, 120, size=60)
    dates = [(pd.Timestamp(NOW) + pd.Timedelta(days=int(d))).isoformat() for d in offsets]
    orgs = [ORGANIZATIONS[i % len(ORGANIZATIONS)] for i in range(len(dates))]
    types = [["Domain", "SSL Certificate", "Password", "Flexible Asset: Licences"][i % 4] for i in range(len(dates))]
    return expirations(dates, orgs, types)


def activity_logs() -> pd.DataFrame:
    actions = ["view", "update", "create", "delete", "sign_in", "export"]
    times = pd.Timestamp("2026-09-01", tz="UTC") + pd.to_timedelta(RNG.integers(0, 80 * 24 * 60, 400), unit="min")
    return logs_frame(*((t, int(RNG.integers(1, 6)), actions[int(RNG.integers(0, 6))]) for t in times))


def tasks() -> pd.DataFrame:
    rows = []
    for _ in range(80):
        created = pd.Timestamp("2026-09-01") + pd.Timedelta(hours=int(RNG.integers(0, 80 * 24)))
        done = bool(RNG.integers(0, 2))
        rows.append({
            "assignee_id": int(RNG.integers(0, len(NAMES) + 1)),
            "time_create": created.isoformat(),
            "completed": done,
            "time_last_update": (created + pd.Timedelta(days=int(RNG.integers(1, 20)))).isoformat() if done else None,
            "due_date": (created + pd.Timedelta(days=int(RNG.integers(1, 30)))).isoformat(),
        })  # fmt: skip
    return hitask_items(*rows)


def members() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.array(range(1, len(NAMES) + 1), dtype="Int64"),
            "login": [f"user{i}" for i in range(1, len(NAMES) + 1)],
            "first_name": [first for first, _ in NAMES],
            "last_name": [last for _, last in NAMES],
        }
    )


def team_snapshots() -> pd.DataFrame:
    """Daily users snapshots over three months, as the archive scans them: reputations grow, roles stay."""
    base = team()
    frames = []
    for day in pd.date_range("2026-08-24", "2026-11-18", freq="D"):
        grown = base["reputation"] + int((day - pd.Timestamp("2026-08-24")).days) * base["id"]
        frames.append(base.assign(reputation=grown, snapshot_date=pd.Series([day.date()] * len(base))))
    snaps = pd.concat(frames, ignore_index=True)
    return snaps.astype({"snapshot_date": pd.ArrowDtype(pa.date32())})


def expiration_snapshots() -> pd.DataFrame:
    """Weekly expirations snapshots over four months: each expiration renewed a year on, some after they lapsed."""
    base = expiring().assign(id=pd.array(range(1, 61), dtype="Int64"))
    due = pd.to_datetime(base["expiration_date"], utc=True) - pd.Timedelta(days=120)
    delay = pd.to_timedelta(RNG.integers(-20, 30, size=len(base)), unit="D")
    frames = []
    for day in pd.date_range("2026-07-06", "2026-11-16", freq="W-MON", tz="UTC"):
        moved = (due + delay) < day
        dates = due.where(~moved, due + pd.DateOffset(years=1))
        frames.append(base.assign(expiration_date=dates, snapshot_date=pd.Series([day.date()] * len(base))))
    snaps = pd.concat(frames, ignore_index=True)
    return snaps.astype({"snapshot_date": pd.ArrowDtype(pa.date32()), "expiration_date": "datetime64[us, UTC]"})


def item_changes() -> pd.DataFrame:
    """The Hitask change log of the tasks: an open version at creation, a completed one when completed."""
    items = tasks()
    opened = items.assign(completed=False, valid_from=items["time_create"])
    closed = items[items["completed"].fillna(False)].assign(valid_from=lambda f: f["time_last_update"])
    changes = pd.concat([opened, closed], ignore_index=True).sort_values(["id", "valid_from"], kind="stable")
    return changes.astype({"completed": "boolean", "valid_from": "datetime64[us, UTC]"})


CASES: dict[str, Callable[[Axes | None], Axes]] = {
    "plot_leaderboard": lambda ax: plots.plot_leaderboard(team(), top=None, ax=ax),
    "plot_points_over_time": lambda ax: plots.plot_points_over_time(user_metrics(), ax=ax),
    "plot_points_heatmap": lambda ax: plots.plot_points_heatmap(user_metrics(), users=team(), ax=ax),
    "plot_expiration_timeline": lambda ax: plots.plot_expiration_timeline(expiring(), now=NOW, ax=ax),
    "plot_expiration_buckets": lambda ax: plots.plot_expiration_buckets(expiring(), now=NOW, ax=ax),
    "plot_activity_heatmap": lambda ax: plots.plot_activity_heatmap(activity_logs(), tz="America/New_York", ax=ax),
    "plot_activity_over_time": lambda ax: plots.plot_activity_over_time(activity_logs(), freq="week", ax=ax),
    "plot_throughput": lambda ax: plots.plot_throughput(tasks(), ax=ax),
    "plot_backlog": lambda ax: plots.plot_backlog(tasks(), freq="week", tz="Asia/Tokyo", ax=ax),
    "plot_overdue_by_assignee": lambda ax: plots.plot_overdue_by_assignee(tasks(), now=NOW, users=members(), ax=ax),
    "plot_reputation_trend": lambda ax: plots.plot_reputation_trend(team_snapshots(), top=12, ax=ax),
    "plot_late_renewals": lambda ax: plots.plot_late_renewals(expiration_snapshots(), ax=ax),
    "plot_activity_by_month": lambda ax: plots.plot_activity_by_month(activity_logs(), by="action", ax=ax),
    "plot_completion_trend": lambda ax: plots.plot_completion_trend(item_changes(), ax=ax),
}


def drawn_texts(figure: Figure) -> list[Any]:
    """The artists drawn with text: titles, labels, tick labels within the view, texts and legends."""
    found: list[Any] = []
    for ax in figure.axes:
        found += [ax.title, *(getattr(ax, side) for side in ("_left_title", "_right_title"))]
        found += [ax.xaxis.label, ax.yaxis.label]
        found += [ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text(), *ax.texts]
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = (high - low) * 1e-9
            found += [tick.label1 for tick in axis.get_major_ticks() if low - slack <= tick.get_loc() <= high + slack]
            found += [tick.label2 for tick in axis.get_major_ticks() if low - slack <= tick.get_loc() <= high + slack]
        if ax.get_legend() is not None:
            found.append(ax.get_legend())
    return [a for a in found if a.get_visible() and (not isinstance(a, Text) or a.get_text())]


def outside(figure: Figure) -> list[str]:
    """What sticks out of the figure by more than 1 px, described."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = Bbox.from_extents(-1, -1, figure.bbox.width + 1, figure.bbox.height + 1)
    stuck = []
    for artist in drawn_texts(figure):
        box = artist.get_window_extent(renderer)
        if not (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1):
            name = artist.get_text() if isinstance(artist, Text) else type(artist).__name__
            stuck.append(f"{name!r} at {np.round(box.extents, 1).tolist()} (figure {list(figure.bbox.extents)})")
    return stuck


def test_cases__cover_every_plot_function() -> None:
    assert sorted(CASES) == sorted(name for name in plots.__all__ if name.startswith("plot_"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot__nothing_is_cut_off_on_the_report_figure(name: str) -> None:
    ax = CASES[name](None)
    assert figure_of(ax).get_size_inches().tolist() == list(style.FIGSIZE)
    figure_of(ax).savefig(io.BytesIO(), format="png")
    ax.figure.canvas.draw()
    assert outside(figure_of(ax)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot__nothing_is_cut_off_on_an_explorer_figure(name: str) -> None:
    figure = Figure(figsize=(9, 4.8), layout="constrained")
    FigureCanvasAgg(figure)
    CASES[name](figure.subplots())
    figure.savefig(io.BytesIO(), format="png", dpi=100)
    figure.canvas.draw()
    assert outside(figure) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_plot__nothing_is_cut_off_on_a_figure_without_layout(name: str) -> None:
    figure, ax = plt.subplots(figsize=(9, 4.8))  # a caller's own Axes, no layout engine chosen
    CASES[name](ax)
    figure.savefig(io.BytesIO(), format="png", dpi=100)
    figure.canvas.draw()
    assert outside(figure) == []
