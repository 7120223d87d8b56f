"""Every control of every explorer filters every view beside it: what each plot function and table receives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer

from apitoolkit.analysis import expiration_buckets, expirations_to_act_on, overdue, reputation_leaderboard, task_view
from apitoolkit.widgets import ExpirationsExplorer, ReputationExplorer, TaskExplorer
from apitoolkit.widgets import expirations as expirations_module
from apitoolkit.widgets import reputation as reputation_module
from apitoolkit.widgets import tasks as tasks_module

NOW = "2026-11-23 12:00"


@dataclass
class Spy:
    """The last frame and keyword arguments each plot function received, and the Axes it returned."""

    calls: dict[str, tuple[pd.DataFrame, dict[str, Any], Axes]] = field(default_factory=dict)

    def wrap(self, name: str, real: Callable[..., Axes]) -> Callable[..., Axes]:
        def spy(frame: pd.DataFrame, **kwargs: Any) -> Axes:
            ax = real(frame, **kwargs)
            self.calls[name] = (frame, kwargs, ax)
            return ax

        return spy


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    watcher = Spy()
    for module in (reputation_module, expirations_module, tasks_module):
        for name in dir(module):
            if name.startswith("plot_"):
                monkeypatch.setattr(module, name, watcher.wrap(name, getattr(module, name)))
    yield watcher


def same(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True))
    except AssertionError:
        return False
    return True


def html_rows(explorer: Any) -> int:
    """Body rows of every table shown (header rows not counted)."""
    return explorer.table_view.value.count("<tr") - explorer.table_view.value.count("<thead")


Views = dict[str, Any]  # view name -> what it shows (frames and options), compared before and after a change


def drive(
    explorer: Any, cases: dict[str, tuple[Any, set[str]]], shown: Callable[[], Views], expected: Callable[[], Views]
) -> None:
    """For every control: set it, check every view against ``expected``, and that the named views changed."""
    assert set(cases) == set(explorer.controls), "every control needs a case here"
    for control, (value, changes) in cases.items():
        before = shown()
        explorer.controls[control].value = value
        after, want = shown(), expected()
        assert set(after) == set(want)
        for view, what in want.items():
            assert equal(after[view], what), f"{control}={value!r}: the {view} view does not show the selection"
        for view in changes:
            assert not equal(after[view], before[view]), f"{control}={value!r}: the {view} view did not change"
        for view in set(want) - changes:
            assert equal(after[view], before[view]), f"{control}={value!r}: the {view} view changed"


def equal(left: Any, right: Any) -> bool:
    if isinstance(left, pd.DataFrame) or isinstance(right, pd.DataFrame):
        return isinstance(left, pd.DataFrame) and isinstance(right, pd.DataFrame) and same(left, right)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


# ---------------------------------------------------------------------------------------------------- reputation
def reputation_views(explorer: ReputationExplorer, spy: Spy) -> Views:
    board_frame, board_kwargs, _ = spy.calls["plot_leaderboard"]
    points = "plot_points_over_time" if explorer.value("view") == "by action" else "plot_points_heatmap"
    metrics, kwargs, _ = spy.calls[points]
    options = (points, kwargs["start"], kwargs["end"], tuple(kwargs["users"]["id"]) if "users" in kwargs else ())
    return {
        "leaderboard": (tuple(board_frame["id"]), board_kwargs.get("top")),
        "points": (metrics, options),
        "table": (explorer.table(), html_rows(explorer)),
        "readout": explorer.readout.value,
    }


def test_reputation_explorer__every_control_filters_every_view(data: dict[str, pd.DataFrame], spy: Spy) -> None:
    users, metrics = data["users"], data["metrics"]
    explorer = ReputationExplorer(users, metrics)
    weeks = [v for _, v in explorer.controls["period"].options]
    role = users["role_name"].value_counts().index[0]  # the role with most users: Top still cuts it

    def expected() -> Views:
        chosen = explorer.value("role")
        board = reputation_leaderboard(
            users, top=explorer.value("top"), roles=None if chosen == "All roles" else chosen
        )
        first, last = explorer.value("period")
        start, end = pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(days=6)
        dates = pd.to_datetime(metrics["date"].astype("string"))
        rows = metrics[metrics["user_id"].isin(board["user_id"]) & dates.between(start, end)]
        heatmap = explorer.value("view") != "by action"
        name = "plot_points_heatmap" if heatmap else "plot_points_over_time"
        ids = tuple(board["user_id"]) if heatmap else ()
        readout = f"Weeks {start:%d %b %Y} to {end:%d %b %Y}: "
        assert explorer.readout.value.startswith(readout)  # both dates in full
        return {
            "leaderboard": (tuple(board["user_id"]), None),
            "points": (rows, (name, start, end, ids)),
            "table": (board, len(board)),
            "readout": explorer.readout.value,
        }

    cases = {
        "role": (role, {"leaderboard", "points", "table", "readout"}),
        "top": (4, {"leaderboard", "points", "table", "readout"}),
        "period": ((weeks[2], weeks[-3]), {"points", "readout"}),
        "view": ("by resource type", {"points"}),
    }
    drive(explorer, cases, lambda: reputation_views(explorer, spy), expected)


def role_colors(spy: Spy) -> dict[str, Any]:
    ax = spy.calls["plot_leaderboard"][2]
    handles, labels = ax.get_legend_handles_labels()
    colors = {}
    for handle, label in zip(handles, labels, strict=True):
        assert isinstance(handle, BarContainer), handle
        colors[label] = tuple(handle.patches[0].get_facecolor())
    return colors


def test_reputation_explorer__a_role_keeps_its_colour_when_filtered(data: dict[str, pd.DataFrame], spy: Spy) -> None:
    explorer = ReputationExplorer(data["users"], data["metrics"])
    explorer.controls["top"].value = 30
    everyone = role_colors(spy)
    assert "Editor" in everyone and len(everyone) > 1
    explorer.controls["role"].value = "Editor"
    assert role_colors(spy) == {"Editor": everyone["Editor"]}
    assert spy.calls["plot_leaderboard"][1]["colors"] is spy.calls["plot_points_over_time"][1]["colors"]


# ---------------------------------------------------------------------------------------------------- expirations
def expirations_views(explorer: ExpirationsExplorer, spy: Spy) -> Views:
    timeline, timeline_kwargs, _ = spy.calls["plot_expiration_timeline"]
    buckets, _, _ = spy.calls["plot_expiration_buckets"]
    upcoming, lapsed = explorer.tables(explorer.selection()).values()
    return {
        "timeline": (timeline, timeline_kwargs["horizon"]),
        "buckets": buckets,
        "table": (upcoming, lapsed, html_rows(explorer), explorer.note(explorer.selection())),
    }


def test_expirations_explorer__every_control_filters_every_view(data: dict[str, pd.DataFrame], spy: Spy) -> None:
    frame = data["expirations"]
    explorer = ExpirationsExplorer(frame, now=NOW)
    days = expiration_buckets(frame, NOW)["days_until"]
    soon = frame[days.between(-30, 30).fillna(False).to_numpy()]
    organization = soon["organization_name"].value_counts().index[0]
    kind = soon[soon["organization_name"] == organization]["resource_type_name"].value_counts().index[0]

    def expected() -> Views:
        chosen = frame
        if explorer.value("organization") != "All organizations":
            chosen = chosen[chosen["organization_name"] == explorer.value("organization")]
        if explorer.value("resource_type") != "All resource types":
            chosen = chosen[chosen["resource_type_name"] == explorer.value("resource_type")]
        horizon = explorer.value("horizon")
        until = expiration_buckets(chosen, NOW)["days_until"]
        window = chosen[until.between(-30, horizon).fillna(False).to_numpy()]
        act = expirations_to_act_on(chosen, NOW, horizon=horizon, lookback=30)
        columns = ["expiration_date", "days_until", "bucket", "organization_name", "resource_type_name"]
        upcoming, lapsed = act.upcoming[[*columns, "resource_name"]], act.lapsed[[*columns, "resource_name"]]
        assert (upcoming["days_until"].diff().dropna() >= 0).all()  # soonest first
        rows = min(len(upcoming), 50) + min(len(lapsed), 50)
        assert "Lapsed in the last 30 days" in explorer.table_view.value
        assert act.summary() in explorer.table_view.value
        return {"timeline": (window, horizon), "buckets": window, "table": (upcoming, lapsed, rows, act.summary())}

    cases = {
        "horizon": (30, {"timeline", "buckets", "table"}),
        "organization": (organization, {"timeline", "buckets", "table"}),
        "resource_type": (kind, {"timeline", "buckets", "table"}),
    }
    drive(explorer, cases, lambda: expirations_views(explorer, spy), expected)


# ---------------------------------------------------------------------------------------------------- tasks
def task_views(explorer: TaskExplorer, spy: Spy) -> Views:
    throughput, throughput_kwargs, _ = spy.calls["plot_throughput"]
    backlog, backlog_kwargs, _ = spy.calls["plot_backlog"]
    options = ("start", "end", "freq")
    return {
        "throughput": (throughput, tuple(throughput_kwargs[k] for k in options)),
        "backlog": (backlog, tuple(backlog_kwargs[k] for k in options)),
        "table": (explorer.table(), html_rows(explorer)),
    }


def test_task_explorer__every_control_filters_every_view(data: dict[str, pd.DataFrame], spy: Spy) -> None:
    items, members = data["items"], data["members"]
    explorer = TaskExplorer(items, users=members, now=NOW)
    view, late = task_view(items, users=members), overdue(items, NOW, users=members)
    dues = pd.to_datetime(late["due"]).dt.date
    # A project with several overdue assignees (choosing one changes the table), one of them late more than once.
    pairs = late.assign(day=dues).groupby(["project", "assignee"])["day"].nunique()
    several = late.groupby("project")["assignee"].nunique()
    project, assignee = next(p for p, n in pairs.items() if n > 1 and several[p[0]] > 1)
    theirs = dues[((late["project"] == project) & (late["assignee"] == assignee)).to_numpy()]

    def expected() -> Views:
        tasks, rows = view, late
        for name, everything in (("project", "All projects"), ("assignee", "Everyone")):
            if explorer.value(name) != everything:
                tasks, rows = (f[f[name] == explorer.value(name)] for f in (tasks, rows))
        first, last, freq = explorer.value("start"), explorer.value("end"), explorer.value("granularity")
        when = pd.to_datetime(rows["due"], utc=True).dt.date
        rows = rows[((when >= first) & (when <= last)).to_numpy()]
        rows = rows[["title", "project", "assignee", "due", "days_overdue"]]
        return {
            "throughput": (tasks, (first, last, freq)),
            "backlog": (tasks, (first, last, "day" if freq == "day" else "week")),
            "table": (rows, min(len(rows), 50)),
        }

    everything = {"throughput", "backlog", "table"}
    cases = {  # in this order: from the first due date on, then narrowed to one assignee's, then cut before their last
        "start": (dues.min(), everything),
        "project": (project, everything),
        "assignee": (assignee, everything),
        "end": (theirs.max() - pd.Timedelta(days=1), everything),
        "granularity": ("day", {"throughput", "backlog"}),
    }
    drive(explorer, cases, lambda: task_views(explorer, spy), expected)


def test_task_explorer__assignees_by_name_in_the_dropdown_and_the_table(data: dict[str, pd.DataFrame]) -> None:
    members = data["members"]
    explorer = TaskExplorer(data["items"], users=members, now=NOW)
    names = set((members["first_name"].fillna("") + " " + members["last_name"].fillna("")).str.strip())
    options = set(explorer.controls["assignee"].options) - {"Everyone", "unassigned"}
    assert options and options <= names | set(members["login"].astype("string"))
    shown = set(explorer.table()["assignee"]) - {"unassigned"}
    assert shown and shown <= options
    assert next(iter(shown)) in explorer.table_view.value
    without = TaskExplorer(data["items"], now=NOW)
    assert all(o.startswith("#") for o in set(without.controls["assignee"].options) - {"Everyone", "unassigned"})


def test_explore_tasks__refresh_reloads_users_too(
    data: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    import apitoolkit.hitask

    renamed = data["members"].assign(first_name="Renamed")
    loads: list[str] = []

    def load_items() -> pd.DataFrame:
        loads.append("items")
        return data["items"]

    def load_team_members(refresh: bool) -> pd.DataFrame:
        loads.append(f"members {refresh}")
        return renamed

    monkeypatch.setattr(apitoolkit.hitask, "load_items", load_items)
    monkeypatch.setattr(apitoolkit.hitask, "load_team_members", load_team_members)
    explorer = tasks_module.explore_tasks(data["items"], users=data["members"], now=NOW)
    explorer.refresh_button.click()
    assert loads == ["items", "members True"] and explorer.users is renamed
    assert any(str(o).startswith("Renamed") for o in explorer.controls["assignee"].options)
    loads.clear()
    tasks_module.explore_tasks(data["items"], now=NOW).refresh_button.click()
    assert loads == ["items"]  # no members given, none loaded
