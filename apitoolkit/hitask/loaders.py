"""Hitask loaders: items with incremental sync through ``X-Cursor`` deltas, item history, tags, team, contacts.

Incremental sync: ``GET item`` returns every item and an ``X-Cursor`` (the latest change, in ms);
``GET item/delta/{cursor}`` returns what changed since, with a new ``X-Cursor``. The documents read two ways:
the seed's example lists every current item, unchanged ones as ``{"id": …, "changed": false}`` stubs (so an
item no longer listed was deleted), while its prose says the delta returns "items that were changed or added".
Both are handled:

- **stubs**: a delta with at least one stub is the full membership list: changed rows replaced, new rows
  added, stubs left alone, unlisted rows dropped. A stub for an id the snapshot lacks reloads everything.
- **changes only**: a delta without stubs is merged (changed rows replaced, new rows added) and deletes
  nothing. Deletions are then caught by a full reload once the snapshot's last full load is older than
  ``full_reload_after`` (default 24 hours).

The reading is detected from the deltas and stored with the snapshot. A delta without stubs that still lists
every item of the snapshot fits both readings and decides nothing. Once recorded, the reading never changes
silently: a delta of the other reading (stubs after changes-only, or a stub-less delta that leaves items out
after stubs) warns (`SyncWarning`) and loads everything again. `load_items` keeps the snapshot (Arrow IPC, in the
cache directory or on Redis), the cursor, the reading and the time of the last full load per account; they are
replaced together, atomically, only after the merge succeeded. A delta the API refuses (a cursor from the
future), a snapshot written for another account, or an unreadable snapshot leads to a full reload, with a
warning.
"""

from __future__ import annotations

import threading
import time
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from apitoolkit.arguments import as_flag, as_id, as_optional_flag, shown
from apitoolkit.cache import FrameCache
from apitoolkit.exceptions import (
    InvalidArgumentError,
    InvalidRequestError,
    OfflineError,
    ResponseFormatError,
    RetriableError,
    StaleDataWarning,
    SyncWarning,
)
from apitoolkit.frames import Schema, pages_to_table, table_to_frame
from apitoolkit.hitask.client import HitaskClient
from apitoolkit.hitask.schema import CATEGORIES, CONTACTS, HISTORY, ITEM_ALIASES, ITEMS, TAGS, TEAM_MEMBERS
from apitoolkit.http.paginators import RequestSpec, SinglePagePaginator
from apitoolkit.loading import label_frame, load_listing
from apitoolkit.stores import frame_store

__all__ = [
    "SyncWarning",
    "explode",
    "flush_snapshots",
    "load_contacts",
    "load_item_history",
    "load_items",
    "load_tags",
    "load_team_members",
]

SNAPSHOT_KEY = "items"
#: Snapshots never expire: the cursor decides what is stale.
SNAPSHOT_TTL = 100 * 365 * 86400.0
CATEGORY_DTYPE = pd.CategoricalDtype(list(CATEGORIES.values()))
#: Seconds after which a snapshot synced by changes-only deltas is loaded in full again (deletions show then).
FULL_RELOAD_AFTER = 24 * 3600.0
STUBS, CHANGES_ONLY = "stubs", "changes_only"


# Snapshots are written after `load_items` has returned, in order, by one thread per store: the write is
# off the refresh's critical path (for 50k items it took 0.01-0.07 s, as much as the rest of a refresh).
# A process killed before the write keeps the previous snapshot and cursor, from which the next delta is
# still correct. The threads are joined when the interpreter exits, so a finished script has written.
# Stores are known by `FrameCache.where` (a directory, or a Redis URL and key pattern).
_writers: dict[str, ThreadPoolExecutor] = {}
_pending: dict[str, Future[None]] = {}
# The last snapshot each store was given, kept in memory: a refresh in the same process (a notebook kernel)
# uses it when the store still holds the same cursor, instead of reading 20 MB back.
_recent: dict[str, tuple[dict[str, str], pa.Table]] = {}
_writers_lock = threading.Lock()
_SYSTEM_POOL = pa.system_memory_pool()


