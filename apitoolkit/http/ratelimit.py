"""Per-account rate limiters shared by every thread and process: on the machine (SQLite) or on Redis (every machine)."""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from pyrate_limiter import Duration, Limiter, Rate, RateItem
from pyrate_limiter.buckets import SQLiteBucket

from apitoolkit.config import RateLimit, RedisURL

__all__ = ["shared_limiter"]


class _FreshSQLiteBucket(SQLiteBucket):
    """A `SQLiteBucket` that logs a request at the moment it is admitted, under the file lock.

    pyrate-limiter stamps a waiting request with the time it first asked plus the sleeps it planned. A process
    that then waits for the file lock (other processes hold it) or oversleeps on a busy machine would be logged
    earlier than it is sent, and the window would admit a later request too soon: 8 processes on 2 cores drew
    429s from a server enforcing the same limit.
    """

    def put(self, item: RateItem) -> bool:
        with self.lock:
            item.timestamp = self.now()
            return bool(super().put(item))


class _GatedLimiter(Limiter):
    """A limiter whose threads queue on an in-process lock before the shared file lock.

    The file lock that spans processes polls every 50 ms when it is taken, so threads of one process
    contending for it stall each other; queueing them here first leaves the file lock to other processes.
    """

    def __init__(self, argument: SQLiteBucket) -> None:
        super().__init__(argument)
        self._gate = threading.Lock()

    def try_acquire(self, name: str = "pyrate", weight: int = 1, blocking: bool = True, timeout: float = -1) -> bool:
        with self._gate:
            return bool(super().try_acquire(name, weight, blocking, timeout))


_lock = threading.Lock()
_limiters: dict[tuple[str, str, int, int], Limiter] = {}


def shared_limiter(home: Path | RedisURL, bucket: str, rate: RateLimit) -> Limiter:
    """The limiter for one account: every process that names the same home and bucket shares one budget.

    In a SQLite file, the bucket is a sliding-window log in a table guarded by a file lock, so parallel
    papermill runs on one machine together stay under the limit. On Redis, it is a sorted set
    (``apitoolkit:ratelimit:<bucket>_<limit>_<ms>``) checked and filled by one Lua script, so processes on
    every machine using that server share the budget. Within a process the limiter is reused.

    Args:
        home: The SQLite file holding the request log, or the Redis server.
        bucket: The account's table name (letters, digits and ``_`` only).
        rate: Requests allowed per period.

    Raises:
        ConfigurationError, CacheError: Redis without the redis package, or unreachable.

    Example:
        >>> lim = shared_limiter(Path("/tmp/rl.sqlite"), "demo", RateLimit(10, 1.0))  # doctest: +SKIP
        >>> lim.try_acquire("demo")  # doctest: +SKIP
        True
    """
    if not bucket.replace("_", "").isalnum():
        raise ValueError(f"bucket name {bucket!r} must be alphanumeric")
    # A request admitted here reaches the server a little later, and network jitter can bunch arrivals:
    # the window is 1% + 250 ms longer than the API's, so the server never counts one request too many.
    # (8 processes on 2 cores, all admitted from one budget, reached the server up to 35 ms out of step.)
    period_ms = round(rate.period * Duration.SECOND * 1.01) + 250
    where = home.url if isinstance(home, RedisURL) else str(home)
    key = (where, bucket, rate.limit, period_ms)
    with _lock:
        limiter = _limiters.get(key)
        if limiter is None:
            if isinstance(home, RedisURL):
                limiter = _redis_limiter(home, f"{bucket}_{rate.limit}_{period_ms}", rate.limit, period_ms)
            else:
                home.parent.mkdir(parents=True, exist_ok=True)
                sqlite_bucket = _FreshSQLiteBucket.init_from_file(
                    [Rate(rate.limit, period_ms)],
                    table=f"rl_{bucket}_{rate.limit}_{period_ms}",
                    db_path=str(home),
                    use_file_lock=True,
                )
                limiter = _GatedLimiter(sqlite_bucket)
            _limiters[key] = limiter
        return limiter


def _redis_limiter(url: RedisURL, name: str, limit: int, period_ms: int) -> Limiter:
    from apitoolkit.stores.redis import connect, ratelimit_key, redis_errors

    connection = connect(url)  # first: without the redis package it names the extra to install
    from apitoolkit.http.redisbucket import redis_limiter

    with redis_errors(url):
        return redis_limiter(connection, ratelimit_key(name), limit, period_ms)


@atexit.register
def _close_all() -> None:
    with _lock:
        for limiter in _limiters.values():
            limiter.close()
        _limiters.clear()
