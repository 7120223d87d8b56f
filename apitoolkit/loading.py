"""Listings to frames: the frame cache first, else every page (cached or fetched), flattened and stored.

Every loader of every service goes through here. `load_listing` loads one paginated listing;
`cached_frame` is the same cache discipline around any way of fetching; `load_windows` splits a range into
windows (each cached on its own, so a later query reuses the windows it shares) and stitches them.
`paginate_listing` (under `load_listing` and the IT Glue logs walk) pages a listing again from page 1 when
records came or went while it was paged.

Fetches are single-flight: threads and processes (or machines, on Redis) loading the same query with a cold
cache take the query's lock (`fetch_lock`); one fetches and stores the frame, the others wait for
it (at most ``lock_timeout`` seconds) and read what it stored.

A result's ``attrs["apitoolkit"]`` says where it came from: ``"frame-cache"`` (no HTTP at all),
``"http-cache"`` (every page from the HTTP cache), ``"network"`` (at least one page fetched), for Hitask
items ``"delta"`` (only the changes fetched and merged), or ``"stale-cache"`` (the API could not be reached
after retries, so the expired cached copy was returned with a StaleDataWarning); `load_source` reads it.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from types import EllipsisType
from typing import Any, TypeVar

import pandas as pd

from apitoolkit.cache import CachedFrame, CacheWarning, FrameCache, query_key
from apitoolkit.exceptions import (
    CacheError,
    InvalidResponseError,
    ListingChangedError,
    ResponseFormatError,
    RetriableError,
    StaleDataWarning,
)
from apitoolkit.frames import FrameBuilder, Schema, drop_duplicate_records, empty_frame
from apitoolkit.http.client import BaseClient, PageSet
from apitoolkit.http.paginators import Page, Paginator, RequestSpec
from apitoolkit.http.progress import progress_bar, wants_progress
from apitoolkit.stores import frame_store
from apitoolkit.stores.locks import single_flight

__all__ = [
    "cached_frame",
    "fetch_lock",
    "frame_cache",
    "label_frame",
    "load_listing",
    "load_source",
    "load_windows",
    "paginate_listing",
]

W = TypeVar("W")
#: Tries at paging a listing whose records were added or deleted while it was paged.
LISTING_ATTEMPTS = 3
_SOURCES = ("frame-cache", "http-cache", "network", "stale-cache")  # a combined frame says the worst


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
    """Where a loaded frame came from: ``"frame-cache"``, ``"http-cache"``, ``"network"``, ``"delta"``,
    ``"stale-cache"`` (the API could not be reached; an expired cached copy, with a StaleDataWarning), or None.

    Example:
        >>> import tempfile
        >>> import apitoolkit
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = apitoolkit.ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     users = apitoolkit.load_users(client)
        >>> apitoolkit.load_source(users)
        'network'
    """
    info = frame.attrs.get("apitoolkit")
    return info.get("source") if isinstance(info, dict) else None


def _pages(frame: pd.DataFrame) -> int:
    info = frame.attrs.get("apitoolkit")
    return int(info.get("pages", 0)) if isinstance(info, dict) else 0


def source_of(pages: PageSet) -> str:
    """``"http-cache"`` when every page came from the HTTP cache, else ``"network"``."""
    return "http-cache" if pages.from_cache else "network"


def frame_cache(client: BaseClient) -> FrameCache | None:
    """A client's account's flattened frames (in the cache directory or on Redis), or None when caching is off.

    Example:
        >>> import tempfile
        >>> from apitoolkit.itglue import ITGlueClient
        >>> with tempfile.TemporaryDirectory() as cache:
        ...     client = ITGlueClient("ITG.0123", cache=cache)
        ...     frame_cache(client).get(query_key("users", {"path": "users"})) is None  # nothing stored yet
        True
    """
    config = client.config
    store = frame_store(config.cache, "frames", f"{config.service.name}-{client.namespace}", fmt="parquet")
    return None if store is None else FrameCache(store)


def fetch_lock(client: BaseClient, key: str) -> AbstractContextManager[bool]:
    """A client's account's single-flight lock of one query (`apitoolkit.stores.locks`); yields whether it is held.

    Example:
        >>> import tempfile
        >>> from apitoolkit.itglue import ITGlueClient
        >>> with tempfile.TemporaryDirectory() as cache:
        ...     client = ITGlueClient("ITG.0123", cache=cache)
        ...     with fetch_lock(client, "users-0123abcd") as held:
        ...         held  # then: frame_cache(client).get("users-0123abcd"), else fetch
        True
    """
    config = client.config
    return single_flight(config.cache, f"{config.service.name}-{client.namespace}", key, wait=config.lock_timeout)


def cached_frame(
    client: BaseClient,
    *,
    resource: str,
    query: dict[str, Any],
    fetch: Callable[[], tuple[pd.DataFrame, str, int]],
    refresh: bool = False,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """The frame for ``query`` from the frame cache, or ``fetch()`` it and store it, one fetch at a time.

    The fetch runs under the query's single-flight lock: a load that had to wait for another one fetching
    the same query uses the frame that one stored (with ``refresh``, a frame stored after this call began).
    A stored frame that cannot be read, or does not fit ``schema``, is never used: a `CacheWarning` says so,
    and the frame is fetched again and replaces it. Offline, a frame that cannot be stored (a read-only cache)
    is returned all the same, with a `CacheWarning`.

    Args:
        client: Whose cache and expiry apply.
        resource: Resource name, for expiry and the file name.
        query: Everything that identifies the result (path, filters, window, page size).
        fetch: Returns ``(frame, source, pages)``; called on a miss.
        refresh: Skip the frame cache and replace what it holds.
        schema: The columns ``fetch`` returns first, in order; a stored frame without them (or with another
            dtype for one) is not used.

    Raises:
        CacheError: Online, the frame could not be stored (the message names the file and what to do).
    """
    frames = frame_cache(client)
    key = query_key(resource, query)
    began = time.time()
    if frames is not None and not refresh:
        hit = frames.get(key, allow_expired=client.config.offline, schema=schema)
        if hit is not None:
            return _from_cache(hit, resource)
    with fetch_lock(client, key):
        if frames is not None:
            hit = frames.get(key, allow_expired=client.config.offline, schema=schema)
            if hit is not None and (not refresh or hit.stored_at >= began):  # stored while this load waited
                return _from_cache(hit, resource)
        try:
            frame, source, pages = fetch()
        except RetriableError as error:
            # The service is down or overloaded past our retries: an expired copy, said to be one, beats no report.
            stale = None if (frames is None or refresh) else frames.get(key, allow_expired=True, schema=schema)
            if stale is None:
                raise
            stored = _stored_at(stale)
            warnings.warn(
                f"{resource}: {error.service} could not be reached ({error}); "
                f"using the cached copy stored at {stored}.",
                StaleDataWarning,
                stacklevel=3,
            )
            return label_frame(
                stale.frame, resource=resource, source="stale-cache", pages=stale.meta.get("pages", 0), stored_at=stored
            )
        if frames is not None:
            try:
                frames.put(key, frame, ttl=client.expire_after(resource), extra={"pages": pages})
            except CacheError as error:
                if not client.config.offline:
                    raise
                warnings.warn(f"{resource}: {error} The frame is returned uncached.", CacheWarning, stacklevel=3)
        return label_frame(frame, resource=resource, source=source, pages=pages)


def _stored_at(hit: CachedFrame) -> str:
    """When a cached frame was stored, as ISO text to the minute (UTC): what reports show as its freshness."""
    return datetime.fromtimestamp(hit.stored_at, UTC).isoformat(timespec="minutes")


def _from_cache(hit: CachedFrame, resource: str) -> pd.DataFrame:
    return label_frame(
        hit.frame, resource=resource, source="frame-cache", pages=hit.meta.get("pages", 0), stored_at=_stored_at(hit)
    )


def paginate_listing(
    client: BaseClient,
    spec: RequestSpec,
    paginator: Paginator,
    *,
    refresh: bool,
    expire_after: float,
    progress: bool | None = False,
    desc: str = "",
    start: Callable[[], Callable[[int, Page], Any]] | None = None,
    finish: Callable[[PageSet], Any] | None = None,
) -> PageSet:
    """Every page of one listing as it stood at one moment (`BaseClient.paginate` with a copy of ``paginator``).

    When records were added or deleted while it was paged, or its pages did not add up (`ListingChangedError`),
    the listing is paged again from page 1, past the HTTP cache, up to ``LISTING_ATTEMPTS`` times in all.
    ``start()``, when given, returns the ``on_page`` callback of each attempt, so pages of an abandoned attempt
    are never mixed in; ``finish(pages)``, when given, runs after each attempt's last page (building the frame
    and checking its rows, say) and may raise `ListingChangedError` too. The HTTP cache receives the pages only
    when an attempt and its ``finish`` succeeded: a failed listing leaves the cache as it was.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.http.paginators import JsonApiPaginator, RequestSpec
        >>> from apitoolkit.itglue import ITGlueClient
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     pages = paginate_listing(client, RequestSpec("users"), JsonApiPaginator(),
        ...                              refresh=False, expire_after=3600.0)
        >>> len(pages)
        1
    """
    attempt = 1
    with client.staged():
        while True:
            try:
                pages = client.paginate(
                    spec,
                    copy.deepcopy(paginator),
                    refresh=refresh or attempt > 1,
                    expire_after=expire_after,
                    progress=progress,
                    desc=desc,
                    on_page=None if start is None else start(),
                )
                if finish is not None:
                    client.prepare_commit()  # the cache's commit overlaps with building the frame
                    finish(pages)
                return pages
            except ListingChangedError as error:
                if attempt >= LISTING_ATTEMPTS:
                    error.args = (f"{error.args[0]} It changed on each of {attempt} tries: load it again later.",)
                    raise
                attempt += 1


def load_listing(
    client: BaseClient,
    *,
    resource: str,
    spec: RequestSpec,
    schema: Schema,
    paginator: Paginator,
    refresh: bool = False,
    progress: bool | None = None,
    records_key: str | EllipsisType | None = ...,
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
        records_key: Where the records sit in each page, when not where the client's pages keep them.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.http.paginators import JsonApiPaginator, RequestSpec
        >>> from apitoolkit.itglue import ITGlueClient
        >>> from apitoolkit.itglue.schema import USERS
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     frame = load_listing(client, resource="users", spec=RequestSpec("users"),
        ...                          schema=USERS, paginator=JsonApiPaginator())
        >>> frame.columns[:3].tolist(), load_source(frame)
        (['id', 'first_name', 'last_name'], 'network')
    """

    def fetch() -> tuple[pd.DataFrame, str, int]:
        key = client.records_key if isinstance(records_key, EllipsisType) else records_key
        builders: list[FrameBuilder] = []

        def start() -> Callable[[int, Page], Any]:
            builders.append(FrameBuilder(schema, records_key=key))
            return lambda index, page: builders[-1].add(index, page.content)

        frames: list[pd.DataFrame] = []

        def finish(pages: PageSet) -> None:
            try:
                frame = builders[-1].frame()
            except ResponseFormatError as error:  # a page the fast parse passed, its records read here
                raise InvalidResponseError(
                    f"{pages.what}: {error}. The API sent a malformed page; nothing was cached: try again later.",
                    service=client.config.service.name,
                    status=200,
                    hint="Try again later; if it persists, the API's answers have changed shape.",
                ) from None
            deduped = drop_duplicate_records(frame, schema)
            pages.check_rows(len(frame), unique=len(deduped))
            frames.append(deduped)

        pages = paginate_listing(
            client,
            spec,
            paginator,
            refresh=refresh,
            expire_after=client.expire_after(resource),
            progress=progress,
            desc=resource,
            start=start,
            finish=finish,
        )
        return frames[-1], source_of(pages), len(pages)

    query: dict[str, Any] = {
        "path": spec.path,
        "params": spec.params,
        "paging": type(paginator).__name__,
        "page_size": getattr(paginator, "page_size", None),
    }
    return cached_frame(client, resource=resource, query=query, fetch=fetch, refresh=refresh, schema=schema)


