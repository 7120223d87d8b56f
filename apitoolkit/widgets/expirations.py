"""The expirations explorer: horizon in days, organization and resource type, and a table of what is due."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import next_expirations
from apitoolkit.plots import plot_expiration_buckets, plot_expiration_timeline
from apitoolkit.widgets.base import Explorer, keep_choice

__all__ = ["ExpirationsExplorer", "explore_expirations"]

ALL_ORGANIZATIONS, ALL_TYPES = "All organizations", "All resource types"


class ExpirationsExplorer(Explorer):
    """What expires within a horizon, by organization and resource type (`load_expirations`).

    Example:
        >>> explorer = ExpirationsExplorer(expirations, now="2026-11-23")  # doctest: +SKIP
        >>> explorer.controls["horizon"].value = 30  # redraws  # doctest: +SKIP
    """

    title = "Expirations"

    def __init__(
        self,
        expirations: pd.DataFrame,
        *,
        now: Any = None,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        self.now = now
        controls = {
            "horizon": widgets.IntSlider(description="Days ahead", value=90, min=7, max=365, step=1),
            "organization": widgets.Dropdown(description="Organization", options=[ALL_ORGANIZATIONS]),
            "resource_type": widgets.Dropdown(description="Type", options=[ALL_TYPES]),
        }
        super().__init__({"expirations": expirations}, controls, ["timeline", "buckets"], reload=reload)

    def sync_controls(self) -> None:
        frame = self.data["expirations"]
        keep_choice(
            self.controls["organization"],
            sorted(frame["organization_name"].dropna().unique()),
            everything=ALL_ORGANIZATIONS,
        )
        keep_choice(
            self.controls["resource_type"], sorted(frame["resource_type_name"].dropna().unique()), everything=ALL_TYPES
        )

    def selected(self) -> pd.DataFrame:
        """The expirations of the chosen organization and resource type."""
        frame = self.data["expirations"]
        if self.value("organization") != ALL_ORGANIZATIONS:
            frame = frame[frame["organization_name"] == self.value("organization")]
        if self.value("resource_type") != ALL_TYPES:
            frame = frame[frame["resource_type_name"] == self.value("resource_type")]
        return frame

    def figures(self) -> dict[str, Callable[[Axes], Any]]:
        chosen, horizon = self.selected(), self.value("horizon")
        return {
            "timeline": lambda ax: plot_expiration_timeline(chosen, now=self.now, horizon=horizon, ax=ax),
            "buckets": lambda ax: plot_expiration_buckets(chosen, now=self.now, ax=ax),
        }

    def table(self) -> pd.DataFrame:
        due = next_expirations(self.selected(), n=50, now=self.now, include_expired=True, horizon=self.value("horizon"))
        shown = [
            c
            for c in (
                "expiration_date",
                "days_until",
                "bucket",
                "organization_name",
                "resource_type_name",
                "resource_name",
            )
            if c in due.columns
        ]
        return due[shown]


def explore_expirations(
    expirations: pd.DataFrame,
    *,
    now: Any = None,
    reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
) -> ExpirationsExplorer:
    """The expirations explorer; Refresh loads expirations again from IT Glue.

    Args:
        expirations: From `apitoolkit.itglue.load_expirations`.
        now: Reference time (default: now, UTC).
        reload: A function returning ``{"expirations": ...}``; default: `load_expirations(refresh=True)`.

    Example:
        >>> explore_expirations(load_expirations())  # doctest: +SKIP
    """
    if reload is None:

        def reload_from_api() -> dict[str, pd.DataFrame]:
            from apitoolkit.itglue import load_expirations

            return {"expirations": load_expirations(refresh=True)}

        reload = reload_from_api
    return ExpirationsExplorer(expirations, now=now, reload=reload)
