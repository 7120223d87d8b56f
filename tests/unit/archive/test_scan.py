"""`Archive.scan`: the loader's dtypes and values back, time ranges (a date-only end is a whole day), only the
months a range touches read, and ``columns=``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.exceptions import ArchiveCorruptError

SERVICE = {"logs": "itglue", "user_metrics": "itglue", "users": "itglue", "organizations": "itglue"}
SERVICE |= {"expirations": "itglue", "items": "hitask"}
NOW = pd.Timestamp("2026-11-23 12:00", tz="UTC")


@pytest.mark.parametrize("resource", list(SERVICE))
def test_scan__has_the_loader_dtypes_column_by_column(
    archive: Archive, frames: dict[str, pd.DataFrame], resource: str
) -> None:
    frame = frames[resource]
    archive.write(SERVICE[resource], resource, frame, now=NOW)
    stored = archive.scan(SERVICE[resource], resource)
    kept = [c for c in frame.columns if c != "days_until"]  # expirations: depends on the day, not stored
    assert stored.columns.tolist()[: len(kept)] == kept
    for column in kept:
        assert stored[column].dtype == frame[column].dtype, column
    added = stored.columns.tolist()[len(kept) :]
    assert "month" not in stored.columns
    expected_added = {"users": ["snapshot_date"], "organizations": ["snapshot_date"], "expirations": ["snapshot_date"]}
    expected_added["items"] = ["valid_from", "valid_to"]
    assert added == expected_added.get(resource, [])
    if "snapshot_date" in added:
        assert str(stored["snapshot_date"].dtype) == "date32[day][pyarrow]"
    if resource == "items":
        assert {str(stored[c].dtype) for c in added} == {"datetime64[us, UTC]"}
    assert len(stored) == len(frame)


def test_scan__gives_back_the_loader_values(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs = frames["logs"]
    archive.write("itglue", "logs", logs)
    order = ["created_at", "id"]
    expected = logs.sort_values(order, ignore_index=True)
    stored = archive.scan("itglue", "logs").sort_values(order, ignore_index=True)
    stored.attrs = expected.attrs = {}
    pd.testing.assert_frame_equal(stored, expected)


@pytest.mark.parametrize(
    ("start", "end", "first", "stop"),
    [
        ("2026-11-10", "2026-11-12", "2026-11-10", "2026-11-13"),  # a date-only end includes its day
        ("2026-11-10T06:00:00Z", "2026-11-12T18:00:00Z", "2026-11-10 06:00", "2026-11-12 18:00:00.000001"),
        (None, "2026-10-31", None, "2026-11-01"),
        ("2026-11-20", None, "2026-11-20", None),
    ],
)
def test_scan__start_and_end_of_the_time_column(
    archive: Archive,
    frames: dict[str, pd.DataFrame],
    start: str | None,
    end: str | None,
    first: str | None,
    stop: str | None,
) -> None:
    logs = frames["logs"]
    archive.write("itglue", "logs", logs)
    times = logs["created_at"]
    mask = pd.Series(True, index=logs.index)
    if first is not None:
        mask &= times >= pd.Timestamp(first, tz="UTC")
    if stop is not None:
        mask &= times < pd.Timestamp(stop, tz="UTC")
    assert 0 < int(mask.sum()) < len(logs)
    stored = archive.scan("itglue", "logs", start=start, end=end)
    assert sorted(stored["id"].tolist()) == sorted(logs.loc[mask, "id"].tolist())


def test_scan__a_date_only_end_includes_that_day_of_a_date_column(
    archive: Archive, frames: dict[str, pd.DataFrame]
) -> None:
    metrics = frames["user_metrics"]
    archive.write("itglue", "user_metrics", metrics)
    days = sorted(metrics["date"].unique())
    stored = archive.scan("itglue", "user_metrics", start=str(days[1]), end=str(days[2]))
    assert sorted(stored["date"].unique()) == days[1:3]
    assert len(stored) == int(metrics["date"].isin(days[1:3]).sum())


def _month_files(archive: Archive, month: str) -> list[Path]:
    actions = archive.store("itglue", "logs").add_actions().to_pandas()
    paths = actions.loc[actions["partition.month"] == month, "path"]
    return [Path(archive.table_uri("itglue", "logs"), p) for p in paths]


def test_scan__a_month_reads_only_that_months_files(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs = frames["logs"]
    assert {f"{t:%Y-%m}" for t in logs["created_at"]} == {"2026-10", "2026-11"}
    archive.write("itglue", "logs", logs)
    november = logs[logs["created_at"] >= pd.Timestamp("2026-11-01", tz="UTC")]
    october_files = _month_files(archive, "2026-10")
    assert october_files and all(f.exists() for f in october_files)
    for path in october_files:  # a month the scan must not open
        path.write_bytes(b"not parquet at all")
    stored = archive.scan("itglue", "logs", start="2026-11-01", end="2026-11-30")
    assert sorted(stored["id"].tolist()) == sorted(november["id"].tolist())
    with pytest.raises(ArchiveCorruptError, match=str(archive.table_uri("itglue", "logs"))):
        archive.scan("itglue", "logs")  # the whole table does read the broken month


def test_scan__columns(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs = frames["logs"]
    archive.write("itglue", "logs", logs)
    stored = archive.scan("itglue", "logs", columns=["id", "action"], start="2026-11-20")
    assert stored.columns.tolist() == ["id", "action"]
    assert stored.dtypes.tolist() == logs[["id", "action"]].dtypes.tolist()
    expected = logs[logs["created_at"] >= pd.Timestamp("2026-11-20", tz="UTC")]
    assert sorted(stored["id"].tolist()) == sorted(expected["id"].tolist())


def test_scan__items_keep_their_category_dtype(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    items = frames["items"]
    archive.write("hitask", "items", items, now=NOW)
    stored = archive.scan("hitask", "items")
    assert stored["category"].dtype == items["category"].dtype
    assert (
        stored.set_index("id")["category"].astype("str").to_dict()
        == items.set_index("id")["category"].astype("str").to_dict()
    )


def test_scan__a_bounded_range_warns_nothing(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    archive.write("itglue", "logs", frames["logs"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        archive.scan("itglue", "logs", start="2026-11-01", end="2026-11-10")
