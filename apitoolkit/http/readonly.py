"""The HTTP cache of a directory apitoolkit may not write, read as it stands (offline mode only).

A cache directory can be read-only: mounted so, shared by another user, or archived with a report. SQLite
cannot open a WAL database there the usual way (it must create its ``-shm`` file), so the file is opened
*immutable*: no locks, no journal, nothing written. That is safe only while nobody changes the file, which is
the case offline. Saving to it raises `CacheError`; deleting from it does nothing (offline mode deletes only
what it never stored: requests-cache "forgets" each miss).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from requests_cache import BaseCache, SQLiteCache
from requests_cache.backends.sqlite import SQLiteDict

from apitoolkit.exceptions import CacheError

__all__ = ["ReadOnlyHttpCache"]


def _read_only(path: Any) -> CacheError:
    return CacheError(
        f"Could not write the HTTP cache {path} (it is read-only): fix the permissions of its directory, or set "
        "APITOOLKIT_CACHE to a writable directory."
    )


class _ImmutableTable(SQLiteDict):
    """requests-cache's table, read through one immutable connection; it never creates or writes anything."""

    def init_db(self) -> None:
        self.close()

    @contextlib.contextmanager
    def connection(self, commit: bool = False) -> Iterator[sqlite3.Connection]:
        if commit:
            raise _read_only(self.db_path)
        with self._lock:
            if self._connection is None:
                uri = f"{Path(self.db_path).as_uri()}?mode=ro&immutable=1"
                self._connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        yield self._connection


class ReadOnlyHttpCache(SQLiteCache):
    """An account's HTTP cache read from its SQLite file without writing to it (see the module).

    Example:
        >>> import tempfile
        >>> from apitoolkit.http.backends import SQLiteHttpCache
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     SQLiteHttpCache(Path(folder, "itglue-0123.sqlite")).close()  # an archived cache
        ...     cache = ReadOnlyHttpCache(Path(folder, "itglue-0123.sqlite"))
        ...     cache.responses.count()
        ...     cache.close()
        0
    """

    def __init__(self, db_path: Path) -> None:
        BaseCache.__init__(self, cache_name=str(db_path))
        self.responses = _ImmutableTable(db_path, table_name="responses")
        self.redirects = _ImmutableTable(db_path, table_name="redirects", lock=self.responses._lock, serializer=None)

    def save_response(
        self, response: requests.Response, cache_key: str | None = None, expires: datetime | None = None
    ) -> None:
        raise _read_only(self.responses.db_path)

    def delete(self, *keys: str, **kwargs: Any) -> None:
        """Nothing: the file cannot change."""
