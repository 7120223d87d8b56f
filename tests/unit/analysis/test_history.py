"""Answers over history: reputation trends, late renewals, activity per month, task cycle times (archive frames)."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit import analysis
from apitoolkit.analysis.activity import activity_heatmap, activity_over_time
from apitoolkit.analysis.history import (
    activity_by_month,
    completion_trend,
    late_renewals,
    renewal_summary,
    reputation_trend,
    task_cycle_times,
)
from apitoolkit.exceptions import InvalidArgumentError
from tests.helpers import CATEGORY

DATE = pd.ArrowDtype(pa.date32())


def days(values: list[str]) -> pd.Series:
    return pd.Series([date.fromisoformat(v) for v in values], dtype=DATE)


def user_snapshots(*rows: tuple[str, int, str, str, str | None, int | None]) -> pd.DataFrame:
    """Users snapshots as the archive scans them: rows are (snapshot_date, id, first, last, role, reputation)."""
    raw = pd.DataFrame(list(rows), columns=["snapshot_date", "id", "first_name", "last_name", "role_name", "rep"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "first_name": raw["first_name"].astype("str"),
            "last_name": raw["last_name"].astype("str"),
            "role_name": raw["role_name"].astype("str"),
            "email": (raw["first_name"] + "@x.io").astype("str"),
            "reputation": raw["rep"].astype("Int64"),
            "snapshot_date": days(raw["snapshot_date"].tolist()),
        }
    )


def expiration_snapshots(*rows: tuple[str, int, str]) -> pd.DataFrame:
    """Expirations snapshots as the archive scans them: rows are (snapshot_date, id, expiration_date)."""
    raw = pd.DataFrame(list(rows), columns=["snapshot_date", "id", "expiration_date"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "organization_name": pd.Series(["Acme"] * len(raw), dtype="str"),
            "expiration_date": pd.to_datetime(raw["expiration_date"], utc=True).astype("datetime64[us, UTC]"),
            "resource_type_name": pd.Series(["Domain"] * len(raw), dtype="str"),
            "resource_name": ("r" + raw["id"].astype("str")).astype("str"),
            "snapshot_date": days(raw["snapshot_date"].tolist()),
        }
    )


def item_changes(*rows: dict[str, Any]) -> pd.DataFrame:
    """Hitask change-log versions: each row gives id, valid_from and the fields that matter."""
    defaults = {"category": "task", "title": "Task", "completed": False, "time_create": "2026-11-02T09:00"}
    raw = pd.DataFrame([{**defaults, **row} for row in rows])
    frame = pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "category": raw["category"].astype(CATEGORY),
            "title": raw["title"].astype("str"),
            "completed": raw["completed"].astype("boolean"),
            "time_create": pd.to_datetime(raw["time_create"], utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
            "valid_from": pd.to_datetime(raw["valid_from"], utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
        }
    )
    valid_to = frame.groupby("id")["valid_from"].shift(-1)
    return frame.assign(valid_to=valid_to.astype("datetime64[us, UTC]"))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


# --------------------------------------------------------------------------------------------- exports
def test_analysis__exports_the_history_functions() -> None:
    names = ["reputation_trend", "late_renewals", "renewal_summary", "activity_by_month", "task_cycle_times"]
    for name in [*names, "completion_trend"]:
        assert name in analysis.__all__
        assert getattr(analysis, name).__module__ == "apitoolkit.analysis.history"


# --------------------------------------------------------------------------------------------- reputation_trend
@pytest.fixture
def team_history() -> pd.DataFrame:
    """Two weeks of snapshots: Ann gains, Bo moves from Editor to Manager, Cy joins in the second week."""
    return user_snapshots(
        ("2026-11-02", 1, "Ann", "Lee", "Editor", 10),
        ("2026-11-02", 2, "Bo", "Ek", "Editor", 50),
        ("2026-11-04", 1, "Ann", "Lee", "Editor", 14),
        ("2026-11-04", 2, "Bo", "Ek", "Editor", 52),
        ("2026-11-10", 1, "Ann", "Lee", "Editor", 30),
        ("2026-11-10", 2, "Bo", "Ek", "Manager", 60),
        ("2026-11-10", 3, "Cy", "Do", None, 5),
    )


def test_reputation_trend__per_user_the_last_snapshot_of_each_week(team_history: pd.DataFrame) -> None:
    trend = reputation_trend(team_history, freq="week")
    assert trend.columns.tolist() == [
        "period", "snapshot_date", "user_id", "name", "role_name", "reputation", "change",
    ]  # fmt: skip
    assert trend[["name", "reputation", "change"]].values.tolist() == [
        ["Ann Lee", 14, 0], ["Bo Ek", 52, 0], ["Ann Lee", 30, 16], ["Bo Ek", 60, 8], ["Cy Do", 5, 0],
    ]  # fmt: skip
    assert trend["period"].tolist() == [utc("2026-11-02")] * 2 + [utc("2026-11-09")] * 3
    assert trend["snapshot_date"].astype("str").tolist()[:2] == ["2026-11-04", "2026-11-04"]
    assert trend["role_name"].tolist()[3] == "Manager"  # the role of that snapshot
    assert str(trend["snapshot_date"].dtype) == "date32[day][pyarrow]"


def test_reputation_trend__per_role_sums_and_means_the_periods_last_day(team_history: pd.DataFrame) -> None:
    trend = reputation_trend(team_history, freq="W", by="role")
    rows = trend[["role_name", "users", "reputation", "mean_reputation", "change"]].values.tolist()
    assert rows == [
        ["Editor", 2, 66, 33.0, 0],  # the week of 2 November: its last day, the 4th
        ["(no role)", 1, 5, 5.0, 0], ["Editor", 1, 30, 30.0, -36], ["Manager", 1, 60, 60.0, 0],
    ]  # fmt: skip
    last_day = trend.groupby("period")["reputation"].sum().tolist()
    assert last_day == [66, 95]  # each period's total is that of its last snapshot day


def test_reputation_trend__the_same_days_snapshot_twice_changes_nothing(team_history: pd.DataFrame) -> None:
    twice = pd.concat([team_history, team_history.iloc[2:4]], ignore_index=True)
    for by in ("user", "role"):
        pd.testing.assert_frame_equal(reputation_trend(twice, by=by), reputation_trend(team_history, by=by))


def test_reputation_trend__per_day_and_month(team_history: pd.DataFrame) -> None:
    assert reputation_trend(team_history, freq="day")["period"].nunique() == 3
    monthly = reputation_trend(team_history, freq="MS")
    assert monthly["period"].unique().tolist() == [utc("2026-11-01")]
    assert monthly["reputation"].tolist() == [30, 60, 5]


def test_reputation_trend__top_keeps_the_highest_last_reputations(team_history: pd.DataFrame) -> None:
    assert reputation_trend(team_history, top=2)["name"].unique().tolist() == ["Ann Lee", "Bo Ek"]
    assert reputation_trend(team_history, top=1)["name"].unique().tolist() == ["Bo Ek"]
    assert reputation_trend(team_history, by="role", top=1)["role_name"].unique().tolist() == ["Manager"]


def test_reputation_trend__empty_gives_the_columns(team_history: pd.DataFrame) -> None:
    for by in ("user", "role"):
        empty = reputation_trend(team_history.iloc[:0], by=by)
        assert empty.empty and empty.columns.equals(reputation_trend(team_history, by=by).columns)
        assert empty.dtypes.equals(reputation_trend(team_history, by=by).dtypes)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"freq": "year"}, "freq='year'"),
        ({"by": "team"}, "by='team'"),
        ({"top": -1}, "top=-1"),
        ({"top": True}, "top=True"),
    ],
)
def test_reputation_trend__bad_arguments(team_history: pd.DataFrame, arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        reputation_trend(team_history, **arguments)


def test_reputation_trend__missing_columns_name_the_archive() -> None:
    with pytest.raises(InvalidArgumentError, match=r"snapshot_date.*scan\(\"itglue\", \"users\"\)"):
        reputation_trend(pd.DataFrame({"id": [1]}))


# --------------------------------------------------------------------------------------------- renewals
def test_late_renewals__a_date_moved_after_it_passed_is_late_with_its_bounds() -> None:
    snaps = expiration_snapshots(
        ("2026-11-01", 1, "2026-11-03"),
        ("2026-11-05", 1, "2026-11-03"),  # lapsed on the 4th, still shown on the 5th
        ("2026-11-06", 1, "2026-11-03"),
        ("2026-11-09", 1, "2027-11-03"),
    )
    late = late_renewals(snaps)
    assert late.columns.tolist() == [
        "id", "organization_name", "resource_type_name", "resource_name", "old_expiration", "new_expiration",
        "seen_lapsed_on", "renewed_by", "days_late",
    ]  # fmt: skip
    row = late.iloc[0]
    assert (row["old_expiration"], row["new_expiration"]) == (utc("2026-11-03"), utc("2027-11-03"))
    assert (row["seen_lapsed_on"], row["renewed_by"]) == (date(2026, 11, 6), date(2026, 11, 9))
    assert row["days_late"] == 6 and str(late["days_late"].dtype) == "Int64"


def test_late_renewals__a_renewal_before_the_date_is_not_late() -> None:
    snaps = expiration_snapshots(
        ("2026-11-01", 1, "2026-11-03"),
        ("2026-11-03", 1, "2027-11-03"),  # renewed on the day it was due: on time
        ("2026-11-01", 2, "2026-11-20"),
        ("2026-11-02", 2, "2027-11-20"),
    )
    assert late_renewals(snaps).empty
    summary = renewal_summary(snaps)
    assert summary[["on_time", "unclear", "late", "renewals"]].values.tolist() == [[2, 0, 0, 2]]


def test_late_renewals__snapshots_straddling_the_date_are_unclear_not_late() -> None:
    snaps = expiration_snapshots(("2026-11-02", 1, "2026-11-03"), ("2026-11-05", 1, "2027-11-03"))
    assert late_renewals(snaps).empty
    assert renewal_summary(snaps)[["on_time", "unclear", "late"]].values.tolist() == [[0, 1, 0]]


def test_late_renewals__the_same_days_snapshot_twice_changes_nothing() -> None:
    snaps = expiration_snapshots(
        ("2026-11-01", 1, "2026-11-03"), ("2026-11-05", 1, "2026-11-03"), ("2026-11-09", 1, "2027-11-03")
    )
    twice = pd.concat([snaps, snaps.iloc[[1, 2]]], ignore_index=True).sample(frac=1, random_state=3)
    pd.testing.assert_frame_equal(late_renewals(twice), late_renewals(snaps))
    pd.testing.assert_frame_equal(renewal_summary(twice), renewal_summary(snaps))


def test_late_renewals__a_date_moved_back_or_unchanged_is_no_renewal() -> None:
    snaps = expiration_snapshots(
        ("2026-11-01", 1, "2026-12-03"), ("2026-11-09", 1, "2026-10-03"), ("2026-11-10", 1, "2026-10-03")
    )
    assert late_renewals(snaps).empty and renewal_summary(snaps).empty


def test_late_renewals__each_renewal_of_an_expiration_counts_worst_first() -> None:
    snaps = expiration_snapshots(
        ("2026-01-01", 1, "2026-01-10"), ("2026-01-12", 1, "2026-01-10"), ("2026-01-13", 1, "2026-03-10"),
        ("2026-03-20", 1, "2026-03-10"), ("2026-03-30", 1, "2027-03-10"),
        ("2026-02-01", 2, "2026-02-02"), ("2026-02-04", 2, "2026-02-02"), ("2026-02-05", 2, "2027-02-02"),
    )  # fmt: skip
    late = late_renewals(snaps)
    assert late[["id", "days_late"]].values.tolist() == [[1, 20], [1, 3], [2, 3]]
    summary = renewal_summary(snaps)
    assert summary["month"].tolist() == [utc("2026-01-01"), utc("2026-02-01"), utc("2026-03-01")]
    assert summary["late"].tolist() == [1, 1, 1]


def test_renewal_summary__months_without_renewals_are_zero() -> None:
    snaps = expiration_snapshots(
        ("2026-01-01", 1, "2026-01-10"), ("2026-01-02", 1, "2027-01-10"),
        ("2026-03-01", 2, "2026-03-10"), ("2026-03-02", 2, "2027-03-10"),
    )  # fmt: skip
    summary = renewal_summary(snaps)
    assert summary["renewals"].tolist() == [1, 0, 1]
    assert summary.dtypes.astype(str).tolist() == ["datetime64[us, UTC]", "Int64", "Int64", "Int64", "Int64"]


def test_renewals__empty_and_bad_input() -> None:
    snaps = expiration_snapshots(("2026-01-01", 1, "2026-01-10"))
    assert late_renewals(snaps.iloc[:0]).columns.tolist()[-1] == "days_late"
    assert renewal_summary(snaps.iloc[:0]).columns.tolist() == ["month", "on_time", "unclear", "late", "renewals"]
    with pytest.raises(InvalidArgumentError, match="snapshot_date"):
        late_renewals(snaps.drop(columns="snapshot_date"))
    with pytest.raises(InvalidArgumentError, match="DataFrame"):
        renewal_summary([1, 2])


# --------------------------------------------------------------------------------------------- activity
def archive_logs(*times: str, actions: list[str] | None = None) -> pd.DataFrame:
    """Logs as an archive scan returns them: the loader's columns (a few), the archive's extra ones."""
    n = len(times)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, n + 1), dtype="Int64"),
            "created_at": pd.to_datetime(list(times), utc=True).astype("datetime64[us, UTC]"),
            "user_id": pd.array([7] * n, dtype="Int64"),
            "action": pd.Series(actions or ["view"] * n, dtype="str"),
            "month": pd.Series([t[:7] for t in times], dtype="str"),
        }
    )


def test_activity_by_month__counts_and_flags_partial_months() -> None:
    logs = archive_logs("2026-09-15 10:00", "2026-09-20 10:00", "2026-11-30 10:00")
    table = activity_by_month(logs)
    assert table.columns.tolist() == ["month", "events", "days", "partial"]
    assert table.values.tolist() == [
        [utc("2026-09-01"), 2, 16, True], [utc("2026-10-01"), 0, 31, False], [utc("2026-11-01"), 1, 30, False],
    ]  # fmt: skip
    bounded = activity_by_month(logs, start="2026-09-01", end="2026-12-10")
    assert bounded["partial"].tolist() == [False, False, False, True]
    assert bounded["days"].tolist() == [30, 31, 30, 10]


def test_activity_by_month__per_group_in_a_zone() -> None:
    logs = archive_logs("2026-10-31 23:30", "2026-11-02 10:00", actions=["view", "sign_in"])
    table = activity_by_month(logs, by="action", tz="Europe/Berlin")
    assert table["month"].dt.tz is not None and str(table["month"].dt.tz) == "Europe/Berlin"
    assert table[["action", "events", "partial"]].values.tolist() == [["sign_in", 1, True], ["view", 1, True]]
    assert table["month"].dt.month.unique().tolist() == [11]  # 23:30 UTC on 31 Oct is November in Berlin


def test_activity_by_month__empty_and_bad_arguments() -> None:
    empty = activity_by_month(archive_logs().iloc[:0], by="action")
    assert empty.empty and empty.columns.tolist() == ["month", "action", "events", "days", "partial"]
    logs = archive_logs("2026-10-01 10:00")
    with pytest.raises(InvalidArgumentError, match="by='ip_city'"):
        activity_by_month(logs, by="ip_city")
    with pytest.raises(InvalidArgumentError, match="before start"):
        activity_by_month(logs, start="2026-10-05", end="2026-10-01")
    with pytest.raises(InvalidArgumentError, match="Mars"):
        activity_by_month(logs, tz="Mars/Olympus")


def test_activity_functions__accept_archive_scans_with_extra_and_arrow_columns() -> None:
    logs = archive_logs("2026-11-02 10:00", "2026-11-02 11:00", "2026-11-03 10:00")
    arrow = logs.assign(
        created_at=logs["created_at"].astype(pd.ArrowDtype(pa.timestamp("us", tz="UTC"))),
        action=logs["action"].astype(pd.ArrowDtype(pa.string())),
        snapshot_date=days(["2026-11-03"] * 3),
    )
    for frame in (logs, arrow):
        assert int(activity_heatmap(frame).loc["Mon", 10]) == 1
        assert activity_over_time(frame, by="action")["events"].tolist() == [2, 1]
        assert activity_by_month(frame)["events"].tolist() == [3]


# --------------------------------------------------------------------------------------------- tasks
def test_task_cycle_times__completed_in_version_3_counts_from_that_versions_valid_from() -> None:
    changes = item_changes(
        {"id": 5, "valid_from": "2026-11-02T09:00"},
        {"id": 5, "valid_from": "2026-11-03T09:00", "title": "Call Bo"},
        {"id": 5, "valid_from": "2026-11-06T21:00", "completed": True},
        {"id": 5, "valid_from": "2026-11-08T09:00", "completed": True, "title": "Call Ann"},  # an edit after it
    )
    table = task_cycle_times(changes)
    assert table.columns.tolist() == ["id", "title", "created", "completed", "cycle_days"]
    row = table.iloc[0]
    assert row["completed"] == utc("2026-11-06 21:00")
    assert row["cycle_days"] == (utc("2026-11-06 21:00") - utc("2026-11-02 09:00")) / pd.Timedelta(days=1) == 4.5
    assert row["title"] == "Call Ann"  # as the latest version names it


def test_task_cycle_times__open_reopened_and_non_tasks() -> None:
    changes = item_changes(
        {"id": 1, "valid_from": "2026-11-02T09:00"},  # open
        {"id": 2, "valid_from": "2026-11-03T09:00", "completed": True},
        {"id": 2, "valid_from": "2026-11-04T09:00", "completed": False},  # reopened
        {"id": 2, "valid_from": "2026-11-05T09:00", "completed": True},  # and completed again
        {"id": 3, "valid_from": "2026-11-03T09:00", "completed": True},
        {"id": 3, "valid_from": "2026-11-04T09:00", "completed": False},  # reopened and still open
        {"id": 4, "valid_from": "2026-11-03T09:00", "completed": True, "category": "event"},
        {"id": 6, "valid_from": "2026-11-03T09:00", "completed": True, "time_create": "2026-11-04T09:00"},
    )
    table = task_cycle_times(changes).set_index("id")
    assert table.index.tolist() == [1, 2, 3, 6]
    assert table.loc[2, "cycle_days"] == 3.0
    assert pd.isna(table.loc[1, "completed"]) and np.isnan(table.loc[1, "cycle_days"])
    assert pd.isna(table.loc[3, "completed"])
    assert table.loc[6, "completed"] == utc("2026-11-03 09:00") and np.isnan(table.loc[6, "cycle_days"])


def test_task_cycle_times__versions_in_any_order_and_empty() -> None:
    changes = item_changes(
        {"id": 5, "valid_from": "2026-11-02T09:00"}, {"id": 5, "valid_from": "2026-11-04T09:00", "completed": True}
    )
    shuffled = changes.iloc[::-1]
    pd.testing.assert_frame_equal(task_cycle_times(shuffled), task_cycle_times(changes))
    empty = task_cycle_times(changes.iloc[:0])
    assert empty.empty and empty.dtypes.equals(task_cycle_times(changes).dtypes)
    with pytest.raises(InvalidArgumentError, match="valid_from"):
        task_cycle_times(changes.drop(columns="valid_from"))


def test_completion_trend__completed_per_week_and_median_cycle_days() -> None:
    changes = item_changes(
        {"id": 1, "valid_from": "2026-11-02T09:00"}, {"id": 1, "valid_from": "2026-11-03T09:00", "completed": True},
        {"id": 2, "valid_from": "2026-11-02T09:00"}, {"id": 2, "valid_from": "2026-11-05T09:00", "completed": True},
        {"id": 3, "valid_from": "2026-11-02T09:00"}, {"id": 3, "valid_from": "2026-11-20T09:00", "completed": True},
        {"id": 4, "valid_from": "2026-11-02T09:00"},
    )  # fmt: skip
    trend = completion_trend(changes, freq="week")
    assert trend["period"].tolist() == [utc("2026-11-02"), utc("2026-11-09"), utc("2026-11-16")]
    assert trend["completed"].tolist() == [2, 0, 1]
    assert trend["median_cycle_days"].tolist()[0] == 2.0 and np.isnan(trend["median_cycle_days"].iloc[1])
    monthly = completion_trend(changes, freq="MS", tz="Asia/Tokyo")
    assert monthly["completed"].tolist() == [3] and str(monthly["period"].dt.tz) == "Asia/Tokyo"


def test_completion_trend__start_and_end_keep_the_periods_between() -> None:
    changes = item_changes(
        {"id": 1, "valid_from": "2025-03-02T09:00", "completed": True},  # archived already done, long ago
        {"id": 2, "valid_from": "2026-11-02T09:00"}, {"id": 2, "valid_from": "2026-11-05T09:00", "completed": True},
    )  # fmt: skip
    trend = completion_trend(changes, start="2026-10-26", end="2026-11-18")
    assert trend["period"].tolist() == [utc("2026-10-26"), utc("2026-11-02"), utc("2026-11-09"), utc("2026-11-16")]
    assert trend["completed"].tolist() == [0, 1, 0, 0]
    assert completion_trend(changes, end="2026-11-04")["completed"].sum() == 1  # the 2025 one only
    with pytest.raises(InvalidArgumentError, match="before start"):
        completion_trend(changes, start="2026-11-10", end="2026-11-01")


def test_completion_trend__empty_and_bad_arguments() -> None:
    changes = item_changes({"id": 1, "valid_from": "2026-11-02T09:00"})
    assert completion_trend(changes).columns.tolist() == ["period", "completed", "median_cycle_days"]
    assert completion_trend(changes).empty
    with pytest.raises(InvalidArgumentError, match="freq='day'"):
        completion_trend(changes, freq="day")
