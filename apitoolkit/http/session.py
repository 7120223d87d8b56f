"""The one session factory: HTTP cache outermost (hits cost no budget), then the shared rate limiter.

Every request a client sends passes through here:

1. credential header names are lower-cased, so the cache's exact-match redaction always applies;
2. requests-cache answers from the account's own SQLite file (WAL), or its own namespace on Redis when
   ``APITOOLKIT_CACHE`` is a ``redis://`` URL, when it can; credentials are stripped from the stored
   request, URL and headers, and only responses the client's ``accept`` callback approves (a 200 with a
   well-formed body) are written;
3. on a miss, the account's limiter (shared across processes, or machines on Redis) admits the request;
4. requests sends it, and reads the body in one call (`WholeBodyAdapter`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from requests_cache import BaseCache, CacheMixin, SQLiteCache
from requests_ratelimiter import LimiterMixin

from apitoolkit.config import ClientConfig, RedisURL
from apitoolkit.exceptions import CacheError
from apitoolkit.http.backends import RedisHttpCache, SQLiteHttpCache
from apitoolkit.http.ratelimit import shared_limiter
from apitoolkit.http.readonly import ReadOnlyHttpCache
from apitoolkit.http.redaction import cache_ignored_parameters, canonicalize_headers
from apitoolkit.http.redirects import SameOriginRedirects
from apitoolkit.http.transport import WholeBodyAdapter
from apitoolkit.stores.faults import cache_error, ensure_directory, file_errors, writable
from apitoolkit.stores.sqlite import check_sqlite, file_identity, open_sqlite, require_tables, sqlite_errors

__all__ = [
    "LimitedSession",
    "ToolkitSession",
    "WholeBodyAdapter",
    "account_namespace",
    "http_cache_path",
    "make_session",
]

# The key of the keyed hash that names an account's cache. It is not a secret: it only makes the file names
# specific to apitoolkit. What protects the credential is that it is never stored.
_NAMESPACE_KEY = b"apitoolkit/account-namespace/v1"


def account_namespace(service: str, base_url: str, credentials: dict[str, str] | Any) -> str:
    """A short keyed hash of service, base URL and credential values: one cache namespace per account.

    Example:
        >>> a = account_namespace("itglue", "https://api.itglue.com", {"api_key": "A"})
        >>> b = account_namespace("itglue", "https://api.itglue.com", {"api_key": "B"})
        >>> a != b and len(a) == 20
        True
    """
    material = "\n".join([service, base_url.rstrip("/"), *(f"{k}={credentials[k]}" for k in sorted(credentials))])
    return hmac.new(_NAMESPACE_KEY, material.encode(), hashlib.sha256).hexdigest()[:20]


def http_cache_path(cache_dir: Path, service: str, namespace: str) -> Path:
    """Where an account's HTTP cache lives."""
    return cache_dir / "http" / f"{service}-{namespace}.sqlite"


class _CanonicalHeadersMixin:
    #: Wraps every send: turns the cache store's own errors (Redis unreachable, an SQLite file full or damaged)
    #: into `CacheError` naming the store.
    store_errors: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        canonicalize_headers(request.headers)
        with self.store_errors():
            return super().send(request, **kwargs)  # type: ignore[misc]


class ToolkitSession(_CanonicalHeadersMixin, SameOriginRedirects, CacheMixin, LimiterMixin, requests.Session):  # type: ignore[misc]
    """A requests session with the account's cache in front of its rate limiter."""


class LimitedSession(_CanonicalHeadersMixin, SameOriginRedirects, LimiterMixin, requests.Session):
    """A rate-limited session without a cache (``APITOOLKIT_CACHE=off``)."""

    #: Present so callers can treat both kinds alike.
    cache = None


def _limiter_home(config: ClientConfig) -> Path | RedisURL:
    if config.cache.redis is not None:
        return config.cache.redis
    if config.cache.path is not None:
        return config.cache.path / "ratelimit.sqlite"
    import platformdirs

    return Path(platformdirs.user_cache_dir("apitoolkit")) / "ratelimit.sqlite"


