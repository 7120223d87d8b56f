"""Sync: what each archived resource fetches through its loader, and how it is written (see `resources`).

- **logs**: every row from the newest archived one (less `LOG_OVERLAP`) to now, through `load_logs` and its cache;
  rows already archived are skipped by id. A first sync, or one after more than 30 days, starts 30 days back (IT
  Glue keeps no more) and an `ArchiveGapWarning` names the days that are lost.
- **user_metrics**: the days from the newest archived day (again: it may have been partial) to today, replaced.
- **users, organizations, expirations**: today's snapshot (UTC), replacing one taken earlier the same day.
- **hitask items**: the items as `load_items` keeps them (its delta sync); an item whose ``time_last_update`` (or,
  without one, content) differs from its current version gets a new version from that time, the old one closed;
  an item no longer listed has its version closed at the sync's time.

Running a sync twice in a row adds nothing the second time: logs by id, the rest by replacing the same day or
finding no change.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from apitoolkit.archive.store import DeltaStore, Written, month_of
from apitoolkit.exceptions import ArchiveError, ArchiveGapWarning, InvalidArgumentError, StaleDataWarning

if TYPE_CHECKING:
    from apitoolkit.archive.resources import ArchivedResource
    from apitoolkit.http.client import BaseClient

__all__ = ["LOGS_KEPT", "LOG_OVERLAP", "METRICS_FIRST_DAYS", "to_arrow", "write_frame"]

#: How far back IT Glue keeps logs (a first sync starts there).
LOGS_KEPT = pd.Timedelta(days=30)
#: Logs are fetched again from this long before the newest archived one, for rows that arrived late.
LOG_OVERLAP = pd.Timedelta(hours=1)
#: Days of user metrics a first sync fetches.
METRICS_FIRST_DAYS = 30


def to_arrow(frame: pd.DataFrame, spec: ArchivedResource) -> pa.Table:
    """A loader's frame as the archive stores it: loader-only columns dropped, categoricals as text, ``month``."""
    kept = frame.drop(columns=[c for c in spec.dropped if c in frame.columns])
    table = pa.Table.from_pandas(kept, preserve_index=False).replace_schema_metadata(None)
    for i, column in enumerate(table.schema):
        if pa.types.is_dictionary(column.type):
            table = table.set_column(i, column.name, pc.cast(table[column.name], column.type.value_type))
        elif pa.types.is_timestamp(column.type) and column.type.unit == "ns":
            table = table.set_column(i, column.name, pc.cast(table[column.name], pa.timestamp("us", column.type.tz)))
    if "month" in table.column_names:
        table = table.drop_columns(["month"])
    return table.append_column("month", month_of(table[spec.time_column]))


def _day(value: date) -> str:
    return value.isoformat()


def _snapshot(store: DeltaStore, frame: pd.DataFrame, now: pd.Timestamp) -> Written:
    day = now.date()
    snap = frame.assign(snapshot_date=pd.array([day] * len(frame), dtype=pd.ArrowDtype(pa.date32())))
    table = to_arrow(snap, store.spec)
    month = f"{day:%Y-%m}"
    predicate = f"month = '{month}' AND snapshot_date = '{_day(day)}'"
    if table.num_rows == 0:
        return Written(0, store.delete(predicate), None)
    return store.replace(table, predicate)


def _days(store: DeltaStore, frame: pd.DataFrame, first: date, last: date) -> Written:
    table = to_arrow(frame, store.spec)
    months = sorted({f"{first + timedelta(days=d):%Y-%m}" for d in range((last - first).days + 1)})
    within = f"date >= '{_day(first)}' AND date <= '{_day(last)}'"
    predicate = f"month IN ({', '.join(repr(m) for m in months)}) AND {within}"
    if table.num_rows == 0:
        return Written(0, store.delete(predicate), None)
    return store.replace(table, predicate)


