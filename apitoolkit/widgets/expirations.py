"""The expirations explorer: horizon in days, organization and resource type, and what to act on first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes

from apitoolkit.analysis import expiration_buckets, expirations_to_act_on
from apitoolkit.analysis.expirations import FIRST_COLUMNS
from apitoolkit.plots import plot_expiration_buckets, plot_expiration_timeline
from apitoolkit.widgets.base import Explorer, keep_choice

if TYPE_CHECKING:
    from apitoolkit.analysis import ActOn

__all__ = ["ExpirationsExplorer", "ExpirationsSelection", "explore_expirations"]

ALL_ORGANIZATIONS, ALL_TYPES = "All organizations", "All resource types"
LOOKBACK = 30


@dataclass(frozen=True)
class ExpirationsSelection:
    """What every view of the expirations explorer shows.

    Attributes:
        expirations: The chosen organization's and resource type's expirations due within the horizon or lapsed
            within the lookback (what both figures draw).
        act_on: `expirations_to_act_on` of the chosen organization and resource type (the tables and summary).
        horizon: Days ahead.
    """

    expirations: pd.DataFrame
    act_on: ActOn
    horizon: int


class ExpirationsExplorer(Explorer):
    """What expires within a horizon, by organization and resource type (`load_expirations`).

    Every view shows the chosen organization and resource type within the horizon (and what lapsed in the last
    30 days): the timeline, the bars per organization, the table of what is due (soonest first), the table of
    what lapsed recently, and a sentence counting the rest.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.itglue import ITGlueClient, load_expirations
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     expirations = load_expirations(client=client)
        >>> explorer = ExpirationsExplorer(expirations, now="2026-11-23")
        >>> explorer.controls["horizon"].value = 30  # redraws every view
        >>> explorer.updates  # the first drawing, and this one
        2
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
            "horizon": widgets.IntSlider(
                description="Days ahead", value=90, min=7, max=365, step=1, layout=widgets.Layout(width="380px")
            ),
            "organization": widgets.Dropdown(description="Organization", options=[ALL_ORGANIZATIONS]),
            "resource_type": widgets.Dropdown(description="Type", options=[ALL_TYPES]),
        }
        super().__init__(
            {"expirations": expirations},
            controls,
            ["timeline", "buckets"],
            rows=[["horizon"], ["organization", "resource_type"]],
            reload=reload,
        )

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

    def selection(self) -> ExpirationsSelection:
        """The chosen organization's and resource type's expirations, within the horizon and the lookback."""
        frame = self.data["expirations"]
        if self.value("organization") != ALL_ORGANIZATIONS:
            frame = frame[frame["organization_name"] == self.value("organization")]
        if self.value("resource_type") != ALL_TYPES:
            frame = frame[frame["resource_type_name"] == self.value("resource_type")]
        horizon = self.value("horizon")
        days = expiration_buckets(frame, self.now)["days_until"]
        window = frame[((days >= -LOOKBACK) & (days <= horizon)).fillna(False).to_numpy()]
        act_on = expirations_to_act_on(frame, self.now, horizon=horizon, lookback=LOOKBACK)
        return ExpirationsSelection(expirations=window, act_on=act_on, horizon=horizon)

    def figures(self, chosen: ExpirationsSelection) -> dict[str, Callable[[Axes], Any]]:
        return {
            "timeline": lambda ax: plot_expiration_timeline(
                chosen.expirations, now=self.now, horizon=chosen.horizon, ax=ax
            ),
            "buckets": lambda ax: plot_expiration_buckets(chosen.expirations, now=self.now, ax=ax),
        }

    def tables(self, chosen: ExpirationsSelection) -> dict[str, pd.DataFrame]:
        shown = list(FIRST_COLUMNS)
        return {
            f"Due in the next {chosen.horizon} days (soonest first)": chosen.act_on.upcoming[shown],
            f"Lapsed in the last {LOOKBACK} days (most recent first)": chosen.act_on.lapsed[shown],
        }

    def note(self, chosen: ExpirationsSelection) -> str:
        return chosen.act_on.summary()

    def describe(self, chosen: ExpirationsSelection) -> str:
        organization, kind = self.value("organization"), self.value("resource_type")
        return (
            f"{len(chosen.expirations)} expirations ({organization}; {kind}) due in the next {chosen.horizon} days "
            f"or lapsed in the last {LOOKBACK}."
        )


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
        >>> explore_expirations(load_expirations())  # shows it in Jupyter  # doctest: +SKIP
    """
    if reload is None:

        def reload_from_api() -> dict[str, pd.DataFrame]:
            from apitoolkit.itglue import load_expirations

            return {"expirations": load_expirations(refresh=True)}

        reload = reload_from_api
    return ExpirationsExplorer(expirations, now=now, reload=reload)
