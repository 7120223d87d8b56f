"""The HTTP cache's stores: SQLite read from every thread at once, and a listing's writes staged, then committed.

A cold listing is paged by several workers, each waiting on the network most of the time. Two things used to
sit on every worker's path between one page and the next request: writing the page to the cache, and, while
another worker wrote, waiting to look the next page up (requests-cache shares one SQLite connection between
threads, so a lookup queued behind a 500 KB commit). And a listing that failed half way left the cache half
new: pages 1-6 of the new version, page 7 deleted (requests-cache deletes a cached response when a fresh
answer is refused), pages 8-10 new. Here:

- `SQLiteHttpCache` looks up through a pool of connections of its own; with WAL, readers never wait for the
  writer.
- `StagedWrites` (mixed into both stores) gives a listing a stage (`staged`): the responses its threads save,
  and the deletes requests-cache asks for, go to one writer thread, which puts each response in a staging
  area (a table of the SQLite file, keys of their own on Redis) while the workers send their next requests.
  Leaving the ``with`` block normally commits the stage in one transaction (SQLite) or one MULTI/EXEC (Redis):
  every page of the listing becomes visible at once. Leaving it with an error discards the stage: the cache
  is exactly as it was before the listing began.
- Every response stored, staged or not, is redacted first: credential headers, query parameters and URL user
  info are removed from the response, its request, and every response and request of its redirect history.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from requests_cache import BaseCache, RedisCache, SQLiteCache
from requests_cache.backends.sqlite import SQLiteDict
from requests_cache.cache_keys import redact_response
from requests_cache.models import CachedResponse

from apitoolkit.exceptions import ApiToolkitError, CacheError
from apitoolkit.http.redaction import redact_body, redact_url
from apitoolkit.stores.faults import cache_error

__all__ = ["RedisHttpCache", "SQLiteHttpCache", "StagedWrites"]

_STOP = object()
#: Responses handed to a writer and not staged yet, at most.
_BACKLOG = 8
#: Staged entries older than this were left by a process that died mid-listing; they are swept away.
_ABANDONED_AFTER = 86_400.0
_LOCATION_HEADERS = ("Location", "Content-Location")


class _Stage:
    """One listing's writes: a thread stages them in order, then commits or discards them all.

    ``ops`` keeps the last operation per cache key (``("put", expires)`` or ``("delete", None)``): a page that
    failed once (requests-cache asked to delete it) and then arrived counts as put.
    """

    def __init__(self, cache: StagedWrites) -> None:
        self.cache = cache
        self.token = uuid.uuid4().hex
        self.ops: dict[str, tuple[str, datetime | None]] = {}
        self.staged: set[str] = set()
        self.redirects: dict[str, str] = {}
        self.error: BaseException | None = None
        self.state: Any = None  # the store's own handle (its connection), opened by the writer thread
        #: The commit's copy is done, in an open transaction that only its COMMIT (or a ROLLBACK) ends.
        self.prepared = False
        # Bounded: a worker that gets ahead of the writer waits, rather than piling responses up in memory.
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_BACKLOG)
        self._thread = threading.Thread(target=self._run, name="apitoolkit-cache-writer", daemon=True)
        self._thread.start()

    def put(self, key: str, response: CachedResponse, aliases: list[str]) -> None:
        self._queue.put(lambda: self._put(key, response, aliases))

    def delete(self, key: str) -> None:
        self._queue.put(lambda: self._op(key, ("delete", None)))

    def prepare(self) -> None:
        """Start the commit's work now (while the caller builds its frame); it takes effect only at `close`."""
        self._queue.put(self._prepare)

    def close(self, *, commit: bool) -> BaseException | None:
        """Commit (or discard) everything handed over; return the first failure.

        Returns once the commit is durable, or the stage is discarded and its copies removed (a committed
        stage's copies are marked done and swept by the next listing, `_sweep`).
        """
        self._queue.put(self._commit if commit else self._discard)
        self._queue.put(_STOP)
        self._thread.join()  # nothing of the stage touches the file once the caller goes on
        return self.error

    def _op(self, key: str, op: tuple[str, datetime | None]) -> None:
        if self.prepared:  # more came after all: the prepared copy is out of date
            self.cache._rollback_stage(self)
            self.prepared = False
        self.ops[key] = op

    def _put(self, key: str, response: CachedResponse, aliases: list[str]) -> None:
        self._op(key, ("put", response.expires))
        self.cache._stage_response(self, key, response)
        self.staged.add(key)
        for alias in aliases:
            self.redirects[alias] = key

    def _changes(self) -> tuple[dict[str, datetime | None], list[str]]:
        puts = {k: expires for k, (op, expires) in self.ops.items() if op == "put"}
        return puts, [k for k, (op, _) in self.ops.items() if op == "delete"]

    def _prepare(self) -> None:
        puts, deletes = self._changes()
        if not self.prepared and (puts or deletes or self.redirects):
            self.cache._prepare_stage(self, puts, deletes)
            self.prepared = True

    def _commit(self) -> None:
        if self.error is not None:
            self._discard()
            return
        self._prepare()
        if self.prepared:
            self.cache._commit_prepared(self)
            self.prepared = False

    def _discard(self) -> None:
        try:
            if self.prepared:
                self.cache._rollback_stage(self)
                self.prepared = False
        except Exception as exc:
            self.error = self.error or exc

    def _run(self) -> None:
        try:
            while (task := self._queue.get()) is not _STOP:
                if self.error is None or task in (self._commit, self._discard):
                    try:
                        task()
                    except Exception as exc:  # handed to the listing's thread by close()
                        self.error = self.error or exc
        finally:
            try:
                if self.staged:
                    self.cache._discard_stage(self)
            except Exception:  # a leftover stage is swept when the cache is next opened
                pass
            finally:
                self.cache._close_stage(self)