def fresh(load: Callable[[], pd.DataFrame], what: str) -> pd.DataFrame:
    """Run a load for the archive: its data must come from the API (or a cache still fresh), never a stale copy.

    A loader that could not reach the API returns its expired cached copy with a `StaleDataWarning`; archived as
    today's, it would be history that never happened, so the sync of that resource fails instead. Other warnings
    pass on (logs' "IT Glue keeps logs for 30 days" is dropped: the sync chose its range itself).

    Raises:
        ArchiveError: The loader returned stale data; nothing of it is archived.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = load()
    stale = [w for w in caught if issubclass(w.category, StaleDataWarning)]
    for w in caught:
        if not stale and not str(w.message).startswith("IT Glue keeps logs for 30 days"):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if stale:
        raise ArchiveError(
            f"{what}: the API could not be reached and the loader offered only its expired cached copy "
            f"({str(stale[0].message).splitlines()[0][:200]}); nothing was archived. Sync again when it answers."
        )
    return frame


def sync_logs(store: DeltaStore, client: BaseClient | None, now: pd.Timestamp) -> Written:
    """Append the logs since the newest archived row (see the module docstring)."""
    from apitoolkit.itglue.loaders import load_logs

    newest = store.max_time()
    oldest_kept = now - LOGS_KEPT + pd.Timedelta(minutes=5)
    start = oldest_kept if newest is None else pd.Timestamp(newest).tz_convert("UTC") - LOG_OVERLAP
    if start < oldest_kept:
        if newest is not None:
            warnings.warn(
                f"The archive's IT Glue logs end at {pd.Timestamp(newest):%Y-%m-%d %H:%M} UTC and IT Glue keeps "
                f"30 days: logs from then to {oldest_kept:%Y-%m-%d %H:%M} UTC are lost. Sync at least every few "
                "weeks (a daily cron line: see the README).",
                ArchiveGapWarning,
                stacklevel=3,
            )
        start = oldest_kept
    frame = fresh(lambda: load_logs(start, now, client=client), "IT Glue logs")  # type: ignore[arg-type]
    return store.append_new(to_arrow(frame, store.spec))


def sync_user_metrics(store: DeltaStore, client: BaseClient | None, now: pd.Timestamp) -> Written:
    """Replace the days from the newest archived one to today."""
    from apitoolkit.itglue.loaders import load_user_metrics

    newest = store.max_time()
    last = now.date()
    first = newest if isinstance(newest, date) else last - timedelta(days=METRICS_FIRST_DAYS - 1)
    first = min(first, last)
    frame = fresh(lambda: load_user_metrics(first, last, client=client, refresh=True), "IT Glue user metrics")  # type: ignore[arg-type]
    return _days(store, frame, first, last)


def _snapshot_loader(resource: str) -> Callable[[BaseClient | None, pd.Timestamp], pd.DataFrame]:
    from apitoolkit.itglue import loaders

    if resource == "expirations":
        return lambda client, now: loaders.load_expirations(client=client, now=now, refresh=True)  # type: ignore[arg-type]
    load = loaders.load_users if resource == "users" else loaders.load_organizations
    return lambda client, now: load(client, refresh=True)  # type: ignore[arg-type]


def sync_snapshot(store: DeltaStore, client: BaseClient | None, now: pd.Timestamp) -> Written:
    """Store today's snapshot (replacing an earlier one of the same day)."""
    load = _snapshot_loader(store.spec.resource)
    frame = fresh(lambda: load(client, now), f"IT Glue {store.spec.resource}")
    return _snapshot(store, frame, now)


