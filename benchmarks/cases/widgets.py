"""Case ``widgets``: the time from a control change in an explorer to its new plots and table.

The emulator (small) runs in its own process; setup (untimed) loads the frames and builds the explorer, the
work is one control change, which redraws every figure of that explorer (PNG) and its table, as a user
moving a slider sees it (the browser's own drawing aside).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, Contender

NOW = "2026-11-23"


def _quiet() -> None:
    import os
    import tempfile
    import warnings

    import matplotlib

    os.environ["APITOOLKIT_CACHE"] = tempfile.mkdtemp(prefix="bench-widgets-")
    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", message="Glyph .* missing from font")


def expirations() -> Callable[[], Any]:
    """Horizon slider 90 -> 30 days: the timeline, the bucket bars and the table of what is due."""
    _quiet()
    from apitoolkit.itglue import load_expirations
    from apitoolkit.widgets import ExpirationsExplorer

    explorer = ExpirationsExplorer(load_expirations(), now=NOW)
    return lambda: setattr(explorer.controls["horizon"], "value", 30)


def reputation() -> Callable[[], Any]:
    """Top N 10 -> 5: the leaderboard, the weekly points and the leaderboard table."""
    _quiet()
    from apitoolkit.itglue import load_user_metrics, load_users
    from apitoolkit.widgets import ReputationExplorer

    explorer = ReputationExplorer(load_users(), load_user_metrics())
    return lambda: setattr(explorer.controls["top"], "value", 5)


def tasks() -> Callable[[], Any]:
    """Granularity week -> month over Hitask items: throughput, backlog and the overdue table."""
    _quiet()
    from apitoolkit.hitask import load_items
    from apitoolkit.widgets import TaskExplorer

    explorer = TaskExplorer(load_items(), now=NOW)
    return lambda: setattr(explorer.controls["granularity"], "value", "month")


def build(records: int) -> Case:
    """The case; ``records`` is not used (the emulator's small data set)."""
    module = "benchmarks.cases.widgets"
    return Case(
        name="widgets",
        contenders=[Contender(name, f"{module}:{name}") for name in ("expirations", "reputation", "tasks")],
        service=[sys.executable, "-m", "apitoolkit", "emulator", "--port", "0", "--size", "small"],
    )
