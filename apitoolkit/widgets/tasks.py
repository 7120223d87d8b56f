"""The task activity explorer: project and assignee (by name), date range, granularity, and the overdue table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import overdue, task_view
from apitoolkit.arguments import as_timestamp
from apitoolkit.plots import plot_backlog, plot_throughput
from apitoolkit.widgets.base import Explorer, keep_choice

__all__ = ["TaskExplorer", "TaskSelection", "explore_tasks"]

ALL_PROJECTS, EVERYONE = "All projects", "Everyone"
OVERDUE_COLUMNS = ("title", "project", "assignee", "due", "days_overdue")


@dataclass(frozen=True)
class TaskSelection:
    """What every view of the task explorer shows.

    Attributes:
        tasks: The `task_view` rows of the chosen project and assignee (names resolved from ``users``).
        overdue: Those tasks overdue at ``now`` whose due date falls within ``start`` .. ``end``, most overdue first.
        start: First day of the charts.
        end: Last day of the charts.
        freq: "day", "week" or "month".
    """

    tasks: pd.DataFrame
    overdue: pd.DataFrame
    start: dt.date
    end: dt.date
    freq: str


class TaskExplorer(Explorer):
    """Throughput, backlog and overdue tasks of Hitask items or Glasshat tasks (`load_items`, `load_tasks`).

    Assignees are shown by name when ``users`` (`apitoolkit.hitask.load_team_members`) is given, else as "#id".
    Project and Assignee filter both charts and the overdue table; From and To set the charts' range and which
    overdue tasks (by due date) are listed; Per sets the charts' periods.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.hitask import HitaskClient, load_items, load_team_members
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Hitask
        ...     env = emu.environ()
        ...     client = HitaskClient(
        ...         env["HITASK_API_KEY"], env["HITASK_LOGIN"], env["HITASK_PASSWORD"], base_url=env["HITASK_BASE_URL"],
        ...         cache=cache,
        ...     )
        ...     items, members = load_items(client), load_team_members(client)
        >>> explorer = TaskExplorer(items, users=members, now="2026-11-23")
        >>> explorer.controls["granularity"].value = "month"  # redraws
        >>> explorer.updates  # the first drawing, and this one
        2
    """

    title = "Task activity"

    def __init__(
        self,
        tasks: pd.DataFrame,
        *,
        users: pd.DataFrame | None = None,
        now: Any = None,
        weeks: int = 26,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        self.now = now
        self._view = self._overdue = pd.DataFrame()
        reference = pd.Timestamp.now(tz="UTC") if now is None else as_timestamp(now, "now")
        controls = {
            "project": widgets.Dropdown(description="Project", options=[ALL_PROJECTS]),
            "assignee": widgets.Dropdown(description="Assignee", options=[EVERYONE]),
            "start": widgets.DatePicker(description="From", value=(reference - pd.Timedelta(weeks=weeks)).date()),
            "end": widgets.DatePicker(description="To", value=reference.date()),
            "granularity": widgets.ToggleButtons(description="Per", options=["day", "week", "month"], value="week"),
        }
        data = {"tasks": tasks} if users is None else {"tasks": tasks, "users": users}
        super().__init__(
            data,
            controls,
            ["throughput", "backlog"],
            rows=[["project", "assignee"], ["start", "end", "granularity"]],
            reload=reload,
        )

    @property
    def users(self) -> pd.DataFrame | None:
        """The team members that name the assignees (None: assignees show as "#id")."""
        return self.data.get("users")

    def sync_controls(self) -> None:
        self._view = task_view(self.data["tasks"], users=self.users)
        self._overdue = overdue(self.data["tasks"], now=self.now, users=self.users)
        keep_choice(self.controls["project"], sorted(self._view["project"].dropna().unique()), everything=ALL_PROJECTS)
        assignees = sorted(str(a) for a in self._view["assignee"].dropna().unique())
        keep_choice(self.controls["assignee"], assignees, everything=EVERYONE)

    def selection(self) -> TaskSelection:
        """The tasks of the chosen project and assignee, and those of them overdue with a due date in range."""
        view, late = self._view, self._overdue
        if self.value("project") != ALL_PROJECTS:
            view, late = (f[f["project"] == self.value("project")] for f in (view, late))
        if self.value("assignee") != EVERYONE:
            view, late = (f[f["assignee"].astype("string") == self.value("assignee")] for f in (view, late))
        start, end = self.value("start"), self.value("end")
        if start is not None and end is not None:
            due = pd.to_datetime(late["due"], utc=True).dt.date
            late = late[((due >= start) & (due <= end)).fillna(False).to_numpy()]
        return TaskSelection(tasks=view, overdue=late, start=start, end=end, freq=self.value("granularity"))

    def figures(self, chosen: TaskSelection) -> dict[str, Callable[[Axes], Any]]:
        backlog_freq = "day" if chosen.freq == "day" else "week"
        return {
            "throughput": lambda ax: plot_throughput(
                chosen.tasks, freq=chosen.freq, start=chosen.start, end=chosen.end, ax=ax
            ),
            "backlog": lambda ax: plot_backlog(
                chosen.tasks, freq=backlog_freq, start=chosen.start, end=chosen.end, ax=ax
            ),
        }

    def tables(self, chosen: TaskSelection) -> dict[str, pd.DataFrame]:
        late = chosen.overdue
        heading = f"Overdue, due between {chosen.start} and {chosen.end} (most overdue first)"
        return {heading: late[[c for c in OVERDUE_COLUMNS if c in late.columns]]}


def explore_tasks(
    tasks: pd.DataFrame,
    *,
    users: pd.DataFrame | None = None,
    now: Any = None,
    weeks: int = 26,
    reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
) -> TaskExplorer:
    """The task activity explorer; Refresh syncs Hitask items (or reloads Glasshat tasks), and members, from the API.

    Args:
        tasks: From `apitoolkit.hitask.load_items` or `apitoolkit.glasshat.load_tasks`.
        users: From `apitoolkit.hitask.load_team_members`, to show assignees by name (else "#id").
        now: Reference time for "overdue" (default: now, UTC).
        weeks: How far back the date range starts.
        reload: A function returning ``{"tasks": ...}`` (and ``"users"``); default: the loader the frame came from,
            and `load_team_members(refresh=True)` when ``users`` was given.

    Example:
        >>> explore_tasks(load_items(), users=load_team_members())  # shows it in Jupyter  # doctest: +SKIP
    """
    if reload is None:
        hitask, with_users = "time_create" in tasks.columns, users is not None

        def reload_from_api() -> dict[str, pd.DataFrame]:
            if hitask:
                from apitoolkit.hitask import load_items, load_team_members

                fresh = {"tasks": load_items()}  # an incremental sync: only the changes travel
                return {**fresh, "users": load_team_members(refresh=True)} if with_users else fresh
            from apitoolkit.glasshat import load_tasks

            return {"tasks": load_tasks(refresh=True)}

        reload = reload_from_api
    return TaskExplorer(tasks, users=users, now=now, weeks=weeks, reload=reload)
