"""One listing to one frame: the frame cache first, else every page (cached or fetched), flattened and stored.

Every loader of every service goes through `load_listing`. The result's ``attrs["apitoolkit"]`` says where
it came from: ``"frame-cache"`` (no HTTP at all), ``"http-cache"`` (every page from the HTTP cache) or
``"network"`` (at least one page fetched); `load_source` reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from apitoolkit.cache import query_key
from apitoolkit.frames import Schema, drop_duplicate_records, pages_to_frame
from apitoolkit.http.client import BaseClient, PageSet
from apitoolkit.http.paginators import Paginator, RequestSpec

__all__ = ["label_frame", "load_listing", "load_source"]


def label_frame(frame: pd.DataFrame, *, resource: str, source: str, pages: int = 0, **extra: Any) -> pd.DataFrame:
    """Record where a frame came from in ``frame.attrs["apitoolkit"]``."""
    frame.attrs["apitoolkit"] = {
        "resource": resource,
        "source": source,
        "pages": pages,
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }
    return frame


def load_source(frame: pd.DataFrame) -> str | None:
    """Where a loaded frame came from: ``"frame-cache"``, ``"http-cache"``, ``"network"``, or None.

    Example:
        >>> import apitoolkit
        >>> users = apitoolkit.load_users()  # doctest: +SKIP
        >>> apitoolkit.load_source(users)  # doctest: +SKIP
        'network'
    """
    info = frame.attrs.get("apitoolkit")
    return info.get("source") if isinstance(info, dict) else None


def source_of(pages: PageSet) -> str:
    """``"http-cache"`` when every page came from the HTTP cache, else ``"network"``."""
    return "http-cache" if pages.from_cache else "network"


def load_listing(
    client: BaseClient,
    *,
    resource: str,
    spec: RequestSpec,
    schema: Schema,
    paginator: Paginator,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Load every record of a listing as a typed frame, using and filling the account's caches.

    Args:
        client: The service client (cache, limiter, retries).
        resource: Resource name, for expiry and cache keys.
        spec: The first request (path and filters).
        schema: The columns.
        paginator: How the listing pages.
        refresh: Ignore both caches and replace what they hold.
        progress: Show a progress bar (None: when interactive and long).

    Example:
        >>> frame = load_listing(client, resource="users", spec=RequestSpec("users"),
        ...                      schema=USERS, paginator=JsonApiPaginator())  # doctest: +SKIP
    """
    key = query_key(
        resource, {"path": spec.path, "params": spec.params, "paging": repr(vars(paginator).get("page_size"))}
    )
    frames = client.frame_cache
    ttl = client.expire_after(resource)
    if frames is not None and not refresh:
        hit = frames.get(key, allow_expired=client.config.offline)
        if hit is not None:
            return label_frame(hit.frame, resource=resource, source="frame-cache", pages=hit.meta.get("pages", 0))
    pages = client.paginate(spec, paginator, refresh=refresh, expire_after=ttl, progress=progress, desc=resource)
    frame = pages_to_frame([p.content for p in pages], schema, records_key=client.records_key)
    frame = drop_duplicate_records(frame, schema)
    if frames is not None:
        frames.put(key, frame, ttl=ttl, extra={"pages": len(pages)})
    return label_frame(frame, resource=resource, source=source_of(pages), pages=len(pages))
