"""Cache file faults: each error names the file and what to do; damaged SQLite files are moved aside once."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from apitoolkit.exceptions import CacheError
from apitoolkit.stores.faults import CacheWarning, cache_error, ensure_directory, move_aside
from apitoolkit.stores.files import DirectoryStore, clear
from apitoolkit.stores.sqlite import file_identity, open_sqlite, require_tables, sqlite_errors


def sqlite_error(name: str, message: str) -> sqlite3.Error:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = name
    return error


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "free disk space"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "free disk space"),
        (PermissionError(errno.EACCES, "Permission denied"), "fix the permissions"),
        (OSError(errno.EROFS, "Read-only file system"), "fix the permissions"),
        (sqlite_error("SQLITE_FULL", "database or disk is full"), "free disk space"),
        (sqlite_error("SQLITE_READONLY", "attempt to write a readonly database"), "fix the permissions"),
        (sqlite_error("SQLITE_CORRUPT", "database disk image is malformed"), "clear_cache()"),
        (sqlite_error("SQLITE_IOERR_SHORT_READ", "disk I/O error"), "check the disk"),
        (OSError(errno.EINVAL, "Invalid argument"), "check free disk space and permissions"),
    ],
)
def test_cache_error__names_the_file_the_reason_and_the_fix(error: BaseException, hint: str) -> None:
    message = str(cache_error("/c/http/itglue-0123.sqlite", error, doing="write the HTTP cache"))
    reason = error.strerror if isinstance(error, OSError) else str(error)
    assert message.startswith(f"Could not write the HTTP cache /c/http/itglue-0123.sqlite ({reason}): ")
    assert hint in message


def test_ensure_directory__a_file_in_the_way_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("x")
    with pytest.raises(CacheError, match=f"{blocker} is a file, not a directory: set APITOOLKIT_CACHE"):
        ensure_directory(blocker / "frames" / "itglue-0123")


def test_directory_store__unwritable_directory_names_the_file(tmp_path: Path) -> None:
    import pyarrow as pa

    blocker = tmp_path / "cache"
    blocker.write_text("x")
    with pytest.raises(CacheError, match="is a file, not a directory"):
        DirectoryStore(blocker / "frames").write("k", pa.table({"id": [1]}), {"expires_at": 0})


def test_move_aside__keeps_companions_together_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "itglue-0123.sqlite"
    for name in (path.name, f"{path.name}-wal"):
        (tmp_path / name).write_text(name)
    first = move_aside(path, companions=("-wal", "-shm"))
    path.write_text("again")
    second = move_aside(path)
    assert first != second and not path.exists()
    assert first.read_text() == path.name and Path(f"{first}-wal").read_text() == f"{path.name}-wal"
    assert second.read_text() == "again"


def test_clear__deletes_moved_aside_files(tmp_path: Path) -> None:
    http = tmp_path / "http"
    http.mkdir()
    (http / "itglue-0123.sqlite").write_bytes(b"x" * 10)
    move_aside(http / "itglue-0123.sqlite", companions=("-wal",))
    assert clear(tmp_path, "itglue") == 10 and not list(http.iterdir())


def open_table(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE IF NOT EXISTS log (x)")
    connection.commit()
    return connection


def test_open_sqlite__damaged_file_moved_aside_once_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ratelimit.sqlite"
    path.write_bytes(b"garbage" * 100)
    with pytest.warns(CacheWarning, match=f"{path} was damaged .file is not a database.: moved aside"):
        connection = open_sqlite(path, lambda: open_table(path), what="the rate-limit log", lost="nothing much")
    connection.close()
    (moved,) = tmp_path.glob("ratelimit.sqlite.corrupt-*")
    assert moved.read_bytes().startswith(b"garbage")
    open_sqlite(path, lambda: open_table(path), what="the rate-limit log", lost="").close()
    assert len(list(tmp_path.glob("ratelimit.sqlite.corrupt-*"))) == 1


def test_open_sqlite__damage_found_while_opening_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "http.sqlite"
    open_table(path).close()

    def opening() -> sqlite3.Connection:
        if file_identity(path) == first:
            raise sqlite_error("SQLITE_CORRUPT", "database disk image is malformed")
        return open_table(path)

    first = file_identity(path)
    with pytest.warns(CacheWarning, match="malformed"):
        open_sqlite(path, opening, what="the HTTP cache", lost="").close()
    assert file_identity(path) != first


def test_open_sqlite__other_errors_are_cache_errors(tmp_path: Path) -> None:
    path = tmp_path / "http.sqlite"

    def full() -> None:
        raise sqlite_error("SQLITE_FULL", "database or disk is full")

    with pytest.raises(CacheError, match=f"Could not open the HTTP cache {path} .database or disk is full.: free"):
        open_sqlite(path, full, what="the HTTP cache", lost="")


def test_require_tables__says_why_they_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "http.sqlite"
    sqlite3.connect(path).close()
    with pytest.raises(sqlite3.OperationalError, match="no such table: responses"):
        require_tables(path, "responses")
    open_table(path).close()
    require_tables(path, "log")


def test_sqlite_errors__damaged_file_still_open_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "http.sqlite"
    open_table(path).close()
    opened = file_identity(path)
    damaged = sqlite_error("SQLITE_CORRUPT", "database disk image is malformed")
    with pytest.raises(CacheError, match="is damaged .* moved aside"), sqlite_errors(path, what="x", opened=opened):
        raise damaged
    assert not path.exists() and list(tmp_path.glob("http.sqlite.corrupt-*"))
    again = pytest.raises(CacheError, match="Could not use the HTTP cache .* .database disk image is malformed.")
    with again, sqlite_errors(path, what="the HTTP cache", opened=opened):  # not the file opened: left alone
        raise damaged
