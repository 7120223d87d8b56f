"""Answers from loaded frames: reputation, expirations, activity logs, task activity (DataFrame in, DataFrame out).

Every function is pure (no I/O), accepts an empty frame (returning the same columns, empty), and raises a
ValueError naming the columns it needs and the loader that provides them.

Example:
    >>> from apitoolkit.analysis import expiration_buckets
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True)})
    >>> expiration_buckets(frame, now="2026-11-23")["bucket"].tolist()
    ['0-30']
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "reputation": (
        "POINTS",
        "reputation_leaderboard",
        "reputation_from_metrics",
        "compare_reputation",
        "points_by_action",
        "points_by_resource_type",
    ),
    "expirations": (
        "BUCKET_BOUNDS",
        "ActOn",
        "expiration_buckets",
        "expiration_counts",
        "expirations_to_act_on",
        "next_expirations",
    ),
    "activity": ("activity_over_time", "activity_heatmap", "events_by", "top_resources"),
    "tasks": (
        "PRIORITY_BANDS",
        "task_view",
        "throughput",
        "backlog",
        "overdue",
        "work_by",
        "priority_bands",
        "completion_times",
    ),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'apitoolkit.analysis' has no attribute {name!r}")
    return getattr(import_module(f"apitoolkit.analysis.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return __all__
