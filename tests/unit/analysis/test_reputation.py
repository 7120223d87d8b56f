"""Reputation: the leaderboard, points recomputed from metrics, the comparison, points per period and type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
import pytest

from apitoolkit.analysis import (
    POINTS,
    compare_reputation,
    points_by_action,
    points_by_resource_type,
    reputation_from_metrics,
    reputation_leaderboard,
)
from apitoolkit.exceptions import InvalidArgumentError
from tests.helpers import TEAM, TYPES, WEEKS, metrics, users

USERS_LOADER = r"apitoolkit\.itglue\.load_users\(\)"
METRICS_LOADER = r"apitoolkit\.itglue\.load_user_metrics\(start, end\)"


def frame(columns: dict[str, Sequence[Any]], dtypes: dict[str, str]) -> pd.DataFrame:
    """An expected result, typed column by column."""
    return pd.DataFrame({name: pd.Series(values, dtype=dtypes[name]) for name, values in columns.items()})


def empty(dtypes: dict[str, str]) -> pd.DataFrame:
    """The expected result of an empty input: no rows, typed columns."""
    return frame({name: [] for name in dtypes}, dtypes)


LEADERBOARD = {"rank": "Int64", "user_id": "Int64", "name": "str", "role_name": "str", "reputation": "Int64"}
TOTALS = dict.fromkeys(("user_id", "created", "edited", "viewed", "points"), "Int64")
COMPARISON = {"user_id": "Int64", "name": "str", "reported": "Int64", "computed": "Int64", "difference": "Int64"}
BY_ACTION = {"user_id": "Int64", "period": "datetime64[us, UTC]", "action": "str", "points": "Int64"}
BY_TYPE = {"user_id": "Int64", "resource_type": "str", "points": "Int64"}


# ------------------------------------------------------------------------------------------------------- POINTS
def test_points__documented_weights_read_only() -> None:
    assert dict(POINTS) == {"created": 10, "edited": 5, "viewed": 1}
    with pytest.raises(TypeError):
        POINTS["deleted"] = 1  # type: ignore[index]


# --------------------------------------------------------------------------------------- reputation_leaderboard
def test_reputation_leaderboard__min_rank_for_ties_then_by_name_ignoring_case() -> None:
    out = reputation_leaderboard(users(TEAM))
    expected = frame(
        {
            "rank": [1, 2, 2, 2, 5],
            "user_id": [2, 3, 1, 4, 5],
            "name": ["Bo", "cy do", "Dan Lee", "zed@x.io", "5"],
            "role_name": ["Manager", "Editor", "Editor", "Lite", "Read-only"],
            "reputation": [95, 40, 40, 40, 10],
        },
        LEADERBOARD,
    )
    pd.testing.assert_frame_equal(out, expected)


def test_reputation_leaderboard__roles_filter_before_ranking_and_top_after() -> None:
    team = users(TEAM)
    editors = reputation_leaderboard(team, roles=["Editor", "Lite"])
    assert editors[["rank", "name"]].values.tolist() == [[1, "cy do"], [1, "Dan Lee"], [1, "zed@x.io"]]
    assert reputation_leaderboard(team, roles=["Editor", "Lite"], top=2)["user_id"].tolist() == [3, 1]
    assert reputation_leaderboard(team, roles="Read-only")[["rank", "name"]].values.tolist() == [[1, "5"]]
    assert reputation_leaderboard(team, top=0).empty
    assert reputation_leaderboard(team, roles=[]).empty


@pytest.mark.parametrize("top", [-1, 1.5, True, "3"])
def test_reputation_leaderboard__rejects_top_that_is_not_a_row_count(top: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"top=.*whole number of rows"):
        reputation_leaderboard(users(TEAM), top=top)  # type: ignore[arg-type]


@pytest.mark.parametrize("roles", [5, ["Editor", 3], [None]])
def test_reputation_leaderboard__rejects_roles_that_are_not_names(roles: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"roles=.*role name"):
        reputation_leaderboard(users(TEAM), roles=roles)


def test_reputation_leaderboard__missing_columns_name_them_and_the_loader() -> None:
    message = rf"reputation_leaderboard needs .*missing: role_name, reputation\. .*{USERS_LOADER}"
    with pytest.raises(ValueError, match=message):
        reputation_leaderboard(users(TEAM).drop(columns=["role_name", "reputation"]))
    with pytest.raises(InvalidArgumentError, match="not dict"):
        reputation_leaderboard({"id": [1]})


def test_reputation_leaderboard__empty_frame_gives_typed_empty_result() -> None:
    pd.testing.assert_frame_equal(reputation_leaderboard(users([])), empty(LEADERBOARD))


def test_reputation_leaderboard__single_row_and_all_missing_reputation() -> None:
    assert reputation_leaderboard(users(TEAM[:1])).values.tolist() == [[1, 1, "Dan Lee", "Editor", 40]]
    unknown = users([(8, "Ed", "Ek", None, None, None), (9, "Al", "Ek", None, None, None)])
    out = reputation_leaderboard(unknown)
    assert out["name"].tolist() == ["Al Ek", "Ed Ek"]
    assert out["rank"].isna().all() and out["reputation"].isna().all() and out["role_name"].isna().all()


# -------------------------------------------------------------------------------------- reputation_from_metrics
def test_reputation_from_metrics__sums_every_row_with_the_documented_weights() -> None:
    rows = [
        (7, "Password", 1, 0, 3, "2026-11-02"),
        (7, "Document", 0, 2, 4, "2020-01-01"),  # any age counts: reputation is over the account's whole life
        (8, "Password", 0, 0, 5, "2026-11-02"),
        (8, "Password", None, None, 2, "2026-11-03"),  # missing counts count as 0
        (9, "Contact", 2, 1, 0, "2026-11-04"),
        (6, "Contact", 0, 1, 2, "2026-11-04"),
    ]
    expected = frame(
        {
            "user_id": [7, 9, 6, 8],
            "created": [1, 2, 0, 0],
            "edited": [2, 1, 1, 0],
            "viewed": [7, 0, 2, 7],
            "points": [27, 25, 7, 7],  # 10*1 + 5*2 + 7; 20 + 5; 5 + 2; 7 (ties by user_id)
        },
        TOTALS,
    )
    pd.testing.assert_frame_equal(reputation_from_metrics(metrics(rows)), expected)


def test_reputation_from_metrics__rows_without_user_single_row_and_all_missing_counts() -> None:
    one = metrics([(7, "Password", 1, 1, 1, "2026-11-02"), (None, "Password", 5, 5, 5, "2026-11-02")])
    assert reputation_from_metrics(one).values.tolist() == [[7, 1, 1, 1, 16]]
    blank = metrics([(7, "Password", None, None, None, None)])
    assert reputation_from_metrics(blank).values.tolist() == [[7, 0, 0, 0, 0]]


def test_reputation_from_metrics__empty_and_missing_columns() -> None:
    pd.testing.assert_frame_equal(reputation_from_metrics(metrics([])), empty(TOTALS))
    with pytest.raises(ValueError, match=rf"reputation_from_metrics needs .*missing: viewed\. .*{METRICS_LOADER}"):
        reputation_from_metrics(metrics([]).drop(columns="viewed"))
    with pytest.raises(InvalidArgumentError, match="'created' must hold whole numbers"):
        reputation_from_metrics(pd.DataFrame({"user_id": [1], "created": ["many"], "edited": [0], "viewed": [0]}))


# ------------------------------------------------------------------------------------------- compare_reputation
def test_compare_reputation__largest_gap_first_missing_sides_filled() -> None:
    team = users(
        [
            (7, "Ann", "Lee", None, "Editor", 27),  # matches
            (8, "Bo", "Ek", None, "Editor", 4),  # 3 fewer than computed
            (10, "Cy", "Do", None, "Lite", 50),  # no metrics: computed 0
            (12, "", "", "dee@x.io", "Lite", 3),  # 3 more than computed, ties with Bo on size
        ]
    )
    rows = [
        (7, "Password", 1, 2, 7, "2026-11-02"),
        (8, "Password", 0, 1, 2, "2026-11-02"),
        (11, "Password", 0, 1, 0, "2026-11-02"),  # not among the users given
    ]
    expected = frame(
        {
            "user_id": [10, 8, 12, 7, 11],
            "name": ["Cy Do", "Bo Ek", "dee@x.io", "Ann Lee", None],
            "reported": [50, 4, 3, 27, None],
            "computed": [0, 7, 0, 27, 5],
            "difference": [50, -3, 3, 0, None],
        },
        COMPARISON,
    )
    pd.testing.assert_frame_equal(compare_reputation(team, metrics(rows)), expected)


def test_compare_reputation__empty_inputs_and_missing_columns() -> None:
    pd.testing.assert_frame_equal(compare_reputation(users([]), metrics([])), empty(COMPARISON))
    only_users = compare_reputation(users(TEAM[:1]), metrics([]))
    assert only_users.values.tolist() == [[1, "Dan Lee", 40, 0, 40]]
    with pytest.raises(ValueError, match=rf"compare_reputation needs .*missing: reputation\. .*{USERS_LOADER}"):
        compare_reputation(users(TEAM).drop(columns="reputation"), metrics([]))
    with pytest.raises(ValueError, match=rf"compare_reputation needs .*missing: user_id\. .*{METRICS_LOADER}"):
        compare_reputation(users(TEAM), metrics([]).drop(columns="user_id"))


# --------------------------------------------------------------------------------------------- points_by_action
def expected_periods(periods: Sequence[str], points: Sequence[int], user_id: int | None = None) -> pd.DataFrame:
    """Long rows: each period repeated for created, edited, viewed (with ``user_id`` first when given)."""
    columns: dict[str, Sequence[Any]] = {
        "period": [p for p in periods for _ in range(3)],
        "action": ["created", "edited", "viewed"] * len(periods),
        "points": points,
    }
    if user_id is None:
        return frame(columns, {k: v for k, v in BY_ACTION.items() if k != "user_id"})
    return frame({"user_id": [user_id] * len(points), **columns}, BY_ACTION)


def test_points_by_action__weeks_start_monday_and_empty_weeks_are_zero() -> None:
    expected = expected_periods(["2026-11-02", "2026-11-09", "2026-11-16"], [10, 5, 3, 0, 0, 0, 0, 0, 4])
    pd.testing.assert_frame_equal(points_by_action(metrics(WEEKS)), expected)


def test_points_by_action__days_within_inclusive_bounds() -> None:
    out = points_by_action(metrics(WEEKS), start="2026-10-31", end=date(2026, 11, 2), freq="day")
    expected = expected_periods(["2026-10-31", "2026-11-01", "2026-11-02"], [0, 0, 0, 0, 0, 0, 10, 0, 2])
    pd.testing.assert_frame_equal(out, expected)


def test_points_by_action__months_span_the_given_bounds() -> None:
    out = points_by_action(metrics(WEEKS), start=pd.Timestamp("2026-10-15", tz="Europe/Paris"), end="2026-12-01",
                           freq="month")  # fmt: skip
    expected = expected_periods(["2026-10-01", "2026-11-01", "2026-12-01"], [0, 0, 0, 10, 5, 7, 0, 0, 0])
    pd.testing.assert_frame_equal(out, expected)


def test_points_by_action__per_user_fills_every_user_and_period() -> None:
    out = points_by_action(metrics(WEEKS), per_user=True, start="2026-11-05")
    weeks = ["2026-11-02", "2026-11-09", "2026-11-16"]
    seven = expected_periods(weeks, [0, 0, 0, 0, 0, 0, 0, 0, 4], user_id=7)  # its 11-02 row is before start
    eight = expected_periods(weeks, [0, 5, 1, 0, 0, 0, 0, 0, 0], user_id=8)
    pd.testing.assert_frame_equal(out, pd.concat([seven, eight], ignore_index=True))
    nobody = metrics([*WEEKS, (None, "Password", 1, 1, 1, "2026-10-01")])  # no user: no series, no extra weeks
    pd.testing.assert_frame_equal(points_by_action(nobody, per_user=True, start="2026-11-05"), out)
    assert points_by_action(nobody, per_user=True)["period"].min() == pd.Timestamp("2026-11-02", tz="UTC")


def test_points_by_action__mixed_zones_count_the_day_each_value_names() -> None:
    rows = metrics(WEEKS[:3]).assign(
        date=[
            pd.Timestamp("2026-11-08 23:30", tz="America/New_York"),  # already Monday 11-09 in UTC
            pd.Timestamp("2026-11-09 00:30", tz="Asia/Tokyo"),  # still Sunday 11-08 in UTC
            "2026-11-10",
        ]
    )
    expected = expected_periods(["2026-11-02", "2026-11-09"], [10, 0, 2, 0, 5, 5])
    pd.testing.assert_frame_equal(points_by_action(rows), expected)


def test_points_by_action__utc_datetimes_single_row_and_all_missing() -> None:
    utc = metrics(WEEKS[:1]).assign(date=pd.Series(pd.to_datetime(["2026-11-04 22:00"], utc=True)))
    pd.testing.assert_frame_equal(points_by_action(utc), expected_periods(["2026-11-02"], [10, 0, 2]))
    no_dates = metrics([(7, "Password", 1, 0, 2, None)])
    pd.testing.assert_frame_equal(points_by_action(no_dates), expected_periods([], []))
    no_counts = metrics([(7, "Password", None, None, None, "2026-11-03")])
    pd.testing.assert_frame_equal(points_by_action(no_counts, freq="day"), expected_periods(["2026-11-03"], [0, 0, 0]))


def test_points_by_action__empty_frames_and_nothing_in_range() -> None:
    pd.testing.assert_frame_equal(points_by_action(metrics([])), expected_periods([], []))
    pd.testing.assert_frame_equal(points_by_action(metrics([]), per_user=True), empty(BY_ACTION))
    assert points_by_action(metrics(WEEKS), start="2027-01-01").empty


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"freq": "hour"}, r"freq='hour': use one of day, week, month"),
        ({"start": "last tuesday"}, r"start='last tuesday' is not a date"),
        ({"end": object()}, r"end=.* is not a date"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, r"is after end"),
    ],
)
def test_points_by_action__bad_arguments_say_what_is_accepted(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        points_by_action(metrics(WEEKS), **arguments)


def test_points_by_action__missing_columns_name_them_and_the_loader() -> None:
    with pytest.raises(ValueError, match=rf"points_by_action needs .*missing: date\. .*{METRICS_LOADER}"):
        points_by_action(metrics(WEEKS).drop(columns="date"))
    with pytest.raises(ValueError, match=r"missing: user_id"):
        points_by_action(metrics(WEEKS).drop(columns="user_id"), per_user=True)
    assert len(points_by_action(metrics(WEEKS).drop(columns="user_id"))) == 9


# -------------------------------------------------------------------------------------- points_by_resource_type
def test_points_by_resource_type__sums_per_user_and_type_without_zero_rows() -> None:
    expected = frame(
        {"user_id": [7, 8, 8], "resource_type": ["Password", "Password", None], "points": [13, 5, 2]}, BY_TYPE
    )
    pd.testing.assert_frame_equal(points_by_resource_type(metrics(TYPES)), expected)


def test_points_by_resource_type__inclusive_date_bounds() -> None:
    out = points_by_resource_type(metrics(TYPES), start="2026-11-09", end="2026-11-09")
    pd.testing.assert_frame_equal(out, frame({"user_id": [7], "resource_type": ["Password"], "points": [1]}, BY_TYPE))
    assert points_by_resource_type(metrics(TYPES), end="2026-11-01").empty


def test_points_by_resource_type__empty_missing_columns_and_date_only_when_bounded() -> None:
    pd.testing.assert_frame_equal(points_by_resource_type(metrics([])), empty(BY_TYPE))
    undated = metrics(TYPES).drop(columns="date")
    assert points_by_resource_type(undated)["points"].tolist() == [13, 5, 2]
    with pytest.raises(ValueError, match=rf"points_by_resource_type needs .*missing: date\. .*{METRICS_LOADER}"):
        points_by_resource_type(undated, start="2026-11-01")
    with pytest.raises(ValueError, match=r"missing: resource_type"):
        points_by_resource_type(metrics(TYPES).drop(columns="resource_type"))
    with pytest.raises(InvalidArgumentError, match="not list"):
        points_by_resource_type([])


# --------------------------------------------------------------------------------------------- one order of actions
def test_points__created_edited_viewed_whatever_the_input_order() -> None:
    rows = [(7, "Password", 1, 2, 3, "2026-11-02"), (8, "Document", 0, 1, 0, "2026-11-03")]
    shuffled = metrics(rows)[["date", "viewed", "user_id", "deleted", "edited", "resource_type", "created"]]
    assert reputation_from_metrics(shuffled).columns.tolist() == ["user_id", "created", "edited", "viewed", "points"]
    by_action = points_by_action(shuffled)
    assert by_action["action"].tolist() == ["created", "edited", "viewed"]
    assert by_action["points"].tolist() == [10, 15, 3]
    per_user = points_by_action(shuffled, per_user=True, freq="day", start="2026-11-02", end="2026-11-03")
    assert per_user["action"].tolist() == ["created", "edited", "viewed"] * 4
    assert list(POINTS) == ["created", "edited", "viewed"]
    assert points_by_resource_type(shuffled).values.tolist() == [[7, "Password", 23], [8, "Document", 5]]


def test_points_by_action__period_is_utc_like_throughput() -> None:
    from apitoolkit.analysis import throughput

    periods = points_by_action(metrics([(7, "Password", 1, 0, 0, "2026-11-04")]))["period"]
    tasks = pd.DataFrame(
        {"id": [1], "project_id": [3], "title": ["a"], "priority": [2], "status": ["open"],
         "created": pd.to_datetime(["2026-11-04"], utc=True), "completed": pd.NaT}
    )  # fmt: skip
    assert periods.dtype == throughput(tasks)["period"].dtype
    assert periods.tolist() == [pd.Timestamp("2026-11-02", tz="UTC")] * 3