def load_windows(
    client: BaseClient,
    *,
    resource: str,
    schema: Schema,
    windows: Sequence[W],
    load_one: Callable[[W], pd.DataFrame],
    progress: bool | None = None,
    shared_bounds: str | None = None,
) -> pd.DataFrame:
    """Load each window (concurrently, bounded by the client) and stitch the frames in window order.

    The combined source is the least cached of the windows' sources. Windows that share their bounds (a day
    ending where the next begins) can both hold a record stamped on the bound: with ``shared_bounds`` (the
    key column), a record the next window holds too is dropped from the earlier one before stitching, which
    copies a window rather than the whole result.
    """
    if not windows:
        return label_frame(empty_frame(schema), resource=resource, source="frame-cache")
    show = wants_progress(progress, len(windows))
    with progress_bar(total=len(windows), desc=resource, enabled=show) as bar:

        def run(window: W) -> pd.DataFrame:
            frame = load_one(window)
            bar.update(1)
            return frame

        with ThreadPoolExecutor(max_workers=client.config.max_workers, thread_name_prefix="apitoolkit-window") as pool:
            parts = list(pool.map(run, windows))
    sources = [load_source(p) or "network" for p in parts]
    source = max(sources, key=_SOURCES.index)
    if shared_bounds is not None:
        parts = _drop_shared(parts, shared_bounds)
    non_empty = [p for p in parts if not p.empty]
    frame = pd.concat(non_empty, ignore_index=True) if non_empty else empty_frame(schema)
    frame.attrs = {}
    return label_frame(frame, resource=resource, source=source, pages=sum(_pages(p) for p in parts))


def _drop_shared(parts: list[pd.DataFrame], key: str) -> list[pd.DataFrame]:
    """``parts`` with each record that the next part holds too (by ``key``) dropped from the earlier part."""
    out = list(parts)
    for index in range(len(out) - 1):
        earlier, later = out[index], out[index + 1]
        if earlier.empty or later.empty:
            continue
        again = earlier[key].isin(later[key]).to_numpy(dtype=bool, na_value=False)
        if again.any():
            attrs = dict(earlier.attrs)
            out[index] = earlier.loc[~again].reset_index(drop=True)
            out[index].attrs = attrs
    return out
