"""The reputation explorer: role, top N, week range, and points by action or by resource type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import POINTS, reputation_leaderboard
from apitoolkit.plots import plot_leaderboard, plot_points_heatmap, plot_points_over_time
from apitoolkit.plots.style import category_colors
from apitoolkit.widgets.base import Explorer, keep_choice

__all__ = ["ReputationExplorer", "ReputationSelection", "explore_reputation"]

ALL_ROLES = "All roles"
BY_ACTION, BY_TYPE = "by action", "by resource type"


@dataclass(frozen=True)
class ReputationSelection:
    """What every view of the reputation explorer shows: the users on the board and their points in the weeks.

    Attributes:
        board: The leaderboard rows shown (`reputation_leaderboard` of the chosen role, its top N).
        users: The rows of ``load_users()`` for those users, in board order.
        metrics: The rows of ``load_user_metrics()`` of those users, dated within ``start`` .. ``end``.
        start: First day of the first chosen week.
        end: Last day (Sunday) of the last chosen week.
    """

    board: pd.DataFrame
    users: pd.DataFrame
    metrics: pd.DataFrame
    start: pd.Timestamp
    end: pd.Timestamp


def _dates(metrics: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(metrics["date"].astype("string"), errors="coerce")


class ReputationExplorer(Explorer):
    """Leaderboard and points earned, for users and user metrics (`load_users`, `load_user_metrics`).

    Role and Top choose the users shown: the leaderboard, the points chart and the heatmap all show those users
    (the chosen role's users, the top N of them); the week range limits the points charts and the readout.
    Colours stay with their role or action whatever is chosen.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.itglue import ITGlueClient, load_user_metrics, load_users
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     users, metrics = load_users(client), load_user_metrics(client=client)
        >>> explorer = ReputationExplorer(users, metrics)
        >>> explorer.controls["top"].value = 5  # redraws every view
        >>> explorer.updates  # the first drawing, and this one
        2
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
            "top": widgets.IntSlider(description="Top", value=10, min=3, max=30, layout=widgets.Layout(width="320px")),
            "period": widgets.SelectionRangeSlider(  # the dates show in full in the readout line below
                description="Weeks",
                options=[("-", None)],
                index=(0, 0),
                readout=False,
                layout=widgets.Layout(width="420px"),
            ),
            "view": widgets.ToggleButtons(description="Points", options=[BY_ACTION, BY_TYPE]),
        }
        self.colors: dict[str, str] = {}
        super().__init__(
            {"users": users, "metrics": metrics},
            controls,
            ["leaderboard", "points"],
            rows=[["role", "top"], ["period", "view"]],
            reload=reload,
        )

    def sync_controls(self) -> None:
        users, metrics = self.data["users"], self.data["metrics"]
        roles = sorted(users["role_name"].dropna().unique())
        keep_choice(self.controls["role"], roles, everything=ALL_ROLES)
        # Fixed from the whole data: a role or an action keeps its colour whatever the filters.
        self.colors = {**category_colors(roles, kind="role"), **category_colors(list(POINTS), kind="action")}
        period = self.controls["period"]
        dates = _dates(metrics).dropna()
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

    def selection(self) -> ReputationSelection:
        """The users of the chosen role, the top N of them, and their metrics within the chosen weeks."""
        users, metrics = self.data["users"], self.data["metrics"]
        role = self.value("role")
        board = reputation_leaderboard(users, top=self.value("top"), roles=None if role == ALL_ROLES else [role])
        ids = board["user_id"].dropna().tolist()
        shown = users.set_index(users["id"], drop=False).loc[ids].reset_index(drop=True)
        first_week, last_week = self.value("period")
        start, end = pd.Timestamp(first_week), pd.Timestamp(last_week) + pd.Timedelta(days=6)
        dates = _dates(metrics)
        keep = metrics["user_id"].isin(ids) & (dates >= start) & (dates <= end)
        return ReputationSelection(board=board, users=shown, metrics=metrics[keep], start=start, end=end)

    def figures(self, chosen: ReputationSelection) -> dict[str, Callable[[Axes], Any]]:
        def points(ax: Axes) -> Any:
            if self.value("view") == BY_ACTION:
                return plot_points_over_time(
                    chosen.metrics, start=chosen.start, end=chosen.end, freq="week", colors=self.colors, ax=ax
                )
            return plot_points_heatmap(
                chosen.metrics, users=chosen.users, start=chosen.start, end=chosen.end, top=None, ax=ax
            )

        return {
            "leaderboard": lambda ax: plot_leaderboard(chosen.users, top=None, colors=self.colors, ax=ax),
            "points": points,
        }

    def tables(self, chosen: ReputationSelection) -> dict[str, pd.DataFrame]:
        return {"Leaderboard": chosen.board}

    def describe(self, chosen: ReputationSelection) -> str:
        role = self.value("role")
        who = f"{len(chosen.board)} users" + ("" if role == ALL_ROLES else f" ({role})")
        points = sum(int(chosen.metrics[action].fillna(0).sum()) * weight for action, weight in POINTS.items())
        return (
            f"Weeks {chosen.start:%d %b %Y} to {chosen.end:%d %b %Y}: "
            f"{points:,} points earned by the {who} shown on the leaderboard."
        )


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
        >>> explore_reputation(load_users(), load_user_metrics())  # shows it in Jupyter  # doctest: +SKIP
    """
    if reload is None:
        dates = _dates(metrics).dropna()
        span = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)

        def reload_from_api() -> dict[str, pd.DataFrame]:
            from apitoolkit.itglue import load_user_metrics, load_users

            return {"users": load_users(refresh=True), "metrics": load_user_metrics(*span, refresh=True)}

        reload = reload_from_api
    return ReputationExplorer(users, metrics, reload=reload)
