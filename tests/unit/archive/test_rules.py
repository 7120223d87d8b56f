"""Each archived resource's rule: logs exactly once, metric days replaced, daily snapshots, Hitask's change log,
and tables whose columns change."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.emulator import mock_emulator
from tests.helpers import hitask_items


def _sorted_ids(frame: pd.DataFrame) -> list[int]:
    return sorted(int(i) for i in frame["id"])


# ------------------------------------------------------------------------------------------------ logs
def test_logs__overlapping_writes_keep_each_id_once(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    logs = frames["logs"].sort_values("created_at", ignore_index=True)
    cut_a, cut_b = len(logs) * 6 // 10, len(logs) * 4 // 10
    assert archive.write("itglue", "logs", logs.iloc[:cut_a]) == cut_a
    assert archive.write("itglue", "logs", logs.iloc[cut_b:]) == len(logs) - cut_a
    assert archive.write("itglue", "logs", logs) == 0
    stored = archive.scan("itglue", "logs")
    assert len(stored) == len(logs) and stored["id"].is_unique
    assert _sorted_ids(stored) == _sorted_ids(logs)


def test_logs__a_second_sync_adds_nothing(archive: Archive, clients: dict[str, Any], now: pd.Timestamp) -> None:
    first = archive.sync("itglue", "logs", now=now, clients=clients)
    added = int(first["rows_added"].iloc[0])
    assert added > 0
    second = archive.sync("itglue", "logs", now=now + pd.Timedelta(minutes=5), clients=clients)
    assert second[["rows_added", "rows_replaced"]].iloc[0].tolist() == [0, 0]
    stored = archive.scan("itglue", "logs")
    assert len(stored) == added and stored["id"].is_unique


def test_logs__rows_arriving_late_in_the_overlap_are_added(
    archive: Archive, frames: dict[str, pd.DataFrame], clients: dict[str, Any], now: pd.Timestamp
) -> None:
    logs = frames["logs"].sort_values("created_at", ignore_index=True)
    times = logs["created_at"]
    # The archived state of an earlier sync: everything up to an anchor row, except the rows of the 55 minutes
    # before it, which the API had not shown yet (the anchor: the row with the most such rows).
    in_hour = [int(times.between(t - pd.Timedelta(minutes=55), t, inclusive="left").sum()) for t in times]
    anchor = max(range(len(logs)), key=in_hour.__getitem__)
    late = logs[times.between(times[anchor] - pd.Timedelta(minutes=55), times[anchor], inclusive="left")]
    assert len(late) >= 2
    archived = logs.iloc[: anchor + 1].drop(index=late.index)
    archive.write("itglue", "logs", archived)
    synced = archive.sync("itglue", "logs", now=now, clients=clients)
    stored = archive.scan("itglue", "logs")
    assert int(synced["rows_added"].iloc[0]) == len(logs) - len(archived)
    assert _sorted_ids(stored) == _sorted_ids(logs) and stored["id"].is_unique
    assert set(late["id"]) <= set(stored["id"])


def test_logs__a_sync_a_day_later_adds_only_the_new_day(
    archive: Archive, fresh: mock_emulator, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    archive.sync("itglue", "logs", now=now, clients=clients)
    before = archive.scan("itglue", "logs")
    later = pd.Timestamp(fresh.advance(1))
    added = int(archive.sync("itglue", "logs", now=later, clients=clients)["rows_added"].iloc[0])
    after = archive.scan("itglue", "logs")
    assert added > 0 and len(after) == len(before) + added and after["id"].is_unique
    new = after[~after["id"].isin(before["id"])]
    assert new["created_at"].min() > before["created_at"].max() - pd.Timedelta(hours=1)


# ------------------------------------------------------------------------------------------------ user metrics
def test_user_metrics__the_days_written_are_replaced(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    metrics = frames["user_metrics"]
    archive.write("itglue", "user_metrics", metrics)
    archive.write("itglue", "user_metrics", metrics)  # idempotent
    stored = archive.scan("itglue", "user_metrics")
    assert len(stored) == len(metrics)
    last_day = metrics["date"].max()
    revised = metrics[metrics["date"] == last_day].head(1).assign(viewed=pd.array([999], dtype="Int64"))
    archive.write("itglue", "user_metrics", revised)
    after = archive.scan("itglue", "user_metrics")
    assert after[after["date"] == last_day]["viewed"].tolist() == [999]  # the day's other rows are gone
    kept = after[after["date"] != last_day]
    assert len(kept) == int((metrics["date"] != last_day).sum())


def test_user_metrics__a_sync_twice_keeps_one_row_per_metric(
    archive: Archive, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    archive.sync("itglue", "user_metrics", now=now, clients=clients)
    first = archive.scan("itglue", "user_metrics")
    again = archive.sync("itglue", "user_metrics", now=now, clients=clients)
    second = archive.scan("itglue", "user_metrics")
    assert len(first) > 0 and len(second) == len(first)
    assert int(again["rows_replaced"].iloc[0]) == int(again["rows_added"].iloc[0])
    pd.testing.assert_frame_equal(second, first)


# ------------------------------------------------------------------------------------------------ snapshots
@pytest.mark.parametrize("resource", ["users", "organizations", "expirations"])
def test_snapshot__same_day_replaces_and_the_next_day_adds(
    archive: Archive, frames: dict[str, pd.DataFrame], resource: str
) -> None:
    frame, day = frames[resource], pd.Timestamp("2026-11-23 08:00", tz="UTC")
    archive.write("itglue", resource, frame, now=day)
    archive.write("itglue", resource, frame.head(len(frame) - 1), now=day + pd.Timedelta(hours=10))
    same_day = archive.scan("itglue", resource)
    assert len(same_day) == len(frame) - 1  # the later snapshot of the day replaced the first
    assert same_day["snapshot_date"].astype("str").unique().tolist() == ["2026-11-23"]
    archive.write("itglue", resource, frame, now=day + pd.Timedelta(days=1))
    both = archive.scan("itglue", resource)
    assert both["snapshot_date"].astype("str").value_counts().to_dict() == {
        "2026-11-23": len(frame) - 1,
        "2026-11-24": len(frame),
    }
    assert "days_until" not in both.columns


def test_snapshot__sync_twice_a_day_replaces_and_the_next_day_adds(
    archive: Archive, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    first = archive.sync("itglue", "users", now=now, clients=clients)
    count = int(first["rows_added"].iloc[0])
    second = archive.sync("itglue", "users", now=now + pd.Timedelta(minutes=30), clients=clients)
    assert second[["rows_added", "rows_replaced"]].iloc[0].tolist() == [count, count]
    assert len(archive.scan("itglue", "users")) == count
    archive.sync("itglue", "users", now=now + pd.Timedelta(days=1), clients=clients)
    days = archive.scan("itglue", "users")["snapshot_date"].astype("str").value_counts().sort_index()
    assert days.to_dict() == {f"{now:%Y-%m-%d}": count, f"{now + pd.Timedelta(days=1):%Y-%m-%d}": count}


# ------------------------------------------------------------------------------------------------ change log
T0 = pd.Timestamp("2026-11-20 12:00", tz="UTC")


def _items(title_two: str = "Task", updated_two: str = "2026-11-02 10:00") -> pd.DataFrame:
    return hitask_items(
        {"time_last_update": "2026-11-01 10:00"},
        {"title": title_two, "time_last_update": updated_two},
        {"time_last_update": "2026-11-03 10:00"},
    )


def _versions(archive: Archive, item: int) -> pd.DataFrame:
    stored = archive.scan("hitask", "items")
    return stored[stored["id"] == item].sort_values("valid_from", ignore_index=True)


def test_changes__a_changed_item_gets_a_version_from_its_last_update(archive: Archive) -> None:
    archive.write("hitask", "items", _items(), now=T0)
    archive.write("hitask", "items", _items("Renamed", "2026-11-21 09:30"), now=T0 + pd.Timedelta(days=2))
    two = _versions(archive, 2)
    changed = pd.Timestamp("2026-11-21 09:30", tz="UTC")
    assert two["title"].tolist() == ["Task", "Renamed"]
    assert two["valid_from"].tolist() == [pd.Timestamp("2026-11-02 10:00", tz="UTC"), changed]
    assert two["valid_to"].iloc[0] == changed and pd.isna(two["valid_to"].iloc[1])
    for item in (1, 3):
        one = _versions(archive, item)
        assert len(one) == 1 and pd.isna(one["valid_to"].iloc[0])


def test_changes__an_item_gone_is_closed_at_now(archive: Archive) -> None:
    archive.write("hitask", "items", _items(), now=T0)
    later = T0 + pd.Timedelta(days=1, hours=3)
    archive.write("hitask", "items", _items().iloc[:2], now=later)
    three = _versions(archive, 3)
    assert len(three) == 1 and three["valid_to"].iloc[0] == later
    assert pd.isna(_versions(archive, 1)["valid_to"].iloc[0])


def test_changes__an_item_without_last_update_changes_from_now(archive: Archive) -> None:
    first = hitask_items({"title": "A"}, {"title": "B"})
    archive.write("hitask", "items", first, now=T0)
    later = T0 + pd.Timedelta(hours=5)
    archive.write("hitask", "items", hitask_items({"title": "A"}, {"title": "B2"}), now=later)
    two = _versions(archive, 2)
    assert two["title"].tolist() == ["B", "B2"]
    assert two["valid_from"].tolist() == [T0, later] and two["valid_to"].iloc[0] == later
    assert len(_versions(archive, 1)) == 1


def test_changes__writing_the_same_items_twice_adds_nothing(archive: Archive, frames: dict[str, pd.DataFrame]) -> None:
    items = frames["items"]
    assert archive.write("hitask", "items", items, now=T0) == len(items)
    before = archive.scan("hitask", "items")
    assert archive.write("hitask", "items", items, now=T0 + pd.Timedelta(days=1)) == 0
    pd.testing.assert_frame_equal(archive.scan("hitask", "items"), before)


def test_changes__syncs_across_emulator_changes_keep_a_consistent_log(
    archive: Archive, fresh: mock_emulator, clients: dict[str, Any], now: pd.Timestamp
) -> None:
    archive.sync("hitask", "items", now=now, clients=clients)
    again = archive.sync("hitask", "items", now=now, clients=clients)
    assert again[["rows_added", "rows_replaced"]].iloc[0].tolist() == [0, 0]
    later = pd.Timestamp(fresh.advance(2))
    result = archive.sync("hitask", "items", now=later, clients=clients)
    assert int(result["rows_added"].iloc[0]) > 0
    log = archive.scan("hitask", "items").sort_values(["id", "valid_from"], ignore_index=True)
    assert (log.groupby("id")["valid_to"].apply(lambda s: int(s.isna().sum())) <= 1).all()  # one open version
    following = log.groupby("id")["valid_from"].shift(-1)
    closed_by_next = following.notna()
    assert (log.loc[closed_by_next, "valid_to"] == following[closed_by_next]).all()
    assert (log["valid_to"].isna() | (log["valid_to"] >= log["valid_from"])).all()


# ------------------------------------------------------------------------------------------------ schemas
def _three_parts(resource: str, frames: dict[str, pd.DataFrame]) -> list[tuple[pd.DataFrame, pd.Timestamp]]:
    """Three writes of ``resource`` whose rows differ by their time column; ``now`` for each."""
    day = pd.Timestamp("2026-11-20 12:00", tz="UTC")
    nows = [day, day + pd.Timedelta(days=1), day + pd.Timedelta(days=2)]
    frame = frames[resource]
    if resource == "logs":
        ordered = frame.sort_values("id", ignore_index=True)
        return [(ordered.iloc[i * 10 : i * 10 + 10], now) for i, now in enumerate(nows)]
    if resource == "user_metrics":
        days = sorted(frame["date"].unique())[:3]
        return [(frame[frame["date"] == d], now) for d, now in zip(days, nows, strict=True)]
    if resource == "items":
        first = frame.head(5)
        return [
            (
                first.assign(time_last_update=now - pd.Timedelta(hours=1)).astype(
                    {"time_last_update": "datetime64[us, UTC]"}
                ),
                now,
            )
            for now in nows
        ]
    return [(frame, now) for now in nows]


@pytest.mark.parametrize(
    ("resource", "dropped"),
    [
        ("logs", "action"),
        ("user_metrics", "viewed"),
        ("users", "email"),
        ("items", "priority"),
    ],
)
def test_schema__a_new_column_is_kept_and_a_missing_one_is_empty(
    archive: Archive, frames: dict[str, pd.DataFrame], resource: str, dropped: str
) -> None:
    service = "hitask" if resource == "items" else "itglue"
    (old, t1), (new, t2), (newer, t3) = _three_parts(resource, frames)
    archive.write(service, resource, old, now=t1)
    archive.write(service, resource, new.assign(note=pd.Series(["x"] * len(new), dtype="str", index=new.index)), now=t2)
    archive.write(service, resource, newer.drop(columns=[dropped]), now=t3)
    stored = archive.scan(service, resource)
    column = archive.store(service, resource).spec.time_column
    parts = ((old, t1), (new, t2), (newer, t3))
    if column == "valid_from":
        times = [stored[column] == now - pd.Timedelta(hours=1) for _, now in parts]
    elif column == "snapshot_date":
        times = [stored[column].astype("str") == f"{now:%Y-%m-%d}" for _, now in parts]
    else:
        times = [stored[column].isin(part[column]) for part, _ in parts]
    assert [int(mask.sum()) for mask in times] == [len(old), len(new), len(newer)]
    assert stored.loc[times[0], "note"].isna().all()
    assert stored.loc[times[1], "note"].tolist() == ["x"] * len(new)
    assert stored.loc[times[2], dropped].isna().all()
    assert stored.loc[times[0], dropped].notna().any()