# ------------------------------------------------------------------------------------------------ change log
def _fingerprints(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One text per row of ``columns`` (for items without ``time_last_update``): equal rows, equal text."""
    shown = frame[columns].astype("object").where(frame[columns].notna(), None)
    return pd.Series([repr(tuple(map(_plain, row))) for row in shown.itertuples(index=False)], index=frame.index)


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _changed(open_versions: pd.DataFrame, current: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Which current items differ from their open version (new items count as changed)."""
    before = open_versions.set_index("id")
    known = current["id"].isin(before.index)
    changed = ~known
    if not known.any():
        return changed
    ids = current.loc[known, "id"]
    old_stamp = before.loc[ids, "time_last_update"].set_axis(ids.index)
    new_stamp = current.loc[known, "time_last_update"]
    differs = (old_stamp != new_stamp).fillna(old_stamp.isna() != new_stamp.isna()).astype(bool)
    neither = old_stamp.isna() & new_stamp.isna()
    if neither.any():
        old_rows = before.loc[ids[neither]].reset_index()[columns].set_axis(ids[neither].index)
        differs[neither] = _fingerprints(old_rows, columns) != _fingerprints(
            current.loc[neither.index[neither]], columns
        )
    changed[known] = differs
    return changed


def _starts(open_versions: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """The ``valid_from`` of the open version of each of ``ids`` (NaT for new items), aligned with ``ids``."""
    starts = open_versions[["id", "valid_from"]].astype({"valid_from": "datetime64[us, UTC]"})
    found = ids.to_frame("id").merge(starts, how="left", on="id")["valid_from"]
    return found.set_axis(ids.index)


def change_log_rows(open_versions: pd.DataFrame, current: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """The rows a change-log write sends: new versions (``valid_to`` empty) and closed old ones.

    ``open_versions`` are the archived versions with no ``valid_to``; ``current`` the items as loaded now. A new
    version starts at the item's ``time_last_update`` when it is later than the version it replaces, else at
    ``now``; the replaced version ends where the new one starts; an item no longer listed ends at ``now``.
    """
    columns = [c for c in current.columns if c in open_versions.columns and c not in {"valid_from", "valid_to"}]
    new = current[_changed(open_versions, current, columns)].copy()
    moment = pd.Timestamp(now).tz_convert("UTC").as_unit("us")
    floor = _starts(open_versions, new["id"])
    if "time_last_update" in new.columns:
        stamp = new["time_last_update"].astype("datetime64[us, UTC]")
    else:
        stamp = pd.Series(pd.NaT, index=new.index, dtype="datetime64[us, UTC]")
    usable = stamp.notna() & (floor.isna() | (stamp > floor))
    new["valid_from"] = stamp.where(usable, moment).astype("datetime64[us, UTC]")
    new["valid_to"] = pd.Series(pd.NaT, index=new.index, dtype="datetime64[us, UTC]")
    gone = ~open_versions["id"].isin(current["id"])
    closing = open_versions[open_versions["id"].isin(new["id"]) | gone].copy()
    ends = closing[["id"]].merge(new[["id", "valid_from"]], how="left", on="id")["valid_from"].set_axis(closing.index)
    closing["valid_to"] = ends.fillna(moment).astype("datetime64[us, UTC]")
    if closing.empty:
        return new.reset_index(drop=True)
    if new.empty:
        return closing.reset_index(drop=True)
    # Every column of either side: a field the API added is written with the new versions (the table evolves).
    return pd.concat([closing, new], ignore_index=True)


def _open_or_none(open_versions: pd.DataFrame | None, current: pd.DataFrame) -> pd.DataFrame:
    if open_versions is not None and not open_versions.empty:
        return open_versions
    none = pd.Series([], dtype="datetime64[us, UTC]")
    return current.iloc[0:0].assign(valid_from=none, valid_to=none)


def sync_items(store: DeltaStore, client: BaseClient | None, now: pd.Timestamp) -> Written:
    """Add a version for each item that changed, close the versions of items gone."""
    from apitoolkit.hitask.loaders import load_items

    current = fresh(lambda: load_items(client), "Hitask items")  # type: ignore[arg-type]
    archived = store.read(where=ds.field("valid_to").is_null())
    from apitoolkit.frames import table_to_frame

    open_versions = table_to_frame(archived.drop_columns(["month"])) if archived is not None else None
    rows = change_log_rows(_open_or_none(open_versions, current), current, now)
    if rows.empty:
        return Written(0, 0, None)
    return store.upsert_versions(to_arrow(rows, store.spec))


SYNC: dict[str, Callable[[DeltaStore, Any, pd.Timestamp], Written]] = {
    "append": sync_logs,
    "days": sync_user_metrics,
    "snapshot": sync_snapshot,
    "changes": sync_items,
}


def write_frame(store: DeltaStore, frame: pd.DataFrame, now: pd.Timestamp) -> Written:
    """Write a loader's frame by the resource's rule, as a sync would (the archive's own writer).

    Raises:
        InvalidArgumentError: ``frame`` lacks the resource's time column (or ``id``).
    """
    spec = store.spec
    needed = {"id"} | ({spec.time_column} if spec.rule in {"append", "days"} else set())
    if spec.rule == "changes":
        needed |= {"time_last_update"}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise InvalidArgumentError(
            f"The frame to archive as {spec.service}/{spec.resource} lacks {', '.join(missing)}: pass a frame "
            f"from apitoolkit.{spec.service}.load_{spec.resource}()."
        )
    if spec.rule == "append":
        return store.append_new(to_arrow(frame, spec))
    if spec.rule == "snapshot":
        return _snapshot(store, frame, now)
    if spec.rule == "days":
        days = frame["date"].dropna()
        if days.empty:
            return Written(0, 0, None)
        return _days(store, frame, min(days), max(days))
    archived = store.read(where=ds.field("valid_to").is_null())
    from apitoolkit.frames import table_to_frame

    open_versions = table_to_frame(archived.drop_columns(["month"])) if archived is not None else None
    rows = change_log_rows(_open_or_none(open_versions, frame), frame, now)
    return store.upsert_versions(to_arrow(rows, spec)) if not rows.empty else Written(0, 0, None)
