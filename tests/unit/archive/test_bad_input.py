"""Bad input to the archive: each a typed error whose message names the place or the value, and nothing written."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit.archive import Archive
from apitoolkit.emulator import mock_emulator
from apitoolkit.exceptions import (
    ArchiveCorruptError,
    ArchiveLocationError,
    ArchiveQueryError,
    InvalidArgumentError,
    UnknownArchiveResourceError,
)

NOW = pd.Timestamp("2026-11-23 12:00", tz="UTC")


def tree(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its bytes (folders: ``"dir"``), but the writer
    locks' folder ``.apitoolkit`` (a failed write may leave its empty lock file there: no data)."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.relative_to(root).parts[0] != ".apitoolkit"
    }


@pytest.fixture
def filled(archive: Archive, frames: dict[str, pd.DataFrame]) -> Archive:
    """The test's archive holding the emulator's logs and items."""
    archive.write("itglue", "logs", frames["logs"])
    archive.write("hitask", "items", frames["items"], now=NOW)
    return archive


def _root(archive: Archive) -> Path:
    return Path(archive.location)


# ------------------------------------------------------------------------------------------------ location
def _writes(frames: dict[str, pd.DataFrame], clients: dict[str, Any]) -> dict[str, Callable[[Archive], Any]]:
    return {
        "write": lambda a: a.write("itglue", "logs", frames["logs"]),
        "sync": lambda a: a.sync(now=NOW, clients=clients),
        "compact": lambda a: a.compact(),
        "prune": lambda a: a.prune(30),
    }


@pytest.mark.parametrize("operation", ["write", "sync", "compact", "prune"])
def test_location__under_a_regular_file_is_not_writable(
    tmp_path: Path, frames: dict[str, pd.DataFrame], clients: dict[str, Any], fresh: mock_emulator, operation: str
) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_bytes(b"data")
    where = blocker / "archive"
    with pytest.raises(ArchiveLocationError, match="cannot be written") as caught:
        _writes(frames, clients)[operation](Archive(where))
    assert str(where) in str(caught.value)
    assert blocker.read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "client-cache") == ["plain-file"]
    assert fresh.app.stats.requests == []  # checked before any request


@pytest.mark.parametrize("operation", ["write", "sync", "compact", "prune"])
def test_location__a_directory_the_system_refuses_is_not_writable(
    tmp_path: Path,
    frames: dict[str, pd.DataFrame],
    clients: dict[str, Any],
    operation: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A read-only directory, as the system reports it (chmod 0o500 would not stop root, who runs CI): the probe
    # file is refused with EACCES.
    import apitoolkit.archive.location as location

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    where = tmp_path / "read-only"
    where.mkdir()
    monkeypatch.setattr(location, "tempfile", SimpleNamespace(NamedTemporaryFile=refused))
    with pytest.raises(ArchiveLocationError, match="cannot be written") as caught:
        _writes(frames, clients)[operation](Archive(where))
    assert str(where) in str(caught.value) and "Permission denied" in str(caught.value)
    assert tree(where) == {}


def test_location__of_another_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveLocationError, match="ftp://"):
        Archive("ftp://example.invalid/archive")
    with pytest.raises(InvalidArgumentError, match="location=int"):
        Archive(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ damaged tables
def _readers_and_writers(
    frames: dict[str, pd.DataFrame], clients: dict[str, Any]
) -> dict[str, Callable[[Archive], Any]]:
    return {
        "scan": lambda a: a.scan("itglue", "logs"),
        "write": lambda a: a.write("itglue", "logs", frames["logs"]),
        "sync": lambda a: a.sync("itglue", "logs", now=NOW, clients=clients),
        "sql": lambda a: a.sql("SELECT count(*) FROM itglue_logs"),
        "info": lambda a: a.info(),
        "compact": lambda a: a.compact("itglue", "logs"),
        "prune": lambda a: a.prune(1, "itglue", "logs"),
    }


OPERATIONS = ["scan", "write", "sync", "sql", "info", "compact", "prune"]


def _raises_naming_the_table(archive: Archive, call: Callable[[Archive], Any]) -> str:
    """The message of the `ArchiveCorruptError` ``call`` raises (a sync reports it in its results)."""
    from apitoolkit.archive import SyncFailedError

    try:
        call(archive)
    except ArchiveCorruptError as error:
        message = str(error)
    except SyncFailedError as error:
        message = str(error.results["error"].iloc[0])
        assert message.startswith("ArchiveCorruptError: ")
    else:
        pytest.fail("no error")
    assert archive.table_uri("itglue", "logs") in message
    return message


@pytest.mark.parametrize("operation", OPERATIONS)
def test_corrupt__garbage_in_the_delta_log(
    filled: Archive, frames: dict[str, pd.DataFrame], clients: dict[str, Any], operation: str
) -> None:
    log = Path(filled.table_uri("itglue", "logs"), "_delta_log")
    first = sorted(log.glob("*.json"))[0]
    first.write_bytes(b'{"this is": not json\n\x00\x01garbage')
    before = tree(_root(filled))
    message = _raises_naming_the_table(filled, _readers_and_writers(frames, clients)[operation])
    assert "damaged" in message or "not a table" in message
    assert tree(_root(filled)) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_corrupt__files_without_a_delta_log(
    archive: Archive, frames: dict[str, pd.DataFrame], clients: dict[str, Any], operation: str
) -> None:
    place = Path(archive.table_uri("itglue", "logs"))
    place.mkdir(parents=True)
    (place / "notes.txt").write_text("someone's files")
    before = tree(_root(archive))
    message = _raises_naming_the_table(archive, _readers_and_writers(frames, clients)[operation])
    assert "no Delta table" in message
    assert tree(_root(archive)) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_corrupt__a_foreign_delta_table_in_the_place(
    archive: Archive, frames: dict[str, pd.DataFrame], clients: dict[str, Any], operation: str
) -> None:
    from deltalake import write_deltalake

    write_deltalake(archive.table_uri("itglue", "logs"), pa.table({"x": [1, 2]}), name="finance:ledger")
    before = tree(_root(archive))
    message = _raises_naming_the_table(archive, _readers_and_writers(frames, clients)[operation])
    assert "'finance:ledger'" in message and "foreign" in message
    assert tree(_root(archive)) == before


# ------------------------------------------------------------------------------------------------ arguments
@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda a: a.write("itglue", "tickets", pd.DataFrame({"id": [1]})), "itglue/tickets"),
        (lambda a: a.scan("glasshat", "tasks"), "glasshat/tasks"),
        (lambda a: a.sync("glasshat"), "'glasshat'"),
        (lambda a: a.sync(resource="tickets"), "tickets"),
        (lambda a: a.sync("hitask", "logs"), "hitask/logs"),
        (lambda a: a.table_uri("itglue", "items"), "itglue/items"),
        (lambda a: a.compact("itglue", "items"), "itglue/items"),
        (lambda a: a.prune(30, resource="tickets"), "tickets"),
    ],
)
def test_unknown_resource__names_it_and_what_is_kept(
    archive: Archive, call: Callable[[Archive], Any], named: str
) -> None:
    with pytest.raises(UnknownArchiveResourceError) as caught:
        call(archive)
    assert named in str(caught.value) and "itglue" in str(caught.value)
    assert not _root(archive).exists()


def test_unknown_resource__not_synced_yet(archive: Archive) -> None:
    with pytest.raises(UnknownArchiveResourceError, match="holds no itglue/users yet: run `apitoolkit archive sync"):
        archive.scan("itglue", "users")


@pytest.mark.parametrize(
    ("query", "error", "named"),
    [
        ("SELECT * FROM itglue_tickets", ArchiveQueryError, "itglue_tickets"),
        ("SELEC 1", ArchiveQueryError, "syntax error"),
        ("SELECT nope FROM itglue_logs", ArchiveQueryError, "nope"),
        ("DELETE FROM itglue_logs", ArchiveQueryError, "The archive query failed"),
        ("", InvalidArgumentError, "query=''"),
        ("   ", InvalidArgumentError, "give SQL text"),
    ],
)
def test_sql__bad_queries(filled: Archive, query: str, error: type[Exception], named: str) -> None:
    before = tree(_root(filled))
    with pytest.raises(error) as caught:
        filled.sql(query)
    message = str(caught.value)
    assert named in message
    if error is ArchiveQueryError:
        assert "Views: itglue_logs, hitask_items." in message and "\n" not in message
    assert tree(_root(filled)) == before


def test_sql__a_query_is_not_text(filled: Archive) -> None:
    with pytest.raises(InvalidArgumentError, match="query=42"):
        filled.sql(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"start": "someday"}, "start"),
        ({"end": "2026-02-30"}, "end"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "start (2026-11-10 00:00:00) is after end (2026-11-01)"),
        ({"start": object()}, "start"),
        ({"columns": ["id", "nope"]}, "itglue/logs has no column nope"),
        ({"columns": "id"}, "columns='id'"),
    ],
)
def test_scan__bad_arguments(filled: Archive, kwargs: dict[str, Any], named: str) -> None:
    before = tree(_root(filled))
    with pytest.raises(InvalidArgumentError) as caught:
        filled.scan("itglue", "logs", **kwargs)
    assert named in str(caught.value)
    assert tree(_root(filled)) == before


@pytest.mark.parametrize(
    ("frame", "named"),
    [
        ([{"id": 1}], "frame="),
        (pd.DataFrame({"id": pd.array([1], dtype="Int64")}), "lacks created_at"),
        (pd.DataFrame({"created_at": pd.to_datetime(["2026-11-01"], utc=True)}), "lacks id"),
    ],
)
def test_write__a_frame_that_is_not_a_loader_frame(archive: Archive, frame: Any, named: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        archive.write("itglue", "logs", frame)
    assert named in str(caught.value)
    assert not Path(archive.table_uri("itglue", "logs")).exists()


@pytest.mark.parametrize("older_than", ["someday", -1, float("nan"), None])
def test_prune__a_bad_age(filled: Archive, older_than: Any) -> None:
    before = tree(_root(filled))
    with pytest.raises(InvalidArgumentError, match="older_than"):
        filled.prune(older_than)
    assert tree(_root(filled)) == before


def test_write__bad_now(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(InvalidArgumentError, match="now"):
        archive.write("itglue", "users", frames["users"], now="tomorrow-ish")
    assert tree(_root(archive)) == {}
