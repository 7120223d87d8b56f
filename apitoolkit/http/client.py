"""The client base every service client extends: one request with retries, and the page loop.

A service client says how it authenticates (`auth_headers`, `auth_params`), how its error bodies look
(`error_from_body`) and what to suggest when a request is refused (`hint`); this base does the rest:
the cache and rate limit (through the session), bounded retries, typed errors without secrets, and
pagination with the remaining pages fetched concurrently once page 1 tells how many there are.
"""

from __future__ import annotations

import logging
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar, Self, cast
from urllib.parse import urlsplit

import orjson
import requests
import urllib3

from apitoolkit.config import ClientConfig, ClientSettings, resolve_config, validate_expire_after
from apitoolkit.exceptions import (
    OFFLINE_HINT,
    ApiError,
    ApiToolkitError,
    AuthenticationError,
    ConflictError,
    FatalError,
    InvalidArgumentError,
    InvalidRequestError,
    InvalidResponseError,
    ListingChangedError,
    NotFoundError,
    OfflineError,
    PaginationError,
    PermissionDeniedError,
    RateLimitedError,
    RedirectError,
    ServerError,
    TransportError,
)
from apitoolkit.http.paginators import Page, Paginator, RequestSpec
from apitoolkit.http.progress import progress_bar, wants_progress
from apitoolkit.http.redaction import redact_logs, redact_url, register_secrets, scrub
from apitoolkit.http.retry import RetryPolicy, parse_retry_after
from apitoolkit.http.session import account_namespace, make_session
from apitoolkit.http.transport import ResponseTimeout, ResponseTooLarge

__all__ = ["BaseClient", "ClientOptions", "PageSet", "configure", "count_objects"]

_LOG = logging.getLogger("apitoolkit.http")

_PAYLOAD_ATTR = "_apitoolkit_payload"

_STATUS_ERRORS: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    402: PermissionDeniedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}

_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
#: What requests raises (some of it unwrapped, from following redirects) for an answer it cannot read: a bad
#: header, a redirect loop, a redirect to a URL it cannot parse, decode or follow, or with a body it cannot drain.
_UNREADABLE = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, ValueError, RuntimeError)
#: Where nothing answers at all: no server on the port, or no such host. Said at once, not retried for 18 s.
_UNREACHABLE: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (socket.gaierror, "host name not found"),
)


def _unreachable(error: BaseException) -> str | None:
    """Why no connection could be made (refused, unknown host), from the chain under ``error``; else None.

    Example:
        >>> _unreachable(requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused")))
        'connection refused'
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for kind, reason in _UNREACHABLE:
            if isinstance(current, kind):
                return reason
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += [a for a in current.args if isinstance(a, BaseException)]
    return None


class ClientOptions(ClientSettings, total=False):
    """Settings every service client takes besides its credentials and server.

    They are the `ClientSettings` that `resolve_config` resolves (``cache``, ``offline``, ``rate_limit``,
    ``timeout``, ...) and the three below, which `BaseClient` takes itself.

    Attributes:
        session: A requests session to send everything through (default: the cached, rate-limited one).
        retry: The retry policy.
        expire_after: Seconds cached data stays fresh: one number, or per resource (``{"logs": 600}``).
    """

    session: requests.Session | None
    retry: RetryPolicy | None
    expire_after: float | Mapping[str, float] | None


def configure(
    service: str,
    credentials: Mapping[str, str | None],
    options: ClientOptions,
    *,
    base_url: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """The keyword arguments of `BaseClient` for a service client's constructor.

    Options that are neither `ClientSettings` nor `BaseClient` arguments are ignored.

    Example:
        >>> kwargs = configure("glasshat", {"api_key": "k" * 32}, {"cache": "off", "timeout": 5.0})
        >>> kwargs["config"].service.name, kwargs["config"].timeout
        ('glasshat', 5.0)
    """
    settings = cast(
        "ClientSettings", {name: value for name, value in options.items() if name in ClientSettings.__optional_keys__}
    )
    config = resolve_config(service, credentials=credentials, base_url=base_url, region=region, **settings)
    return {
        "config": config,
        "session": options.get("session"),
        "retry": options.get("retry"),
        "expire_after": options.get("expire_after"),
    }


class PageSet(list[Page]):
    """The pages of one listing, in order, with what the paginator learned.

    Attributes:
        capped: The API had more pages than ``max_pages`` allowed.
        total_pages: Pages the API reported in all, when it did.
        expected_records: Records the API said the listing holds (``total-count``), unless capped; a loader
            checks the rows it read against it.
    """

    capped: bool = False
    total_pages: int | None = None
    expected_records: int | None = None
    #: The largest record count a later page reported, when the listing grew while it was paged.
    grew_to: int | None = None
    #: What the listing is, for messages ("IT Glue users").
    what: str = "the listing"

    def check_rows(self, rows: int, *, unique: int | None = None) -> None:
        """Raise `ListingChangedError` unless the records read add up to what the API counted.

        ``rows`` records arrived, ``unique`` of them distinct by primary key. A listing that did not change must
        hold exactly ``expected_records``. One that only grew while it was paged (records inserted push later
        ones onto the next page, where they are seen twice) must hold every record it had when paging began
        (at least ``expected_records`` distinct), no more than it grew to, and no more records seen twice than
        it grew by; anything else means records went missing.

        Example:
            >>> pages = PageSet(); pages.expected_records = 9
            >>> pages.check_rows(7)
            Traceback (most recent call last):
            apitoolkit.exceptions.ListingChangedError: the listing: 7 records arrived in 0 page(s) where the API \
