"""Answers from loaded frames: reputation, expirations, activity logs, task activity, history (DataFrame in/out).

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time __getattr__ imports on use
    from apitoolkit.analysis.activity import activity_heatmap as activity_heatmap
    from apitoolkit.analysis.activity import activity_over_time as activity_over_time
    from apitoolkit.analysis.activity import events_by as events_by
    from apitoolkit.analysis.activity import top_resources as top_resources
    from apitoolkit.analysis.expirations import BUCKET_BOUNDS as BUCKET_BOUNDS
    from apitoolkit.analysis.expirations import ActOn as ActOn
    from apitoolkit.analysis.expirations import expiration_buckets as expiration_buckets
    from apitoolkit.analysis.expirations import expiration_counts as expiration_counts
    from apitoolkit.analysis.expirations import expirations_to_act_on as expirations_to_act_on
    from apitoolkit.analysis.expirations import next_expirations as next_expirations
    from apitoolkit.analysis.history import activity_by_month as activity_by_month
    from apitoolkit.analysis.history import completion_trend as completion_trend
    from apitoolkit.analysis.history import late_renewals as late_renewals
    from apitoolkit.analysis.history import renewal_summary as renewal_summary
    from apitoolkit.analysis.history import reputation_trend as reputation_trend
    from apitoolkit.analysis.history import task_cycle_times as task_cycle_times
    from apitoolkit.analysis.reputation import POINTS as POINTS
    from apitoolkit.analysis.reputation import compare_reputation as compare_reputation
    from apitoolkit.analysis.reputation import points_by_action as points_by_action
    from apitoolkit.analysis.reputation import points_by_resource_type as points_by_resource_type
    from apitoolkit.analysis.reputation import reputation_from_metrics as reputation_from_metrics
    from apitoolkit.analysis.reputation import reputation_leaderboard as reputation_leaderboard
    from apitoolkit.analysis.tasks import PRIORITY_BANDS as PRIORITY_BANDS
    from apitoolkit.analysis.tasks import backlog as backlog
    from apitoolkit.analysis.tasks import completion_times as completion_times
    from apitoolkit.analysis.tasks import overdue as overdue
    from apitoolkit.analysis.tasks import priority_bands as priority_bands
    from apitoolkit.analysis.tasks import task_view as task_view
    from apitoolkit.analysis.tasks import throughput as throughput
    from apitoolkit.analysis.tasks import work_by as work_by

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
    "history": (
        "reputation_trend",
        "late_renewals",
        "renewal_summary",
        "activity_by_month",
        "task_cycle_times",
        "completion_trend",
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