def _http_cache(config: ClientConfig, namespace: str) -> BaseCache:
    if config.cache.redis is not None:
        from apitoolkit.stores.redis import connect, http_namespace

        return RedisHttpCache(http_namespace(config.service.name, namespace), connection=connect(config.cache.redis))
    assert config.cache.path is not None
    path = http_cache_path(config.cache.path, config.service.name, namespace)
    if config.offline and not writable(path):
        return _read_only_http_cache(path)
    ensure_directory(path.parent, what="the HTTP cache directory")
    if not writable(path):
        raise CacheError(
            f"Could not write the HTTP cache {path} (its directory is read-only): fix the permissions, set "
            "APITOOLKIT_CACHE to a writable directory, or set APITOOLKIT_OFFLINE=1 (--offline on the command line) "
            "to read what the cache holds."
        )
    return open_sqlite(
        path, lambda: _sqlite_http_cache(path), what="the HTTP cache", lost="its responses are fetched again"
    )


def _sqlite_http_cache(path: Path) -> SQLiteHttpCache:
    """The `SQLiteHttpCache` of ``path``, with its tables: raises why they could not be created (a full disk)."""
    cache = SQLiteHttpCache(path)
    require_tables(path, "responses", "redirects")
    return cache


def _read_only_http_cache(path: Path) -> BaseCache:
    """Offline, on a cache apitoolkit may not write: its file read as it stands, or an empty cache without one."""
    with file_errors(path, doing="read the HTTP cache"):
        present = path.is_file()
    if not present:
        return BaseCache(cache_name=str(path))  # in memory: every request misses, so offline it is an OfflineError
    try:
        check_sqlite(path, what="the HTTP cache", read_only=True)
    except sqlite3.Error as damaged:  # and it cannot be moved aside
        raise cache_error(path, damaged, doing="read the HTTP cache") from None
    return ReadOnlyHttpCache(path)


def _sqlite_store_errors(path: Path) -> Callable[[], contextlib.AbstractContextManager[object]]:
    """What wraps each send of a session on the SQLite file ``path``: its errors become `CacheError`s."""
    return functools.partial(sqlite_errors, path, what="the HTTP cache", opened=file_identity(path))


def make_session(
    config: ClientConfig,
    *,
    namespace: str,
    accept: Callable[[requests.Response], bool],
    expire_after: float = 3600.0,
) -> requests.Session:
    """Build the session a client sends everything through.

    Args:
        config: The resolved client settings.
        namespace: The account namespace (`account_namespace`).
        accept: Called with each new response; only those it approves are cached.
        expire_after: Default seconds a cached response stays fresh; requests may override it.

    Example:
        >>> from apitoolkit.config import resolve_config
        >>> cfg = resolve_config("itglue", credentials={"api_key": "k"}, cache="off")
        >>> s = make_session(cfg, namespace="x", accept=lambda r: True)
        >>> s.get_adapter("https://api.itglue.com").max_retries.total  # the client retries, not urllib3
        0
    """
    limiter = shared_limiter(_limiter_home(config), f"{config.service.name}_{namespace}", config.rate_limit)
    limiter_kwargs: dict[str, Any] = {
        "limiter": limiter,
        "per_host": False,
        "bucket_name": f"{config.service.name}_{namespace}",
        "limit_statuses": (),
    }
    session: ToolkitSession | LimitedSession
    if not config.cache.enabled:
        session = LimitedSession(**limiter_kwargs)
    else:
        session = ToolkitSession(
            backend=_http_cache(config, namespace),
            expire_after=expire_after,
            allowable_codes=(200,),
            allowable_methods=("GET",),
            ignored_parameters=cache_ignored_parameters(),
            match_headers=False,
            stale_if_error=False,
            filter_fn=accept,
            **limiter_kwargs,
        )
    if config.cache.redis is not None:
        from apitoolkit.stores.redis import redis_errors

        session.store_errors = functools.partial(redis_errors, config.cache.redis)
    elif isinstance(http_cache := getattr(session, "cache", None), SQLiteCache):
        session.store_errors = _sqlite_store_errors(Path(http_cache.db_path))
    session.headers["User-Agent"] = "apitoolkit (+https://pypi.org/project/apitoolkit)"
    for prefix in ("http://", "https://"):
        session.mount(prefix, WholeBodyAdapter(max_body_size=config.max_body_size))
    return session
