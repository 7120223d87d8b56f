"""IT Glue loaders: users, user metrics, logs, expirations, organizations and any other list endpoint.

Choices where the reference is silent, written down:

- **User metrics** are fetched in windows of at most 7 days (the reference says longer ranges "may be
  disallowed"), aligned to ISO weeks (Monday to Sunday) so that later queries reuse the weeks they share
  from the cache; windows run concurrently and are stitched without gaps or duplicates.
- **Logs** keep 30 days. The endpoint serves at most 5 pages per query, so each UTC day is walked as the
  reference prescribes: ``sort=created_at`` with ``filter[created_at]=<from>,<to>``; when the 5 pages do not
  reach the end, the next query starts at the last timestamp of page 5 (inclusive, because more rows may
  share it) and rows seen twice are dropped by id. Days are walked concurrently.
- **Expirations**: ``days_until`` counts calendar days (UTC) from ``now``'s date to the expiration date:
  0 means today, negative means already lapsed.
- **Filters** (IT Glue's knowledge base): the API splits values on commas, so each text value is sent with
  ``\\,`` for a literal comma (and ``\\\\`` for a backslash), and a Python list is "any of" (joined by plain
  commas); range and date filters keep their ``start,end`` comma. Nested relationship routes ignore filters,
  so loaders never send filters there: ``load_expirations(organization_id=...)`` uses ``GET /expirations``
  with ``filter[organization_id]``, and `load_resource` refuses filters on a nested route.
"""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any, ParamSpec, TypeVar

import numpy as np
import orjson
import pandas as pd

from apitoolkit.arguments import (
    DateRange,
    FilterKind,
    as_flag,
    as_id,
    as_optional_flag,
    as_range,
    as_text,
    as_timestamp,
    filter_value,
)
from apitoolkit.exceptions import InvalidArgumentError, ListingChangedError, PaginationError
from apitoolkit.frames import Schema, pages_to_frame, utc_timestamp
from apitoolkit.http.client import BaseClient
from apitoolkit.http.paginators import CappedJsonApiPaginator, JsonApiPaginator, RequestSpec
from apitoolkit.itglue.client import ITGlueClient
from apitoolkit.itglue.schema import EXPIRATIONS, FILTERS, LIST_ENDPOINTS, LOGS, ORGANIZATIONS, USER_METRICS, USERS
from apitoolkit.loading import cached_frame, load_listing, load_windows, paginate_listing, source_of

__all__ = [
    "add_days_until",
    "load_expirations",
    "load_logs",
    "load_organizations",
    "load_resource",
    "load_user_metrics",
    "load_users",
]

PAGE_SIZE = 1000
_P = ParamSpec("_P")
_R = TypeVar("_R")
LOGS_PAGE_CAP = 5
LOGS_RETENTION = timedelta(days=30)
#: Filters that take True or False (sent as ``true``/``false``); those named ``*_at`` or ``*date`` take dates.
BOOLEAN_FILTERS = frozenset({"primary"})


# --------------------------------------------------------------------------------------------- helpers
def _options(refresh: Any, progress: Any) -> None:
    """Refuse a ``refresh`` that is not True/False or a ``progress`` that is not True/False/None."""
    as_flag(refresh, "refresh")
    as_optional_flag(progress, "progress")


def _filter_kind(name: str) -> FilterKind:
    """What a documented filter takes, from its name (``range[expiration_date]`` takes dates)."""
    field = name.rstrip("]").rpartition("[")[2]
    if field in BOOLEAN_FILTERS:
        return "bool"
    return "date" if field.endswith(("_at", "date")) else "text"


def _is_range(name: str) -> bool:
    """Whether a filter takes ``start,end`` (``range[...]``, dates): its comma separates, never escaped."""
    return name.startswith("range[") or _filter_kind(name) == "date"