counted 9: records are missing or were added meanwhile.
            >>> pages.grew_to = 11
            >>> pages.check_rows(11, unique=9)  # two inserted ahead of the pages, two seen twice: all there
        """
        expected = self.expected_records
        if expected is None:
            return
        if self.grew_to is None:
            if rows != expected:
                raise ListingChangedError(
                    f"{self.what}: {rows} records arrived in {len(self)} page(s) where the API counted {expected}: "
                    "records are missing or were added meanwhile."
                )
            return
        distinct = rows if unique is None else unique
        if not expected <= distinct <= self.grew_to or rows - distinct > self.grew_to - expected:
            raise ListingChangedError(
                f"{self.what}: it grew from {expected} to {self.grew_to} records while it was paged, and the "
                f"{distinct} distinct records of the {rows} that arrived do not account for it: records are missing."
            )

    @property
    def from_cache(self) -> bool:
        """Whether every page came from the HTTP cache."""
        return bool(self) and all(p.from_cache for p in self)


@dataclass
class _Walk:
    """What `BaseClient.paginate` knows of a listing from page 1, and learns as the other pages arrive, in any order.

    Attributes:
        where: The listing, for messages ("IT Glue users").
        paginator: How it pages.
        notify: The ``on_page`` callback.
        first_from_cache: Whether page 1 came from the HTTP cache (every page must come from where it did).
        expected: The record count page 1 reported, when it did.
        per_page: The records on page 1: every page before the last holds as many.
        counted: Records per page that arrived (None where a fast parse did not count them).
        last: The 0-based index of the last page, once known.
        grown: The largest record count a later page reported, when the listing grew.
    """

    where: str
    paginator: Paginator
    notify: Callable[[int, Page], Any]
    first_from_cache: bool
    expected: int | None
    per_page: int
    counted: list[int | None]
    last: int | None = None
    grown: int | None = None

    def arrived(self, index: int, page: Page) -> None:
        """Check page ``index`` (0-based, after page 1) against page 1 and note what it says, then notify."""
        self.paginator.check_page(index, page)
        self._check_count(index, page)
        if page.from_cache != self.first_from_cache:
            raise ListingChangedError(
                f"{self.where}: page {index + 1} came from {'the cache' if page.from_cache else 'the network'} and "
                f"page 1 from {'the cache' if self.first_from_cache else 'the network'}; pages of two versions of the "
                "listing are never joined."
            )
        last = self.last
        if page.records is not None and (last is None or index < last) and page.records < self.per_page:
            raise ListingChangedError(
                f"{self.where}: page {index + 1} holds {page.records} records where page 1 held {self.per_page}, "
                "and it is not the last page: records are missing."
            )
        self.counted.append(page.records)
        self.notify(index, page)

    def _check_count(self, index: int, page: Page) -> None:
        """Raise when a page reports fewer records than page 1 did; note it when it reports more."""
        expected, found = self.expected, self.paginator.reported_count(page)
        if expected is None or found is None:
            return
        if found < expected:
            raise ListingChangedError(
                f"{self.where} changed while it was paged: page 1 counted {expected} records, page {index + 1} "
                f"{found}. Records were deleted meanwhile, so some may have been skipped; load it again."
            )
        if found > max(expected, self.grown or 0):
            self.grown = found  # growth alone only pushes records later: page on, and dedupe

    def close(self, pages: PageSet) -> PageSet:
        """``pages`` with what the walk learned, after checking that their records add up."""
        pages.capped = bool(getattr(self.paginator, "capped", False))
        pages.total_pages = self.paginator.total_pages
        pages.expected_records = None if pages.capped else self.expected
        pages.grew_to = self.grown
        pages.what = self.where
        if self.grown is None and all(n is not None for n in self.counted):  # with growth, the loader checks ids
            pages.check_rows(sum(n or 0 for n in self.counted))
        return pages


def _join_nothing() -> None:
    """What `BaseClient.staged` yields without a cache: a worker has no stage to join."""


def count_objects(records: list[Any]) -> int:
    """The number of records in a page's list; a record that is not a JSON object makes the page invalid.

    Example:
        >>> count_objects([{"id": 1}, {"id": 2}])
        2
        >>> count_objects([{"id": 1}, None])
        Traceback (most recent call last):
        ValueError: record 2 is null, not an object
    """
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            kind = "null" if record is None else type(record).__name__
            raise ValueError(f"record {position + 1} is {kind}, not an object")
    return len(records)


def _most_pages(where: str, count: int | None, per_page: int, total_pages: int | None, more: bool) -> int | None:
    """The most pages a listing can have by its record count, after checking ``total_pages`` against it.

    Every page before the last holds as many records as page 1 (``per_page``), so ``count`` records fill
    ``ceil(count / per_page)`` pages; a ``total_pages`` that says otherwise is a lie, refused before any other
    page is requested. None when the count or page 1's size is unknown.
    """
    if count is None:
        return None
    if per_page <= 0:
        if count > 0 and more:
            raise PaginationError(
                f"{where}: page 1 is empty but the API counts {count} records and promises more pages: "
                "its paging is broken."
            )
        return 1
    if count < per_page and more:
        raise PaginationError(
            f"{where}: page 1 holds {per_page} records but the API counts {count} in all and promises more pages: "
            "its paging is broken."
        )
    most = max(1, math.ceil(count / per_page))
    if total_pages is not None and total_pages > most:
        raise PaginationError(
            f"{where}: the API reports {total_pages:,} pages, but {count:,} records at {per_page} a page fill "
            f"{most:,}: its paging is broken (nothing beyond page 1 was requested)."
        )
    return most


class BaseClient:
    """Requests, retries and pagination shared by every service client.

    Subclasses set ``records_key`` (where the list of records sits in a page: ``"data"`` for JSON:API, None
    for a bare array) and override the hooks below.
    """

    records_key: ClassVar[str | None] = "data"
    #: Seconds a cached response stays fresh, by resource name; "default" for the rest.
    expire_after_defaults: ClassVar[Mapping[str, float]] = {"default": 3600.0}

    def __init__(
        self,
        config: ClientConfig,
        *,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        expire_after: float | Mapping[str, float] | None = None,
    ) -> None:
        if session is not None and not isinstance(session, requests.Session):
            raise InvalidArgumentError(
                f"session= is a {type(session).__name__}, not a requests.Session: pass one, or leave it out for the "
                "cached, rate-limited session apitoolkit builds."
            )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidArgumentError(
                f"retry= is a {type(retry).__name__}, not an apitoolkit.http.retry.RetryPolicy: pass one, such as "
                "RetryPolicy(max_attempts=3), or leave it out."
            )
        self.config = config
        self.namespace = account_namespace(config.service.name, config.base_url, dict(config.credentials))
        self.retry = retry or RetryPolicy()
        self._expire_after = self._merge_expiry(expire_after)
        self.session = (
            session
            if session is not None
            else make_session(
                config, namespace=self.namespace, accept=self._cacheable, expire_after=self._expire_after["default"]
            )
        )
        # Loaders may run several listings at once, each paging concurrently: this bounds what is in flight.
        self._slots = threading.BoundedSemaphore(config.max_workers)
        # Once the server has answered, a refused connection is a restart or a blip, retried like any other.
        self._answered = False
        redact_logs()  # urllib3 and requests-cache log request URLs, credentials included, at DEBUG
        # A server may echo a credential, in any encoding, into a log line or a page the cache stores.
        register_secrets(value for name, value in config.credentials.items() if name != "login")
        register_secrets([config.credentials.get("login")], logs_only=True)  # a login (e-mail) is data in pages

    # ----------------------------------------------------------------- hooks for service clients
    def auth_headers(self) -> dict[str, str]:
        """Headers that authenticate a request."""
        return {}

    def auth_params(self) -> dict[str, str]:
        """Query parameters that authenticate a request."""
        return {}

    def error_from_body(self, payload: Any) -> tuple[str | None, str | None] | None:
        """The service's ``(code, message)`` when a parsed body is an error document, else None."""
        return None

    def parse_page(self, body: bytes) -> tuple[Any, int | None]:
        """``(payload, number of records)`` of a successful body; raises ValueError when it is not a page.

        The payload must hold what the paginator reads (JSON:API ``meta``); the records themselves are read
        later from the raw body by the flattener. A record count of None means "not counted, not empty".
        """
        payload = orjson.loads(body)
        records = self._records(payload)
        if records is None and self.error_from_body(payload) is None:
            raise ValueError(f"no '{self.records_key}' list in the body")
        return payload, records

    def reshape(self, spec: RequestSpec, page: Page) -> Page:
        """The page as loaders read it: a service whose listings come in several shapes gives one here.

        Called with every page `request` returns (from the cache or not); the default returns it as it is. The
        ``payload`` stays what the server sent; an override may replace ``content`` (what the flattener reads).
        """
        return page

    def hint(self, status: int | None) -> str:
        """What to suggest for an error status."""
        env = self.config.service.credential_env
        names = " / ".join(env.values())
        if status == 401:
            return f"Check the credentials ({names})."
        if status in {402, 403}:
            return (
                f"The credentials ({names}) are valid but not allowed to do this: check the account's plan and rights."
            )
        if status == 404:
            return "Check the id or path, and that the base URL points at the right service."
        if status == 429:
            return "The API's rate limit was hit repeatedly: wait a few minutes, or lower the client's rate_limit."
        if status is None or status >= 500:
            return f"The service or the network failed: try again later. {OFFLINE_HINT}"
        return "Check the filters, sort and date range against the API documentation."

    # ----------------------------------------------------------------- public
    @classmethod
    def resolve(cls, client: object | None) -> Self:
        """The client a loader was given, or (for None) one of this class from the environment.

        Raises:
            InvalidArgumentError: ``client`` is not of this class (a client of another service).
            ConfigurationError: ``client`` is None and the environment lacks a credential.

        Example:
            >>> from apitoolkit.glasshat import GlasshatClient
            >>> GlasshatClient.resolve(object())
            Traceback (most recent call last):
            apitoolkit.exceptions.InvalidArgumentError: client must be a GlasshatClient, not object.
        """
        if client is None:
            from_environment = cast("Callable[[], Self]", cls)
            return from_environment()
        if not isinstance(client, cls):
            article = "an" if cls.__name__[:1] in set("AEIOU") else "a"
            raise InvalidArgumentError(f"client must be {article} {cls.__name__}, not {type(client).__name__}.")
        return client

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.config.base_url!r}, cache='{self.config.cache}', "
            f"offline={self.config.offline})"
        )

    @property
    def base_url(self) -> str:
        """The API root."""
        return self.config.base_url

    @property
    def secrets(self) -> list[str]:
        """Values that must never appear in a message."""
        return list(self.config.credentials.values())

    def expire_after(self, resource: str) -> float:
        """Seconds a cached ``resource`` stays fresh."""
        return self._expire_after.get(resource, self._expire_after["default"])

    def staged(self) -> AbstractContextManager[Callable[[], None]]:
        """Hold this thread's HTTP-cache writes (and those of the threads it attaches) until the block ends.

        On a normal exit they are committed together; on an error none is, so a failed load leaves the cache
        as it was. Yields the function a worker thread calls to join. Nested blocks join the outer one.

        Example:
            >>> import tempfile
            >>> from apitoolkit.emulator import mock_emulator
            >>> from apitoolkit.http.paginators import JsonApiPaginator, RequestSpec
            >>> from apitoolkit.itglue import ITGlueClient
            >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
            ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
            ...     with client.staged():
            ...         pages = client.paginate(RequestSpec("users"), JsonApiPaginator())
            >>> len(pages)
            1
        """
        staged = getattr(getattr(self.session, "cache", None), "staged", None)
        return staged() if staged is not None else nullcontext(_join_nothing)

    def prepare_commit(self) -> None:
        """Tell the HTTP cache that the calling thread's staged listing is complete: it may start its commit.

        The work then overlaps with what the caller does next (building the frame); nothing becomes visible
        before the `staged` block ends normally.
        """
        prepare = getattr(getattr(self.session, "cache", None), "prepare", None)
        if prepare is not None:
            prepare()

    def request(
        self,
        method: str,
        spec: RequestSpec,
        *,
        refresh: bool = False,
        expire_after: float | None = None,
        cache: bool = True,
        authenticate: bool = True,
        deadline_at: float | None = None,
    ) -> Page:
        """Send one request through cache, limiter and retries; return the parsed page or raise a typed error.

        Args:
            method: HTTP method.
            spec: Path, query parameters and headers.
            refresh: Skip the cache and replace what it holds.
            expire_after: Seconds the response stays fresh in the cache.
            cache: False for requests that must never be cached (sign-in, changes).
            authenticate: False to send the request without the client's credentials (sign-in itself).
            deadline_at: `time.monotonic` time by which every attempt and wait must be over (a listing's);
                default ``config.deadline`` seconds from now.

        Raises:
            OfflineError: Offline mode and the response is not cached.
            FatalError: The API refused the request (authentication, permission, not found, bad request,
                a redirect off the base URL).
            RetriableError: The attempts or the deadline were used up (rate limit, server error, bad body,
                network).
        """
        if deadline_at is None:
            deadline_at = time.monotonic() + self.config.deadline
        cached_session = getattr(self.session, "cache", None) is not None
        if cached_session and cache:
            with self.staged():  # a failed refresh must not delete what the cache held
                page = self._send(method, spec, refresh, expire_after, cache, authenticate, deadline_at)
        else:
            page = self._send(method, spec, refresh, expire_after, cache, authenticate, deadline_at)
        return self.reshape(spec, page)

    def _send(
        self,
        method: str,
        spec: RequestSpec,
        refresh: bool,
        expire_after: float | None,
        cache: bool,
        authenticate: bool,
        deadline_at: float,
    ) -> Page:
        url = f"{self.base_url}/{spec.path.lstrip('/')}"
        kwargs = self._request_kwargs(spec, refresh, expire_after, cache, authenticate)
        attempt = 0
        error: ApiError | None = None
        refused_since: float | None = None  # when the API began answering 429 without Retry-After
        while True:
            left = deadline_at - time.monotonic()
            if left <= 0:
                raise self._past_deadline(method, url, attempt, error)
            attempt += 1
            kwargs["timeout"] = min(self.config.timeout, left)
            outcome = self._attempt(method, url, kwargs)
            if isinstance(outcome, Page):
                return outcome
            error, retry_after = outcome
            # (One attempt asked for is one attempt: no waiting out the window then.)
            silent_429 = isinstance(error, RateLimitedError) and retry_after is None and self.retry.max_attempts > 1
            if silent_429 and refused_since is None:
                refused_since = time.monotonic()
            # 429s that say nothing past the last attempt: the budget frees as the documented window slides.
            waiting_since = refused_since if silent_429 and attempt >= self.retry.max_attempts else None
            if isinstance(error, FatalError | OfflineError) or (
                attempt >= self.retry.max_attempts and self._window_left(waiting_since) <= 0
            ):
                raise self._given_up(error, attempt, silent_429)
            pause = self._retry_pause(attempt, retry_after, waiting_since)
            if time.monotonic() + pause >= deadline_at:
                raise self._past_deadline(method, url, attempt, error)
            if waiting_since is None:
                time.sleep(pause)
            else:
                self._wait_for_budget(pause, waiting_since)

    def _request_kwargs(
        self, spec: RequestSpec, refresh: bool, expire_after: float | None, cache: bool, authenticate: bool
    ) -> dict[str, Any]:
        """The keyword arguments of ``session.request`` for ``spec``: its credentials, and how the cache treats it."""
        params = {**spec.params, **(self.auth_params() if authenticate else {})}
        headers = {**spec.headers, **(self.auth_headers() if authenticate else {})}
        kwargs: dict[str, Any] = {"params": params, "headers": headers, "timeout": self.config.timeout}
        return kwargs | self._cache_mode(spec, headers, refresh, expire_after, cache)

    def _cache_mode(
        self, spec: RequestSpec, headers: dict[str, str], refresh: bool, expire_after: float | None, cache: bool
    ) -> dict[str, Any]:
        """What the cached session is told of one request; raises `OfflineError` when offline mode cannot serve it."""
        title = self.config.service.title
        if self.config.offline and not cache:
            raise OfflineError(
                f"Offline mode is on, and {title} {spec.path} is never cached: unset APITOOLKIT_OFFLINE to reach the "
                "service."
            )
        if getattr(self.session, "cache", None) is None:
            if self.config.offline:
                raise OfflineError(
                    f"Offline mode is on but caching is off, so {title} data cannot be served: set APITOOLKIT_CACHE "
                    "to a directory and load once online."
                )
            return {}
        if not cache:
            # requests-cache 1.3 ignores a per-request DO_NOT_CACHE; the standard directive skips both the read and
            # the write (sign-in answers carry session ids).
            return {"headers": {**headers, "Cache-Control": "no-store"}}
        mode: dict[str, Any] = {} if expire_after is None else {"expire_after": expire_after}
        if self.config.offline:
            mode["only_if_cached"] = True
        elif refresh:
            mode["force_refresh"] = True
        return mode

    def _attempt(self, method: str, url: str, kwargs: dict[str, Any]) -> Page | tuple[ApiError, float | None]:
        """Send the request once: the page, or the error and the ``Retry-After`` seconds to retry it after.

        Raises what retrying cannot mend: a redirect off the base URL, a body over the size limit, a host where
        nothing listens, and the toolkit's own errors.
        """
        try:
            with self._slots:
                response = self.session.request(method, url, **kwargs)
        except RedirectError as exc:
            raise RedirectError(
                scrub(f"{self.config.service.title}: {exc}", self.secrets),
                service=self.config.service.name,
                status=exc.status,
                url=exc.url,
                hint="Set the base URL to where the service now lives.",
            ) from None
        except ResponseTooLarge as exc:
            # The same body would come again: fail now, and never with the bomb's bytes in memory.
            raise self._error(InvalidResponseError, None, method, url, None, None, str(exc)) from None
        except _TRANSPORT_ERRORS as exc:
            reason = None if self._answered else _unreachable(exc)
            if reason is not None:  # nothing listens there (yet): waiting would only hide the cause
                raise self._unreachable_error(reason) from None
            what = (
                str(exc)
                if isinstance(exc, ResponseTimeout)
                else f"{type(exc).__name__} (connection failed or body cut short)"
            )
            return self._error(TransportError, None, method, url, None, None, what), None
        except ApiToolkitError:
            raise
        except _UNREADABLE as exc:
            what = f"{type(exc).__name__} (not a valid HTTP answer)"
            return self._error(InvalidResponseError, None, method, url, None, None, what), None
        self._answered = True
        return self._interpret(method, response)

    def _given_up(self, error: ApiError, attempts: int, silent_429: bool) -> ApiError:
        """``error`` as raised when retrying stops, saying how many attempts it took and why they all failed."""
        if attempts > 1 and not isinstance(error, FatalError):
            error.args = (f"{error.args[0]} Gave up after {attempts} attempts.",)
        if silent_429 and attempts >= self.retry.max_attempts:
            window = self.config.rate_limit.period
            error.args = (
                f"{error.args[0]} The API refused every request for the whole rate-limit window ({window:g} s) "
                "without saying when to come back: another integration is probably using this key's budget.",
            )
        return error

    def _retry_pause(self, attempt: int, retry_after: float | None, waiting_since: float | None) -> float:
        """Seconds to wait before the next attempt; while waiting out a rate-limit window, a tenth of it at least."""
        pause = self.retry.wait(attempt=attempt, retry_after=retry_after)
        if waiting_since is None:
            return pause
        return min(max(pause, self.config.rate_limit.period / 10), self._window_left(waiting_since))

    def _window_left(self, since: float | None) -> float:
        """Seconds left of the rate-limit window that began with the first silent 429 at ``since``."""
        return 0.0 if since is None else since + self.config.rate_limit.period - time.monotonic()

    def _wait_for_budget(self, pause: float, since: float | None) -> None:
        """Sleep ``pause`` seconds, saying so: in a log line each time, and on a progress bar when interactive."""
        window = self.config.rate_limit.period
        waited = 0.0 if since is None else time.monotonic() - since
        _LOG.warning(
            "%s answers 429 without Retry-After (another integration may be using this key's budget): waited "
            "%.0f s of the %g s rate-limit window, waiting %.0f s more before trying again.",
            self.config.service.title,
            waited,
            window,
            pause,
        )
        label = f"{self.config.service.title}: rate limited, waiting for the window to free"
        with progress_bar(total=round(window), desc=label, enabled=wants_progress(None, 10**6)) as bar:
            bar.update(round(waited))
            end = time.monotonic() + pause
            while (left := end - time.monotonic()) > 0:
                time.sleep(min(1.0, left))
                bar.update(round(min(1.0, left)))

    def _past_deadline(self, method: str, url: str, attempts: int, last: ApiError | None) -> ApiError:
        error = self._error(
            TransportError,
            None,
            method,
            url,
            None,
            None,
            f"not complete within the deadline of {self.config.deadline:g} s, after {attempts} attempt(s); "
            "raise it with deadline= if the service is just slow",
        )
        if last is not None:
            error.args = (f"{error.args[0]} The last attempt: {last.args[0]}",)
        return error

    def paginate(
        self,
        spec: RequestSpec,
        paginator: Paginator,
        *,
        refresh: bool = False,
        expire_after: float | None = None,
        progress: bool | None = None,
        desc: str = "",
        on_page: Callable[[int, Page], Any] | None = None,
    ) -> PageSet:
        """Fetch every page of a listing, in order, within ``config.deadline`` seconds.

        Page 1 comes first; when it tells how many pages there are, the rest are fetched concurrently
        (``config.max_workers`` at once, each through the rate limiter, at most twice that many requested ahead);
        otherwise one after another. Any failure cancels the rest and raises: never a partial listing, and the
        HTTP cache gets the pages only when all of them arrived (`staged`). ``on_page(index, page)`` is called in
        the calling thread as each page arrives, while the workers fetch the next ones.

        What the API says is checked, never trusted: ``meta`` whose page count contradicts its record count
        (and the records on page 1) raises `PaginationError` before any other page is asked for; a page whose
        record count (`Paginator.reported_count`) differs from page 1's, a page shorter than page 1 before the
        last one, counted records that do not add up to the reported count, or pages that mix cached and fresh
        answers (two versions of the listing) raise `ListingChangedError`, which `loading.paginate_listing`
        answers by paging again past the cache.

        Example:
            >>> import tempfile
            >>> from apitoolkit.emulator import mock_emulator
            >>> from apitoolkit.http.paginators import JsonApiPaginator, RequestSpec
            >>> from apitoolkit.itglue import ITGlueClient
            >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated IT Glue
            ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=cache)
            ...     pages = client.paginate(RequestSpec("users"), JsonApiPaginator())
            >>> [page.records for page in pages]
            [40]
        """
        deadline_at = time.monotonic() + self.config.deadline
        with self.staged() as attach:
            return self._paginate(spec, paginator, refresh, expire_after, progress, desc, on_page, deadline_at, attach)

    def _paginate(
        self,
        spec: RequestSpec,
        paginator: Paginator,
        refresh: bool,
        expire_after: float | None,
        progress: bool | None,
        desc: str,
        on_page: Callable[[int, Page], Any] | None,
        deadline_at: float,
        attach: Callable[[], None],
    ) -> PageSet:
        where = f"{self.config.service.title} {spec.path}"
        first_spec = spec.copy()
        paginator.init_request(first_spec)

        def fetch(request: RequestSpec) -> Page:
            return self.request("GET", request, refresh=refresh, expire_after=expire_after, deadline_at=deadline_at)

        first = fetch(first_spec)
        if first.records is None:  # not counted by a fast parse: count page 1 once, to check the rest by it
            first.records = self._count_records(first)
        paginator.update_state(first)
        expected = paginator.reported_count(first)
        per_page = first.records or 0
        most = _most_pages(where, expected, per_page, paginator.total_pages, paginator.has_next_page)
        paginator.check_page(0, first)
        notify = on_page or (lambda index, page: None)
        notify(0, first)
        walk = _Walk(where, paginator, notify, first.from_cache, expected, per_page, counted=[first.records])
        pages = PageSet()
        pages.append(self._release(first))
        remaining = paginator.remaining_requests(first_spec) if paginator.has_next_page else None
        if remaining is not None:
            walk.last = len(remaining)
        total = 1 + len(remaining) if remaining is not None else (paginator.total_pages or 1)
        with progress_bar(total=total, desc=desc or where, enabled=wants_progress(progress, total)) as bar:
            bar.update(1)
            if remaining:
                self._page_counted(remaining, walk, pages, fetch, bar, attach)
            elif remaining is None:
                self._page_on(first_spec, walk, pages, fetch, bar, most)
        return walk.close(pages)

    def _page_counted(
        self,
        remaining: Sequence[RequestSpec],
        walk: _Walk,
        pages: PageSet,
        fetch: Callable[[RequestSpec], Page],
        bar: Any,
        attach: Callable[[], None],
    ) -> None:
        """Fetch the pages after page 1 of a listing whose page 1 told how many there are, concurrently."""
        first_index = 1
        if len(remaining) > 1 and getattr(walk.paginator, "probe_second_page", False):
            # A server that may ignore the page parameter shows it on page 2: ask for that one alone first.
            second = fetch(remaining[0])
            walk.arrived(1, second)
            pages.append(self._release(second))
            bar.update(1)
            remaining, first_index = remaining[1:], 2
        pages.extend(self._fetch_concurrently(remaining, fetch, bar.update, walk.arrived, attach, first=first_index))
        # Records inserted while paging pushed the last ones past the pages page 1 announced: fetch on.
        # (Not past a page cap: a capped listing is walked on by its loader.)
        cap = getattr(walk.paginator, "max_pages", None) or math.inf
        while walk.grown is not None and walk.per_page and not getattr(walk.paginator, "capped", False):
            need = int(min(cap, math.ceil(walk.grown / walk.per_page)))
            more = getattr(remaining, "extended", None)
            if len(pages) >= need or more is None:
                break
            remaining = more(need)
            walk.last = need - 1
            bar.total = need
            pages.extend(self._fetch_concurrently(remaining, fetch, bar.update, walk.arrived, attach, first=len(pages)))

    def _page_on(
        self,
        first_spec: RequestSpec,
        walk: _Walk,
        pages: PageSet,
        fetch: Callable[[RequestSpec], Page],
        bar: Any,
        most: int | None,
    ) -> None:
        """Fetch the pages after page 1 one after another, each asking for the next, up to ``most`` pages."""
        paginator, per_page = walk.paginator, walk.per_page
        current = first_spec
        while paginator.has_next_page:
            if walk.grown is not None and per_page:
                most = max(most or 0, math.ceil(walk.grown / per_page))
            if most is not None and len(pages) >= most:
                raise PaginationError(
                    f"{walk.where}: the API promised more than {most} pages, which is all its record count "
                    f"({walk.expected}, {per_page} a page) can fill: its paging is broken."
                )
            current = current.copy()
            paginator.update_request(current)
            page = fetch(current)
            paginator.update_state(page)
            if not paginator.has_next_page:
                walk.last = len(pages)
            walk.arrived(len(pages), page)
            pages.append(self._release(page))
            bar.update(1)

    def _count_records(self, first: Page) -> int | None:
        try:
            return self._records(orjson.loads(first.content))
        except ValueError as exc:  # orjson's errors are ValueErrors too
            raise self._error(InvalidResponseError, 200, "GET", first.url, None, None, f"200 with {exc}") from None

    # ----------------------------------------------------------------- internals
    def _fetch_concurrently(
        self,
        specs: Iterable[RequestSpec],
        fetch: Callable[[RequestSpec], Page],
        advance: Callable[[int], Any],
        notify: Callable[[int, Page], Any],
        attach: Callable[[], None],
        *,
        first: int = 1,
    ) -> list[Page]:
        requests_ahead = iter(enumerate(specs, start=first))
        if self.config.max_workers == 1:
            in_order = []
            for index, spec in requests_ahead:
                page = fetch(spec)
                notify(index, page)
                in_order.append(self._release(page))
                advance(1)
            return in_order
        # The workers only fetch: the calling thread handles each page as it completes, and the cache's writer
        # stages it, so a worker's next request waits for neither. Requests are made as places free up, at most
        # twice the workers ahead: a listing that claims a million pages costs nothing until they are asked for.
        out: dict[int, Page] = {}
        pool = ThreadPoolExecutor(self.config.max_workers, thread_name_prefix="apitoolkit-page", initializer=attach)
        running: dict[Future[Page], int] = {}

        def submit_next() -> None:
            nxt = next(requests_ahead, None)
            if nxt is not None:
                running[pool.submit(fetch, nxt[1])] = nxt[0]

        try:
            for _ in range(2 * self.config.max_workers):
                submit_next()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=running.__getitem__):
                    index = running.pop(future)
                    page = future.result()
                    notify(index, page)
                    out[index] = self._release(page)
                    advance(1)
                    submit_next()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return [out[index] for index in sorted(out)]

    @staticmethod
    def _release(page: Page) -> Page:
        page.payload = None
        return page

    def _merge_expiry(self, override: float | Mapping[str, float] | None) -> dict[str, float]:
        checked = validate_expire_after(override)
        merged = dict(self.expire_after_defaults)
        merged.setdefault("default", 3600.0)
        if isinstance(checked, float):
            return dict.fromkeys(merged, checked)
        if checked:
            merged.update(checked)
        return merged

    def _records(self, payload: Any) -> int | None:
        if self.records_key is not None and not isinstance(payload, dict):
            return None
        records = payload.get(self.records_key) if self.records_key is not None else payload
        if isinstance(records, list):
            return count_objects(records)
        if isinstance(records, dict):
            return 1
        return None

    def _cacheable(self, response: requests.Response) -> bool:
        """The cache's filter: only 200s whose body is a well-formed page, never an error document.

        requests-cache calls it again after sending and on every cache hit: the body is parsed once and the
        result kept on the response, where `_interpret` picks it up.
        """
        if getattr(response, _PAYLOAD_ATTR, None) is not None:
            return True
        if response.status_code != 200:
            return False
        try:
            parsed = self.parse_page(response.content)
        except (ValueError, requests.exceptions.RequestException):
            return False
        if self.error_from_body(parsed[0]) is not None:
            return False
        setattr(response, _PAYLOAD_ATTR, parsed)
        return True

    def _interpret(self, method: str, response: requests.Response) -> Page | tuple[ApiError, float | None]:
        url = response.url or ""
        status = response.status_code
        from_cache = bool(getattr(response, "from_cache", False))
        if status == 504 and self.config.offline:
            raise OfflineError(
                f"Offline mode is on and {self.config.service.title} {scrub(redact_url(url), self.secrets)} is not in "
                "the cache: load it once online, or unset APITOOLKIT_OFFLINE."
            )
        content_type = response.headers.get("Content-Type", "")
        body = response.content
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 200:
            parsed = getattr(response, _PAYLOAD_ATTR, None)
            if parsed is None:
                try:
                    parsed = self.parse_page(body)
                except ValueError as exc:
                    kind = (
                        "an HTML page" if "html" in content_type.lower() else f"a truncated or malformed body ({exc})"
                    )
                    return self._error(InvalidResponseError, status, method, url, None, None, f"200 with {kind}"), None
            payload, records = parsed
            found = self.error_from_body(payload)
            if found is not None:
                return self._error(InvalidRequestError, status, method, url, found[0], found[1], "error document"), None
            return Page(body, payload, response.headers, from_cache, scrub(redact_url(url), self.secrets), records)
        payload, parse_error = None, None
        try:
            payload = orjson.loads(body) if body else None
        except orjson.JSONDecodeError as exc:
            parse_error = exc
        code, detail = (None, None)
        if parse_error is None and payload is not None:
            code, detail = self.error_from_body(payload) or (None, None)
        if status >= 500 or (parse_error is not None and "html" in content_type.lower()):
            cls: type[ApiError] = ServerError if status >= 500 else InvalidResponseError
            what = "an HTML error page (a proxy or gateway?)" if "html" in content_type.lower() else "a server error"
            error = self._error(cls, status, method, url, code, detail, what)
            return error, retry_after if status == 503 else None
        cls = _STATUS_ERRORS.get(status, InvalidRequestError)
        error = self._error(cls, status, method, url, code, detail, response.reason or "refused")
        if isinstance(error, RateLimitedError):
            error.retry_after = retry_after
            return error, retry_after
        return error, None

    def unreachable_hint(self) -> str:
        """What to check when nothing answers at the base URL (a service may name its own guesses)."""
        return (
            f"Check that the service is running and that {self.config.service.base_url_env} points at it. "
            f"{OFFLINE_HINT}"
        )

    def _unreachable_error(self, reason: str) -> TransportError:
        title = self.config.service.title
        host = urlsplit(self.config.base_url).netloc or self.config.base_url
        message = scrub(f"{title}: could not connect to {host} ({reason}). {self.unreachable_hint()}", self.secrets)
        return TransportError(
            message, service=self.config.service.name, url=scrub(redact_url(self.config.base_url), self.secrets)
        )

    def _error(
        self,
        cls: type[ApiError],
        status: int | None,
        method: str,
        url: str,
        code: str | None,
        detail: str | None,
        what: str,
    ) -> ApiError:
        title = self.config.service.title
        safe_url = scrub(redact_url(url), self.secrets)
        said = f" {code}:" if code else ""
        said += f" {detail}" if detail else ""
        status_text = f" {status}" if status is not None else ""
        message = f"{title}{status_text} ({what}) for {method} {safe_url}.{said} {self.hint(status)}"
        secrets = self.secrets
        return cls(
            scrub(" ".join(message.split()), secrets),
            service=self.config.service.name,
            status=status,
            code=scrub(code, secrets) if code else None,
            detail=scrub(detail, secrets) if detail else None,
            url=safe_url,
            hint=self.hint(status),
        )
