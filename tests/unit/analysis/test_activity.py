"""Activity logs: events over time without gaps, the weekday x hour grid in any zone, counts, busiest resources."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from apitoolkit.analysis.activity import activity_heatmap, activity_over_time, events_by, top_resources
from apitoolkit.exceptions import InvalidArgumentError

LOGS = "apitoolkit.itglue.load_logs()"


def logs_frame(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Log rows (created_at, user_id, organization_id, action, resource_type, resource_name) with loader dtypes."""
    columns = ["created_at", "user_id", "organization_id", "action", "resource_type", "resource_name"]
    raw = pd.DataFrame(list(rows), columns=columns)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, len(rows) + 1), dtype="Int64"),
            "created_at": pd.to_datetime(raw["created_at"], utc=True).astype("datetime64[us, UTC]"),
            "user_id": raw["user_id"].astype("Int64"),
            "organization_id": raw["organization_id"].astype("Int64"),
            "action": raw["action"].astype("str"),
            "resource_type": raw["resource_type"].astype("str"),
            "resource_name": raw["resource_name"].astype("str"),
        }
    )


def at(text: str, tz: str = "UTC") -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


@pytest.fixture
def logs() -> pd.DataFrame:
    return logs_frame(
        ("2026-11-02 10:00", 7, 100, "view", "Password", "Wi-Fi"),
        ("2026-11-02 11:00", 9, 100, "view", "Password", "Wi-Fi"),
        ("2026-11-02 12:00", 7, None, "sign_in", "User", "Ada Lovelace"),
        ("2026-11-04 09:00", 7, 200, "update", "Domain", "acme.com"),
    )


def test_activity_over_time__total_per_day_with_empty_days_as_zero(logs: pd.DataFrame) -> None:
    out = activity_over_time(logs)
    assert out.columns.tolist() == ["period", "events"]
    assert out["period"].tolist() == [at("2026-11-02"), at("2026-11-03"), at("2026-11-04")]
    assert out["events"].tolist() == [3, 0, 1]
    assert str(out["period"].dtype) == "datetime64[us, UTC]" and str(out["events"].dtype) == "Int64"


def test_activity_over_time__every_group_in_every_period(logs: pd.DataFrame) -> None:
    out = activity_over_time(logs, by="action")
    assert out.columns.tolist() == ["period", "action", "events"]
    assert len(out) == 3 * 3
    day2 = out[out["period"] == at("2026-11-02")]
    assert dict(zip(day2["action"], day2["events"], strict=True)) == {"sign_in": 1, "update": 0, "view": 2}
    assert out[out["period"] == at("2026-11-03")]["events"].tolist() == [0, 0, 0]
    assert str(out["action"].dtype) == "str"


def test_activity_over_time__missing_group_values_are_a_group_of_their_own(logs: pd.DataFrame) -> None:
    out = activity_over_time(logs, by="organization_id", freq="week")
    assert out["organization_id"].tolist()[:2] == [100, 200] and out["organization_id"].isna().tolist()[2]
    assert out["events"].tolist() == [2, 1, 1]  # one week (Monday 2 November); the sign-in has no organization
    assert out["period"].unique().tolist() == [at("2026-11-02")]


def test_activity_over_time__weeks_and_months_without_gaps() -> None:
    logs = logs_frame(
        ("2026-10-15 08:00", 1, 1, "view", "Domain", "a"),
        ("2026-12-01 08:00", 1, 1, "view", "Domain", "a"),
        ("2026-12-20 08:00", 1, 1, "view", "Domain", "a"),
    )
    months = activity_over_time(logs, freq="month")
    assert months["period"].tolist() == [at("2026-10-01"), at("2026-11-01"), at("2026-12-01")]
    assert months["events"].tolist() == [1, 0, 2]
    weeks = activity_over_time(logs.iloc[1:], freq="week")
    assert weeks["period"].tolist() == [at("2026-11-30"), at("2026-12-07"), at("2026-12-14")]
    assert weeks["events"].tolist() == [1, 0, 1]


def test_activity_over_time__days_cut_in_the_zone_across_the_dst_change() -> None:
    logs = logs_frame(
        ("2026-10-31 12:00", 1, 1, "view", "Domain", "a"),
        ("2026-11-02 03:00", 1, 1, "view", "Domain", "a"),  # 22:00 on 1 November in New York (EST)
    )
    out = activity_over_time(logs, tz="America/New_York")
    zone = "America/New_York"
    assert out["period"].tolist() == [at("2026-10-31", zone), at("2026-11-01", zone)]  # 1 November lasts 25 hours
    assert out["events"].tolist() == [1, 1]
    assert str(out["period"].dtype) == "datetime64[us, America/New_York]"
    kolkata = activity_over_time(logs.iloc[1:], tz="Asia/Kolkata")  # 08:30 on 2 November
    assert kolkata["period"].tolist() == [at("2026-11-02", "Asia/Kolkata")]