def _redact_location(response: CachedResponse) -> None:
    for name in _LOCATION_HEADERS:
        if name in response.headers:
            response.headers[name] = redact_url(response.headers[name])


class StagedWrites:
    """A requests-cache backend mixin: every stored response is redacted; a listing's writes are staged.

    Example:
        >>> import tempfile
        >>> from concurrent.futures import ThreadPoolExecutor
        >>> from apitoolkit.emulator import mock_emulator
        >>> from apitoolkit.http.paginators import RequestSpec
        >>> from apitoolkit.itglue import ITGlueClient
        >>> with tempfile.TemporaryDirectory() as folder, mock_emulator(seed=1) as emu:
        ...     client = ITGlueClient(emu.app.itglue.api_key, base_url=emu.base_url("itglue"), cache=folder)
        ...     cache = client.session.cache
        ...     with cache.staged() as attach:
        ...         with ThreadPoolExecutor(2, initializer=attach) as pool:
        ...             pages = list(pool.map(lambda path: client.request("GET", RequestSpec(path)), ["users", "logs"]))
        ...         cache.responses.count()  # nothing yet
        ...     cache.responses.count()  # here every response the workers fetched is in the cache; on an error, none is
        0
        2
    """

    #: What a failed store names, and what it suggests.
    where: str = "the HTTP cache"
    store_hint: str = "Check free disk space and permissions, or set APITOOLKIT_CACHE to another directory."

    @property
    def _attached(self) -> threading.local:
        local = self.__dict__.get("_attached_stages")
        if local is None:
            local = self.__dict__.setdefault("_attached_stages", threading.local())
        return local

    @property
    def staging(self) -> bool:
        """Whether the calling thread's saves go to a stage."""
        return getattr(self._attached, "stage", None) is not None

    @contextlib.contextmanager
    def staged(self) -> Iterator[Callable[[], None]]:
        """Stage the writes of the calling thread and of the threads it attaches; commit them together.

        Yields the function that attaches another thread (a page worker) to the stage. Within a stage already
        open on this thread, it joins that stage: the outer block commits.

        Raises:
            CacheError: On leaving, when the stage could not be written or committed (unless the block raised).
        """
        outer: _Stage | None = getattr(self._attached, "stage", None)
        if outer is not None:
            yield lambda: setattr(self._attached, "stage", outer)
            return
        stage = _Stage(self)

        def attach() -> None:
            self._attached.stage = stage

        attach()
        try:
            yield attach
        except BaseException:
            self._attached.stage = None
            stage.close(commit=False)  # the block's own error is the one to report
            raise
        self._attached.stage = None
        error = stage.close(commit=True)
        if error is not None:
            raise self._store_failed(error) from None

    def prepare(self) -> None:
        """Have the calling thread's stage, if any, start its commit's work: the listing's pages are all in.

        The copy runs in the writer while the caller goes on (building the frame, say); it takes effect only
        when the stage's block ends normally, and a save after it simply starts it over.
        """
        stage: _Stage | None = getattr(self._attached, "stage", None)
        if stage is not None:
            stage.prepare()

    def save_response(
        self, response: requests.Response, cache_key: str | None = None, expires: datetime | None = None
    ) -> None:
        key = cache_key or self.create_key(response.request)  # type: ignore[attr-defined]
        cached = self._redacted(CachedResponse.from_response(response, expires=expires))
        aliases = (
            [self.create_key(r.request) for r in response.history]  # type: ignore[attr-defined]
            if response.history and not cached.revalidated
            else []
        )
        stage: _Stage | None = getattr(self._attached, "stage", None)
        if stage is not None:
            stage.put(key, cached, aliases)
            return
        try:
            self.responses[key] = cached  # type: ignore[attr-defined]
            for alias in aliases:
                self.redirects[alias] = key  # type: ignore[attr-defined]
        except (sqlite3.Error, OSError) as exc:
            raise self._store_failed(exc) from None

    def delete(self, *keys: str, **kwargs: Any) -> None:
        """Within a stage, a delete of single keys (requests-cache's, after a refused answer) is staged too."""
        stage: _Stage | None = getattr(self._attached, "stage", None)
        if stage is not None and keys and not kwargs:
            for key in keys:
                stage.delete(key)
            return
        super().delete(*keys, **kwargs)  # type: ignore[misc]

    def _redacted(self, cached: CachedResponse) -> CachedResponse:
        ignored = self._settings.ignored_parameters  # type: ignore[attr-defined]
        for item in (cached, *cached.history):
            redact_response(item, ignored)
            _redact_location(item)
            item.request.headers = CaseInsensitiveDict(item.request.headers)
            # A server may echo a key into a header or the page itself (a next-page URL with apikey=).
            item.headers = CaseInsensitiveDict(
                {
                    name: redact_body(value.encode("latin-1", "replace")).decode("latin-1")
                    for name, value in item.headers.items()
                }
            )
            item._content = redact_body(item._content or b"")
        return cached

    def _store_failed(self, error: BaseException) -> BaseException:
        if isinstance(error, ApiToolkitError):
            return error
        what = f"{type(error).__name__}: {error}"
        return CacheError(f"Could not store a response in {self.where} ({what}). {self.store_hint}")

    # ------------------------------------------------------------ what each store does (run by the writer)
    def _stage_response(self, stage: _Stage, key: str, response: CachedResponse) -> None:
        raise NotImplementedError

    def _prepare_stage(self, stage: _Stage, puts: dict[str, datetime | None], deletes: list[str]) -> None:
        """Make every change of the stage, uncommitted."""
        raise NotImplementedError

    def _commit_prepared(self, stage: _Stage) -> None:
        """Make the prepared changes visible, all at once."""
        raise NotImplementedError

    def _rollback_stage(self, stage: _Stage) -> None:
        """Undo the prepared changes."""

    def _discard_stage(self, stage: _Stage) -> None:
        """Remove the stage's staged copies."""
        raise NotImplementedError

    def _close_stage(self, stage: _Stage) -> None:
        """Release what the writer opened."""


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


