"""The activity heatmap over archived logs, computed where the data is: DuckDB here, Dask on a cluster.

Both engines count events per (weekday, hour) on the wall clock of ``tz`` and hand the counts to `grid`, which
builds the same 7 x 24 frame as `apitoolkit.analysis.activity_heatmap` does from a loaded frame, so the three
answers can be compared cell by cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from apitoolkit.analysis.activity import WEEKDAYS, action_names
from apitoolkit.analysis.checks import zone
from apitoolkit.arguments import as_range

if TYPE_CHECKING:
    from apitoolkit.archive.archive import Archive

__all__ = ["actions_of", "activity_heatmap", "grid"]


def grid(counts: pd.DataFrame) -> pd.DataFrame:
    """A 7 x 24 Int64 grid (index ``weekday`` "Mon".."Sun", columns ``hour``) from ``weekday`` (0 = Monday),
    ``hour`` and ``events`` columns; missing cells are 0.

    Example:
        >>> int(grid(pd.DataFrame({"weekday": [0], "hour": [14], "events": [3]})).loc["Mon", 14])
        3
    """
    table = counts.pivot_table(index="weekday", columns="hour", values="events", aggfunc="sum", fill_value=0)
    table = table.reindex(index=range(7), columns=range(24), fill_value=0).astype("Int64")
    table.index = pd.Index(WEEKDAYS, name="weekday", dtype="str")
    table.columns = pd.RangeIndex(24, name="hour")
    return table


def actions_of(action: str | Iterable[str] | None) -> list[str] | None:
    """``action`` as a list of names (None: all actions)."""
    if action is None:
        return None
    return action_names(action)


def activity_heatmap(
    archive: Archive, *, start: Any = None, end: Any = None, tz: str = "UTC", action: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Archived log events per weekday and hour in ``tz``, counted by DuckDB (only the months in range are read).

    Returns:
        The frame `apitoolkit.analysis.activity_heatmap` returns for the same rows.
    """
    from apitoolkit.archive.archive import _months

    name = zone(tz)
    span = as_range(start, end)
    chosen = actions_of(action)
    where, params = ["TRUE"], [name, name]
    months = _months(span)
    if months is not None:
        where.append(f"month IN ({', '.join('?' for _ in months)})")
        params += months
    if span.start is not None:
        where.append("created_at >= ?")
        params.append(span.start.to_pydatetime())
    if span.end is not None:
        where.append("created_at <= ?" if span.end_inclusive else "created_at < ?")
        params.append(span.end.to_pydatetime())
    if chosen is not None:
        where.append(f"action IN ({', '.join('?' for _ in chosen)})")
        params += chosen
    query = (
        "SELECT isodow(timezone(?, created_at)) - 1 AS weekday, hour(timezone(?, created_at)) AS hour, "
        f"count(*) AS events FROM itglue_logs WHERE {' AND '.join(where)} GROUP BY ALL"
    )
    if archive.store("itglue", "logs").open() is None:
        return grid(pd.DataFrame({"weekday": [], "hour": [], "events": []}))
    return grid(archive.sql(query, params))
