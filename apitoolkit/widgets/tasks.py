"""The task activity explorer: project and assignee, date range, granularity, and the overdue table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import overdue, task_view
from apitoolkit.arguments import as_timestamp
from apitoolkit.plots import plot_backlog, plot_throughput
from apitoolkit.widgets.base import Explorer, keep_choice

__all__ = ["TaskExplorer", "explore_tasks"]

ALL_PROJECTS, EVERYONE = "All projects", "Everyone"


class TaskExplorer(Explorer):
    """Throughput, backlog and overdue tasks of Hitask items or Glasshat tasks (`load_items`, `load_tasks`).

    Example:
        >>> explorer = TaskExplorer(load_items(), now="2026-11-23")  # doctest: +SKIP
        >>> explorer.controls["granularity"].value = "month"  # redraws  # doctest: +SKIP
    """

    title = "Task activity"

    def __init__(
        self,
        tasks: pd.DataFrame,
        *,
        now: Any = None,
        weeks: int = 26,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        self.now = now
        reference = pd.Timestamp.now(tz="UTC") if now is None else as_timestamp(now, "now")
        controls = {
            "project": widgets.Dropdown(description="Project", options=[ALL_PROJECTS]),
            "assignee": widgets.Dropdown(description="Assignee", options=[EVERYONE]),
            "start": widgets.DatePicker(description="From", value=(reference - pd.Timedelta(weeks=weeks)).date()),
            "end": widgets.DatePicker(description="To", value=reference.date()),
            "granularity": widgets.ToggleButtons(description="Per", options=["day", "week", "month"], value="week"),
        }
        super().__init__({"tasks": tasks}, controls, ["throughput", "backlog"], reload=reload)

    def sync_controls(self) -> None:
        view = task_view(self.data["tasks"])
        keep_choice(self.controls["project"], sorted(view["project"].dropna().unique()), everything=ALL_PROJECTS)
        assignees = sorted(str(a) for a in view["assignee"].dropna().unique())
        keep_choice(self.controls["assignee"], assignees, everything=EVERYONE)

    def selected(self) -> pd.DataFrame:
        """The tasks (common shape, `task_view`) of the chosen project and assignee."""
        view = task_view(self.data["tasks"])
        if self.value("project") != ALL_PROJECTS:
            view = view[view["project"] == self.value("project")]
        if self.value("assignee") != EVERYONE:
            view = view[view["assignee"].astype("string") == self.value("assignee")]
        return view

    def figures(self) -> dict[str, Callable[[Axes], Any]]:
        chosen, freq = self.selected(), self.value("granularity")
        start, end = self.value("start"), self.value("end")
        return {
            "throughput": lambda ax: plot_throughput(chosen, freq=freq, start=start, end=end, ax=ax),
            "backlog": lambda ax: plot_backlog(
                chosen, freq="day" if freq == "day" else "week", start=start, end=end, ax=ax
            ),
        }

    def table(self) -> pd.DataFrame:
        late = overdue(self.selected(), now=self.now)
        return late[[c for c in ("title", "project", "assignee", "due", "days_overdue") if c in late.columns]]


def explore_tasks(
    tasks: pd.DataFrame,
    *,
    now: Any = None,
    weeks: int = 26,
    reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
) -> TaskExplorer:
    """The task activity explorer; Refresh syncs Hitask items (or reloads Glasshat tasks) from the API.

    Args:
        tasks: From `apitoolkit.hitask.load_items` or `apitoolkit.glasshat.load_tasks`.
        now: Reference time for "overdue" (default: now, UTC).
        weeks: How far back the date range starts.
        reload: A function returning ``{"tasks": ...}``; default: the loader the frame came from.

    Example:
        >>> explore_tasks(load_items())  # doctest: +SKIP
    """
    if reload is None:
        hitask = "time_create" in tasks.columns

        def reload_from_api() -> dict[str, pd.DataFrame]:
            if hitask:
                from apitoolkit.hitask import load_items

                return {"tasks": load_items()}  # an incremental sync: only the changes travel
            from apitoolkit.glasshat import load_tasks

            return {"tasks": load_tasks(refresh=True)}

        reload = reload_from_api
    return TaskExplorer(tasks, now=now, weeks=weeks, reload=reload)
