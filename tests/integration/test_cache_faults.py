"""Cache faults against real loads on the emulator: each is a `CacheError` naming the file and the fix, or is
recovered from with a `CacheWarning` so the next load just works.

Faults are made at the boundary the operating system or SQLite would make them: SQLite's own page limit
(``PRAGMA max_page_count``: the ``SQLITE_FULL`` a full disk gives), a frame write cut short by ``ENOSPC``, a
directory without write permission (``chmod``; as root, who may write anyway, the file system calls refusing
with ``EACCES`` as they would for anyone else), a file where the cache directory should be, and files
overwritten, truncated or with zeroed pages.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from apitoolkit import hitask
from apitoolkit.cache import CacheWarning, FrameCache, cache_info, clear_cache
from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import CacheError
from apitoolkit.hitask import load_items
from apitoolkit.http import ratelimit
from apitoolkit.itglue import ITGlueClient, load_logs, load_organizations, load_users
from apitoolkit.loading import frame_cache, load_source
from apitoolkit.stores import files, tables
from apitoolkit.stores.files import DirectoryStore
from tests.helpers import FAST_RETRY, hitask_client


def itglue_client(emulator: EmulatorServer, **options: Any) -> ITGlueClient:
    env = emulator.environ()
    return ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY, **options)


def rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's content alone (no provenance), sorted by id."""
    out = frame.sort_values("id").reset_index(drop=True)
    out.attrs = {}
    return out


def close(client: Any) -> None:
    """Close a client's session, as a finished process would (the SQLite files are then complete on disk)."""
    client.session.close()


@pytest.fixture
def new_process(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """``new_process()``: what a process keeps (rate limiters with their open logs, Hitask's last snapshot)
    is forgotten, as for a load in a process of its own."""

    def forget() -> None:
        monkeypatch.setattr(ratelimit, "_limiters", {})
        monkeypatch.setattr(hitask.loaders, "_recent", {})

    return forget


def http_file(cache_dir: Path) -> Path:
    (found,) = (cache_dir / "http").glob("itglue-*.sqlite")
    return found


def frame_files(cache_dir: Path, resource: str) -> list[Path]:
    return sorted((cache_dir / "frames").glob(f"itglue-*/{resource}-*.parquet"))


def drop_frames(cache_dir: Path) -> None:
    for path in (cache_dir / "frames").rglob("*.parquet"):
        path.unlink()


def aside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*[0-9]"))


def cache_warnings(record: pytest.WarningsRecorder) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, CacheWarning)]