def test_activity_over_time__user_names_from_users() -> None:
    logs = logs_frame(
        ("2026-11-02 10:00", 7, 1, "view", "Domain", "a"),
        ("2026-11-02 11:00", 9, 1, "view", "Domain", "a"),
        ("2026-11-02 12:00", 8, 1, "view", "Domain", "a"),
    )
    users = pd.DataFrame(
        {
            "id": pd.array([7, 8, 8], dtype="Int64"),
            "first_name": pd.Series(["Ada", "Grace", "Grace"], dtype="str"),
            "last_name": pd.Series(["Lovelace", None, None], dtype="str"),
        }
    )
    out = activity_over_time(logs, by="user_id", users=users)
    assert out.columns.tolist() == ["period", "user_id", "name", "events"]
    assert out["user_id"].tolist() == [7, 8, 9]
    assert out["name"].tolist()[:2] == ["Ada Lovelace", "Grace"] and pd.isna(out["name"].iloc[2])
    assert out["events"].tolist() == [1, 1, 1]
    assert str(out["name"].dtype) == "str"


def test_activity_over_time__empty_and_all_missing_times(logs: pd.DataFrame) -> None:
    empty = activity_over_time(logs.iloc[:0], by="action", tz="Asia/Kolkata")
    assert empty.empty and empty.columns.tolist() == ["period", "action", "events"]
    assert empty.dtypes.astype(str).tolist() == ["datetime64[us, Asia/Kolkata]", "str", "Int64"]
    missing = activity_over_time(logs.assign(created_at=pd.NaT))
    assert missing.empty and missing.columns.tolist() == ["period", "events"]


def test_activity_over_time__single_row_and_mixed_zones() -> None:
    single = activity_over_time(logs_frame(("2026-11-02 10:00", 7, 1, "view", "Domain", "a")), by="action")
    assert single.values.tolist() == [[at("2026-11-02"), "view", 1]]
    mixed = pd.DataFrame(
        {"created_at": ["2026-11-03T01:00:00+02:00", pd.Timestamp("2026-11-01 12:00"), None], "action": ["a", "a", "a"]}
    )
    out = activity_over_time(mixed)  # 23:00 UTC on 2 November, naive noon on 1 November, and a missing time
    assert out["period"].tolist() == [at("2026-11-01"), at("2026-11-02")]
    assert out["events"].tolist() == [1, 1]


def test_activity_over_time__bad_arguments(logs: pd.DataFrame) -> None:
    with pytest.raises(InvalidArgumentError, match=r"created_at, action; missing: action\. .*load_logs\(\)"):
        activity_over_time(logs.drop(columns="action"), by="action")
    with pytest.raises(InvalidArgumentError, match="not list"):
        activity_over_time([1, 2])
    with pytest.raises(InvalidArgumentError, match="action, user_id, resource_type, organization_id"):
        activity_over_time(logs, by="ip_city")
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        activity_over_time(logs, freq="hour")
    with pytest.raises(InvalidArgumentError, match="IANA"):
        activity_over_time(logs, tz="Mars/Olympus")
    with pytest.raises(InvalidArgumentError, match="by='user_id'"):
        activity_over_time(logs, by="action", users=pd.DataFrame())
    with pytest.raises(InvalidArgumentError, match=r"first_name.*load_users\(\)"):
        activity_over_time(logs, by="user_id", users=pd.DataFrame({"id": [7]}))


def test_activity_heatmap__a_7_by_24_grid_of_counts(logs: pd.DataFrame) -> None:
    grid = activity_heatmap(logs)
    assert grid.shape == (7, 24)
    assert grid.index.tolist() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert (grid.index.name, grid.columns.name, grid.columns.tolist()) == ("weekday", "hour", list(range(24)))
    assert set(grid.dtypes.astype(str)) == {"Int64"}
    assert (grid.loc["Mon", 10], grid.loc["Mon", 11], grid.loc["Mon", 12], grid.loc["Wed", 9]) == (1, 1, 1, 1)
    assert int(grid.to_numpy().sum()) == 4


def test_activity_heatmap__wall_clock_in_half_hour_and_dst_zones() -> None:
    logs = logs_frame(
        ("2026-11-23 20:00", 1, 1, "view", "Domain", "a"),  # Monday; Tuesday 01:30 in Kolkata (UTC+5:30)
        ("2026-07-06 12:00", 1, 1, "view", "Domain", "a"),  # Monday; 14:00 in Berlin (summer time, UTC+2)
        ("2026-01-05 12:00", 1, 1, "view", "Domain", "a"),  # Monday; 13:00 in Berlin (winter time, UTC+1)
    )
    kolkata = activity_heatmap(logs, tz="Asia/Kolkata")
    assert kolkata.loc["Tue", 1] == 1 and kolkata.loc["Mon", 17] == 2
    berlin = activity_heatmap(logs, tz="Europe/Berlin")
    assert (berlin.loc["Mon", 14], berlin.loc["Mon", 13], berlin.loc["Mon", 21]) == (1, 1, 1)
    assert int(berlin.to_numpy().sum()) == 3


