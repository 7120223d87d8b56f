"""`Archive.sync` against the in-process emulator: the 30-day logs gap, a failed load left as it was, no secret
in the archive."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit.archive import ARCHIVED, Archive, SyncFailedError
from apitoolkit.emulator import mock_emulator
from apitoolkit.exceptions import ArchiveGapWarning
from tests.helpers import files_containing


def _log_starts(emu: mock_emulator) -> list[pd.Timestamp]:
    """The start of every ``/logs`` request's ``created_at`` filter the emulator saw."""
    found = []
    for request in emu.app.stats.requests:
        if request.service == "itglue" and request.path == "/logs":
            (span,) = request.query["filter[created_at]"]
            found.append(pd.Timestamp(span.split(",")[0]))
    return found


def _table_files(archive: Archive, service: str, resource: str) -> dict[str, bytes]:
    root = Path(archive.table_uri(service, resource))
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_sync__a_first_sync_of_logs_starts_30_days_back_without_a_warning(
    archive: Archive, fresh: mock_emulator, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        archive.sync("itglue", "logs", now=now, clients=clients)
    starts = _log_starts(fresh)
    assert starts and now - pd.Timedelta(days=30) <= min(starts) <= now - pd.Timedelta(days=29)


def test_sync__logs_older_than_30_days_warn_of_the_gap_and_start_30_days_back(
    archive: Archive,
    fresh: mock_emulator,
    clients: dict[str, Any],
    now: pd.Timestamp,
    frames: dict[str, pd.DataFrame],
) -> None:
    stale = now - pd.Timedelta(days=41)
    old = frames["logs"].head(1).assign(id=pd.array([1], dtype="Int64"))
    old["created_at"] = pd.Series([stale], dtype="datetime64[us, UTC]", index=old.index)
    archive.write("itglue", "logs", old)
    with pytest.warns(ArchiveGapWarning) as caught:
        archive.sync("itglue", "logs", now=now, clients=clients)
    (warning,) = [w for w in caught if issubclass(w.category, ArchiveGapWarning)]
    message = str(warning.message)
    assert f"end at {stale:%Y-%m-%d %H:%M} UTC" in message and "lost" in message
    assert f"{now - pd.Timedelta(days=30):%Y-%m-%d}" in message
    starts = _log_starts(fresh)
    assert now - pd.Timedelta(days=30) <= min(starts) <= now - pd.Timedelta(days=29)
    stored = archive.scan("itglue", "logs")
    new = stored[stored["id"] != 1]
    assert len(new) > 0 and new["created_at"].min() >= now - pd.Timedelta(days=30)


@pytest.mark.parametrize(
    ("failing", "path", "synced_before"),
    [
        (("itglue", "logs"), "^/logs", True),
        (("hitask", "items"), None, False),
        (("hitask", "items"), None, True),
    ],
)
def test_sync__a_failed_load_leaves_that_table_as_it_was(
    archive: Archive,
    fresh: mock_emulator,
    clients: dict[str, Any],
    now: pd.Timestamp,
    failing: tuple[str, str],
    path: str | None,
    synced_before: bool,
) -> None:
    archive.sync(None if synced_before else "itglue", now=now, clients=clients)
    before = _table_files(archive, *failing)
    assert bool(before) == synced_before
    users_before = len(archive.scan("itglue", "users"))
    later = pd.Timestamp(fresh.advance(1))
    fresh.app.faults.add("server_error", service=failing[0], path=path, status=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SyncFailedError) as caught:
            archive.sync(now=later, clients=clients)
    assert f"{failing[0]}/{failing[1]}: " in str(caught.value)
    results = caught.value.results
    assert results[["service", "resource"]].apply(tuple, axis=1).tolist() == list(ARCHIVED)
    failed = results[results["error"].notna()]
    assert list(zip(failed["service"], failed["resource"], strict=True)) == [failing]
    # A first Hitask sync fails with the server's error; a later one, where the loader would offer its expired
    # snapshot instead, fails because that copy is stale (never archived as the day's data).
    stale = failing == ("hitask", "items") and synced_before
    assert ("could not be reached" if stale else "ServerError") in failed["error"].iloc[0]
    assert _table_files(archive, *failing) == before
    assert len(archive.scan("itglue", "users")) == 2 * users_before  # the others were synced: a second day
    fresh.app.faults.clear()
    again = archive.sync(*failing, now=later, clients=clients)
    assert int(again["rows_added"].iloc[0]) > 0


def test_sync__no_secret_reaches_the_archive(
    archive: Archive, fresh: mock_emulator, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    archive.sync(now=now, clients=clients)
    archive.sync(now=now + pd.Timedelta(days=1), clients=clients)
    archive.compact()
    env = fresh.environ()
    root = Path(archive.location)
    assert len([p for p in root.rglob("*") if p.is_file()]) > 10
    for name in ("ITGLUE_API_KEY", "HITASK_API_KEY", "HITASK_PASSWORD"):
        assert len(env[name]) >= 6
        assert files_containing(root, env[name]) == [], name


def _only_itglue(emu: mock_emulator, monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """The environment of an IT Glue-only account: its key and server, no Hitask variable at all."""
    env = emu.environ()
    for name in ("ITGLUE_API_KEY", "ITGLUE_BASE_URL"):
        monkeypatch.setenv(name, env[name])
    for name in ("HITASK_API_KEY", "HITASK_LOGIN", "HITASK_PASSWORD", "ITGLUE_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APITOOLKIT_CACHE", str(cache))


def test_sync__every_service_skips_one_without_credentials_and_says_so(
    archive: Archive, fresh: mock_emulator, now: pd.Timestamp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only_itglue(fresh, monkeypatch, tmp_path / "cache")
    results = archive.sync(now=now).set_index(["service", "resource"])
    assert results.loc[("hitask", "items"), "skipped"] == (
        "no Hitask credentials (HITASK_API_KEY, HITASK_LOGIN, HITASK_PASSWORD)"
    )
    assert results["error"].isna().all()
    assert (results.drop(index=("hitask", "items"))["rows_added"] > 0).all()
    assert results.drop(index=("hitask", "items"))["skipped"].isna().all()
    assert archive.views() == [v for v in archive.views() if v.startswith("itglue_")]


def test_sync__a_named_service_without_credentials_fails_naming_the_variable(
    archive: Archive, fresh: mock_emulator, now: pd.Timestamp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _only_itglue(fresh, monkeypatch, tmp_path / "cache")
    with pytest.raises(SyncFailedError, match="HITASK_API_KEY"):
        archive.sync("hitask", now=now)


def test_sync__no_service_with_credentials_is_a_configuration_error(
    archive: Archive, now: pd.Timestamp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apitoolkit.exceptions import ConfigurationError

    for name in ("ITGLUE_API_KEY", "HITASK_API_KEY", "HITASK_LOGIN", "HITASK_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="ITGLUE_API_KEY"):
        archive.sync(now=now)
    assert not Path(archive.location).exists() or not any(Path(archive.location).iterdir())