class SQLiteHttpCache(StagedWrites, SQLiteCache):
    """The account's HTTP cache in one SQLite file (WAL; synchronous=NORMAL): per-thread reads, staged writes.

    A stage is rows of the table ``apitoolkit_staged`` in the same file; its commit copies them into
    ``responses`` (and the redirect aliases into ``redirects``) in one transaction.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     cache = SQLiteHttpCache(Path(folder, "itglue-0123.sqlite"))
        ...     cache.responses.count()
        ...     cache.close()
        0
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
        # A plain connection: requests-cache's own would swallow a failed write (a full disk) or wait forever.
        try:
            with contextlib.closing(sqlite3.connect(db_path, timeout=60, isolation_level=None)) as con:
                con.execute(
                    "CREATE TABLE IF NOT EXISTS apitoolkit_staged "
                    "(token TEXT, key TEXT, value BLOB, expires INTEGER, staged_at REAL, PRIMARY KEY (token, key))"
                )
                con.execute("CREATE TABLE IF NOT EXISTS apitoolkit_done (token TEXT PRIMARY KEY)")
                _sweep(con)
        except sqlite3.Error as exc:
            raise cache_error(db_path, exc, doing="open the HTTP cache") from None

    def _store_failed(self, error: BaseException) -> BaseException:
        if isinstance(error, sqlite3.Error | OSError):
            return cache_error(self.responses.db_path, error, doing="store a response in the HTTP cache")
        return super()._store_failed(error)

    def _connection(self, stage: _Stage) -> sqlite3.Connection:
        if stage.state is None:
            stage.state = sqlite3.connect(self.responses.db_path, isolation_level=None)
            stage.state.execute("PRAGMA busy_timeout=60000")
            # What earlier listings left (see `_prepare_stage`), removed while this one waits on the network.
            _sweep(stage.state)
        connection: sqlite3.Connection = stage.state
        return connection

    def _stage_response(self, stage: _Stage, key: str, response: CachedResponse) -> None:
        self._connection(stage).execute(
            "INSERT OR REPLACE INTO apitoolkit_staged (token, key, value, expires, staged_at) VALUES (?, ?, ?, ?, ?)",
            (stage.token, key, self.responses.serialize(response), response.expires_unix, time.time()),
        )

    def _prepare_stage(self, stage: _Stage, puts: dict[str, datetime | None], deletes: list[str]) -> None:
        con = self._connection(stage)
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany(
                "INSERT OR REPLACE INTO responses (key, value, expires) "
                "SELECT key, value, expires FROM apitoolkit_staged WHERE token = ? AND key = ?",
                [(stage.token, key) for key in puts],
            )
            con.executemany("DELETE FROM responses WHERE key = ?", [(key,) for key in deletes])
            con.executemany(
                "INSERT OR REPLACE INTO redirects (key, value) VALUES (?, ?)", list(stage.redirects.items())
            )
            # The staged copies are not deleted here, on the listing's path: they are marked done, and the next
            # listing (or the next opening of the cache) removes them.
            con.execute("INSERT OR IGNORE INTO apitoolkit_done (token) VALUES (?)", (stage.token,))
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _commit_prepared(self, stage: _Stage) -> None:
        self._connection(stage).execute("COMMIT")
        stage.staged.clear()  # marked done: swept later

    def _rollback_stage(self, stage: _Stage) -> None:
        self._connection(stage).execute("ROLLBACK")

    def _discard_stage(self, stage: _Stage) -> None:
        self._connection(stage).execute("DELETE FROM apitoolkit_staged WHERE token = ?", (stage.token,))

    def _close_stage(self, stage: _Stage) -> None:
        if stage.state is not None:
            stage.state.close()
            stage.state = None


def _sweep(con: sqlite3.Connection) -> None:
    """Remove the staged copies of listings that were committed (`apitoolkit_done`), as far as it can.

    Best effort: a failure leaves them for the next sweep (a damaged page among them is found, moved aside and
    reported by the lookup that reads it, `apitoolkit.stores.sqlite`).
    """
    try:
        # Stages a dead process left behind (never done) go once they are a day old.
        con.execute("DELETE FROM apitoolkit_staged WHERE staged_at < ?", (time.time() - _ABANDONED_AFTER,))
        if con.execute("SELECT 1 FROM apitoolkit_done LIMIT 1").fetchone() is None:
            return
        con.execute("BEGIN IMMEDIATE")
        try:
            con.execute("DELETE FROM apitoolkit_staged WHERE token IN (SELECT token FROM apitoolkit_done)")
            con.execute("DELETE FROM apitoolkit_done")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    except sqlite3.Error:
        return


class RedisHttpCache(StagedWrites, RedisCache):
    """The account's HTTP cache in its own Redis namespace, with staged writes.

    A stage is keys ``<namespace>:staged:<token>:<key>`` (expiring after a day, should the process die); its
    commit renames them onto the responses' keys, sets their expiry and adds the redirect aliases, in one
    MULTI/EXEC transaction.
    """

    where = "the HTTP cache on Redis"
    store_hint = "Check that Redis is reachable and has memory left (maxmemory), or set APITOOLKIT_CACHE to a folder."

    def _staged_key(self, stage: _Stage, key: str) -> str:
        table: Any = self.responses
        return f"{table.namespace}:staged:{stage.token}:{key}"

    def _stage_response(self, stage: _Stage, key: str, response: CachedResponse) -> None:
        table: Any = self.responses
        table.connection.setex(self._staged_key(stage, key), int(_ABANDONED_AFTER), table.serialize(response))

    def _prepare_stage(self, stage: _Stage, puts: dict[str, datetime | None], deletes: list[str]) -> None:
        """Nothing to do ahead: the commit is one MULTI/EXEC of renames."""
        stage.state = (puts, deletes)

    def _commit_prepared(self, stage: _Stage) -> None:
        puts, deletes = stage.state
        stage.state = None
        table: Any = self.responses
        redirects: Any = self.redirects
        with table.connection.pipeline(transaction=True) as pipe:
            for key, expires in puts.items():
                target = table._bkey(key)
                pipe.rename(self._staged_key(stage, key), target)
                ttl = None if expires is None else round((expires - _utcnow(expires)).total_seconds())
                if ttl is not None and table.ttl and ttl + table.ttl_offset > 0:
                    pipe.expire(target, ttl + table.ttl_offset)
                else:
                    pipe.persist(target)
            for key in deletes:
                pipe.delete(table._bkey(key))
            for alias, key in stage.redirects.items():
                pipe.hset(redirects._hash_key, alias.encode(), redirects.serialize(key))
            leftovers = [self._staged_key(stage, key) for key in stage.staged - set(puts)]
            if leftovers:
                pipe.delete(*leftovers)
            pipe.execute()
        stage.staged.clear()  # renamed or deleted: nothing left to remove

    def _discard_stage(self, stage: _Stage) -> None:
        table: Any = self.responses
        table.connection.delete(*(self._staged_key(stage, key) for key in stage.staged))


def _utcnow(like: datetime) -> datetime:
    """Now, in the same kind (aware or naive UTC) as ``like``."""
    now = datetime.now(UTC)
    return now if like.tzinfo is not None else now.replace(tzinfo=None)