# ----------------------------------------------------------------------------------------- the boundary
@pytest.fixture
def sqlite_full(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """``full(path)``: SQLite files at or under ``path`` may not grow past their size (a full disk, to SQLite)."""
    real = sqlite3.connect
    limited: list[str] = []

    def connect(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = real(database, *args, **kwargs)
        if any(str(database).startswith(prefix) for prefix in limited):
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count={max(pages, 1)}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)
    return lambda path: limited.append(str(path))


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and directory under ``root`` with its size and modification time."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in [root, *root.rglob("*")]}


def _refuse_writes_under(roots: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The file system calls apitoolkit makes refuse to write under ``roots`` with ``EACCES``, as for a user
    without write permission (for root, whom ``chmod`` does not stop)."""

    def under(path: Any) -> bool:
        text = os.fspath(path) if isinstance(path, str | os.PathLike) else ""
        return any(text == str(r) or text.startswith(f"{r}{os.sep}") for r in roots)

    def refuse(path: Any) -> PermissionError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))

    real_access, real_open, real_mkdir, real_unlink = os.access, os.open, os.mkdir, os.unlink
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        return False if under(path) and mode & os.W_OK else real_access(path, mode, *args, **kwargs)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if under(path) and flags & writing:
            raise refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if under(path):
            raise refuse(path) if not os.path.isdir(path) else FileExistsError(errno.EEXIST, "File exists", path)
        real_mkdir(path, *args, **kwargs)

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if under(path):
            raise refuse(path)
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "unlink", unlink)


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """``read_only(root)``: nothing under ``root`` may be created or written.

    ``chmod -R a-w``; root may still write, so for root the file system calls apitoolkit makes refuse with
    ``EACCES`` too, as the kernel does for a user without write permission.
    """
    roots: list[Path] = []
    if os.geteuid() == 0:
        _refuse_writes_under(roots, monkeypatch)

    def make(root: Path) -> None:
        roots.append(root)
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    yield make
    for root in roots:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


# ----------------------------------------------------------------------------------------- read-only
def test_read_only_cache__offline_serves_the_frames_it_holds(
    emulator: EmulatorServer, cache_dir: Path, read_only: Callable[[Path], None], new_process: Callable[[], None]
) -> None:
    clients = (itglue_client(emulator), hitask_client(emulator))
    users = load_users(clients[0])
    items = load_items(clients[1])
    hitask.flush_snapshots()
    for client in clients:
        close(client)
    new_process()
    read_only(cache_dir)
    before = tree(cache_dir)

    offline_users = load_users(itglue_client(emulator, offline=True))
    offline_items = load_items(hitask_client(emulator, offline=True))

    assert load_source(offline_users) == "frame-cache" and load_source(offline_items) == "frame-cache"
    pd.testing.assert_frame_equal(rows(offline_users), rows(users))
    pd.testing.assert_frame_equal(rows(offline_items), rows(items))
    assert tree(cache_dir) == before


def test_read_only_cache__offline_reads_the_http_cache_without_writing(
    emulator: EmulatorServer, cache_dir: Path, read_only: Callable[[Path], None], new_process: Callable[[], None]
) -> None:
    first = itglue_client(emulator)
    users = load_users(first)
    close(first)
    new_process()
    drop_frames(cache_dir)
    read_only(cache_dir)
    before = tree(cache_dir)

    with pytest.warns(CacheWarning, match="returned uncached") as record:
        again = load_users(itglue_client(emulator, offline=True))

    assert load_source(again) == "http-cache"
    pd.testing.assert_frame_equal(rows(again), rows(users))
    assert any(str(cache_dir / "frames") in message for message in cache_warnings(record))
    assert tree(cache_dir) == before


def test_read_only_cache__online_is_a_cache_error_naming_it(
    emulator: EmulatorServer, cache_dir: Path, read_only: Callable[[Path], None]
) -> None:
    close_after = itglue_client(emulator)
    load_users(close_after)
    close(close_after)
    read_only(cache_dir)

    with pytest.raises(CacheError) as caught:
        load_organizations(itglue_client(emulator))

    message = str(caught.value)
    assert str(http_file(cache_dir)) in message
    assert "read-only" in message and "APITOOLKIT_CACHE" in message and "APITOOLKIT_OFFLINE=1" in message


def test_read_only_cache__clearing_it_is_a_cache_error_naming_it(
    emulator: EmulatorServer, cache_dir: Path, read_only: Callable[[Path], None]
) -> None:
    first = itglue_client(emulator)
    load_users(first)
    close(first)
    read_only(cache_dir)

    assert len(cache_info()) == 2  # listing needs no write
    with pytest.raises(CacheError) as caught:
        clear_cache("itglue")

    assert str(http_file(cache_dir)) in str(caught.value) and "fix the permissions" in str(caught.value)


# ----------------------------------------------------------------------------------------- full disk
def test_disk_full__new_http_cache_is_a_cache_error_naming_it(
    emulator: EmulatorServer, cache_dir: Path, sqlite_full: Callable[[Path], None]
) -> None:
    sqlite_full(cache_dir / "http")

    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert "database or disk is full" in message and "free disk space" in message
    assert str(cache_dir / "http") in message and ".sqlite" in message


def test_disk_full__storing_responses_is_a_cache_error_and_the_cache_stays_usable(
    emulator: EmulatorServer, cache_dir: Path, sqlite_full: Callable[[Path], None]
) -> None:
    organizations = load_organizations(itglue_client(emulator))
    sqlite_full(cache_dir / "http")

    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert str(http_file(cache_dir)) in message and "disk" in message
    again = load_organizations(itglue_client(emulator, offline=True))
    pd.testing.assert_frame_equal(rows(again), rows(organizations))


def test_disk_full__rate_limit_log_is_a_cache_error_naming_it(
    emulator: EmulatorServer, cache_dir: Path, sqlite_full: Callable[[Path], None]
) -> None:
    sqlite_full(cache_dir / "ratelimit.sqlite")

    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert str(cache_dir / "ratelimit.sqlite") in message
    assert "database or disk is full" in message and "free disk space" in message


def test_disk_full__frame_write_is_a_cache_error_and_leaves_no_partial_file(
    emulator: EmulatorServer, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_table = tables.write_table

    def out_of_space(table: pa.Table, sink: Any, fmt: str) -> None:
        buffer = pa.BufferOutputStream()
        write_table(table, buffer, fmt)
        sink.write(buffer.getvalue()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_table", out_of_space)
    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert "No space left on device" in message and "free disk space" in message
    assert str(cache_dir / "frames") in message and message.count(".parquet") >= 1
    assert not list((cache_dir / "frames").rglob("*.parquet"))
    monkeypatch.setattr(files, "write_table", write_table)
    again = load_users(itglue_client(emulator))
    assert load_source(again) == "http-cache" and frame_files(cache_dir, "users")


# ----------------------------------------------------------------------------------------- damaged files
def _garbage(path: Path) -> None:
    path.write_bytes(b"not an sqlite file " * 500)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_damaged_http_cache__moved_aside_with_a_warning_and_rebuilt(
    emulator: EmulatorServer, cache_dir: Path, damage: Callable[[Path], None]
) -> None:
    first = itglue_client(emulator)
    users = load_users(first)
    close(first)
    drop_frames(cache_dir)
    path = http_file(cache_dir)
    damage(path)

    with pytest.warns(CacheWarning, match="moved aside") as record:
        again = load_users(itglue_client(emulator))

    pd.testing.assert_frame_equal(rows(again), rows(users))
    assert load_source(again) == "network"
    assert any(str(path) in message for message in cache_warnings(record))
    (moved,) = aside(path)
    assert moved.read_bytes()[:16] != b"SQLite format 3\x00" or damage is _truncated
    drop_frames(cache_dir)
    third = load_users(itglue_client(emulator))
    assert load_source(third) == "http-cache"
    pd.testing.assert_frame_equal(rows(third), rows(users))
    clear_cache("itglue")
    assert not aside(path)


def test_damaged_http_cache__found_by_a_request_is_a_cache_error_then_rebuilt(
    emulator: EmulatorServer, cache_dir: Path
) -> None:
    first = itglue_client(emulator)
    users = load_users(first)
    close(first)
    drop_frames(cache_dir)
    path = http_file(cache_dir)
    # Bit rot in the pages holding the users' page: its schema still reads, the response does not.
    data = bytearray(path.read_bytes())
    page = 4096
    needle = str(users["email"].iloc[0]).encode()
    hits = {offset // page for offset in range(len(data)) if data.startswith(needle, offset)}
    assert hits and 0 not in hits
    for number in hits:
        data[number * page : (number + 1) * page] = bytes(page)
    path.write_bytes(bytes(data))

    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert str(path) in message and "damaged" in message and "moved aside" in message
    assert aside(path)
    again = load_users(itglue_client(emulator))
    pd.testing.assert_frame_equal(rows(again), rows(users))


def test_damaged_rate_limit_log__moved_aside_with_a_warning(emulator: EmulatorServer, cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True)
    log = cache_dir / "ratelimit.sqlite"
    _garbage(log)

    with pytest.warns(CacheWarning, match="rate-limit log") as record:
        users = load_users(itglue_client(emulator))

    assert len(users) == len(load_users(itglue_client(emulator, cache="off")))
    assert any(str(log) in message for message in cache_warnings(record))
    assert aside(log) and log.read_bytes().startswith(b"SQLite format 3\x00")


# ----------------------------------------------------------------------------------------- not a directory
def test_cache_pointing_at_a_file__is_a_cache_error_naming_it(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_directory = tmp_path / "cache.txt"
    not_a_directory.write_text("notes")
    monkeypatch.setenv("APITOOLKIT_CACHE", str(not_a_directory))

    with pytest.raises(CacheError) as caught:
        load_users(itglue_client(emulator))

    message = str(caught.value)
    assert f"{not_a_directory} is a file, not a directory" in message and "APITOOLKIT_CACHE" in message
    assert not_a_directory.read_text() == "notes"


# ----------------------------------------------------------------------------------------- frames
def _drop_column(table: pa.Table) -> pa.Table:
    return table.drop_columns(["email"])


def _string_ids(table: pa.Table) -> pa.Table:
    return table.set_column(table.schema.get_field_index("id"), "id", table.column("id").cast(pa.string()))


def _rewrite(path: Path, change: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite a stored frame with ``change`` applied, keeping its metadata (fresh, and readable)."""
    store = DirectoryStore(path.parent)
    table, meta = store.read(path.stem)  # type: ignore[misc]
    store.write(path.stem, change(table.replace_schema_metadata(None)), meta)


@pytest.mark.parametrize("change", [_drop_column, _string_ids], ids=["column-missing", "other-dtype"])
def test_frame_of_another_schema__not_served_warned_refetched_and_replaced(
    emulator: EmulatorServer, cache_dir: Path, change: Callable[[pa.Table], pa.Table]
) -> None:
    users = load_users(itglue_client(emulator))
    (path,) = frame_files(cache_dir, "users")
    _rewrite(path, change)

    with pytest.warns(CacheWarning, match="not used") as record:
        again = load_users(itglue_client(emulator))

    assert load_source(again) == "http-cache"
    pd.testing.assert_frame_equal(rows(again), rows(users))
    assert any(str(path) in message for message in cache_warnings(record))
    third = load_users(itglue_client(emulator))
    assert load_source(third) == "frame-cache"
    pd.testing.assert_frame_equal(rows(third), rows(users))


def test_frame_unreadable__warned_refetched_and_replaced(emulator: EmulatorServer, cache_dir: Path) -> None:
    users = load_users(itglue_client(emulator))
    (path,) = frame_files(cache_dir, "users")
    path.write_bytes(path.read_bytes()[:200])

    with pytest.warns(CacheWarning, match="could not be read"):
        again = load_users(itglue_client(emulator))

    pd.testing.assert_frame_equal(rows(again), rows(users))
    assert pq.read_table(path).num_rows == len(users)


def test_logs_window_of_another_schema__refetched(emulator: EmulatorServer, cache_dir: Path) -> None:
    now = pd.Timestamp(emulator.app.now)
    start, end = now - pd.Timedelta(days=3), now - pd.Timedelta(days=2)
    logs = load_logs(start, end, client=itglue_client(emulator))
    window = frame_files(cache_dir, "logs")[0]
    _rewrite(window, lambda table: table.drop_columns([table.column_names[1]]))

    with pytest.warns(CacheWarning, match="lacks the column"):
        again = load_logs(start, end, client=itglue_client(emulator))

    assert load_source(again) != "frame-cache"
    pd.testing.assert_frame_equal(rows(again), rows(logs))


def test_frame_cache__schema_check_passes_a_fresh_frame(emulator: EmulatorServer, cache_dir: Path) -> None:
    client = itglue_client(emulator)
    load_users(client)
    (path,) = frame_files(cache_dir, "users")
    frames = frame_cache(client)
    assert isinstance(frames, FrameCache)
    from apitoolkit.itglue.schema import USERS

    assert frames.get(path.stem, schema=USERS) is not None