def _write_later(store: FrameCache, table: pa.Table, extra: dict[str, str]) -> None:
    with _writers_lock:
        writer = _writers.setdefault(
            store.where, ThreadPoolExecutor(max_workers=1, thread_name_prefix="apitoolkit-snapshot")
        )
        _pending[store.where] = writer.submit(store.put_table, SNAPSHOT_KEY, table, ttl=SNAPSHOT_TTL, extra=extra)
        _recent[store.where] = (extra, table)


def _wait_for(where: str) -> None:
    with _writers_lock:
        pending = _pending.pop(where, None)
    if pending is not None:
        error = pending.exception()
        if error is not None:
            warnings.warn(f"Hitask items: the last snapshot could not be stored ({error}).", SyncWarning, stacklevel=4)


def flush_snapshots() -> None:
    """Wait until every Hitask snapshot handed to the background writer is stored.

    `load_items` stores its snapshot after returning; call this before copying or inspecting the cache.

    Example:
        >>> flush_snapshots()
    """
    with _writers_lock:
        stores = list(_pending)
    for where in stores:
        _wait_for(where)


def _snapshots(client: HitaskClient) -> FrameCache | None:
    store = frame_store(client.config.cache, "snapshots", f"hitask-{client.namespace}", fmt="arrow")
    return None if store is None else FrameCache(store)


# --------------------------------------------------------------------------------------------- items
@dataclass(frozen=True)
class _Snapshot:
    """A stored snapshot: the items, the cursor, the delta reading seen so far ("" before any), the last full load."""

    table: pa.Table
    cursor: str
    dialect: str
    full_at: float

    def extra(self, namespace: str) -> dict[str, str]:
        return {"cursor": self.cursor, "namespace": namespace, "dialect": self.dialect, "full_at": repr(self.full_at)}


