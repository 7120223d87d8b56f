"""The cache's SQLite files (HTTP responses, the rate-limit log): damaged ones moved aside, faults named.

`open_sqlite` opens a file for its owner: it first reads the file's schema, which finds what really happens
to a cache file (garbage, a truncated copy, a file of another kind), then lets the owner open it; a file found
damaged either way is moved aside with a `CacheWarning` and the owner opens a new one. `sqlite_errors` turns
what SQLite raises later, while a request reads or writes, into a `CacheError` naming the file; a file found
damaged then is moved aside too, so the next load starts afresh.
"""

from __future__ import annotations

import contextlib
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from apitoolkit.exceptions import CacheError
from apitoolkit.stores.faults import CacheWarning, cache_error, file_errors, is_damaged, move_aside, writable

__all__ = ["check_sqlite", "file_identity", "open_sqlite", "require_tables", "sqlite_errors"]

T = TypeVar("T")
#: The files SQLite keeps beside a database: they move with it.
COMPANIONS = ("-wal", "-shm", "-journal")


def file_identity(path: Path) -> tuple[int, int] | None:
    """``(device, inode)`` of ``path``, or None when it is absent: tells whether a file was replaced since."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def check_sqlite(path: Path, *, what: str, read_only: bool = False) -> None:
    """Read the schema of the SQLite file ``path`` (absent is fine), as opening it would.

    Args:
        path: The database file.
        what: What it is, for messages: ``"the HTTP cache"``, ``"the rate-limit log"``.
        read_only: Open it immutable, writing nothing (not even its ``-shm`` file).

    Raises:
        sqlite3.DatabaseError: It is damaged (`apitoolkit.stores.faults.is_damaged`).
        CacheError: It cannot be opened for another reason (permissions, a full disk, an I/O error).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     size = Path(folder, "itglue-0123.sqlite").write_bytes(b"not a database" * 100)
        ...     check_sqlite(Path(folder, "itglue-0123.sqlite"), what="the HTTP cache")
        Traceback (most recent call last):
        ...
        sqlite3.DatabaseError: file is not a database
    """
    if not path.exists():
        return
    target, uri = (f"{path.as_uri()}?mode=ro&immutable=1", True) if read_only else (str(path), False)
    try:
        connection = sqlite3.connect(target, uri=uri, timeout=60.0)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if is_damaged(error):
            raise
        raise cache_error(path, error, doing=f"open {what}") from None


def require_tables(path: Path, *tables: str) -> None:
    """Make sure the SQLite file ``path`` holds ``tables``; if not, raise why they could not be created.

    requests-cache creates its tables and ignores an error doing so (``SQLITE_FULL`` on a full disk): its
    cache then fails on the first lookup with "no such table". This finds the real reason by trying to create a
    table (rolled back).

    Raises:
        sqlite3.Error: The reason (``database or disk is full``, ``attempt to write a readonly database``), or
            "no such table" when a write works now.
    """
    connection = sqlite3.connect(path, isolation_level=None, timeout=60.0)
    try:
        present = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [table for table in tables if table not in present]
        if not missing:
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("CREATE TABLE apitoolkit_write_probe (x)")
        finally:
            connection.execute("ROLLBACK")
    finally:
        connection.close()
    raise sqlite3.OperationalError(f"no such table: {', '.join(missing)}")


def open_sqlite(path: Path, open_file: Callable[[], T], *, what: str, lost: str, locked: bool = False) -> T:
    """``open_file()`` the SQLite file ``path``; a damaged file is moved aside first, and a new one opened.

    A damaged file (not a database, truncated, malformed pages) is renamed to ``<name>.corrupt-<timestamp>``
    with its ``-wal`` and ``-shm`` files, with a `CacheWarning`. Processes that find it damaged at once move it
    aside once: the move happens under the lock ``<path>.lock``, and only while the file is the one found damaged.

    Args:
        path: The database file.
        open_file: Opens it (creating it when absent) and returns what the caller keeps.
        what: What it is, for messages: ``"the HTTP cache"``, ``"the rate-limit log"``.
        lost: What moving it aside costs, for the warning: ``"its responses are fetched again"``.
        locked: The caller holds ``<path>.lock`` already (the rate-limit log's own lock).

    Raises:
        CacheError: It cannot be opened (permissions, a full disk, an I/O error), or it is damaged and cannot be
            moved aside (a read-only directory).

    Example:
        >>> import tempfile
        >>> import warnings
        >>> from apitoolkit.http.backends import SQLiteHttpCache
        >>> with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings(record=True) as caught:
        ...     path = Path(folder, "itglue-0123.sqlite")
        ...     size = path.write_bytes(b"not a database" * 100)
        ...     cache = open_sqlite(path, lambda: SQLiteHttpCache(path), what="the HTTP cache",
        ...                         lost="its responses are fetched again")
        ...     cache.close()
        >>> print(caught[0].message)  # doctest: +ELLIPSIS
        The HTTP cache /.../itglue-0123.sqlite was damaged (file is not a database): moved aside to ...
    """
    seen = file_identity(path)
    try:
        check_sqlite(path, what=what)
        return _open(path, open_file, what=what)
    except sqlite3.Error as damage:  # the check, or opening it, found it damaged
        if not writable(path):
            raise cache_error(path, damage, doing=f"read {what}") from None
        _move_aside_once(path, seen, locked=locked, damage=damage, what=what, lost=lost)
    with file_errors(path, doing=f"open {what}"):
        return open_file()


def _open(path: Path, open_file: Callable[[], T], *, what: str) -> T:
    """``open_file()``: an error saying the file is damaged passes; any other becomes a `CacheError`."""
    try:
        return open_file()
    except sqlite3.Error as error:
        if is_damaged(error):
            raise
        raise cache_error(path, error, doing=f"open {what}") from None
    except OSError as error:
        raise cache_error(path, error, doing=f"open {what}") from None


def _move_aside_once(
    path: Path, seen: tuple[int, int] | None, *, locked: bool, damage: sqlite3.Error, what: str, lost: str
) -> None:
    if locked:
        _move_aside_if_same(path, seen, damage=damage, what=what, lost=lost)
        return
    from filelock import FileLock

    try:
        with FileLock(f"{path}.lock", timeout=60.0):
            _move_aside_if_same(path, seen, damage=damage, what=what, lost=lost)
    except OSError as error:  # the lock itself (filelock.Timeout is a TimeoutError)
        raise cache_error(f"{path}.lock", error, doing=f"lock {what}") from None


def _move_aside_if_same(
    path: Path, seen: tuple[int, int] | None, *, damage: sqlite3.Error, what: str, lost: str
) -> None:
    if seen is None or file_identity(path) != seen:
        return  # another process moved it aside and started a new one meanwhile
    aside = move_aside(path, companions=COMPANIONS)
    warnings.warn(
        f"{_capitalized(what)} {path} was damaged ({damage}): moved aside to {aside.name} and started anew"
        f"{'; ' + lost if lost else ''}. Delete the moved file when you no longer need it.",
        CacheWarning,
        stacklevel=6,
    )


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


@contextlib.contextmanager
def sqlite_errors(path: Path, *, what: str, opened: tuple[int, int] | None = None) -> Iterator[None]:
    """Turn an `sqlite3.Error` raised inside into a `CacheError` naming ``path``.

    A file found damaged is moved aside first, when it is still the file that was opened (``opened``, its
    `file_identity`), so the next load starts a new one.

    Example:
        >>> with sqlite_errors(Path("/c/http/itglue-0123.sqlite"), what="the HTTP cache"):  # doctest: +ELLIPSIS
        ...     raise sqlite3.OperationalError("disk I/O error")
        Traceback (most recent call last):
        ...
        apitoolkit.exceptions.CacheError: Could not use the HTTP cache /c/http/itglue-0123.sqlite (disk I/O error): ...
    """
    try:
        yield
    except sqlite3.Error as error:
        if is_damaged(error) and opened is not None and file_identity(path) == opened and writable(path):
            try:
                aside = move_aside(path, companions=COMPANIONS)
            except CacheError:
                pass  # said below, with what to do
            else:
                raise CacheError(
                    f"{_capitalized(what)} {path} is damaged ({error}): it was moved aside to {aside.name}, and the "
                    "next client starts a new one: load again (with a new client, if you pass one)."
                ) from None
        raise cache_error(path, error, doing=f"use {what}") from None
