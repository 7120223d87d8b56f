"""The HTTP cache's stores: SQLite read from every thread at once, and writes that can be handed to a writer.

A cold listing is paged by several workers, each waiting on the network most of the time. Two things used to
sit on every worker's path between one page and the next request: writing the page to the cache, and, while
another worker wrote, waiting to look the next page up (requests-cache shares one SQLite connection between
threads, so a lookup queued behind a 500 KB commit). Here:

- `SQLiteHttpCache` looks up through a pool of connections of its own; with WAL, readers never wait for the
  writer.
- `WriteBehind` (mixed into both stores) lets a listing's page workers hand their responses to one writer
  thread (`write_behind`), which stores them while the workers send their next requests. Leaving the
  ``with`` block waits until everything handed over is stored, so a listing returns only once its pages are
  in the cache, as before; a store that fails raises `CacheError` there.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import requests
from requests_cache import BaseCache, RedisCache, SQLiteCache
from requests_cache.backends.sqlite import SQLiteDict
from requests_cache.models import CachedResponse

from apitoolkit.exceptions import ApiToolkitError, CacheError

__all__ = ["RedisHttpCache", "SQLiteHttpCache", "WriteBehind"]

_STOP = object()
#: Responses handed to a writer and not stored yet, at most.
_BACKLOG = 8


class _Writer:
    """One thread running the stores it is handed, in order; keeps the first failure for `close`."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        # Bounded: a worker that gets ahead of the writer waits, rather than piling responses up in memory.
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_BACKLOG)
        self._thread = threading.Thread(target=self._run, name="apitoolkit-cache-writer", daemon=True)
        self._thread.start()

    def put(self, store: Callable[[], object]) -> None:
        self._queue.put(store)

    def close(self) -> BaseException | None:
        """Run everything handed over, stop the thread; return the first failure."""
        self._queue.put(_STOP)
        self._thread.join()
        return self.error

    def _run(self) -> None:
        while (store := self._queue.get()) is not _STOP:
            if self.error is None:  # after a failure, drain without storing: the listing will raise
                try:
                    store()
                except Exception as exc:  # handed to the listing's thread by close()
                    self.error = exc


class WriteBehind:
    """A requests-cache backend mixin: saves from threads attached to a writer go through it.

    Example:
        >>> with cache.write_behind() as attach:  # doctest: +SKIP
        ...     with ThreadPoolExecutor(4, initializer=attach) as pool:
        ...         pages = list(pool.map(fetch, specs))
        ... # here every response the workers fetched is stored
    """

    #: What a failed store names, and what it suggests.
    where: str = "the HTTP cache"
    store_hint: str = "Check free disk space and permissions, or set APITOOLKIT_CACHE to another directory."

    @property
    def _attached(self) -> threading.local:
        local = self.__dict__.get("_attached_writers")
        if local is None:
            local = self.__dict__.setdefault("_attached_writers", threading.local())
        return local

    @contextlib.contextmanager
    def write_behind(self) -> Iterator[Callable[[], None]]:
        """A writer for one batch of requests; yields the function that attaches the calling thread to it.

        Raises:
            CacheError: On leaving, when a response could not be stored (unless the block itself raised).
        """
        writer = _Writer()

        def attach() -> None:
            self._attached.writer = writer

        try:
            yield attach
        except BaseException:
            writer.close()  # the block's own error is the one to report
            raise
        error = writer.close()
        if error is not None:
            raise self._store_failed(error) from None

    def save_response(
        self, response: requests.Response, cache_key: str | None = None, expires: datetime | None = None
    ) -> None:
        writer: _Writer | None = getattr(self._attached, "writer", None)
        if writer is None:
            try:
                super().save_response(response, cache_key, expires)  # type: ignore[misc]
            except (sqlite3.Error, OSError) as exc:
                raise self._store_failed(exc) from None
            return
        # Copy now, in the worker (cheap; the caller goes on using the response); store later, in the writer.
        copied = CachedResponse.from_response(response, expires=expires)
        writer.put(lambda: super(WriteBehind, self).save_response(copied, cache_key, expires))  # type: ignore[misc]

    def _store_failed(self, error: BaseException) -> BaseException:
        if isinstance(error, ApiToolkitError):
            return error
        what = f"{type(error).__name__}: {error}"
        return CacheError(f"Could not store a response in {self.where} ({what}). {self.store_hint}")


class _ThreadReadTable(SQLiteDict):
    """requests-cache's SQLite table, but each lookup borrows a connection of its own from a small pool.

    requests-cache shares one connection between threads, and a connection runs one statement at a time: a
    lookup waited for any commit in progress. With WAL, separate connections read while another writes. The
    pool holds as many connections as lookups ever ran at once (page workers come and go with each listing).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._readers_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._opened: list[sqlite3.Connection] = []

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        with self._readers_lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout={self.busy_timeout or 60_000}")
            with self._readers_lock:
                self._opened.append(connection)
        try:
            yield connection
        finally:
            with self._readers_lock:
                if any(connection is c for c in self._opened):  # not closed meanwhile
                    self._idle.append(connection)

    def __getitem__(self, key: str) -> Any:
        with self._reader() as connection:
            row = connection.execute(f"SELECT value FROM {self.table_name} WHERE key=?", (key,)).fetchone()
        if not row:
            raise KeyError(key)
        return self.deserialize(key, row[0])

    def close(self) -> None:
        super().close()
        readers_lock = self.__dict__.get("_readers_lock")  # close() runs in the base __init__, before ours
        if readers_lock is None:
            return
        with readers_lock:
            opened, self._opened, self._idle = self._opened, [], []
        for connection in opened:
            connection.close()


class SQLiteHttpCache(WriteBehind, SQLiteCache):
    """The account's HTTP cache in one SQLite file (WAL; synchronous=NORMAL): per-thread reads, write-behind.

    Example:
        >>> cache = SQLiteHttpCache(tmp_path / "itglue-0123.sqlite")  # doctest: +SKIP
    """

    def __init__(self, db_path: str | Any) -> None:
        # SQLiteCache's own tables, built with the table class above (its __init__ would build and open others).
        BaseCache.__init__(self, cache_name=str(db_path))
        options: dict[str, Any] = {"wal": True, "busy_timeout": 60_000}  # WAL implies synchronous=NORMAL
        self.responses = _ThreadReadTable(db_path, table_name="responses", **options)
        self.redirects = _ThreadReadTable(
            db_path, table_name="redirects", lock=self.responses._lock, serializer=None, **options
        )
        self.where = f"the HTTP cache at {db_path}"


class RedisHttpCache(WriteBehind, RedisCache):
    """The account's HTTP cache in its own Redis namespace, with write-behind."""

    where = "the HTTP cache on Redis"
    store_hint = "Check that Redis is reachable and has memory left (maxmemory), or set APITOOLKIT_CACHE to a folder."
