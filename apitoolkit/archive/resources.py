"""What the archive keeps of each resource: the rule it is written by, its time column and partitions.

| service/resource      | rule                                  | added columns                   | time column    |
|-----------------------|---------------------------------------|---------------------------------|----------------|
| itglue/logs           | append, exactly once by ``id``        | ``month``                       | created_at     |
| itglue/user_metrics   | the days synced replaced              | ``month``                       | date           |
| itglue/users          | daily snapshot (same day replaced)    | ``snapshot_date``, ``month``    | snapshot_date  |
| itglue/organizations  | daily snapshot                        | ``snapshot_date``, ``month``    | snapshot_date  |
| itglue/expirations    | daily snapshot                        | ``snapshot_date``, ``month``    | snapshot_date  |
| hitask/items          | change log (one row per version seen) | ``valid_from``, ``valid_to``, ``month`` | valid_from |

Every table is partitioned by ``month`` (``"YYYY-MM"``, UTC, of its time column): a scan of a month reads that
month's files only. ``month`` is left out of `Archive.scan`'s frames; the SQL views keep it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from apitoolkit.exceptions import UnknownArchiveResourceError

__all__ = ["ARCHIVED", "ArchivedResource", "Rule", "archived"]

Rule = Literal["append", "days", "snapshot", "changes"]


def _hitask_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    from apitoolkit.hitask.loaders import CATEGORY_DTYPE

    if "category" in frame.columns:
        frame["category"] = frame["category"].astype(CATEGORY_DTYPE)
    return frame


@dataclass(frozen=True)
class ArchivedResource:
    """One archived resource (see the module's table).

    Example:
        >>> archived("itglue", "logs").time_column
        'created_at'
    """

    service: str
    resource: str
    rule: Rule
    time_column: str
    #: Columns a loader adds that are not data to keep (they depend on when the load ran).
    dropped: tuple[str, ...] = ()
    #: Loader dtypes Arrow cannot carry (categoricals), restored on scan.
    restore: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def view(self) -> str:
        """The resource's view in `Archive.sql` (``itglue_logs``)."""
        return f"{self.service}_{self.resource}"

    @property
    def key(self) -> tuple[str, str]:
        """``(service, resource)``."""
        return (self.service, self.resource)


#: Every resource the archive keeps, by ``(service, resource)``.
ARCHIVED: dict[tuple[str, str], ArchivedResource] = {
    r.key: r
    for r in (
        ArchivedResource("itglue", "logs", "append", "created_at"),
        ArchivedResource("itglue", "user_metrics", "days", "date"),
        ArchivedResource("itglue", "users", "snapshot", "snapshot_date"),
        ArchivedResource("itglue", "organizations", "snapshot", "snapshot_date"),
        ArchivedResource("itglue", "expirations", "snapshot", "snapshot_date", dropped=("days_until",)),
        ArchivedResource("hitask", "items", "changes", "valid_from", restore=_hitask_dtypes),
    )
}


def archived(service: object, resource: object) -> ArchivedResource:
    """The archived resource ``service/resource``.

    Raises:
        UnknownArchiveResourceError: The archive does not keep it (the message lists what it keeps).

    Example:
        >>> archived("hitask", "items").rule
        'changes'
    """
    found = ARCHIVED.get((service, resource)) if isinstance(service, str) and isinstance(resource, str) else None
    if found is None:
        kept = ", ".join(f"{s}/{r}" for s, r in ARCHIVED)
        raise UnknownArchiveResourceError(f"The archive does not keep {service}/{resource}: it keeps {kept}.")
    return found