def test_activity_heatmap__action_filter(logs: pd.DataFrame) -> None:
    assert int(activity_heatmap(logs, action="view").to_numpy().sum()) == 2
    only = activity_heatmap(logs, action=["sign_in", "update"])
    assert (only.loc["Mon", 12], only.loc["Wed", 9], int(only.to_numpy().sum())) == (1, 1, 2)
    assert int(activity_heatmap(logs, action={"view", "update"}).to_numpy().sum()) == 3
    assert int(activity_heatmap(logs, action=pd.Series(["update"])).to_numpy().sum()) == 1
    assert int(activity_heatmap(logs, action="export").to_numpy().sum()) == 0
    with pytest.raises(InvalidArgumentError, match="action name"):
        activity_heatmap(logs, action=[])
    with pytest.raises(InvalidArgumentError, match="action name"):
        activity_heatmap(logs, action=5)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"missing: action\. .*load_logs"):
        activity_heatmap(logs.drop(columns="action"), action="view")


def test_activity_heatmap__empty_missing_single_and_mixed(logs: pd.DataFrame) -> None:
    for frame in (logs.iloc[:0], logs.assign(created_at=pd.NaT)):
        grid = activity_heatmap(frame, tz="Europe/Berlin")
        assert grid.shape == (7, 24) and int(grid.to_numpy().sum()) == 0
        assert set(grid.dtypes.astype(str)) == {"Int64"}
    assert activity_heatmap(logs.iloc[3:]).loc["Wed", 9] == 1
    mixed = pd.DataFrame({"created_at": ["2026-11-23T10:00:00+02:00", pd.Timestamp("2026-11-23 08:00")]})
    assert activity_heatmap(mixed).loc["Mon", 8] == 2
    with pytest.raises(InvalidArgumentError, match=r"created_at.*load_logs"):
        activity_heatmap(pd.DataFrame({"action": ["view"]}))
    with pytest.raises(InvalidArgumentError, match="IANA"):
        activity_heatmap(logs, tz="Nowhere")


def test_events_by__counts_per_combination_busiest_first(logs: pd.DataFrame) -> None:
    out = events_by(logs)
    assert out.columns.tolist() == ["user_id", "action", "events"]
    assert out.values.tolist() == [[7, "sign_in", 1], [7, "update", 1], [7, "view", 1], [9, "view", 1]]
    by_user = events_by(logs, "user_id")
    assert by_user.values.tolist() == [[7, 3], [9, 1]]
    assert by_user.dtypes.astype(str).tolist() == ["Int64", "Int64"]
    by_org = events_by(logs, ["organization_id"])
    assert by_org["events"].tolist() == [2, 1, 1]
    assert by_org["organization_id"].tolist()[1] == 200 and pd.isna(by_org["organization_id"].iloc[2])


def test_events_by__start_inclusive_end_exclusive_naive_is_utc(logs: pd.DataFrame) -> None:
    window = events_by(logs, "action", start="2026-11-02 11:00", end="2026-11-04 09:00")
    assert window.values.tolist() == [["sign_in", 1], ["view", 1]]
    zoned = events_by(logs, "action", start="2026-11-02T12:00:00+01:00")  # 11:00 UTC
    assert zoned.values.tolist() == [["sign_in", 1], ["update", 1], ["view", 1]]
    assert events_by(logs, "action", end=pd.Timestamp("2026-11-02 10:00")).empty


def test_events_by__empty_single_missing_and_mixed(logs: pd.DataFrame) -> None:
    empty = events_by(logs.iloc[:0])
    assert empty.empty and empty.dtypes.astype(str).tolist() == ["Int64", "str", "Int64"]
    assert events_by(logs.iloc[:1]).values.tolist() == [[7, "view", 1]]
    no_times = logs.assign(created_at=pd.NaT)
    assert events_by(no_times, "action")["events"].sum() == 4  # times only matter when bounded
    assert events_by(no_times, "action", start="2026-01-01").empty
    assert events_by(logs.drop(columns="created_at"), "action")["events"].tolist() == [2, 1, 1]
    mixed = pd.DataFrame(
        {"created_at": ["2026-11-02T01:00:00+02:00", pd.Timestamp("2026-11-02 00:30")], "action": ["view", "view"]}
    )
    window = events_by(mixed, "action", start="2026-11-01 23:00", end="2026-11-02 00:00")
    assert window.values.tolist() == [["view", 1]]


