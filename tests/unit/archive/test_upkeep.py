"""`Archive.info`, `compact` and `prune`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from tests.helpers import hitask_items


def _live_files(archive: Archive, service: str, resource: str) -> list[Path]:
    actions = archive.store(service, resource).add_actions().to_pandas()
    return [Path(archive.table_uri(service, resource), p) for p in actions["path"]]


def test_info__rows_range_files_and_bytes_of_each_resource(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs, users = frames["logs"], frames["users"]
    archive.write("itglue", "logs", logs)
    archive.write("itglue", "users", users, now="2026-11-22 10:00")
    archive.write("itglue", "users", users, now="2026-11-23 10:00")
    info = archive.info().set_index("resource")
    assert info.index.tolist() == ["logs", "users"]
    assert info.loc["logs", "rows"] == len(logs) and info.loc["users", "rows"] == 2 * len(users)
    assert pd.Timestamp(info.loc["logs", "first"]) == logs["created_at"].min()
    assert pd.Timestamp(info.loc["logs", "last"]) == logs["created_at"].max()
    assert (info.loc["users", "first"], info.loc["users", "last"]) == ("2026-11-22", "2026-11-23")
    for resource in ("logs", "users"):
        files = _live_files(archive, "itglue", resource)
        assert info.loc[resource, "files"] == len(files)
        assert info.loc[resource, "bytes"] == sum(f.stat().st_size for f in files)
    assert info.loc["users", "version"] == 2  # created empty (0), then one commit per write


def test_info__of_an_empty_archive(archive: Archive) -> None:
    info = archive.info()
    assert info.empty and info.columns.tolist() == [
        "service", "resource", "rows", "first", "last", "files", "bytes", "version",
    ]  # fmt: skip


def test_compact__fewer_files_same_rows(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs = frames["logs"].sort_values("created_at", ignore_index=True)
    november = logs[logs["created_at"] >= pd.Timestamp("2026-11-01", tz="UTC")].reset_index(drop=True)
    for chunk in range(8):  # eight small syncs in one month
        archive.write("itglue", "logs", november.iloc[chunk::8])
    before = archive.scan("itglue", "logs")
    files_before = archive.info().set_index("resource").loc["logs", "files"]
    assert files_before == 8
    result = archive.compact("itglue", "logs")
    assert result[["files_removed", "files_added"]].iloc[0].tolist() == [8, 1]
    after_info = archive.info().set_index("resource").loc["logs"]
    assert after_info["files"] == 1 and after_info["rows"] == len(november)
    pd.testing.assert_frame_equal(archive.scan("itglue", "logs"), before)
    table = Path(archive.table_uri("itglue", "logs"))
    data_files = [p for p in table.rglob("*.parquet") if "_delta_log" not in p.parts]
    assert len(data_files) == 9  # the 8 replaced files stay an hour (a writer at work may still need its new files)
    assert list((table / "_delta_log").glob("*.checkpoint.parquet"))  # opening reads a checkpoint, not every commit


def test_compact__deletes_files_no_version_needs_once_old_enough(
    archive: Archive, frames: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    import apitoolkit.archive.store as store

    logs = frames["logs"].sort_values("created_at", ignore_index=True)
    for chunk in range(4):
        archive.write("itglue", "logs", logs.iloc[chunk::4])
    monkeypatch.setattr(store, "VACUUM_HOURS", 0)  # as if an hour had passed
    archive.compact("itglue", "logs")
    table = Path(archive.table_uri("itglue", "logs"))
    live = set(archive.store("itglue", "logs").add_actions()["path"].to_pylist())
    on_disk = {p.relative_to(table).as_posix() for p in table.rglob("*.parquet") if "_delta_log" not in p.parts}
    assert on_disk == live
    assert len(archive.scan("itglue", "logs")) == len(logs)


def test_prune__older_rows_go(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs, cutoff = frames["logs"], pd.Timestamp("2026-11-10", tz="UTC")
    archive.write("itglue", "logs", logs)
    result = archive.prune("2026-11-10", "itglue", "logs")
    older = int((logs["created_at"] < cutoff).sum())
    assert older > 0 and result["rows_deleted"].tolist() == [older]
    stored = archive.scan("itglue", "logs")
    assert len(stored) == len(logs) - older and stored["created_at"].min() >= cutoff


def test_prune__snapshots_and_metric_days(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    users, metrics = frames["users"], frames["user_metrics"]
    for day in ("2026-11-01", "2026-11-05", "2026-11-20"):
        archive.write("itglue", "users", users, now=f"{day} 09:00")
    archive.write("itglue", "user_metrics", metrics)
    days = sorted(metrics["date"].unique())
    assert "2026-11-05" < str(days[2]) < "2026-11-20"
    archive.prune(str(days[2]), "itglue")
    kept_snapshots = archive.scan("itglue", "users")["snapshot_date"].astype("str").unique().tolist()
    assert kept_snapshots == ["2026-11-20"]
    assert sorted(archive.scan("itglue", "user_metrics")["date"].unique()) == days[2:]


def test_prune__a_change_log_keeps_current_versions(archive: Archive) -> None:
    def items(updated_two: str) -> pd.DataFrame:
        return hitask_items({"time_last_update": "2025-01-05 10:00"}, {"time_last_update": updated_two})

    archive.write("hitask", "items", items("2025-02-01 10:00"), now="2025-03-01")
    archive.write("hitask", "items", items("2025-06-01 10:00"), now="2025-07-01")
    archive.write("hitask", "items", items("2026-06-01 10:00"), now="2026-11-01")
    assert len(archive.scan("hitask", "items")) == 4
    result = archive.prune("2026-01-01", "hitask", "items")
    assert result["rows_deleted"].tolist() == [1]  # item 2's version closed in 2025
    stored = archive.scan("hitask", "items")
    versions = [(int(r.id), f"{r.valid_from:%Y-%m-%d}", None if pd.isna(r.valid_to) else f"{r.valid_to:%Y-%m-%d}")
                for r in stored.sort_values(["id", "valid_from"]).itertuples()]  # fmt: skip
    assert versions == [
        (1, "2025-01-05", None),  # current, however old
        (2, "2025-06-01", "2026-06-01"),  # closed after the cutoff
        (2, "2026-06-01", None),
    ]


def test_sql__filters_on_text_after_prune_and_compact_rewrote_files(
    archive: Archive, frames: dict[str, pd.DataFrame]
) -> None:
    # deltalake's deletes and compaction write text as string_view; a WHERE on text over a mix of those files and
    # plain ones failed in Arrow ("no kernel matching (string, string_view)") before the views read it as such.
    logs = frames["logs"].sort_values("created_at", ignore_index=True)
    half = len(logs) // 2
    archive.write("itglue", "logs", logs.iloc[:half])
    archive.prune(older_than=logs["created_at"].iloc[half // 2], service="itglue", resource="logs")
    archive.write("itglue", "logs", logs.iloc[half:])
    kept = logs.iloc[half // 2 :]
    action = str(kept["action"].dropna().iloc[0])
    query = "SELECT count(*) AS n FROM itglue_logs WHERE action = ?"
    assert archive.sql(query, [action])["n"][0] == (kept["action"] == action).sum()
    archive.compact()
    assert archive.sql(query, [action])["n"][0] == (kept["action"] == action).sum()
    assert archive.heatmap(action=action).to_numpy().sum() == (kept["action"] == action).sum()


def test_read_errors__running_out_of_memory_is_not_called_damage() -> None:
    from apitoolkit.archive.store import _delta_error
    from apitoolkit.exceptions import ArchiveCorruptError, ArchiveError

    error = _delta_error(OSError("realloc of size 8589934592 failed"), "/srv/archive/itglue/logs")
    assert isinstance(error, ArchiveError) and not isinstance(error, ArchiveCorruptError)
    assert "out of memory" in str(error) and "/srv/archive/itglue/logs" in str(error)
    assert isinstance(_delta_error(ValueError("Invalid JSON in log record"), "/x"), ArchiveCorruptError)
