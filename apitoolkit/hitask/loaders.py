"""Hitask loaders: items with incremental sync through ``X-Cursor`` deltas, item history, tags, team, contacts.

Incremental sync (our reading of the reference, written down): ``GET item`` returns every item and an
``X-Cursor`` (the latest change, in ms). ``GET item/delta/{cursor}`` returns every current item again, the
changed ones in full and the others as ``{"id": …, "changed": false}`` stubs, with a new ``X-Cursor``; an
item that is no longer listed was deleted. `load_items` keeps a snapshot of the items (Arrow IPC, in the
cache directory or on Redis) and the cursor per account; the next load asks only for the delta and merges
it: changed rows replaced, new rows added, stubs left alone, unlisted rows dropped. The snapshot and cursor
are replaced together, atomically, only after the merge succeeded. A delta the API refuses (a cursor from the
future), a snapshot written for another account, or an unreadable snapshot leads to a full reload, with a
warning.
"""

from __future__ import annotations

import threading
import warnings
from concurrent.futures import Future, ThreadPoolExecutor

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
    RetriableError,
    StaleDataWarning,
)
from apitoolkit.frames import Schema, pages_to_table, table_to_frame
from apitoolkit.hitask.client import HitaskClient
from apitoolkit.hitask.schema import CATEGORIES, CONTACTS, HISTORY, ITEMS, TAGS, TEAM_MEMBERS
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


class SyncWarning(UserWarning):
    """Incremental sync fell back to a full reload; the message says why."""


def _client(client: HitaskClient | None) -> HitaskClient:
    if client is None:
        return HitaskClient()
    if not isinstance(client, HitaskClient):
        raise InvalidArgumentError(f"client must be a HitaskClient, not {type(client).__name__}.")
    return client


# Snapshots are written after `load_items` has returned, in order, by one thread per store: the write is
# off the refresh's critical path (for 50k items it took 0.01-0.07 s, as much as the rest of a refresh).
# A process killed before the write keeps the previous snapshot and cursor, from which the next delta is
# still correct. The threads are joined when the interpreter exits, so a finished script has written.
# Stores are known by `FrameCache.where` (a directory, or a Redis URL and key pattern).
_writers: dict[str, ThreadPoolExecutor] = {}
_pending: dict[str, Future[None]] = {}
# The last snapshot each store was given, kept in memory: a refresh in the same process (a notebook kernel)
# uses it when the store still holds the same cursor, instead of reading 20 MB back.
_recent: dict[str, tuple[str, pa.Table]] = {}
_writers_lock = threading.Lock()
_SYSTEM_POOL = pa.system_memory_pool()


def _write_later(store: FrameCache, table: pa.Table, extra: dict[str, str]) -> None:
    with _writers_lock:
        writer = _writers.setdefault(
            store.where, ThreadPoolExecutor(max_workers=1, thread_name_prefix="apitoolkit-snapshot")
        )
        _pending[store.where] = writer.submit(store.put_table, SNAPSHOT_KEY, table, ttl=SNAPSHOT_TTL, extra=extra)
        _recent[store.where] = (extra["cursor"], table)


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
def _full_load(client: HitaskClient) -> tuple[pa.Table, str | None]:
    # Never HTTP-cached: the snapshot is the cache, and the cursor must belong to the items it came with.
    page = client.request("GET", RequestSpec("item"), cache=False)
    cursor = (page.headers.get("X-Cursor") or "").strip() or None
    return pages_to_table([page.content], ITEMS, records_key=None), cursor


class _Reload(Exception):
    """The delta cannot be merged into the snapshot; everything is loaded again (the message says why)."""


def _delta(client: HitaskClient, snapshot: pa.Table, cursor: str) -> tuple[pa.Table, str]:
    page = client.request("GET", RequestSpec(f"item/delta/{cursor}"), cache=False)
    records = page.payload
    try:  # ids of every listed item (50k in a large account), and the changed ones in full
        listed = np.array([record["id"] for record in records], dtype=np.int64)
        full = [record for record in records if record.get("changed", True) is not False]  # stubs say false
    except (TypeError, KeyError, ValueError, AttributeError, OverflowError):
        raise InvalidRequestError(
            "Hitask answered the delta with something other than a list of items.", service="hitask"
        ) from None
    # Changed items come with "changed": true, which is not an item attribute.
    changed = [{k: v for k, v in r.items() if k != "changed"} for r in full]
    new_cursor = (page.headers.get("X-Cursor") or cursor).strip()
    ids = snapshot.column("id").to_numpy(zero_copy_only=False)
    if not changed and len(listed) == len(ids) and np.isin(ids, listed).all():
        return snapshot, new_cursor
    fresh = pages_to_table([orjson.dumps(changed)], ITEMS, records_key=None)
    new_fields = [name for name in fresh.column_names if name not in snapshot.column_names]
    if new_fields:  # merged, the older rows would lack them: unlike a full reload
        raise _Reload(f"items now carry fields the snapshot lacks ({', '.join(new_fields)})")
    return _merge(snapshot, listed, fresh), new_cursor


