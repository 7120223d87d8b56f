"""The reputation explorer: role, top N, period, and points by action or by resource type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import reputation_leaderboard
from apitoolkit.plots import plot_leaderboard, plot_points_heatmap, plot_points_over_time
from apitoolkit.widgets.base import Explorer, keep_choice

__all__ = ["ReputationExplorer", "explore_reputation"]

ALL_ROLES = "All roles"
BY_ACTION, BY_TYPE = "by action", "by resource type"


class ReputationExplorer(Explorer):
    """Leaderboard and points earned, for users and user metrics (`load_users`, `load_user_metrics`).

    Example:
        >>> explorer = ReputationExplorer(users, metrics)  # doctest: +SKIP
        >>> explorer.controls["top"].value = 5  # redraws  # doctest: +SKIP
    """

    title = "Documentation reputation"

    def __init__(
        self,
        users: pd.DataFrame,
        metrics: pd.DataFrame,
        *,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        controls = {
            "role": widgets.Dropdown(description="Role", options=[ALL_ROLES]),
            "top": widgets.IntSlider(description="Top", value=10, min=3, max=30),
            "period": widgets.SelectionRangeSlider(description="Weeks", options=[("-", None)], index=(0, 0)),
            "view": widgets.ToggleButtons(description="Points", options=[BY_ACTION, BY_TYPE]),
        }
        super().__init__({"users": users, "metrics": metrics}, controls, ["leaderboard", "points"], reload=reload)

    def sync_controls(self) -> None:
        users, metrics = self.data["users"], self.data["metrics"]
        keep_choice(self.controls["role"], sorted(users["role_name"].dropna().unique()), everything=ALL_ROLES)
        period = self.controls["period"]
        dates = pd.to_datetime(metrics["date"].astype("string"), errors="coerce").dropna()
        first, last = (dates.min(), dates.max()) if len(dates) else (pd.Timestamp.now().normalize(),) * 2
        weeks = pd.date_range(first - pd.Timedelta(days=first.weekday()), last, freq="W-MON")
        options = [(f"{w:%d %b %Y}", w.date()) for w in weeks] or [(f"{first:%d %b %Y}", first.date())]
        chosen = period.value if period.value and period.value[0] is not None else None
        period.options = options  # resets the selection, so the choice is put back after
        values = [v for _, v in options]
        if chosen and chosen[0] in values and chosen[1] in values:
            period.value = chosen
        else:
            period.index = (0, len(options) - 1)

    def _roles(self) -> list[str] | None:
        role = self.value("role")
        return None if role == ALL_ROLES else [role]

    def _span(self) -> tuple[Any, Any]:
        start, last_week = self.value("period")
        return start, pd.Timestamp(last_week) + pd.Timedelta(days=6)

    def figures(self) -> dict[str, Callable[[Axes], Any]]:
        users, metrics = self.data["users"], self.data["metrics"]
        start, end = self._span()

        def points(ax: Axes) -> Any:
            if self.value("view") == BY_ACTION:
                return plot_points_over_time(metrics, start=start, end=end, freq="week", ax=ax)
            return plot_points_heatmap(metrics, users=users, start=start, end=end, ax=ax)

        return {
            "leaderboard": lambda ax: plot_leaderboard(users, top=self.value("top"), roles=self._roles(), ax=ax),
            "points": points,
        }

    def table(self) -> pd.DataFrame:
        return reputation_leaderboard(self.data["users"], top=self.value("top"), roles=self._roles())


def explore_reputation(
    users: pd.DataFrame,
    metrics: pd.DataFrame,
    *,
    reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
) -> ReputationExplorer:
    """The reputation explorer; Refresh loads users and the same metrics range again from IT Glue.

    Args:
        users: From `apitoolkit.itglue.load_users`.
        metrics: From `apitoolkit.itglue.load_user_metrics`.
        reload: A function returning ``{"users": ..., "metrics": ...}``; default: the public loaders with
            ``refresh=True`` (credentials from the environment) over the metrics' date range.

    Example:
        >>> explore_reputation(load_users(), load_user_metrics())  # doctest: +SKIP
    """
    if reload is None:
        dates = pd.to_datetime(metrics["date"].astype("string"), errors="coerce").dropna()
        span = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)

        def reload_from_api() -> dict[str, pd.DataFrame]:
            from apitoolkit.itglue import load_user_metrics, load_users

            return {"users": load_users(refresh=True), "metrics": load_user_metrics(*span, refresh=True)}

        reload = reload_from_api
    return ReputationExplorer(users, metrics, reload=reload)