def _items_table(body: bytes) -> pa.Table:
    """Items JSON to the items table, with the other spellings of a field (``ITEM_ALIASES``) in its column."""
    table = pages_to_table([body], ITEMS, records_key=None)
    for name, aliases in ITEM_ALIASES.items():
        for alias in aliases:
            if alias not in table.column_names:
                continue
            at = table.column_names.index(name)
            column = table.column(name)
            try:
                other = table.column(alias).cast(column.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # not a number: left as the extra column it is
                continue
            table = table.set_column(at, name, pc.coalesce(column, other)).drop_columns([alias])
    return table


def _full_load(client: HitaskClient, dialect: str = "") -> _Snapshot:
    # Never HTTP-cached: the snapshot is the cache, and the cursor must belong to the items it came with.
    started = time.time()
    page = client.request("GET", RequestSpec("item"), cache=False)
    cursor = (page.headers.get("X-Cursor") or "").strip()
    return _Snapshot(_items_table(page.content), cursor, dialect, started)


class _Reload(Exception):
    """The delta cannot be merged into the snapshot; everything is loaded again (the message says why)."""

    def __init__(self, reason: str, dialect: str = "") -> None:
        super().__init__(reason)
        self.dialect = dialect


def _reading(previous: str, stubs: int, all_listed: bool) -> str:
    """The delta reading after this delta, or `_Reload` when it contradicts the one recorded."""
    if stubs:
        if previous == CHANGES_ONLY:
            raise _Reload("now answers deltas with unchanged-item stubs, after changes-only deltas", STUBS)
        return STUBS
    if all_listed:  # fits both readings
        return previous
    if previous == STUBS:
        raise _Reload("answered a delta without unchanged-item stubs that leaves items out, after stub deltas", "")
    return CHANGES_ONLY


def _delta(client: HitaskClient, snapshot: _Snapshot) -> _Snapshot:
    page = client.request("GET", RequestSpec(f"item/delta/{snapshot.cursor}"), cache=False)
    records = page.payload
    try:  # ids of every listed item (50k in a large account), which are stubs, and the changed ones in full
        listed = np.array([record["id"] for record in records], dtype=np.int64)
        stub = np.fromiter((record.get("changed", True) is False for record in records), bool, len(records))
        full = [records[at] for at in np.flatnonzero(~stub).tolist()]
    except (TypeError, KeyError, ValueError, AttributeError, OverflowError):
        raise InvalidRequestError(
            "Hitask answered the delta with something other than a list of items.", service="hitask"
        ) from None
    # Changed items come with "changed": true, which is not an item attribute.
    changed = [{k: v for k, v in r.items() if k != "changed"} for r in full]
    new_cursor = (page.headers.get("X-Cursor") or snapshot.cursor).strip()
    ids = snapshot.table.column("id").to_numpy(zero_copy_only=False).astype(np.int64)
    listed_all = bool(np.isin(ids, listed).all())
    dialect = _reading(snapshot.dialect, int(stub.sum()), listed_all)
    same_ids = listed_all and len(listed) == len(ids)
    if not same_ids and stub.any() and not np.isin(listed[stub], ids).all():  # an unchanged item we never had
        raise _Reload("sent a delta whose unchanged-item stubs name items the stored snapshot lacks", STUBS)
    if not changed and (dialect != STUBS or same_ids):
        return _Snapshot(snapshot.table, new_cursor, dialect, snapshot.full_at)
    fresh = _items_table(orjson.dumps(changed))
    new_fields = [name for name in fresh.column_names if name not in snapshot.table.column_names]
    if new_fields:  # merged, the older rows would lack them: unlike a full reload
        raise _Reload(f"items now carry fields the snapshot lacks ({', '.join(new_fields)})", dialect)
    keep = listed if dialect == STUBS else None
    return _Snapshot(_merge(snapshot.table, keep, fresh), new_cursor, dialect, snapshot.full_at)


def _merge(snapshot: pa.Table, listed: np.ndarray | None, fresh: pa.Table) -> pa.Table:
    """The snapshot with fresh rows replacing or joining it and unlisted rows gone, by id, in one Arrow take.

    ``listed`` is every id the delta named (stubs included); None keeps every row (a changes-only delta).
    Done in Arrow rather than pandas: for 50,000 items the take is ~5x faster, and the result is written
    as the next snapshot without a conversion.
    """
    ids = snapshot.column("id").to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(ids)
    fresh_ids = fresh.column("id").to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.argsort(ids, kind="stable")
    at = np.searchsorted(ids[order], fresh_ids)
    exists = (
        (at < n) & (ids[order][np.minimum(at, max(n - 1, 0))] == fresh_ids) if n else np.zeros(len(fresh_ids), bool)
    )
    source = np.arange(n)
    source[order[at[exists]]] = n + np.flatnonzero(exists)  # changed rows are read from the fresh part
    keep = np.ones(n, bool) if listed is None else np.isin(ids, listed)
    all_ids = np.concatenate([ids[keep], fresh_ids[~exists]])
    all_source = np.concatenate([source[keep], n + np.flatnonzero(~exists)])
    conformed = pa.table(
        [
            fresh.column(f.name).cast(f.type) if f.name in fresh.column_names else pa.nulls(len(fresh), f.type)
            for f in snapshot.schema
        ],
        schema=snapshot.schema,
    )
    combined = pa.concat_tables([snapshot, conformed])
    return pc.take(combined, pa.array(all_source[np.argsort(all_ids, kind="stable")]), memory_pool=_SYSTEM_POOL)


def _stored(table: pa.Table, extra: dict[str, str]) -> _Snapshot:
    try:
        full_at = float(extra.get("full_at") or 0.0)
    except ValueError:
        full_at = 0.0
    return _Snapshot(table, str(extra["cursor"]), str(extra.get("dialect") or ""), full_at)


def _read_snapshot(client: HitaskClient, store: FrameCache) -> _Snapshot | None:
    _wait_for(store.where)
    if not store.exists(SNAPSHOT_KEY):
        return None
    meta = store.meta(SNAPSHOT_KEY)
    recent = _recent.get(store.where)
    stored = (meta or {}).get("extra", {})
    if (
        recent is not None
        and stored.get("cursor") == recent[0].get("cursor")
        and stored.get("namespace") == client.namespace
    ):
        return _stored(recent[1], recent[0])
    found = store.get_table(SNAPSHOT_KEY, allow_expired=True)
    extra = found[1].get("extra", {}) if found is not None else {}
    reason = None
    if found is None:
        reason = "the stored snapshot could not be read"
    elif extra.get("namespace") != client.namespace or not extra.get("cursor"):
        reason = "the stored snapshot belongs to another account"
    elif found[0].column_names[: len(ITEMS.columns)] != ITEMS.columns:
        reason = "the stored snapshot has other columns than this version expects"
    if reason is not None:
        warnings.warn(f"Hitask items: {reason}; loading everything again.", SyncWarning, stacklevel=4)
        return None
    assert found is not None
    return _stored(found[0].replace_schema_metadata(None), extra)


def _sync(client: HitaskClient, refresh: bool, full_reload_after: float) -> tuple[pd.DataFrame, str]:
    store = _snapshots(client)
    previous = None if (store is None or refresh) else _read_snapshot(client, store)
    if client.config.offline:
        if previous is None:
            raise OfflineError(
                "Offline mode is on and no Hitask items are stored for this account: load them once online, "
                "or unset APITOOLKIT_OFFLINE."
            )
        return table_to_frame(previous.table), "frame-cache"
    current, source, dialect = None, "network", ""
    if previous is not None:
        dialect = previous.dialect
        overdue = dialect != STUBS and time.time() - previous.full_at >= full_reload_after
        try:
            if not overdue:  # changes-only deltas never show deletions: a full load does, now and then
                current = _delta(client, previous)
                source = "delta"
        except InvalidRequestError as error:
            warnings.warn(
                f"Hitask refused the stored sync cursor ({error.detail or error.code}); loading everything again.",
                SyncWarning,
                stacklevel=3,
            )
        except _Reload as reason:
            dialect = reason.dialect
            warnings.warn(f"Hitask {reason}; loading everything again.", SyncWarning, stacklevel=3)
        except RetriableError as error:  # Hitask is down: the stored items, said to be stale, beat no report
            warnings.warn(
                f"Hitask items: Hitask could not be reached ({error}); using the stored snapshot.",
                StaleDataWarning,
                stacklevel=3,
            )
            return table_to_frame(previous.table), "stale-cache"
    if current is None:
        current = _full_load(client, dialect)
    if store is not None and current.cursor:
        _write_later(store, current.table, current.extra(client.namespace))
    return table_to_frame(current.table), source


def _with_projects(items: pd.DataFrame) -> pd.DataFrame:
    """Add ``project_id`` and ``project_title``: the nearest project among an item's ancestors."""
    ids = items["id"].to_numpy(dtype=np.int64, na_value=-1)
    parents = items["parent"].to_numpy(dtype=np.int64, na_value=0)
    is_project = items["category"].to_numpy(dtype=np.int64, na_value=-1) == 0
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]

    def position(of: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(sorted_ids, of), max(len(ids) - 1, 0))
        found = (of > 0) & (sorted_ids[at] == of) if len(ids) else np.zeros(len(of), bool)
        return np.where(found, order[at], -1)

    parent_at = position(parents)  # each item's parent as a row number, -1 at the top; climbed by gathers
    current = parent_at
    project = np.full(len(ids), -1)
    for _ in range(16):  # deep enough for any real nesting; guards against cycles
        active = (current >= 0) & (project < 0)
        if not active.any():
            break
        hit = active & is_project[np.maximum(current, 0)]
        project[hit] = current[hit]
        current = np.where(active & ~hit, parent_at[np.maximum(current, 0)], -1)
    found = project >= 0
    project_id = pd.arrays.IntegerArray(np.where(found, ids[np.maximum(project, 0)], 0), mask=~found)
    out = items.assign(project_id=project_id)
    out["project_title"] = items["title"].array.take(project, allow_fill=True)
    return out