def _merge(snapshot: pa.Table, listed: np.ndarray, fresh: pa.Table) -> pa.Table:
    """The snapshot with fresh rows replacing or joining it and unlisted rows gone, by id, in one Arrow take.

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
    keep = np.isin(ids, listed)
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


def _read_snapshot(client: HitaskClient, store: FrameCache) -> tuple[pa.Table, str] | None:
    _wait_for(store.where)
    if not store.exists(SNAPSHOT_KEY):
        return None
    meta = store.meta(SNAPSHOT_KEY)
    recent = _recent.get(store.where)
    stored = (meta or {}).get("extra", {})
    if recent is not None and stored.get("cursor") == recent[0] and stored.get("namespace") == client.namespace:
        return recent[1], recent[0]
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
    return found[0].replace_schema_metadata(None), str(extra["cursor"])


def _sync(client: HitaskClient, refresh: bool) -> tuple[pd.DataFrame, str]:
    store = _snapshots(client)
    previous = None if (store is None or refresh) else _read_snapshot(client, store)
    if client.config.offline:
        if previous is None:
            raise OfflineError(
                "Offline mode is on and no Hitask items are stored for this account: load them once online, "
                "or unset APITOOLKIT_OFFLINE."
            )
        return table_to_frame(previous[0]), "frame-cache"
    table, cursor, source = None, None, "network"
    if previous is not None:
        try:
            table, cursor = _delta(client, *previous)
            source = "delta"
        except InvalidRequestError as error:
            warnings.warn(
                f"Hitask refused the stored sync cursor ({error.detail or error.code}); loading everything again.",
                SyncWarning,
                stacklevel=3,
            )
        except _Reload as reason:
            warnings.warn(f"Hitask {reason}; loading everything again.", SyncWarning, stacklevel=3)
        except RetriableError as error:  # Hitask is down: the stored items, said to be stale, beat no report
            warnings.warn(
                f"Hitask items: Hitask could not be reached ({error}); using the stored snapshot.",
                StaleDataWarning,
                stacklevel=3,
            )
            return table_to_frame(previous[0]), "stale-cache"
    if table is None:
        table, cursor = _full_load(client)
    if store is not None and cursor:
        _write_later(store, table, {"cursor": cursor, "namespace": client.namespace})
    return table_to_frame(table), source


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
) -> pd.DataFrame:
    """Hitask items (projects, tasks, events, notes, files) as a flat frame, synced incrementally.

    The first load fetches every item; later loads fetch only what changed since (one small request) and
    merge it into the stored snapshot. ``category`` is a categorical with the documented names;
    ``project_id``/``project_title`` name the project an item sits in; ``tags`` and ``participants`` are
    lists (see `explode`).

    Args:
        client: The Hitask user (default: one from the environment).
        category: Only these categories (``"task"``, ``["task", "event"]``, ...).
        include_completed: Keep completed items.
        refresh: Ignore the snapshot and load everything again.
        progress: Unused (one request either way); accepted like every loader.

    Example:
        >>> tasks = load_items(category="task", include_completed=False)  # doctest: +SKIP
        >>> tasks.groupby("project_title").size()  # doctest: +SKIP
    """
    as_flag(include_completed, "include_completed")
    as_flag(refresh, "refresh")
    as_optional_flag(progress, "progress")
    wanted = None if category is None else _categories(category)
    c = _client(client)
    frame, source = _sync(c, refresh)
    items = _present(frame)
    if wanted is not None:
        items = items[items["category"].isin(wanted)]
    if not include_completed:
        items = items[~items["completed"].fillna(False).astype(bool)]
    items = items.reset_index(drop=True)
    return label_frame(items, resource="items", source=source, pages=1)


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
def _simple(client: HitaskClient | None, path: str, schema: Schema, refresh: bool) -> pd.DataFrame:
    as_flag(refresh, "refresh")
    c = _client(client)
    return load_listing(
        c,
        resource=schema.name,
        spec=RequestSpec(path),
        schema=schema,
        paginator=SinglePagePaginator(),
        refresh=refresh,
        progress=False,
    )


def load_item_history(item_id: int, *, client: HitaskClient | None = None, refresh: bool = False) -> pd.DataFrame:
    """One item's history: creation, updates, completion and comments, oldest first.

    Example:
        >>> load_item_history(3361634)  # doctest: +SKIP
    """
    frame = _simple(client, f"item/{as_id(item_id, 'item_id')}/history", HISTORY, refresh)
    attrs = dict(frame.attrs)
    frame = frame.sort_values(["time", "id"], kind="stable").reset_index(drop=True)
    frame.attrs = attrs
    return frame


def load_tags(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The user's tags (``id``, ``name``, ``shared``)."""
    return _simple(client, "tag", TAGS, refresh)


def load_team_members(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The members of the user's team account."""
    return _simple(client, "team/members", TEAM_MEMBERS, refresh)


def load_contacts(client: HitaskClient | None = None, *, refresh: bool = False) -> pd.DataFrame:
    """The user's contacts."""
    return _simple(client, "contact", CONTACTS, refresh)
