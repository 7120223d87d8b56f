"""The cache on a Redis server: connections with clear errors, the key layout, frames as hashes, listing and clearing.

Every machine that names the same server (``APITOOLKIT_CACHE=redis://host:port/db``) shares one cache and
one rate-limit budget per account. Keys (``<account>`` is the keyed hash `account_namespace`)::

    apitoolkit:http:<service>-<account>:<request key>
        an HTTP response (requests-cache RedisCache, pickled), credentials stripped; TTL expiry + 1 h
    apitoolkit:http:<service>-<account>-redirects
        requests-cache's redirect aliases (a hash)
    apitoolkit:frames:<service>-<account>:<resource>-<query>
        a frame: a hash of ``meta`` (JSON: stored_at, expires_at, extra) and ``data`` (parquet)
    apitoolkit:snapshots:hitask-<account>:items
        the Hitask snapshot: ``meta`` (with the cursor) and ``data`` (Arrow IPC)
    apitoolkit:ratelimit:<service>_<account>_<limit>_<window ms>
        the rate-limit log (pyrate-limiter RedisBucket: a sorted set, checked and filled by one Lua script)
    apitoolkit:locks:<service>-<account>:<resource>-<query>
        a single-flight lock (`apitoolkit.stores.locks`): a token with a lease, renewed while held

A frame's expiry is in its metadata, as in a file, so an expired frame still serves offline mode and the
stale fallback; Redis deletes it `STALE_RETENTION` after it expired. An entry is written in one MULTI
(DEL, HSET meta+data, PEXPIREAT) and read in one HMGET, so no reader sees half of one.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pyarrow as pa

from apitoolkit.config import RedisURL
from apitoolkit.exceptions import CacheError, ConfigurationError
from apitoolkit.stores.tables import read_table, write_table

if TYPE_CHECKING:
    from redis import Redis

__all__ = [
    "PREFIX",
    "STALE_RETENTION",
    "RedisStore",
    "clear",
    "connect",
    "http_namespace",
    "ratelimit_key",
    "redis_errors",
    "usage",
]

PREFIX = "apitoolkit"
#: Seconds an expired frame or snapshot stays in Redis for offline mode and the stale fallback.
STALE_RETENTION = 30 * 86400.0
_KINDS = ("http", "frames", "snapshots")
_BATCH = 500

_lock = threading.Lock()
_clients: dict[str, Redis] = {}


def http_namespace(service: str, account: str) -> str:
    """The requests-cache namespace of an account's HTTP responses.

    Example:
        >>> http_namespace("itglue", "0123")
        'apitoolkit:http:itglue-0123'
    """
    return f"{PREFIX}:http:{service}-{account}"


def ratelimit_key(bucket: str) -> str:
    """The sorted set holding one rate-limit bucket's request log.

    Example:
        >>> ratelimit_key("itglue_0123_3000_303050")
        'apitoolkit:ratelimit:itglue_0123_3000_303050'
    """
    return f"{PREFIX}:ratelimit:{bucket}"


def _secrets(url: RedisURL) -> list[str]:
    parts = urlsplit(url.url)
    found = [parts.password or "", parts.username or "", *parse_qs(parts.query).get("password", [])]
    return [s for s in found if s]


@contextlib.contextmanager
def redis_errors(url: RedisURL) -> Iterator[None]:
    """Turn the redis client's errors into `CacheError` (or `ConfigurationError` for refused credentials).

    The message names host and port, never the password, and says what to do; the redis traceback is dropped.

    Example:
        >>> import redis
        >>> with redis_errors(RedisURL("redis://localhost:1/0")):  # doctest: +ELLIPSIS
        ...     raise redis.ConnectionError("Error 111 connecting to localhost:1. Connection refused.")
        Traceback (most recent call last):
        ...
        apitoolkit.exceptions.CacheError: Could not reach the Redis cache at localhost:1 (db 0): Error 111 ...
    """
    import redis

    where = f"{url.host}:{url.port} (db {url.db})"
    try:
        yield
    except redis.AuthenticationError:
        raise ConfigurationError(
            f"The Redis server at {where} refused the credentials in APITOOLKIT_CACHE ({url}): "
            "give its password as redis://:PASSWORD@host:port/db (or user:PASSWORD@ for an ACL user)."
        ) from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise CacheError(
            f"Could not reach the Redis cache at {where}: {_said(exc, url)}. Start Redis there or fix "
            "APITOOLKIT_CACHE; to work without it, set APITOOLKIT_CACHE to a directory or to 'off'."
        ) from None
    except redis.RedisError as exc:
        raise CacheError(
            f"The Redis cache at {where} failed: {_said(exc, url)}. Check the server's memory limit and logs, "
            "or set APITOOLKIT_CACHE to a directory."
        ) from None


def _said(exc: Exception, url: RedisURL) -> str:
    text = " ".join(str(exc).split()).rstrip(".") or type(exc).__name__
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return text


def connect(url: RedisURL) -> Redis:
    """The process's client of a Redis server (one connection pool per URL), checked with a PING when first made.

    Raises:
        ConfigurationError: The redis package is missing, or the server refused the credentials.
        CacheError: The server cannot be reached.

    Example:
        >>> connect(RedisURL("redis://localhost:6379/0")).ping()  # needs a Redis server  # doctest: +SKIP
        True
    """
    try:
        import redis
    except ImportError:
        raise ConfigurationError(
            f"APITOOLKIT_CACHE is a Redis URL ({url}) but the redis package is not installed: "
            "pip install 'apitoolkit[redis]', or set APITOOLKIT_CACHE to a directory."
        ) from None
    with _lock:
        client = _clients.get(url.url)
        if client is None:
            client = redis.Redis.from_url(
                url.url, socket_connect_timeout=5, socket_timeout=60, health_check_interval=30
            )
            with redis_errors(url):
                client.ping()
            _clients[url.url] = client
        return client


class RedisStore:
    """Entries as Redis hashes ``apitoolkit:<area>:<name>:<key>`` holding ``meta`` (JSON) and ``data`` (bytes).

    Example:
        >>> store = RedisStore(RedisURL("redis://localhost/0"), "frames", "itglue-0123")  # Redis  # doctest: +SKIP
        >>> store.where  # doctest: +SKIP
        'redis://localhost:6379/0 apitoolkit:frames:itglue-0123:*'
    """

    def __init__(self, url: RedisURL, area: str, name: str, *, fmt: str = "parquet") -> None:
        self.url = url
        self.fmt = fmt
        self.prefix = f"{PREFIX}:{area}:{name}:"
        self.where = f"{url} {self.prefix}*"
        self._redis = connect(url)

    def key(self, key: str) -> str:
        """The Redis key of an entry."""
        return self.prefix + key

    def read(self, key: str) -> tuple[pa.Table, dict[str, Any]] | None:
        """The table and metadata of an entry, read in one HMGET; None when absent."""
        with redis_errors(self.url):
            meta, data = self._redis.hmget(self.key(key), ["meta", "data"])
        if meta is None or data is None:
            return None
        return read_table(pa.BufferReader(data), self.fmt), orjson.loads(meta)

    def read_meta(self, key: str) -> dict[str, Any] | None:
        """The metadata alone (one HGET)."""
        with redis_errors(self.url):
            meta = self._redis.hget(self.key(key), "meta")
        if meta is None:
            return None
        found: dict[str, Any] = orjson.loads(meta)
        return found

    def write(self, key: str, table: pa.Table, meta: dict[str, Any]) -> None:
        """Replace the entry in one MULTI: DEL, HSET of ``meta`` and ``data``, PEXPIREAT after the retention."""
        sink = pa.BufferOutputStream()
        write_table(table, sink, self.fmt)
        data = sink.getvalue()
        drop_at = round((float(meta["expires_at"]) + STALE_RETENTION) * 1000)
        name = self.key(key)
        with redis_errors(self.url), self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(name)
            pipe.hset(name, mapping={"meta": orjson.dumps(meta), "data": memoryview(data)})
            pipe.pexpireat(name, drop_at)
            pipe.execute()

    def exists(self, key: str) -> bool:
        """Whether the entry exists."""
        with redis_errors(self.url):
            return bool(self._redis.exists(self.key(key)))


def _batches(keys: Iterator[Any]) -> Iterator[list[Any]]:
    while batch := list(islice(keys, _BATCH)):
        yield batch


def _group(key: bytes) -> str:
    name = key.decode(errors="replace").split(":")[2]
    return name.removesuffix("-redirects")


def usage(url: RedisURL) -> list[dict[str, Any]]:
    """One row per account and kind in a Redis cache, found with SCAN (see `apitoolkit.stores.usage`).

    ``bytes`` is Redis's MEMORY USAGE; ``updated`` is a frame's ``stored_at``, and for HTTP responses the last
    time Redis saw the key used (OBJECT IDLETIME).
    """
    client = connect(url)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    now = time.time()
    with redis_errors(url):
        for kind in _KINDS:
            for batch in _batches(client.scan_iter(match=f"{PREFIX}:{kind}:*", count=_BATCH)):
                with client.pipeline(transaction=False) as pipe:
                    for name in batch:
                        pipe.memory_usage(name)
                        if kind == "http":
                            pipe.object("idletime", name)
                        else:
                            pipe.hget(name, "meta")
                    replies = pipe.execute(raise_on_error=False)
                for name, size, stamp in zip(batch, replies[::2], replies[1::2], strict=True):
                    group = groups.setdefault((kind, _group(name)), {"files": 0, "bytes": 0, "updated": 0.0})
                    group["files"] += 1
                    group["bytes"] += size if isinstance(size, int) else 0
                    group["updated"] = max(group["updated"], _written(kind, stamp, now))
    rows = []
    for (kind, name), group in sorted(groups.items(), key=lambda item: (_KINDS.index(item[0][0]), item[0][1])):
        service, _, account = name.partition("-")
        sep = "" if kind == "http" else ":"
        rows.append(
            {"service": service, "account": account, "kind": kind, **group, "path": f"{PREFIX}:{kind}:{name}{sep}*"}
        )
    return rows


def _written(kind: str, stamp: Any, now: float) -> float:
    if isinstance(stamp, Exception) or stamp is None:
        return 0.0
    if kind == "http":
        return now - float(stamp)
    try:
        return float(orjson.loads(stamp)["stored_at"])
    except (ValueError, KeyError, TypeError):
        return 0.0


def clear(url: RedisURL, service: str | None) -> int:
    """Delete (UNLINK, in SCAN batches) the HTTP responses, frames and snapshots of one service, or all."""
    client = connect(url)
    freed = 0
    who = f"{service}-*" if service else "*"
    with redis_errors(url):
        for kind in _KINDS:
            for batch in _batches(client.scan_iter(match=f"{PREFIX}:{kind}:{who}", count=_BATCH)):
                with client.pipeline(transaction=False) as pipe:
                    for name in batch:
                        pipe.memory_usage(name)
                    pipe.unlink(*batch)
                    replies = pipe.execute(raise_on_error=False)
                freed += sum(size for size in replies[:-1] if isinstance(size, int))
    return freed
