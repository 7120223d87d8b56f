"""Report-ready figures from loaded frames: ``plot_<what>(data, *, ..., ax=None, **kwargs) -> Axes``.

Plots never call ``plt.show()``: in Jupyter the figure shows itself, in a script save it with
``ax.figure.savefig(...)``. Empty data draws an empty, labelled Axes. Every plot gives its text a font fallback
chain (DejaVu Sans, then an installed CJK font) so names in any installed script draw (`use_fonts` does the same
for a figure of your own), colours categories with `category_colors` (fixed per role and action), and keeps its
labels and legend inside the saved image.

Example:
    >>> from apitoolkit.plots import plot_expiration_buckets
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True),
    ...                       "organization_name": ["Acme"], "resource_type_name": ["Domain"]})
    >>> plot_expiration_buckets(frame, now="2026-11-23").get_title()
    'Expirations by organization and urgency'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time __getattr__ imports on use
    from apitoolkit.plots.activity import plot_activity_heatmap as plot_activity_heatmap
    from apitoolkit.plots.activity import plot_activity_over_time as plot_activity_over_time
    from apitoolkit.plots.expirations import plot_expiration_buckets as plot_expiration_buckets
    from apitoolkit.plots.expirations import plot_expiration_timeline as plot_expiration_timeline
    from apitoolkit.plots.history import plot_activity_by_month as plot_activity_by_month
    from apitoolkit.plots.history import plot_completion_trend as plot_completion_trend
    from apitoolkit.plots.history import plot_late_renewals as plot_late_renewals
    from apitoolkit.plots.history import plot_reputation_trend as plot_reputation_trend
    from apitoolkit.plots.reputation import plot_leaderboard as plot_leaderboard
    from apitoolkit.plots.reputation import plot_points_heatmap as plot_points_heatmap
    from apitoolkit.plots.reputation import plot_points_over_time as plot_points_over_time
    from apitoolkit.plots.style import MissingFontWarning as MissingFontWarning
    from apitoolkit.plots.style import category_colors as category_colors
    from apitoolkit.plots.style import font_family as font_family
    from apitoolkit.plots.style import use_fonts as use_fonts
    from apitoolkit.plots.tasks import plot_backlog as plot_backlog
    from apitoolkit.plots.tasks import plot_overdue_by_assignee as plot_overdue_by_assignee
    from apitoolkit.plots.tasks import plot_throughput as plot_throughput

_EXPORTS = {
    "reputation": ("plot_leaderboard", "plot_points_over_time", "plot_points_heatmap"),
    "expirations": ("plot_expiration_timeline", "plot_expiration_buckets"),
    "activity": ("plot_activity_heatmap", "plot_activity_over_time"),
    "tasks": ("plot_throughput", "plot_backlog", "plot_overdue_by_assignee"),
    "history": ("plot_reputation_trend", "plot_late_renewals", "plot_activity_by_month", "plot_completion_trend"),
    "style": ("MissingFontWarning", "category_colors", "font_family", "use_fonts"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'apitoolkit.plots' has no attribute {name!r}")
    return getattr(import_module(f"apitoolkit.plots.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return __all__