def test_events_by__bad_arguments(logs: pd.DataFrame) -> None:
    with pytest.raises(InvalidArgumentError, match=r"user_id, action, created_at; missing: created_at\. .*load_logs"):
        events_by(logs.drop(columns="created_at"), start="2026-11-01")
    with pytest.raises(InvalidArgumentError, match="missing: ip_city"):
        events_by(logs, "ip_city")
    with pytest.raises(InvalidArgumentError, match="not dict"):
        events_by({"user_id": [1]})
    with pytest.raises(InvalidArgumentError, match="column name"):
        events_by(logs, [])
    with pytest.raises(InvalidArgumentError, match="once"):
        events_by(logs, ["action", "action"])
    with pytest.raises(InvalidArgumentError, match="not after start"):
        events_by(logs, start="2026-11-04", end="2026-11-02")
    with pytest.raises(InvalidArgumentError, match="start="):
        events_by(logs, start="soon")


def test_top_resources__events_people_and_last_seen() -> None:
    logs = logs_frame(
        ("2026-11-02 10:00", 7, 1, "view", "Password", "Wi-Fi"),
        ("2026-11-03 10:00", 9, 1, "update", "Password", "Wi-Fi"),
        ("2026-11-04 10:00", 7, 1, "view", "Password", "Wi-Fi"),
        ("2026-11-05 10:00", 7, None, "sign_in", "User", "Ada Lovelace"),
        ("2026-11-06 10:00", 7, None, "sign_in", "User", "Ada Lovelace"),
        ("2026-11-01 10:00", None, 1, "view", "Domain", "acme.com"),
        ("2026-11-01 09:00", 9, 1, "view", "Domain", "acme.com"),
        ("2026-11-07 10:00", 9, 1, "view", "Domain", "zeta.com"),
        ("2026-11-08 10:00", 9, 2, "view", "Password", "Wi-Fi"),  # another client's Wi-Fi password
    )
    out = top_resources(logs)
    assert out.columns.tolist() == ["organization_id", "resource_type", "resource_name", "events", "users", "last_seen"]
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        [1, "Password", "Wi-Fi", 3, 2, at("2026-11-04 10:00")],
        [None, "User", "Ada Lovelace", 2, 1, at("2026-11-06 10:00")],  # sign-ins count like any other resource
        [1, "Domain", "acme.com", 2, 1, at("2026-11-01 10:00")],  # same events: the later last_seen first
        [2, "Password", "Wi-Fi", 1, 1, at("2026-11-08 10:00")],
        [1, "Domain", "zeta.com", 1, 1, at("2026-11-07 10:00")],
    ]
    assert out.dtypes.astype(str).tolist() == ["Int64", "str", "str", "Int64", "Int64", "datetime64[us, UTC]"]
    assert top_resources(logs, 1)["resource_name"].tolist() == ["Wi-Fi"]
    assert top_resources(logs, 0).empty and len(top_resources(logs, None)) == 5
    merged = top_resources(logs.drop(columns="organization_id"))  # without organizations, same names are one
    assert merged.columns.tolist()[:2] == ["resource_type", "resource_name"]
    assert merged["events"].tolist()[0] == 4


def test_top_resources__empty_single_missing_and_mixed(logs: pd.DataFrame) -> None:
    empty = top_resources(logs.iloc[:0])
    assert empty.empty
    assert empty.dtypes.astype(str).tolist() == ["Int64", "str", "str", "Int64", "Int64", "datetime64[us, UTC]"]
    assert top_resources(logs.iloc[:1]).values.tolist() == [[100, "Password", "Wi-Fi", 1, 1, at("2026-11-02 10:00")]]
    no_times = top_resources(logs.assign(created_at=pd.NaT))
    assert no_times["events"].tolist() == [2, 1, 1] and no_times["last_seen"].isna().all()
    mixed = pd.DataFrame(
        {
            "resource_type": ["Domain", "Domain"],
            "resource_name": ["a.com", "a.com"],
            "user_id": pd.array([1, 1], dtype="Int64"),
            "created_at": ["2026-11-02T12:00:00+05:30", pd.Timestamp("2026-11-02 06:00")],
        }
    )
    assert top_resources(mixed)["last_seen"].tolist() == [at("2026-11-02 06:30")]


def test_top_resources__bad_arguments(logs: pd.DataFrame) -> None:
    with pytest.raises(InvalidArgumentError, match=r"resource_type, resource_name, user_id, created_at; .*user_id"):
        top_resources(logs.drop(columns="user_id"))
    with pytest.raises(InvalidArgumentError, match="load_logs"):
        top_resources(None)
    for n in (-1, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="whole number"):
            top_resources(logs, n)  # type: ignore[arg-type]
