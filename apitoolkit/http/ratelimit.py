"""Per-account rate limiters shared by every thread and process: on the machine (SQLite) or on Redis (every machine)."""

from __future__ import annotations

import atexit
import sqlite3
import threading
from pathlib import Path
from typing import Any

from pyrate_limiter import Duration, Limiter, Rate, RateItem
from pyrate_limiter.buckets import SQLiteBucket
from pyrate_limiter.buckets.sqlite_bucket import Queries

from apitoolkit.config import RateLimit, RedisURL
from apitoolkit.stores.faults import ensure_directory, file_errors
from apitoolkit.stores.sqlite import open_sqlite

__all__ = ["shared_limiter"]


class _FreshSQLiteBucket(SQLiteBucket):
    """A `SQLiteBucket` that logs a request at the moment it is admitted, under the file lock.

    pyrate-limiter stamps a waiting request with the time it first asked plus the sleeps it planned. A process
    that then waits for the file lock (other processes hold it) or oversleeps on a busy machine would be logged
    earlier than it is sent, and the window would admit a later request too soon: 8 processes on 2 cores drew
    429s from a server enforcing the same limit.

    Built with a ``path`` and no connection (`open_log`), it opens its file when a request is first admitted: a
    client that never sends one (offline, every answer cached) never touches it, so a read-only cache serves.
    """

    _conn: sqlite3.Connection | None = None
    _closed = False

    def __init__(self, *args: Any, path: Path | None = None, **kwargs: Any) -> None:
        self.path = path
        self._opening = threading.Lock()
        super().__init__(*args, **kwargs)

    @classmethod
    def open_log(cls, rates: list[Rate], path: Path, table: str) -> _FreshSQLiteBucket:
        """A bucket of the log ``path`` (table ``table``), opened on first use, guarded by ``<path>.lock``."""
        from filelock import FileLock

        return cls(rates, None, table, lock=FileLock(f"{path}.lock"), path=path)

    @property  # type: ignore[override]
    def conn(self) -> sqlite3.Connection | None:
        """The log's connection, opened (under the file lock) when first needed."""
        if self._conn is None and self.path is not None and not self._closed:
            with self._opening:
                if self._conn is None:
                    self._conn = self._open(self.path)
        return self._conn

    @conn.setter
    def conn(self, value: sqlite3.Connection | None) -> None:
        self._conn = value

    def _open(self, path: Path) -> sqlite3.Connection:
        ensure_directory(path.parent)
        with self.lock:
            return open_sqlite(
                path,
                lambda: self._connect(path),
                what="the rate-limit log",
                lost="the requests it counted are forgotten",
                locked=True,
            )

    def _connect(self, path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(Queries.CREATE_BUCKET_TABLE.format(table=self.table))
            index = f"idx_{self.table}_rate_item_timestamp"
            connection.execute(Queries.CREATE_INDEX_ON_TIMESTAMP.format(index_name=index, table_name=self.table))
            connection.commit()
        except BaseException:
            connection.close()
            raise
        return connection

    def leak(self, current_timestamp: int | None = None) -> int:
        if self._conn is None:  # nothing logged from here yet: other processes leak theirs
            return 0
        return int(super().leak(current_timestamp))

    def close(self) -> None:
        self._closed = True
        if self._conn is not None:
            super().close()

    def put(self, item: RateItem) -> bool:
        with self.lock:
            item.timestamp = self.now()
            return bool(super().put(item))


class _GatedLimiter(Limiter):
    """A limiter whose threads queue on an in-process lock before the shared file lock.

    The file lock that spans processes polls every 50 ms when it is taken, so threads of one process
    contending for it stall each other; queueing them here first leaves the file lock to other processes.
    """

    def __init__(self, argument: SQLiteBucket, path: Path) -> None:
        super().__init__(argument)
        self._gate = threading.Lock()
        self.path = path

    def try_acquire(self, name: str = "pyrate", weight: int = 1, blocking: bool = True, timeout: float = -1) -> bool:
        """Admit one request; a log that cannot be opened, locked or written raises `CacheError` naming it."""
        with self._gate, file_errors(self.path, doing="use the rate-limit log"):
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

    The SQLite log is opened when a request is first admitted (a client that sends nothing never touches it);
    a damaged log is moved aside with a `CacheWarning` and started anew, and one that cannot be opened, locked
    or written makes the limiter's ``try_acquire`` raise `CacheError` naming it.

    Raises:
        ConfigurationError, CacheError: Redis without the redis package, or unreachable.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     lim = shared_limiter(Path(folder, "rl.sqlite"), "demo", RateLimit(10, 1.0))
        ...     lim.try_acquire("demo")
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
                table = f"rl_{bucket}_{rate.limit}_{period_ms}"
                log = _FreshSQLiteBucket.open_log([Rate(rate.limit, period_ms)], home, table)
                limiter = _GatedLimiter(log, home)
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