def _escape(text: str) -> str:
    r"""A text value as IT Glue reads it: a literal comma is ``\,`` (the API splits on commas), a backslash ``\\``.

    Example:
        >>> print(_escape(r"Kub, Reynolds and Gibson\Sons"))
        Kub\, Reynolds and Gibson\\Sons
    """
    return text.replace("\\", "\\\\").replace(",", "\\,")


def _filter_value(name: str, value: Any, kind: FilterKind = "text") -> str:
    r"""A filter's query text: each value escaped (but a range's), a list joined by plain commas ("any of").

    Example:
        >>> print(_filter_value("name", ["Kub, Reynolds and Gibson", "Acme"]))
        Kub\, Reynolds and Gibson,Acme
    """
    if _is_range(name):
        return filter_value(name, value, kind=kind, service="IT Glue")
    items = None
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | bytearray | memoryview | Mapping):
        try:
            items = list(value)
        except TypeError:  # iterable in name only (a 0-d NumPy array): refused below
            items = None
    if items is None:
        return _escape(filter_value(name, value, kind=kind, service="IT Glue"))
    filter_value(name, items, kind=kind, service="IT Glue")  # refuses an empty list, None, nested lists
    texts = [_escape(filter_value(name, item, kind=kind, service="IT Glue")) for item in items]
    return ",".join(sorted(texts) if isinstance(value, set | frozenset) else texts)


