"""Explorers for notebooks: ipywidgets controls around the analysis and plot functions (no logic of their own).

Each explorer owns its controls, redraws on any change, keeps the choices when its data is refreshed, and has
a Refresh button that loads again from the API and shows a readable error when that fails.

Example:
    >>> from apitoolkit.widgets import explore_expirations
    >>> explore_expirations(load_expirations())  # shows it in Jupyter  # doctest: +SKIP
"""

from __future__ import annotations

from apitoolkit.widgets.expirations import ExpirationsExplorer, explore_expirations
from apitoolkit.widgets.reputation import ReputationExplorer, explore_reputation
from apitoolkit.widgets.tasks import TaskExplorer, explore_tasks

__all__ = [
    "ExpirationsExplorer",
    "ReputationExplorer",
    "TaskExplorer",
    "explore_expirations",
    "explore_reputation",
    "explore_tasks",
]