_CODES = np.full(max(CATEGORIES) + 2, -1)
_CODES[list(CATEGORIES)] = np.arange(len(CATEGORIES))


def _present(frame: pd.DataFrame) -> pd.DataFrame:
    out = _with_projects(frame)
    codes = frame["category"].to_numpy(dtype=np.int64, na_value=-1)
    codes = np.where((codes >= 0) & (codes < len(_CODES) - 1), _CODES[np.clip(codes, 0, len(_CODES) - 1)], -1)
    out["category"] = pd.Categorical.from_codes(codes, dtype=CATEGORY_DTYPE)
    return out


def _categories(category: object) -> list[str]:
    """``category`` as a list of category names: one name, or a list, tuple or set of names."""
    names = CATEGORIES.values()
    given = [category] if isinstance(category, str) else category
    if not isinstance(given, list | tuple | set | frozenset) or not given or not all(isinstance(c, str) for c in given):
        raise InvalidArgumentError(
            f"category={shown(category)} is not a Hitask category: give one of {', '.join(names)} "
            "as text, or a list of them (such as ['task', 'event'])."
        )
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise InvalidArgumentError(f"Unknown Hitask categories {unknown}: use {', '.join(names)}.")
    return list(given)


def load_items(
    client: HitaskClient | None = None,
    *,
    category: str | list[str] | None = None,
    include_completed: bool = True,
    refresh: bool = False,
    progress: bool | None = None,
    full_reload_after: float | timedelta = FULL_RELOAD_AFTER,
) -> pd.DataFrame:
    """Hitask items (projects, tasks, events, notes, files) as a flat frame, synced incrementally.

    The first load fetches every item; later loads fetch only what changed since (one small request) and
    merge it into the stored snapshot (see the module's notes on the two readings of the delta). ``category``
    is a categorical with the documented names; ``project_id``/``project_title`` name the project an item sits
    in; ``tags`` and ``participants`` are lists (see `explode`). The assignee is ``assignee_id``, whether the
    server spells it ``assigneeId`` (the field table) or ``assignee`` (the JSON examples).

    Args:
        client: The Hitask user (default: one from the environment).
        category: Only these categories (``"task"``, ``["task", "event"]``, ...).
        include_completed: Keep completed items.
        refresh: Ignore the snapshot and load everything again.
        progress: Unused (one request either way); accepted like every loader.
        full_reload_after: Seconds (or a timedelta) after which a snapshot kept by changes-only deltas, which
            never show deletions, is loaded in full again; default 24 hours. Unused when the server's deltas
            list every item (stubs for the unchanged), since those show deletions.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Hitask
        ...     env = emu.environ()
        ...     client = HitaskClient(
        ...         env["HITASK_API_KEY"], env["HITASK_LOGIN"], env["HITASK_PASSWORD"], base_url=env["HITASK_BASE_URL"],
        ...         cache=cache,
        ...     )
        ...     tasks = load_items(client, category="task", include_completed=False)
        >>> tasks["category"].unique().tolist(), bool(tasks["completed"].any())
        (['task'], False)
    """
    as_flag(include_completed, "include_completed")
    as_flag(refresh, "refresh")
    as_optional_flag(progress, "progress")
    reload_after = _seconds(full_reload_after)
    wanted = None if category is None else _categories(category)
    c = HitaskClient.resolve(client)
    frame, source = _sync(c, refresh, reload_after)
    items = _present(frame)
    if wanted is not None:
        items = items[items["category"].isin(wanted)]
    if not include_completed:
        items = items[~items["completed"].fillna(False).astype(bool)]
    items = items.reset_index(drop=True)
    return label_frame(items, resource="items", source=source, pages=1)


