"""Hitask loaders: items with incremental sync through ``X-Cursor`` deltas, item history, tags, team, contacts.

Incremental sync (our reading of the reference, written down): ``GET item`` returns every item and an
``X-Cursor`` (the latest change, in ms). ``GET item/delta/{cursor}`` returns every current item again, the
changed ones in full and the others as ``{"id": …, "changed": false}`` stubs, with a new ``X-Cursor``; an
item that is no longer listed was deleted. `load_items` keeps a snapshot of the items (parquet) and the
cursor per account; the next load asks only for the delta and merges it: changed rows replaced, new rows
added, stubs left alone, unlisted rows dropped. The snapshot and cursor are replaced together, atomically,
only after the merge succeeded. A delta the API refuses (a cursor from the future), a snapshot written for
another account, or an unreadable snapshot leads to a full reload, with a warning.
"""

from __future__ import annotations

import warnings

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa

from apitoolkit.cache import FrameCache
from apitoolkit.exceptions import InvalidArgumentError, InvalidRequestError, OfflineError
from apitoolkit.frames import Schema, pages_to_frame
from apitoolkit.hitask.client import HitaskClient
from apitoolkit.hitask.schema import CATEGORIES, CONTACTS, HISTORY, ITEMS, TAGS, TEAM_MEMBERS
from apitoolkit.http.paginators import RequestSpec, SinglePagePaginator
from apitoolkit.loading import label_frame, load_listing

__all__ = [
    "SyncWarning",
    "explode",
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


def _snapshots(client: HitaskClient) -> FrameCache | None:
    root = client.config.cache.path
    return None if root is None else FrameCache(root / "snapshots" / f"hitask-{client.namespace}", fmt="arrow")


# --------------------------------------------------------------------------------------------- items
def _full_load(client: HitaskClient) -> tuple[pd.DataFrame, str | None]:
    # Never HTTP-cached: the snapshot is the cache, and the cursor must belong to the items it came with.
    page = client.request("GET", RequestSpec("item"), cache=False)
    cursor = (page.headers.get("X-Cursor") or "").strip() or None
    return pages_to_frame([page.content], ITEMS, records_key=None), cursor


def _delta(client: HitaskClient, snapshot: pd.DataFrame, cursor: str) -> tuple[pd.DataFrame, str]:
    page = client.request("GET", RequestSpec(f"item/delta/{cursor}"), cache=False)
    records = page.payload
    if not isinstance(records, list) or not all(isinstance(r, dict) and "id" in r for r in records):
        raise InvalidRequestError(
            "Hitask answered the delta with something other than a list of items.", service="hitask"
        )
    listed = np.fromiter((r["id"] for r in records), dtype=np.int64, count=len(records))
    # Stubs say "changed": false; changed items come in full, with "changed": true, which is not an attribute.
    changed = [{k: v for k, v in r.items() if k != "changed"} for r in records if r.get("changed", True) is not False]
    new_cursor = (page.headers.get("X-Cursor") or cursor).strip()
    ids = snapshot["id"].to_numpy(dtype=np.int64, na_value=-1)
    if not changed and len(listed) == len(ids) and np.isin(ids, listed).all():
        return snapshot, new_cursor
    fresh = pages_to_frame([orjson.dumps(changed)], ITEMS, records_key=None)
    return _merge(snapshot, ids, listed, fresh), new_cursor


def _merge(snapshot: pd.DataFrame, ids: np.ndarray, listed: np.ndarray, fresh: pd.DataFrame) -> pd.DataFrame:
    """The snapshot with fresh rows replacing or joining it and unlisted rows gone, by id, in one take."""
    n = len(snapshot)
    fresh_ids = fresh["id"].to_numpy(dtype=np.int64, na_value=-1)
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
    combined = pd.concat([snapshot, fresh], ignore_index=True)
    return combined.take(all_source[np.argsort(all_ids, kind="stable")]).reset_index(drop=True)


def _read_snapshot(client: HitaskClient, store: FrameCache) -> tuple[pd.DataFrame, str] | None:
    if not store.exists(SNAPSHOT_KEY):
        return None
    cached = store.get(SNAPSHOT_KEY, allow_expired=True)
    reason = None
    if cached is None:
        reason = "the stored snapshot could not be read"
    elif cached.meta.get("namespace") != client.namespace or not cached.meta.get("cursor"):
        reason = "the stored snapshot belongs to another account"
    elif list(cached.frame.columns[: len(ITEMS.columns)]) != ITEMS.columns:
        reason = "the stored snapshot has other columns than this version expects"
    if reason is not None:
        warnings.warn(f"Hitask items: {reason}; loading everything again.", SyncWarning, stacklevel=4)
        return None
    assert cached is not None
    return cached.frame, str(cached.meta["cursor"])


def _sync(client: HitaskClient, refresh: bool) -> tuple[pd.DataFrame, str]:
    store = _snapshots(client)
    previous = None if (store is None or refresh) else _read_snapshot(client, store)
    if client.config.offline:
        if previous is None:
            raise OfflineError(
                "Offline mode is on and no Hitask items are stored for this account: load them once online, "
                "or unset APITOOLKIT_OFFLINE."
            )
        return previous[0], "frame-cache"
    frame, cursor, source = None, None, "network"
    if previous is not None:
        try:
            frame, cursor = _delta(client, *previous)
            source = "delta"
        except InvalidRequestError as error:
            warnings.warn(
                f"Hitask refused the stored sync cursor ({error.detail or error.code}); loading everything again.",
                SyncWarning,
                stacklevel=3,
            )
    if frame is None:
        frame, cursor = _full_load(client)
    if store is not None and cursor:
        store.put(SNAPSHOT_KEY, frame, ttl=SNAPSHOT_TTL, extra={"cursor": cursor, "namespace": client.namespace})
    return frame, source


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

    current = position(parents)
    project = np.full(len(ids), -1)
    for _ in range(16):  # deep enough for any real nesting; guards against cycles
        active = (current >= 0) & (project < 0)
        if not active.any():
            break
        hit = active & is_project[np.maximum(current, 0)]
        project[hit] = current[hit]
        climbing = active & ~hit
        current = np.where(climbing, position(parents[np.maximum(current, 0)]), -1)
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
    c = _client(client)
    wanted: list[str] | None = None
    if category is not None:
        wanted = [category] if isinstance(category, str) else list(category)
        unknown = sorted(set(wanted) - set(CATEGORIES.values()))
        if unknown:
            raise InvalidArgumentError(f"Unknown Hitask categories {unknown}: use {', '.join(CATEGORIES.values())}.")
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
    if isinstance(item_id, bool) or not str(item_id).isdigit():
        raise InvalidArgumentError(f"item_id={item_id!r} must be an item's numeric id.")
    frame = _simple(client, f"item/{int(item_id)}/history", HISTORY, refresh)
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