def _filter_params(resource: str, filters: Mapping[str, Any], allowed: Iterable[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    allowed_set = set(allowed) if allowed is not None else None
    for name, value in filters.items():
        if value is None:
            continue
        if allowed_set is not None and name not in allowed_set:
            close = difflib.get_close_matches(name, sorted(allowed_set), n=1)
            also = f" Did you mean {close[0]!r}?" if close else ""
            raise InvalidArgumentError(
                f"IT Glue {resource} cannot be filtered by {name!r}.{also} "
                f"Filters it accepts: {', '.join(sorted(allowed_set))}."
            )
        head, bracket, rest = name.partition("[")
        kind: FilterKind = "any" if allowed_set is None else _filter_kind(name)
        params[f"filter[{head}]{bracket}{rest}"] = _filter_value(name, value, kind)
    return params


def _iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _range(
    start: Any, end: Any, *, default_days: int, now: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp, DateRange]:
    """`as_range` with defaults (``end``: now, exact; ``start``: ``default_days`` before ``end``'s day or instant).

    Returns the first instant, the upper bound (excluded when ``end`` was date-only) and the range itself.
    """
    given = as_range(start, end)
    hi = given.end if given.end is not None else now
    anchor = hi - pd.Timedelta(days=1) if given.end_is_date else hi
    lo = given.start if given.start is not None else anchor - pd.Timedelta(days=default_days)
    if lo > hi:
        raise InvalidArgumentError(f"start ({lo:%Y-%m-%d %H:%M}) is after end ({hi:%Y-%m-%d %H:%M}): swap them.")
    return lo, hi, DateRange(lo, hi, given.end_is_date)


def _now() -> pd.Timestamp:
    return pd.Timestamp.now(tz=UTC).floor("s")


# --------------------------------------------------------------------------------------------- plain listings
def _load_filtered(
    client: ITGlueClient | None,
    schema: Schema,
    filters: Mapping[str, Any],
    *,
    path: str,
    params: Mapping[str, str] | None = None,
    refresh: bool,
    progress: bool | None,
) -> pd.DataFrame:
    """One listing of a documented resource, its ``filter[...]`` names checked against the reference."""
    _options(refresh, progress)
    spec = RequestSpec(path, params={**_filter_params(schema.name, filters, FILTERS[schema.name]), **(params or {})})
    return load_listing(
        ITGlueClient.resolve(client),
        resource=schema.name,
        spec=spec,
        schema=schema,
        paginator=JsonApiPaginator(PAGE_SIZE),
        refresh=refresh,
        progress=progress,
    )


def load_users(
    client: ITGlueClient | None = None, *, refresh: bool = False, progress: bool | None = None, **filters: Any
) -> pd.DataFrame:
    """Every user of the account, with role, sign-in times and IPs, reputation and My Glue fields.

    Args:
        client: The account (default: one from the environment).
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar (None: when interactive and long).
        **filters: ``id``, ``name`` (exact "First Last"), ``email``, ``role_name``, ``salesforce_id``;
            lists mean "any of".

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     users = load_users(client, role_name="Editor")
        >>> users["role_name"].unique().tolist()
        ['Editor']
    """
    return _load_filtered(client, USERS, filters, path="users", refresh=refresh, progress=progress)


def load_organizations(
    client: ITGlueClient | None = None, *, refresh: bool = False, progress: bool | None = None, **filters: Any
) -> pd.DataFrame:
    """Every organization of the account (type, status, parent), filtered as the reference allows.

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     orgs = load_organizations(client, organization_type_id=86)
        >>> orgs["organization_type_id"].unique().tolist()
        [86]
    """
    return _load_filtered(client, ORGANIZATIONS, filters, path="organizations", refresh=refresh, progress=progress)


def _client_first_too(load: Callable[_P, _R]) -> Callable[_P, _R]:
    """Let ``load`` (a loader taking ``start, end`` first) still be called the old way, client first.

    ``load(client, ...)`` with an `ITGlueClient` (or any other service client, refused by `ITGlueClient.resolve`
    with the usual message) as the first positional argument passes it on as ``client=``; any other first argument
    is ``start``.
    """

    @functools.wraps(load)
    def loader(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if args and isinstance(args[0], BaseClient):
            if "client" in kwargs:
                raise InvalidArgumentError(f"{load.__name__} got two clients: pass it once, as client=.")
            return load(*args[1:], **{**kwargs, "client": args[0]})  # type: ignore[arg-type]
        return load(*args, **kwargs)

    return loader


@_client_first_too
def load_expirations(
    start: Any = None,
    end: Any = None,
    *,
    client: ITGlueClient | None = None,
    organization_id: int | None = None,
    resource_type: str | None = None,
    now: Any = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Expirations across resource types, with ``days_until`` counted from ``now``.

    Like every date-range loader, it takes ``start`` and ``end`` first: ``load_expirations("2026-12-01")``
    means from 1 December 2026 on. A client given first, the way older code calls it
    (``load_expirations(client, start=...)``), is still taken as ``client``.

    Args:
        start: Earliest expiration date (inclusive): a date, datetime, Timestamp or ISO 8601 string (never a
            number), from 1900 to 2100; None for no lower bound.
        end: Latest expiration date (inclusive, a date-only end or not: see "Date ranges" in
            `apitoolkit.arguments`); None for no upper bound.
        client: The account (default: one from the environment).
        organization_id: Only this organization's expirations: an int or a string of digits. Sent as
            ``filter[organization_id]`` to ``GET /expirations``, never to the nested route
            ``organizations/:id/relationships/expirations``, where IT Glue ignores the other filters. An
            organization the account does not hold raises `NotFoundError`.
        resource_type: A resource type name such as ``"Domain"`` or ``"SSL Certificate"``.
        now: The moment ``days_until`` counts from (default: the current UTC time).
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar.

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> from apitoolkit.emulator import mock_emulator
        >>> today = pd.Timestamp.now("UTC").normalize()
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     due = load_expirations(today, today + pd.Timedelta(days=60), client=client)
        >>> bool(due["days_until"].between(0, 60).all())
        True
    """
    _options(refresh, progress)
    span = as_range(start, end)  # a date-only end includes its day (apitoolkit.arguments: "Date ranges")
    lo, hi = span.start, span.last_day
    params: dict[str, str] = {}
    if lo is not None or hi is not None:
        params["filter[range][expiration_date]"] = (
            f"{lo.date().isoformat() if lo is not None else '*'},{hi.isoformat() if hi is not None else '*'}"
        )
    if resource_type is not None:
        params["filter[resource_type_name]"] = _filter_value("resource_type", resource_type)
    organization = None if organization_id is None else as_id(organization_id, "organization_id")
    if organization is not None:  # never the nested route: real servers ignore filters there
        params["filter[organization_id]"] = str(organization)
    moment = as_timestamp(now, "now") if now is not None else None
    c = ITGlueClient.resolve(client)
    frame = _load_filtered(c, EXPIRATIONS, {}, path="expirations", params=params, refresh=refresh, progress=progress)
    if organization is not None and frame.empty:  # an unknown organization is a 404, not an empty answer
        c.request("GET", RequestSpec(f"organizations/{organization}"), refresh=refresh)
    return add_days_until(frame, now=moment)


def add_days_until(frame: pd.DataFrame, *, now: Any = None) -> pd.DataFrame:
    """Add ``days_until``: calendar days (UTC) from ``now``'s date to ``expiration_date`` (0 = today).

    Example:
        >>> f = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-11-25"], utc=True)})
        >>> add_days_until(f, now="2026-11-23 18:00")["days_until"].tolist()
        [2]
    """
    moment = as_timestamp(now, "now") if now is not None else _now()
    days = (frame["expiration_date"].dt.floor("D") - moment.floor("D")).dt.days
    out = frame.assign(days_until=days.astype("Int64"))
    out.attrs = dict(frame.attrs)
    return out


# --------------------------------------------------------------------------------------------- user metrics
def _week_windows(first: date, last: date) -> list[tuple[date, date]]:
    """``first`` to ``last`` as ISO weeks (Monday to Sunday), so at most 7 days each, cut at both ends."""
    windows = []
    day = first
    while day <= last:
        week_end = day + timedelta(days=6 - day.weekday())
        windows.append((day, min(week_end, last)))
        day = week_end + timedelta(days=1)
    return windows


def load_user_metrics(
    start: Any = None,
    end: Any = None,
    *,
    user_id: int | Iterable[int] | None = None,
    organization_id: int | Iterable[int] | None = None,
    resource_type: str | Iterable[str] | None = None,
    client: ITGlueClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """User metrics (created, viewed, edited, deleted per user, organization, resource type and day).

    Any date range works: it is split into windows the API accepts (at most 7 days, aligned to ISO weeks),
    fetched concurrently and stitched without gaps or duplicates. ``date`` is a date column.

    Args:
        start: First day (inclusive): a date, datetime, Timestamp or ISO 8601 string such as ``"2026-11-01"``
            (never a number), from 1900 to 2100; default 29 days before ``end``.
        end: Last day (inclusive), of the same kinds; default today (UTC). See "Date ranges" in
            `apitoolkit.arguments`.
        user_id: Only these users.
        organization_id: Only these organizations.
        resource_type: Only these resource types (``"Configuration"``, ...).
        client: The account.
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar over the windows.

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> from apitoolkit.emulator import mock_emulator
        >>> today = pd.Timestamp.now("UTC").normalize()
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     metrics = load_user_metrics(today - pd.Timedelta(days=30), today, client=client)
        >>> metrics.groupby("user_id")[["created", "edited", "viewed"]].sum().columns.tolist()
        ['created', 'edited', 'viewed']
    """
    _options(refresh, progress)
    lo, hi, span = _range(start, end, default_days=29, now=_now())
    filters = _filter_params(
        "user_metrics",
        {"user_id": user_id, "organization_id": organization_id, "resource_type": resource_type},
        FILTERS["user_metrics"],
    )
    c = ITGlueClient.resolve(client)
    windows = _week_windows(lo.date(), span.last_day or hi.date())

    def load_one(window: tuple[date, date]) -> pd.DataFrame:
        params = {**filters, "filter[date]": f"{window[0].isoformat()},{window[1].isoformat()}"}
        return load_listing(
            c,
            resource="user_metrics",
            spec=RequestSpec("user_metrics", params=params),
            schema=USER_METRICS,
            paginator=JsonApiPaginator(PAGE_SIZE),
            refresh=refresh,
            progress=False,
        )

    frame = load_windows(
        c, resource="user_metrics", schema=USER_METRICS, windows=windows, load_one=load_one, progress=progress
    )
    return _dedupe_sorted(frame, ["date", "id"])


def _dedupe_sorted(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per id (the last copy), sorted by ``order``; copies the frame only when either is needed.

    Log windows are deduped and sorted each on its own, and arrive in order: for the whole range this is then
    only a check, and 1M log rows skip two copies, keeping the peak memory near the frames being stitched.
    """
    attrs = dict(frame.attrs)
    out = frame
    if out["id"].duplicated(keep="last").any():
        out = out.drop_duplicates("id", keep="last")
    if not _is_sorted(out, order):
        out = out.sort_values(order, kind="stable")
    out = out.reset_index(drop=True)
    out.attrs = attrs
    return out


def _is_sorted(frame: pd.DataFrame, order: list[str]) -> bool:
    """Whether ``frame`` is already in ascending lexicographic ``order`` (False when a key is missing)."""
    if len(frame) < 2:
        return True
    if any(frame[key].isna().any() for key in order):
        return False
    ascending = np.ones(len(frame) - 1, dtype=bool)  # rows i, i+1 in order so far
    tied = np.ones(len(frame) - 1, dtype=bool)  # rows i, i+1 equal on every key so far
    for key in order:
        column = frame[key]
        values = column.array.asi8 if isinstance(column.dtype, pd.DatetimeTZDtype) else column.to_numpy()
        before, after = values[:-1], values[1:]
        ascending &= ~tied | (before <= after)
        tied &= before == after
    return bool(ascending.all())


# --------------------------------------------------------------------------------------------- logs
@dataclass(frozen=True)
class _Window:
    start: pd.Timestamp
    end: pd.Timestamp


def _last_created_at(content: bytes) -> pd.Timestamp | None:
    records = orjson.loads(content).get("data") or []
    if not records:
        return None
    value = (records[-1].get("attributes") or {}).get("created-at")
    return utc_timestamp(value, name="created-at") if value else None


def _walk_logs(client: ITGlueClient, window: _Window, refresh: bool) -> tuple[list[bytes], str, int, int | None, int]:
    """Every log page of one window, walking past the 5-page cap by restarting at the last timestamp.

    A query is capped (`CappedJsonApiPaginator`) whatever ``meta`` says there: a ``total-pages`` above 5, a
    ``total-count`` above 5 pages, or a full page 5 (a ``meta`` capped at 5 pages, or none at all).

    Also returns the rows the pages must hold (None when the API did not count them): 5 full pages for each
    capped query, since it had more, and the last query's ``total-count``; and how many logs the last query
    gained while it was paged (new logs of a day still under way), which may add as many rows and as many
    seen twice.
    """
    contents: list[bytes] = []
    sources: list[str] = []
    expected: int | None = 0
    growth = 0
    cursor = window.start
    while True:
        spec = RequestSpec(
            "logs", params={"filter[created_at]": f"{_iso(cursor)},{_iso(window.end)}", "sort": "created_at"}
        )
        pages = paginate_listing(
            client,
            spec,
            CappedJsonApiPaginator(PAGE_SIZE, max_pages=LOGS_PAGE_CAP),
            refresh=refresh,
            expire_after=client.expire_after("logs"),
        )
        contents.extend(p.content for p in pages)
        sources.append(source_of(pages))
        if not pages.capped:
            expected = None if expected is None or pages.expected_records is None else expected + pages.expected_records
            growth = (pages.grew_to or 0) - (pages.expected_records or 0) if pages.grew_to is not None else 0
            break
        if expected is not None:
            expected += len(pages) * (pages[0].records or 0)
        last = _last_created_at(pages[-1].content)
        if last is None or last <= cursor:
            raise PaginationError(
                f"More than {LOGS_PAGE_CAP * PAGE_SIZE} IT Glue logs share the timestamp {_iso(cursor)}: the "
                "documented filter[created_at] walk cannot get past it. Load a range that excludes that second."
            )
        cursor = last
    source = "network" if "network" in sources else "http-cache"
    return contents, source, len(contents), expected, growth


def load_logs(
    start: Any = None,
    end: Any = None,
    *,
    client: ITGlueClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Every activity log row from ``start`` to ``end``, not just the first 5 pages.

    IT Glue keeps 30 days of logs. Each UTC day of the range is walked with ``filter[created_at]`` and
    ``sort=created_at`` as the reference prescribes, concurrently; rows sharing a timestamp across the
    5-page boundary are fetched again and dropped by id. Rows come sorted by ``created_at`` then ``id``.

    Args:
        start: Earliest time: a date, datetime, Timestamp or ISO 8601 string (never a number; naive means UTC);
            default 30 days before ``end``.
        end: Latest time, included; a date-only end (``"2026-12-02"``) includes that whole day (see
            "Date ranges" in `apitoolkit.arguments`); default now.
        client: The account.
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar over the days.

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> from apitoolkit.emulator import mock_emulator
        >>> today = pd.Timestamp.now("UTC").normalize()
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
        ...     logs = load_logs(today - pd.Timedelta(days=7), today, client=client)
        >>> sorted(logs["action"].unique())
        ['create', 'delete', 'export', 'sign_in', 'update', 'view']
    """
    _options(refresh, progress)
    now = _now()
    lo, hi, span = _range(start, end, default_days=30, now=now)
    c = ITGlueClient.resolve(client)
    if start is not None and lo < now - LOGS_RETENTION - pd.Timedelta(days=1):
        warnings.warn(
            f"IT Glue keeps logs for 30 days: nothing before {now - LOGS_RETENTION:%Y-%m-%d} will be returned.",
            UserWarning,
            stacklevel=2,
        )
    windows = []
    day = lo.floor("D")
    while day < hi or (span.end_inclusive and day == hi):  # an exact end at midnight: that instant's window
        windows.append(_Window(max(day, lo), min(day + pd.Timedelta(days=1), hi)))
        day += pd.Timedelta(days=1)

    def load_one(window: _Window) -> pd.DataFrame:
        def fetch() -> tuple[pd.DataFrame, str, int]:
            with c.staged():  # the walk's pages reach the HTTP cache only if all of it arrived and adds up
                contents, source, pages, expected, growth = _walk_logs(c, window, refresh)
                c.prepare_commit()  # the cache's commit overlaps with building the frame
                frame = pages_to_frame(contents, LOGS)
                if expected is not None and not expected <= len(frame) <= expected + 2 * growth:
                    raise ListingChangedError(
                        f"IT Glue logs from {_iso(window.start)} to {_iso(window.end)}: {len(frame)} rows arrived "
                        f"where the API's counts promised {expected}: records are missing. Load it again later."
                    )
            # Each window sorted and without the rows its walk fetched twice: stitched in order, the whole
            # range then needs neither a sort nor a dedupe, two copies of every row at 1M rows.
            return _dedupe_sorted(frame, ["created_at", "id"]), source, pages

        query = {"path": "logs", "from": _iso(window.start), "to": _iso(window.end), "page_size": PAGE_SIZE}
        return cached_frame(c, resource="logs", query=query, fetch=fetch, refresh=refresh, schema=LOGS)

    frame = load_windows(
        c, resource="logs", schema=LOGS, windows=windows, load_one=load_one, progress=progress, shared_bounds="id"
    )
    within = span.contains(frame["created_at"])
    inside = frame if within.all() else frame[within]  # a copy only when there is something to drop
    inside.attrs = dict(frame.attrs)
    return _dedupe_sorted(inside, ["created_at", "id"])


# --------------------------------------------------------------------------------------------- any resource
_ENDPOINTS_HINT = "See LIST_ENDPOINTS in apitoolkit.itglue.schema."


def load_resource(
    name: str,
    *,
    client: ITGlueClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
    **filters: Any,
) -> pd.DataFrame:
    """Any other list endpoint of the reference, flattened the same way (columns inferred from the data).

    Args:
        name: The endpoint as the reference writes it, e.g. ``"configurations"``, ``"passwords"`` or
            ``"organizations/:organization_id/relationships/contacts"``; its ``:parts`` are filled from the
            keyword arguments of the same name.
        client: The account.
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar.
        **filters: Values for ``:parts`` of the path, then ``filter[...]`` parameters (the API checks them).
            Text values are sent escaped (a comma in a name is ``\\,``); a list means "any of". IT Glue does
            not filter nested relationship routes (it ignores ``filter[...]`` there), so on a route with
            ``:parts`` any further keyword is refused: load the top-level endpoint with ``filter[<parent>_id]``.

    Raises:
        InvalidArgumentError: An unknown endpoint, a missing ``:part``, or filters on a nested route.

    Example:
        >>> configs = load_resource("configurations", organization_id=2)  # the real API  # doctest: +SKIP
        >>> path = "organizations/:organization_id/relationships/contacts"
        >>> contacts = load_resource(path, organization_id=2)  # doctest: +SKIP
        >>> load_resource(path, organization_id=2, first_name="Ann")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        apitoolkit.exceptions.InvalidArgumentError: IT Glue does not filter nested relationship routes such as ...
    """
    _options(refresh, progress)
    clean = as_text(
        name, "name", what="an IT Glue list endpoint", example="configurations", hint=_ENDPOINTS_HINT
    ).strip("/")
    if clean not in LIST_ENDPOINTS:
        close = difflib.get_close_matches(clean, LIST_ENDPOINTS, n=3)
        also = f" Did you mean {', '.join(repr(x) for x in close)}?" if close else ""
        raise InvalidArgumentError(f"{name!r} is not an IT Glue list endpoint.{also} {_ENDPOINTS_HINT}")
    parts = []
    rest = dict(filters)
    for part in clean.split("/"):
        if part.startswith(":"):
            key = part[1:]
            value = rest.pop(key, None)
            if value is None:
                raise InvalidArgumentError(f"{name!r} needs {key}= (a numeric id).")
            part = str(as_id(value, key))
        parts.append(part)
    path = "/".join(parts)
    given = sorted(key for key, value in rest.items() if value is not None)
    if given and ":" in clean:
        parent = next(part[1:] for part in clean.split("/") if part.startswith(":"))
        raise InvalidArgumentError(
            f"IT Glue does not filter nested relationship routes such as {clean!r}: it would ignore "
            f"{', '.join(given)} and return everything. Load the top-level endpoint with filter[{parent}] "
            f"instead, e.g. load_resource({clean.rsplit('/', 1)[-1]!r}, {parent}=..., {given[0]}=...)."
        )
    filters = _filter_params(clean.rsplit("/", 1)[-1], rest, None)
    c = ITGlueClient.resolve(client)
    schema = Schema.jsonapi_resource(clean.rsplit("/", 1)[-1], [])
    frame = load_listing(
        c,
        resource=schema.name,
        spec=RequestSpec(path, params=filters),
        schema=schema,
        paginator=JsonApiPaginator(PAGE_SIZE),
        refresh=refresh,
        progress=progress,
    )
    return _parse_timestamps(frame)


def _parse_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns named ``*_at``, ``*_date`` or ``*_on`` whose every value is ISO 8601 become UTC datetimes."""
    out = frame.copy(deep=False)
    for column in out.columns:
        if column.endswith(("_at", "_date", "_on")) and pd.api.types.is_string_dtype(out[column]):
            parsed = pd.to_datetime(out[column], utc=True, errors="coerce", format="ISO8601")
            if parsed.notna().sum() == out[column].notna().sum():
                out[column] = parsed.astype("datetime64[us, UTC]")
    out.attrs = dict(frame.attrs)
    return out