def _seconds(value: object) -> float:
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise InvalidArgumentError(
            f"full_reload_after={shown(value)} is not a duration: give seconds (86400) or a timedelta, 0 or more."
        )
    return float(seconds)


def explode(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per value of a list column (``tags``, ``participants``); rows with an empty list are dropped.

    Example:
        >>> tags = pd.array([["work", "home"], []], pd.ArrowDtype(pa.list_(pa.string())))
        >>> f = pd.DataFrame({"id": [1, 2], "tags": tags})
        >>> explode(f, "tags")[["id", "tags"]].values.tolist()
        [[1, 'work'], [1, 'home']]
    """
    if column not in frame.columns:
        raise InvalidArgumentError(f"{column!r} is not a column: explode one of the list columns (tags, participants).")
    values = frame[column]
    if isinstance(values.dtype, pd.ArrowDtype) and pa.types.is_list(values.dtype.pyarrow_dtype):
        lengths = values.list.len().fillna(0).astype("int64")
        out = frame.loc[frame.index.repeat(lengths)].reset_index(drop=True)
        flat = values.list.flatten().reset_index(drop=True)
        out[column] = flat.astype("Int64" if pa.types.is_integer(flat.dtype.pyarrow_dtype) else "str").array
    else:
        out = frame.explode(column, ignore_index=True)
        out = out[out[column].notna()].reset_index(drop=True)
    return out


# --------------------------------------------------------------------------------------------- other lists
def _simple(
    client: HitaskClient | None, path: str, schema: Schema, refresh: bool, params: dict[str, str] | None = None
) -> pd.DataFrame:
    as_flag(refresh, "refresh")
    c = HitaskClient.resolve(client)
    return load_listing(
        c,
        resource=schema.name,
        spec=RequestSpec(path, params=params or {}),
        schema=schema,
        paginator=SinglePagePaginator(),
        refresh=refresh,
        progress=False,
    )


def load_item_history(item_id: int, *, client: HitaskClient | None = None, refresh: bool = False) -> pd.DataFrame:
    """One item's history: creation, updates, completion and comments, oldest first (``GET item/history?id=``).

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Hitask
        ...     env = emu.environ()
        ...     client = HitaskClient(
        ...         env["HITASK_API_KEY"], env["HITASK_LOGIN"], env["HITASK_PASSWORD"], base_url=env["HITASK_BASE_URL"],
        ...         cache=cache,
        ...     )
        ...     item_id = int(load_items(client)["id"].iloc[0])
        ...     history = load_item_history(item_id, client=client)
        >>> history.columns.tolist()
        ['id', 'item_id', 'user_id', 'time', 'type', 'message']
    """
    frame = _simple(client, "item/history", HISTORY, refresh, {"id": str(as_id(item_id, "item_id"))})
    attrs = dict(frame.attrs)
    frame = frame.sort_values(["time", "id"], kind="stable").reset_index(drop=True)
    frame.attrs = attrs
    return frame


def load_tags(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The user's tags (``id``, ``name``, ``shared``)."""
    return _simple(client, "tag", TAGS, refresh)


def load_team_members(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The members of the user's team account (``GET team``, as the public API documentation names it).

    Raises:
        ResponseFormatError: The server answered ``GET team`` with the team account's information (the seed
            documents such an answer, ``domainName``, ``licensesNumber``, ...) rather than its members.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Hitask
        ...     env = emu.environ()
        ...     client = HitaskClient(
        ...         env["HITASK_API_KEY"], env["HITASK_LOGIN"], env["HITASK_PASSWORD"], base_url=env["HITASK_BASE_URL"],
        ...         cache=cache,
        ...     )
        ...     team = load_team_members(client)
        >>> team.columns.tolist()
        ['id', 'login', 'first_name', 'last_name', 'email', 'business_level', 'is_online']
    """
    frame = _simple(client, "team", TEAM_MEMBERS, refresh)
    if {"domain_name", "licenses_number"} & set(frame.columns):
        raise ResponseFormatError(
            "Hitask answered GET team with the team account's information, not the list of its members (the "
            "documents disagree on what GET team returns): report this, with the server's address, to the "
            "apitoolkit maintainers."
        )
    return frame


def load_contacts(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The user's contacts."""
    return _simple(client, "contact", CONTACTS, refresh)
